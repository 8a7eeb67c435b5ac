import { AppError } from "../../content/errors.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest } from "../../content/ports/adapter.js";
import { SmsSettings } from "./sms.settings.js";

/**
 * The `sms` kind in the registry: settings checked at channel creation and the item checked before
 * scheduling. Sending is the campaign's (content/campaigns → the gateways of channels/sms/gateways.ts):
 * a delivery without a recipient list is refused when scheduled, so `publish` is never reached.
 */
export const smsFactory: AdapterFactory<typeof SmsSettings> = {
  kind: "sms",
  settings: SmsSettings,
  needsSecret: true,
  needsSecretFor: (s) => s.gateway === "smpp" || s.auth !== "none",
  create(): ChannelAdapter {
    return {
      kind: "sms",
      check(req: PublishRequest): Problem[] {
        return req.text.body.trim() ? [] : [{ field: "body", vi: "Tin nhắn chưa có nội dung", en: "the message has no text" }];
      },
      async publish() {
        throw new AppError("channel_rejected", "an SMS delivery is sent as a campaign: schedule it with a recipientListId");
      },
    };
  },
};
