import { z } from "zod";
import type { MediaRow, MediaVariantRow } from "../store/schema.js";

export const MediaKind = z.enum(["image", "video", "audio"]);
export type MediaKind = z.infer<typeof MediaKind>;

/** `processing` until the media worker has derived every variant; `cancelled` by a user; `failed` with `error`. */
export const MediaStatus = z.enum(["processing", "ready", "failed", "cancelled"]);
export type MediaStatus = z.infer<typeof MediaStatus>;

/** What a probe found in the original (ffprobe for audio/video, sharp for images). */
export interface Probe {
  format: string;
  width?: number;
  height?: number;
  durationMs?: number;
  videoCodec?: string;
  audioCodec?: string;
  frameRate?: number;
  audioChannels?: number;
  sampleRate?: number;
  /** Images: the EXIF orientation the variants were turned by. */
  orientation?: number;
}

export interface MediaVariant {
  /** The file name: `<profile>.<ext>`, e.g. `feed.webp`, `web720.mp4`, `loudspeaker.mp3`. */
  name: string;
  profile: string;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** Where the API serves it (bearer token required). */
  url: string;
  /** The store key; adapters read the file through the media store. */
  key: string;
}

export interface Media {
  id: string;
  agencyId: string;
  kind: MediaKind;
  mime: string;
  name: string;
  bytes: number;
  sha256: string;
  status: MediaStatus;
  /** 0–100 while processing; 100 when ready. */
  progress: number;
  error: string | null;
  probe: Probe;
  url: string;
  variants: MediaVariant[];
  createdAt: Date;
  updatedAt: Date;
}

/** The content type of an upload, detected from its bytes. */
export interface Detected {
  kind: MediaKind;
  mime: string;
  ext: string;
}

/** One file a renderer produced in its work directory, before it is moved into the store. */
export interface ProducedVariant {
  name: string;
  profile: string;
  mime: string;
  file: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

export interface RenderJob {
  mediaId: string;
  kind: MediaKind;
  mime: string;
  input: string;
  probe: Probe;
  /** A fresh directory for the outputs; removed by the caller whatever happens. */
  outDir: string;
  /** A logo (with alpha) to stamp on the profiles configured for watermarks. */
  watermark?: string;
}

/**
 * What the domain needs from the media tools (sharp, ffmpeg). `workers/media/` implements it;
 * `content/` never imports those libraries.
 */
export interface MediaTools {
  /** Detects the type from the first bytes of a file (at least 4 KiB when the file is that long). */
  detect(head: Uint8Array): Promise<Detected | undefined>;
  /** Probes and checks the whole file; throws `AppError` (4xx, naming `file`) for what Loa refuses. */
  inspect(file: string, detected: Detected): Promise<Probe>;
  /** Derives the variants; reports progress 0–100; stops (and kills child processes) when `signal` aborts. */
  render(job: RenderJob, progress: (percent: number) => void, signal: AbortSignal): Promise<ProducedVariant[]>;
}

/** The work list of media to process (BullMQ in `workers/`); adding a media already listed is a no-op. */
export interface MediaQueue {
  add(mediaId: string): Promise<void>;
  remove(mediaId: string): Promise<void>;
}

export const mediaUrl = (id: string) => `/api/media/${id}/file`;
export const variantUrl = (id: string, name: string) => `/api/media/${id}/variants/${name}`;

export function toVariant(r: MediaVariantRow): MediaVariant {
  return {
    name: r.name,
    profile: r.profile,
    mime: r.mime,
    bytes: Number(r.bytes),
    width: r.width,
    height: r.height,
    durationMs: r.duration_ms,
    url: variantUrl(r.media_id, r.name),
    key: r.storage_key,
  };
}

export function toMedia(r: MediaRow, variants: MediaVariantRow[]): Media {
  return {
    id: r.id,
    agencyId: r.agency_id,
    kind: r.kind as MediaKind,
    mime: r.mime,
    name: r.name,
    bytes: Number(r.bytes),
    sha256: r.sha256,
    status: r.status as MediaStatus,
    progress: r.progress,
    error: r.error,
    probe: JSON.parse(r.probe) as Probe,
    url: mediaUrl(r.id),
    variants: variants.map(toVariant),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The media of an item as an adapter sees them: variants by name, with their store key and API URL. */
export type PublishMedia = Pick<Media, "id" | "kind" | "mime" | "name" | "probe" | "variants">;
