// Generates hostile requests from the route table's zod schemas (walked as JSON Schema): wrong types,
// huge strings, deep nesting, unicode edge cases, prototype-pollution keys, invalid and extreme dates,
// numbers as strings and extreme numbers, arrays for objects; and valid requests mutated one field at a time.
import { z } from "zod";
import type { Route } from "../../server/route.js";
import type { Req } from "./world.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  enum?: Json[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/**
 * One generated request: which route, what was done to it, and the request itself (a JSON body as its
 * text), built when it is sent: ten thousand bodies, some of a megabyte, are not all held at once.
 */
export interface FuzzCase {
  key: string;
  what: string;
  req: () => Req;
}

const DEPTH = 10_000;
const DEEP_ARRAY = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;
/** A value that stands for raw JSON text spliced in after serialising (deep nesting is built as text). */
const SPLICE: Record<string, string> = { "\u0001deep-array": DEEP_ARRAY, "\u0001deep-object": DEEP_OBJECT };
const MB = "a".repeat(1_000_000);
const LONG = "ư".repeat(4_000);

const UNICODE = [
  "\ud800", // a lone high surrogate
  "x\udc00y", // a lone low surrogate
  "\u202eabc\u202c", // right-to-left override
  "\u200f\u05e9\u05dc\u05d5\u05dd", // RTL mark and Hebrew
  "Dịch vụ công trực tuyến".normalize("NFD"),
  "\u200b\u200c\u200d\ufeff", // zero-width
  "👨‍👩‍👧‍👦🇻🇳🏳️‍🌈", // emoji sequences
  `a${"\u0301".repeat(1_000)}`, // a thousand combining marks
  "a\u0000b", // NUL
  "\u0007\u001b[31m\r\n", // control characters
  "\uffff\ufffe\ufffd",
];
const HOSTILE_TEXT = ["<script>alert(1)</script>", "' OR 1=1 --", "../../../etc/passwd", "%00", "\r\nX-Injected: 1", "\u0024{7*7}{{7*7}}"];
const DATES = [
  "2026-02-30T00:00:00Z",
  "2026-02-29T00:00:00+07:00",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00Z",
  "2026-12-01T08:00:00+25:00",
  "2026-12-01T08:00:00",
  "1970-01-01T00:00:00Z",
  "2026-13-45",
  "2026-W53",
  "2026-W99",
  "2026-W00",
  "2026-00",
  "0000",
  "99999",
  "2026-01-01",
];
const NUMBERS_AS_STRINGS = ["5", "-1", "0", "1e999", "NaN", "Infinity", "-0", "0x1F", "9007199254740993"];
const WRONG_TYPES: Json[] = [null, true, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, "", "x", [], ["x"], {}, { a: 1 }];
const PROTO: Json[] = [
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  { constructor: { prototype: { polluted: "yes" } } },
  { prototype: { polluted: "yes" } },
];

/** Every value a field is replaced with, one at a time. */
export const FIELD_VALUES: { what: string; value: Json }[] = [
  ...WRONG_TYPES.map((value) => ({ what: `type ${JSON.stringify(value)}`, value })),
  ...NUMBERS_AS_STRINGS.map((value) => ({ what: `number as string ${value}`, value })),
  ...UNICODE.map((value, i) => ({ what: `unicode #${i}`, value })),
  ...HOSTILE_TEXT.map((value) => ({ what: `text ${JSON.stringify(value)}`, value })),
  ...DATES.map((value) => ({ what: `date ${value}`, value })),
  ...PROTO.map((value, i) => ({ what: `prototype key #${i}`, value })),
  { what: "1 MB string", value: MB },
  { what: "4 KB string", value: LONG },
  { what: "100,000 numbers", value: Array.from({ length: 100_000 }, () => 0) },
  { what: "10,000-level array", value: "\u0001deep-array" },
  { what: "10,000-level object", value: "\u0001deep-object" },
];

/** What a query parameter or path segment is replaced with (short enough for a URL). */
export const TEXT_VALUES: { what: string; value: string }[] = [
  ...["", "x", "-1", "0", "1e309", "NaN", "Infinity", "0x10", "true", "{}", "null"].map((value) => ({
    what: `text ${JSON.stringify(value)}`,
    value,
  })),
  ...UNICODE.map((value, i) => ({ what: `unicode #${i}`, value })),
  ...HOSTILE_TEXT.map((value) => ({ what: `text ${JSON.stringify(value)}`, value })),
  ...DATES.map((value) => ({ what: `date ${value}`, value })),
  ...["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"].map((value) => ({ what: `name ${value}`, value })),
  { what: "4 KB string", value: "a".repeat(4_000) },
];

/** The input JSON Schema of a zod schema (transforms are shown by their input side). */
export const jsonSchemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;

const variant = (s: JsonSchema): JsonSchema => s.anyOf?.find((x) => x.type !== "null") ?? s.oneOf?.[0] ?? s;

