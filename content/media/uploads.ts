// content/media/: uploaded photos, videos and audio — receiving, processing into variants, attaching to
// items, and where the files are stored.
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import type { MediaConfig } from "../config.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError, notFound } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { MediaStore, MediaTools } from "../ports/media.js";
import type { MediaQueue } from "../ports/queues.js";
import type { Db } from "../store/db.js";
import type { MediaRow } from "../store/schema.js";
import { type Media, MediaKind, MediaStatus, toMedia } from "./model.js";
import { formatBytes, type Received, receiveUpload } from "./receive.js";

export const MediaFilter = z.strictObject({
  agencyId: z.string().optional(),
  kind: MediaKind.optional(),
  status: MediaStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type MediaFilter = z.infer<typeof MediaFilter>;

export interface MediaDeps {
  db: Db;
  store: MediaStore;
  tools: MediaTools;
  queue: MediaQueue;
  clock: Clock;
  log: Log;
  config: MediaConfig;
}

/** A readable original or variant, with what an HTTP answer needs. */
export interface MediaFile {
  stream: Readable;
  bytes: number;
  mime: string;
  name: string;
}

const originalKey = (id: string) => `${id}/original`;
const safeName = (name: string | undefined) =>
  (name ?? "upload")
    .normalize("NFC")
    .replace(/[/\\]/g, "_")
    .replace(/\p{Cc}/gu, "_")
    .slice(0, 200) || "upload";

/** Bytes of stored media (originals and variants) of an agency. */
async function storedBytes(db: Db, agencyId: string): Promise<number> {
  const [originals, variants] = await Promise.all([
    db
      .selectFrom("media")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("bytes"), eb.lit(0)).as("n"))
      .where("agency_id", "=", agencyId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("media_variants")
      .innerJoin("media", "media.id", "media_variants.media_id")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("media_variants.bytes"), eb.lit(0)).as("n"))
      .where("media.agency_id", "=", agencyId)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(originals.n) + Number(variants.n);
}

/** Stops an upload as soon as it no longer fits in the agency's quota (`MEDIA_QUOTA_PER_AGENCY`). */
class QuotaGuard extends Transform {
  #bytes = 0;
  constructor(
    private readonly quota: number,
    private readonly used: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    done(this.used + this.#bytes > this.quota ? quotaFull(this.quota, this.used) : null, chunk);
  }
}

const quotaFull = (quota: number, used: number) =>
  new AppError(
    "payload_too_large",
    `the agency's media quota is ${formatBytes(quota)} and ${formatBytes(used)} is used: this file does not fit (delete media the agency no longer needs, or ask an admin to raise MEDIA_QUOTA_PER_AGENCY)`,
    { field: "file", details: { quota, used } },
  );

/** Uploads, reading, cancelling and deleting media; the media worker's part is in `media-process.ts`. */
export function createMediaService(deps: MediaDeps) {
  const { db, store, tools, queue, clock, log, config } = deps;
  const tmpDir = path.join(config.dir, "tmp");

  async function load(actor: Actor, id: string): Promise<MediaRow> {
    const row = visible(actor, await db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirst(), "media");
    return row;
  }

  async function view(row: MediaRow): Promise<Media> {
    const variants = await db.selectFrom("media_variants").selectAll().where("media_id", "=", row.id).orderBy("name").execute();
    return toMedia(row, variants);
  }

  async function enqueue(id: string): Promise<void> {
    try {
      await queue.add(id);
    } catch (err) {
      log.warn({ err, mediaId: id }, "could not queue the media now; the media worker re-adds it at start");
    }
  }

  /** The same bytes from the same agency: answer the stored media (processing it again if it had failed or been cancelled). */
  async function reuse(actor: Actor, existing: MediaRow, received: Received): Promise<{ media: Media; created: boolean }> {
    if (existing.status === "processing" || existing.status === "ready") {
      await fsp.rm(received.file, { force: true });
      return { media: await view(existing), created: false };
    }
    const now = clock.now();
    await store.deletePrefix(`${existing.id}/`);
    await store.putFile(originalKey(existing.id), received.file);
    await db
      .updateTable("media")
      .set({ status: "processing", progress: 0, error: null, updated_at: now })
      .where("id", "=", existing.id)
      .execute();
    await audit(db, actor, "media.reprocess", "media", existing.id, now);
    await enqueue(existing.id);
    return { media: await view(await load(actor, existing.id)), created: true };
  }

  /** What is stored of an upload: an SVG's rendering as a PNG (`logo.svg` → `logo.png`), anything else as sent. */
  async function normalized(name: string, received: Received): Promise<{ name: string; received: Received }> {
    const detected = await tools.normalize(received.file, received.detected);
    if (detected.mime === received.detected.mime) return { name, received };
    const bytes = (await fsp.stat(received.file)).size;
    return { name: `${name.replace(/\.[^.]*$/, "")}.${detected.ext}`, received: { ...received, detected, bytes } };
  }

  async function register(actor: Actor, agencyId: string, sent: string, upload: Received): Promise<{ media: Media; created: boolean }> {
    const { name, received } = await normalized(sent, upload);
    const probe = await tools.inspect(received.file, received.detected);
    const existing = await db
      .selectFrom("media")
      .selectAll()
      .where("agency_id", "=", agencyId)
      .where("sha256", "=", received.sha256)
      .executeTakeFirst();
    if (existing) return reuse(actor, existing, received);
    const now = clock.now();
    const row: MediaRow = {
      id: crypto.randomUUID(),
      agency_id: agencyId,
      kind: received.detected.kind,
      mime: received.detected.mime,
      name,
      bytes: received.bytes,
      sha256: received.sha256,
      storage_key: "",
      probe: JSON.stringify(probe),
      status: "processing",
      progress: 0,
      error: null,
      created_by: actor.role === "system" ? null : actor.id,
      created_at: now,
      updated_at: now,
    };
    row.storage_key = originalKey(row.id);
    await store.putFile(row.storage_key, received.file);
    try {
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("media").values(row).execute();
        await audit(tx, actor, "media.upload", "media", row.id, now, { kind: row.kind, bytes: row.bytes, sha256: row.sha256 });
      });
    } catch (err) {
      await store.deletePrefix(`${row.id}/`);
      // Two identical uploads at once: the unique (agency, sha256) index let one in; answer that one.
      const winner = await db
        .selectFrom("media")
        .selectAll()
        .where("agency_id", "=", agencyId)
        .where("sha256", "=", row.sha256)
        .executeTakeFirst();
      if (winner) return { media: await view(winner), created: false };
      throw err;
    }
    await enqueue(row.id);
    return { media: toMedia(row, []), created: true };
  }

  return {
    /**
     * Streams an upload to disk (never whole in memory), refuses what is empty, too large, of an
     * unknown type, undecodable, a decompression bomb or too long, and queues the rest for processing.
     */
    async upload(actor: Actor, agencyId: string, stream: Readable, fileName?: string): Promise<{ media: Media; created: boolean }> {
      assertCanWrite(actor, agencyId);
      await activeAgency(db, agencyId, clock.now());
      const used = await storedBytes(db, agencyId);
      if (used >= config.quotaPerAgency) throw quotaFull(config.quotaPerAgency, used);
      // Linked both ways: a refusal further down stops the upload stream as before, and the quota's too.
      const limited = pipeline(stream, new QuotaGuard(config.quotaPerAgency, used), () => undefined);
      const received = await receiveUpload(limited, tmpDir, tools.detect, config.maxBytes);
      try {
        return await register(actor, agencyId, safeName(fileName), received);
      } finally {
        await fsp.rm(received.file, { force: true });
      }
    },

    async get(actor: Actor, id: string): Promise<Media> {
      return view(await load(actor, id));
    },

    async list(actor: Actor, f: MediaFilter): Promise<Media[]> {
      let q = visibleOnly(actor, db.selectFrom("media").selectAll());
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      if (f.kind) q = q.where("kind", "=", f.kind);
      if (f.status) q = q.where("status", "=", f.status);
      const rows = await q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
      return Promise.all(rows.map(view));
    },

    /** The original (no variant name) or one variant, as a stream. */
    async open(actor: Actor, id: string, variant?: string): Promise<MediaFile> {
      const row = await load(actor, id);
      if (variant === undefined) {
        const { stream, bytes } = await store.read(row.storage_key);
        return { stream, bytes, mime: row.mime, name: row.name };
      }
      const v = await db.selectFrom("media_variants").selectAll().where("media_id", "=", id).where("name", "=", variant).executeTakeFirst();
      if (!v) throw notFound("variant", "name");
      const { stream, bytes } = await store.read(v.storage_key);
      return { stream, bytes, mime: v.mime, name: v.name };
    },

    /** Stops processing: the worker sees the status change within a second, kills its tools and removes its work files. */
    async cancel(actor: Actor, id: string): Promise<Media> {
      const row = await load(actor, id);
      assertCanWrite(actor, row.agency_id);
      const now = clock.now();
      const updated = await db
        .updateTable("media")
        .set({ status: "cancelled", error: `cancelled by ${actor.name}`, updated_at: now })
        .where("id", "=", id)
        .where("status", "=", "processing")
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw new AppError("conflict", `the media is ${row.status}, not processing`, { field: "status" });
      await queue.remove(id).catch(() => undefined);
      await audit(db, actor, "media.cancel", "media", id, now);
      return view(updated);
    },

    /** Deletes a media that no item carries: stops its processing, then removes its rows and files. */
    async remove(actor: Actor, id: string): Promise<void> {
      const row = await load(actor, id);
      assertCanWrite(actor, row.agency_id);
      const used = await db.selectFrom("item_media").select("item_id").where("media_id", "=", id).executeTakeFirst();
      if (used) throw new AppError("conflict", `the media is attached to item ${used.item_id}`, { field: "id" });
      const logo = await db.selectFrom("agency_logos").select("agency_id").where("media_id", "=", id).executeTakeFirst();
      if (logo) throw new AppError("conflict", `the media is the logo of agency ${logo.agency_id}`, { field: "id" });
      const now = clock.now();
      await db
        .updateTable("media")
        .set({ status: "cancelled", updated_at: now })
        .where("id", "=", id)
        .where("status", "=", "processing")
        .execute();
      await queue.remove(id).catch(() => undefined);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("media_variants").where("media_id", "=", id).execute();
        await tx.deleteFrom("media").where("id", "=", id).execute();
        await audit(tx, actor, "media.delete", "media", id, now, { sha256: row.sha256 });
      });
      await store.deletePrefix(`${id}/`);
    },

    /** Sets the agency's watermark logo: a ready image of that agency (a PNG or SVG with transparency is best). */
    async setLogo(actor: Actor, agencyId: string, mediaId: string): Promise<void> {
      assertCanWrite(actor, agencyId);
      const m = await db.selectFrom("media").selectAll().where("id", "=", mediaId).executeTakeFirst();
      if (!m || m.agency_id !== agencyId) throw new AppError("unprocessable", "no media of this agency has that id", { field: "mediaId" });
      if (m.kind !== "image" || m.status !== "ready") {
        throw new AppError("unprocessable", `a logo must be a ready image (this is a ${m.status} ${m.kind})`, { field: "mediaId" });
      }
      const now = clock.now();
      const values = { agency_id: agencyId, media_id: mediaId, updated_at: now };
      await db
        .insertInto("agency_logos")
        .values(values)
        .onConflict((oc) => oc.column("agency_id").doUpdateSet({ media_id: mediaId, updated_at: now }))
        .execute();
      await audit(db, actor, "agency.logo", "agency", agencyId, now, { mediaId });
    },
  };
}
export type MediaService = ReturnType<typeof createMediaService>;
