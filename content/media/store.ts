import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

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

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*\/?$/;

function checked(key: string): string {
  if (!SAFE_KEY.test(key) || key.split("/").includes("..")) throw new Error(`unsafe media key ${JSON.stringify(key)}`);
  return key;
}

/** Files under `root`, one directory per media. Work files are written beside it (same file system), so `putFile` is a rename. */
export function createDiskStore(root: string): MediaStore {
  const full = (key: string) => path.join(root, checked(key));
  return {
    async putFile(key, file) {
      const target = full(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      try {
        await fsp.rename(file, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
        await fsp.copyFile(file, target);
        await fsp.rm(file, { force: true });
      }
    },
    async localCopy(key) {
      const p = full(key);
      await fsp.access(p, fs.constants.R_OK);
      return { path: p, release: async () => {} };
    },
    async read(key) {
      const p = full(key);
      const stat = await fsp.stat(p);
      return { stream: fs.createReadStream(p), bytes: stat.size };
    },
    async deletePrefix(prefix) {
      const p = full(prefix);
      if (prefix.endsWith("/")) await fsp.rm(p, { recursive: true, force: true });
      else await fsp.rm(p, { force: true });
    },
    pathOf: full,
  };
}
