import crypto from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZaloSettings, zaloFactory, zaloReference } from "../../channels/zalo/zalo.adapter.js";
import type { AppError } from "../../content/errors.js";
import type { AdapterContext, PublishRequest } from "../../content/ports/adapter.js";
import { infographic, JPEG } from "../contract/zalo.case.js";
import { outboundFor, stubEndpoints } from "../helpers/endpoints.js";
import { ZaloStub } from "../stubs/zalo.stub.js";

let stub: ZaloStub;
beforeAll(async () => {
  stub = await new ZaloStub().start();
  stub.files.set("m1/feed.jpg", JPEG);
});
afterAll(() => stub?.stop());

const settings = (extra: Record<string, unknown> = {}) =>
  ZaloSettings.parse({ coverBaseUrl: `${stub.url}/files`, verifyIntervalMs: 20, ...extra });

/** An adapter as the publisher builds it, with the city's Zalo app; `saved` collects what it stores. */
function adapter(secret: object, extra: Record<string, unknown> = {}, withApp = true) {
  const saved: { secret: Record<string, string>; expiresAt?: Date | undefined }[] = [];
  const ctx: AdapterContext = {
    http: outboundFor([stub.url]),
    endpoints: stubEndpoints({ zalo: stub.url }),
    readMedia: async () => ({ stream: Readable.from(JPEG), bytes: JPEG.length }),
    async saveSecret(s, expiresAt) {
      saved.push({ secret: JSON.parse(s), expiresAt });
    },
    now: () => new Date(),
    ...(withApp ? { oauthApp: stub.app } : {}),
  };
  return { a: zaloFactory.create(settings(extra), JSON.stringify(secret), ctx), saved };
}

const req = (over: Partial<PublishRequest> = {}): PublishRequest => ({
  deliveryId: crypto.randomUUID(),
  scheduledAt: new Date(),
  agency: { id: "so-tttt", name: "Sở Thông tin và Truyền thông thành phố Cần Thơ" },
  channel: { id: "c1", name: "Zalo OA" },
  item: { id: "i1", kind: "infographic", title: "Nộp hồ sơ trực tuyến", body: "…", tasks: ["1.3"] },
  text: {
    title: "Nộp hồ sơ trực tuyến",
    body: "Người dân nộp hồ sơ tại nhà.\n\nXem chi tiết: https://cantho.gov.vn/tin/1",
    html: "",
    summary: "Người dân nộp hồ sơ tại nhà.",
    hashtags: [],
  },
  media: [infographic()],
  ...over,
});
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected a failure"),
    (e: AppError) => e,
  );

