// Vietnamese text made ready for a loudspeaker announcer or a TTS engine: numbers, dates, times,
// money, percentages, ordinals, phone numbers, addresses and abbreviations in words. One pass over
// the words (runs of non-spaces), each classified by anchored patterns on that word and a look at
// its neighbours, so the cost is linear in the text. What it does not recognise is left as written.
//
// Rules (the README's "Vietnamese text tools" has the summary):
// - Numbers: `.` groups thousands, `,` is the decimal comma (1.250.000; 1,5 → một phẩy năm); other
//   dotted numbers are read part by part with "chấm" (mục 2.2 → hai chấm hai). A leading-zero number
//   of 4+ digits, or 10+ digits in one run, is a code read digit by digit; 05 ngày is năm ngày.
//   Southern forms by default (ngàn, lẻ), Northern on request (nghìn, linh): see vi-numbers.ts.
// - Dates: d/m/yyyy (also with - or .) is always a date, prefixed "ngày" unless "ngày"/"mùng"/"mồng"
//   precedes. d/m is a date after a date word (ngày, từ, đến, tới, hạn, chót, trước, sau, sáng,
//   chiều, tối, đêm, hôm, dịp, lễ, tết, khánh), in a list or range of dates, or alone when the day
//   is 13 or more (30/4, but not 24/7); otherwise a fraction (1/2 số hồ sơ → một phần hai). d-m, more
//   often a range, is a date only after ngày/mùng/mồng or a holiday word, or when the day is after
//   the month (30-4); otherwise a range (5-10 ngày → năm đến mười ngày). Invalid days (31/4) are no dates.
// - Times: 7h, 7h30, 07:30, 7g30, 7h30p (bảy giờ ba mươi phút); 48h is a duration (bốn mươi tám giờ).
// - Money and percentages: a number followed (or glued) by đ, ₫, đồng, VNĐ, VND is read with "đồng",
//   after triệu/tỷ/ngàn too (2 tỷ VNĐ → hai tỷ đồng; 2 tỷ alone stays hai tỷ); 50k, 1,5tr; 50.000đ/tháng
//   → … đồng một tháng; 85% → tám mươi lăm phần trăm; a few units (km, m², ha, kg, °C …).
// - Ordinals: thứ 1 → thứ nhất, thứ 4 → thứ tư, thứ 2-6 → thứ hai đến thứ sáu; tháng 4 → tháng tư;
//   Roman numerals after quý, khóa, chương, phần, mục, kỳ, kỷ, (Đại) hội.
// - Phone numbers: 0 and 10–11 digits, +84 …, 1800/1900 …, or any 3–11 digits after hotline, gọi,
//   điện thoại, tổng đài, đường dây nóng, ĐT, SĐT, Zalo, fax (and after "hoặc"/"và" following one):
//   digit by digit, a pause (comma) between the groups as written (0909 123 456), or 4-3-3 / 4-4-3.
// - Addresses and abbreviations: spell.ts and read-aloud-dictionary.ts (data/*.json).

import type { ReadAloudTools } from "../../content/ports/broadcast.js";
import { type DictionaryOverrides, dictionary } from "./read-aloud-dictionary.js";
import { type Context, DASHES, type Kind, Reader, SENTENCE_END, splitWord, type Word } from "./read-aloud-reader.js";
import { isPhone, phoneGroups, readPhone } from "./read-aloud-tokens.js";
import type { Dialect } from "./vi-numbers.js";

export type { DictionaryOverrides } from "./read-aloud-dictionary.js";
export type { Dialect } from "./vi-numbers.js";

export interface ReadAloudOptions {
  /** Regional forms of numbers: "south" (default: ngàn, lẻ) or "north" (nghìn, linh). */
  dialect?: Dialect;
  /** Additions and changes to the default abbreviations and domain words. */
  dictionary?: DictionaryOverrides;
}

/**
 * Text ready to be read aloud, in Vietnamese words (NFC in and out): numbers, dates, times, money,
 * percentages, ordinals, phone numbers, web and e-mail addresses and the public-service
 * abbreviations, in the Southern forms by default. Text it does not recognise is left as written.
 */
