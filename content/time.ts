import { z } from "zod";

/** The plan's zone: weeks, quiet hours and schedules are computed here; storage is UTC. */
export const ZONE = "Asia/Ho_Chi_Minh";

const dateParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Ho_Chi_Minh. */
export function localDate(at: Date): string {
  return dateParts.format(at);
}

/** ISO 8601 week (`2026-W53`) of an instant, computed on its Asia/Ho_Chi_Minh calendar date. */
export function isoWeek(at: Date): string {
  const [y, m, d] = localDate(at).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** Renders an instant as ISO 8601 with the +07:00 offset, as officers read it. */
export function toLocalIso(at: Date): string {
  const shifted = new Date(at.getTime() + 7 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+07:00`;
}

/** ISO 8601 with an offset (`2026-12-01T08:00:00+07:00` or `…Z`); a local time without one is ambiguous. */
export const Instant = z.iso
  .datetime({ offset: true, error: "an ISO 8601 date-time with an offset, such as 2026-12-01T08:00:00+07:00" })
  .transform((s) => new Date(s));
