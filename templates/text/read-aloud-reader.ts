// The word-by-word reader behind readAloud(): the context words that decide what a number is
// (a date after "ngày", an ordinal after "thứ", a phone number after "hotline"), and the reading of
// one word from its neighbours. The rules are listed in read-aloud.ts.
import { type CompiledDictionary, lookupAbbreviation } from "./read-aloud-dictionary.js";
import { parseDate, readDate, readDotted, readFraction, readMonthYear, readTime, readWrittenNumber } from "./read-aloud-tokens.js";
import { readAddress } from "./spell.js";
import { DIALECT_FORMS, type Dialect, readMonth, readNumber, readOrdinal, romanValue } from "./vi-numbers.js";

export type Kind = "number" | "date" | "time" | "phone" | "word";

/** A word's reading, what it was read as, and (when a dot was part of it, as in TP.) what is left of its punctuation. */
export interface Reading {
  text: string;
  kind: Kind;
  trail?: string;
}

export interface Word {
  lead: string;
  core: string;
  trail: string;
}

const LEAD = new Set([..."([{\"'“‘«"]);
const TRAIL = new Set([...")]}\"'”’».,;:!?…"]);
export const SENTENCE_END = /[.!?;…]/;

const DATE_WORDS = new Set([
  "ngày",
  "mùng",
  "mồng",
  "từ",
  "đến",
  "tới",
  "hạn",
  "chót",
  "trước",
  "sau",
  "đêm",
  "sáng",
  "trưa",
  "chiều",
  "tối",
  "hôm",
  "dịp",
  "lễ",
  "tết",
  "khánh",
]);
const DAY_WORDS = new Set(["ngày", "mùng", "mồng"]);
const HOLIDAY_WORDS = new Set(["dịp", "lễ", "tết", "khánh"]);
const LIST_WORDS = new Set(["và", "hoặc", "đến", "tới"]);
const PHONE_WORDS = new Set(["hotline", "gọi", "đt", "sđt", "tel", "fax", "zalo"]);
const PHONE_PAIRS = new Set(["điện thoại", "tổng đài", "dây nóng", "nhắn tin", "đầu số", "liên hệ", "đài số", "nóng số", "thoại số"]);
const ROMAN_WORDS = new Set(["quý", "khóa", "khoá", "chương", "phần", "mục", "kỳ", "kỷ", "hội"]);
export const DASHES = new Set(["-", "–", "—"]);
const CURRENCY = new Set(["đ", "₫", "đồng", "vnđ", "vnd"]);
const UNITS: Readonly<Record<string, string>> = {
  km: "ki lô mét",
  m: "mét",
  cm: "xăng ti mét",
  mm: "mi li mét",
  m2: "mét vuông",
  "m²": "mét vuông",
  km2: "ki lô mét vuông",
  "km²": "ki lô mét vuông",
  m3: "mét khối",
  "m³": "mét khối",
  ha: "héc ta",
  kg: "ki lô gam",
  "km/h": "ki lô mét trên giờ",
  "°c": "độ C",
  kw: "ki lô oát",
  kwh: "ki lô oát giờ",
  mb: "mê ga bai",
  gb: "ghi ga bai",
};

function scaleWord(s: string, dialect: Dialect, glued: boolean): string | undefined {
  const lower = s.toLowerCase();
  if (lower === "nghìn" || lower === "ngàn" || (glued && lower === "k")) return DIALECT_FORMS[dialect].thousand;
  if (lower === "triệu" || (glued && lower === "tr")) return "triệu";
  if (lower === "tỷ" || lower === "tỉ") return "tỷ";
  return undefined;
}

// Every character of LEAD and TRAIL is one UTF-16 unit, so indexing by unit never cuts a pair.
export function splitWord(w: string): Word {
  let start = 0;
  while (start < w.length && LEAD.has(w.charAt(start))) start++;
  let end = w.length;
  while (end > start && TRAIL.has(w.charAt(end - 1))) end--;
  return { lead: w.slice(0, start), core: w.slice(start, end), trail: w.slice(end) };
}

/** What the words before the current one say about it. */
export interface Context {
  /** The previous word and the one before, lower-cased, as written ("" after a sentence end). */
  w1: string;
  w2: string;
  prevKind: Kind;
  /** What the word before the previous one was read as (for lists: 1/7 và 15/7). */
  prevKind2: Kind;
  /** The previous word's punctuation after it. */
  prevTrail: string;
}

export class Reader {
  constructor(
    private readonly dialect: Dialect,
    private readonly dict: CompiledDictionary,
  ) {}

  private num(n: string | number): string {
    return readNumber(String(n), this.dialect);
  }

