import crypto from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { facebookFactory, referenceOf } from "../../channels/facebook/facebook.adapter.js";
import type { PublishMedia } from "../../content/media/model.js";
import type { ChannelAdapter, PublishRequest } from "../../content/ports/adapter.js";
import { type ContractCase, request } from "../contract/contract.js";
import { imageMedia, JPEG } from "../contract/media.fixture.js";
import { outboundFor, stubEndpoints, stubRegistry } from "../helpers/endpoints.js";
import { FacebookStub } from "../stubs/facebook.stub.js";

const VIDEO_BYTES = 300_001;
const video = crypto.randomBytes(VIDEO_BYTES);
const videoMedia: PublishMedia = {
  id: "media-video-1",
  kind: "video",
  mime: "video/mp4",
  name: "clip.mp4",
  probe: { format: "mp4", durationMs: 95_000 },
  variants: [
    {
      name: "web720.mp4",
      profile: "web720",
      mime: "video/mp4",
      bytes: VIDEO_BYTES,
      width: 1280,
      height: 720,
      durationMs: 95_000,
      url: "/v",
      key: "v/web720.mp4",
    },
    {
      name: "thumb.jpg",
      profile: "thumb",
      mime: "image/jpeg",
      bytes: JPEG.length,
      width: 640,
      height: 360,
      durationMs: null,
      url: "/t",
      key: "v/thumb.jpg",
    },
  ],
};

/** Reads the video in 7,000-byte pieces, as a file stream would, so ranges straddle pieces. */
const pieces = (b: Buffer) =>
  Readable.from(Array.from({ length: Math.ceil(b.length / 7_000) }, (_, i) => b.subarray(i * 7_000, (i + 1) * 7_000)));

