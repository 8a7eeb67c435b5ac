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

/** More than any request needs (the longest lists Loa takes have 500 items), and small enough to validate cheaply. */
const MAX_ITEMS = 1_000;
const MAX_DEPTH = 64;

/**
 * The first problem of shape in a request part — text Loa cannot store, an array longer than any
 * request needs (a schema would report each of its items), nesting deeper than any request has — with
 * the dotted path where it is. Walks without recursion: a body may be nested ten thousand levels deep.
 */
function shapeProblem(value: unknown): { path: string[]; problem: string } | undefined {
  type Node = { v: unknown; key?: string; parent?: Node; depth: number };
  const pathOf = (n: Node | undefined) => {
    const path: string[] = [];
    for (let at = n; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const stack: Node[] = [{ v: value, depth: 0 }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { v } = node;
    if (typeof v === "string") {
      if (isBadText(v)) return { path: pathOf(node), problem: "must be Unicode text without NUL characters" };
    } else if (v !== null && typeof v === "object") {
      if (node.depth >= MAX_DEPTH) return { path: pathOf(node), problem: `nested too deeply (at most ${MAX_DEPTH} levels)` };
      if (Array.isArray(v) && v.length > MAX_ITEMS) return { path: pathOf(node), problem: `at most ${MAX_ITEMS} items` };
      for (const [key, child] of Object.entries(v)) {
        if (isBadText(key)) return { path: pathOf(node), problem: "names must be Unicode text without NUL characters" };
        stack.push({ v: child, key, parent: node, depth: node.depth + 1 });
      }
    }
  }
  return undefined;
}

/** Refuses text Loa cannot store faithfully and absurd shapes, naming where (`field` for body fields, query names and path parameters). */
export function assertSane(value: unknown, where: string): void {
  const found = shapeProblem(value);
  if (!found) return;
  const field = found.path.join(".");
  throw new AppError("invalid_input", `${field || where}: ${found.problem}`, field ? { field } : {});
}

/** Parses a request part with a strict schema; a failure is a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.infer<S> {
  assertSane(value, where);
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
