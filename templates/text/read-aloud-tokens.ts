// Numeric tokens of read-aloud text, each recognised by an anchored pattern on one short word:
// numbers (dots for thousands, comma for decimals), times, dates, fractions, document numbers,
// phone numbers. The contextual decisions (is 30/4 a date here?) are made by the caller.
import { type Dialect, readDigits, readMonth, readNumber } from "./vi-numbers.js";

/**
 * A number as written in Vietnamese texts, in canonical form ("1250000", "12.5"), or undefined:
 * `1.250.000` (dots between groups of three), `1,5` (decimal comma), `1.250.000,75`, `2025`, and
 * `1,250,000` (at least two groups after commas: the English form, unambiguous).
 */
export function parseNumber(s: string): string | undefined {
  if (/^\d+$/.test(s)) return s;
  if (/^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(s)) return s.replaceAll(".", "").replace(",", ".");
  if (/^\d+,\d+$/.test(s)) return s.replace(",", ".");
  if (/^\d{1,3}(?:,\d{3}){2,}$/.test(s)) return s.replaceAll(",", "");
  return undefined;
}

/** Digits one by one, in groups of three joined by pauses when there are more than five. */
export function readCode(digits: string): string {
  if (digits.length <= 5) return readDigits(digits);
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(readDigits(digits.slice(i, i + 3)));
  return groups.join(", ");
}

/**
 * A written number in words. Integers written with a leading zero and four digits or more (0123),
 * or with ten digits or more and no separator (a tax or identity number), are codes: read digit by digit.
 * `05 ngày` is năm ngày, as administrative texts pad small counts.
 */
export function readWrittenNumber(s: string, dialect: Dialect): string | undefined {
  const canonical = parseNumber(s);
  if (canonical === undefined) return undefined;
  if (/^\d+$/.test(s) && ((s.startsWith("0") && s.length >= 4) || s.length >= 10)) return readCode(s);
  return readNumber(canonical, dialect);
}

/** Section-like numbers (2.2, 3.14, 1.2.3): the parts read as numbers, joined by "chấm". */
export function readDotted(s: string, dialect: Dialect): string | undefined {
  if (!/^\d{1,9}(?:\.\d{1,9}){1,5}$/.test(s)) return undefined;
  return s
    .split(".")
    .map((p) => readNumber(p, dialect))
    .join(" chấm ");
}

/** `7h`, `7h30`, `07:30`, `7g30`, `7h30p`: hours 0–24, minutes 00–59; also durations in hours (`48h`). */
export function readTime(s: string, dialect: Dialect): string | undefined {
  const hours = /^(\d{1,3})[hH]$/.exec(s);
  if (hours?.[1]) return `${readNumber(hours[1], dialect)} giờ`;
  const m = /^(\d{1,2})(?:[hH](\d{2})|g(\d{2})|:(\d{2}))(?:p|ph|phút)?$/.exec(s);
  if (!m?.[1]) return undefined;
  const hour = Number(m[1]);
  const minuteText = m[2] ?? m[3] ?? m[4];
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return undefined;
  const h = `${readNumber(String(hour), dialect)} giờ`;
  return minute === 0 ? h : `${h} ${readNumber(String(minute), dialect)} phút`;
}

export interface ParsedDate {
  day: number;
  month: number;
  year: number | undefined;
  separator: string;
}

const daysIn = (month: number, year: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** `30/4`, `02/09`, `1/7/2025`, `30-4`, `1.7.2025`: a valid calendar day, or undefined. */
export function parseDate(s: string): ParsedDate | undefined {
  const m = /^(\d{1,2})([/.-])(\d{1,2})(?:([/.-])(\d{4}))?$/.exec(s);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  if (m[4] !== undefined && m[4] !== m[2]) return undefined;
  const day = Number(m[1]);
  const month = Number(m[3]);
  const year = m[5] === undefined ? undefined : Number(m[5]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  // Without a year, 29/2 is a valid date: take a leap year.
  if (day > daysIn(month, year ?? 2024)) return undefined;
  if (m[2] === "." && year === undefined) return undefined;
  return { day, month, year, separator: m[2] };
}

/** ngày một tháng bảy năm hai ngàn không trăm hai mươi lăm (the "ngày" only when asked). */
export function readDate(d: ParsedDate, dialect: Dialect, withDayWord: boolean): string {
  const words = [`${readNumber(String(d.day), dialect)} tháng ${readMonth(d.month, dialect)}`];
  if (withDayWord) words.unshift("ngày");
  if (d.year !== undefined) words.push(`năm ${readNumber(String(d.year), dialect)}`);
  return words.join(" ");
}

/** `7/2025` after "tháng" or alone: month and year. */
export function readMonthYear(s: string, dialect: Dialect, withMonthWord: boolean): string | undefined {
  const m = /^(\d{1,2})\/(\d{4})$/.exec(s);
  if (!m?.[1] || !m[2]) return undefined;
  const month = Number(m[1]);
  const year = Number(m[2]);
  if (month < 1 || month > 12 || year < 1900 || year > 2199) return undefined;
  return `${withMonthWord ? "tháng " : ""}${readMonth(month, dialect)} năm ${readNumber(String(year), dialect)}`;
}

/** `1/2` → một phần hai, `3/4` → ba phần tư (a proper fraction over at most 10), else `24/7` → hai mươi tư trên bảy. */
export function readFraction(s: string, dialect: Dialect): string | undefined {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(s);
  if (!m?.[1] || !m[2]) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (b === 0) return undefined;
  const num = readNumber(m[1], dialect);
  if (a < b && b <= 10) return `${num} phần ${b === 4 ? "tư" : readNumber(m[2], dialect)}`;
  return `${num} trên ${readNumber(m[2], dialect)}`;
}

/** The digits of a phone number, grouped as written, or as announcers group them when written in one run. */
export function phoneGroups(written: string[]): string[] {
  if (written.length > 1) return written;
  const run = written[0] ?? "";
  const plus = run.startsWith("+84") ? "84" : "";
  const digits = run.slice(plus ? 3 : 0);
  const sizes =
    digits.length <= 5
      ? [digits.length]
      : digits.length === 8
        ? [4, 4]
        : digits.length === 10
          ? [4, 3, 3]
          : digits.length === 11
            ? [4, 4, 3]
            : digits.length === 9
              ? [3, 3, 3]
              : [];
  const groups: string[] = plus ? ["+84"] : [];
  let i = 0;
  for (const size of sizes) {
    groups.push(digits.slice(i, i + size));
    i += size;
  }
  for (; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups;
}

/** A phone number's groups read digit by digit, with a pause (comma) between groups; "+" is "cộng". */
export function readPhone(groups: string[]): string {
  return groups.map((g) => (g.startsWith("+") ? `cộng ${readDigits(g.slice(1))}` : readDigits(g))).join(", ");
}

/**
 * Whether the digits (of groups already split) make a phone number: a Vietnamese number of 10–11
 * digits from 0, +84 and 9–10 digits, 1800/1900 and 8 or 10 digits, or, after a word such as
 * "hotline" or "gọi" (`inContext`), any 3–11 digits (1022, 113).
 */
export function isPhone(digits: string, international: boolean, inContext: boolean): boolean {
  if (international) return digits.startsWith("84") && digits.length >= 11 && digits.length <= 12;
  if (digits.startsWith("0")) return digits.length >= 10 && digits.length <= 11;
  if (/^1[89]00/.test(digits) && (digits.length === 8 || digits.length === 10)) return true;
  return inContext && digits.length >= 3 && digits.length <= 11;
}
