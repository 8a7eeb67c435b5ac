import type { Config } from "../config.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { CampaignQueue, SmsGateways, SmsTextTools } from "../ports/sms.js";
import type { DeliveryState } from "../publishing/delivery-state.js";
import type { RequestBuilder } from "../publishing/request.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { createCampaigns, report } from "./campaigns.js";
import { createOptOuts } from "./opt-outs.js";
import { normalizePhone } from "./phones.js";
import { createRecipientLists } from "./recipient-lists.js";
import { createSending } from "./sending.js";

/** What campaigns are given besides the store: the SMS text tools, the gateways and the batches' work list. */
export interface SmsTools {
  text: SmsTextTools;
  gateways: SmsGateways;
  queue: CampaignQueue;
}

export interface CampaignServiceDeps {
  db: Db;
  clock: Clock;
  log: Log;
  box: SecretBox;
  state: DeliveryState;
  build: RequestBuilder;
  tools: SmsTools;
  config: Config["sms"];
  publicUrl: string;
  onPublished(deliveryId: string, at: Date): Promise<void>;
  flagReconnect(channelId: string, reason: string, at: Date): Promise<void>;
}

/** The campaigns capability, wired: lists, opt-outs, campaigns, sending, the text preview and the retention purge. */
export function createCampaignServices(d: CampaignServiceDeps) {
  const optOuts = createOptOuts(d.db, d.box, d.clock);
  const campaigns = createCampaigns({
    db: d.db,
    clock: d.clock,
    log: d.log,
    queue: d.tools.queue,
    text: d.tools.text,
    build: d.build,
    state: d.state,
  });
  const sending = createSending({
    db: d.db,
    clock: d.clock,
    log: d.log,
    box: d.box,
    state: d.state,
    gateways: d.tools.gateways,
    optOuts,
    text: d.tools.text,
    dailyCap: d.config.dailyCap,
    submitTimeoutMs: d.config.submitTimeoutMs,
    publicUrl: d.publicUrl,
    onPublished: d.onPublished,
    flagReconnect: d.flagReconnect,
  });
  return {
    optOuts,
    lists: createRecipientLists(d.db, d.clock),
    campaigns,
    sending,
    preview: (text: string, unaccent: boolean) => {
      const { perSegment: _p, ...info } = d.tools.text.info(text, { unaccent });
      return info;
    },
    phones: (phones: string[]) => phones.map(normalizePhone),

    /** Recipient rows of campaigns ended more than `SMS_RETENTION_DAYS` ago are deleted; the totals stay on the campaign. */
    async purge(): Promise<number> {
      const before = new Date(d.clock.now().getTime() - d.config.retentionDays * 86_400_000);
      const due = await d.db.selectFrom("campaigns").selectAll().where("finished_at", "<", before).where("purged_at", "is", null).execute();
      for (const c of due) {
        const r = await report(d.db, d.clock, c);
        await d.db.transaction().execute(async (tx) => {
          await tx
            .updateTable("campaigns")
            .set({ totals: JSON.stringify({ byStatus: r.totals, skipped: r.skipped, partsSent: r.partsSent }), purged_at: d.clock.now() })
            .where("id", "=", c.id)
            .execute();
          await tx.deleteFrom("campaign_recipients").where("campaign_id", "=", c.id).execute();
          await tx.deleteFrom("sms_message_ids").where("campaign_id", "=", c.id).execute();
        });
      }
      return due.length;
    },
  };
}
export type CampaignServices = ReturnType<typeof createCampaignServices>;
