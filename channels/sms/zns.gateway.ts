import { z } from "zod";
import { CampaignChannelSettings } from "../../content/campaigns/rules.js";
import { AppError } from "../../content/errors.js";
import type { AdapterFactory, ChannelAdapter, HttpClient } from "../../content/ports/adapter.js";
import type { GatewayChannel, SmsAccepted, SmsGateway, SmsMessage } from "../../content/ports/sms.js";
import { send } from "../http.js";
import { parseZaloSecret } from "../zalo/zalo.oauth.js";

/** Zalo Notification Service: an approved template sent to a phone number through an Official Account. */
export const ZnsSettings = z.strictObject({
  /** The agency's `zalo_oa` channel whose connection (OAuth tokens) sends the messages. */
  oaChannelId: z.string().min(1),
  templateId: z.string().min(1).max(64),
  /** The template's parameters; `{{title}}` and `{{text}}` are replaced by the item's title and the SMS text. */
  params: z.record(z.string().min(1).max(64), z.string().max(400)).default({}),
  ...CampaignChannelSettings.shape,
});
export type ZnsSettings = z.infer<typeof ZnsSettings>;

/** ZNS answers (HTTP 200, `error` < 0): the number cannot get it (not a Zalo user, refuses ZNS) or the template is refused → the SMS fallback. */
const UNREACHABLE = new Set([-108, -114, -118, -119, -109, -111, -112, -117, -131, -115]);
const Answer = z.object({ error: z.number(), message: z.string().optional(), data: z.object({ msg_id: z.string() }).partial().optional() });

/**
 * Sends with Zalo's ZNS API (`POST <ZALO_ZNS_URL>/message/template`, header `access_token`, body
 * `{phone, template_id, template_data, tracking_id}`), reusing the OA connection's access token
 * (refreshed by the clock like any zalo_oa channel). Unreachable numbers and refused templates are
 * `channel_rejected`, which a campaign with an SMS fallback sends by SMS instead.
 */
export function createZnsGateway(http: HttpClient, znsUrl: string, channel: GatewayChannel, s: ZnsSettings): SmsGateway {
  return {
    async submit(m: SmsMessage, signal: AbortSignal): Promise<SmsAccepted> {
      const { accessToken } = parseZaloSecret(channel.secret);
      const fill = (v: string) => v.replace(/\{\{\s*text\s*\}\}/g, m.text).replace(/\{\{\s*title\s*\}\}/g, m.zns?.params.title ?? "");
      const body = {
        phone: m.to.replace(/^\+/, ""),
        template_id: s.templateId,
        template_data: Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, fill(v)])),
        tracking_id: `${m.ref.campaignId}:${m.ref.seq}`,
      };
      const res = await send(http, `${znsUrl}/message/template`, {
        method: "POST",
        signal,
        headers: { "content-type": "application/json", access_token: accessToken },
        body: JSON.stringify(body),
      });
      if (res.status === 429 || res.status >= 500) throw new AppError("channel_unavailable", `Zalo ZNS answered ${res.status}`);
      const a = Answer.safeParse(await res.json().catch(() => undefined));
      if (!a.success) throw new AppError("channel_unconfirmed", `Zalo ZNS gave an unreadable answer (${res.status})`);
      if (a.data.error === 0 && a.data.data?.msg_id) return { ids: [`zns:${a.data.data.msg_id}`], parts: 1 };
      const why = `Zalo ZNS error ${a.data.error}: ${a.data.message ?? ""}`.trim();
      if (a.data.error === -124) throw new AppError("auth_expired", why);
      if (UNREACHABLE.has(a.data.error)) throw new AppError("channel_rejected", why);
      throw new AppError("channel_rejected", why);
    },
    async close() {},
  };
}

/** The `zalo_zns` kind in the registry: settings checked at creation; sending is the campaign's. */
export const znsFactory: AdapterFactory<typeof ZnsSettings> = {
  kind: "zalo_zns",
  settings: ZnsSettings,
  needsSecret: false,
  create(): ChannelAdapter {
    return {
      kind: "zalo_zns",
      check: () => [],
      async publish() {
        throw new AppError("channel_rejected", "a ZNS delivery is sent as a campaign: schedule it with a recipientListId");
      },
    };
  },
};