describe("the Zalo OA adapter", () => {
  it("creates the article with cover, paragraphs and reference, waits for its id, and broadcasts it", async () => {
    const { a } = adapter(stub.grant(), { broadcast: true, broadcastCities: "61" });
    const r = req();
    const result = await a.publish(r, AbortSignal.timeout(5_000));
    const article = stub.articles.at(-1);
    expect(result).toEqual({ externalId: article?.id, url: stub.link(article?.id ?? "") });
    expect(article?.body).toMatchObject({
      title: "Nộp hồ sơ trực tuyến",
      author: "Sở Thông tin và Truyền thông thành phố Cần Thơ",
      cover: { cover_type: "photo", photo_url: `${stub.url}/files/m1/feed.jpg`, status: "show" },
      body: [
        { type: "text", content: "Người dân nộp hồ sơ tại nhà." },
        { type: "text", content: "Xem chi tiết: https://cantho.gov.vn/tin/1" },
        { type: "text", content: zaloReference(r.deliveryId) },
      ],
    });
    expect(stub.broadcasts.at(-1)).toMatchObject({ recipient: { target: { cities: "61" } } });
  });

  it("refreshes an expired access token before publishing and saves both new tokens", async () => {
    const granted = stub.grant();
    stub.expireAccessTokens();
    const { a, saved } = adapter({ ...granted, expiresAt: new Date(Date.now() - 1000).toISOString() });
    await a.publish(req(), AbortSignal.timeout(5_000));
    expect(stub.refreshes.at(-1)).toEqual({ refreshToken: granted.refreshToken, answered: "ok" });
    expect(saved).toHaveLength(1);
    expect(saved[0]?.secret.refreshToken).not.toBe(granted.refreshToken);
    expect(saved[0]?.secret.accessToken).toMatch(/^at-/);
    expect(saved[0]?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);
  });

  it("refreshes and retries once when Zalo says the token is invalid before its stored expiry", async () => {
    const { a, saved } = adapter(stub.grant());
    stub.expireAccessTokens();
    const before = stub.articles.length;
    await a.publish(req(), AbortSignal.timeout(5_000));
    expect(stub.articles).toHaveLength(before + 1);
    expect(saved).toHaveLength(1);
  });

  it("keeps the stored refresh token when a refresh fails, and it still works afterwards", async () => {
    const granted = stub.grant();
    stub.expireAccessTokens();
    const expired = { ...granted, expiresAt: new Date(0).toISOString() };
    stub.failRefresh({ status: 200, body: { access_token: "at-half", expires_in: "90000" } });
    const first = adapter(expired);
    expect((await errorOf(first.a.publish(req(), AbortSignal.timeout(5_000)))).code).toBe("auth_expired");
    stub.failRefresh({ status: 502, body: "bad gateway" });
    const second = adapter(expired);
    expect((await errorOf(second.a.publish(req(), AbortSignal.timeout(5_000)))).code).toBe("channel_unavailable");
    expect([...first.saved, ...second.saved]).toEqual([]);
    const third = adapter(expired);
    await third.a.publish(req(), AbortSignal.timeout(5_000));
    expect(third.saved).toHaveLength(1);
  });

  it("treats refresh tokens as single-use: the old one is refused once the new one is issued", async () => {
    const granted = stub.grant();
    const args = {
      app: stub.app,
      settings: settings(),
      endpoints: stubEndpoints({ zalo: stub.url }),
      http: outboundFor([stub.url]),
      signal: AbortSignal.timeout(5_000),
    };
    const refresh = zaloFactory.oauth?.refresh;
    if (!refresh) throw new Error("the Zalo factory has no refresh");
    const next = await refresh({ ...args, secret: JSON.stringify(granted) });
    expect(JSON.parse(next.secret).refreshToken).not.toBe(granted.refreshToken);
    expect((await errorOf(refresh({ ...args, secret: JSON.stringify(granted) }))).code).toBe("auth_expired");
    await expect(refresh({ ...args, secret: next.secret })).resolves.toMatchObject({ expiresAt: expect.any(Date) });
  });

  it("answers auth_expired without an app to refresh with", async () => {
    const granted = stub.grant();
    stub.expireAccessTokens();
    const { a } = adapter(granted, {}, false);
    expect((await errorOf(a.publish(req(), AbortSignal.timeout(5_000)))).code).toBe("auth_expired");
  });

  it("builds the consent URL of OAuth v4 with PKCE", () => {
    const url = new URL(
      zaloFactory.oauth?.authorizeUrl({
        app: stub.app,
        settings: settings(),
        endpoints: stubEndpoints({ zalo: stub.url }),
        redirectUri: "https://loa/cb",
        state: "st",
        codeChallenge: "ch",
      }) ?? "",
    );
    expect(url.pathname).toBe("/v4/oa/permission");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app_id: stub.app.clientId,
      redirect_uri: "https://loa/cb",
      code_challenge: "ch",
      state: "st",
    });
  });

  it("lists what Zalo would refuse, in Vietnamese and English, and waits for media still processing", () => {
    const { a } = adapter(stub.grant());
    const long = req({ text: { ...req().text, title: "Đ".repeat(151) }, media: [] });
    expect(a.check(long).map((p) => p.field)).toEqual(["title", "media"]);
    expect(a.check({ ...long, mediaPending: true }).map((p) => p.field)).toEqual(["title"]);
    expect(a.check(req({ media: [infographic("m2", 2_000_000)] }))[0]?.en).toContain("1 MB");
    const { a: noBase } = adapter(stub.grant(), { coverBaseUrl: undefined });
    expect(noBase.check(req())[0]?.field).toBe("settings.coverBaseUrl");
    const { a: banner } = adapter(stub.grant(), { coverBaseUrl: undefined, defaultCoverUrl: `${stub.url}/files/m1/feed.jpg` });
    expect(banner.check(req({ media: [] }))).toEqual([]);
  });
});
