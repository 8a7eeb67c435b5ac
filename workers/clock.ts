import cron from "node-cron";
import type { Logger } from "pino";
import type { ComplianceConfig, Config } from "../content/config.js";
import type { Services } from "../content/services.js";
import { ZONE } from "../content/time.js";
import { createNotifier } from "./notify.js";

function startComplianceDuties(services: Services, config: ComplianceConfig, log: Logger) {
  const notifier = createNotifier(config, log, services.http);
  const close = async () => {
    try {
      await services.closeFinished();
    } catch (err) {
      log.error({ err }, "closing finished compliance periods failed; the next run catches up");
    }
  };
  const remind = async () => {
    try {
      await services.reminders.run(notifier);
    } catch (err) {
      log.error({ err }, "at-risk reminders failed");
    }
  };
  void close(); // catches up on the weeks that finished while the clock was down
  return [
    cron.schedule(config.closeCron, close, { timezone: ZONE, name: "compliance-close", noOverlap: true }),
    cron.schedule(config.remindCron, remind, { timezone: ZONE, name: "compliance-remind", noOverlap: true }),
    // Stations that confirmed nothing aired by Friday 17:00 are reminded then (the same use case, same dedupe).
    ...(config.stationRemindCron
      ? [cron.schedule(config.stationRemindCron, remind, { timezone: ZONE, name: "station-remind", noOverlap: true })]
      : []),
  ];
}

/**
 * The clock's duties, in Asia/Ho_Chi_Minh: the reconciler (at start and on its cron) and, given the
 * compliance settings, closing finished weeks (at start, to catch up, and on its cron) and at-risk
 * reminders (on their cron). The duties are use cases; the crons only trigger them.
 */
export async function startClock(
  services: Services,
  cronExpr: string,
  log: Logger,
  compliance?: ComplianceConfig,
  tokens?: Config["tokens"],
  /** How often expired claims are given up and settled unconfirmed deliveries resolved (a quarter of `CLAIM_LEASE`). */
  reclaimEveryMs?: number,
): Promise<{ stop(): void }> {
  const reconcile = async () => {
    try {
      const r = await services.reconcile();
      if (r.queued || r.unconfirmed) log.debug(r, "reconciled");
    } catch (err) {
      log.error({ err }, "reconcile failed; will try again on the next tick");
    }
    // Outgoing webhooks due now (new events, retries whose backoff passed) go out on the same tick,
    // with the progress of the communication events running today (once per change).
    try {
      await services.eventProgress();
      const w = await services.webhooks.dispatch();
      if (w.tried) log.debug(w, "sent outgoing webhooks");
    } catch (err) {
      log.error({ err }, "outgoing webhooks failed; will try again on the next tick");
    }
  };
  await reconcile();
  const tasks: { stop(): unknown }[] = [cron.schedule(cronExpr, reconcile, { timezone: ZONE, name: "reconcile", noOverlap: true })];
  if (reclaimEveryMs) {
    // A dead worker's claims are found within a lease and this interval, not at the next reconcile.
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const r = await services.reconcile.reclaim();
        if (r.unconfirmed || r.published || r.resent) log.info(r, "reclaimed deliveries");
      } catch (err) {
        log.error({ err }, "reclaiming deliveries failed; will try again");
      } finally {
        busy = false;
      }
    }, reclaimEveryMs);
    tasks.push({ stop: () => clearInterval(timer) });
  }
  if (compliance) tasks.push(...startComplianceDuties(services, compliance, log));
  if (tokens) {
    const refresh = async () => {
      try {
        const r = await services.oauth.refreshDue(tokens.refreshAheadMs);
        if (r.refreshed || r.failed) log.info(r, "refreshed channel tokens");
      } catch (err) {
        log.error({ err }, "token refresh failed; will try again on the next tick");
      }
    };
    void refresh();
    tasks.push(cron.schedule(tokens.refreshCron, refresh, { timezone: ZONE, name: "token-refresh", noOverlap: true }));
  }
  tasks.push(...startCampaignDuties(services, log));
  return { stop: () => tasks.forEach((t) => void t.stop()) };
}

/**
 * Campaigns (issue 10): every 10 minutes (and at start) the batches of running campaigns are added
 * again (a lost Redis loses nothing; adding a listed batch is a no-op); every night at 02:30 the
 * recipient rows of campaigns ended more than `SMS_RETENTION_DAYS` ago are purged.
 */
function startCampaignDuties(services: Services, log: Logger) {
  const requeue = async () => {
    try {
      const n = await services.campaigns.campaigns.requeueRunning();
      if (n) log.debug({ campaigns: n }, "re-queued running campaigns");
    } catch (err) {
      log.error({ err }, "re-queueing campaigns failed");
    }
  };
  const purge = async () => {
    try {
      const n = await services.campaigns.purge();
      if (n) log.info({ campaigns: n }, "purged the recipient rows of ended campaigns");
    } catch (err) {
      log.error({ err }, "purging campaign recipients failed");
    }
  };
  void requeue();
  return [
    cron.schedule("*/10 * * * *", requeue, { timezone: ZONE, name: "campaign-requeue", noOverlap: true }),
    cron.schedule("30 2 * * *", purge, { timezone: ZONE, name: "campaign-purge", noOverlap: true }),
  ];
}
