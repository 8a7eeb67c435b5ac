import { AppError } from "../errors.js";
import type { PeriodKind } from "../model.js";
import { isoWeek, localDate } from "../time.js";

/**
 * Compliance periods, as keys that sort in time order within a kind: ISO weeks (`2026-W53`), months
 * (`2026-11`) and years (`2026`), all computed on calendar dates in Asia/Ho_Chi_Minh.
 */
export type PeriodKey = string;

const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const YEAR = /^(\d{4})$/;
const DAY_MS = 86_400_000;
/** Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975. */
const OFFSET_MS = 7 * 3_600_000;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** The number of ISO weeks in a year: 53 when it starts on a Thursday, or is a leap year starting on a Wednesday. */
export function weeksInYear(year: number): number {
  const dec28 = new Date(Date.UTC(year, 11, 28));
  return Number(isoWeek(new Date(dec28.getTime() - OFFSET_MS + 12 * 3_600_000)).slice(6));
}

/** The kind of a period key, or undefined when the text is no period. */
export function kindOf(key: string): PeriodKind | undefined {
  if (WEEK.test(key)) return "week";
  if (MONTH.test(key)) return "month";
  if (YEAR.test(key)) return "year";
  return undefined;
}

/** Checks a period key the way a user typed it; the error names `field`. */
export function parsePeriod(text: string, field: string): { kind: PeriodKind; key: PeriodKey } {
  const fail = (why: string): never => {
    throw new AppError("invalid_input", `${field}: ${why}`, { field });
  };
  const key = text.trim();
  const kind = kindOf(key) ?? fail("a period such as 2026-W40 (ISO week), 2026-11 (month) or 2026 (year)");
  const year = Number(key.slice(0, 4));
  if (year < 2000 || year > 2100) fail("a year between 2000 and 2100");
  if (kind === "week") {
    const week = Number(key.slice(6));
    if (week < 1 || week > weeksInYear(year)) fail(`${year} has weeks W01 to W${weeksInYear(year)}`);
  }
  if (kind === "month") {
    const month = Number(key.slice(5));
    if (month < 1 || month > 12) fail("a month between 01 and 12");
  }
  return { kind, key };
}

/** The period of an instant, on its Asia/Ho_Chi_Minh calendar date. */
export function periodOf(kind: PeriodKind, at: Date): PeriodKey {
  if (kind === "week") return isoWeek(at);
  const day = localDate(at);
  return kind === "month" ? day.slice(0, 7) : day.slice(0, 4);
}

/** All three period keys of an instant, as stored beside each counted publication. */
export function periodsOf(at: Date): { week: PeriodKey; month: PeriodKey; year: PeriodKey } {
  const day = localDate(at);
  return { week: isoWeek(at), month: day.slice(0, 7), year: day.slice(0, 4) };
}

/** The Monday (UTC midnight of that calendar date) of ISO week 1 of `year`. */
function week1Monday(year: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const weekday = jan4.getUTCDay() || 7;
  return new Date(jan4.getTime() - (weekday - 1) * DAY_MS);
}

/** First and last calendar dates (`YYYY-MM-DD`, Asia/Ho_Chi_Minh) of a period. */
export function periodDates(key: PeriodKey): { first: string; last: string } {
  const year = Number(key.slice(0, 4));
  switch (kindOf(key)) {
    case "week": {
      const monday = new Date(week1Monday(year).getTime() + (Number(key.slice(6)) - 1) * 7 * DAY_MS);
      return { first: ymd(monday), last: ymd(new Date(monday.getTime() + 6 * DAY_MS)) };
    }
    case "month": {
      const month = Number(key.slice(5));
      return { first: `${key}-01`, last: ymd(new Date(Date.UTC(year, month, 0))) };
    }
    case "year":
      return { first: `${year}-01-01`, last: `${year}-12-31` };
    default:
      throw new Error(`not a period: ${key}`);
  }
}

/** The instant a period starts: midnight of its first day in Asia/Ho_Chi_Minh. */
export function periodStart(key: PeriodKey): Date {
  return new Date(Date.parse(`${periodDates(key).first}T00:00:00Z`) - OFFSET_MS);
}

/** The instant a period is over: midnight after its last day in Asia/Ho_Chi_Minh. */
export function periodEnd(key: PeriodKey): Date {
  return new Date(Date.parse(`${periodDates(key).last}T00:00:00Z`) - OFFSET_MS + DAY_MS);
}

/** The period after `key`, of the same kind. */
export function nextPeriod(key: PeriodKey): PeriodKey {
  const year = Number(key.slice(0, 4));
  switch (kindOf(key)) {
    case "week": {
      const week = Number(key.slice(6));
      return week >= weeksInYear(year) ? `${year + 1}-W01` : `${year}-W${pad(week + 1)}`;
    }
    case "month": {
      const month = Number(key.slice(5));
      return month === 12 ? `${year + 1}-01` : `${year}-${pad(month + 1)}`;
    }
    case "year":
      return String(year + 1);
    default:
      throw new Error(`not a period: ${key}`);
  }
}

/** Every period from `from` to `to` inclusive (same kind; `from` ≤ `to`), at most `max` of them. */
export function periodsBetween(from: PeriodKey, to: PeriodKey, max = Number.POSITIVE_INFINITY): PeriodKey[] {
  const out: PeriodKey[] = [];
  for (let p = from; p <= to; p = nextPeriod(p)) {
    out.push(p);
    if (out.length > max) break;
  }
  return out;
}

/** The periods of `kind` that lie in a calendar year (ISO weeks of the ISO week-year `year`). */
export function periodsOfYear(kind: PeriodKind, year: number): PeriodKey[] {
  if (kind === "year") return [String(year)];
  if (kind === "month") return periodsBetween(`${year}-01`, `${year}-12`);
  return periodsBetween(`${year}-W01`, `${year}-W${pad(weeksInYear(year))}`);
}

/** The last period of `kind` that is over at `now`. */
export function lastFinished(kind: PeriodKind, now: Date): PeriodKey {
  const current = periodOf(kind, now);
  return periodOf(kind, new Date(periodStart(current).getTime() - 1));
}
