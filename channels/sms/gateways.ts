import crypto from "node:crypto";
import type { HttpClient, ProviderEndpoints } from "../../content/ports/adapter.js";
import type { GatewayChannel, SmsEvents, SmsGateway, SmsGateways } from "../../content/ports/sms.js";
import { splitSms } from "../../templates/text/sms.js";
import { createHttpGateway } from "./http.gateway.js";
import { createSmppGateway } from "./smpp.gateway.js";
import { SmsSettings } from "./sms.settings.js";
import { createZnsGateway, ZnsSettings } from "./zns.gateway.js";

/**
 * The gateways of campaign channels, one per channel and kept open (an SMPP session is long-lived):
 * a change of the channel's settings or secret opens a new one and closes the old.
 */
export function createSmsGateways(http: HttpClient, endpoints: ProviderEndpoints): SmsGateways {
  const open = new Map<string, { fingerprint: string; gateway: SmsGateway }>();
  const parts = (m: { text: string; encoding: "GSM-7" | "UCS-2" }) => splitSms(m.text, m.encoding).length;

  function build(channel: GatewayChannel, events: SmsEvents): SmsGateway {
    if (channel.kind === "zalo_zns") return createZnsGateway(http, endpoints.zalo.zns, channel, ZnsSettings.parse(channel.settings));
    const s = SmsSettings.parse(channel.settings);
    switch (s.gateway) {
      case "http":
        return createHttpGateway(http, channel, s, parts);
      case "smpp":
        return createSmppGateway(channel, s, events);
    }
  }

  return {
    open(channel, events) {
      const fingerprint = crypto
        .createHash("sha256")
        .update(JSON.stringify([channel.kind, channel.settings, channel.secret ?? "", channel.callbackUrl]))
        .digest("hex");
      const known = open.get(channel.id);
      if (known?.fingerprint === fingerprint) return known.gateway;
      if (known) void known.gateway.close();
      const gateway = build(channel, events);
      open.set(channel.id, { fingerprint, gateway });
      return gateway;
    },
    async close() {
      await Promise.all([...open.values()].map((g) => g.gateway.close()));
      open.clear();
    },
  };
}
