import type { ErrorRequestHandler, Request, Response } from "express";
import type { Logger } from "pino";
import { AppError, assertNever, type ErrorCode } from "../content/errors.js";

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case "invalid_input":
      return 400;
    case "unauthorized":
      return 401;
    case "forbidden":
      return 403;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "unprocessable":
      return 422;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "rate_limited":
      return 429;
    case "channel_rejected":
    case "channel_unavailable":
    case "channel_unconfirmed":
    case "auth_expired":
      return 502;
    default:
      return assertNever(code);
  }
}

/** Past this many unread bytes, a refused request's connection is closed rather than its body read and dropped. */
const DISCARD_MAX_BYTES = 1024 * 1024;

/**
 * A request refused before its body was read (a 401 before an upload): Node would read the whole body
 * to keep the connection alive. A small rest is read and dropped (clients then surely see the answer);
 * a large or unknown-length one is not read at all: the connection closes after the answer.
 */
function closeIfBodyUnread(req: Request, res: Response): void {
  if (req.complete || res.headersSent) return;
  const length = Number(req.headers["content-length"] ?? Number.NaN);
  if (!(length <= DISCARD_MAX_BYTES)) res.setHeader("connection", "close");
}

/**
 * A unique or foreign-key violation the use case did not foresee: two requests racing for the same id
 * (both checked, both inserted), or a row removed meanwhile. It is the caller's conflict, not a fault.
 */
function isConstraintRace(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    code === "23505" ||
    code === "23503" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_FOREIGNKEY"
  );
}

/**
 * The disk under `DATA_DIR` (or the database's) is full: a file write (`ENOSPC`, `EDQUOT` over a
 * quota) or SQLite's (`SQLITE_FULL`), here or in a cause. The failed write was undone where it
 * started (the partial upload removed, the SQLite transaction rolled back).
 */
export function isDiskFull(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === "ENOSPC" || e.code === "EDQUOT" || e.code === "SQLITE_FULL") return true;
  }
  return false;
}

/** One place turns errors into `{code, message, field?}`; anything unexpected is a bare 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    closeIfBodyUnread(req, res);
    if (err instanceof AppError) {
      if (err.code === "rate_limited" && err.retryAfterMs !== undefined) {
        res.setHeader("retry-after", String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
      }
      res
        .status(httpStatus(err.code))
        .json({ ...err.details, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === "entity.parse.failed") {
      res.status(400).json({ code: "invalid_input", message: "the body is not valid JSON" });
      return;
    }
    if (e.type === "entity.too.large") {
      res.status(413).json({ code: "invalid_input", message: "the body is too large" });
      return;
    }
    if (isDiskFull(err)) {
      log.error({ err, method: req.method, url: req.originalUrl }, "the disk is full: a write was refused and undone");
      res.status(507).json({
        code: "insufficient_storage",
        message: "the server's disk is full, so nothing was saved; try again once an administrator has freed space",
      });
      return;
    }
    if (isConstraintRace(err)) {
      res.status(409).json({ code: "conflict", message: "another request changed the same record at the same time; try again" });
      return;
    }
    if (e.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ code: "invalid_input", message: e.message ?? "bad request" });
      return;
    }
    // Through the process's logger (tests watch it), with the request's id as the request's other lines have it.
    log.error({ err, requestId: res.locals.requestId, method: req.method, url: req.originalUrl.split("?")[0] }, "unhandled error");
    res.status(500).json({ code: "internal", message: "internal error" });
  };
}
