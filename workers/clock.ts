import cron from "node-cron";
import type { Logger } from "pino";
import type { Services } from "../content/services.js";
import { ZONE } from "../content/time.js";

/** The clock's duties, in Asia/Ho_Chi_Minh: for now the reconciler, at start and on its cron. */
export async function startClock(services: Services, cronExpr: string, log: Logger): Promise<{ stop(): void }> {
  const reconcile = async () => {
    try {
      const r = await services.reconcile();
      if (r.queued || r.unconfirmed) log.debug(r, "reconciled");
    } catch (err) {
      log.error({ err }, "reconcile failed; will try again on the next tick");
    }
  };
  await reconcile();
  const task = cron.schedule(cronExpr, reconcile, { timezone: ZONE, name: "reconcile", noOverlap: true });
  return { stop: () => void task.stop() };
}
