// content/publishing/: getting an item out on its channels — deliveries and their one state machine
// (delivery-state.ts), the publisher, the request builder, preview, the reconciler and public feeds.
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
import { type DeliveryState, newDeliveryRow } from "./delivery-state.js";
import { nextFreeSlot } from "./free-slots.js";
import type { Preloaded } from "./preview.js";

export const ScheduleRequest = z.strictObject({
  deliveries: z
    .array(
      z.strictObject({
        channelId: z.string().min(1),
        at: Instant.optional(),
        /** `"next"`: the channel's next weekly slot (`settings.slots`) that nothing holds yet, after `at` (or now). */
        slot: z.literal("next").optional(),
        // SMS and Zalo ZNS channels (issue 10): the campaign's list, an SMS fallback behind ZNS, a commune or ward.
        recipientListId: z.string().min(1).optional(),
        fallbackChannelId: z.string().min(1).optional(),
        commune: z.string().trim().min(1).max(200).optional(),
      }),
    )
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
  /** Slot times (ms) by channel that the request's earlier items already took: "next" skips them too. */
  took: Map<string, Set<number>>;
}

/** A time this close behind the clock still counts as "now" (request latency, clock skew). */
const PAST_GRACE_MS = 5_000;
/** How long a request waits for Redis before answering anyway (the delivery is safe in the database). */
const QUEUE_WAIT_MS = 2_000;

/** Campaign deliveries (SMS, Zalo ZNS: content/campaigns): checked per request entry, then made inside the schedule's transaction. */
export interface CampaignHook {
  validate(agencyId: string, channel: { id: string; kind: string }, spec: ScheduleRequest["deliveries"][number], i: number): Promise<void>;
  /** Prepared before the transaction (rendering reads the store); `write` runs inside it. */
  prepare(
    d: DeliveryRow,
    spec: ScheduleRequest["deliveries"][number],
    i: number,
  ): Promise<{ campaignId: string; cost: unknown; write(tx: Db): Promise<void> }>;
}

/** A problem of a bulk schedule's item `i`, named by its place in the request (`items.<i>.…`). */
function inItem(i: number, err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  return new AppError(err.code, `items.${i}: ${err.message}`, {
    field: `items.${i}.${err.field ?? "itemId"}`,
    ...(err.details ? { details: err.details } : {}),
  });
}

/** Refuses deliveries whose channel cannot take the item (the adapters' checks). */
export type PublishableCheck = (itemId: string, deliveries: { channelId: string; at: Date }[], pre?: Preloaded) => Promise<void>;

/** A delivery about to be inserted: `scheduled`, or `held` while its item awaits approval. */
type NewDelivery = DeliveryRow & { status: "scheduled" | "held" };
/** One item's new deliveries and the request entries they came from (in the same order). */
type Prepared = { itemId: string; rows: NewDelivery[]; specs: ScheduleRequest["deliveries"] };
/** A delivery as the schedule answers it: with its campaign and cost when it carries one. */
export type ScheduledDelivery = Delivery & { campaignId?: string; cost?: unknown };

export function createDeliveryService(
  db: Db,
  state: DeliveryState,
  queue: DeliveryQueue,
  clock: Clock,
  log: Log,
  checkPublishable: PublishableCheck,
  /** When a delivery is handed to its channel (`run_at`), by channel kind: its own time, unless a kind says otherwise (stations: when the week starts). */
  handOverAt: (kind: string, at: Date, now: Date) => Date = (_kind, at) => at,
  campaigns?: CampaignHook,
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
  async function prepare(actor: Actor, itemId: string, req: ScheduleRequest, now: Date, bulk?: Bulk): Promise<NewDelivery[]> {
    const item = visible(
      actor,
      bulk
        ? bulk.items.get(itemId)
        : await db.selectFrom("items").select(["id", "agency_id", "status"]).where("id", "=", itemId).executeTakeFirst(),
      "item",
    );
    assertCanWrite(actor, item.agency_id);
    if (item.status === "archived") throw new AppError("conflict", "the item is archived: unarchive it first", { field: "status" });
    // Before approval the deliveries wait, held; approval releases them (content/items/approval.ts).
    const status = item.status === "approved" ? "scheduled" : "held";
    const agency = bulk
      ? bulk.agencies.get(item.agency_id)
      : await db.selectFrom("agencies").selectAll().where("id", "=", item.agency_id).executeTakeFirst();
    if (!agency) throw new AppError("unprocessable", `unknown agency ${item.agency_id}`, { field: "agencyId" });
    const channelIds = [...new Set(req.deliveries.map((d) => d.channelId))];
    const channels = bulk
      ? bulk.channels
      : new Map(
          (await db.selectFrom("channels").select(["id", "agency_id", "kind", "settings"]).where("id", "in", channelIds).execute()).map(
            (c) => [c.id, c],
          ),
        );
    const seen = new Set<string>();
    const rows: NewDelivery[] = [];
    for (const [i, d] of req.deliveries.entries()) {
      const channel = channels.get(d.channelId);
      // Another agency's channel is answered as an unknown one: its existence does not leak.
      if (!channel || channel.agency_id !== item.agency_id) {
        throw new AppError("unprocessable", `unknown channel ${d.channelId}`, { field: `deliveries.${i}.channelId` });
      }
      const also = new Set(rows.filter((r) => r.channel_id === channel.id).map((r) => r.scheduled_at.getTime()));
      for (const t of bulk?.took.get(channel.id) ?? []) also.add(t);
      const at = d.slot === "next" ? await nextFreeSlot(db, channel, d.at ?? now, `deliveries.${i}.slot`, also) : (d.at ?? now);
      if (at.getTime() < now.getTime() - PAST_GRACE_MS) {
        throw new AppError("unprocessable", `${at.toISOString()} is in the past`, { field: `deliveries.${i}.at` });
      }
      const key = `${d.channelId}@${at.getTime()}`;
      if (seen.has(key)) {
        throw new AppError("unprocessable", "the same channel and time appear twice", { field: `deliveries.${i}` });
      }
      seen.add(key);
      agencyActiveAt(agency, at, `deliveries.${i}.at`);
      await campaigns?.validate(item.agency_id, { id: channel.id, kind: channel.kind }, d, i);
      rows.push(
        newDeliveryRow(
          {
            item_id: item.id,
            channel_id: d.channelId,
            agency_id: item.agency_id,
            scheduled_at: at,
            run_at: handOverAt(channel.kind, at, now),
          },
          now,
          status,
        ),
      );
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
    if (bulk) for (const r of rows) bulk.took.set(r.channel_id, (bulk.took.get(r.channel_id) ?? new Set()).add(r.scheduled_at.getTime()));
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
    return { items, agencies, channels, tasks, media: await itemMediaStates(db, itemIds), took: new Map() };
  }

  /** Writes the prepared deliveries of one or many items in one transaction, then queues them all. */
  async function record(
    actor: Actor,
    prepared: Prepared[],
    now: Date,
    bulk = false,
  ): Promise<Map<string, { campaignId: string; cost: unknown }>> {
    const all = prepared.flatMap((p) => p.rows);
    // A delivery with a recipient list carries a campaign (SMS, ZNS), written in the same transaction.
    const made = new Map<string, { campaignId: string; cost: unknown; write(tx: Db): Promise<void> }>();
    for (const [k, p] of prepared.entries())
      for (const [i, r] of p.rows.entries()) {
        const spec = p.specs[i];
        if (!campaigns || !spec?.recipientListId) continue;
        try {
          made.set(r.id, await campaigns.prepare(r, spec, i));
        } catch (err) {
          throw bulk ? inItem(k, err) : err;
        }
      }
    await db.transaction().execute(async (tx) => {
      // A few hundred rows per statement stay within SQLite's and PostgreSQL's parameter limits.
      for (let i = 0; i < all.length; i += 500) await state.insert(tx, all.slice(i, i + 500));
      for (const m of made.values()) await m.write(tx);
      await auditMany(
        tx,
        actor,
        "item.schedule",
        "item",
        now,
        prepared.map((p) => ({
          entityId: p.itemId,
          details: { deliveries: p.rows.map((r) => r.id), status: p.rows[0]?.status ?? "scheduled" },
          agencyId: p.rows[0]?.agency_id,
        })),
      );
    });
    // Held deliveries get their jobs when their item is approved (`released`).
    await enqueue(all.filter((r) => r.status === "scheduled").map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
    return made;
  }

  /** A scheduled delivery as answered, with its campaign and its cost when it carries one. */
  const answer = (made: Map<string, { campaignId: string; cost: unknown }>) => (r: DeliveryRow) => {
    const m = made.get(r.id);
    return { ...toDelivery(r), ...(m ? { campaignId: m.campaignId, cost: m.cost } : {}) };
  };

  return {
    async schedule(actor: Actor, itemId: string, req: ScheduleRequest): Promise<ScheduledDelivery[]> {
      const now = clock.now();
      const rows = await prepare(actor, itemId, req, now);
      const made = await record(actor, [{ itemId, rows, specs: req.deliveries }], now);
      return rows.map(answer(made));
    },

    /**
     * `POST /api/schedule`: many items at once, all or nothing. Each item is checked as
     * `schedule` checks it (a problem names `items.<i>.…`); then every delivery is inserted in one
     * transaction and queued in bulk.
     */
    async scheduleMany(actor: Actor, req: BulkScheduleRequest): Promise<{ itemId: string; deliveries: ScheduledDelivery[] }[]> {
      const now = clock.now();
      const prepared: Prepared[] = [];
      const bulk = await readBulk(req);
      for (const [i, entry] of req.items.entries()) {
        try {
          prepared.push({ itemId: entry.itemId, rows: await prepare(actor, entry.itemId, entry, now, bulk), specs: entry.deliveries });
        } catch (err) {
          throw inItem(i, err);
        }
      }
      const made = await record(actor, prepared, now, true);
      return prepared.map((p) => ({ itemId: p.itemId, deliveries: p.rows.map(answer(made)) }));
    },

    /** After a transaction released an item's held deliveries: their jobs, at their time (at once if it passed). */
    async released(rows: DeliveryRow[]): Promise<void> {
      if (rows.length) await enqueue(rows.map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
    },

    /** After a transaction held or removed deliveries: their jobs go (a stray one finds nothing to claim anyway). */
    async withdrawn(ids: string[]): Promise<void> {
      for (const id of ids) await queue.remove(id).catch((err: unknown) => log.warn({ err, id }, "could not remove the job"));
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
      const d = await change(
        actor,
        id,
        async () => (await state.reschedule(id, at, runAt)) ?? (await state.rescheduleHeld(id, at, runAt)),
        "delivery.reschedule",
        noLongerScheduled,
        { at: at.toISOString() },
      );
      await queue.remove(id).catch(() => undefined);
      if (d.status === "scheduled") await enqueue([{ deliveryId: id, runAt }]);
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
