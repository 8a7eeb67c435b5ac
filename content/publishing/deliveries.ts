// content/publishing/: getting an item out on its channels — deliveries and their one state machine
// (delivery-state.ts), the publisher, the request builder, preview, the reconciler and public feeds.
import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import { type Actor, type Delivery, DeliveryStatus } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { DeliveryQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import { toDelivery } from "../store/rows.js";
import type { DeliveryRow } from "../store/schema.js";
import { Instant } from "../time.js";
import type { DeliveryState } from "./delivery-state.js";

export const ScheduleRequest = z.strictObject({
  deliveries: z
    .array(
      z.strictObject({
        channelId: z.string().min(1),
        at: Instant.optional(),
        // SMS and Zalo ZNS channels (issue 10): the campaign's list, an SMS fallback behind ZNS, a commune or ward.
        recipientListId: z.string().min(1).optional(),
        fallbackChannelId: z.string().min(1).optional(),
        commune: z.string().trim().min(1).max(200).optional(),
      }),
    )
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

/** Refuses deliveries whose channel cannot take the item (the adapters' checks). */
export type PublishableCheck = (itemId: string, deliveries: { channelId: string; at: Date }[]) => Promise<void>;

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

  return {
    async schedule(actor: Actor, itemId: string, req: ScheduleRequest): Promise<(Delivery & { campaignId?: string; cost?: unknown })[]> {
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst(),
        "item",
      );
      assertCanWrite(actor, item.agency_id);
      const now = clock.now();
      const channelIds = [...new Set(req.deliveries.map((d) => d.channelId))];
      const channels = new Map(
        (await db.selectFrom("channels").select(["id", "agency_id", "kind"]).where("id", "in", channelIds).execute()).map((c) => [c.id, c]),
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
        await activeAgency(db, item.agency_id, at, `deliveries.${i}.at`);
        await campaigns?.validate(item.agency_id, { id: channel.id, kind: channel.kind }, d, i);
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
          created_at: now,
          updated_at: now,
        });
      }
      await checkPublishable(
        item.id,
        rows.map((r) => ({ channelId: r.channel_id, at: r.scheduled_at })),
      );
      const made = new Map<string, { campaignId: string; cost: unknown; write(tx: Db): Promise<void> }>();
      for (const [i, r] of rows.entries()) {
        const spec = req.deliveries[i];
        if (campaigns && spec?.recipientListId) made.set(r.id, await campaigns.prepare(r, spec, i));
      }
      await db.transaction().execute(async (tx) => {
        await state.insert(tx, rows);
        for (const m of made.values()) await m.write(tx);
        await audit(tx, actor, "item.schedule", "item", item.id, now, { deliveries: rows.map((r) => r.id) });
      });
      await enqueue(rows.map((r) => ({ deliveryId: r.id, runAt: r.run_at })));
      return rows.map((r) => {
        const m = made.get(r.id);
        return { ...toDelivery(r), ...(m ? { campaignId: m.campaignId, cost: m.cost } : {}) };
      });
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
