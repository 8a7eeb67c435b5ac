// The month calendar's data is asked for at start, alongside the session check and the calendar's code,
// rather than after both: one round trip less before the month paints (its budget is 1 s).
import { api } from "../../api.js";
import { fromWall, toWall } from "../../vn-time.js";
import type { CalendarAnswer } from "./data.js";

const DAY = 86_400_000;

/** FullCalendar's month grid range (zone `UTC` on Vietnamese wall time, weeks from Monday, six of them) for this month. */
export function monthGridRange(now = new Date()): { start: Date; end: Date } {
  const wall = new Date(`${toWall(now).slice(0, 7)}-01T00:00:00Z`);
  const back = (wall.getUTCDay() + 6) % 7;
  const start = new Date(wall.getTime() - back * DAY);
  return { start, end: new Date(start.getTime() + 42 * DAY) };
}

let prefetched: { key: string; answer: Promise<CalendarAnswer>; value?: CalendarAnswer; settled: Promise<void> } | undefined;
const keyOf = (start: Date, end: Date) => `${start.toISOString()}/${end.toISOString()}`;

/** Starts loading this month's calendar (for the signed-in officer's agency: the API's default for officers). */
export function prefetchMonth(): void {
  const { start, end } = monthGridRange();
  const answer = api<CalendarAnswer>("GET", `/calendar?${new URLSearchParams({ from: fromWall(start), to: fromWall(end) })}`);
  const entry: NonNullable<typeof prefetched> = {
    key: keyOf(start, end),
    answer,
    settled: answer.then(
      (value) => {
        entry.value = value;
      },
      () => undefined,
    ),
  };
  prefetched = entry;
}

/**
 * Resolves once the prefetched month has arrived (or failed), if one was asked for: the calendar is
 * then built with its events in its first render, rather than rendered empty and again with them.
 */
export const prefetchSettled = (): Promise<void> | undefined => prefetched?.settled;

/** The prefetched answer for this range, once, if it was asked for with no filter: the answer itself when it has arrived, else its promise. */
export function takePrefetched(start: Date, end: Date, filtered: boolean): CalendarAnswer | Promise<CalendarAnswer> | undefined {
  const p = prefetched;
  prefetched = undefined;
  if (!p || filtered || p.key !== keyOf(start, end)) return undefined;
  return p.value ?? p.answer;
}
