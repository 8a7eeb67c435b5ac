import path from "node:path";
import type { Probe } from "../../content/media/model.js";
import type { ProducedVariant, RenderJob } from "../../content/ports/media.js";
import { type Binaries, ffmpeg } from "./ffmpeg.js";
import { ffprobe, probeAndCheck } from "./probe.js";

export type VideoProfileName = "web720" | "youtube1080" | "vertical";

export interface VideoProfile {
  profile: VideoProfileName;
  width: number;
  height: number;
  crf: number;
  audioBitrate: string;
  /** `fit`: scaled to fit inside, never upscaled; `blur`: the frame fills a vertical canvas over a blurred copy of itself. */
  layout: "fit" | "blur";
}

/** Web 720p for portals and social posts, 1080p for YouTube, and 1080×1920 for vertical short clips. */
export const VIDEO_PROFILES: Record<VideoProfileName, VideoProfile> = {
  web720: { profile: "web720", width: 1280, height: 720, crf: 23, audioBitrate: "128k", layout: "fit" },
  youtube1080: { profile: "youtube1080", width: 1920, height: 1080, crf: 20, audioBitrate: "192k", layout: "fit" },
  vertical: { profile: "vertical", width: 1080, height: 1920, crf: 23, audioBitrate: "128k", layout: "blur" },
};

/**
 * Rounds the frame down to even dimensions (yuv420p needs them). A second `scale` rather than
 * `force_divisible_by=2`, which ffmpeg has only since 4.3: the npm fallback binary is a 2018 build.
 */
const EVEN = "scale=trunc(iw/2)*2:trunc(ih/2)*2";

const fitInside = (w: number, h: number) => `scale=w='min(${w},iw)':h='min(${h},ih)':force_original_aspect_ratio=decrease,${EVEN},setsar=1`;

/** The filter graph of a profile, ending in the label `[v]`. */
export function videoFilter(p: VideoProfile): string {
  if (p.layout === "fit") return `[0:v:0]${fitInside(p.width, p.height)},format=yuv420p[v]`;
  const { width: w, height: h } = p;
  // The background is blurred at a quarter of the size: the same look at a sixteenth of the cost.
  const bw = w / 4;
  const bh = h / 4;
  return [
    "[0:v:0]split=2[a][b]",
    `[a]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},boxblur=10:2,scale=${w}:${h},setsar=1[bg]`,
    `[b]scale=${w}:${h}:force_original_aspect_ratio=decrease,${EVEN},setsar=1[fg]`,
    "[bg][fg]overlay=(W-w)/2:(H-h)/2,format=yuv420p[v]",
  ].join(";");
}

/**
 * The complete ffmpeg arguments of one profile: H.264 High / AAC in MP4 with the index at the front
 * (`faststart`, so playback starts before the download ends), and no metadata (phones record GPS).
 */
export function videoArgs(input: string, output: string, p: VideoProfile, preset: string, hasAudio: boolean): string[] {
  const audio = hasAudio ? ["-map", "0:a:0", "-c:a", "aac", "-b:a", p.audioBitrate, "-ac", "2", "-ar", "48000"] : ["-an"];
  return [
    ...["-i", input, "-filter_complex", videoFilter(p), "-map", "[v]"],
    ...["-c:v", "libx264", "-preset", preset, "-crf", String(p.crf), "-profile:v", "high", "-pix_fmt", "yuv420p"],
    ...audio,
    ...["-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", output],
  ];
}

export function thumbnailArgs(input: string, output: string, durationMs: number): string[] {
  const at = Math.min(1, durationMs / 2000).toFixed(3);
  return [
    "-ss",
    at,
    "-i",
    input,
    "-map",
    "0:v:0",
    "-frames:v",
    "1",
    "-vf",
    fitInside(1280, 720),
    "-q:v",
    "3",
    "-map_metadata",
    "-1",
    output,
  ];
}

/** Refuses what has no video stream, lasts longer than allowed, or whose first frame does not decode. */
export function inspectVideo(bins: Binaries, file: string, maxDurationMs: number): Promise<Probe> {
  return probeAndCheck(bins, file, "video", maxDurationMs, ["-map", "0:v:0", "-frames:v", "1"]);
}

async function produced(bins: Binaries, file: string, profile: string, mime: string): Promise<ProducedVariant> {
  const p = await ffprobe(bins, file);
  return {
    name: path.basename(file),
    profile,
    mime,
    file,
    width: p.width ?? null,
    height: p.height ?? null,
    durationMs: mime.startsWith("video/") ? (p.durationMs ?? null) : null,
  };
}

/** Transcodes to each enabled profile in turn (progress weighted by output pixels), then takes a JPEG thumbnail. */
export async function renderVideo(
  bins: Binaries,
  job: RenderJob,
  options: { profiles: readonly VideoProfileName[]; preset: string },
  progress: (percent: number) => void,
  signal: AbortSignal,
): Promise<ProducedVariant[]> {
  const profiles = options.profiles.map((name) => VIDEO_PROFILES[name]);
  const weights = profiles.map((p) => p.width * p.height);
  const total = weights.reduce((a, b) => a + b, 0);
  const durationMs = job.probe.durationMs ?? 0;
  const hasAudio = job.probe.audioCodec !== undefined;
  const out: ProducedVariant[] = [];
  let done = 0;
  for (const [i, p] of profiles.entries()) {
    const file = path.join(job.outDir, `${p.profile}.mp4`);
    const share = (weights[i] ?? 0) / total;
    await ffmpeg(bins, videoArgs(job.input, file, p, options.preset, hasAudio), {
      signal,
      durationMs,
      onProgress: (f) => progress((done + f * share) * 100),
    });
    done += share;
    out.push(await produced(bins, file, p.profile, "video/mp4"));
  }
  const thumb = path.join(job.outDir, "thumb.jpg");
  await ffmpeg(bins, thumbnailArgs(job.input, thumb, durationMs), { signal });
  out.push(await produced(bins, thumb, "thumb", "image/jpeg"));
  return out;
}
