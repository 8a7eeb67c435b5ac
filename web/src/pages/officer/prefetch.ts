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

let prefetched: { key: string; answer: Promise<CalendarAnswer> } | undefined;
const keyOf = (start: Date, end: Date) => `${start.toISOString()}/${end.toISOString()}`;

/** Starts loading this month's calendar (for the signed-in officer's agency: the API's default for officers). */
export function prefetchMonth(): void {
  const { start, end } = monthGridRange();
  const answer = api<CalendarAnswer>("GET", `/calendar?${new URLSearchParams({ from: fromWall(start), to: fromWall(end) })}`);
  answer.catch(() => undefined);
  prefetched = { key: keyOf(start, end), answer };
}

/** The prefetched answer for this range, once, if it was asked for with no filter. */
export function takePrefetched(start: Date, end: Date, filtered: boolean): Promise<CalendarAnswer> | undefined {
  const p = prefetched;
  prefetched = undefined;
  return p && !filtered && p.key === keyOf(start, end) ? p.answer : undefined;
}
