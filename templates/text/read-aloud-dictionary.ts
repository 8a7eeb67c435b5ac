// The editable dictionaries of read-aloud: abbreviations (data/abbreviations.json) and the
// unaccented words of domain names (data/domain-words.json), with the overrides a caller passes
// (later: the entries an admin edits in the database).
import fs from "node:fs";
import { z } from "zod";

/** One abbreviation and how it is read. */
export const AbbreviationEntry = z.strictObject({
  abbr: z.string().min(1),
  reading: z.string().min(1),
  /** Why this reading, or where it comes from, where it is not obvious. */
  note: z.string().optional(),
  /** Match whatever the letter case (default: exactly as written). */
  ignoreCase: z.boolean().optional(),
  /** `document`: only inside a document number's code (123/QĐ-UBND), where it is unambiguous. */
  scope: z.enum(["text", "document"]).optional(),
  /** A document type (NĐ, QĐ …): inside a document code it is not read, the number already says it. */
  documentType: z.boolean().optional(),
});
export type AbbreviationEntry = z.infer<typeof AbbreviationEntry>;

export const AbbreviationFile = z.strictObject({
  $comment: z.array(z.string()).optional(),
  entries: z.array(AbbreviationEntry),
});
export type AbbreviationFile = z.infer<typeof AbbreviationFile>;

export const DomainWordsFile = z.strictObject({
  $comment: z.array(z.string()).optional(),
  words: z.record(z.string().regex(/^[a-z0-9]+$/), z.string().min(1)),
});
export type DomainWordsFile = z.infer<typeof DomainWordsFile>;

/**
 * What a caller changes in the default dictionaries: a reading (or a whole entry) per abbreviation
 * or domain word, `null` to remove a default one.
 */
export interface DictionaryOverrides {
  abbreviations?: Readonly<Record<string, string | Omit<AbbreviationEntry, "abbr"> | null>>;
  domainWords?: Readonly<Record<string, string | null>>;
}

/** A dictionary ready for lookups. */
export interface CompiledDictionary {
  /** Exact-case abbreviations read in running text. */
  readonly text: ReadonlyMap<string, string>;
  /** Lower-cased keys of the `ignoreCase` abbreviations. */
  readonly textIgnoreCase: ReadonlyMap<string, string>;
  /** Every abbreviation usable in a document code (both scopes), exact case. */
  readonly document: ReadonlyMap<string, { reading: string; documentType: boolean }>;
  /** The text abbreviations ending in a dot (TP.), for "TP.Cần Thơ" written without a space. */
  readonly dotted: readonly string[];
  readonly domainWords: ReadonlyMap<string, string>;
  /** Length of the longest domain word, bounding the label segmentation. */
  readonly longestDomainWord: number;
}

const readJson = (name: string) => JSON.parse(fs.readFileSync(new URL(`./data/${name}`, import.meta.url), "utf8"));

export function loadAbbreviations(): AbbreviationFile {
  const file = AbbreviationFile.parse(readJson("abbreviations.json"));
  const seen = new Set<string>();
  for (const e of file.entries) {
    if (seen.has(e.abbr)) throw new Error(`abbreviations.json: ${e.abbr} is listed twice`);
    seen.add(e.abbr);
  }
  return file;
}

export const loadDomainWords = (): DomainWordsFile => DomainWordsFile.parse(readJson("domain-words.json"));

const DEFAULT_ABBREVIATIONS = loadAbbreviations().entries;
const DEFAULT_DOMAIN_WORDS = loadDomainWords().words;

function compile(overrides: DictionaryOverrides): CompiledDictionary {
  const entries = new Map<string, AbbreviationEntry>();
  for (const e of DEFAULT_ABBREVIATIONS) entries.set(e.abbr.normalize("NFC"), e);
  for (const [abbr, value] of Object.entries(overrides.abbreviations ?? {})) {
    const key = abbr.normalize("NFC");
    if (value === null) entries.delete(key);
    else entries.set(key, AbbreviationEntry.parse(typeof value === "string" ? { abbr: key, reading: value } : { ...value, abbr: key }));
  }
  const text = new Map<string, string>();
  const textIgnoreCase = new Map<string, string>();
  const document = new Map<string, { reading: string; documentType: boolean }>();
  for (const [abbr, e] of entries) {
    const reading = e.reading.normalize("NFC");
    document.set(abbr, { reading, documentType: e.documentType ?? false });
    if (e.scope === "document") continue;
    text.set(abbr, reading);
    if (e.ignoreCase) textIgnoreCase.set(abbr.toLowerCase(), reading);
  }
  const domainWords = new Map<string, string>(Object.entries(DEFAULT_DOMAIN_WORDS));
  for (const [word, reading] of Object.entries(overrides.domainWords ?? {})) {
    const key = word.toLowerCase();
    if (reading === null) domainWords.delete(key);
    else domainWords.set(key, reading.normalize("NFC"));
  }
  return {
    text,
    textIgnoreCase,
    document,
    dotted: [...text.keys()].filter((k) => k.endsWith(".")),
    domainWords,
    longestDomainWord: Math.max(0, ...[...domainWords.keys()].map((k) => k.length)),
  };
}

const DEFAULT = compile({});
const compiled = new WeakMap<DictionaryOverrides, CompiledDictionary>();

/** The default dictionaries with the overrides applied (compiled once per overrides object). */
export function dictionary(overrides?: DictionaryOverrides): CompiledDictionary {
  if (!overrides) return DEFAULT;
  let d = compiled.get(overrides);
  if (!d) {
    d = compile(overrides);
    compiled.set(overrides, d);
  }
  return d;
}

/** An abbreviation's reading in running text, or undefined. */
export function lookupAbbreviation(d: CompiledDictionary, word: string): string | undefined {
  return d.text.get(word) ?? (d.textIgnoreCase.size > 0 ? d.textIgnoreCase.get(word.toLowerCase()) : undefined);
}
