import crypto from "node:crypto";
import { type Insertable, sql, type Updateable, type UpdateQueryBuilder, type UpdateResult } from "kysely";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import type { Database, DeliveryRow, DeliveryTable } from "../store/schema.js";

/**
 * Every change of a delivery's status, and the states each is allowed from. This module is the only
 * writer of `deliveries.status`: each change is one conditional UPDATE from the allowed states, so when
 * two processes race on a delivery (two workers, a worker and the reconciler, a worker and an officer)
 * exactly one wins and the other is told it lost.
 */
export const TRANSITIONS = {
  /** A worker takes a due delivery; the attempt is counted now, before anything is sent. */
  claim: { from: ["scheduled"], to: "publishing" },
  /** The provider confirmed. Also from `unconfirmed`: the reconciler may have given up on a call that then succeeded. */
  publish: { from: ["publishing", "unconfirmed"], to: "published" },
  /** Refused by the provider, or impossible to prepare (nothing was sent). */
  fail: { from: ["scheduled", "publishing"], to: "failed" },
  /** A transient failure: back on the schedule at a later time. */
  retryLater: { from: ["publishing"], to: "scheduled" },
  /** Not now (media still processing, the channel busy or held back): same status, a later time. */
  delay: { from: ["scheduled"], to: "scheduled" },
  /** The provider may have acted but did not say (a timeout after sending). */
  unconfirm: { from: ["publishing"], to: "unconfirmed" },
  /** Picked up too long after its time (`MISSED_AFTER`). */
  miss: { from: ["scheduled"], to: "missed" },
  cancel: { from: ["scheduled", "held"], to: "cancelled" },
  reschedule: { from: ["scheduled"], to: "scheduled" },
  /** A held delivery's new time: it stays held until its item is approved. */
  rescheduleHeld: { from: ["held"], to: "held" },
  /** Its item needs approval (scheduled before it, or changed after it): nothing is published meanwhile. */
  hold: { from: ["scheduled"], to: "held" },
  /** Its item was approved: out at its time (at once if that passed; `missed` past `MISSED_AFTER`, as any late pick-up). */
  release: { from: ["held"], to: "scheduled" },
  /** An officer's decision to try again. */
  retry: { from: ["failed", "unconfirmed", "missed"], to: "scheduled" },
  /** The reconciler: the claiming worker stopped mid-call (its lease expired), so the outcome is unknown. */
  abandon: { from: ["publishing"], to: "unconfirmed" },
  /**
   * The reconciler, once `UNCONFIRMED_SETTLE` has passed: the provider has no trace of it (lookup) or
   * dedupes by the delivery id, so it is sent again with the same idempotency key. Its attempts and
   * claim stay, so the publisher asks the provider once more before posting.
   */
  resend: { from: ["unconfirmed"], to: "scheduled" },
} as const satisfies Record<string, { from: readonly string[]; to: string }>;
export type Transition = keyof typeof TRANSITIONS;

/** A new delivery's row: `scheduled` (or `held` until its item is approved), nothing tried yet (the schedule request's and a recurrence's). */
export function newDeliveryRow(
  d: Pick<DeliveryRow, "item_id" | "channel_id" | "agency_id" | "scheduled_at" | "run_at">,
  now: Date,
  status: "scheduled" | "held" = "scheduled",
): DeliveryRow & { status: "scheduled" | "held" } {
  return {
    id: crypto.randomUUID(),
    ...d,
    status,
    attempts: 0,
    last_error: null,
    external_id: null,
    url: null,
    published_at: null,
    claimed_at: null,
    lease_until: null,
    lease_owner: null,
    created_at: now,
    updated_at: now,
  };
}

type AbandonQuery = UpdateQueryBuilder<Database, "deliveries", "deliveries", UpdateResult>;

/** Told of every status change that happened (alerts, outgoing webhooks); its failures never undo the change. */
export type DeliveryObserver = (row: DeliveryRow, t: Transition) => Promise<void>;

