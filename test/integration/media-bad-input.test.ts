import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";
import { noWorkFilesLeft, phonePhoto, pngBomb, storedFiles, testClip, upload } from "../helpers/media.js";

// Every refusal here happens before a media row or a stored file exists, so one database (SQLite) is
// enough; the store-touching paths run on both in media.test.ts.
describe("bad uploads are refused with a clear 4xx, and leave nothing behind", () => {
  let hub: TestHub;
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-bad-"));
    await phonePhoto(file("ok.jpg"), 640, 480);
    hub = await startHub("sqlite", { env: { MEDIA_MAX_IMAGE_BYTES: "256KB", MEDIA_MAX_VIDEO_DURATION: "3s" } });
  });
  afterAll(async () => {
    await hub?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The answer names the problem and the field; the server still serves; no work file or stored file is left. */
  async function expectRefused(res: { status: number; body: any }, status: number, message: RegExp): Promise<void> {
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(res.body.field).toBe("file");
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect((await hub.api("GET", "/api/media")).body.data).toEqual([]);
    await noWorkFilesLeft(hub);
    expect(storedFiles(hub)).toEqual([]);
  }

  it("refuses a truncated JPEG with 422", async () => {
    const whole = fs.readFileSync(file("ok.jpg"));
    const res = await upload(hub, { name: "cut.jpg", data: whole.subarray(0, Math.floor(whole.length * 0.6)) });
    await expectRefused(res, 422, /truncated or corrupt/);
  });

  it("refuses a 20,000 × 20,000 PNG as a decompression bomb with 422, without decoding it", async () => {
    const res = await upload(hub, { name: "bomb.png", data: pngBomb(20_000, 20_000) });
    await expectRefused(res, 422, /20000×20000 pixels .* decompression bomb/);
  });

  it("refuses an SVG that does not render (an external entity) with 422", async () => {
    const svg = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text>&x;</text></svg>`;
    const res = await upload(hub, { name: "logo.svg", data: Buffer.from(svg) });
    await expectRefused(res, 422, /SVG does not render as a picture/);
  });

  it("refuses a multipart request without a boundary with 400 naming file, not a 500", async () => {
    for (const type of ["multipart/form-data", "multipart/form-data; charset=utf-8", 'multipart/form-data; boundary=""']) {
      const res = await fetch(`${hub.url}/api/media`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": type },
        body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc\r\n--x--\r\n',
      });
      await expectRefused({ status: res.status, body: await res.json() }, 400, /multipart/);
    }
  });

  it("refuses a text file named .mp4 with 415, judged by its content", async () => {
    const res = await upload(hub, { name: "clip.mp4", data: Buffer.from("Đây không phải là video.\n".repeat(300)) });
    await expectRefused(res, 415, /not an image, video or audio format/);
  });

  it("refuses a video longer than the maximum with 422 naming both durations", async () => {
    testClip(file("long.mp4"), 5, "160x90");
    const res = await upload(hub, file("long.mp4"));
    await expectRefused(res, 422, /lasts 5\.0 s, longer than the 3 s allowed/);
  });

  it("refuses an upload beyond the size limit with 413 and removes the partial file", async () => {
    await sharp({
      create: { width: 1200, height: 1200, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } },
    })
      .png({ compressionLevel: 0 })
      .toFile(file("huge.png"));
    expect(fs.statSync(file("huge.png")).size).toBeGreaterThan(4 * 1024 * 1024);
    const res = await upload(hub, file("huge.png"));
    await expectRefused(res, 413, /image file is larger than the 256 KB allowed/);
  });

  it("refuses a zero-byte file with 400", async () => {
    const res = await upload(hub, { name: "empty.jpg", data: new Uint8Array(0) });
    await expectRefused(res, 400, /empty/);
  });

  it("still accepts a good photo afterwards", async () => {
    const res = await upload(hub, file("ok.jpg"));
    expect(res.status).toBe(202);
  });
});
