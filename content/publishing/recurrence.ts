// Recurring deliveries: one item on one channel every week or month (Asia/Ho_Chi_Minh), until a date or
// for a count. Occurrences become ordinary deliveries ahead of time, within the reconciler's horizon;
// each occurrence is created once (its row in `recurrence_deliveries` is keyed by its index).
import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { DeliveryQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import type { RecurrenceRow } from "../store/planning.schema.js";
import { Instant, localDate } from "../time.js";
import type { PublishableCheck } from "./deliveries.js";
import { type DeliveryState, newDeliveryRow } from "./delivery-state.js";
import { nextFreeSlot } from "./free-slots.js";
import { localInstant } from "./slots.js";

const LocalDate = z.iso.date({ error: "a calendar date YYYY-MM-DD (Asia/Ho_Chi_Minh)" });

export const RecurrenceRequest = z
  .strictObject({
    channelId: z.string().min(1),
    /** The first occurrence (default: now, or with `slot` the channel's next free slot after now). */
    at: Instant.optional(),
    slot: z.literal("next").optional(),
    every: z.enum(["week", "month"]),
    /** Every `interval` weeks or months. */
    interval: z.number().int().min(1).max(12).default(1),
    /** The last local date an occurrence may fall on (inclusive). */
    until: LocalDate.optional(),
    /** How many occurrences in all. */
    count: z.number().int().min(1).max(520).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.until === undefined) === (r.count === undefined)) {
      ctx.addIssue({ code: "custom", path: ["until"], message: "give exactly one of until (an end date) or count" });
    }
  });
export type RecurrenceRequest = z.infer<typeof RecurrenceRequest>;

export const RecurrenceFilter = z.strictObject({
  itemId: z.string().min(1).optional(),
  agencyId: z.string().min(1).optional(),
});

export interface Recurrence {
  id: string;
  itemId: string;
  channelId: string;
  agencyId: string;
  every: "week" | "month";
  interval: number;
  firstAt: Date;
  until: string | null;
  count: number | null;
  /** Occurrences created as deliveries so far. */
  created: number;
  /** The next occurrence not yet created (null once the rule ended or was stopped). */
  nextAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
}

type Rule = Pick<RecurrenceRow, "every" | "interval" | "first_at" | "until_date" | "count">;

const WEEK_MS = 7 * 86_400_000;
/** A recurrence may run at most this long (and no longer than 520 occurrences). */
const MAX_SPAN_DAYS = 2 * 366;

/**
 * The time of occurrence `n` (0 is the first), or undefined past the rule's end. Weekly: the same local
 * weekday and time (Asia/Ho_Chi_Minh keeps UTC+7 all year, so a week is always 7 × 24 h). Monthly: the
 * same local day of the month and time, on the month's last day when it is shorter (31 → 30 April).
 */
