import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zaloReference } from "../../channels/zalo/zalo.adapter.js";
import { AGENCY, createItem, schedule, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { processed, publicMediaServer, testClip, upload } from "../helpers/media.js";
import { YouTubeStub } from "../stubs/youtube.stub.js";
import { ZaloStub } from "../stubs/zalo.stub.js";

/**
 * Through the whole hub: channels created by the API with settings pointing at the stubs, items with
 * processed media, `POST /api/items/:id/schedule`, the publish worker, and each stub receiving it once.
 */
describe("Zalo OA and YouTube channels, scheduled through the hub", () => {
  let hub: TestHub;
  let zalo: ZaloStub;
  let youtube: YouTubeStub;
  let files: Awaited<ReturnType<typeof publicMediaServer>>;
  let filesUrl = "";
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-social-"));
    [zalo, youtube] = await Promise.all([new ZaloStub().start(), new YouTubeStub().start()]);
    hub = await startHub("sqlite", {
      providers: { zalo: zalo.url, youtube: youtube.url },
      env: { MEDIA_VIDEO_PROFILES: "youtube1080", MEDIA_VIDEO_PRESET: "ultrafast" },
    });
    // The public copy of the media store that Zalo downloads covers from (a plain web server in production).
    files = await publicMediaServer(hub);
    filesUrl = files.url;
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([zalo?.stop(), youtube?.stop(), files?.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function channel(kind: string, settings: Record<string, unknown>, secret: object): Promise<string> {
    const res = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind,
      name: `Kênh ${kind}`,
      settings,
      secret: JSON.stringify(secret),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  async function item(kind: string, mediaId: string, title: string): Promise<string> {
    const body = "Người dân Cần Thơ nộp hồ sơ trực tuyến tại nhà.";
    return (await createItem(hub.api, { kind, title, body, mediaIds: [mediaId] })).id;
  }

  it("publishes an infographic as a Zalo article, once, with its processed cover", async () => {
    const png = path.join(dir, "infographic.png");
    await sharp({ create: { width: 800, height: 1200, channels: 3, background: { r: 0, g: 110, b: 180 } } })
      .png()
      .toFile(png);
    const media = await processed(hub, (await upload(hub, png)).body.id);
    expect(media.status).toBe("ready");
    const channelId = await channel(
      "zalo_oa",
      { coverBaseUrl: filesUrl, verifyIntervalMs: 20, hashtags: ["#DichVuCongTrucTuyen"] },
      zalo.grant(),
    );
    const deliveryId = await schedule(hub.api, await item("infographic", media.id, "Nộp hồ sơ trực tuyến tại nhà"), channelId);
    const delivery = await settled(hub.api, deliveryId, ["published", "failed", "unconfirmed"], 30_000);
    expect(delivery, JSON.stringify(delivery)).toMatchObject({ status: "published", externalId: zalo.articles[0]?.id });
    expect(zalo.articles).toHaveLength(1);
    const article = zalo.articles[0]?.body as any;
    expect(article.title).toBe("Nộp hồ sơ trực tuyến tại nhà");
    expect(article.cover.photo_url).toBe(`${filesUrl}/${media.id}/feed.jpg`);
    expect(article.body.map((b: { content: string }) => b.content).join("\n")).toContain("Người dân Cần Thơ nộp hồ sơ");
    expect(article.body.at(-1).content).toBe(zaloReference(deliveryId));
  });

  it("publishes a video item to YouTube, once, by resumable upload with its thumbnail", async () => {
    const clip = path.join(dir, "huong-dan.mp4");
    testClip(clip, 1);
    const media = await processed(hub, (await upload(hub, clip)).body.id);
    expect(media.status).toBe("ready");
    const secret = {
      refreshToken: youtube.refreshToken,
      accessToken: youtube.issue(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const channelId = await channel("youtube", { privacyStatus: "unlisted" }, secret);
    const deliveryId = await schedule(hub.api, await item("video", media.id, "Hướng dẫn nộp hồ sơ trực tuyến"), channelId);
    const delivery = await settled(hub.api, deliveryId, ["published", "failed", "unconfirmed"], 30_000);
    const video = youtube.videos[0];
    expect(delivery, JSON.stringify(delivery)).toMatchObject({ status: "published", externalId: video?.id });
    expect(youtube.videos).toHaveLength(1);
    const variant = media.variants.find((v: { profile: string }) => v.profile === "youtube1080");
    expect(video).toMatchObject({ uploadType: "resumable", bytes: variant.bytes, thumbnail: { mime: "image/jpeg" } });
    expect(video?.snippet).toMatchObject({ title: "Hướng dẫn nộp hồ sơ trực tuyến", tags: expect.arrayContaining([`loa-${deliveryId}`]) });
    expect(video?.status.privacyStatus).toBe("unlisted");
  });
});
