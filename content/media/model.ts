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
