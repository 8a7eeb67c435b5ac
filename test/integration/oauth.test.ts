import http from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY, newsItem, schedule, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { FacebookStub } from "../stubs/facebook.stub.js";
import { ZaloStub } from "../stubs/zalo.stub.js";

const PUBLIC_URL = "https://loa.cantho.gov.vn";

/** Connecting accounts through the API: consent URL, the provider's callback, tokens stored and used. */
describe("connecting a channel by OAuth", () => {
  let hub: TestHub;
  let fb: FacebookStub;
  let zalo: ZaloStub;
  let banner: http.Server;
  let bannerUrl = "";

  beforeAll(async () => {
    // The agency's public banner, which Zalo downloads as the article's cover.
    const jpeg = await sharp({ create: { width: 1200, height: 630, channels: 3, background: "#0a6ebd" } })
      .jpeg()
      .toBuffer();
    banner = http.createServer((_req, res) => res.writeHead(200, { "content-type": "image/jpeg" }).end(jpeg));
    await new Promise<void>((resolve) => banner.listen(0, "127.0.0.1", resolve));
    bannerUrl = `http://127.0.0.1:${(banner.address() as AddressInfo).port}/banner.jpg`;
    [fb, zalo] = await Promise.all([new FacebookStub().start(), new ZaloStub().start()]);
    fb.app.redirectUri = `${PUBLIC_URL}/api/oauth/callback`;
    hub = await startHub("sqlite", {
      providers: { facebook: fb.url, zalo: zalo.url },
      env: {
        PUBLIC_URL,
        FACEBOOK_CLIENT_ID: fb.app.clientId,
        FACEBOOK_CLIENT_SECRET: fb.app.clientSecret,
        ZALO_CLIENT_ID: zalo.app.clientId,
        ZALO_CLIENT_SECRET: zalo.app.clientSecret,
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([fb?.stop(), zalo?.stop(), new Promise((r) => banner?.close(r))]);
  });

  const create = async (kind: string, settings: Record<string, unknown>) => {
    const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name: `Kênh ${kind}`, settings });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.hasSecret).toBe(false);
    return res.body.id as string;
  };
  const callback = (query: Record<string, string>) => fetch(`${hub.url}/api/oauth/callback?${new URLSearchParams(query)}`);

  it("connects a Facebook Page: consent URL, callback, Page token stored and used to publish", async () => {
    const id = await create("facebook_page", { pageId: fb.pageId });
    const connect = await hub.api("GET", `/api/channels/${id}/connect`);
    expect(connect.status).toBe(200);
    const url = new URL(connect.body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${fb.url}/v21.0/dialog/oauth`);
    expect(url.searchParams.get("client_id")).toBe(fb.app.clientId);
    expect(url.searchParams.get("redirect_uri")).toBe(`${PUBLIC_URL}/api/oauth/callback`);
    expect(url.searchParams.get("scope")).toContain("pages_manage_posts");
    const state = url.searchParams.get("state") ?? "";

    const back = await callback({ code: fb.app.code, state });
    expect(back.status).toBe(200);
    expect(await back.text()).toContain("Đã kết nối kênh");
    expect((await hub.api("GET", `/api/channels/${id}`)).body).toMatchObject({ hasSecret: true, reconnectReason: null });

    const delivery = await schedule(hub.api, await newsItem(hub.api, AGENCY, "Kết nối Fanpage thành công"), id);
    expect((await settled(hub.api, delivery, ["published", "failed", "unconfirmed"])).status).toBe("published");
    expect(fb.posts.some((p) => p.message.includes("KẾT NỐI FANPAGE THÀNH CÔNG"))).toBe(true);

    const replay = await callback({ code: fb.app.code, state });
    expect(replay.status).toBe(400);
  });

  it("connects a Zalo OA with PKCE, stores both tokens with their expiry, and refreshes them on the clock", async () => {
    const id = await create("zalo_oa", { defaultCoverUrl: bannerUrl });
    const connect = await hub.api("GET", `/api/channels/${id}/connect`);
    const url = new URL(connect.body.url);
    expect(url.pathname).toBe("/v4/oa/permission");
    const code = zalo.consent(connect.body.url);
    const back = await callback({ code, state: url.searchParams.get("state") ?? "" });
    expect(back.status).toBe(200);
    const connected = (await hub.api("GET", `/api/channels/${id}`)).body;
    expect(connected.hasSecret).toBe(true);
    expect(new Date(connected.tokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);

    // The clock refreshes a token about to expire; the single-use refresh token is replaced.
    const db = hub.running.runtime.database.db;
    await db
      .updateTable("channels")
      .set({ token_expires_at: new Date(Date.now() + 3_600_000) })
      .where("id", "=", id)
      .execute();
    const before = zalo.refreshes.length;
    expect(await hub.running.runtime.services.oauth.refreshDue(6 * 3_600_000)).toEqual({ refreshed: 1, failed: 0 });
    expect(zalo.refreshes.slice(before).map((r) => r.answered)).toEqual(["ok"]);
    const refreshed = (await hub.api("GET", `/api/channels/${id}`)).body;
    expect(new Date(refreshed.tokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);

    const delivery = await schedule(hub.api, await newsItem(hub.api, AGENCY, "Bài viết trên Zalo OA"), id);
    const d = await settled(hub.api, delivery, ["published", "failed", "unconfirmed"], 20_000);
    expect(d.status, d.lastError).toBe("published");
  });

  it("refuses a code exchanged with another verifier than the consent's challenge, and keeps the channel unconnected", async () => {
    const id = await create("zalo_oa", {});
    const first = await hub.api("GET", `/api/channels/${id}/connect`);
    const second = await hub.api("GET", `/api/channels/${id}/connect`);
    // The code was granted for the first link's challenge but comes back with the second link's state.
    const code = zalo.consent(first.body.url);
    const back = await callback({ code, state: new URL(second.body.url).searchParams.get("state") ?? "" });
    expect(back.status).toBeGreaterThanOrEqual(400);
    expect((await hub.api("GET", `/api/channels/${id}`)).body.hasSecret).toBe(false);
  });

  it("says which app is missing when the city has not configured it", async () => {
    const id = await create("youtube", {});
    const res = await hub.api("GET", `/api/channels/${id}/connect`);
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("GOOGLE_CLIENT_ID");
  });
});
