import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, readScope } from "../access.js";
import { audit } from "../audit.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, type Delivery, DeliveryStatus } from "../model.js";
import type { Clock, DeliveryQueue, Log } from "../ports/runtime.js";
import type { Db } from "../store/db.js";
import { toDelivery } from "../store/rows.js";
import type { DeliveryRow } from "../store/schema.js";

/** ISO 8601 with an offset (`2026-12-01T08:00:00+07:00` or `…Z`); a local time without one is ambiguous. */
export const Instant = z.iso
  .datetime({ offset: true, error: "an ISO 8601 date-time with an offset, such as 2026-12-01T08:00:00+07:00" })
  .transform((s) => new Date(s));

export const ScheduleRequest = z.strictObject({
  deliveries: z
    .array(z.strictObject({ channelId: z.string().min(1), at: Instant.optional() }))
    .min(1)
    .max(50),
});
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;

export const RescheduleRequest = z.strictObject({ at: Instant });

export const DeliveryFilter = z.strictObject({
  status: DeliveryStatus.optional(),
  itemId: z.string().optional(),
  channelId: z.string().optional(),
  agencyId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DeliveryFilter = z.infer<typeof DeliveryFilter>;

/** A time this close behind the clock still counts as "now" (request latency, clock skew). */
const PAST_GRACE_MS = 5_000;
/** How long a request waits for Redis before answering anyway (the delivery is safe in the database). */
const QUEUE_WAIT_MS = 2_000;

/** Refuses deliveries whose channel cannot take the item (the adapters' checks). */
export type PublishableCheck = (itemId: string, deliveries: { channelId: string; at: Date }[]) => Promise<void>;

export function createDeliveryService(db: Db, queue: DeliveryQueue, clock: Clock, log: Log, checkPublishable: PublishableCheck) {
  async function load(actor: Actor, id: string) {
    const scope = readScope(actor);
    const row = await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row || (scope !== "all" && row.agency_id !== scope.agencyId)) throw notFound("delivery");
    return row;
  }

  /** The database is the truth: if Redis is down, the reconciler adds the jobs once it is back. */
  async function enqueue(jobs: { deliveryId: string; runAt: Date }[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the queue did not answer within ${QUEUE_WAIT_MS} ms`)), QUEUE_WAIT_MS);
    });
    try {
      await Promise.race([queue.add(jobs), timeout]);
    } catch (err) {
      log.warn({ err, count: jobs.length }, "could not queue deliveries now; the reconciler will add them");
    } finally {
      clearTimeout(timer);
    }
  }

  /** Moves a `scheduled` delivery; anything else is past changing. */
  async function transition(actor: Actor, id: string, set: { status?: string; at?: Date }, action: string) {
    const row = await load(actor, id);
    assertCanWrite(actor, row.agency_id);
    const now = clock.now();
    const updated = await db
      .updateTable("deliveries")
      .set({
        ...(set.status ? { status: set.status } : {}),
        ...(set.at ? { scheduled_at: set.at, run_at: set.at } : {}),
        updated_at: now,
      })
      .where("id", "=", id)
      .where("status", "=", "scheduled")
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError("conflict", `the delivery is ${row.status}, no longer scheduled`, { field: "status" });
    await audit(db, actor, action, "delivery", id, now, set.at ? { at: set.at.toISOString() } : {});
    return toDelivery(updated);
  }

  return {
    async schedule(actor: Actor, itemId: string, req: ScheduleRequest): Promise<Delivery[]> {
      const scope = readScope(actor);
      const item = await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst();
      if (!item || (scope !== "all" && item.agency_id !== scope.agencyId)) throw notFound("item");
      assertCanWrite(actor, item.agency_id);
      const now = clock.now();
      const channelIds = [...new Set(req.deliveries.map((d) => d.channelId))];
      const channels = new Map(
        (await db.selectFrom("channels").select(["id", "agency_id"]).where("id", "in", channelIds).execute()).map((c) => [c.id, c]),
      );
      const seen = new Set<string>();
      const rows: DeliveryRow[] = [];
      for (const [i, d] of req.deliveries.entries()) {
        const at = d.at ?? now;
        const channel = channels.get(d.channelId);
        if (!channel || channel.agency_id !== item.agency_id) {
          throw new AppError(
            "unprocessable",
            channel ? "the channel belongs to another agency than the item" : `unknown channel ${d.channelId}`,
            { field: `deliveries.${i}.channelId` },
          );
        }
        if (at.getTime() < now.getTime() - PAST_GRACE_MS) {
          throw new AppError("unprocessable", `${at.toISOString()} is in the past`, { field: `deliveries.${i}.at` });
        }
        const key = `${d.channelId}@${at.getTime()}`;
        if (seen.has(key)) {
          throw new AppError("unprocessable", "the same channel and time appear twice", { field: `deliveries.${i}` });
        }
        seen.add(key);
        await activeAgency(db, item.agency_id, at, `deliveries.${i}.at`);
        rows.push({
          id: crypto.randomUUID(),
          item_id: item.id,
          channel_id: d.channelId,
          agency_id: item.agency_id,
          status: "scheduled",
          scheduled_at: at,
          run_at: at,
          attempts: 0,
          last_error: null,
          external_id: null,
          url: null,
          published_at: null,
          claimed_at: null,
          created_at: now,
          updated_at: now,
        });
      }
      await checkPublishable(
        item.id,
        rows.map((r) => ({ channelId: r.channel_id, at: r.scheduled_at })),
      );
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("deliveries").values(rows).execute();
        await audit(tx, actor, "item.schedule", "item", item.id, now, { deliveries: rows.map((r) => r.id) });
      });
      await enqueue(rows.map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
      return rows.map(toDelivery);
    },

    async get(actor: Actor, id: string): Promise<Delivery> {
      return toDelivery(await load(actor, id));
    },

    async list(actor: Actor, f: DeliveryFilter): Promise<Delivery[]> {
      const scope = readScope(actor);
      let q = db.selectFrom("deliveries").selectAll();
      if (scope !== "all") q = q.where("agency_id", "=", scope.agencyId);
      if (f.status) q = q.where("status", "=", f.status);
      if (f.itemId) q = q.where("item_id", "=", f.itemId);
      if (f.channelId) q = q.where("channel_id", "=", f.channelId);
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      const rows = await q.orderBy("run_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
      return rows.map(toDelivery);
    },

    async cancel(actor: Actor, id: string): Promise<Delivery> {
      const d = await transition(actor, id, { status: "cancelled" }, "delivery.cancel");
      await queue.remove(id).catch((err: unknown) => log.warn({ err, id }, "could not remove the job; the worker will skip it"));
      return d;
    },

    async reschedule(actor: Actor, id: string, at: Date): Promise<Delivery> {
      if (at.getTime() < clock.now().getTime() - PAST_GRACE_MS) {
        throw new AppError("unprocessable", `${at.toISOString()} is in the past`, { field: "at" });
      }
      const d = await transition(actor, id, { at }, "delivery.reschedule");
      await queue.remove(id).catch(() => undefined);
      await enqueue([{ deliveryId: id, runAt: at }]);
      return d;
    },

    /**
     * An officer's decision to try again a delivery that failed, was missed, or whose outcome is unknown
     * (after checking the channel). The same delivery id, hence the same idempotency key, is sent; the
     * new time becomes its scheduled time (the old one stays in the audit log).
     */
    async retry(actor: Actor, id: string): Promise<Delivery> {
      const row = await load(actor, id);
      assertCanWrite(actor, row.agency_id);
      const now = clock.now();
      const updated = await db
        .updateTable("deliveries")
        .set({ status: "scheduled", scheduled_at: now, run_at: now, attempts: 0, updated_at: now })
        .where("id", "=", id)
        .where("status", "in", ["failed", "unconfirmed", "missed"])
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw new AppError("conflict", `a ${row.status} delivery cannot be retried`, { field: "status" });
      await audit(db, actor, "delivery.retry", "delivery", id, now, { from: row.status });
      await queue.remove(id).catch(() => undefined);
      await enqueue([{ deliveryId: id, runAt: now }]);
      return toDelivery(updated);
    },
  };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;