export function readAloud(text: string, options: ReadAloudOptions = {}): string {
  const reader = new Reader(options.dialect ?? "south", dictionary(options.dictionary));
  const parts = text.normalize("NFC").split(/(\s+)/);
  const context: Context = { w1: "", w2: "", prevKind: "word", prevKind2: "word", prevTrail: "" };
  for (let i = 0; i < parts.length; i += 2) {
    const start = i;
    const raw = parts[i] ?? "";
    if (raw === "") continue;
    const w = splitWord(raw);
    const next = (k: number) => splitWord(parts[i + 2 * k] ?? "");
    let kind: Kind = "word";
    let text: string | undefined;
    let trail = w.trail;
    let heard = w.core;
    const phone = readPhoneAt(parts, i, w, reader.isPhoneContext(context));
    let lead = w.lead;
    if (phone) {
      text = phone.text;
      lead = phone.lead;
      trail = phone.trail;
      kind = "phone";
      for (let j = i + 1; j <= phone.last; j++) parts[j] = "";
      i = phone.last;
    } else if (DASHES.has(w.core) && context.prevKind !== "word" && /^\d/.test(next(1).core)) {
      // 7h30 - 11h30, 30/4 – 1/5: a dash between two numbers is a range.
      text = "đến";
      heard = "đến";
    } else if (w.core === "%" && context.prevKind === "number") {
      text = "phần trăm";
    } else if (w.core !== "" && w.core.length <= 256) {
      const r = /\d/.test(w.core) ? reader.readNumeric(w.core, context) : reader.readWordCore(w, context);
      if (r) {
        text = r.text;
        kind = r.kind;
        if (r.trail !== undefined) trail = r.trail;
      }
    }
    if (text !== undefined) parts[start] = `${lead}${text}${trail}`;
    context.w2 = context.w1;
    context.w1 = heard.toLowerCase();
    context.prevKind2 = context.prevKind;
    context.prevKind = text === undefined ? "word" : kind;
    context.prevTrail = trail;
    if (SENTENCE_END.test(trail)) {
      context.w1 = "";
      context.w2 = "";
    }
  }
  return parts.join("").normalize("NFC");
}

/**
 * A phone number starting at word `i`, possibly over the next words when written in groups
 * (0292 3820 123, (0292) 3820 123): the longest run of up to four groups that makes a phone number.
 */
function readPhoneAt(
  parts: string[],
  i: number,
  w: Word,
  inContext: boolean,
): { text: string; lead: string; trail: string; last: number } | undefined {
  const first = /^(\+?)(\d{1,4}(?:[.-]\d{1,4}){0,4}|\d{1,12})$/.exec(w.core);
  if (!first) return undefined;
  const international = first[1] === "+";
  const areaCode = w.lead === "(" && w.trail === ")";
  const groups = w.core.replace(/^\+/, "").split(/[.-]/);
  const spans: { groups: string[]; trail: string; last: number }[] = [{ groups: [...groups], trail: w.trail, last: i }];
  let trail = areaCode ? "" : w.trail;
  for (let k = 1; k <= 3 && trail === "" && /^(?:0|\+84|1[89]00)/.test(w.core); k++) {
    const space = parts[i + 2 * k - 1] ?? "";
    const nextWord = splitWord(parts[i + 2 * k] ?? "");
    if (!/^ {1,2}$/.test(space) || nextWord.lead !== "" || !/^\d{2,4}$/.test(nextWord.core)) break;
    groups.push(nextWord.core);
    trail = nextWord.trail;
    spans.push({ groups: [...groups], trail, last: i + 2 * k });
  }
  for (const span of spans.reverse()) {
    if (!isPhone(span.groups.join(""), international, inContext)) continue;
    const written = international ? [`+${span.groups[0]}`, ...span.groups.slice(1)] : span.groups;
    const grouped = written.length === 1 ? phoneGroups(written) : splitInternational(written);
    const lead = areaCode && span.last > i ? "" : w.lead;
    return { text: readPhone(grouped), lead, trail: span.trail, last: span.last };
  }
  return undefined;
}

/** `+84 292 …`: the country code as its own group ("+84292" written together is split). */
function splitInternational(groups: string[]): string[] {
  const first = groups[0] ?? "";
  if (first.startsWith("+84") && first.length > 3) return ["+84", first.slice(3), ...groups.slice(1)];
  return groups;
}

/**
 * Seconds it takes to read the text aloud at `wordsPerMinute` (default 160, a calm announcer):
 * the words (Vietnamese syllables, separated by spaces) of its read-aloud form, rounded up.
 */
export function estimateReadingSeconds(text: string, wordsPerMinute = 160): number {
  if (!(wordsPerMinute > 0)) throw new RangeError("wordsPerMinute must be positive");
  let words = 0;
  for (const w of readAloud(text).split(/\s+/)) if (/[\p{L}\p{N}]/u.test(w)) words++;
  return Math.ceil((words * 60) / wordsPerMinute);
}

/** The read-aloud tools as the domain's port (`content/ports/broadcast.ts`) has them. */
export const readAloudTools: ReadAloudTools = {
  readAloud: (text, { dialect }) => readAloud(text, { dialect }),
  readingSeconds(text, wordsPerMinute) {
    if (!(wordsPerMinute > 0)) throw new RangeError("wordsPerMinute must be positive");
    // The text is already read-aloud text: its words are counted as they are.
    let words = 0;
    for (const w of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(w)) words++;
    return Math.ceil((words * 60) / wordsPerMinute);
  },
};
