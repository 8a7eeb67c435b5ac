import path from "node:path";
import { z } from "zod";
import type { Probe } from "../../content/media/model.js";
import type { ProducedVariant, RenderJob } from "../../content/ports/media.js";
import { type Binaries, ffmpeg } from "./ffmpeg.js";
import { ffprobe, probeAndCheck } from "./probe.js";

export interface Loudness {
  /** Integrated loudness target, LUFS (EBU R128). */
  integrated: number;
  /** True-peak ceiling, dBTP. */
  truePeak: number;
}

/** Loudness range target (LU): loudspeakers favour a narrow range. */
const LRA = 11;

/** What loudnorm's first pass prints (as strings) in its JSON report. */
const Measured = z.looseObject({
  input_i: z.string(),
  input_tp: z.string(),
  input_lra: z.string(),
  input_thresh: z.string(),
  target_offset: z.string(),
});
export type Measured = z.infer<typeof Measured>;

/** The last `{…}` block of loudnorm's stderr report. */
export function parseLoudnormReport(stderr: string): Measured {
  const start = stderr.lastIndexOf("{");
  const end = stderr.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error("loudnorm printed no measurement");
  return Measured.parse(JSON.parse(stderr.slice(start, end + 1)));
}

/** Mono first (so the level is measured on what the loudspeakers play), then EBU R128 loudnorm. */
export function loudnormFilter(target: Loudness, measured?: Measured): string {
  const base = `aformat=channel_layouts=mono,loudnorm=I=${target.integrated}:TP=${target.truePeak}:LRA=${LRA}`;
  if (!measured) return `${base}:print_format=json`;
  const m = measured;
  const finite = (s: string) => (Number.isFinite(Number(s)) ? s : "-70");
  return `${base}:measured_I=${finite(m.input_i)}:measured_TP=${finite(m.input_tp)}:measured_LRA=${finite(m.input_lra)}:measured_thresh=${finite(m.input_thresh)}:offset=${finite(m.target_offset)}:linear=true:print_format=summary`;
}

/** The loudspeaker format: MP3, mono, 128 kbps constant bit rate, 44.1 kHz, no tags. */
export function loudspeakerArgs(input: string, output: string, target: Loudness, measured: Measured): string[] {
  return [
    ...["-i", input, "-map", "0:a:0", "-af", `${loudnormFilter(target, measured)},aresample=44100`],
    ...["-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k", "-map_metadata", "-1", "-f", "mp3", output],
  ];
}

export function inspectAudio(bins: Binaries, file: string, maxDurationMs: number): Promise<Probe> {
  return probeAndCheck(bins, file, "audio", maxDurationMs, ["-map", "0:a:0", "-t", "1"]);
}

/** Two-pass loudnorm: measure, then normalise linearly to the target (ffmpeg falls back to dynamic if the peak forbids it). */
export async function renderAudio(
  bins: Binaries,
  job: RenderJob,
  target: Loudness,
  progress: (percent: number) => void,
  signal: AbortSignal,
): Promise<ProducedVariant[]> {
  const durationMs = job.probe.durationMs ?? 0;
  const report = await ffmpeg(bins, ["-i", job.input, "-map", "0:a:0", "-af", loudnormFilter(target), "-f", "null", "-"], {
    signal,
    durationMs,
    logLevel: "info",
    onProgress: (f) => progress(f * 50),
  });
  const measured = parseLoudnormReport(report);
  const file = path.join(job.outDir, "loudspeaker.mp3");
  await ffmpeg(bins, loudspeakerArgs(job.input, file, target, measured), { signal, durationMs, onProgress: (f) => progress(50 + f * 50) });
  const out = await ffprobe(bins, file);
  return [
    {
      name: "loudspeaker.mp3",
      profile: "loudspeaker",
      mime: "audio/mpeg",
      file,
      width: null,
      height: null,
      durationMs: out.durationMs ?? null,
    },
  ];
}
