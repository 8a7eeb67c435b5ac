import { describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";
import { formatBytes } from "../../content/media/receive.js";
import { loudnormFilter, loudspeakerArgs, parseLoudnormReport } from "../../workers/media/audio.js";
import { detectType, looksLikeSvg, svgProblem } from "../../workers/media/detect.js";
import { ProgressParser } from "../../workers/media/ffmpeg.js";
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

describe("SVG checks", () => {
  it("recognises SVG after a BOM, prolog, comment and doctype, and not HTML", () => {
    const svg =
      '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(looksLikeSvg(Buffer.from(svg))).toBe(true);
    expect(looksLikeSvg(Buffer.from("<html><svg></svg></html>"))).toBe(false);
  });

  it.each([
    ["<svg><script>alert(1)</script></svg>", /script/],
    ['<svg><rect onload="alert(1)"/></svg>', /event handler/],
    ['<svg><a href="javascript:alert(1)"><rect/></a></svg>', /javascript/],
    ['<svg><image href="https://x.example/a.png"/></svg>', /external reference \(https:\/\/x\.example/],
    ['<svg><use xlink:href="file:///etc/passwd#x"/></svg>', /external reference/],
    ['<svg><rect style="fill: url(http://x.example/p.svg#g)"/></svg>', /external reference/],
    ['<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', /entity/],
    ["<svg><foreignObject><div/></foreignObject></svg>", /foreign/],
  ])("refuses %s", (svg, problem) => {
    expect(svgProblem(svg)).toMatch(problem);
  });

  it("accepts internal references, inline raster data and gradients", () => {
    const svg =
      '<svg><defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use href="#g"/><image href="data:image/png;base64,iVBOR"/><!-- <script> in a comment --></svg>';
    expect(svgProblem(svg)).toBeUndefined();
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
