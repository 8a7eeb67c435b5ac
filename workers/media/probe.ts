import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { Probe } from "../../content/media/model.js";
import { type Binaries, runTool, ToolError } from "./ffmpeg.js";

const Stream = z.looseObject({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  avg_frame_rate: z.string().optional(),
  channels: z.number().optional(),
  sample_rate: z.string().optional(),
  duration: z.string().optional(),
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  side_data_list: z.array(z.looseObject({ rotation: z.number().optional() })).optional(),
});
const FfprobeOutput = z.looseObject({
  streams: z.array(Stream).default([]),
  format: z.looseObject({ format_name: z.string().optional(), duration: z.string().optional() }).optional(),
});

function rate(text: string | undefined): number | undefined {
  const [n, d] = (text ?? "").split("/").map(Number);
  if (!n || !d) return undefined;
  return Math.round((n / d) * 100) / 100;
}

const seconds = (text: string | undefined) => (text && Number.isFinite(Number(text)) ? Number(text) * 1000 : undefined);

/** ffprobe's view of a file: the first real video stream (not cover art) and the first audio stream. */
export async function ffprobe(bins: Binaries, file: string, signal?: AbortSignal): Promise<Probe> {
  let stdout: string;
  try {
    ({ stdout } = await runTool(
      bins.ffprobe,
      ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file],
      signal ? { signal } : {},
    ));
  } catch (err) {
    if (err instanceof ToolError) {
      throw new AppError("unprocessable", "the file does not decode as audio or video (ffprobe could not read it)", {
        field: "file",
        cause: err,
      });
    }
    throw err;
  }
  const out = FfprobeOutput.parse(JSON.parse(stdout));
  const video = out.streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const audio = out.streams.find((s) => s.codec_type === "audio");
  const durationMs = seconds(out.format?.duration) ?? seconds(video?.duration) ?? seconds(audio?.duration);
  const rotation = Math.abs(video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  const turned = rotation === 90 || rotation === 270;
  const probe: Probe = { format: out.format?.format_name ?? "unknown" };
  if (video?.width && video.height) {
    probe.width = turned ? video.height : video.width;
    probe.height = turned ? video.width : video.height;
  }
  if (durationMs !== undefined) probe.durationMs = Math.round(durationMs);
  if (video?.codec_name) probe.videoCodec = video.codec_name;
  const fps = rate(video?.avg_frame_rate);
  if (fps) probe.frameRate = fps;
  if (audio?.codec_name) probe.audioCodec = audio.codec_name;
  if (audio?.channels) probe.audioChannels = audio.channels;
  if (audio?.sample_rate) probe.sampleRate = Number(audio.sample_rate);
  return probe;
}

/**
 * The checks audio and video share: the stream is there, the duration is known and within the limit,
 * and the start decodes (`decodeArgs` pick the stream and how much to decode).
 */
export async function probeAndCheck(
  bins: Binaries,
  file: string,
  kind: "video" | "audio",
  maxDurationMs: number,
  decodeArgs: string[],
): Promise<Probe> {
  const probe = await ffprobe(bins, file);
  const present = kind === "video" ? probe.videoCodec && probe.width : probe.audioCodec;
  if (!present) throw new AppError("unprocessable", `the file has no ${kind} stream`, { field: "file" });
  if (probe.durationMs === undefined) throw new AppError("unprocessable", `the ${kind}'s duration cannot be read`, { field: "file" });
  if (probe.durationMs > maxDurationMs) {
    const s = (ms: number, digits: number) => (ms / 1000).toFixed(digits);
    throw new AppError("unprocessable", `the ${kind} lasts ${s(probe.durationMs, 1)} s, longer than the ${s(maxDurationMs, 0)} s allowed`, {
      field: "file",
    });
  }
  try {
    await runTool(bins.ffmpeg, ["-v", "error", "-nostdin", "-i", file, ...decodeArgs, "-f", "null", "-"]);
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    throw new AppError("unprocessable", `the ${kind} does not decode (${err.message})`, { field: "file", cause: err });
  }
  return probe;
}
