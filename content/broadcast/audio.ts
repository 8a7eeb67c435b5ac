import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import type { AudioMixer, Tts } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { LocalCopy, MediaStore } from "../ports/media.js";
import type { Db } from "../store/db.js";
import type { Script, ScriptPart } from "./scripts.js";

/** An MP3 ready to serve from the media store. */
export interface Mp3 {
  storageKey: string;
  bytes: number;
  durationMs: number;
  /** Synthesised speech (espeak-ng or another engine), not a recording: marked wherever it is shown. */
  synthetic: boolean;
}

export interface AudioDeps {
  db: Db;
  store: MediaStore;
  tts: Tts;
  mixer: AudioMixer;
  clock: Clock;
  /** Work files (the media pipeline's `tmp/`). */
  tmpDir: string;
}

const sha = (parts: unknown[]) => crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex");
/** What an item or part is read as: the text, the voice and its speed. */
export interface Speech {
  text: string;
  voice: string;
  wordsPerMinute: number;
}

/**
 * Audio for the loudspeakers: one MP3 per item — its uploaded recording (the media pipeline's
 * `loudspeaker.mp3`) when it has one, else speech synthesised from its read-aloud text — and one per
 * weekly programme (jingle, opening, the items in slot order, closing, jingle), loudness-normalised.
 * Each MP3 is made once for what went into it (a hash of texts, voice and engine) and kept.
 */
export function createBroadcastAudio({ db, store, tts, mixer, clock, tmpDir }: AudioDeps) {
  const inFlight = new Map<string, Promise<Mp3>>();

  async function cached(key: string): Promise<Mp3 | undefined> {
    const row = await db.selectFrom("broadcast_audio").selectAll().where("key", "=", key).executeTakeFirst();
    return row ? { storageKey: row.storage_key, bytes: row.bytes, durationMs: row.duration_ms, synthetic: row.synthetic === 1 } : undefined;
  }

  /** Makes the MP3 of `key` once (concurrent callers share the work), in a work directory removed after. */
  function once(key: string, synthetic: boolean, make: (dir: string, out: string) => Promise<{ durationMs: number }>): Promise<Mp3> {
    const running = inFlight.get(key);
    if (running) return running;
    const work = (async () => {
      const hit = await cached(key);
      if (hit) return hit;
      const dir = path.join(tmpDir, `broadcast-${key.slice(0, 16)}-${crypto.randomBytes(4).toString("hex")}`);
      await fsp.mkdir(dir, { recursive: true });
      try {
        const out = path.join(dir, "out.mp3");
        const { durationMs } = await make(dir, out);
        const bytes = (await fsp.stat(out)).size;
        const storageKey = `broadcast/${key}.mp3`;
        await store.putFile(storageKey, out);
        const row = {
          key,
          storage_key: storageKey,
          bytes,
          duration_ms: Math.round(durationMs),
          synthetic: synthetic ? 1 : 0,
          created_at: clock.now(),
        };
        await db
          .insertInto("broadcast_audio")
          .values(row)
          .onConflict((oc) => oc.column("key").doNothing())
          .execute();
        return (await cached(key)) ?? { storageKey, bytes, durationMs, synthetic };
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, work);
    return work;
  }

  /** Synthesised speech for a text, normalised for the loudspeakers. */
  function speech(s: Speech): Promise<Mp3> {
    return once(sha(["speech", tts.id, s.voice, s.wordsPerMinute, s.text]), true, async (dir, out) => {
      const wav = path.join(dir, "speech.wav");
      await tts.synthesize(s.text, { voice: s.voice, wordsPerMinute: s.wordsPerMinute }, wav, AbortSignal.timeout(120_000));
      return mixer.toLoudspeakerMp3([wav], out, AbortSignal.timeout(300_000));
    });
  }

  /** The item's recording, if an audio media attached to it is ready: its loudspeaker variant. */
  async function recording(itemId: string): Promise<Mp3 | undefined> {
    const v = await db
      .selectFrom("item_media")
      .innerJoin("media", "media.id", "item_media.media_id")
      .innerJoin("media_variants", "media_variants.media_id", "media.id")
      .select(["media_variants.storage_key", "media_variants.bytes", "media_variants.duration_ms"])
      .where("media.kind", "=", "audio")
      .where("media.status", "=", "ready")
      .where("media_variants.name", "=", "loudspeaker.mp3")
      .where("item_media.item_id", "=", itemId)
      .orderBy("item_media.position")
      .executeTakeFirst();
    return v ? { storageKey: v.storage_key, bytes: Number(v.bytes), durationMs: v.duration_ms ?? 0, synthetic: false } : undefined;
  }

  /** A jingle: a ready audio media of the station's agency. */
  async function jingle(mediaId: string | undefined, agencyId: string): Promise<Mp3 | undefined> {
    if (!mediaId) return undefined;
    const owned = await db.selectFrom("media").select("id").where("id", "=", mediaId).where("agency_id", "=", agencyId).executeTakeFirst();
    if (!owned) return undefined;
    const v = await db
      .selectFrom("media_variants")
      .select(["storage_key", "bytes", "duration_ms"])
      .where("media_id", "=", mediaId)
      .where("name", "=", "loudspeaker.mp3")
      .executeTakeFirst();
    return v ? { storageKey: v.storage_key, bytes: Number(v.bytes), durationMs: v.duration_ms ?? 0, synthetic: false } : undefined;
  }

  async function withCopies<T>(parts: Mp3[], use: (files: string[]) => Promise<T>): Promise<T> {
    const copies: LocalCopy[] = [];
    try {
      for (const p of parts) copies.push(await store.localCopy(p.storageKey));
      return await use(copies.map((c) => c.path));
    } finally {
      for (const c of copies) await c.release();
    }
  }

  const partSpeech = (p: ScriptPart, script: Script): Speech => ({
    text: p.readAloud,
    voice: script.voice,
    wordsPerMinute: script.wordsPerMinute,
  });

  return {
    /** The MP3 of one item: its recording, else its read-aloud text synthesised. */
    async item(itemId: string, s: Speech): Promise<Mp3> {
      return (await recording(itemId)) ?? speech(s);
    },

    /** The week's programme: opening jingle, opening, the items in slot order (addenda last), closing, closing jingle. */
    async programme(script: Script, jingles: { opening?: string | undefined; closing?: string | undefined } = {}): Promise<Mp3> {
      const agencyId = script.station.agency.id;
      const parts: Mp3[] = [];
      const open = await jingle(jingles.opening, agencyId);
      if (open) parts.push(open);
      parts.push(await speech(partSpeech(script.opening, script)));
      for (const e of [...script.entries, ...script.addenda]) {
        parts.push(await this.item(e.itemId, { text: e.readAloud, voice: script.voice, wordsPerMinute: script.wordsPerMinute }));
      }
      parts.push(await speech(partSpeech(script.closing, script)));
      const close = await jingle(jingles.closing, agencyId);
      if (close) parts.push(close);
      const synthetic = parts.some((p) => p.synthetic);
      return once(sha(["programme", parts.map((p) => p.storageKey)]), synthetic, (_dir, out) =>
        withCopies(parts, (files) => mixer.toLoudspeakerMp3(files, out, AbortSignal.timeout(600_000))),
      );
    },

    /** Streams a stored MP3. */
    read: (mp3: Mp3) => store.read(mp3.storageKey),
  };
}
export type BroadcastAudio = ReturnType<typeof createBroadcastAudio>;
