import type { AudioMixer } from "../../content/ports/broadcast.js";
import type { Loudness } from "./audio.js";
import { loudnormFilter, parseLoudnormReport } from "./audio.js";
import { type Binaries, ffmpeg } from "./ffmpeg.js";
import { ffprobe } from "./probe.js";

/** Every input resampled to mono 44.1 kHz and joined end to end, then the loudspeaker loudness. */
function graph(count: number, loudnorm: string): string {
  const inputs = Array.from({ length: count }, (_, i) => `[${i}:a:0]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=mono[a${i}]`);
  const joined = Array.from({ length: count }, (_, i) => `[a${i}]`).join("");
  return `${inputs.join(";")};${joined}concat=n=${count}:v=0:a=1,${loudnorm}[out]`;
}

/**
 * Joins audio files into one loudspeaker MP3 with the media pipeline's two-pass EBU R128 loudnorm
 * (measure, then normalise linearly to `MEDIA_LOUDNESS_TARGET` under `MEDIA_TRUE_PEAK`): mono, 128 kbps
 * CBR, 44.1 kHz, no tags — the same format as an uploaded recording's `loudspeaker.mp3`.
 */
export function createAudioMixer(bins: Binaries, target: Loudness): AudioMixer {
  return {
    async toLoudspeakerMp3(inputs, outFile, signal) {
      if (inputs.length === 0) throw new Error("nothing to mix");
      const ins = inputs.flatMap((f) => ["-i", f]);
      const report = await ffmpeg(
        bins,
        [...ins, "-filter_complex", graph(inputs.length, loudnormFilter(target)), "-map", "[out]", "-f", "null", "-"],
        {
          signal,
          logLevel: "info",
        },
      );
      const measured = parseLoudnormReport(report);
      const filter = `${graph(inputs.length, `${loudnormFilter(target, measured)},aresample=44100`)}`;
      await ffmpeg(
        bins,
        [
          ...ins,
          "-filter_complex",
          filter,
          "-map",
          "[out]",
          "-ac",
          "1",
          "-ar",
          "44100",
          "-c:a",
          "libmp3lame",
          "-b:a",
          "128k",
          "-map_metadata",
          "-1",
          "-f",
          "mp3",
          outFile,
        ],
        { signal },
      );
      return { durationMs: (await ffprobe(bins, outFile, signal)).durationMs ?? 0 };
    },
  };
}
