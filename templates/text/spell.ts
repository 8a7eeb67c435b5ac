// Web addresses and e-mail addresses spelled the way announcers read them: known unaccented words
// in their Vietnamese form (dichvucong → dịch vụ công), dots as "chấm", @ as "a còng", the rest
// letter by letter with Vietnamese letter names. Parsed by hand, not by one big regex, so that a
// long or hostile word costs linear time.
import type { CompiledDictionary } from "./read-aloud-dictionary.js";
import { DIGIT_WORDS } from "./vi-numbers.js";

/** Vietnamese names of the letters, as they are spelled aloud (N is "en", as in vê en). */
export const LETTER_NAMES: Readonly<Record<string, string>> = {
  a: "a",
  b: "bê",
  c: "xê",
  d: "dê",
  đ: "đê",
  e: "e",
  f: "ép",
  g: "giê",
  h: "hát",
  i: "i",
  j: "gi",
  k: "ca",
  l: "e lờ",
  m: "em",
  n: "en",
  o: "o",
  p: "pê",
  q: "quy",
  r: "e rờ",
  s: "ét",
  t: "tê",
  u: "u",
  v: "vê",
  w: "vê kép",
  x: "ích",
  y: "i dài",
  z: "dét",
};

/** How the punctuation of an address is read. */
export const SYMBOL_NAMES: Readonly<Record<string, string>> = {
  ".": "chấm",
  "@": "a còng",
  "/": "gạch chéo",
  "-": "gạch ngang",
  _: "gạch dưới",
  ":": "hai chấm",
  "?": "chấm hỏi",
  "=": "bằng",
  "&": "và",
  "#": "thăng",
  "+": "cộng",
  "~": "ngã",
  "%": "phần trăm",
};

/** Top-level domains that make a word an address (so that TP.HCM or 1.250.000 are not). */
const TLDS = new Set([
  "vn",
  "com",
  "net",
  "org",
  "gov",
  "edu",
  "info",
  "io",
  "app",
  "asia",
  "biz",
  "me",
  "int",
  "dev",
  "online",
  "site",
  "xyz",
  "top",
  "tv",
  "pro",
  "mobi",
]);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LOCAL_PART = /^[a-z0-9._%+-]{1,64}$/i;

function spellChar(ch: string): string {
  const lower = ch.toLowerCase();
  const digit = /[0-9]/.test(ch) ? DIGIT_WORDS[Number(ch)] : undefined;
  return LETTER_NAMES[lower] ?? digit ?? SYMBOL_NAMES[ch] ?? ch;
}

/** A word spelled letter by letter. */
export function spell(word: string): string {
  return [...word].map(spellChar).join(" ");
}

/**
 * One label (a run of letters and digits) in words: cut into known domain words where possible,
 * the rest spelled. A cut minimises the spelled letters (a known word costs 1, a spelled letter 3).
 */
function readLabel(label: string, d: CompiledDictionary): string {
  const lower = label.toLowerCase();
  const whole = d.domainWords.get(lower);
  if (whole !== undefined) return whole;
  const n = lower.length;
  const cost = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const step = new Array<number>(n + 1).fill(0);
  cost[0] = 0;
  for (let i = 0; i < n; i++) {
    const here = cost[i] ?? Number.POSITIVE_INFINITY;
    if (here === Number.POSITIVE_INFINITY) continue;
    if (here + 3 < (cost[i + 1] ?? Number.POSITIVE_INFINITY)) {
      cost[i + 1] = here + 3;
      step[i + 1] = 1;
    }
    for (let len = 2; len <= d.longestDomainWord && i + len <= n; len++) {
      if (d.domainWords.has(lower.slice(i, i + len)) && here + 1 < (cost[i + len] ?? Number.POSITIVE_INFINITY)) {
        cost[i + len] = here + 1;
        step[i + len] = len;
      }
    }
  }
  const words: string[] = [];
  for (let j = n; j > 0; ) {
    const len = step[j] ?? 1;
    const piece = lower.slice(j - len, j);
    words.push(len === 1 ? spellChar(piece) : (d.domainWords.get(piece) ?? spell(piece)));
    j -= len;
  }
  return words.reverse().join(" ");
}

/** A run of labels and separators (a.b-c_d) in words. */
function readLabels(text: string, d: CompiledDictionary): string {
  const words: string[] = [];
  for (const piece of text.split(/([^\p{L}\p{N}])/u)) {
    if (piece === "") continue;
    words.push(/^[\p{L}\p{N}]+$/u.test(piece) ? readLabel(piece, d) : spellChar(piece));
  }
  return words.join(" ");
}

/** A host name (dichvucong.cantho.gov.vn), or undefined when it is not one. */
function readHost(host: string, d: CompiledDictionary): string | undefined {
  const labels = host.split(".");
  const tld = labels.at(-1)?.toLowerCase() ?? "";
  if (labels.length < 2 || !TLDS.has(tld)) return undefined;
  if (!labels.every((l) => LABEL.test(l))) return undefined;
  return labels.map((l) => readLabels(l, d)).join(" chấm ");
}

/**
 * A web address (with or without http(s):// or www.) or an e-mail address, spelled for reading
 * aloud; undefined when the word is neither. The scheme is not read; a final slash neither.
 */
export function readAddress(word: string, d: CompiledDictionary): string | undefined {
  if (word.length > 256) return undefined;
  const at = word.indexOf("@");
  if (at > 0) {
    const local = word.slice(0, at);
    const host = readHost(word.slice(at + 1), d);
    if (!LOCAL_PART.test(local) || host === undefined) return undefined;
    return `${readLabels(local, d)} a còng ${host}`;
  }
  const rest = word.replace(/^https?:\/\//i, "");
  const end = rest.search(/[/?#]/);
  const hostPort = end === -1 ? rest : rest.slice(0, end);
  const path = end === -1 ? "" : rest.slice(end).replace(/\/$/, "");
  const colon = hostPort.indexOf(":");
  const port = colon === -1 ? "" : hostPort.slice(colon + 1);
  if (port !== "" && !/^\d{1,5}$/.test(port)) return undefined;
  const host = readHost(colon === -1 ? hostPort : hostPort.slice(0, colon), d);
  if (host === undefined) return undefined;
  const parts = [host];
  if (port !== "") parts.push("hai chấm", spell(port));
  if (path !== "") parts.push(readLabels(path, d));
  return parts.join(" ");
}
