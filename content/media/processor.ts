import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.js";
import type { LocalCopy, ProducedVariant } from "../ports/media.js";
import type { MediaVariantRow } from "../store/schema.js";
import type { MediaKind, Probe } from "./model.js";
import type { MediaDeps } from "./uploads.js";

/** When a work file, or the newest file in a work directory, was last written. */
async function lastTouched(p: string): Promise<number | undefined> {
  const stat = await fsp.stat(p).catch(() => undefined);
  if (!stat?.isDirectory()) return stat?.mtimeMs;
  const inside = await fsp.readdir(p).catch(() => [] as string[]);
  const times = await Promise.all(
    inside.map((n) =>
      fsp.stat(path.join(p, n)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(stat.mtimeMs, ...times);
}

/** How often a running job saves its progress and looks whether it was cancelled. */
const WATCH_MS = 500;

/** `interrupted`: the process is stopping; the media stays `processing` and is taken up again at the next start. */
export type ProcessOutcome = "ready" | "failed" | "cancelled" | "skipped" | "interrupted";

/**
 * The media worker's use case: derives the variants of one media in a work directory, moves them
 * into the store and marks the media ready. A cancellation (the status leaves `processing`) aborts
 * the tools; the work directory is removed whatever happens.
 */
export function createMediaProcessor(deps: Omit<MediaDeps, "queue">) {
  const { db, store, tools, clock, log, config } = deps;
  const tmpDir = path.join(config.dir, "tmp");
  const running = new Set<AbortController>();
  let stopping = false;

  /** Saves progress while the media is still processing; answers false once it is not (cancelled, deleted). */
  async function saveProgress(id: string, progress: number): Promise<boolean> {
    const r = await db
      .updateTable("media")
      .set({ progress, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "=", "processing")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Runs `work` while a timer saves progress and aborts `work` if the media stops being `processing`. */
  async function watched<T>(id: string, work: (progress: (p: number) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    running.add(controller);
    let latest = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const p = latest;
      saveProgress(id, p)
        .then((still) => {
          if (!still) controller.abort(new AppError("conflict", "the media is no longer processing"));
        })
        .catch((err) => log.warn({ err, mediaId: id }, "could not save media progress"))
        .finally(() => {
          busy = false;
        });
    }, WATCH_MS);
    try {
      return await work((p) => {
        latest = Math.max(latest, Math.min(99, Math.floor(p)));
      }, controller.signal);
    } finally {
      clearInterval(timer);
      running.delete(controller);
    }
  }

  async function logoFor(agencyId: string, kind: MediaKind): Promise<LocalCopy | undefined> {
    if (kind !== "image" || config.watermarkProfiles.length === 0) return undefined;
    const logo = await db
      .selectFrom("agency_logos")
      .innerJoin("media_variants", "media_variants.media_id", "agency_logos.media_id")
      .select("media_variants.storage_key")
      .where("agency_logos.agency_id", "=", agencyId)
      .where("media_variants.name", "=", "original.webp")
      .executeTakeFirst();
    return logo ? store.localCopy(logo.storage_key) : undefined;
  }

  async function keep(id: string, produced: ProducedVariant[]): Promise<MediaVariantRow[]> {
    const rows: MediaVariantRow[] = [];
    for (const v of produced) {
      const stat = await fsp.stat(v.file);
      const key = `${id}/${v.name}`;
      await store.putFile(key, v.file);
      rows.push({
        media_id: id,
        name: v.name,
        profile: v.profile,
        mime: v.mime,
        storage_key: key,
        bytes: stat.size,
        width: v.width,
        height: v.height,
        duration_ms: v.durationMs === null ? null : Math.round(v.durationMs),
        created_at: clock.now(),
      });
    }
    return rows;
  }

  /** Marks the media ready with its variants, unless it was cancelled or deleted meanwhile (then the files go). */
  async function commit(id: string, rows: MediaVariantRow[]): Promise<boolean> {
    const done = await db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable("media")
        .set({ status: "ready", progress: 100, error: null, updated_at: clock.now() })
        .where("id", "=", id)
        .where("status", "=", "processing")
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await tx.deleteFrom("media_variants").where("media_id", "=", id).execute();
      if (rows.length) await tx.insertInto("media_variants").values(rows).execute();
      return true;
    });
    if (!done) for (const r of rows) await store.deletePrefix(r.storage_key);
    return done;
  }

  async function fail(id: string, message: string): Promise<void> {
    await db
      .updateTable("media")
      .set({ status: "failed", error: message, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "=", "processing")
      .execute();
  }

  return {
    async process(id: string): Promise<ProcessOutcome> {
      const row = await db.selectFrom("media").selectAll().where("id", "=", id).executeTakeFirst();
      if (row?.status !== "processing") return "skipped";
      const outDir = path.join(tmpDir, `work-${id}-${crypto.randomBytes(4).toString("hex")}`);
      let input: LocalCopy | undefined;
      let logo: LocalCopy | undefined;
      try {
        input = await store.localCopy(row.storage_key);
        logo = await logoFor(row.agency_id, row.kind as MediaKind);
        await fsp.mkdir(outDir, { recursive: true });
        const job = {
          mediaId: id,
          kind: row.kind as MediaKind,
          mime: row.mime,
          input: input.path,
          probe: JSON.parse(row.probe) as Probe,
          outDir,
          ...(logo ? { watermark: logo.path } : {}),
        };
        const produced = await watched(id, (progress, signal) => tools.render(job, progress, signal));
        return (await commit(id, await keep(id, produced))) ? "ready" : "cancelled";
      } catch (err) {
        if (stopping) return "interrupted";
        const current = await db.selectFrom("media").select("status").where("id", "=", id).executeTakeFirst();
        if (current?.status !== "processing") return "cancelled";
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ mediaId: id, err: message }, "media processing failed");
        await fail(id, message);
        return "failed";
      } finally {
        await fsp.rm(outDir, { recursive: true, force: true });
        await input?.release();
        await logo?.release();
      }
    },

    /** Aborts the running jobs (their tools are killed, their work files removed) because the process stops. */
    stop(): void {
      stopping = true;
      for (const c of running) c.abort(new Error("the worker is stopping"));
    },

    /** Removes work files older than `maxAgeMs` left by a process that died mid-upload or mid-job. */
    async sweep(maxAgeMs: number): Promise<number> {
      const entries = await fsp.readdir(tmpDir).catch(() => [] as string[]);
      let removed = 0;
      for (const name of entries) {
        const p = path.join(tmpDir, name);
        const touched = await lastTouched(p);
        if (touched === undefined || clock.now().getTime() - touched < maxAgeMs) continue;
        await fsp.rm(p, { recursive: true, force: true });
        removed++;
      }
      if (removed) log.warn({ removed }, "removed stale media work files");
      return removed;
    },

    /** Media still `processing` (their jobs may have been lost with Redis): the worker re-adds them at start. */
    async pending(): Promise<string[]> {
      return (await db.selectFrom("media").select("id").where("status", "=", "processing").orderBy("created_at").execute()).map(
        (r) => r.id,
      );
    },
  };
}
export type MediaProcessor = ReturnType<typeof createMediaProcessor>;