export function occurrenceAt(rule: Rule, n: number): Date | undefined {
  if (rule.count !== null && n >= rule.count) return undefined;
  let at: Date;
  if (rule.every === "week") {
    at = new Date(rule.first_at.getTime() + n * rule.interval * WEEK_MS);
  } else {
    const local = new Date(rule.first_at.getTime() + 7 * 3_600_000);
    const months = local.getUTCMonth() + n * rule.interval;
    const year = local.getUTCFullYear() + Math.floor(months / 12);
    const month = months % 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const day = Math.min(local.getUTCDate(), lastDay);
    const date = `${year}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    at = localInstant(date, local.toISOString().slice(11, 16));
  }
  if (rule.until_date !== null && localDate(at) > rule.until_date) return undefined;
  return at;
}

function toRecurrence(r: RecurrenceRow): Recurrence {
  return {
    id: r.id,
    itemId: r.item_id,
    channelId: r.channel_id,
    agencyId: r.agency_id,
    every: r.every as Recurrence["every"],
    interval: r.interval,
    firstAt: r.first_at,
    until: r.until_date,
    count: r.count,
    created: r.next_index,
    nextAt: r.next_at,
    stoppedAt: r.stopped_at,
    createdAt: r.created_at,
  };
}

export interface RecurrenceDeps {
  db: Db;
  state: DeliveryState;
  queue: DeliveryQueue;
  clock: Clock;
  log: Log;
  checkPublishable: PublishableCheck;
  handOverAt: (kind: string, at: Date, now: Date) => Date;
  /** Occurrences are created this far ahead (the reconciler's horizon). */
  horizonMs: number;
}

export function createRecurrences(deps: RecurrenceDeps) {
  const { db, state, queue, clock, log } = deps;

  /** Creates the delivery of occurrence `n`, unless another process did; answers its id and run time. */
  async function createOccurrence(r: RecurrenceRow, kind: string, n: number, at: Date, now: Date, status: "scheduled" | "held") {
    const following = occurrenceAt(r, n + 1) ?? null;
    const row = newDeliveryRow(
      { item_id: r.item_id, channel_id: r.channel_id, agency_id: r.agency_id, scheduled_at: at, run_at: deps.handOverAt(kind, at, now) },
      now,
      status,
    );
    return db.transaction().execute(async (tx) => {
      // Advancing the rule is the claim: of two clocks, one moves `next_index` from n, the other finds it moved.
      const moved = await tx
        .updateTable("recurrences")
        .set({ next_index: n + 1, next_at: following })
        .where("id", "=", r.id)
        .where("next_index", "=", n)
        .where("stopped_at", "is", null)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return undefined;
      await state.insert(tx, [row]);
      await tx.insertInto("recurrence_deliveries").values({ recurrence_id: r.id, occurrence: n, delivery_id: row.id }).execute();
      return { deliveryId: row.id, runAt: row.run_at, status };
    });
  }

  /** Creates every occurrence due within the horizon, for one recurrence or all; answers how many. */
  async function materialize(onlyId?: string): Promise<number> {
    const now = clock.now();
    const until = new Date(now.getTime() + deps.horizonMs);
    let q = db
      .selectFrom("recurrences")
      .innerJoin("channels", "channels.id", "recurrences.channel_id")
      .innerJoin("items", "items.id", "recurrences.item_id")
      .selectAll("recurrences")
      .select(["channels.kind as channel_kind", "items.status as item_status"])
      .where("recurrences.stopped_at", "is", null)
      // An archived item gets no new occurrences (archiving cancelled its pending ones); they resume when it is unarchived.
      .where("items.status", "!=", "archived")
      .where("recurrences.next_at", "<=", until);
    if (onlyId) q = q.where("recurrences.id", "=", onlyId);
    const due = await q.orderBy("recurrences.next_at").limit(1_000).execute();
    const jobs: { deliveryId: string; runAt: Date }[] = [];
    for (const { channel_kind, item_status, ...r } of due) {
      // An item awaiting approval gets its occurrences held, as any of its deliveries (content/items/approval.ts).
      const status = item_status === "approved" ? "scheduled" : "held";
      let n = r.next_index;
      let at = r.next_at;
      while (at && at.getTime() <= until.getTime()) {
        const made = await createOccurrence({ ...r, next_index: n }, channel_kind, n, at, now, status);
        if (!made) break;
        if (made.status === "scheduled") jobs.push({ deliveryId: made.deliveryId, runAt: made.runAt });
        n += 1;
        at = occurrenceAt(r, n) ?? null;
      }
    }
    if (jobs.length) {
      await queue.add(jobs).catch((err: unknown) => log.warn({ err }, "could not queue recurring deliveries; the reconciler will"));
    }
    return jobs.length;
  }

  async function load(actor: Actor, id: string) {
    return visible(actor, await db.selectFrom("recurrences").selectAll().where("id", "=", id).executeTakeFirst(), "recurrence");
  }

  return {
    materialize: () => materialize(),

    async create(actor: Actor, itemId: string, req: RecurrenceRequest): Promise<Recurrence> {
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id", "status"]).where("id", "=", itemId).executeTakeFirst(),
        "item",
      );
      assertCanWrite(actor, item.agency_id);
      if (item.status === "archived") throw new AppError("conflict", "the item is archived: unarchive it first", { field: "status" });
      const now = clock.now();
      const channel = await db
        .selectFrom("channels")
        .select(["id", "agency_id", "settings"])
        .where("id", "=", req.channelId)
        .executeTakeFirst();
      if (!channel || channel.agency_id !== item.agency_id) {
        throw new AppError("unprocessable", `unknown channel ${req.channelId}`, { field: "channelId" });
      }
      const first = req.slot === "next" ? await nextFreeSlot(db, channel, req.at ?? now, "slot") : (req.at ?? now);
      if (first.getTime() < now.getTime() - 5_000) {
        throw new AppError("unprocessable", `${first.toISOString()} is in the past`, { field: "at" });
      }
      if (req.until !== undefined) {
        if (req.until < localDate(first)) throw new AppError("unprocessable", "until is before the first occurrence", { field: "until" });
        if (Date.parse(req.until) - first.getTime() > MAX_SPAN_DAYS * 86_400_000) {
          throw new AppError("unprocessable", `a recurrence runs at most ${MAX_SPAN_DAYS} days`, { field: "until" });
        }
      }
      await deps.checkPublishable(item.id, [{ channelId: channel.id, at: first }]);
      const row: RecurrenceRow = {
        id: crypto.randomUUID(),
        item_id: item.id,
        channel_id: channel.id,
        agency_id: item.agency_id,
        every: req.every,
        interval: req.interval,
        first_at: first,
        until_date: req.until ?? null,
        count: req.count ?? null,
        next_index: 0,
        next_at: first,
        created_by: actor.id,
        created_at: now,
        stopped_at: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("recurrences").values(row).execute();
        await audit(tx, actor, "recurrence.create", "item", item.id, now, { recurrenceId: row.id, ...req, at: first.toISOString() });
      });
      await materialize(row.id);
      return toRecurrence(await load(actor, row.id));
    },

    async list(actor: Actor, f: z.infer<typeof RecurrenceFilter>): Promise<Recurrence[]> {
      let q = visibleOnly(actor, db.selectFrom("recurrences").selectAll());
      if (f.itemId) q = q.where("item_id", "=", f.itemId);
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      return (await q.orderBy("created_at", "desc").orderBy("id").limit(500).execute()).map(toRecurrence);
    },

    async get(actor: Actor, id: string): Promise<Recurrence> {
      return toRecurrence(await load(actor, id));
    },

    /** Stops the rule: nothing more is created, and its occurrences still scheduled are cancelled. */
    async stop(actor: Actor, id: string): Promise<Recurrence> {
      const r = await load(actor, id);
      assertCanWrite(actor, r.agency_id);
      if (r.stopped_at) throw new AppError("conflict", "this recurrence is already stopped", { field: "id" });
      const now = clock.now();
      await db.updateTable("recurrences").set({ stopped_at: now, next_at: null }).where("id", "=", id).execute();
      const links = await db.selectFrom("recurrence_deliveries").select("delivery_id").where("recurrence_id", "=", id).execute();
      const cancelled: string[] = [];
      for (const { delivery_id } of links) {
        if (await state.cancel(delivery_id)) {
          cancelled.push(delivery_id);
          await queue.remove(delivery_id).catch(() => undefined);
        }
      }
      await audit(db, actor, "recurrence.stop", "item", r.item_id, now, { recurrenceId: id, cancelled });
      return toRecurrence(await load(actor, id));
    },
  };
}
export type Recurrences = ReturnType<typeof createRecurrences>;
