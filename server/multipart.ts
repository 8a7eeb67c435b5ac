import type { Readable } from "node:stream";
import busboy from "busboy";
import type { Request, Response } from "express";
import { AppError } from "../content/errors.js";

/**
 * After a refusal, the rest of a body this size is still read (and dropped) before answering, because
 * many HTTP clients (fetch among them) lose the answer if the server closes while they are sending.
 * Beyond it, the answer goes at once and the connection closes: a 2 GB upload is not read for nothing.
 */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 15_000;

export interface FilePart {
  /** The text fields sent before the file. */
  fields: Record<string, string>;
  stream: Readable;
  filename: string | undefined;
}

/** Reads and drops the rest of a refused body if it is small enough; otherwise the answer will close the connection. */
function drain(req: Request, res: Response, seen: number): Promise<void> {
  req.resume();
  const rest = Number(req.headers["content-length"]) - seen;
  if (req.complete || !(rest <= DRAIN_MAX_BYTES)) {
    res.setHeader("connection", "close");
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.setHeader("connection", "close");
      resolve();
    }, DRAIN_MAX_MS);
    req.once("end", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Reads a `multipart/form-data` request with one file field, handing the file to `handle` as a
 * stream while it arrives (nothing is buffered whole). Fields must come before the file, as browsers
 * and curl send them in order.
 */
export function withFilePart<T>(req: Request, res: Response, fileField: string, handle: (part: FilePart) => Promise<T>): Promise<T> {
  if (!req.is("multipart/form-data")) {
    return Promise.reject(new AppError("unsupported_media_type", "send the file as multipart/form-data", { field: fileField }));
  }
  return new Promise<T>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let bb: busboy.Busboy | undefined;
    let work: Promise<T> | undefined;
    let settled = false;
    let seen = 0;
    req.on("data", (chunk: Buffer) => {
      seen += chunk.length;
    });
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      if (bb) req.unpipe(bb);
      drain(req, res, seen).then(() => reject(err));
    };
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 10_000, parts: 30 } });
    } catch (err) {
      // busboy throws at once on a Content-Type it cannot use (no boundary): the client's mistake, not a 500.
      const why = (err as Error).message.replace(/^Multipart: /, "").toLowerCase();
      const refusal = new AppError(
        "invalid_input",
        `${fileField}: the multipart/form-data request is unusable (${why}); send the file as a form field named "${fileField}"`,
        { field: fileField },
      );
      fail(refusal);
      return;
    }
    bb.on("field", (name, value) => {
      fields[name] = value;
    });
    bb.on("file", (name, stream, info) => {
      if (name !== fileField || work) {
        stream.resume();
        if (name !== fileField)
          fail(new AppError("invalid_input", `unexpected file field "${name}"; send the file as "${fileField}"`, { field: name }));
        return;
      }
      work = handle({ fields: { ...fields }, stream, filename: info.filename });
      work.catch(fail);
    });
    bb.on("error", (err: Error) =>
      fail(new AppError("invalid_input", `the multipart body is malformed (${err.message})`, { field: fileField })),
    );
    bb.on("close", () => {
      if (!work) return fail(new AppError("invalid_input", `${fileField}: required`, { field: fileField }));
      work.then((value) => {
        if (settled) return;
        settled = true;
        resolve(value);
      }, fail);
    });
    req.on("aborted", () => fail(new AppError("invalid_input", "the upload was interrupted", { field: fileField })));
    req.pipe(bb);
  });
}
