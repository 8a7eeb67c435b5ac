import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { DeliveryQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import type { DeliveryState } from "./delivery-state.js";
import type { UnconfirmedResolver } from "./unconfirmed.js";

export interface ReconcilePolicy {
  /** Jobs are (re)added for scheduled deliveries due within this horizon. */
  horizonMs: number;
  /**
   * Claims made before leases (migration 010) have none: such a delivery still `publishing` this long
   * after its claim (its channel's timeout and a grace) lost its worker mid-call.
   */
  stuckAfterMs(channelKind: string): number;
}

const BATCH = 1_000;
const ABANDONED = "the worker stopped while publishing (its claim's lease expired); Loa checks with the provider before sending again";

/**
 * Redis is a work list rebuilt from the database: re-adds the jobs of scheduled deliveries due within
 * the horizon (adding an existing job is a no-op, and the worker's conditional claim makes a stray
 * duplicate harmless); gives up as `unconfirmed` the claims whose lease expired (their worker stopped),
 * and resolves unconfirmed deliveries where the provider can tell (see `unconfirmed.ts`).
 */
export function createReconciler(
  db: Db,
  state: DeliveryState,
  queue: DeliveryQueue,
  clock: Clock,
  policy: ReconcilePolicy,
  log: Log,
  resolver: UnconfirmedResolver,
) {
  /** Claims without a lease (older than migration 010) and older than their channel's timeout and a grace. */
  async function giveUpLeaselessClaims(now: Date): Promise<string[]> {
    const claims = await db
      .selectFrom("deliveries")
      .innerJoin("channels", "channels.id", "deliveries.channel_id")
      .select(["deliveries.id", "deliveries.claimed_at", "channels.kind"])
      .where("deliveries.status", "=", "publishing")
      .where("deliveries.lease_until", "is", null)
      // A campaign's delivery stays publishing while its batches run (content/campaigns): not abandoned.
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom("campaigns").select("campaigns.id").whereRef("campaigns.delivery_id", "=", "deliveries.id"))),
      )
      .execute();
    const abandoned = claims
      .filter((c) => c.claimed_at && now.getTime() - c.claimed_at.getTime() > policy.stuckAfterMs(c.kind))
      .map((c) => c.id);
    return state.abandon(abandoned, ABANDONED);
  }

  /**
   * The frequent part (every quarter of `CLAIM_LEASE`): expired claims become `unconfirmed`, and
   * settled unconfirmed deliveries are looked up or sent again; those sent again are queued at once.
   */
  async function reclaim(): Promise<{ unconfirmed: number; published: number; resent: number }> {
    const now = clock.now();
    const stuck = [...(await state.abandonExpired(now, ABANDONED)), ...(await giveUpLeaselessClaims(now))];
    if (stuck.length) log.warn({ ids: stuck }, "deliveries left publishing by a stopped worker are now unconfirmed");
    const resolved = await resolver.resolve(now);
    if (resolved.resent.length) {
      // A dead worker's job of the delivery may linger in Redis (its lock expired with the lease): it is
      // removed first, so that the new job is not a no-op waiting for BullMQ's stalled check.
      for (const id of resolved.resent) await queue.remove(id).catch(() => undefined);
      await queue.add(resolved.resent.map((deliveryId) => ({ deliveryId, runAt: now })));
    }
    return { unconfirmed: stuck.length, published: resolved.published, resent: resolved.resent.length };
  }

  async function reconcile(): Promise<{ queued: number; unconfirmed: number; published: number; resent: number }> {
    const reclaimed = await reclaim();
    const until = new Date(clock.now().getTime() + policy.horizonMs);
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
    return { queued, ...reclaimed };
  }

  return Object.assign(reconcile, { reclaim });
}
export type Reconciler = ReturnType<typeof createReconciler>;
