import express, { Router } from "express";
import { z } from "zod";
import { MAX_EVIDENCE_BYTES, NewPublication, PublicationFilter } from "../../content/compliance/evidence.js";
import type { Services } from "../../content/services.js";
import { userOf } from "../auth.js";
import { parse } from "../validate.js";

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
export function publicationRoutes(s: Services): Router {
  const r = Router();
  r.get("/publications", async (req, res) => {
    res.json({ data: await s.evidence.list(userOf(res), parse(PublicationFilter, req.query, "query")) });
  });
  r.post("/publications", async (req, res) => {
    res.status(201).json(await s.evidence.record(userOf(res), parse(NewPublication, req.body)));
  });
  r.get("/publications/:id", async (req, res) => {
    res.json(await s.evidence.get(userOf(res), req.params.id));
  });
  r.delete("/publications/:id", async (req, res) => {
    await s.evidence.remove(userOf(res), req.params.id);
    res.status(204).end();
  });
  r.put("/publications/:id/evidence", express.raw({ type: () => true, limit: MAX_EVIDENCE_BYTES }), async (req, res) => {
    const { name } = parse(EvidenceQuery, req.query, "query");
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = req.get("content-type") ?? "application/octet-stream";
    res.json(await s.evidence.attach(userOf(res), req.params.id, { name: name.normalize("NFC"), type, data }));
  });
  r.get("/publications/:id/evidence", async (req, res) => {
    const file = await s.evidence.file(userOf(res), req.params.id);
    res.type(file.type).attachment(file.name).sendFile(file.path);
  });
  return r;
}
