import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { AGENCY, createItem, newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { ADMIN_TOKEN, eventually, startHub, type TestHub } from "../helpers/hub.js";
import {
  exifTags,
  noWorkFilesLeft,
  phonePhoto,
  processed,
  storedFiles,
  storedPath,
  tempFiles,
  testClip,
  upload,
} from "../helpers/media.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

// Store-touching behaviour (uploads, dedupe, variants, items and deliveries) on both databases; the
// heavier video and audio checks are in media-av.test.ts.
describe.each(DB_KINDS)("media uploads and image variants (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let dir: string;
  let photo: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-media-"));
    photo = path.join(dir, "anh-nguoi-dan.jpg");
    await phonePhoto(photo, 1600, 1200);
    stub = await new WebhookStub("bi-mat-media").start();
    hub = await startHub(kind, { allow: [stub.url] });
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("derives JPEG and WebP variants per profile, turned upright, with no EXIF or GPS left", async () => {
    const original = await sharp(photo).metadata();
    expect(exifTags(photo)).toHaveProperty("GPSLatitude");
    expect(original.orientation).toBe(6);
    const res = await upload(hub, photo);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: "image", mime: "image/jpeg", status: "processing", name: "anh-nguoi-dan.jpg" });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const m = await processed(hub, res.body.id);
    expect(m).toMatchObject({
      status: "ready",
      progress: 100,
      error: null,
      probe: { format: "jpeg", width: 1200, height: 1600, orientation: 6 },
    });
    const sizes = Object.fromEntries(m.variants.map((v: any) => [v.name, [v.width, v.height]]));
    expect(sizes).toEqual({
      "board.jpg": [1920, 1080],
      "board.webp": [1920, 1080],
      "feed.jpg": [1200, 630],
      "feed.webp": [1200, 630],
      "original.jpg": [1200, 1600],
      "original.webp": [1200, 1600],
      "square.jpg": [1080, 1080],
      "square.webp": [1080, 1080],
      "thumb.jpg": [640, 853],
      "thumb.webp": [640, 853],
    });
    for (const v of m.variants) {
      const meta = await sharp(storedPath(hub, v.key)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([v.name.endsWith(".jpg") ? "jpeg" : "webp", v.width, v.height]);
      expect(meta.exif, `${v.name} has no EXIF`).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      if (v.name.endsWith(".jpg")) expect(Object.keys(exifTags(storedPath(hub, v.key))).filter((t) => /GPS|Make/.test(t))).toEqual([]);
    }
    // Upright: the red corner of the sensor's top-left is now top-right; the board letterboxes in black.
    const { data, info } = await sharp(storedPath(hub, `${m.id}/original.jpg`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(px(info.width - 20, 20)[0]).toBeGreaterThan(200);
    const board = await sharp(storedPath(hub, `${m.id}/board.jpg`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([...board.data.subarray((540 * 1920 + 10) * 3, (540 * 1920 + 10) * 3 + 3)].every((c) => c < 16)).toBe(true);
    const file = await fetch(`${hub.url}${m.variants[0].url}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(fs.readFileSync(storedPath(hub, m.variants[0].key)))).toBe(true);
    await noWorkFilesLeft(hub);
  });

  it("stores an identical file once per agency, and separately for another agency", async () => {
    const first = await upload(hub, photo);
    const before = storedFiles(hub).length;
    const again = await upload(hub, photo);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(storedFiles(hub)).toHaveLength(before);
    const other = await upload(hub, photo, "so-noi-vu");
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect((await processed(hub, other.body.id)).status).toBe("ready");
    await noWorkFilesLeft(hub);
  });

  it("holds a delivery until its media are processed, then publishes it with their variants", async () => {
    const channelId = await webhookChannel(hub.api, stub);
    const clip = path.join(dir, "clip.mp4");
    testClip(clip, 3, "640x360");
    const media = await upload(hub, clip);
    expect(media.status).toBe(202);
    const item = await createItem(hub.api, { kind: "video", body: "Video hướng dẫn.", tasks: [], mediaIds: [media.body.id] });
    const id = await schedule(hub.api, item.id, channelId);
    const waiting = await eventually(async () => {
      const d = await hub.api("GET", `/api/deliveries/${id}`);
      return /waiting for media/.test(d.body.lastError ?? "") ? d.body : undefined;
    });
    expect(waiting.status).toBe("scheduled");
    const d = await settled(hub.api, id, ["published", "failed"], 90_000);
    expect(d.status).toBe("published");
    expect((await hub.api("GET", `/api/media/${media.body.id}`)).body.status).toBe("ready");
    const post = stub.posts.find((p) => p.key === id);
    const sent = (post?.body.media as any[])?.[0];
    expect(sent.id).toBe(media.body.id);
    expect(sent.variants.map((v: any) => v.name)).toEqual(expect.arrayContaining(["web720.mp4", "vertical.mp4", "thumb.jpg"]));
    expect((await hub.api("GET", `/api/items/${item.id}/media`)).body.data[0].id).toBe(media.body.id);
  });

  it("fails a delivery whose media was cancelled, saying which", async () => {
    const channelId = await webhookChannel(hub.api, stub);
    const clip = path.join(dir, "clip-cancel.mp4");
    testClip(clip, 4, "640x360");
    const media = await upload(hub, clip);
    const itemId = await newsItem(hub.api);
    expect((await hub.api("POST", `/api/items/${itemId}/media`, { mediaIds: [media.body.id] })).status).toBe(200);
    expect((await hub.api("POST", `/api/media/${media.body.id}/cancel`)).body.status).toBe("cancelled");
    const d = await settled(hub.api, await schedule(hub.api, itemId, channelId), ["failed", "published"]);
    expect(d.status).toBe("failed");
    expect(d.lastError).toContain(`media ${media.body.id}`);
    expect(d.lastError).toContain("cancelled");
    await eventually(async () => (tempFiles(hub).length === 0 ? true : undefined));
  });

  it("confines officers to their own agency's media: others' are not found, and uploading for them is forbidden", async () => {
    const officer = await hub.api("POST", "/api/users", { name: "Cán bộ Sở Nội vụ", role: "officer", agencyId: "so-noi-vu" });
    expect(officer.status).toBe(201);
    const mine = await upload(hub, photo, AGENCY);
    expect((await hub.api("GET", `/api/media/${mine.body.id}`, undefined, officer.body.token)).status).toBe(404);
    expect((await hub.api("GET", `/api/media/${mine.body.id}/file`, undefined, officer.body.token)).status).toBe(404);
    expect(
      (await hub.api("GET", "/api/media", undefined, officer.body.token)).body.data.every((m: any) => m.agencyId === "so-noi-vu"),
    ).toBe(true);
    const refused = await upload(hub, photo, AGENCY, officer.body.token);
    expect(refused.status).toBe(403);
    expect(refused.body.field).toBe("agencyId");
    await eventually(async () => (tempFiles(hub).length === 0 ? true : undefined));
  });

  it("refuses to attach another agency's media, naming the field", async () => {
    const other = await upload(hub, photo, "so-tai-chinh");
    const res = await hub.api("POST", "/api/items", {
      agencyId: AGENCY,
      kind: "photo",
      title: "Ảnh",
      body: "Ảnh.",
      mediaIds: [other.body.id],
    });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("mediaIds.0");
  });

  it.each([
    ["a namespace-prefixed script", '<x:script xmlns:x="http://www.w3.org/2000/svg">alert(document.cookie)</x:script>'],
    [
      "an entity-encoded javascript: URL in <animate values>",
      '<a href="#"><animate attributeName="href" values="&#106;avascript:alert(1)"/><text y="50">Mở</text></a>',
    ],
  ])("stores an SVG carrying %s as the PNG of its picture: the markup is never kept nor served", async (_what, payload) => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150">${payload}<rect width="300" height="150" fill="#0a6ebd" opacity="0.5"/></svg>`;
    const res = await upload(hub, { name: "banner.svg", data: Buffer.from(svg) });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: "image", mime: "image/png", name: "banner.png" });
    expect((await processed(hub, res.body.id)).status).toBe("ready");
    const original = await fetch(`${hub.url}/api/media/${res.body.id}/file`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(original.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await original.arrayBuffer());
    expect((await sharp(bytes).metadata()).format).toBe("png");
    const files = storedFiles(hub).filter((f) => f.startsWith(res.body.id));
    expect(files).toContain(`${res.body.id}/original`);
    for (const file of files) {
      expect(fs.readFileSync(storedPath(hub, file)).toString("latin1")).not.toMatch(/script|javascript|&#106;|alert/i);
    }
  });

  it("accepts a clean SVG logo and stamps it on the watermark profiles of the agency's later photos", async () => {
    const logoSvg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#ff0000"/></svg>';
    const logo = await upload(hub, { name: "logo.svg", data: Buffer.from(logoSvg) });
    expect(logo.body).toMatchObject({ kind: "image", mime: "image/png", name: "logo.png" });
    expect((await processed(hub, logo.body.id)).status).toBe("ready");
    expect((await hub.api("PUT", `/api/agencies/${AGENCY}/logo`, { mediaId: logo.body.id })).status).toBe(204);
    const second = path.join(dir, "anh-2.jpg");
    await phonePhoto(second, 1000, 750);
    const m = await processed(hub, (await upload(hub, second)).body.id);
    const pixel = async (name: string, x: number, y: number) => {
      const img = sharp(storedPath(hub, `${m.id}/${name}`));
      const { data } = await img.extract({ left: x, top: y, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
      return [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0] as const;
    };
    // feed is 1200×630: a 180 px wide logo sits 19 px from the bottom-right corner.
    const [r, g, b] = await pixel("feed.jpg", 1090, 560);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(120);
    const [tr, , tb] = await pixel("thumb.jpg", 560, 400);
    expect(tb).toBeGreaterThan(tr);
  });
});
