// A full disk, injected (the fault suite fills a real tmpfs where it may mount one): every way it
// surfaces is answered 507 with a message, never a bare 500.
import type { Request, Response } from "express";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { errorHandler, isDiskFull } from "../../server/errors.js";

const errno = (code: string) => Object.assign(new Error(`${code}: no space left on device, write`), { code });

function answer(err: unknown): { status: number; body: unknown } {
  const out = { status: 0, body: undefined as unknown };
  const res = {
    headersSent: false,
    // Express's own: the request's logger, when one was set (server/ops.ts).
    locals: {},
    setHeader: () => res,
    status(code: number) {
      out.status = code;
      return res;
    },
    json(body: unknown) {
      out.body = body;
      return res;
    },
  } as unknown as Response;
  const req = { complete: true, headers: {}, method: "POST", originalUrl: "/api/media" } as unknown as Request;
  errorHandler(pino({ level: "silent" }))(err, req, res, () => undefined);
  return out;
}

describe("a full disk", () => {
  it("is recognised from ENOSPC, EDQUOT and SQLite's SQLITE_FULL, also as a cause", () => {
    expect(isDiskFull(errno("ENOSPC"))).toBe(true);
    expect(isDiskFull(errno("EDQUOT"))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }))).toBe(true);
    expect(isDiskFull(new Error("could not store the upload", { cause: errno("ENOSPC") }))).toBe(true);
    expect(isDiskFull(errno("EACCES"))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });

  it("answers 507 saying nothing was saved", () => {
    expect(answer(errno("ENOSPC"))).toEqual({
      status: 507,
      body: { code: "insufficient_storage", message: expect.stringContaining("disk is full, so nothing was saved") },
    });
    expect(answer(errno("EACCES")).status).toBe(500);
  });
});
