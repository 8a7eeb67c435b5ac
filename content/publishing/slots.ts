import { z } from "zod";
import { localDate } from "../time.js";

/** Asia/Ho_Chi_Minh has kept UTC+7 without daylight saving since 1975, so a local wall time is one subtraction away. */
const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

export const Weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
export type Weekday = z.infer<typeof Weekday>;
const WEEKDAYS = Weekday.options;

/** One weekly slot: on these days, at this local time (Asia/Ho_Chi_Minh), e.g. `{"days":["tue","thu"],"time":"08:00"}`. */
export const WeeklySlot = z.strictObject({
  days: z.array(Weekday).min(1).max(7),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a local time HH:MM, such as 06:00"),
});
export type WeeklySlot = z.infer<typeof WeeklySlot>;

/** A channel's weekly slots (`settings.slots`): when it publishes or broadcasts, week after week. */
export const WeeklySlots = z.array(WeeklySlot).max(50);
export type WeeklySlots = z.infer<typeof WeeklySlots>;

/** The instant of a local date (`YYYY-MM-DD`) and time (`HH:MM`) in Asia/Ho_Chi_Minh. */
export function localInstant(date: string, time: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, d, hh, mm) - OFFSET_MS);
}

/** The local weekday of an instant. */
export function weekdayOf(at: Date): Weekday {
  const day = new Date(at.getTime() + OFFSET_MS).getUTCDay(); // 0 = Sunday
  return WEEKDAYS[(day + 6) % 7] as Weekday;
}

/** Every slot instant in `[from, to)`, in time order, each once (two slots at the same time are one). */
export function slotsBetween(slots: WeeklySlots, from: Date, to: Date): Date[] {
  const out = new Set<number>();
  for (let day = localInstant(localDate(from), "00:00").getTime(); day < to.getTime(); day += DAY_MS) {
    const date = localDate(new Date(day));
    const weekday = weekdayOf(new Date(day));
    for (const slot of slots) {
      if (!slot.days.includes(weekday)) continue;
      const at = localInstant(date, slot.time).getTime();
      if (at >= from.getTime() && at < to.getTime()) out.add(at);
    }
  }
  return [...out].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * The first slot at or after `after` that `taken` does not refuse (an instant already used by a
 * delivery, say), looking at most `weeks` ahead; undefined when there is none.
 */
export function nextSlot(slots: WeeklySlots, after: Date, taken: (at: Date) => boolean = () => false, weeks = 53): Date | undefined {
  if (slots.length === 0) return undefined;
  for (let w = 0; w < weeks; w++) {
    const from = new Date(after.getTime() + w * 7 * DAY_MS);
    const to = new Date(after.getTime() + (w + 1) * 7 * DAY_MS);
    const free = slotsBetween(slots, from, to).find((at) => !taken(at));
    if (free) return free;
  }
  return undefined;
}
