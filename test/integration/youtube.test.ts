import crypto from "node:crypto";
import { Readable } from "node:stream";
/** The real `@googleapis/youtube` client: the stub must take what Google's own client sends. */
import * as googleapis from "@googleapis/youtube";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { YouTubeSettings, youtubeFactory, youtubeMarker } from "../../channels/youtube/youtube.adapter.js";
import { untilPacificMidnight } from "../../channels/youtube/youtube.api.js";
import type { AppError } from "../../content/errors.js";
import type { AdapterContext, PublishRequest } from "../../content/ports/adapter.js";
import { mp4, THUMB, video } from "../contract/youtube.case.js";
import { outboundFor, stubEndpoints } from "../helpers/endpoints.js";
import { YouTubeStub } from "../stubs/youtube.stub.js";

const CHUNK = 256 * 1024;
const FILE = mp4(CHUNK * 2 + 1000);
let stub: YouTubeStub;
beforeAll(async () => {
  stub = await new YouTubeStub().start();
});
afterAll(() => stub?.stop());

function adapter(secret: object, extra: Record<string, unknown> = {}) {
  const saved: { secret: Record<string, string>; expiresAt?: Date | undefined }[] = [];
  const files: Record<string, Buffer> = { "v1/youtube1080.mp4": FILE, "v1/thumb.jpg": THUMB };
  const ctx: AdapterContext = {
    http: outboundFor([stub.url]),
    endpoints: stubEndpoints({ youtube: stub.url }),
    async readMedia(key) {
      const f = files[key];
      if (!f) throw new Error(`no ${key}`);
      return { stream: Readable.from([f.subarray(0, 100_000), f.subarray(100_000)]), bytes: f.length };
    },
    async saveSecret(s, expiresAt) {
      saved.push({ secret: JSON.parse(s), expiresAt });
    },
    now: () => new Date(),
    oauthApp: stub.app,
  };
  const s = YouTubeSettings.parse({ chunkBytes: CHUNK, ...extra });
  return { a: youtubeFactory.create(s, JSON.stringify(secret), ctx), saved };
}
const fresh = () => ({
  refreshToken: stub.refreshToken,
  accessToken: stub.issue(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
});

const req = (over: Partial<PublishRequest> = {}): PublishRequest => ({
  deliveryId: crypto.randomUUID(),
  scheduledAt: new Date(),
  agency: { id: "so-tttt", name: "Sở TT&TT Cần Thơ" },
  channel: { id: "c1", name: "YouTube" },
  item: { id: "i1", kind: "video", title: "Hướng dẫn nộp hồ sơ", body: "…", tasks: ["1.3"] },
  text: {
    title: "Hướng dẫn nộp hồ sơ <trực tuyến>",
    body: "Video hướng dẫn.\n\n#DichVuCongTrucTuyen",
    html: "",
    summary: "Video hướng dẫn.",
    hashtags: ["#DichVuCongTrucTuyen", "#CanTho"],
  },
  media: [video("v1", FILE.length)],
  ...over,
});
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected a failure"),
    (e: AppError) => e,
  );