export function createDeliveryState(db: Db, clock: Clock, observe?: () => DeliveryObserver | undefined) {
  async function tell(rows: DeliveryRow[], t: Transition): Promise<void> {
    const observer = observe?.();
    if (!observer) return;
    // Told together, so that what they write for a batch goes together too (content/store/batch.ts).
    await Promise.all(rows.map((row) => observer(row, t).catch(() => undefined)));
  }

  /** Applies one transition; answers the updated row, or undefined when the delivery was not in an allowed state. */
  async function move(id: string, t: Transition, values: Omit<Updateable<DeliveryTable>, "id" | "status"> = {}) {
    const { from, to } = TRANSITIONS[t];
    const row = await db
      .updateTable("deliveries")
      // Only `claim` enters `publishing`: every other change ends the claim's lease.
      .set({ ...values, status: to, lease_until: null, lease_owner: null, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "in", [...from])
      .returningAll()
      .executeTakeFirst();
    if (row) await tell([row], t);
    return row;
  }

  /** Gives up, in one statement, the claims `which` selects (still publishing); observers are told of each; answers their ids. */
  async function abandonWhere(which: (q: AbandonQuery) => AbandonQuery, error: string): Promise<string[]> {
    const { from, to } = TRANSITIONS.abandon;
    const rows = await which(
      db
        .updateTable("deliveries")
        .set({ status: to, last_error: error, lease_until: null, lease_owner: null, updated_at: clock.now() })
        .where("status", "in", [...from]),
    )
      .returningAll()
      .execute();
    await tell(rows, "abandon");
    return rows.map((r) => r.id);
  }

  /** One transition for every delivery of an item in an allowed state (hold, release); answers those that moved. */
  async function moveItem(tx: Db, itemId: string, t: "hold" | "release"): Promise<DeliveryRow[]> {
    const { from, to } = TRANSITIONS[t];
    return tx
      .updateTable("deliveries")
      .set({ status: to, updated_at: clock.now() })
      .where("item_id", "=", itemId)
      .where("status", "in", [...from])
      .returningAll()
      .execute();
  }

  /** Claims, in one statement, those of these deliveries that are due and still scheduled (a burst is claimed in batches); answers the rows claimed. */
  async function claimMany(ids: string[], now: Date, dueBy: Date, lease: { owner: string; until: Date }): Promise<DeliveryRow[]> {
    const { from, to } = TRANSITIONS.claim;
    if (ids.length === 0) return [];
    return db
      .updateTable("deliveries")
      .set((eb) => ({
        status: to,
        attempts: eb("attempts", "+", 1),
        claimed_at: now,
        lease_owner: lease.owner,
        lease_until: lease.until,
        updated_at: now,
      }))
      .where("id", "in", [...new Set(ids)])
      .where("status", "in", [...from])
      .where("run_at", "<=", dueBy)
      .returningAll()
      .execute();
  }

  /**
   * Records many providers' confirmations in one statement (each row its own external id and URL);
   * answers, per input, the published row, or undefined when that delivery had left the allowed states.
   */
  async function publishedMany(results: { id: string; externalId: string; url: string | null }[]): Promise<(DeliveryRow | undefined)[]> {
    if (results.length === 0) return [];
    const { from, to } = TRANSITIONS.publish;
    const now = clock.now();
    const byId = (value: (r: (typeof results)[number]) => string | null) =>
      sql<string>`case ${sql.ref("id")} ${sql.join(
        results.map((r) => sql`when ${r.id} then ${value(r)}`),
        sql` `,
      )} end`;
    const rows = await db
      .updateTable("deliveries")
      .set({
        status: to,
        external_id: byId((r) => r.externalId),
        url: byId((r) => r.url),
        published_at: now,
        last_error: null,
        lease_until: null,
        lease_owner: null,
        updated_at: now,
      })
      .where("id", "in", [...new Set(results.map((r) => r.id))])
      .where("status", "in", [...from])
      .returningAll()
      .execute();
    await tell(rows, "publish");
    return results.map((r) => rows.find((row) => row.id === r.id));
  }

  return {
    move,

    /** New deliveries start `scheduled`, or `held` when their item awaits approval (inside the caller's transaction). */
    async insert(tx: Db, rows: (Insertable<DeliveryTable> & { status: "scheduled" | "held" })[]): Promise<void> {
      await tx
        .insertInto("deliveries")
        .values(rows.map((r) => ({ ...r, status: r.status })))
        .execute();
    },

    /** Holds every scheduled delivery of an item (inside the caller's transaction). */
    hold: (tx: Db, itemId: string) => moveItem(tx, itemId, "hold"),
    /** Releases every held delivery of an item (inside the caller's transaction). */
    release: (tx: Db, itemId: string) => moveItem(tx, itemId, "release"),

    /**
     * Claims a due delivery for this worker (not one moved to later meanwhile): one conditional UPDATE
     * sets the status, the owner and the lease, so the claim and its lease cannot be seen apart.
     */
    async claim(id: string, now: Date, dueBy: Date, lease: { owner: string; until: Date }): Promise<DeliveryRow | undefined> {
      return (await claimMany([id], now, dueBy, lease))[0];
    },
    claimMany,

    published: async (id: string, result: { externalId: string; url: string | null }) =>
      (await publishedMany([{ id, externalId: result.externalId, url: result.url }]))[0],

    publishedMany,
    failed: (id: string, error: string) => move(id, "fail", { last_error: error }),
    retryLater: (id: string, at: Date, error: string) => move(id, "retryLater", { run_at: at, last_error: error }),
    delay: (id: string, at: Date, error?: string) =>
      move(id, "delay", { run_at: at, ...(error === undefined ? {} : { last_error: error }) }),
    unconfirmed: (id: string, error: string) => move(id, "unconfirm", { last_error: error }),
    missed: (id: string, error: string) => move(id, "miss", { last_error: error }),
    cancel: (id: string) => move(id, "cancel"),
    reschedule: (id: string, at: Date, runAt: Date = at) => move(id, "reschedule", { scheduled_at: at, run_at: runAt }),
    rescheduleHeld: (id: string, at: Date, runAt: Date = at) => move(id, "rescheduleHeld", { scheduled_at: at, run_at: runAt }),
    /** The same delivery id, hence the same idempotency key, is sent again; the new time becomes its scheduled time. */
    retry: (id: string, now: Date) => move(id, "retry", { scheduled_at: now, run_at: now, attempts: 0 }),

    /** The claiming worker's heartbeat: extends its lease while the provider call runs; false when the claim is no longer its own. */
    async renewLease(id: string, owner: string, until: Date): Promise<boolean> {
      const row = await db
        .updateTable("deliveries")
        .set({ lease_until: until })
        .where("id", "=", id)
        .where("status", "=", "publishing")
        .where("lease_owner", "=", owner)
        .returning("id")
        .executeTakeFirst();
      return row !== undefined;
    },

    /** A campaign took the claimed delivery over (content/campaigns): its lease ends, it stays publishing until the campaign records it. */
    async handedOver(id: string): Promise<void> {
      await db
        .updateTable("deliveries")
        .set({ lease_until: null, lease_owner: null })
        .where("id", "=", id)
        .where("status", "=", "publishing")
        .execute();
    },

    /** Gives up, in one statement, every claim whose lease ran out before `now` (its worker stopped); answers their ids. */
    abandonExpired: (now: Date, error: string) => abandonWhere((q) => q.where("lease_until", "<", now), error),

    /** Sends an unconfirmed delivery again (see `resend`): due now. */
    resend: (id: string, now: Date, reason: string) => move(id, "resend", { run_at: now, last_error: reason }),

    /** Gives up the claims of stopped workers; answers the ids that were still publishing. */
    async abandon(ids: string[], error: string): Promise<string[]> {
      return ids.length === 0 ? [] : abandonWhere((q) => q.where("id", "in", ids), error);
    },
  };
}
export type DeliveryState = ReturnType<typeof createDeliveryState>;
