import type { Readable } from "node:stream";
import type { MediaKind, Probe } from "../media/model.js";

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
  /**
   * Rewrites in place an upload Loa does not keep as sent into what it keeps: an SVG becomes a PNG
   * (its markup could run in a browser; only its pixels are needed). Answers the file's type now;
   * throws `AppError` (422 naming `file`) when it cannot.
   */
  normalize(file: string, detected: Detected): Promise<Detected>;
  /** Probes and checks the whole file; throws `AppError` (4xx, naming `file`) for what Loa refuses. */
  inspect(file: string, detected: Detected): Promise<Probe>;
  /** Derives the variants; reports progress 0–100; stops (and kills child processes) when `signal` aborts. */
  render(job: RenderJob, progress: (percent: number) => void, signal: AbortSignal): Promise<ProducedVariant[]>;
}

/** A stored object available as a local file for tools that need one (sharp, ffmpeg). */
export interface LocalCopy {
  path: string;
  /** Removes the copy if the store had to make one (a remote store); a no-op for the local disk. */
  release(): Promise<void>;
}

/**
 * Where originals and variants live. Keys are relative paths (`<mediaId>/original`,
 * `<mediaId>/feed.jpg`). The local disk store is the default; an S3-compatible store implements the
 * same five methods (upload a file, download to a temporary file, stream, delete a prefix).
 */
export interface MediaStore {
  /** Moves a finished local file into the store under `key`; the source file is consumed. */
  putFile(key: string, file: string): Promise<void>;
  /** A local file holding the object, for tools that read files. */
  localCopy(key: string): Promise<LocalCopy>;
  /** Streams the object (for downloads). Rejects with ENOENT if it is missing. */
  read(key: string): Promise<{ stream: Readable; bytes: number }>;
  /** Removes every object whose key starts with `prefix` (`<mediaId>/`). */
  deletePrefix(prefix: string): Promise<void>;
  /** The local path of a key when the store is a local disk (adapters may then read it directly). */
  pathOf?(key: string): string;
}
