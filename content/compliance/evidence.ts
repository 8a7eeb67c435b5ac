import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, ChannelKind } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { PublicationRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { Instant, localDate } from "../time.js";
import { deletePublication, insertPublication, type Publication, toPublication } from "./ledger.js";

export const NewPublication = z.strictObject({
  itemId: z.string().min(1),
  channelKind: ChannelKind,
  publishedAt: Instant,
  url: z
    .url({ protocol: /^https?$/, error: "an http(s) URL" })
    .max(2_000)
    .optional(),
  note: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().max(2_000))
    .optional(),
});
export type NewPublication = z.infer<typeof NewPublication>;

export const PublicationFilter = z.strictObject({
  agencyId: z.string().optional(),
  itemId: z.string().optional(),
  selfReported: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PublicationFilter = z.infer<typeof PublicationFilter>;

/** A time this far ahead of the clock is still "now" (clock skew between the officer's device and Loa). */
const FUTURE_GRACE_MS = 60_000;
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

/**
 * Evidence of work done outside Loa (a programme the station aired, news read on the loudspeakers, an
 * event on 10/10): a publication of an item on a channel kind at a past time, marked self-reported,
 * optionally with a file (minutes, a photo, a recording) stored by its SHA-256 under `dir`.
 */
export function createEvidenceService(db: Db, clock: Clock, dir: string) {
  async function load(actor: Actor, id: string): Promise<PublicationRow> {
    const row = visible(actor, await db.selectFrom("publications").selectAll().where("id", "=", id).executeTakeFirst(), "publication");
    return row;
  }

  async function loadSelfReported(actor: Actor, id: string): Promise<PublicationRow> {
    const row = await load(actor, id);
    assertCanWrite(actor, row.agency_id);
    if (row.self_reported !== 1) {
      throw new AppError("conflict", "a publication made by Loa is not evidence and cannot be changed", { field: "id" });
    }
    return row;
  }

  return {
    async record(actor: Actor, input: NewPublication): Promise<Publication> {
      const now = clock.now();
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id", "kind"]).where("id", "=", input.itemId).executeTakeFirst(),
        "item",
        "itemId",
      );
      assertCanWrite(actor, item.agency_id, "itemId");
      if (input.publishedAt.getTime() > now.getTime() + FUTURE_GRACE_MS) {
        throw new AppError("unprocessable", "evidence records what was published: publishedAt is in the future", { field: "publishedAt" });
      }
      const agency = await db.selectFrom("agencies").selectAll().where("id", "=", item.agency_id).executeTakeFirstOrThrow();
      const day = localDate(input.publishedAt);
      if (day < agency.valid_from || (agency.valid_to !== null && day > agency.valid_to)) {
        throw new AppError("unprocessable", `${agency.name} did not exist on ${day}`, { field: "publishedAt" });
      }
      const duplicate = await db
        .selectFrom("publications")
        .select("id")
        .where("item_id", "=", item.id)
        .where("channel_kind", "=", input.channelKind)
        .where("published_at", "=", input.publishedAt)
        .executeTakeFirst();
      if (duplicate) throw new AppError("conflict", `already recorded as publication ${duplicate.id}`, { field: "publishedAt" });
      const tasks = (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", item.id).execute()).map(
        (r) => r.task_code,
      );
      const row: PublicationRow = {
        id: crypto.randomUUID(),
        agency_id: item.agency_id,
        item_id: item.id,
        channel_kind: input.channelKind,
        channel_id: null,
        delivery_id: null,
        published_at: input.publishedAt,
        url: input.url ?? null,
        self_reported: 1,
        note: input.note || null,
        evidence_name: null,
        evidence_type: null,
        evidence_sha256: null,
        evidence_bytes: null,
        recorded_by: actor.id,
        created_at: now,
        source: null,
      };
      await insertPublication(db, row, item.kind, tasks);
      await audit(db, actor, "publication.report", "publication", row.id, now, {
        itemId: item.id,
        channelKind: input.channelKind,
        publishedAt: input.publishedAt.toISOString(),
      });
      return toPublication(row);
    },

    async get(actor: Actor, id: string): Promise<Publication> {
      return toPublication(await load(actor, id));
    },

    async list(actor: Actor, f: PublicationFilter): Promise<Publication[]> {
      let q = visibleOnly(actor, db.selectFrom("publications").selectAll());
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      if (f.itemId) q = q.where("item_id", "=", f.itemId);
      if (f.selfReported) q = q.where("self_reported", "=", f.selfReported === "true" ? 1 : 0);
      const rows = await q.orderBy("published_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
      return rows.map(toPublication);
    },

    /** Withdraws self-reported evidence. Periods already closed keep counting it; their audit view shows the difference. */
    async remove(actor: Actor, id: string): Promise<void> {
      const row = await loadSelfReported(actor, id);
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        await deletePublication(tx, id, row.item_id);
        await audit(tx, actor, "publication.withdraw", "publication", id, now, {
          itemId: row.item_id,
          publishedAt: row.published_at.toISOString(),
        });
      });
    },

    /** Attaches a file to self-reported evidence, replacing an earlier one. */
    async attach(actor: Actor, id: string, file: { name: string; type: string; data: Buffer }): Promise<Publication> {
      await loadSelfReported(actor, id);
      if (file.data.length === 0) throw new AppError("invalid_input", "the file is empty", { field: "body" });
      if (file.data.length > MAX_EVIDENCE_BYTES) throw new AppError("invalid_input", "the file is larger than 20 MB", { field: "body" });
      const sha256 = crypto.createHash("sha256").update(file.data).digest("hex");
      fs.mkdirSync(dir, { recursive: true });
      const target = path.join(dir, sha256);
      if (!fs.existsSync(target)) {
        fs.writeFileSync(`${target}.part`, file.data);
        fs.renameSync(`${target}.part`, target);
      }
      const now = clock.now();
      const row = await db
        .updateTable("publications")
        .set({ evidence_name: file.name, evidence_type: file.type, evidence_sha256: sha256, evidence_bytes: file.data.length })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(db, actor, "publication.evidence", "publication", id, now, { name: file.name, sha256, bytes: file.data.length });
      return toPublication(row);
    },

    /** The evidence file of a publication, for download. */
    async file(actor: Actor, id: string): Promise<{ path: string; name: string; type: string }> {
      const p = toPublication(await load(actor, id));
      if (!p.evidence) throw notFound("evidence file");
      return { path: path.join(dir, p.evidence.sha256), name: p.evidence.name, type: p.evidence.type };
    },
  };
}
export type EvidenceService = ReturnType<typeof createEvidenceService>;
