import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import type { Binaries } from "./ffmpeg.js";

/** Where a binary came from: the setting (`FFMPEG_PATH`/`FFPROBE_PATH`), the system's `PATH`, or the npm package. */
export type BinarySource = "configured" | "system" | "npm";

export interface ResolvedBinaries extends Binaries {
  source: { ffmpeg: BinarySource; ffprobe: BinarySource };
  /** The first line of `-version` (`ffmpeg version 5.1.8-0+deb12u1 …`), or why it could not be run. */
  versions: { ffmpeg: string; ffprobe: string };
}

const NPM_PACKAGES = { ffmpeg: "@ffmpeg-installer/ffmpeg", ffprobe: "@ffprobe-installer/ffprobe" } as const;

/** The first line of `<bin> -version`, or undefined when the binary cannot be run. */
export function binaryVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ["-version"], { encoding: "utf8", timeout: 10_000 });
  if (r.error || r.status !== 0) return undefined;
  const first = r.stdout.split("\n", 1)[0]?.trim();
  return first || undefined;
}

/** The binary an npm installer package ships for this platform (its `.path`), if it installed. */
export function npmBinary(tool: keyof typeof NPM_PACKAGES): string | undefined {
  try {
    const pkg = createRequire(import.meta.url)(NPM_PACKAGES[tool]) as { path?: string };
    return pkg.path;
  } catch {
    return undefined; // no build for this platform, or the optional package was not installed
  }
}

function resolveOne(tool: "ffmpeg" | "ffprobe", configured: string | undefined): { path: string; source: BinarySource; version: string } {
  if (configured) return { path: configured, source: "configured", version: binaryVersion(configured) ?? "not runnable" };
  const system = binaryVersion(tool);
  if (system) return { path: tool, source: "system", version: system };
  const npm = npmBinary(tool);
  const version = npm ? binaryVersion(npm) : undefined;
  if (npm && version) return { path: npm, source: "npm", version };
  // Nothing runs: keep the plain name, so the error a media job reports names the missing tool.
  return { path: tool, source: "system", version: "not found" };
}

/**
 * Which ffmpeg and ffprobe Loa runs: the configured ones; else the system's (Debian's 5.1, the first
 * choice: current decoders for untrusted uploads); else the binaries the npm packages
 * `@ffmpeg-installer/ffmpeg` (a 2018 static build) and `@ffprobe-installer/ffprobe` (2023) ship. The
 * two are chosen independently, so a machine with only the npm packages still probes uploads with the
 * newer ffprobe before the older ffmpeg decodes them.
 */
export function resolveBinaries(configured: { ffmpeg?: string | undefined; ffprobe?: string | undefined } = {}): ResolvedBinaries {
  const ffmpeg = resolveOne("ffmpeg", configured.ffmpeg);
  const ffprobe = resolveOne("ffprobe", configured.ffprobe);
  return {
    ffmpeg: ffmpeg.path,
    ffprobe: ffprobe.path,
    source: { ffmpeg: ffmpeg.source, ffprobe: ffprobe.source },
    versions: { ffmpeg: ffmpeg.version, ffprobe: ffprobe.version },
  };
}
