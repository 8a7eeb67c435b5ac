// Weekly slots of a channel (`settings.slots`) against what is already scheduled on it: the calendar's
// free slots and "the next free slot" of a schedule request.
import { CommonSettings } from "../accounts/settings.js";
import { AppError } from "../errors.js";
import type { Db } from "../store/db.js";
import { nextSlot, type WeeklySlots } from "./slots.js";

/** Statuses that do not hold a slot: the time is free again. */
export const FREEING_STATUSES = ["cancelled", "failed", "missed"] as const;

/** A channel's weekly slots from its stored settings (none when it has none or they are malformed). */
export function slotsOf(settings: string): WeeklySlots {
  const parsed = CommonSettings.safeParse(JSON.parse(settings));
  return parsed.success ? (parsed.data.slots ?? []) : [];
}

/** The instants (ms) of the channel's deliveries in `[from, to)` that hold their time. */
export async function takenTimes(db: Db, channelIds: string[], from: Date, to: Date): Promise<Map<string, Set<number>>> {
  const taken = new Map<string, Set<number>>(channelIds.map((id) => [id, new Set()]));
  if (channelIds.length === 0) return taken;
  const rows = await db
    .selectFrom("deliveries")
    .select(["channel_id", "scheduled_at"])
    .where("channel_id", "in", channelIds)
    .where("scheduled_at", ">=", from)
    .where("scheduled_at", "<", to)
    .where("status", "not in", [...FREEING_STATUSES])
    .execute();
  for (const r of rows) taken.get(r.channel_id)?.add(r.scheduled_at.getTime());
  return taken;
}

const YEAR_MS = 53 * 7 * 86_400_000;

/**
 * The first of the channel's weekly slots at or after `after` that no delivery holds and that is not in
 * `also` (times this same request already took); a 422 naming `field` when the channel has no slots or
 * none is free within a year.
 */
export async function nextFreeSlot(
  db: Db,
  channel: { id: string; settings: string },
  after: Date,
  field: string,
  also: Set<number> = new Set(),
): Promise<Date> {
  const slots = slotsOf(channel.settings);
  if (slots.length === 0) {
    throw new AppError("unprocessable", "this channel has no weekly slots (settings.slots)", { field });
  }
  const taken = (await takenTimes(db, [channel.id], after, new Date(after.getTime() + YEAR_MS))).get(channel.id) ?? new Set();
  const at = nextSlot(slots, after, (t) => taken.has(t.getTime()) || also.has(t.getTime()));
  if (!at) throw new AppError("unprocessable", "no free slot on this channel within a year", { field });
  return at;
}
