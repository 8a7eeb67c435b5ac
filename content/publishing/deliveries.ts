// content/publishing/: getting an item out on its channels — deliveries and their one state machine
// (delivery-state.ts), the publisher, the request builder, preview, the reconciler and public feeds.
import crypto from "node:crypto";
import type { Selectable } from "kysely";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit, auditMany } from "../audit.js";
import { agencyActiveAt } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import { type ItemMediaState, itemMediaStates } from "../media/attachments.js";
import { type Actor, type Delivery, DeliveryStatus } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { DeliveryQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import { toDelivery } from "../store/rows.js";
import type { AgencyTable, ChannelRow, DeliveryRow, ItemRow } from "../store/schema.js";
import { Instant } from "../time.js";
import type { DeliveryState } from "./delivery-state.js";
import type { Preloaded } from "./preview.js";

export const ScheduleRequest = z.strictObject({
  deliveries: z
    .array(z.strictObject({ channelId: z.string().min(1), at: Instant.optional() }))
    .min(1)
    .max(1000),
});
export type ScheduleRequest = z.infer<typeof ScheduleRequest>;

/** `POST /api/schedule`: many items, each with its deliveries as `POST /api/items/:id/schedule` takes them. */
export const BulkScheduleRequest = z.strictObject({
  items: z
    .array(z.strictObject({ itemId: z.string().min(1), deliveries: ScheduleRequest.shape.deliveries }))
    .min(1)
    .max(1000)
    .refine((items) => items.reduce((n, i) => n + i.deliveries.length, 0) <= 10_000, "at most 10,000 deliveries in one request"),
});
export type BulkScheduleRequest = z.infer<typeof BulkScheduleRequest>;

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

/** What `POST /api/schedule` reads once for all its items. */
interface Bulk {
  items: Map<string, ItemRow>;
  agencies: Map<string, Selectable<AgencyTable>>;
  channels: Map<string, ChannelRow>;
  tasks: Map<string, string[]>;
  media: Map<string, ItemMediaState>;
}

/** A time this close behind the clock still counts as "now" (request latency, clock skew). */
const PAST_GRACE_MS = 5_000;
/** How long a request waits for Redis before answering anyway (the delivery is safe in the database). */
const QUEUE_WAIT_MS = 2_000;

/** Refuses deliveries whose channel cannot take the item (the adapters' checks). */
export type PublishableCheck = (itemId: string, deliveries: { channelId: string; at: Date }[], pre?: Preloaded) => Promise<void>;

export function createDeliveryService(
  db: Db,
  state: DeliveryState,
  queue: DeliveryQueue,
  clock: Clock,
  log: Log,
  checkPublishable: PublishableCheck,
  /** When a delivery is handed to its channel (`run_at`), by channel kind: its own time, unless a kind says otherwise (stations: when the week starts). */
  handOverAt: (kind: string, at: Date, now: Date) => Date = (_kind, at) => at,
) {
  async function load(actor: Actor, id: string) {
    const row = visible(actor, await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst(), "delivery");
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

  const noLongerScheduled = (status: string) => `the delivery is ${status}, no longer scheduled`;

  /** One of an officer's changes of a delivery; a delivery no longer in a state that allows it is a 409. */
  async function change(
    actor: Actor,
    id: string,
    apply: (now: Date) => Promise<DeliveryRow | undefined>,
    action: string,
    conflict: (status: string) => string,
    details = {},
  ) {
    const row = await load(actor, id);
    assertCanWrite(actor, row.agency_id);
    const now = clock.now();
    const updated = await apply(now);
    if (!updated) throw new AppError("conflict", conflict(row.status), { field: "status" });
    await audit(db, actor, action, "delivery", id, now, { from: row.status, ...details });
    return toDelivery(updated);
  }

  /** Checks one item's schedule request and answers its delivery rows (nothing is written). */
  async function prepare(actor: Actor, itemId: string, req: ScheduleRequest, now: Date, bulk?: Bulk): Promise<DeliveryRow[]> {
    const item = visible(
      actor,
      bulk ? bulk.items.get(itemId) : await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst(),
      "item",
    );
    assertCanWrite(actor, item.agency_id);
    const agency = bulk
      ? bulk.agencies.get(item.agency_id)
      : await db.selectFrom("agencies").selectAll().where("id", "=", item.agency_id).executeTakeFirst();
    if (!agency) throw new AppError("unprocessable", `unknown agency ${item.agency_id}`, { field: "agencyId" });
    const channelIds = [...new Set(req.deliveries.map((d) => d.channelId))];
    const channels = bulk
      ? bulk.channels
      : new Map(
          (await db.selectFrom("channels").select(["id", "agency_id", "kind"]).where("id", "in", channelIds).execute()).map((c) => [
            c.id,
            c,
          ]),
        );
    const seen = new Set<string>();
    const rows: DeliveryRow[] = [];
    for (const [i, d] of req.deliveries.entries()) {
      const at = d.at ?? now;
      const channel = channels.get(d.channelId);
      // Another agency's channel is answered as an unknown one: its existence does not leak.
      if (!channel || channel.agency_id !== item.agency_id) {
        throw new AppError("unprocessable", `unknown channel ${d.channelId}`, { field: `deliveries.${i}.channelId` });
      }
      if (at.getTime() < now.getTime() - PAST_GRACE_MS) {
        throw new AppError("unprocessable", `${at.toISOString()} is in the past`, { field: `deliveries.${i}.at` });
      }
      const key = `${d.channelId}@${at.getTime()}`;
      if (seen.has(key)) {
        throw new AppError("unprocessable", "the same channel and time appear twice", { field: `deliveries.${i}` });
      }
      seen.add(key);
      agencyActiveAt(agency, at, `deliveries.${i}.at`);
      rows.push({
        id: crypto.randomUUID(),
        item_id: item.id,
        channel_id: d.channelId,
        agency_id: item.agency_id,
        status: "scheduled",
        scheduled_at: at,
        run_at: handOverAt(channel.kind, at, now),
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
      });
    }
    const full = bulk?.items.get(item.id);
    await checkPublishable(
      item.id,
      rows.map((r) => ({ channelId: r.channel_id, at: r.scheduled_at })),
      bulk && full
        ? {
            item: full,
            agency: { id: agency.id, name: agency.name },
            channels: bulk.channels,
            tasks: bulk.tasks.get(item.id) ?? [],
            ...(bulk.media.get(item.id) ? { media: bulk.media.get(item.id) } : {}),
          }
        : undefined,
    );
    return rows;
  }

  /** Everything a bulk schedule reads, in five statements for all its items. */
  async function readBulk(req: BulkScheduleRequest): Promise<Bulk> {
    const itemIds = [...new Set(req.items.map((i) => i.itemId))];
    const channelIds = [...new Set(req.items.flatMap((i) => i.deliveries.map((d) => d.channelId)))];
    const items = new Map((await db.selectFrom("items").selectAll().where("id", "in", itemIds).execute()).map((r) => [r.id, r]));
    const agencyIds = [...new Set([...items.values()].map((i) => i.agency_id))];
    const agencies = new Map(
      (agencyIds.length ? await db.selectFrom("agencies").selectAll().where("id", "in", agencyIds).execute() : []).map((a) => [a.id, a]),
    );
    const channels = new Map((await db.selectFrom("channels").selectAll().where("id", "in", channelIds).execute()).map((c) => [c.id, c]));
    const tasks = new Map<string, string[]>();
    for (const t of await db
      .selectFrom("item_tasks")
      .select(["item_id", "task_code"])
      .where("item_id", "in", itemIds)
      .orderBy("task_code")
      .execute()) {
      tasks.set(t.item_id, [...(tasks.get(t.item_id) ?? []), t.task_code]);
    }
    return { items, agencies, channels, tasks, media: await itemMediaStates(db, itemIds) };
  }

  /** Writes the prepared deliveries of one or many items in one transaction, then queues them all. */
  async function record(actor: Actor, prepared: { itemId: string; rows: DeliveryRow[] }[], now: Date): Promise<void> {
    const all = prepared.flatMap((p) => p.rows);
    await db.transaction().execute(async (tx) => {
      // A few hundred rows per statement stay within SQLite's and PostgreSQL's parameter limits.
      for (let i = 0; i < all.length; i += 500) await state.insert(tx, all.slice(i, i + 500));
      await auditMany(
        tx,
        actor,
        "item.schedule",
        "item",
        now,
        prepared.map((p) => ({ entityId: p.itemId, details: { deliveries: p.rows.map((r) => r.id) } })),
      );
    });
    await enqueue(all.map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
  }

  return {
    async schedule(actor: Actor, itemId: string, req: ScheduleRequest): Promise<Delivery[]> {
      const now = clock.now();
      const rows = await prepare(actor, itemId, req, now);
      await record(actor, [{ itemId, rows }], now);
      return rows.map(toDelivery);
    },

    /**
     * `POST /api/schedule`: many items at once, all or nothing. Each item is checked as
     * `schedule` checks it (a problem names `items.<i>.…`); then every delivery is inserted in one
     * transaction and queued in bulk.
     */
    async scheduleMany(actor: Actor, req: BulkScheduleRequest): Promise<{ itemId: string; deliveries: Delivery[] }[]> {
      const now = clock.now();
      const prepared: { itemId: string; rows: DeliveryRow[] }[] = [];
      const bulk = await readBulk(req);
      for (const [i, entry] of req.items.entries()) {
        try {
          prepared.push({ itemId: entry.itemId, rows: await prepare(actor, entry.itemId, entry, now, bulk) });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          throw new AppError(err.code, `items.${i}: ${err.message}`, {
            field: `items.${i}.${err.field ?? "itemId"}`,
            ...(err.details ? { details: err.details } : {}),
          });
        }
      }
      await record(actor, prepared, now);
      return prepared.map((p) => ({ itemId: p.itemId, deliveries: p.rows.map(toDelivery) }));
    },

    async get(actor: Actor, id: string): Promise<Delivery> {
      return toDelivery(await load(actor, id));
    },

    async list(actor: Actor, f: DeliveryFilter): Promise<Delivery[]> {
      let q = visibleOnly(actor, db.selectFrom("deliveries").selectAll());
      if (f.status) q = q.where("status", "=", f.status);
      if (f.itemId) q = q.where("item_id", "=", f.itemId);
      if (f.channelId) q = q.where("channel_id", "=", f.channelId);
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      const rows = await q.orderBy("run_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
      return rows.map(toDelivery);
    },

    async cancel(actor: Actor, id: string): Promise<Delivery> {
      const d = await change(actor, id, () => state.cancel(id), "delivery.cancel", noLongerScheduled);
      await queue.remove(id).catch((err: unknown) => log.warn({ err, id }, "could not remove the job; the worker will skip it"));
      return d;
    },

    async reschedule(actor: Actor, id: string, at: Date): Promise<Delivery> {
      if (at.getTime() < clock.now().getTime() - PAST_GRACE_MS) {
        throw new AppError("unprocessable", `${at.toISOString()} is in the past`, { field: "at" });
      }
      const channel = await db
        .selectFrom("deliveries")
        .innerJoin("channels", "channels.id", "deliveries.channel_id")
        .select("channels.kind")
        .where("deliveries.id", "=", id)
        .executeTakeFirst();
      const runAt = handOverAt(channel?.kind ?? "", at, clock.now());
      const d = await change(actor, id, () => state.reschedule(id, at, runAt), "delivery.reschedule", noLongerScheduled, {
        at: at.toISOString(),
      });
      await queue.remove(id).catch(() => undefined);
      await enqueue([{ deliveryId: id, runAt }]);
      return d;
    },

    /**
     * An officer's decision to try again a delivery that failed, was missed, or whose outcome is unknown
     * (after checking the channel). The same delivery id, hence the same idempotency key, is sent; the
     * new time becomes its scheduled time (the old one stays in the audit log).
     */
    async retry(actor: Actor, id: string): Promise<Delivery> {
      const d = await change(
        actor,
        id,
        (now) => state.retry(id, now),
        "delivery.retry",
        (status) => `a ${status} delivery cannot be retried`,
      );
      await queue.remove(id).catch(() => undefined);
      await enqueue([{ deliveryId: id, runAt: d.runAt }]);
      return d;
    },
  };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;
