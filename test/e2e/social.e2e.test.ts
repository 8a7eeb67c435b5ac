import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceOf } from "../../channels/facebook/facebook.adapter.js";
import { deliveryMark } from "../../channels/wordpress.adapter.js";
import { AGENCY, createItem, newsItem, schedule, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { processed, publicMediaServer, testClip, upload } from "../helpers/media.js";
import { FacebookStub } from "../stubs/facebook.stub.js";
import { WordpressStub } from "../stubs/wordpress.stub.js";
import { YouTubeStub } from "../stubs/youtube.stub.js";
import { ZaloStub } from "../stubs/zalo.stub.js";

/**
 * The issue's end-to-end path: one infographic to WordPress, Facebook and Zalo, and one video to
 * YouTube and Facebook, each scheduled in one request through the API, processed media and all; every
 * provider's stub receives exactly what it should, once.
 */
describe("one item on every social and portal channel", () => {
  let hub: TestHub;
  let wp: WordpressStub;
  let fb: FacebookStub;
  let zalo: ZaloStub;
  let yt: YouTubeStub;
  let files: Awaited<ReturnType<typeof publicMediaServer>>;
  let filesUrl = "";
  let dir: string;
  const ch: Record<string, string> = {};

  const channel = async (kind: string, settings: Record<string, unknown>, secret: string) => {
    const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name: `Kênh ${kind}`, settings, secret });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-e2e-social-"));
    [wp, fb, zalo, yt] = await Promise.all([
      new WordpressStub().start(),
      new FacebookStub().start(),
      new ZaloStub().start(),
      new YouTubeStub().start(),
    ]);
    hub = await startHub("sqlite", {
      allow: [wp.url],
      providers: { facebook: fb.url, zalo: zalo.url, youtube: yt.url },
      env: { MEDIA_VIDEO_PROFILES: "web720,youtube1080", MEDIA_VIDEO_PRESET: "ultrafast" },
    });
    // Zalo downloads covers from a public copy of the media store (a plain web server in production).
    files = await publicMediaServer(hub);
    filesUrl = files.url;
    ch.wordpress = await channel("wordpress", { siteUrl: wp.url }, wp.secret);
    ch.facebook = await channel("facebook_page", { pageId: fb.pageId }, fb.pageToken);
    ch.zalo = await channel("zalo_oa", { coverBaseUrl: filesUrl, verifyIntervalMs: 20 }, JSON.stringify(zalo.grant()));
    const ytSecret = { refreshToken: yt.refreshToken, accessToken: yt.issue(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    ch.youtube = await channel("youtube", { privacyStatus: "public" }, JSON.stringify(ytSecret));
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await Promise.all([wp?.stop(), fb?.stop(), zalo?.stop(), yt?.stop(), files?.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function itemWith(kind: string, mediaId: string, title: string): Promise<string> {
    const body = "Người dân Cần Thơ có thể nộp hồ sơ trực tuyến tại nhà, không phải xếp hàng.";
    return (await createItem(hub.api, { kind, title, body, mediaIds: [mediaId] })).id;
  }

  async function scheduleAll(itemId: string, channelIds: string[]): Promise<string[]> {
    const at = new Date(Date.now() + 1_000).toISOString();
    const res = await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: channelIds.map((channelId) => ({ channelId, at })) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data.map((d: { id: string }) => d.id);
  }

  it("publishes an infographic once each to WordPress, Facebook and Zalo", async () => {
    const png = path.join(dir, "infographic.png");
    await sharp({ create: { width: 1080, height: 1350, channels: 3, background: { r: 0, g: 110, b: 180 } } })
      .png()
      .toFile(png);
    const media = await processed(hub, (await upload(hub, png)).body.id);
    expect(media.status).toBe("ready");
    const itemId = await itemWith("infographic", media.id, "5 bước nộp hồ sơ trực tuyến");
    const [onWp, onFb, onZalo] = await scheduleAll(itemId, [ch.wordpress ?? "", ch.facebook ?? "", ch.zalo ?? ""]);
    const results = await Promise.all(
      [onWp, onFb, onZalo].map((id) => settled(hub.api, id ?? "", ["published", "failed", "unconfirmed"], 30_000)),
    );
    for (const d of results) expect(d.status, d.lastError).toBe("published");

    const posts = wp.posts.filter((p) => p.content.includes(deliveryMark(onWp ?? "")));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.title).toBe("5 bước nộp hồ sơ trực tuyến");
    expect(posts[0]?.featured_media).toBe(wp.media.at(-1)?.id);
    expect(wp.media).toHaveLength(1);

    expect(fb.photos.filter((p) => p.published)).toHaveLength(1);
    expect(fb.photos[0]?.caption).toContain("5 BƯỚC NỘP HỒ SƠ TRỰC TUYẾN");
    expect(fb.photos[0]?.caption).toContain(referenceOf(onFb ?? ""));

    expect(zalo.articles).toHaveLength(1);
    const article = zalo.articles[0]?.body as { cover?: { photo_url: string } } | undefined;
    expect(article?.cover?.photo_url).toBe(`${filesUrl}/${media.id}/feed.jpg`);
  });

  it("publishes a video once each to YouTube and Facebook", async () => {
    const clip = path.join(dir, "huong-dan.mp4");
    testClip(clip, 1);
    const media = await processed(hub, (await upload(hub, clip)).body.id);
    expect(media.status, media.error).toBe("ready");
    const itemId = await itemWith("video", media.id, "Hướng dẫn nộp hồ sơ trực tuyến");
    const [onYt, onFb] = await scheduleAll(itemId, [ch.youtube ?? "", ch.facebook ?? ""]);
    for (const id of [onYt, onFb]) {
      const d = await settled(hub.api, id ?? "", ["published", "failed", "unconfirmed"], 60_000);
      expect(d.status, d.lastError).toBe("published");
    }
    expect(yt.videos).toHaveLength(1);
    expect(yt.videos[0]?.snippet.title).toBe("Hướng dẫn nộp hồ sơ trực tuyến");
    const web720 = media.variants.find((v: { profile: string }) => v.profile === "web720");
    expect(fb.videos).toHaveLength(1);
    expect(fb.videos[0]?.bytes.length).toBe(web720.bytes);
  });

  it("asks Facebook before sending an unconfirmed delivery again, and does not post twice", async () => {
    fb.script({ hang: true });
    const id = await schedule(hub.api, await newsItem(hub.api, AGENCY, "Tin chưa rõ kết quả"), ch.facebook ?? "");
    const lost = await settled(hub.api, id, ["unconfirmed", "published", "failed"], 40_000);
    expect(lost.status).toBe("unconfirmed");
    const before = fb.posts.filter((p) => p.message.includes(referenceOf(id))).length;
    expect(before).toBe(1); // the hung request was acted on by Facebook
    expect((await hub.api("POST", `/api/deliveries/${id}/retry`)).status).toBe(200);
    const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"], 20_000);
    expect(d.status).toBe("published");
    const posts = fb.posts.filter((p) => p.message.includes(referenceOf(id)));
    expect(posts).toHaveLength(1);
    expect(d.externalId).toBe(posts[0]?.id);
  });

  it("flags a Page whose token Facebook refuses, and tells the agency's users", async () => {
    fb.script({
      status: 400,
      body: { error: { message: "Error validating access token: Session has expired", type: "OAuthException", code: 190 } },
    });
    const id = await schedule(hub.api, await newsItem(hub.api), ch.facebook ?? "");
    const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"]);
    expect(d.status).toBe("failed");
    const flagged = await hub.api("GET", "/api/channels?needsReconnect=true");
    expect(flagged.body.data.map((c: { id: string }) => c.id)).toEqual([ch.facebook]);
    expect(flagged.body.data[0].reconnectReason).toContain("Session has expired");
    const notes = await hub.api("GET", `/api/notifications?agencyId=${AGENCY}`);
    expect(notes.status).toBe(200);
    expect(JSON.stringify(notes.body)).toContain("Cần kết nối lại kênh");
  });
});
