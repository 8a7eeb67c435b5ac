// The calendar: an agency's deliveries and its channels' free weekly slots in a range (month and week views).
import { z } from "zod";
import { visibleAgency } from "../access.js";
import { AppError } from "../errors.js";
import { type Actor, type ChannelKind, DeliveryStatus, type ItemKind } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { Instant } from "../time.js";
import { deliveryLines } from "./delivery-lines.js";
import { slotsOf, takenTimes } from "./free-slots.js";
import { slotsBetween } from "./slots.js";

/** The longest range one request may ask for: a month view shows six weeks; a quarter is the most. */
const MAX_RANGE_DAYS = 93;

export const CalendarQuery = z
  .strictObject({
    from: Instant,
    to: Instant,
    agencyId: z.string().min(1).optional(),
    channelId: z.string().min(1).optional(),
    status: DeliveryStatus.optional(),
  })
  .superRefine((q, ctx) => {
    // zod runs this even when a field failed: then there is nothing to compare.
    if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
    if (q.to.getTime() <= q.from.getTime()) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    else if (q.to.getTime() - q.from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `at most ${MAX_RANGE_DAYS} days after from` });
    }
  });
export type CalendarQuery = z.infer<typeof CalendarQuery>;

export interface CalendarDelivery {
  id: string;
  itemId: string;
  title: string;
  itemKind: ItemKind;
  agencyId: string;
  channelId: string;
  channelKind: ChannelKind;
  channelName: string;
  status: DeliveryStatus;
  /** The delivery's scheduled time. */
  at: Date;
  publishedAt: Date | null;
  url: string | null;
}

export interface FreeSlot {
  channelId: string;
  channelKind: ChannelKind;
  channelName: string;
  agencyId: string;
  at: Date;
}

export interface Calendar {
  from: Date;
  to: Date;
  deliveries: CalendarDelivery[];
  /** The channels' weekly slots (`settings.slots`) in the range, from now on, that no delivery holds. */
  freeSlots: FreeSlot[];
}

/** The deliveries one calendar may show at most (a month of a busy agency is about 2,000). */
const MAX_DELIVERIES = 10_000;

export function createCalendar(db: Db, clock: Clock) {
  return async function calendar(actor: Actor, q: CalendarQuery): Promise<Calendar> {
    const agencyId = visibleAgency(actor, q.agencyId);
    let deliveries = deliveryLines(db, q.from, q.to, agencyId);
    if (q.channelId) deliveries = deliveries.where("deliveries.channel_id", "=", q.channelId);
    if (q.status) deliveries = deliveries.where("deliveries.status", "=", q.status);
    const rows = await deliveries.limit(MAX_DELIVERIES + 1).execute();
    if (rows.length > MAX_DELIVERIES) {
      throw new AppError("unprocessable", `more than ${MAX_DELIVERIES} deliveries in this range: narrow it or name an agency`, {
        field: "to",
      });
    }

    let channels = db.selectFrom("channels").select(["id", "agency_id", "kind", "name", "settings"]);
    if (agencyId) channels = channels.where("agency_id", "=", agencyId);
    if (q.channelId) channels = channels.where("id", "=", q.channelId);
    const withSlots = (await channels.orderBy("name").orderBy("id").execute())
      .map((c) => ({ ...c, slots: slotsOf(c.settings) }))
      .filter((c) => c.slots.length > 0);
    // A free slot in the past cannot be taken any more.
    const from = new Date(Math.max(q.from.getTime(), clock.now().getTime()));
    const taken = await takenTimes(
      db,
      withSlots.map((c) => c.id),
      from,
      q.to,
    );
    const freeSlots = withSlots
      .flatMap((c) =>
        (from < q.to ? slotsBetween(c.slots, from, q.to) : [])
          .filter((at) => !taken.get(c.id)?.has(at.getTime()))
          .map((at) => ({ channelId: c.id, channelKind: c.kind as ChannelKind, channelName: c.name, agencyId: c.agency_id, at })),
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.channelId.localeCompare(b.channelId));

    return {
      from: q.from,
      to: q.to,
      deliveries: rows.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        title: r.title,
        itemKind: r.item_kind as ItemKind,
        agencyId: r.agency_id,
        channelId: r.channel_id,
        channelKind: r.channel_kind as ChannelKind,
        channelName: r.channel_name,
        status: r.status as DeliveryStatus,
        at: r.scheduled_at,
        publishedAt: r.published_at,
        url: r.url,
      })),
      freeSlots,
    };
  };
}
