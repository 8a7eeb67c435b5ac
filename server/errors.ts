import type { ErrorRequestHandler } from "express";
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

/** One place turns errors into `{code, message, field?}`; anything unexpected is a bare 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof AppError) {
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
    if (e.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ code: "invalid_input", message: e.message ?? "bad request" });
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, "unhandled error");
    res.status(500).json({ code: "internal", message: "internal error" });
  };
}