describe("the Facebook Page adapter", () => {
  let stub: FacebookStub;
  let adapter: ChannelAdapter;
  const opened: string[] = [];
  const req = (itemKind: PublishRequest["item"]["kind"], extra: Partial<PublishRequest> = {}) =>
    request(
      {
        kind: "facebook_page",
        itemKind,
        failures: [],
        messages: {},
        lookup: true,
        start: async () => ({}) as never,
        request: extra,
      } as ContractCase,
      crypto.randomUUID(),
    );

  beforeAll(async () => {
    stub = await new FacebookStub().start();
    stub.chunkBytes = 64 * 1024;
    const settings = { pageId: stub.pageId, graphVersion: stub.version };
    adapter = stubRegistry({ facebook: stub.url }).build("facebook_page", settings, stub.pageToken, {
      async readMedia(key) {
        opened.push(key);
        if (key === "v/web720.mp4") return { stream: pieces(video), bytes: video.length };
        return { stream: Readable.from([JPEG]), bytes: JPEG.length };
      },
      saveSecret: async () => {},
      now: () => new Date(),
    }).adapter;
  });
  afterAll(async () => {
    await stub?.stop();
  });

  it("uploads a video in start, transfer and finish phases, each chunk the range Graph asked for", async () => {
    const r = req("video", { media: [videoMedia] });
    const result = await adapter.publish(r, AbortSignal.timeout(10_000));
    const [posted] = stub.videos;
    expect(result.externalId).toBe(posted?.id);
    expect(result.url).toBe(`https://www.facebook.com/${stub.pageId}/videos/${posted?.id}`);
    expect(posted?.bytes.equals(video)).toBe(true);
    expect(posted?.chunks).toEqual([65_536, 65_536, 65_536, 65_536, 37_857]);
    expect(posted?.title).toBe(r.text.title);
    expect(posted?.description).toContain(`Mã tham chiếu: ${referenceOf(r.deliveryId)}`);
    const phases = stub.requests.filter((q) => q.path.endsWith("/videos") && q.method === "POST").map((q) => q.phase);
    expect(phases).toEqual(["start", "transfer", "transfer", "transfer", "transfer", "transfer", "finish"]);
    expect(opened.filter((k) => k === "v/web720.mp4")).toHaveLength(1);
    expect(await adapter.lookup?.(r.deliveryId, AbortSignal.timeout(5_000))).toEqual(result);
  });

  it("publishes no video when Graph refuses the finish phase, and keeps Graph's message", async () => {
    const before = stub.videos.length;
    stub.script({
      status: 400,
      body: { error: { message: "(#100) Invalid parameter", type: "OAuthException", code: 100, fbtrace_id: "x" } },
    });
    await expect(adapter.publish(req("video", { media: [videoMedia] }), AbortSignal.timeout(10_000))).rejects.toMatchObject({
      code: "channel_rejected",
    });
    expect(stub.videos).toHaveLength(before);
  });

  it("posts text with the portal link as the link card", async () => {
    const r = req("news");
    r.text.body = `${r.text.body}\n\nXem chi tiết: https://sokhcn.cantho.gov.vn/tin/123`;
    const result = await adapter.publish(r, AbortSignal.timeout(5_000));
    const post = stub.posts.find((p) => p.id === result.externalId);
    expect(post?.link).toBe("https://sokhcn.cantho.gov.vn/tin/123");
    expect(post?.message.startsWith(r.text.body)).toBe(true);
    expect(result.url).toBe(`https://www.facebook.com/${stub.pageId}/posts/${result.externalId.split("_")[1]}`);
  });

  it("posts several photos as one post: unpublished uploads attached to a feed post", async () => {
    const r = req("photo", { media: [imageMedia("a"), imageMedia("b"), imageMedia("c")] });
    const result = await adapter.publish(r, AbortSignal.timeout(5_000));
    const post = stub.posts.find((p) => p.id === result.externalId);
    expect(post?.photoIds).toHaveLength(3);
    expect(stub.photos.filter((p) => post?.photoIds.includes(p.id)).every((p) => !p.published)).toBe(true);
  });

  it("lists problems in Vietnamese and English before scheduling", () => {
    const long = req("news");
    long.text.body = "a".repeat(63_300);
    expect(adapter.check(long).map((p) => p.en)).toEqual([expect.stringContaining("63206 limit")]);
    expect(adapter.check(req("infographic")).map((p) => p.vi)).toEqual([expect.stringContaining("cần ít nhất một ảnh")]);
    expect(adapter.check(req("video", { media: [imageMedia("x")] })).map((p) => p.en)).toEqual([expect.stringContaining("web720")]);
    expect(adapter.check(req("video", { mediaPending: true }))).toEqual([]);
    const tooLong = { ...videoMedia, variants: videoMedia.variants.map((v) => ({ ...v, durationMs: 241 * 60_000 })) };
    expect(adapter.check(req("video", { media: [tooLong] })).map((p) => p.en)).toEqual([expect.stringContaining("240 minutes")]);
    const eleven = Array.from({ length: 11 }, (_, i) => imageMedia(`m${i}`));
    expect(adapter.check(req("photo", { media: eleven })).map((p) => p.en)).toEqual([expect.stringContaining("at most 10 photos")]);
  });

  it("connects a Page through Facebook Login: consent URL, then code → user token → long-lived → Page token", async () => {
    const settings = facebookFactory.settings.parse({ pageId: stub.pageId });
    const endpoints = {
      ...stubEndpoints({ facebook: stub.url }),
      facebook: { ...stubEndpoints({ facebook: stub.url }).facebook, dialog: "https://dialog.example" },
    };
    const app = { clientId: stub.app.clientId, clientSecret: stub.app.clientSecret };
    stub.app.redirectUri = "https://loa.cantho.gov.vn/api/oauth/callback";
    const consent = new URL(
      facebookFactory.oauth?.authorizeUrl({
        app,
        settings,
        endpoints,
        redirectUri: stub.app.redirectUri,
        state: "s1",
        codeChallenge: "c",
      }) ?? "",
    );
    expect(consent.origin + consent.pathname).toBe("https://dialog.example/v21.0/dialog/oauth");
    expect(Object.fromEntries(consent.searchParams)).toMatchObject({
      client_id: app.clientId,
      state: "s1",
      response_type: "code",
      scope: "pages_manage_posts,pages_read_engagement,pages_show_list",
    });
    const exchange = (code: string) =>
      facebookFactory.oauth?.exchange({
        app,
        settings,
        endpoints,
        redirectUri: stub.app.redirectUri,
        code,
        codeVerifier: "v",
        http: outboundFor([stub.url]),
        signal: AbortSignal.timeout(5_000),
      });
    expect(await exchange(stub.app.code)).toEqual({ secret: stub.pageToken });
    await expect(exchange("wrong-code")).rejects.toMatchObject({
      code: "channel_rejected",
      message: expect.stringContaining("Invalid verification code"),
    });
  });

  it("answers auth_expired without a token, so the channel is flagged for reconnection", async () => {
    const unconnected = stubRegistry({ facebook: stub.url }).build("facebook_page", { pageId: stub.pageId }, undefined, {
      readMedia: async () => ({ stream: Readable.from([]), bytes: 0 }),
      saveSecret: async () => {},
      now: () => new Date(),
    }).adapter;
    expect(unconnected.check(req("news")).map((p) => p.en)).toEqual(["the Facebook Page is not connected"]);
    await expect(unconnected.publish(req("news"), AbortSignal.timeout(5_000))).rejects.toMatchObject({ code: "auth_expired" });
  });
});
