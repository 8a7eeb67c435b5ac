import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import sharp from "sharp";
import { resolveBinaries } from "../../workers/media/binaries.js";
import { AGENCY } from "./fixtures.js";
import { ADMIN_TOKEN, type TestHub } from "./hub.js";

/** Uploads a file from disk as `multipart/form-data` (streamed from disk by fetch), or given bytes. */
export async function upload(
  hub: TestHub,
  file: string | { name: string; data: Uint8Array },
  agencyId = AGENCY,
  token = ADMIN_TOKEN,
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append("agencyId", agencyId);
  if (typeof file === "string") form.append("file", await fs.openAsBlob(file), path.basename(file));
  else form.append("file", new Blob([file.data]), file.name);
  const res = await fetch(`${hub.url}/api/media`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Waits until the media leaves `processing`; answers it. */
export async function processed(hub: TestHub, id: string, ms = 60_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await hub.api("GET", `/api/media/${id}`);
    if (res.body?.status !== "processing") return res.body;
    if (Date.now() > deadline) throw new Error(`media ${id} still processing after ${ms} ms (${res.body?.progress}%)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every file under the hub's media work directory (uploads in flight, work in progress). */
export function tempFiles(hub: TestHub): string[] {
  const dir = path.join(hub.env.DATA_DIR ?? "", "media", "tmp");
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : [];
}

/** Waits until the media work directory is empty: a job's work files go just after it answered ready. */
export async function noWorkFilesLeft(hub: TestHub, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (tempFiles(hub).length) {
    if (Date.now() > deadline) throw new Error(`work files left after ${ms} ms: ${tempFiles(hub).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file the media store holds. */
export function storedFiles(hub: TestHub): string[] {
  const dir = path.join(hub.env.DATA_DIR ?? "", "media");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => !f.startsWith("tmp") && fs.statSync(path.join(dir, f)).isFile());
}

export function storedPath(hub: TestHub, key: string): string {
  return path.join(hub.env.DATA_DIR ?? "", "media", key);
}

/** The ffmpeg and ffprobe the tests use to make and check files: the same choice Loa makes (system, else npm). */
export const BINS = resolveBinaries();

/** Runs ffmpeg quietly to make a test file. */
export function ffmpegMake(args: string[]): void {
  execFileSync(BINS.ffmpeg, ["-hide_banner", "-v", "error", "-y", ...args]);
}

export function ffprobeJson(file: string): any {
  return JSON.parse(
    execFileSync(BINS.ffprobe, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], { encoding: "utf8" }),
  );
}

/** A photo as phones take them: EXIF orientation 6 (turned), GPS position, camera make. */
export async function phonePhoto(file: string, width = 800, height = 600): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="${width}" height="${height}"><rect x="0" y="0" width="${width / 4}" height="${height / 4}" fill="red"/></svg>`,
        ),
      },
    ])
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: "LoaPhone", Model: "Test 1" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "10/1 2/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "105/1 47/1 0/1" },
    })
    .withMetadata({ orientation: 6 })
    .toFile(file);
}

/** A small clip with a tone, GPS-like metadata, `seconds` long. */
export function testClip(file: string, seconds: number, size = "320x180"): void {
  ffmpegMake([
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=25:duration=${seconds}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"],
    ...["-metadata", "location=+10.0452+105.7469/", file],
  ]);
}

/** A PNG whose header declares width × height but holds only a few rows: a decompression bomb as the header tells it. */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const rows = zlib.deflateSync(Buffer.alloc((width + 1) * 16));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", rows),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file, as ffmpeg's EBU R128 meter reads them. */
export function loudness(file: string): { integrated: number; truePeak: number } {
  const r = spawnSync(BINS.ffmpeg, ["-hide_banner", "-nostats", "-i", file, "-af", "ebur128=peak=true", "-f", "null", "-"], {
    encoding: "utf8",
  });
  const summary = r.stderr.slice(r.stderr.lastIndexOf("Summary:"));
  const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
  const truePeak = Number(/True peak:\s+Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]);
  return { integrated, truePeak };
}

/** The EXIF tags ffprobe reads from a JPEG (GPS tags included). */
export function exifTags(file: string): Record<string, string> {
  const out = JSON.parse(
    execFileSync(BINS.ffprobe, ["-v", "error", "-show_entries", "frame_tags", "-of", "json", file], { encoding: "utf8" }),
  );
  return out.frames?.[0]?.tags ?? {};
}

/**
 * A public, read-only copy of the hub's media store on a plain web server, as a deployment gives Zalo
 * (which downloads article covers from a URL). Answers the base URL and how to stop it.
 */
export async function publicMediaServer(hub: TestHub): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? "").replace(/^\/media\//, ""));
    const file = storedPath(hub, key);
    if (key.includes("..") || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "image/jpeg" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
