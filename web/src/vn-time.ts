// Times in Asia/Ho_Chi_Minh for the calendar and the forms. Vietnam keeps UTC+07:00 all year (no
// daylight saving since 1975), so a wall-clock time there is the instant plus seven hours: FullCalendar
// runs in its `UTC` zone on these shifted times, which needs no time-zone plugin and is exact.
const OFFSET_MS = 7 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, "0");

/** The wall-clock time in Vietnam as `YYYY-MM-DDTHH:mm:ss` (no offset). */
export function toWall(instant: string | Date): string {
  const d = new Date(new Date(instant).getTime() + OFFSET_MS);
  return d.toISOString().slice(0, 19);
}

/** A Date that FullCalendar (zone `UTC`) gives for a Vietnamese wall-clock time → the instant, ISO 8601 in UTC. */
export function fromWall(shifted: Date): string {
  return new Date(shifted.getTime() - OFFSET_MS).toISOString();
}

/** `YYYY-MM-DDTHH:mm` for an `<input type="datetime-local">`, in Vietnam. */
export const toInput = (instant: string | Date) => toWall(instant).slice(0, 16);

/** An `<input type="datetime-local">` value read as Vietnamese time: ISO 8601 with `+07:00`. */
export const fromInput = (value: string) => (value ? `${value.length === 16 ? `${value}:00` : value}+07:00` : "");

/** The ISO week (Monday first; week 1 holds the year's first Thursday) of an instant, in Vietnam, and the days left in it. */
export function isoWeek(now: Date = new Date()): { key: string; week: number; daysLeft: number } {
  const wall = new Date(now.getTime() + OFFSET_MS);
  const day = (wall.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { key: `${year}-W${pad(week)}`, week, daysLeft: 6 - day };
}
