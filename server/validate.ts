import type { z } from "zod";
import { AppError } from "../content/errors.js";

/** The dotted path of the first problem, including an unknown key's own name. */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0]) path.push(issue.keys[0]);
  return path.join(".");
}

/** Parses a request part with a strict schema; a failure is a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.infer<S> {
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
