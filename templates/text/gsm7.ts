// The GSM 7-bit default alphabet (3GPP TS 23.038, formerly GSM 03.38), loaded from its table in
// data/gsm-03.38.json: which characters an SMS can carry in GSM-7, at what cost in septets, and the
// septets themselves as an SMSC expects them.
import fs from "node:fs";
import { z } from "zod";
import { AppError } from "../../content/errors.js";

/** The shape of `data/gsm-03.38.json`. */
export const Gsm7Table = z.strictObject({
  $comment: z.array(z.string()).optional(),
  basic: z.array(z.string()).length(8),
  extension: z.record(z.string().regex(/^0x[0-7][0-9A-F]$/), z.string()),
});
export type Gsm7Table = z.infer<typeof Gsm7Table>;

/** The escape septet: the next septet is read in the extension table. */
export const ESC = 0x1b;

function load(file: URL): { basic: Map<string, number>; extension: Map<string, number> } {
  const table = Gsm7Table.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  const basic = new Map<string, number>();
  table.basic.forEach((row, r) => {
    const chars = [...row];
    if (chars.length !== 16) throw new Error(`gsm-03.38.json: row ${r} has ${chars.length} characters, not 16`);
    chars.forEach((ch, c) => {
      const septet = r * 16 + c;
      if (septet !== ESC) basic.set(ch, septet);
    });
  });
  const extension = new Map<string, number>();
  for (const [hex, ch] of Object.entries(table.extension)) {
    if ([...ch].length !== 1) throw new Error(`gsm-03.38.json: extension ${hex} is not one character`);
    extension.set(ch, Number.parseInt(hex.slice(2), 16));
  }
  if (basic.size !== 127) throw new Error(`gsm-03.38.json: ${basic.size} distinct basic characters, not 127`);
  return { basic, extension };
}

const TABLE = load(new URL("./data/gsm-03.38.json", import.meta.url));

/** Septet of each character of the default alphabet (127 characters: every septet but ESC). */
export const GSM7_BASIC: ReadonlyMap<string, number> = TABLE.basic;
/** Septet, sent after ESC, of each character of the extension table (`^ { } \ [ ~ ] | €` and form feed). */
export const GSM7_EXTENSION: ReadonlyMap<string, number> = TABLE.extension;

/**
 * Septets a character costs in GSM-7: 1 in the default alphabet, 2 in the extension table (ESC and
 * the character), `undefined` outside GSM-7. `ch` is one code point.
 */
export function gsm7Septets(ch: string): 1 | 2 | undefined {
  if (GSM7_BASIC.has(ch)) return 1;
  if (GSM7_EXTENSION.has(ch)) return 2;
  return undefined;
}

/** Whether the text (taken in NFC, as it is sent) can go as GSM-7: every character is in either table. */
export function isGsm7(text: string): boolean {
  for (const ch of text.normalize("NFC")) if (gsm7Septets(ch) === undefined) return false;
  return true;
}

/**
 * The text (in NFC) as GSM 03.38 default-alphabet septets, one per octet and not packed, with 0x1B
 * before each extension character: the short message of an SMPP `submit_sm` with `data_coding` 0
 * on most SMSCs. Throws `invalid_input` (field `text`) naming the first character outside GSM-7.
 */
export function gsm7Octets(text: string): Buffer {
  const nfc = text.normalize("NFC");
  const out: number[] = [];
  let index = 0;
  for (const ch of nfc) {
    const septet = GSM7_BASIC.get(ch);
    if (septet !== undefined) out.push(septet);
    else {
      const ext = GSM7_EXTENSION.get(ch);
      if (ext === undefined) {
        const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
        throw new AppError("invalid_input", `"${ch}" (${code}, character ${index + 1}) is not in the GSM-7 alphabet`, {
          field: "text",
          details: { index, character: ch },
        });
      }
      out.push(ESC, ext);
    }
    index++;
  }
  return Buffer.from(out);
}
