// Readable Vietnamese without diacritics that always fits the GSM 7-bit alphabet, so that an SMS
// costs 160/153 characters per part instead of 70/67. The rules, in order, for each character:
//  1. the replacements below (đ → d, typographic quotes, dashes, ellipsis, spaces, bullets, symbols);
//  2. a GSM-7 character without a diacritic is kept as it is (Ø, ß, €, @, Greek capitals of the table…);
//  3. every diacritic is removed (canonical decomposition, marks dropped): Vietnamese tone and vowel
//     marks (ư → u, ơ → o, ă â → a, ê → e, ô → o, ế → e …), even à è é ì ò ù that GSM-7 has, so the
//     text is evenly unaccented; NFC and NFD input give the same result;
//  4. compatibility forms are unfolded (full-width letters, ligatures, superscripts, ½ → 1/2);
//  5. emoji, their modifiers and joiners, invisible format characters and control characters are removed;
//  6. anything else (other scripts, other symbols) becomes "?".
import { gsm7Septets } from "./gsm7.js";

/** Step 1: characters with a fixed ASCII reading. */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  // Đ has no decomposition; Ð (U+00D0, Icelandic eth) and ð are typed for it by some keyboards and fonts.
  đ: "d",
  Đ: "D",
  ð: "d",
  Ð: "D",
  // Latin letters without a decomposition and outside GSM-7.
  ı: "i",
  ł: "l",
  Ł: "L",
  œ: "oe",
  Œ: "OE",
  þ: "th",
  Þ: "Th",
  // Quotation marks.
  "“": '"',
  "”": '"',
  "„": '"',
  "‟": '"',
  "«": '"',
  "»": '"',
  "″": '"',
  "‘": "'",
  "’": "'",
  "‚": "'",
  "‛": "'",
  "‹": "'",
  "›": "'",
  "′": "'",
  "`": "'",
  "´": "'",
  // Hyphens, dashes and the minus sign.
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "–": "-",
  "—": "-",
  "―": "-",
  "−": "-",
  "…": "...",
  // Spaces: the tab, no-break and typographic spaces (the ones the steps below would not catch).
  "\t": " ",
  "\u00a0": " ",
  "\u1680": " ",
  "\u202f": " ",
  "\u205f": " ",
  "\u3000": " ",
  // Line breaks other than LF and CR (which GSM-7 has).
  "\u000b": "\n",
  "\u0085": "\n",
  "\u2028": "\n",
  "\u2029": "\n",
  // Bullets and list markers.
  "•": "-",
  "◦": "-",
  "‣": "-",
  "⁃": "-",
  "∙": "-",
  "·": "-",
  "●": "-",
  "○": "-",
  "▪": "-",
  "▫": "-",
  "■": "-",
  "□": "-",
  "►": "-",
  "▶": "-",
  "➢": "-",
  "➤": "-",
  "✓": "-",
  "✔": "-",
  // Symbols with a usual ASCII spelling in Vietnamese texts.
  "₫": "d",
  "°": "o",
  "×": "x",
  "÷": "/",
  "⁄": "/",
  "∕": "/",
  "≤": "<=",
  "≥": ">=",
  "≠": "<>",
  "±": "+/-",
  "→": "->",
  "←": "<-",
  "⇒": "=>",
  "©": "(c)",
  "®": "(R)",
  "™": "TM",
  "‰": "%o",
  "№": "No",
  "¢": "c",
  "¦": "|",
};

const MARKS = /\p{M}/gu;
const REMOVED = /^(?:\p{M}|\p{Cf}|\p{Cc}|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator})$/u;
const SPACE = /^\p{Zs}$/u;

/** Steps 1 and 2, or undefined. */
function direct(ch: string): string | undefined {
  const replaced = REPLACEMENTS[ch];
  if (replaced !== undefined) return replaced;
  if (gsm7Septets(ch) !== undefined && ch.normalize("NFD") === ch) return ch;
  return undefined;
}

/** Steps 3 and 4: the decomposition without its marks, when each of its characters has a direct reading. */
function decomposed(ch: string, form: "NFD" | "NFKD"): string | undefined {
  const base = ch.normalize(form).replace(MARKS, "");
  if (base === "" || base === ch) return undefined;
  let out = "";
  for (const c of base) {
    const d = direct(c);
    if (d === undefined) return undefined;
    out += d;
  }
  return out;
}

function unaccentChar(ch: string): string {
  return (
    direct(ch) ??
    decomposed(ch, "NFD") ??
    decomposed(ch, "NFKD") ??
    (REMOVED.test(ch) ? "" : undefined) ??
    (SPACE.test(ch) ? " " : undefined) ??
    "?"
  );
}

const cache = new Map<string, string>();

/**
 * Readable unaccented Vietnamese that is always GSM-7 (`isGsm7(unaccent(x))` for any x): NFC or NFD
 * input alike, đ/Đ → d/D, every diacritic removed, typographic punctuation made ASCII, emoji dropped,
 * "?" for what has no reading (rules at the top of this file). Idempotent; never throws.
 */
export function unaccent(text: string): string {
  const out: string[] = [];
  // NFC first, so that decomposed input (and Hangul jamo) reads exactly like its composed form.
  for (const ch of text.normalize("NFC")) {
    let r = cache.get(ch);
    if (r === undefined) {
      r = unaccentChar(ch);
      if (cache.size < 10_000) cache.set(ch, r);
    }
    out.push(r);
  }
  return out.join("");
}
