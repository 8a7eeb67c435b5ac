import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";
import { formatBytes } from "../../content/media/receive.js";
import { loudnormFilter, loudspeakerArgs, parseLoudnormReport } from "../../workers/media/audio.js";
import { detectType, looksLikeSvg } from "../../workers/media/detect.js";
import { ProgressParser } from "../../workers/media/ffmpeg.js";
import { rasterizeSvg } from "../../workers/media/image.js";
import { VIDEO_PROFILES, videoArgs, videoFilter } from "../../workers/media/video.js";

describe("ffmpeg -progress parsing", () => {
  it("reads out_time_us per block, across chunks split mid-line, and the end marker", () => {
    const p = new ProgressParser();
    expect(p.push("frame=10\nout_time_us=1000")).toEqual([]);
    expect(p.push("000\nout_time=00:00:01.000000\nprogress=continue\nout_time_us=2500000\n")).toEqual([
      { outTimeUs: 1_000_000, end: false },
    ]);
    expect(p.push("progress=end\n")).toEqual([{ outTimeUs: 2_500_000, end: true }]);
  });

  it("ignores N/A times rather than reporting progress backwards", () => {
    const p = new ProgressParser();
    expect(p.push("out_time_us=N/A\nprogress=continue\n")).toEqual([{ outTimeUs: 0, end: false }]);
  });
});

