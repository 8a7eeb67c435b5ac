import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { DeliveryQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import type { DeliveryState } from "./delivery-state.js";

export interface ReconcilePolicy {
  /** Jobs are (re)added for scheduled deliveries due within this horizon. */
  horizonMs: number;
  /** A delivery still `publishing` this long after its claim (its channel's timeout and a grace) lost its worker mid-call. */
  stuckAfterMs(channelKind: string): number;
}

const BATCH = 1_000;

/**
 * Redis is a work list rebuilt from the database: re-adds the jobs of scheduled deliveries due within
 * the horizon (adding an existing job is a no-op, and the worker's conditional claim makes a stray
 * duplicate harmless), and gives up as `unconfirmed` the deliveries whose worker died while publishing.
 */
export function createReconciler(db: Db, state: DeliveryState, queue: DeliveryQueue, clock: Clock, policy: ReconcilePolicy, log: Log) {
  /** Claims older than their channel's publish timeout (and a grace) lost their worker: the outcome is unknown. */
  async function giveUpAbandonedClaims(now: Date): Promise<string[]> {
    const claims = await db
      .selectFrom("deliveries")
      .innerJoin("channels", "channels.id", "deliveries.channel_id")
      .select(["deliveries.id", "deliveries.claimed_at", "channels.kind"])
      .where("deliveries.status", "=", "publishing")
      // A campaign's delivery stays publishing while its batches run (content/campaigns): not abandoned.
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("campaigns").select("campaigns.id").whereRef("campaigns.delivery_id", "=", "deliveries.id"))),
      )
      .execute();
    const abandoned = claims
      .filter((c) => c.claimed_at && now.getTime() - c.claimed_at.getTime() > policy.stuckAfterMs(c.kind))
      .map((c) => c.id);
    return state.abandon(abandoned, "the worker stopped while publishing; check the channel before retrying");
  }

  return async function reconcile(): Promise<{ queued: number; unconfirmed: number }> {
    const now = clock.now();
    const stuck = await giveUpAbandonedClaims(now);
    const until = new Date(now.getTime() + policy.horizonMs);
    let queued = 0;
    let after = "";
    for (;;) {
      const rows = await db
        .selectFrom("deliveries")
        .select(["id", "run_at"])
        .where("status", "=", "scheduled")
        .where("run_at", "<=", until)
        .where("id", ">", after)
        .orderBy("id")
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      await queue.add(rows.map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
      queued += rows.length;
      after = rows[rows.length - 1]?.id ?? after;
      if (rows.length < BATCH) break;
    }
    if (stuck.length) log.warn({ ids: stuck }, "deliveries left publishing by a stopped worker are now unconfirmed");
    return { queued, unconfirmed: stuck.length };
  };
}