/** The field paths a schema declares, nested objects and the first element of arrays included. */
export function fieldPaths(schema: JsonSchema, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  const s = variant(schema);
  if (depth > 4) return [];
  const out: (string | number)[][] = [];
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    const path = [...prefix, name];
    out.push(path, ...fieldPaths(child, path, depth + 1));
  }
  if (s.items) {
    const path = [...prefix, 0];
    out.push(path, ...fieldPaths(s.items, path, depth + 1));
  }
  if (typeof s.additionalProperties === "object" && s.propertyNames?.enum?.[0] !== undefined) {
    const path = [...prefix, String(s.propertyNames.enum[0])];
    out.push(path, ...fieldPaths(s.additionalProperties, path, depth + 1));
  }
  return out;
}

/** A copy of `base` with the value at `path` replaced (containers on the way created as needed). */
export function withField(base: Json, path: (string | number)[], value: Json): Json {
  const root: Json = structuredClone(base ?? {});
  let at = root as Record<string | number, Json>;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      at[key] = value;
      break;
    }
    const nextKey = path[i + 1];
    if (at[key] === null || typeof at[key] !== "object") at[key] = typeof nextKey === "number" ? [] : {};
    at = at[key] as Record<string | number, Json>;
  }
  return root;
}

/** JSON text, with the deep-nesting stand-ins replaced by their text. */
export function serialise(value: Json): string {
  let text = JSON.stringify(value);
  for (const [marker, raw] of Object.entries(SPLICE)) text = text.replaceAll(JSON.stringify(marker), raw);
  return text;
}

const withProtoKeys = (base: Json) =>
  `${serialise(base).replace(/^\{/, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},')}`.replace(
    /,\}$/,
    "}",
  );

/** Replacements of the whole body (built when sent). */
function wholeBodies(base: Json): { what: string; body: () => string }[] {
  const literal = (body: string) => ({ what: `body ${JSON.stringify(body)}`, body: () => body });
  return [
    ...["null", "[]", '"x"', "1", "true", "{}", "", "{", '{"a":', "[1,2", "\u0000", "{'a': 1}", "NaN"].map(literal),
    { what: "body: 10,000-level array", body: () => DEEP_ARRAY },
    { what: "body: 10,000-level object", body: () => DEEP_OBJECT },
    { what: "body: a 1 MB string", body: () => JSON.stringify(MB) },
    { what: "body: the request in an array", body: () => serialise([base]) },
    { what: "body: prototype-pollution keys beside the fields", body: () => withProtoKeys(base) },
    { what: "body: an unknown field", body: () => serialise(withField(base, ["colour"], "đỏ")) },
    {
      what: "body: every field null",
      body: () => serialise(Object.fromEntries(Object.keys((base as object) ?? {}).map((k) => [k, null]))),
    },
  ];
}

/** Every generated request of one route, from its schemas and one valid request of it. */
export function casesOf(key: string, route: Route, valid: Req): FuzzCase[] {
  const out: FuzzCase[] = [];
  const json = route.body && (route.bodyType ?? "json") === "json";
  const base = (valid.body ?? {}) as Json;
  if (json && route.body) {
    for (const b of wholeBodies(base)) out.push({ key, what: b.what, req: () => ({ ...valid, body: b.body() }) });
    for (const path of fieldPaths(jsonSchemaOf(route.body))) {
      for (const v of FIELD_VALUES) {
        out.push({ key, what: `${path.join(".")}: ${v.what}`, req: () => ({ ...valid, body: serialise(withField(base, path, v.value)) }) });
      }
    }
  }
  const keep = json ? { body: serialise(base) } : {};
  if (route.query) {
    const names = Object.keys(variant(jsonSchemaOf(route.query)).properties ?? {});
    for (const name of [...names, "__proto__", "constructor", "unknown"]) {
      for (const v of TEXT_VALUES) {
        out.push({ key, what: `?${name}: ${v.what}`, req: () => ({ ...valid, ...keep, query: { ...valid.query, [name]: v.value } }) });
      }
    }
  }
  for (const name of [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? "")) {
    for (const v of TEXT_VALUES) {
      out.push({ key, what: `:${name}: ${v.what}`, req: () => ({ ...valid, ...keep, params: { ...valid.params, [name]: v.value } }) });
    }
  }
  return out;
}

/** A small seeded generator, so that a failing run can be replayed with its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid request with two of its fields replaced at random: more of the space than one at a time. */
export function pairCase(key: string, route: Route, valid: Req, rnd: () => number): FuzzCase | undefined {
  if (!route.body || (route.bodyType ?? "json") !== "json") return undefined;
  const paths = fieldPaths(jsonSchemaOf(route.body));
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  if (paths.length === 0) return undefined;
  const [p1, p2] = [pick(paths), pick(paths)];
  const [v1, v2] = [pick(FIELD_VALUES), pick(FIELD_VALUES)];
  const body = () => withField(withField((valid.body ?? {}) as Json, p1, v1.value), p2, v2.value);
  return { key, what: `${p1.join(".")}: ${v1.what}; ${p2.join(".")}: ${v2.what}`, req: () => ({ ...valid, body: serialise(body()) }) };
}
