import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors.js";
import type { Detected, MediaTools } from "../ports/media.js";
import type { MediaKind } from "./model.js";

/** file-type needs this many bytes to recognise every format it knows. */
const SNIFF_BYTES = 4_100;

export interface Received {
  file: string;
  bytes: number;
  sha256: string;
  detected: Detected;
}

export function formatBytes(n: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/**
 * Hashes and counts the bytes as they pass, detects the type from the first 4 KiB, and stops the
 * stream as soon as it is longer than the limit of that type (or than the largest limit, before the
 * type is known).
 */
class UploadGuard extends Transform {
  readonly hash = crypto.createHash("sha256");
  bytes = 0;
  detected: Detected | undefined;
  #head: Buffer[] = [];
  #limit: number;

  constructor(
    private readonly detect: MediaTools["detect"],
    private readonly maxBytes: Record<MediaKind, number>,
  ) {
    super();
    this.#limit = Math.max(...Object.values(maxBytes));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.bytes > this.#limit) {
      done(this.#tooLarge());
    } else if (this.detected) {
      done(null, chunk);
    } else {
      this.#head.push(chunk);
      if (this.bytes < SNIFF_BYTES) done();
      else this.#sniff().then(() => done(this.bytes > this.#limit ? this.#tooLarge() : null), done);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.bytes === 0) done(new AppError("invalid_input", "the file is empty (0 bytes)", { field: "file" }));
    else if (this.detected) done();
    else this.#sniff().then(() => done(), done);
  }

  async #sniff(): Promise<void> {
    const head = Buffer.concat(this.#head);
    this.#head = [];
    const detected = await this.detect(head);
    if (!detected) {
      throw new AppError(
        "unsupported_media_type",
        "the file is not an image, video or audio format Loa accepts (detected from its content)",
        {
          field: "file",
        },
      );
    }
    this.detected = detected;
    this.#limit = this.maxBytes[detected.kind];
    this.push(head);
  }

  #tooLarge(): AppError {
    const what = this.detected ? `${this.detected.kind} file` : "file";
    return new AppError("payload_too_large", `the ${what} is larger than the ${formatBytes(this.#limit)} allowed`, { field: "file" });
  }
}

/** Streams an upload to a new file under `tmpDir`; on any failure the partial file is removed. */
export async function receiveUpload(
  stream: Readable,
  tmpDir: string,
  detect: MediaTools["detect"],
  maxBytes: Record<MediaKind, number>,
): Promise<Received> {
  await fsp.mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `upload-${crypto.randomUUID()}`);
  const guard = new UploadGuard(detect, maxBytes);
  try {
    await pipeline(stream, guard, fs.createWriteStream(file, { flags: "wx" }));
  } catch (err) {
    await fsp.rm(file, { force: true });
    throw err;
  }
  if (!guard.detected) {
    await fsp.rm(file, { force: true });
    throw new AppError("invalid_input", "the file is empty (0 bytes)", { field: "file" });
  }
  return { file, bytes: guard.bytes, sha256: guard.hash.digest("hex"), detected: guard.detected };
}
