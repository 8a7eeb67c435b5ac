// SMS encoding, cost and splitting, exact per 3GPP TS 23.038 (alphabets) and TS 23.040 (concatenated
// messages): what a message costs and the parts an SMSC receives.
import { gsm7Septets, isGsm7 } from "./gsm7.js";
import { unaccent } from "./unaccent.js";

export { gsm7Octets, isGsm7 } from "./gsm7.js";

export type SmsEncoding = "GSM-7" | "UCS-2";

/**
 * Capacity of one message, in septets (GSM-7) or UTF-16 code units (UCS-2): `single` when the text
 * fits in one, `part` for each part of a concatenated message, whose 6-octet UDH (TS 23.040 §9.2.3.24.1)
 * takes the rest of the 140 octets.
 */
export const SMS_CAPACITY: Readonly<Record<SmsEncoding, { single: number; part: number }>> = {
  "GSM-7": { single: 160, part: 153 },
  "UCS-2": { single: 70, part: 67 },
};

/** What a text costs as an SMS: the answer of `POST /api/sms/preview`, with the capacity per part. */
export interface SmsInfo {
  /** The text actually sent: NFC, and unaccented when asked. */
  text: string;
  encoding: SmsEncoding;
  /** Messages billed: 1 when it fits in one, else the number of concatenated parts (0 for an empty text). */
  segments: number;
  /** Septets (GSM-7; an extension character counts 2) or UTF-16 code units (UCS-2; outside the BMP counts 2). */
  units: number;
  /** Capacity of each segment: 160/70 for a single message, 153/67 per part of a long one. */
  perSegment: number;
}

export interface SmsOptions {
  /** Send the text unaccented (`unaccent()`), which always makes it GSM-7. */
  unaccent?: boolean;
}

/** Units a character (one code point, or a lone surrogate) costs in the encoding. */
function unitsOf(ch: string, encoding: SmsEncoding): number {
  if (encoding === "UCS-2") return ch.length;
  const septets = gsm7Septets(ch);
  if (septets === undefined) throw new RangeError(`"${ch}" cannot be sent as GSM-7`);
  return septets;
}

function split(text: string, encoding: SmsEncoding): { parts: string[]; units: number } {
  let units = 0;
  for (const ch of text) units += unitsOf(ch, encoding);
  const { single, part } = SMS_CAPACITY[encoding];
  if (units === 0) return { parts: [], units };
  if (units <= single) return { parts: [text], units };
  // Iterating by code point keeps a surrogate pair whole; an extension character is one code point
  // costing 2, so its ESC pair moves whole to the next part when only one septet is left.
  const parts: string[] = [];
  let current = "";
  let used = 0;
  for (const ch of text) {
    const u = unitsOf(ch, encoding);
    if (used + u > part) {
      parts.push(current);
      current = "";
      used = 0;
    }
    current += ch;
    used += u;
  }
  parts.push(current);
  return { parts, units };
}

/**
 * The parts of the text (in NFC) as they go on the wire, each to be sent with a concatenation UDH
 * when there are several: at most 153 septets (GSM-7) or 67 UTF-16 units (UCS-2) each, never
 * splitting an ESC pair or a surrogate pair. One part when the text fits in one message (160/70),
 * none for an empty text. Throws a RangeError for GSM-7 with a character outside GSM-7.
 */
export function splitSms(text: string, encoding: SmsEncoding): string[] {
  return split(text.normalize("NFC"), encoding).parts;
}

/** The encoding an SMS needs (GSM-7 when every character allows it), its units and its cost in segments. */
export function smsInfo(text: string, options: SmsOptions = {}): SmsInfo {
  const nfc = text.normalize("NFC");
  const sent = options.unaccent ? unaccent(nfc) : nfc;
  const encoding: SmsEncoding = isGsm7(sent) ? "GSM-7" : "UCS-2";
  const { parts, units } = split(sent, encoding);
  const capacity = SMS_CAPACITY[encoding];
  return {
    text: sent,
    encoding,
    segments: parts.length,
    units,
    perSegment: parts.length > 1 ? capacity.part : capacity.single,
  };
}

/** The SMS text tools as content/ports/sms.ts's `SmsTextTools` (given to content/campaigns by start/runtime.ts). */
export const smsTextTools = {
  info: (text: string, options: { unaccent: boolean }) => smsInfo(text, options),
  unaccent,
};
