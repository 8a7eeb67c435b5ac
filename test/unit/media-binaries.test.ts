import { afterEach, describe, expect, it } from "vitest";
import { npmBinary, resolveBinaries } from "../../workers/media/binaries.js";

describe("which ffmpeg and ffprobe Loa runs", () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it("falls back to the npm packages' binaries when none is in PATH, and reports their versions", () => {
    process.env.PATH = "/nonexistent";
    const bins = resolveBinaries();
    expect(bins).toMatchObject({
      ffmpeg: npmBinary("ffmpeg"),
      ffprobe: npmBinary("ffprobe"),
      source: { ffmpeg: "npm", ffprobe: "npm" },
    });
    expect(bins.versions.ffmpeg).toMatch(/^ffmpeg version N-47683/); // the 2018 static build
    expect(bins.versions.ffprobe).toMatch(/^ffprobe version /);
  });

  it("keeps the configured binaries, and says when one cannot run", () => {
    const bins = resolveBinaries({ ffmpeg: "/nonexistent/ffmpeg", ffprobe: npmBinary("ffprobe") });
    expect(bins.source).toEqual({ ffmpeg: "configured", ffprobe: "configured" });
    expect(bins.versions.ffmpeg).toBe("not runnable");
    expect(bins.versions.ffprobe).toMatch(/^ffprobe version /);
  });
});