  /** Whether d/m (or, `strict`, d-m, which is more often a range) is a date after these words. */
  isDateContext(c: Context, strict: boolean): boolean {
    if ((c.prevKind2 === "date" && LIST_WORDS.has(c.w1)) || (c.prevKind === "date" && c.prevTrail.includes(","))) return true;
    return strict ? DAY_WORDS.has(c.w1) || HOLIDAY_WORDS.has(c.w1) : DATE_WORDS.has(c.w1);
  }

  isPhoneContext(c: Context): boolean {
    if (PHONE_WORDS.has(c.w1) || PHONE_PAIRS.has(`${c.w2} ${c.w1}`)) return true;
    if (c.w1 === "số" && PHONE_WORDS.has(c.w2)) return true;
    return (c.prevKind2 === "phone" && (c.w1 === "hoặc" || c.w1 === "và")) || (c.prevKind === "phone" && /[,/]/.test(c.prevTrail));
  }

  /** A date, a time, or a range of either, or of numbers: `7h30-11h30`, `5-10`, `30/4-1/5`, `thứ 2-6`. */
  readRange(core: string, c: Context): Reading | undefined {
    const m = /^([^-–]{1,20})[-–]([^-–]{1,20})$/.exec(core);
    if (!m?.[1] || !m[2]) return undefined;
    const [a, b] = [m[1], m[2]];
    if (c.w1 === "thứ" && /^[2-7]$/.test(a) && /^[2-8]$/.test(b)) {
      return { text: `${readOrdinal(a, this.dialect)} đến thứ ${readOrdinal(b, this.dialect)}`, kind: "number" };
    }
    const da = parseDate(a);
    const db = parseDate(b);
    if (da && db) return { text: `${readDate(da, this.dialect, false)} đến ${readDate(db, this.dialect, false)}`, kind: "date" };
    const ta = readTime(a, this.dialect);
    const tb = readTime(b, this.dialect);
    if (ta && tb) return { text: `${ta} đến ${tb}`, kind: "time" };
    const na = readWrittenNumber(a, this.dialect);
    const nb = readWrittenNumber(b, this.dialect);
    if (na && nb) return { text: `${na} đến ${nb}`, kind: "number" };
    return undefined;
  }

  /** `13/2023/NĐ-CP` → mười ba năm hai ngàn không trăm hai mươi ba của Chính phủ; `123/QĐ-UBND`. */
  readDocumentNumber(core: string): string | undefined {
    const m = /^(\d{1,6})(?:\/(\d{4}))?\/(\p{L}[\p{L}\d&]{0,15}(?:-\p{L}[\p{L}\d&]{0,15}){0,4})$/u.exec(core);
    if (!m?.[1] || !m[3]) return undefined;
    const parts = m[3].split("-");
    const first = this.dict.document.get(parts[0] ?? "");
    const issuers = first?.documentType ? parts.slice(1) : parts;
    const known = issuers.map((p) => this.dict.document.get(p)?.reading ?? lookupAbbreviation(this.dict, p));
    if (!first && known.every((k) => k === undefined)) return undefined;
    const words = [this.num(m[1])];
    if (m[2]) words.push(`năm ${this.num(m[2])}`);
    const code = issuers.map((p, i) => known[i] ?? this.readMixed(p) ?? p).join(" ");
    if (code) words.push(first?.documentType ? `của ${code}` : code);
    return words.join(" ");
  }

  /** A number with something glued to it: `85%`, `50.000đ`, `50.000đ/tháng`, `1,5tr`, `50k`, `5km`. */
  readGlued(core: string): string | undefined {
    let i = 0;
    while (i < core.length && /[\d.,]/.test(core.charAt(i))) i++;
    while (i > 0 && !/\d/.test(core.charAt(i - 1))) i--;
    if (i === 0 || i === core.length) return undefined;
    const number = readWrittenNumber(core.slice(0, i), this.dialect);
    if (number === undefined) return undefined;
    const suffix = core.slice(i);
    const lower = suffix.toLowerCase();
    if (suffix === "%") return `${number} phần trăm`;
    const unit = UNITS[lower];
    if (unit) return `${number} ${unit}`;
    const scale = scaleWord(suffix, this.dialect, true);
    if (scale) return `${number} ${scale}`;
    const per = /^([^/]+)\/(\p{L}+)$/u.exec(suffix);
    if (CURRENCY.has(lower)) return `${number} đồng`;
    if (per?.[1] && per[2] && CURRENCY.has(per[1].toLowerCase())) return `${number} đồng một ${per[2]}`;
    return undefined;
  }

