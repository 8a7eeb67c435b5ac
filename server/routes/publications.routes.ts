import { z } from "zod";
import { MAX_EVIDENCE_BYTES, NewPublication, PublicationFilter } from "../../content/compliance/evidence.js";
import type { Services } from "../../content/services.js";
import { writersOnly } from "../auth.js";
import { type Route, route } from "../route.js";

const EvidenceQuery = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^/\\\0]+$/, "a file name without slashes")
    .default("evidence"),
});

/** Publications that count for compliance, and self-reported evidence with its files. */
export function publicationRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/publications",
      summary: "Publications that count for compliance (by Loa and self-reported)",
      query: PublicationFilter,
      handle: async ({ user, query }) => ({ data: await s.evidence.list(user, query) }),
    }),
    route({
      method: "post",
      path: "/publications",
      summary: "Self-report a publication made outside Loa",
      body: NewPublication,
      status: 201,
      handle: ({ user, body }) => s.evidence.record(user, body),
    }),
    route({
      method: "get",
      path: "/publications/:id",
      summary: "One publication",
      handle: ({ user, params }) => s.evidence.get(user, params.id ?? ""),
    }),
    route({
      method: "delete",
      path: "/publications/:id",
      summary: "Withdraw a self-reported publication",
      status: 204,
      handle: async ({ user, params }) => {
        await s.evidence.remove(user, params.id ?? "");
      },
    }),
    route({
      method: "put",
      path: "/publications/:id/evidence",
      summary: "Attach the evidence file (raw bytes, with their content type; ≤ 20 MB)",
      bodyType: "raw",
      rawLimit: MAX_EVIDENCE_BYTES,
      guard: writersOnly,
      query: EvidenceQuery,
      handle: async ({ user, params, query, req }) => {
        const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const type = req.get("content-type") ?? "application/octet-stream";
        return s.evidence.attach(user, params.id ?? "", { name: query.name.normalize("NFC"), type, data });
      },
    }),
    route({
      method: "get",
      path: "/publications/:id/evidence",
      summary: "The evidence file",
      handle: async ({ user, params, res }) => {
        const file = await s.evidence.file(user, params.id ?? "");
        res.type(file.type).attachment(file.name).sendFile(file.path);
      },
    }),
  ];
}
