import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { MediaStore } from "../ports/media.js";

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