describe("the YouTube adapter", () => {
  it("uploads in resumable chunks with snippet and status, then sets the thumbnail", async () => {
    const r = req();
    const result = await adapter(fresh()).a.publish(r, AbortSignal.timeout(10_000));
    const v = stub.videos.at(-1);
    expect(result).toEqual({ externalId: v?.id, url: `https://www.youtube.com/watch?v=${v?.id}` });
    expect(v).toMatchObject({ bytes: FILE.length, uploadType: "resumable", thumbnail: { mime: "image/jpeg", bytes: THUMB.length } });
    expect(v?.snippet).toMatchObject({
      title: "Hướng dẫn nộp hồ sơ ‹trực tuyến›",
      categoryId: "25",
      tags: [youtubeMarker(r.deliveryId), "DichVuCongTrucTuyen", "CanTho"],
    });
    expect(v?.status).toMatchObject({ privacyStatus: "public", selfDeclaredMadeForKids: false });
  });

  it("uploads private with publishAt when the channel delays publication", async () => {
    await adapter(fresh(), { publishDelayMinutes: 30 }).a.publish(req(), AbortSignal.timeout(10_000));
    const at = Date.parse(String(stub.videos.at(-1)?.status.publishAt));
    expect(stub.videos.at(-1)?.status.privacyStatus).toBe("private");
    expect(at - Date.now()).toBeGreaterThan(29 * 60_000);
  });

  it("refreshes an expired access token with the city's app and keeps the refresh token", async () => {
    stub.expireAccessTokens();
    const { a, saved } = adapter({ refreshToken: stub.refreshToken });
    await a.publish(req(), AbortSignal.timeout(10_000));
    expect(saved).toHaveLength(1);
    expect(saved[0]?.secret).toMatchObject({ refreshToken: stub.refreshToken, accessToken: expect.stringMatching(/^ya29\./) });
  });

  it("calls a revoked grant auth_expired and saves nothing", async () => {
    const { a, saved } = adapter({ refreshToken: "1//revoked" });
    const err = await errorOf(a.publish(req(), AbortSignal.timeout(10_000)));
    expect(err.code).toBe("auth_expired");
    expect(err.message).toContain("expired or revoked");
    expect(saved).toEqual([]);
  });

  it("holds a channel whose daily quota is spent until midnight Pacific time", async () => {
    stub.fail("quota");
    const err = await errorOf(adapter(fresh()).a.publish(req(), AbortSignal.timeout(10_000)));
    expect(err.code).toBe("rate_limited");
    expect(err.message).toContain("quotaExceeded");
    expect(Math.abs((err.retryAfterMs ?? 0) - untilPacificMidnight(new Date()))).toBeLessThan(5_000);
    // 08:00 UTC on 2026-12-01 is midnight in Los Angeles (PST, UTC−8): a full day to wait.
    expect(untilPacificMidnight(new Date("2026-12-01T07:00:00Z"))).toBe(3_600_000);
  });

  it("finds a video by its hidden tag, and nothing for another delivery", async () => {
    const r = req();
    const { a } = adapter(fresh());
    const published = await a.publish(r, AbortSignal.timeout(10_000));
    expect(await a.lookup?.(r.deliveryId, AbortSignal.timeout(5_000))).toEqual(published);
    expect(await a.lookup?.(crypto.randomUUID(), AbortSignal.timeout(5_000))).toBeUndefined();
  });

  it("lists what YouTube would refuse, in Vietnamese and English", () => {
    const { a } = adapter(fresh());
    const text = { ...req().text, title: "T".repeat(101), body: "đ".repeat(2501) };
    expect(a.check(req({ text, media: [] })).map((p) => p.field)).toEqual(["title", "body", "media"]);
    expect(a.check(req({ media: [], mediaPending: true }))).toEqual([]);
    const long = req({ media: [video("v1", 1000, 16 * 60_000)] });
    expect(a.check(long)[0]?.vi).toContain("15 phút");
    expect(adapter(fresh(), { verified: true }).a.check(long)).toEqual([]);
  });
});

describe("the stub under Google's own client (@googleapis/youtube)", () => {
  it("takes videos.insert (with rootUrl) and thumbnails.set as the real client sends them", async () => {
    const auth = new googleapis.auth.OAuth2(stub.app.clientId, stub.app.clientSecret);
    auth.setCredentials({ refresh_token: stub.refreshToken });
    // The client refreshes its token at the endpoint it is given: point it at the stub.
    Object.assign(auth, { endpoints: { ...auth.endpoints, oauth2TokenUrl: `${stub.url}/token` } });
    const yt = googleapis.youtube({ version: "v3", auth });
    const root = { rootUrl: `${stub.url}/` };
    const inserted = await yt.videos.insert(
      {
        part: ["snippet", "status"],
        requestBody: { snippet: { title: "Thử", description: "Mô tả", tags: ["loa-x"] }, status: { privacyStatus: "unlisted" } },
        media: { mimeType: "video/mp4", body: Readable.from(mp4(5000)) },
      },
      root,
    );
    expect(inserted.data.id).toBe(stub.videos.at(-1)?.id);
    await yt.thumbnails.set({ videoId: inserted.data.id ?? "", media: { mimeType: "image/jpeg", body: Readable.from(THUMB) } }, root);
    expect(stub.videos.at(-1)?.thumbnail?.bytes).toBe(THUMB.length);
    expect(stub.refreshes.at(-1)).toBe(stub.refreshToken);
  });
});
