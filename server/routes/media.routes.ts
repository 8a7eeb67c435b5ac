import { type Response, Router } from "express";
import { z } from "zod";
import { AppError } from "../../content/errors.js";
import { AttachRequest } from "../../content/media/attachments.js";
import { type MediaFile, MediaFilter } from "../../content/media/uploads.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { withFilePart } from "../multipart.js";
import { parse } from "../validate.js";

const UploadFields = z.object({ agencyId: z.string().min(1) });
const LogoRequest = z.strictObject({ mediaId: z.string().min(1) });

/** Streams a stored file; the sandbox CSP keeps even an SVG from running anything if opened directly. */
function sendFile(res: Response, f: MediaFile): void {
  res.setHeader("content-type", f.mime);
  res.setHeader("content-length", String(f.bytes));
  res.setHeader("content-disposition", `inline; filename*=UTF-8''${encodeURIComponent(f.name)}`);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("content-security-policy", "default-src 'none'; sandbox");
  f.stream.on("error", () => res.destroy());
  f.stream.pipe(res);
}

/** Uploads (`multipart/form-data`: `agencyId`, then `file`), media state and files, cancellation, and media of items. */
export function mediaRoutes(s: Services): Router {
  const r = Router();
  r.post("/media", async (req, res) => {
    const user = userOf(res);
    const { media, created } = await withFilePart(req, res, "file", async (part) => {
      const agencyId = typeof req.query.agencyId === "string" ? req.query.agencyId : part.fields.agencyId;
      if (!agencyId) {
        part.stream.resume();
        throw new AppError("invalid_input", "agencyId: required (send the field before the file)", { field: "agencyId" });
      }
      return s.media.upload(user, parse(UploadFields, { agencyId }).agencyId, part.stream, part.filename);
    });
    // 202: accepted and processing; 200: the agency already had these exact bytes.
    res.status(created ? 202 : 200).json(media);
  });
  r.get("/media", async (req, res) => {
    res.json({ data: await s.media.list(userOf(res), parse(MediaFilter, req.query, "query")) });
  });
  r.get("/media/:id", async (req, res) => {
    res.json(await s.media.get(userOf(res), req.params.id));
  });
  r.get("/media/:id/file", async (req, res) => {
    sendFile(res, await s.media.open(userOf(res), req.params.id));
  });
  r.get("/media/:id/variants/:name", async (req, res) => {
    sendFile(res, await s.media.open(userOf(res), req.params.id, req.params.name));
  });
  r.post("/media/:id/cancel", async (req, res) => {
    res.json(await s.media.cancel(userOf(res), req.params.id));
  });
  r.delete("/media/:id", async (req, res) => {
    await s.media.remove(userOf(res), req.params.id);
    res.status(204).end();
  });
  r.get("/items/:id/media", async (req, res) => {
    res.json({ data: await s.itemMedia.list(userOf(res), req.params.id) });
  });
  r.post("/items/:id/media", async (req, res) => {
    res.json({ data: await s.itemMedia.attach(userOf(res), req.params.id, parse(AttachRequest, req.body)) });
  });
  r.put("/agencies/:id/logo", async (req, res) => {
    await s.media.setLogo(userOf(res), req.params.id, parse(LogoRequest, req.body).mediaId);
    res.status(204).end();
  });
  return r;
}
