import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import {
  ffmpegMake,
  ffprobeJson,
  loudness,
  noWorkFilesLeft,
  storedFiles,
  storedPath,
  tempFiles,
  testClip,
  upload,
} from "../helpers/media.js";

/** The top-level boxes of an MP4, in file order. */
function boxes(file: string): string[] {
  const buf = fs.readFileSync(file);
  const types: string[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(at);
    types.push(buf.toString("latin1", at + 4, at + 8));
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    if (size < 8) break;
    at += size;
  }
  return types;
}

/** ffmpeg processes working on this media (their arguments name its work directory), read from /proc. */
function ffmpegsOf(mediaId: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (path.basename(args[0] ?? "") === "ffmpeg" && args.some((a) => a.includes(`work-${mediaId}`))) found.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

// Video and audio work is CPU-heavy on a two-core machine: these run on SQLite only (the store paths
// they share with images are covered on both databases in media.test.ts).
describe("video transcodes and loudspeaker audio (sqlite)", () => {
  let hub: TestHub;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-av-"));
    hub = await startHub("sqlite");
  });
  afterAll(async () => {
    await hub?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("transcodes to web 720p, 1080p and vertical 1080×1920 H.264/AAC MP4s with faststart and no metadata, reporting progress", async () => {
    const clip = path.join(dir, "hop-bao.mp4");
    testClip(clip, 4, "1280x720");
    const res = await upload(hub, clip);
    expect(res.status).toBe(202);
    expect(res.body.probe).toMatchObject({ width: 1280, height: 720, videoCodec: "h264", audioCodec: "aac", durationMs: 4000 });
    const seen: number[] = [];
    let m: any;
    for (;;) {
      m = (await hub.api("GET", `/api/media/${res.body.id}`)).body;
      seen.push(m.progress);
      if (m.status !== "processing") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(m.status).toBe("ready");
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const byName = Object.fromEntries(m.variants.map((v: any) => [v.name, v]));
    expect(Object.keys(byName).sort()).toEqual(["thumb.jpg", "vertical.mp4", "web720.mp4", "youtube1080.mp4"]);
    const expected: Record<string, [number, number]> = {
      "web720.mp4": [1280, 720],
      // Never upscaled: a 720p source stays 720p in the YouTube profile.
      "youtube1080.mp4": [1280, 720],
      "vertical.mp4": [1080, 1920],
    };
    for (const [name, [w, h]] of Object.entries(expected)) {
      const file = storedPath(hub, byName[name].key);
      const p = ffprobeJson(file);
      const video = p.streams.find((s: any) => s.codec_type === "video");
      const audio = p.streams.find((s: any) => s.codec_type === "audio");
      expect([video.codec_name, video.profile, video.pix_fmt, video.width, video.height]).toEqual(["h264", "High", "yuv420p", w, h]);
      expect(audio.codec_name).toBe("aac");
      expect(Number(p.format.duration)).toBeCloseTo(4, 0);
      expect(p.format.tags?.location).toBeUndefined();
      const order = boxes(file);
      expect(order.indexOf("moov"), `${name}: moov before mdat (faststart)`).toBeLessThan(order.indexOf("mdat"));
    }
    // Vertical: the whole frame in the middle band, over a blurred (smoother, not black) copy above and below.
    const frame = path.join(dir, "vertical.png");
    ffmpegMake(["-ss", "1", "-i", storedPath(hub, byName["vertical.mp4"].key), "-frames:v", "1", frame]);
    const band = async (top: number) =>
      (await sharp(await sharp(frame).extract({ left: 0, top, width: 1080, height: 300 }).png().toBuffer()).stats()).channels[0];
    const [above, middle] = [await band(100), await band(810)];
    expect(above?.mean).toBeGreaterThan(20);
    expect(above?.stdev).toBeLessThan(middle?.stdev ?? 0);
    const thumb = ffprobeJson(storedPath(hub, byName["thumb.jpg"].key)).streams[0];
    expect([thumb.codec_name, thumb.width, thumb.height]).toEqual(["mjpeg", 1280, 720]);
    await noWorkFilesLeft(hub);
  });

  it("cancels a running transcode: ffmpeg is killed, no work file is left, the original stays", async () => {
    const clip = path.join(dir, "dai.mp4");
    testClip(clip, 20, "1280x720");
    const res = await upload(hub, clip);
    const id = res.body.id;
    await eventually(async () => (ffmpegsOf(id).length > 0 ? true : undefined), 20_000, "ffmpeg to start");
    const cancelled = await hub.api("POST", `/api/media/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    await eventually(async () => (ffmpegsOf(id).length === 0 && tempFiles(hub).length === 0 ? true : undefined), 10_000, "ffmpeg to stop");
    const m = (await hub.api("GET", `/api/media/${id}`)).body;
    expect(m).toMatchObject({ status: "cancelled", variants: [] });
    expect(storedFiles(hub).filter((f) => f.startsWith(id))).toEqual([path.join(id, "original")]);
    expect((await hub.api("POST", `/api/media/${id}/cancel`)).status).toBe(409);
    expect((await hub.api("DELETE", `/api/media/${id}`)).status).toBe(204);
    expect(storedFiles(hub).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await hub.api("GET", `/api/media/${id}`)).status).toBe(404);
  });

  it("normalises audio for loudspeakers: −16 LUFS, true peak ≤ −1.5 dBTP, MP3 mono 128 kbps CBR 44.1 kHz", async () => {
    const wav = path.join(dir, "thong-bao.wav");
    ffmpegMake(["-f", "lavfi", "-i", "sine=frequency=440:duration=6", "-af", "volume=-28dB", "-ac", "2", "-ar", "48000", wav]);
    expect(loudness(wav).integrated).toBeLessThan(-25);
    const res = await upload(hub, wav);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: "audio", probe: { audioChannels: 2, sampleRate: 48000 } });
    const m = await eventually(async () => {
      const b = (await hub.api("GET", `/api/media/${res.body.id}`)).body;
      return b.status === "processing" ? undefined : b;
    }, 30_000);
    expect(m.status).toBe("ready");
    const mp3 = storedPath(hub, m.variants[0].key);
    const p = ffprobeJson(mp3);
    const a = p.streams[0];
    expect([m.variants[0].name, a.codec_name, a.channels, a.sample_rate, a.bit_rate]).toEqual([
      "loudspeaker.mp3",
      "mp3",
      1,
      "44100",
      "128000",
    ]);
    const level = loudness(mp3);
    expect(Math.abs(level.integrated - -16)).toBeLessThanOrEqual(1);
    expect(level.truePeak).toBeLessThanOrEqual(-1.0);
  });
});
