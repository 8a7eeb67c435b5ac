import type { Response } from "express";
import { z } from "zod";
import { AppError } from "../../content/errors.js";
import { AttachRequest } from "../../content/media/attachments.js";
import { type MediaFile, MediaFilter } from "../../content/media/uploads.js";
import type { Services } from "../../content/services.js";
import { writersOnly } from "../auth.js";
import { withFilePart } from "../multipart.js";
import { type Route, route } from "../route.js";
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
export function mediaRoutes(s: Services): Route[] {
  return [
    route({
      method: "post",
      path: "/media",
      summary: "Upload a photo, video or audio file (multipart: agencyId, then file)",
      bodyType: "multipart",
      guard: writersOnly,
      handle: async ({ req, res, user }) => {
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
      },
    }),
    route({
      method: "get",
      path: "/media",
      summary: "List media",
      query: MediaFilter,
      handle: async ({ user, query }) => ({ data: await s.media.list(user, query) }),
    }),
    route({
      method: "get",
      path: "/media/:id",
      summary: "One media: status, progress, probe and variants",
      handle: ({ user, params }) => s.media.get(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/media/:id/file",
      summary: "The uploaded file",
      handle: async ({ user, params, res }) => sendFile(res, await s.media.open(user, params.id ?? "")),
    }),
    route({
      method: "get",
      path: "/media/:id/variants/:name",
      summary: "A derived variant (sizes, transcodes, audio)",
      handle: async ({ user, params, res }) => sendFile(res, await s.media.open(user, params.id ?? "", params.name)),
    }),
    route({
      method: "post",
      path: "/media/:id/cancel",
      summary: "Stop processing a media",
      handle: ({ user, params }) => s.media.cancel(user, params.id ?? ""),
    }),
    route({
      method: "delete",
      path: "/media/:id",
      summary: "Delete a media not attached to anything published",
      status: 204,
      handle: async ({ user, params }) => {
        await s.media.remove(user, params.id ?? "");
      },
    }),
    route({
      method: "get",
      path: "/items/:id/media",
      summary: "The media attached to an item",
      handle: async ({ user, params }) => ({ data: await s.itemMedia.list(user, params.id ?? "") }),
    }),
    route({
      method: "post",
      path: "/items/:id/media",
      summary: "Attach media to an item",
      body: AttachRequest,
      handle: async ({ user, params, body }) => ({ data: await s.itemMedia.attach(user, params.id ?? "", body) }),
    }),
    route({
      method: "put",
      path: "/agencies/:id/logo",
      summary: "Set the agency's watermark logo",
      status: 204,
      body: LogoRequest,
      handle: async ({ user, params, body }) => {
        await s.media.setLogo(user, params.id ?? "", body.mediaId);
      },
    }),
  ];
}
