import crypto from "node:crypto";
import type { Insertable, Updateable } from "kysely";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import type { DeliveryRow, DeliveryTable } from "../store/schema.js";

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
  cancel: { from: ["scheduled"], to: "cancelled" },
  reschedule: { from: ["scheduled"], to: "scheduled" },
  /** An officer's decision to try again. */
  retry: { from: ["failed", "unconfirmed", "missed"], to: "scheduled" },
  /** The reconciler: the claiming worker stopped mid-call, so the outcome is unknown. */
  abandon: { from: ["publishing"], to: "unconfirmed" },
} as const satisfies Record<string, { from: readonly string[]; to: string }>;
export type Transition = keyof typeof TRANSITIONS;

/** A new delivery's row: `scheduled`, nothing tried yet (the schedule request's and a recurrence's). */
export function newDeliveryRow(
  d: Pick<DeliveryRow, "item_id" | "channel_id" | "agency_id" | "scheduled_at" | "run_at">,
  now: Date,
): DeliveryRow {
  return {
    id: crypto.randomUUID(),
    ...d,
    status: "scheduled",
    attempts: 0,
    last_error: null,
    external_id: null,
    url: null,
    published_at: null,
    claimed_at: null,
    created_at: now,
    updated_at: now,
  };
}

export function createDeliveryState(db: Db, clock: Clock) {
  /** Applies one transition; answers the updated row, or undefined when the delivery was not in an allowed state. */
  async function move(id: string, t: Transition, values: Omit<Updateable<DeliveryTable>, "id" | "status"> = {}) {
    const { from, to } = TRANSITIONS[t];
    return db
      .updateTable("deliveries")
      .set({ ...values, status: to, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "in", [...from])
      .returningAll()
      .executeTakeFirst();
  }

  return {
    move,

    /** New deliveries start `scheduled` (inside the caller's transaction). */
    async insert(tx: Db, rows: Insertable<DeliveryTable>[]): Promise<void> {
      await tx
        .insertInto("deliveries")
        .values(rows.map((r) => ({ ...r, status: "scheduled" })))
        .execute();
    },

    /** Claims a due delivery for this worker (not one moved to later meanwhile). */
    async claim(id: string, now: Date, dueBy: Date): Promise<DeliveryRow | undefined> {
      const { from, to } = TRANSITIONS.claim;
      return db
        .updateTable("deliveries")
        .set((eb) => ({ status: to, attempts: eb("attempts", "+", 1), claimed_at: now, updated_at: now }))
        .where("id", "=", id)
        .where("status", "in", [...from])
        .where("run_at", "<=", dueBy)
        .returningAll()
        .executeTakeFirst();
    },

    published: (id: string, result: { externalId: string; url: string | null }) =>
      move(id, "publish", { external_id: result.externalId, url: result.url, published_at: clock.now(), last_error: null }),
    failed: (id: string, error: string) => move(id, "fail", { last_error: error }),
    retryLater: (id: string, at: Date, error: string) => move(id, "retryLater", { run_at: at, last_error: error }),
    delay: (id: string, at: Date, error?: string) =>
      move(id, "delay", { run_at: at, ...(error === undefined ? {} : { last_error: error }) }),
    unconfirmed: (id: string, error: string) => move(id, "unconfirm", { last_error: error }),
    missed: (id: string, error: string) => move(id, "miss", { last_error: error }),
    cancel: (id: string) => move(id, "cancel"),
    reschedule: (id: string, at: Date, runAt: Date = at) => move(id, "reschedule", { scheduled_at: at, run_at: runAt }),
    /** The same delivery id, hence the same idempotency key, is sent again; the new time becomes its scheduled time. */
    retry: (id: string, now: Date) => move(id, "retry", { scheduled_at: now, run_at: now, attempts: 0 }),

    /** Gives up the claims of stopped workers; answers the ids that were still publishing. */
    async abandon(ids: string[], error: string): Promise<string[]> {
      if (ids.length === 0) return [];
      const { from, to } = TRANSITIONS.abandon;
      const rows = await db
        .updateTable("deliveries")
        .set({ status: to, last_error: error, updated_at: clock.now() })
        .where("status", "in", [...from])
        .where("id", "in", ids)
        .returning("id")
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
export type DeliveryState = ReturnType<typeof createDeliveryState>;