describe("SVG uploads, rasterised", () => {
  it("recognises SVG after a BOM, prolog, comment and doctype, and not HTML", () => {
    const svg =
      '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(looksLikeSvg(Buffer.from(svg))).toBe(true);
    expect(looksLikeSvg(Buffer.from("<html><svg></svg></html>"))).toBe(false);
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-svg-"));
  const rasterize = async (svg: string) => {
    const file = path.join(dir, `upload-${crypto.randomUUID()}`);
    fs.writeFileSync(file, svg);
    const detected = await rasterizeSvg(file, 100_000_000);
    return { detected, bytes: fs.readFileSync(file) };
  };
  const SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100"';

  it.each([
    [
      "a namespace-prefixed script",
      `<svg ${SVG}><x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script><rect width="200" height="100" fill="red"/></svg>`,
    ],
    [
      "an entity-encoded javascript: in <animate values>",
      `<svg ${SVG}><a href="#"><animate attributeName="href" values="&#106;avascript:alert(1)"/><rect width="200" height="100" fill="red"/></a></svg>`,
    ],
    [
      "a script and an event handler",
      `<svg ${SVG} onload="alert(1)"><script>alert(2)</script><rect width="200" height="100" fill="red"/></svg>`,
    ],
  ])("turns an SVG with %s into a PNG of its picture, with none of its markup", async (_what, svg) => {
    const { detected, bytes } = await rasterize(svg);
    expect(detected).toEqual({ kind: "image", mime: "image/png", ext: "png" });
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe("png");
    expect(Math.round((meta.width ?? 0) / 8)).toBe(256); // about 2048 px wide, 2:1 as declared
    expect(Math.round((meta.height ?? 0) / 8)).toBe(128);
    expect(bytes.toString("latin1")).not.toMatch(/script|javascript|alert|onload/i);
    const { data } = await sharp(bytes).extract({ left: 1000, top: 500, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it("loads nothing an SVG refers to: no network address, no local file", async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const svg = `<svg ${SVG}><image xlink:href="http://127.0.0.1:${port}/pixel.png" width="10" height="10"/><image href="file:///etc/passwd" width="10" height="10"/><use href="http://127.0.0.1:${port}/x.svg#a"/></svg>`;
    expect((await rasterize(svg)).detected.mime).toBe("image/png");
    expect(hits).toBe(0);
    await new Promise((r) => server.close(r));
  });

  it.each([
    [
      "an entity bomb",
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]><svg ${SVG}><text>&g;</text></svg>`,
    ],
    [
      "an external entity",
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ${SVG}><text y="20">&x;</text></svg>`,
    ],
    ["broken markup", `<svg ${SVG}><rect width="10"`],
  ])("refuses %s with 422 naming file", async (_what, svg) => {
    await expect(rasterize(svg)).rejects.toMatchObject({
      code: "unprocessable",
      field: "file",
      message: expect.stringContaining("does not render"),
    });
  });
});

describe("type detection", () => {
  it("goes by content, not name", async () => {
    expect(await detectType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]))).toMatchObject({
      kind: "image",
      mime: "image/jpeg",
    });
    expect(await detectType(Buffer.from("plain text, though named clip.mp4"))).toBeUndefined();
    expect(await detectType(Buffer.from("%PDF-1.7\n"))).toBeUndefined();
  });
});

describe("ffmpeg command lines", () => {
  it("makes H.264 High/AAC MP4 with faststart and without metadata", () => {
    const args = videoArgs("in.mov", "out.mp4", VIDEO_PROFILES.web720, "veryfast", true).join(" ");
    expect(args).toContain("-c:v libx264 -preset veryfast -crf 23 -profile:v high -pix_fmt yuv420p");
    expect(args).toContain("-c:a aac");
    expect(args).toContain("-movflags +faststart");
    expect(args).toContain("-map_metadata -1");
    expect(videoArgs("in.mov", "out.mp4", VIDEO_PROFILES.web720, "veryfast", false)).toContain("-an");
  });

  it("fits landscape profiles without upscaling and fills the vertical one over a blurred copy, never stretched", () => {
    expect(videoFilter(VIDEO_PROFILES.web720)).toContain("scale=w='min(1280,iw)':h='min(720,ih)':force_original_aspect_ratio=decrease");
    const vertical = videoFilter(VIDEO_PROFILES.vertical);
    expect(vertical).toContain("boxblur");
    expect(vertical).toContain("[b]scale=1080:1920:force_original_aspect_ratio=decrease");
    expect(vertical).toContain("overlay=(W-w)/2:(H-h)/2");
  });

  it("normalises loudness in two passes to mono 128 kbps 44.1 kHz MP3", () => {
    const target = { integrated: -16, truePeak: -1.5 };
    expect(loudnormFilter(target)).toBe("aformat=channel_layouts=mono,loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json");
    const measured = parseLoudnormReport(
      'x\n[Parsed_loudnorm_1 @ 0x1]\n{\n\t"input_i" : "-30.02",\n\t"input_tp" : "-25.01",\n\t"input_lra" : "0.00",\n\t"input_thresh" : "-40.02",\n\t"target_offset" : "0.01"\n}\n',
    );
    const args = loudspeakerArgs("in.wav", "out.mp3", target, measured).join(" ");
    expect(args).toContain("measured_I=-30.02:measured_TP=-25.01:measured_LRA=0.00:measured_thresh=-40.02:offset=0.01:linear=true");
    expect(args).toContain("-ac 1 -ar 44100 -c:a libmp3lame -b:a 128k");
  });
});

describe("media configuration", () => {
  it("reads sizes with units, durations and profile lists, with the issue's defaults", () => {
    const d = loadConfig({}).media;
    expect(d.maxBytes).toEqual({ image: 30 * 1024 ** 2, video: 2 * 1024 ** 3, audio: 200 * 1024 ** 2 });
    expect(d.loudness).toEqual({ integrated: -16, truePeak: -1.5 });
    expect(d.videoProfiles).toEqual(["web720", "youtube1080", "vertical"]);
    const c = loadConfig({
      MEDIA_MAX_IMAGE_BYTES: "512KB",
      MEDIA_MAX_VIDEO_DURATION: "90s",
      MEDIA_VIDEO_PROFILES: "web720, vertical",
    }).media;
    expect(c.maxBytes.image).toBe(524_288);
    expect(c.maxDurationMs.video).toBe(90_000);
    expect(c.videoProfiles).toEqual(["web720", "vertical"]);
    expect(() => loadConfig({ MEDIA_VIDEO_PROFILES: "web720,4k" })).toThrow(/MEDIA_VIDEO_PROFILES/);
    expect(() => loadConfig({ MEDIA_MAX_AUDIO_BYTES: "lots" })).toThrow(/MEDIA_MAX_AUDIO_BYTES/);
  });

  it("says sizes the way people read them", () => {
    expect([formatBytes(0), formatBytes(262_144), formatBytes(31_457_280), formatBytes(2 * 1024 ** 3)]).toEqual([
      "0 bytes",
      "256 KB",
      "30 MB",
      "2 GB",
    ]);
  });
});
