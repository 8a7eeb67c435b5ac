import fsp from "node:fs/promises";
import path from "node:path";
import sharp, { type Metadata, type OverlayOptions, type SharpOptions } from "sharp";
import { AppError } from "../../content/errors.js";
import type { Probe } from "../../content/media/model.js";
import type { Detected, ProducedVariant, RenderJob } from "../../content/ports/media.js";

export interface ImageProfile {
  profile: "feed" | "square" | "thumb" | "board" | "original";
  width: number;
  height?: number;
  fit: "cover" | "contain" | "inside";
  /** Never upscale (a thumbnail or the capped original of a small picture stays small). */
  withoutEnlargement?: boolean;
}

/** Per-channel variants: link/feed cards, square posts, portal thumbnails, e-bulletin boards (letterboxed), the capped original. */
export const IMAGE_PROFILES: readonly ImageProfile[] = [
  { profile: "feed", width: 1200, height: 630, fit: "cover" },
  { profile: "square", width: 1080, height: 1080, fit: "cover" },
  { profile: "thumb", width: 640, fit: "inside", withoutEnlargement: true },
  { profile: "board", width: 1920, height: 1080, fit: "contain" },
  { profile: "original", width: 2048, height: 2048, fit: "inside", withoutEnlargement: true },
];

export const JPEG_OPTIONS = { quality: 82, progressive: true } as const;
export const WEBP_OPTIONS = { quality: 80 } as const;
/** Boards letterbox in black; JPEG (no alpha) flattens transparent pixels onto white. */
const BLACK = { r: 0, g: 0, b: 0, alpha: 1 };
const WHITE = { r: 255, g: 255, b: 255 };
/** The logo takes this share of the picture's width, this far from its bottom-right corner. */
const LOGO_SHARE = 0.15;
const LOGO_MARGIN = 0.03;

/** The density at which an SVG declaring this size renders about 2048 px on its larger side. */
const svgDensity = (probe: Pick<Probe, "width" | "height">) =>
  Math.max(1, Math.min(2400, Math.round((72 * 2048) / (Math.max(probe.width ?? 0, probe.height ?? 0) || 2048))));

/** SVGs (only media stored before SVGs were rasterised at upload) are rendered about 2048 px on their larger side. */
export function inputOptions(mime: string, probe: Pick<Probe, "width" | "height">, maxPixels: number): SharpOptions {
  const base: SharpOptions = { limitInputPixels: maxPixels, failOn: "truncated" };
  return mime === "image/svg+xml" ? { ...base, density: svgDensity(probe) } : base;
}

const PNG: Detected = { kind: "image", mime: "image/png", ext: "png" };

/**
 * Replaces an uploaded SVG by its rendering as a PNG (about 2048 px on its larger side, transparency
 * kept), in place. An SVG is a document that can carry scripts, event handlers and links in more
 * spellings than any pattern list knows (a namespace-prefixed `<x:script>`, `&#106;avascript:` in an
 * `<animate>`); Loa needs only its pixels, so it never keeps nor serves the markup. librsvg (inside
 * sharp) runs no script, and rendering from memory, with no base location, it loads no external or
 * local file; entity bombs and undefined entities fail to parse (a 422).
 */
export async function rasterizeSvg(file: string, maxPixels: number): Promise<Detected> {
  const svg = await fsp.readFile(file);
  let png: Buffer;
  try {
    const meta = await sharp(svg, { limitInputPixels: false }).metadata();
    png = await sharp(svg, { density: svgDensity(meta), limitInputPixels: maxPixels, failOn: "truncated" })
      .png()
      .toBuffer();
  } catch (err) {
    const why = (err as Error).message.replace(/^Input buffer has corrupt header: /, "");
    throw new AppError("unprocessable", `the SVG does not render as a picture (${why.slice(0, 200)})`, { field: "file", cause: err });
  }
  const next = `${file}.png`;
  await fsp.writeFile(next, png, { flag: "wx" });
  await fsp.rename(next, file);
  return PNG;
}

