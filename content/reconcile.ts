import type { Clock, DeliveryQueue, Log } from "./ports.js";
import type { Db } from "./store/db.js";

export interface ReconcilePolicy {
  /** Jobs are (re)added for scheduled deliveries due within this horizon. */
  horizonMs: number;
  /** A delivery still `publishing` this long after its claim lost its worker mid-call. */
  stuckAfterMs: number;
}

const BATCH = 1_000;

/**
 * Redis is a work list rebuilt from the database: re-adds the jobs of scheduled deliveries due within
 * the horizon (adding an existing job is a no-op, and the worker's conditional claim makes a stray
 * duplicate harmless), and gives up as `unconfirmed` the deliveries whose worker died while publishing.
 */
export function createReconciler(db: Db, queue: DeliveryQueue, clock: Clock, policy: ReconcilePolicy, log: Log) {
  return async function reconcile(): Promise<{ queued: number; unconfirmed: number }> {
    const now = clock.now();
    const stuck = await db
      .updateTable("deliveries")
      .set({
        status: "unconfirmed",
        last_error: "the worker stopped while publishing; check the channel before retrying",
        updated_at: now,
      })
      .where("status", "=", "publishing")
      .where("claimed_at", "<", new Date(now.getTime() - policy.stuckAfterMs))
      .returning("id")
      .execute();

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
    if (stuck.length) log.warn({ ids: stuck.map((r) => r.id) }, "deliveries left publishing by a stopped worker are now unconfirmed");
    return { queued, unconfirmed: stuck.length };
  };
}
