import type { MediaConfig } from "../../content/config.js";
import type { MediaTools } from "../../content/ports/media.js";
import { inspectAudio, renderAudio } from "./audio.js";
import { detectType } from "./detect.js";
import type { Binaries } from "./ffmpeg.js";
import { inspectImage, rasterizeSvg, renderImage } from "./image.js";
import { inspectVideo, renderVideo } from "./video.js";

/** sharp for images, ffmpeg/ffprobe (`resolveBinaries`) for video and audio, behind the domain's `MediaTools`. */
export function createMediaTools(config: MediaConfig, bins: Binaries): MediaTools {
  return {
    detect: detectType,
    normalize: async (file, detected) => (detected.mime === "image/svg+xml" ? rasterizeSvg(file, config.maxImagePixels) : detected),
    async inspect(file, detected) {
      switch (detected.kind) {
        case "image":
          return inspectImage(file, detected, config.maxImagePixels);
        case "video":
          return inspectVideo(bins, file, config.maxDurationMs.video);
        case "audio":
          return inspectAudio(bins, file, config.maxDurationMs.audio);
      }
    },
    async render(job, progress, signal) {
      switch (job.kind) {
        case "image":
          return renderImage(job, { maxPixels: config.maxImagePixels, watermarkProfiles: config.watermarkProfiles }, progress, signal);
        case "video":
          return renderVideo(bins, job, { profiles: config.videoProfiles, preset: config.videoPreset }, progress, signal);
        case "audio":
          return renderAudio(bins, job, config.loudness, progress, signal);
      }
    },
  };
}
