// Media pipeline overhead: (a) the image variants of N photos through Loa (upload → checks → media
// queue → sharp → store → ready) versus the same sharp operations called directly; (b) a 60 s 1080p
// clip to the web 720p profile through Loa versus the same ffmpeg command run directly; the worker's
// peak memory (Node worker process and its ffmpeg child). The worker runs as its own process, as in
// the Procfile; the web role runs here. Test media are generated at run time.
// Usage: npm run bench media   (PHOTOS=200 SECONDS=60 ROUNDS=3, ONLY=images|video; targets: images ≤ 1.1, video ≤ 1.05)
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { resolveBinaries } from "../../workers/media/binaries.js";
import { IMAGE_PROFILES, inputOptions, JPEG_OPTIONS, WEBP_OPTIONS } from "../../workers/media/image.js";
import { VIDEO_PROFILES, videoArgs } from "../../workers/media/video.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { ffmpegMake, ffprobeJson, upload } from "../helpers/media.js";

const PHOTOS = Number(process.env.PHOTOS ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 60);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MAX_PIXELS = 100_000_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-media-bench-"));
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

/** Peak resident memory (kB) of a process and, sampled every 100 ms, of its children. */
function peakOf(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function watchChildren(pid: number): { stop(): number } {
  const peaks = new Map<number, number>();
  const timer = setInterval(() => {
    for (const c of childrenOf(pid)) peaks.set(c, Math.max(peaks.get(c) ?? 0, peakOf(c)));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(0, ...peaks.values());
    },
  };
}

async function startWorker(hub: TestHub): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { env: { ...process.env, ...hub.env }, stdio: "inherit" });
  await new Promise((r) => setTimeout(r, 3_000));
  return child;
}
async function stopWorker(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function allReady(hub: TestHub, n: number): Promise<void> {
  const db = hub.running.runtime.database.db;
  for (;;) {
    const rows = await db.selectFrom("media").select(["status"]).execute();
    const bad = rows.find((r) => r.status === "failed" || r.status === "cancelled");
    if (bad) throw new Error(`a media ${bad.status}`);
    if (rows.filter((r) => r.status === "ready").length >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** (a) direct: what the worker does per photo, written out with sharp. */
async function directImages(files: string[], out: string): Promise<number> {
  fs.mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  for (const [i, f] of files.entries()) {
    const meta = await sharp(f).metadata();
    for (const p of IMAGE_PROFILES) {
      const { data, info } = await sharp(f, inputOptions("image/jpeg", meta, MAX_PIXELS))
        .rotate()
        .resize({
          width: p.width,
          ...(p.height ? { height: p.height } : {}),
          fit: p.fit,
          position: "attention",
          background: "#000",
          withoutEnlargement: p.withoutEnlargement ?? false,
        })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
      await sharp(data, raw)
        .composite([])
        .flatten({ background: "#fff" })
        .jpeg(JPEG_OPTIONS)
        .toFile(path.join(out, `${i}-${p.profile}.jpg`));
      await sharp(data, raw)
        .composite([])
        .webp(WEBP_OPTIONS)
        .toFile(path.join(out, `${i}-${p.profile}.webp`));
    }
  }
  return performance.now() - t0;
}

async function benchImages(): Promise<void> {
  const src = path.join(dir, "photos");
  fs.mkdirSync(src);
  // Distinct photo-like JPEGs (3 Mpx, film-grain noise so that each one differs and compresses like a photo).
  ffmpegMake([
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=2000x1500:rate=1",
    "-vf",
    "noise=alls=12:allf=t",
    "-frames:v",
    String(PHOTOS),
    "-q:v",
    "3",
    path.join(src, "photo-%03d.jpg"),
  ]);
  const files = fs.readdirSync(src).map((f) => path.join(src, f));
  // Direct runs before and after Loa's, averaged: the machine is shared, and its load drifts.
  const before = await directImages(files, path.join(dir, "direct-images"));

  const hub = await startHub("sqlite", { roles: ["web", "clock"] });
  const worker = await startWorker(hub);
  try {
    const t0 = performance.now();
    for (const f of files) {
      const res = await upload(hub, f);
      if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const uploadedMs = performance.now() - t0;
    await allReady(hub, files.length);
    const loaMs = performance.now() - t0;
    const workerPeak = peakOf(worker.pid ?? 0);
    const after = await directImages(files, path.join(dir, "direct-images"));
    const directMs = (before + after) / 2;
    console.log(
      `(a) ${files.length} photos 2000×1500 → 5 profiles × JPEG+WebP: sharp directly ${(directMs / 1000).toFixed(1)} s (${(before / 1000).toFixed(1)} before, ${(after / 1000).toFixed(1)} after); ` +
        `through Loa ${(loaMs / 1000).toFixed(1)} s (uploads done after ${(uploadedMs / 1000).toFixed(1)} s); ` +
        `ratio ${(loaMs / directMs).toFixed(3)} (target ≤ 1.1); worker peak RSS ${mb(workerPeak)}`,
    );
  } finally {
    await stopWorker(worker);
    await hub.stop();
  }
}

async function directVideo(clip: string): Promise<{ ms: number; peakKb: number }> {
  const out = path.join(dir, "direct-web720.mp4");
  const t0 = performance.now();
  const child = spawn(
    resolveBinaries().ffmpeg,
    ["-hide_banner", "-nostdin", "-y", "-v", "error", ...videoArgs(clip, out, VIDEO_PROFILES.web720, "veryfast", true)],
    {
      stdio: "inherit",
    },
  );
  let peakKb = 0;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, peakOf(child.pid ?? 0));
  }, 100);
  await new Promise((resolve) => child.once("exit", resolve));
  clearInterval(timer);
  return { ms: performance.now() - t0, peakKb };
}

async function benchVideo(): Promise<void> {
  const clip = path.join(dir, "clip-1080p.mp4");
  ffmpegMake([
    ...[
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`,
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:duration=${SECONDS}`,
    ],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip],
  ]);
  const size = fs.statSync(clip).size;
  const hub = await startHub("sqlite", {
    roles: ["web", "clock"],
    env: { MEDIA_VIDEO_PROFILES: "web720", MEDIA_VIDEO_PRESET: "veryfast" },
  });
  const worker = await startWorker(hub);
  try {
    // Alternating rounds, medians: the machine is shared and its load drifts by tens of percent.
    const direct: { ms: number; peakKb: number }[] = [];
    const loa: { upload: number; processing: number; peakKb: number; size: string }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      direct.push(await directVideo(clip));
      loa.push(await loaVideo(hub, worker, clip));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const d = med(direct.map((x) => x.ms));
    const p = med(loa.map((x) => x.processing));
    const e = med(loa.map((x) => x.upload + x.processing));
    const secs = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(1)).join(", ");
    console.log(
      `(b) ${SECONDS} s 1080p clip (${mb(size / 1024)}) → web720 (${loa[0]?.size}), ${ROUNDS} alternating rounds, medians: ` +
        `ffmpeg directly ${(d / 1000).toFixed(1)} s [${secs(direct.map((x) => x.ms))}]; ` +
        `through Loa ${(e / 1000).toFixed(1)} s end to end [${secs(loa.map((x) => x.upload + x.processing))}], ` +
        `of which processing ${(p / 1000).toFixed(1)} s [${secs(loa.map((x) => x.processing))}] (transcode, thumbnail, probes, store); ` +
        `ratio processing ${(p / d).toFixed(3)}, end to end ${(e / d).toFixed(3)} (target ≤ 1.05)`,
    );
    const workerPeak = peakOf(worker.pid ?? 0);
    const childPeak = Math.max(...loa.map((x) => x.peakKb));
    console.log(
      `    peak RSS: Loa worker (Node) ${mb(workerPeak)} + its ffmpeg ${mb(childPeak)} = ${mb(workerPeak + childPeak)}; ffmpeg run directly ${mb(Math.max(...direct.map((x) => x.peakKb)))}`,
    );
  } finally {
    await stopWorker(worker);
    await hub.stop();
  }
}

/** One upload of the clip through Loa until ready; then the media is deleted so that the next round is not a duplicate. */
async function loaVideo(hub: TestHub, worker: ChildProcess, clip: string) {
  const ffmpegPeak = watchChildren(worker.pid ?? 0);
  const t0 = performance.now();
  const res = await upload(hub, clip);
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  const t1 = performance.now();
  await allReady(hub, 1);
  const t2 = performance.now();
  const peakKb = ffmpegPeak.stop();
  const m = (await hub.api("GET", `/api/media/${res.body.id}`)).body;
  const web = m.variants.find((v: any) => v.name === "web720.mp4");
  const probed = ffprobeJson(path.join(hub.env.DATA_DIR ?? "", "media", web.key)).streams[0];
  if ((await hub.api("DELETE", `/api/media/${res.body.id}`)).status !== 204) throw new Error("could not delete the media");
  return { upload: t1 - t0, processing: t2 - t1, peakKb, size: `${probed.width}×${probed.height} ${probed.codec_name}` };
}

try {
  if (!process.env.ONLY || process.env.ONLY === "images") await benchImages();
  if (!process.env.ONLY || process.env.ONLY === "video") await benchVideo();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
