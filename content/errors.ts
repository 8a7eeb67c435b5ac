import { z } from "zod";

/** Every failure Loa reports has one of these codes; the HTTP layer and the workers map them. */
export const ErrorCode = z.enum([
  "invalid_input",
  "unprocessable",
  "payload_too_large",
  "unsupported_media_type",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "rate_limited",
  "channel_rejected",
  "channel_unavailable",
  "channel_unconfirmed",
  "auth_expired",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export interface AppErrorOptions {
  cause?: unknown;
  /** The request field the error is about, as a dotted path (`deliveries.0.at`). */
  field?: string;
  /** For `rate_limited`: how long the provider asked us to wait. */
  retryAfterMs?: number;
  /** More the client should see, merged into the error answer (e.g. `problems`). */
  details?: Record<string, unknown>;
}

/** The one error class of Loa: a code, a message fit for a user, and optionally the field at fault. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

export const notFound = (what: string, field?: string) =>
  new AppError("not_found", `${what} not found`, field === undefined ? {} : { field });

/** Ends an exhaustive switch: the compiler proves it unreachable, and a value that gets here anyway is a bug. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
