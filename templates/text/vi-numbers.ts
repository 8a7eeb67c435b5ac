// Vietnamese number words per dialect, on top of `read-vietnamese-number` (which knows the rules:
// mốt, lăm, tư, mười/mươi, lẻ/linh, không trăm, periods of three). This file only picks the regional
// forms and adds what the library does not read: digits one by one, months, ordinals, Roman numerals.
import { doReadNumber, ReadingConfig } from "read-vietnamese-number";

export type Dialect = "south" | "north";

/**
 * The regional forms. Both dialects say "mốt" (21), "lăm" (25) and "tư" for a final 4 after twenty
 * (24 → hai mươi tư; 14 stays mười bốn), which the library does by default; they differ in
 * the thousand (ngàn in the South, nghìn in the North) and the filler for an empty tens place
 * (105 → một trăm lẻ năm / một trăm linh năm). Decimals are read "phẩy" (Vietnamese uses the comma).
 */
export const DIALECT_FORMS: Readonly<Record<Dialect, { thousand: string; odd: string }>> = {
  south: { thousand: "ngàn", odd: "lẻ" },
  north: { thousand: "nghìn", odd: "linh" },
};

function config(dialect: Dialect): ReadingConfig {
  const c = new ReadingConfig();
  const forms = DIALECT_FORMS[dialect];
  c.unit = [];
  c.units = [[], [forms.thousand], ["triệu"], ["tỷ"]];
  c.oddText = forms.odd;
  c.pointText = "phẩy";
  // The input is canonical ("1250000", "12.5"): the parsers in read-aloud.ts take the separators off.
  c.pointSign = ".";
  c.thousandSign = ",";
  return c;
}

const CONFIGS: Readonly<Record<Dialect, ReadingConfig>> = { south: config("south"), north: config("north") };

/** Digits one by one, as phone numbers and codes are read (4 is bốn, 5 năm, 0 không). */
export const DIGIT_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"] as const;

/**
 * A number in words. `digits` is canonical: ASCII digits, optionally "." and decimal digits
 * ("1250000", "12.5"); leading zeros are not read.
 */
export function readNumber(digits: string, dialect: Dialect): string {
  // Texts repeat the same small numbers (days, months, hours): remember them.
  const key = `${dialect}:${digits}`;
  let words = cache.get(key);
  if (words === undefined) {
    words = doReadNumber(digits, CONFIGS[dialect]);
    if (digits.length <= 8 && cache.size < 20_000) cache.set(key, words);
  }
  return words;
}

const cache = new Map<string, string>();

/** Each digit in words, separated by spaces: "0292" → không hai chín hai. */
export function readDigits(digits: string): string {
  const words: string[] = [];
  for (const d of digits) {
    const w = DIGIT_WORDS[d.charCodeAt(0) - 48];
    if (w !== undefined) words.push(w);
  }
  return words.join(" ");
}

/** A month's name: tháng một … tháng mười hai, April being "tháng tư". */
export function readMonth(month: number, dialect: Dialect): string {
  return month === 4 ? "tư" : readNumber(String(month), dialect);
}

/** An ordinal after "thứ": thứ nhất, thứ hai, thứ ba, thứ tư, thứ năm … (also the weekdays). */
export function readOrdinal(n: string, dialect: Dialect): string {
  const value = n.replace(/^0+(?=\d)/, "");
  if (value === "1") return "nhất";
  if (value === "4") return "tư";
  return readNumber(value, dialect);
}

const ROMAN: Readonly<Record<string, number>> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

/** A Roman numeral up to C in canonical form (IV, not IIII), or undefined. */
export function romanValue(s: string): number | undefined {
  if (!/^[IVXLC]{1,8}$/.test(s)) return undefined;
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN[s.charAt(i)] ?? 0;
    const next = ROMAN[s.charAt(i + 1)] ?? 0;
    total += v < next ? -v : v;
  }
  return total > 0 && total <= 100 && toRoman(total) === s ? total : undefined;
}

function toRoman(n: number): string {
  const table: [number, string][] = [
    [100, "C"],
    [90, "XC"],
    [50, "L"],
    [40, "XL"],
    [10, "X"],
    [9, "IX"],
    [5, "V"],
    [4, "IV"],
    [1, "I"],
  ];
  let out = "";
  let rest = n;
  for (const [v, s] of table) {
    while (rest >= v) {
      out += s;
      rest -= v;
    }
  }
  return out;
}
