import type { z } from "zod";
import { AppError } from "../content/errors.js";

/** The dotted path of the first problem, including an unknown key's own name. */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0]) path.push(issue.keys[0]);
  return path.join(".");
}

/** A NUL (PostgreSQL cannot store it) or a lone surrogate (not Unicode: it would be stored as U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isBadText = (s: string) => s.includes("\0") || LONE_SURROGATE.test(s);

/**
 * The dotted path of the first string, or object key, in `value` that is not storable text, or
 * undefined. Walks without recursion: a body may be nested ten thousand levels deep.
 */
function badTextAt(value: unknown): string[] | undefined {
  type Node = { v: unknown; key?: string; parent?: Node };
  const pathOf = (n: Node | undefined) => {
    const path: string[] = [];
    for (let at = n; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const stack: Node[] = [{ v: value }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { v } = node;
    if (typeof v === "string") {
      if (isBadText(v)) return pathOf(node);
    } else if (v !== null && typeof v === "object") {
      for (const [key, child] of Object.entries(v)) {
        if (isBadText(key)) return pathOf(node);
        stack.push({ v: child, key, parent: node });
      }
    }
  }
  return undefined;
}

/** Refuses text Loa cannot store faithfully, naming where it is (`field` for body fields, query names and path parameters). */
export function assertText(value: unknown, where: string): void {
  const path = badTextAt(value);
  if (!path) return;
  const field = path.join(".");
  throw new AppError("invalid_input", `${field || where}: must be Unicode text without NUL characters`, field ? { field } : {});
}

/** Parses a request part with a strict schema; a failure is a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.infer<S> {
  assertText(value, where);
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError("invalid_input", `invalid ${where}`);
  const field = fieldOf(issue);
  const message =
    issue.code === "unrecognized_keys"
      ? "unknown field"
      : issue.code === "invalid_type" && issue.input === undefined
        ? "required"
        : issue.message;
  throw new AppError("invalid_input", field ? `${field}: ${message}` : `${where}: ${message}`, field ? { field } : {});
}
