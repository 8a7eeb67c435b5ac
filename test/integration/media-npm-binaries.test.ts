// ffmpeg on any machine: the media path run with the npm packages' binaries forced through
// FFMPEG_PATH/FFPROBE_PATH (@ffmpeg-installer/ffmpeg's 2018 build, @ffprobe-installer/ffprobe's 2023
// one), whatever the machine has in its PATH.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npmBinary } from "../../workers/media/binaries.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { ffmpegMake, ffprobeJson, storedPath, testClip, upload } from "../helpers/media.js";

const ffmpeg = npmBinary("ffmpeg");
const ffprobe = npmBinary("ffprobe");

describe("the media path on the npm-shipped ffmpeg and ffprobe (sqlite)", () => {
  let hub: TestHub;
  let dir: string;

  beforeAll(async () => {
    if (!ffmpeg || !ffprobe) throw new Error("the npm ffmpeg/ffprobe packages did not install their binaries");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-npm-av-"));
    hub = await startHub("sqlite", { env: { FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe, MEDIA_VIDEO_PROFILES: "web720" } });
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const waitReady = (id: string) =>
    eventually(async () => {
      const b = (await hub.api("GET", `/api/media/${id}`)).body;
      return b.status === "processing" ? undefined : b;
    }, 60_000);

  it("probes, transcodes and thumbnails a video with them", async () => {
    const clip = path.join(dir, "clip.mp4");
    testClip(clip, 2, "640x360");
    const res = await upload(hub, clip);
    expect(res.status).toBe(202);
    expect(res.body.probe).toMatchObject({ width: 640, height: 360, videoCodec: "h264", audioCodec: "aac" });
    const m = await waitReady(res.body.id);
    expect(m.status, JSON.stringify(m)).toBe("ready");
    const byName = Object.fromEntries(m.variants.map((v: { name: string; key: string }) => [v.name, v]));
    expect(Object.keys(byName).sort()).toEqual(["thumb.jpg", "web720.mp4"]);
    const p = ffprobeJson(storedPath(hub, byName["web720.mp4"].key));
    const video = p.streams.find((s: { codec_type: string }) => s.codec_type === "video");
    expect([video.codec_name, video.width, video.height]).toEqual(["h264", 640, 360]);
  });

  it("normalises loudspeaker audio with them (two-pass loudnorm)", async () => {
    const wav = path.join(dir, "tone.wav");
    ffmpegMake(["-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-af", "volume=-20dB", wav]);
    const res = await upload(hub, wav);
    expect(res.status).toBe(202);
    const m = await waitReady(res.body.id);
    expect(m.status, JSON.stringify(m)).toBe("ready");
    const a = ffprobeJson(storedPath(hub, m.variants[0].key)).streams[0];
    expect([m.variants[0].name, a.codec_name, a.channels]).toEqual(["loudspeaker.mp3", "mp3", 1]);
  });

  it("logs which binaries are in use and their versions", () => {
    // The runtime resolved the configured ones: the same paths, reported as `configured`.
    expect(hub.running.runtime.binaries).toMatchObject({
      ffmpeg,
      ffprobe,
      source: { ffmpeg: "configured", ffprobe: "configured" },
      versions: { ffmpeg: expect.stringMatching(/^ffmpeg version /), ffprobe: expect.stringMatching(/^ffprobe version /) },
    });
  });
});