/** Reads the header (dimensions, orientation) and then decodes the picture once, small, to find truncation or corruption. */
export async function inspectImage(file: string, detected: Detected, maxPixels: number): Promise<Probe> {
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new AppError("unprocessable", `the file does not decode as an image (${(err as Error).message})`, { field: "file", cause: err });
  }
  const { width = 0, height = 0 } = meta;
  if (!width || !height) throw new AppError("unprocessable", "the image declares no dimensions", { field: "file" });
  if (width * height > maxPixels) {
    const mpx = (n: number) => `${Math.round(n / 1e5) / 10} Mpx`;
    throw new AppError(
      "unprocessable",
      `the image declares ${width}×${height} pixels (${mpx(width * height)}), more than the ${mpx(maxPixels)} allowed: refused as a possible decompression bomb`,
      { field: "file" },
    );
  }
  const turned = (meta.orientation ?? 1) >= 5;
  const probe: Probe = { format: meta.format ?? detected.ext, width: turned ? height : width, height: turned ? width : height };
  if (meta.orientation) probe.orientation = meta.orientation;
  try {
    await sharp(file, inputOptions(detected.mime, probe, maxPixels))
      .resize(256, 256, { fit: "inside" })
      .raw()
      .toBuffer();
  } catch (err) {
    throw new AppError("unprocessable", `the image is truncated or corrupt (${(err as Error).message})`, { field: "file", cause: err });
  }
  return probe;
}

/** The logo, scaled for a picture `width` wide, and where it goes. */
async function stamp(logo: string, width: number, height: number): Promise<OverlayOptions> {
  const size = Math.max(16, Math.round(width * LOGO_SHARE));
  const { data, info } = await sharp(logo)
    .resize(size, size, { fit: "inside", withoutEnlargement: false })
    .png()
    .toBuffer({ resolveWithObject: true });
  const margin = Math.round(Math.min(width, height) * LOGO_MARGIN);
  return { input: data, left: Math.max(0, width - info.width - margin), top: Math.max(0, height - info.height - margin) };
}

/** One profile: decode, auto-orient and resize once (to raw pixels), then encode JPEG and WebP; no metadata is kept. */
async function renderProfile(job: RenderJob, p: ImageProfile, maxPixels: number, watermark: boolean): Promise<ProducedVariant[]> {
  const { data, info } = await sharp(job.input, inputOptions(job.mime, job.probe, maxPixels))
    .rotate()
    .resize({
      width: p.width,
      ...(p.height ? { height: p.height } : {}),
      fit: p.fit,
      position: "attention",
      background: BLACK,
      withoutEnlargement: p.withoutEnlargement ?? false,
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const overlay = watermark && job.watermark ? [await stamp(job.watermark, info.width, info.height)] : [];
  const jpg = path.join(job.outDir, `${p.profile}.jpg`);
  const webp = path.join(job.outDir, `${p.profile}.webp`);
  await sharp(data, raw).composite(overlay).flatten({ background: WHITE }).jpeg(JPEG_OPTIONS).toFile(jpg);
  await sharp(data, raw).composite(overlay).webp(WEBP_OPTIONS).toFile(webp);
  const common = { profile: p.profile, width: info.width, height: info.height, durationMs: null };
  return [
    { ...common, name: `${p.profile}.jpg`, mime: "image/jpeg", file: jpg },
    { ...common, name: `${p.profile}.webp`, mime: "image/webp", file: webp },
  ];
}

export async function renderImage(
  job: RenderJob,
  options: { maxPixels: number; watermarkProfiles: readonly string[] },
  progress: (percent: number) => void,
  signal: AbortSignal,
): Promise<ProducedVariant[]> {
  const out: ProducedVariant[] = [];
  for (const [i, p] of IMAGE_PROFILES.entries()) {
    signal.throwIfAborted();
    out.push(...(await renderProfile(job, p, options.maxPixels, options.watermarkProfiles.includes(p.profile))));
    progress(((i + 1) / IMAGE_PROFILES.length) * 100);
  }
  return out;
}