  /** Letters and digits mixed (`COVID-19`, `4G`, `H5N1`): digits as numbers, letters as written or abbreviations. */
  readMixed(core: string): string | undefined {
    if (!/^[\p{L}\d]+(?:-[\p{L}\d]+)*$/u.test(core) || !/\d/.test(core) || !/\p{L}/u.test(core)) return undefined;
    const runs = core.match(/\d+|\p{L}+/gu) ?? [];
    return runs.map((r) => (/^\d/.test(r) ? this.num(r) : (lookupAbbreviation(this.dict, r) ?? r))).join(" ");
  }

  /** Digits only: an ordinal after "thứ", a month after "tháng", else a number or a code. */
  readInteger(core: string, c: Context): Reading {
    if (c.w1 === "thứ") return { text: readOrdinal(core, this.dialect), kind: "number" };
    const month = Number(core);
    if (c.w1 === "tháng" && core.length <= 2 && month >= 1 && month <= 12) return { text: readMonth(month, this.dialect), kind: "date" };
    return { text: readWrittenNumber(core, this.dialect) ?? core, kind: "number" };
  }

  /** A word with a digit in it, or undefined when it is none of the known forms. */
  readNumeric(core: string, c: Context): Reading | undefined {
    if (/^\d+$/.test(core)) return this.readInteger(core, c);
    const address = /\p{L}/u.test(core) && /[.@]/.test(core) ? readAddress(core, this.dict) : undefined;
    if (address) return { text: address, kind: "word" };
    const time = readTime(core, this.dialect);
    if (time) return { text: time, kind: "time" };
    const date = parseDate(core);
    if (date) {
      const dated =
        date.year !== undefined ||
        this.isDateContext(c, date.separator === "-") ||
        (date.separator === "/" && date.day >= 13 && core !== "24/7") ||
        // d-m with the day after the month cannot be a range (30-4): a date.
        (date.separator === "-" && date.day > date.month);
      if (dated) return { text: readDate(date, this.dialect, date.year !== undefined && !DAY_WORDS.has(c.w1)), kind: "date" };
    }
    const monthYear = readMonthYear(core, this.dialect, c.w1 !== "tháng");
    if (monthYear) return { text: monthYear, kind: "date" };
    const doc = this.readDocumentNumber(core);
    if (doc) return { text: doc, kind: "word" };
    const range = this.readRange(core, c);
    if (range) return range;
    const fraction = readFraction(core, this.dialect);
    if (fraction) return { text: fraction, kind: "number" };
    const number = readWrittenNumber(core, this.dialect) ?? readDotted(core, this.dialect);
    if (number) return { text: number, kind: "number" };
    const glued = this.readGlued(core);
    if (glued) return { text: glued, kind: "number" };
    const mixed = this.readMixed(core);
    if (mixed) return { text: mixed, kind: "word" };
    return undefined;
  }

  /** A word without digits: address, abbreviation, a unit or currency after a number, a Roman numeral. */
  readWordCore(w: Word, c: Context): Reading | undefined {
    const { core, trail } = w;
    if (trail.startsWith(".")) {
      const dotted = this.dict.text.get(`${core}.`);
      if (dotted) return { text: dotted, trail: trail.slice(1), kind: "word" };
    }
    const abbreviation = lookupAbbreviation(this.dict, core);
    if (abbreviation) return { text: abbreviation, kind: "word" };
    if (/[.@]/.test(core)) {
      const address = readAddress(core, this.dict);
      if (address) return { text: address, kind: "word" };
      for (const k of this.dict.dotted) {
        const rest = core.slice(k.length);
        if (core.startsWith(k) && /^\p{Lu}/u.test(rest)) {
          return { text: `${this.dict.text.get(k)} ${lookupAbbreviation(this.dict, rest) ?? rest}`, kind: "word" };
        }
      }
    }
    if (c.prevKind === "number") {
      const lower = core.toLowerCase();
      const scale = scaleWord(core, this.dialect, false);
      if (scale) return { text: scale, kind: "number" };
      if (CURRENCY.has(lower)) return { text: "đồng", kind: "word" };
      const unit = UNITS[lower];
      if (unit) return { text: unit, kind: "word" };
    }
    const roman = ROMAN_WORDS.has(c.w1) ? romanValue(core) : undefined;
    if (roman !== undefined) return { text: this.num(roman), kind: "number" };
    if (core.includes("-")) {
      const parts = core.split("-");
      const read = parts.map((p) => lookupAbbreviation(this.dict, p));
      if (read.some((r) => r !== undefined)) return { text: parts.map((p, i) => read[i] ?? p).join(" "), kind: "word" };
    }
    if (core === "&") return { text: "và", kind: "word" };
    return undefined;
  }
}
