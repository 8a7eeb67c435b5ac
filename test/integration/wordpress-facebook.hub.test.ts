import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceOf } from "../../channels/facebook/facebook.adapter.js";
import { deliveryMark } from "../../channels/wordpress.adapter.js";
import { AGENCY, createItem, newsItem, schedule, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { FacebookStub } from "../stubs/facebook.stub.js";
import { WordpressStub } from "../stubs/wordpress.stub.js";

/** Through the hub as officers use it: channels made with `POST /api/channels`, items scheduled with `POST /api/items/:id/schedule`. */
describe("scheduling to a WordPress portal and a Facebook Page", () => {
  let hub: TestHub;
  let wp: WordpressStub;
  let fb: FacebookStub;
  let portal: string;
  let page: string;

  const channel = async (kind: string, name: string, settings: Record<string, unknown>, secret: string) => {
    const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name, settings, secret });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    wp = await new WordpressStub().start();
    fb = await new FacebookStub().start();
    hub = await startHub("sqlite", { allow: [wp.url], providers: { facebook: fb.url } });
    portal = await channel("wordpress", "Cổng TTĐT Sở KH&CN", { siteUrl: wp.url, categories: ["Chuyển đổi số"] }, wp.secret);
    page = await channel("facebook_page", "Fanpage Sở KH&CN", { pageId: fb.pageId }, fb.pageToken);
  });
  afterAll(async () => {
    await hub?.stop();
    await wp?.stop();
    await fb?.stop();
  });

  it("publishes an item to the portal once, then to the Page once, linking back to the portal's post", async () => {
    const itemId = await newsItem(hub.api, AGENCY, "Cần Thơ triển khai nộp hồ sơ trực tuyến toàn trình");
    const onPortal = await schedule(hub.api, itemId, portal);
    const d = await settled(hub.api, onPortal, ["published", "failed", "unconfirmed"]);
    expect(d.status, d.lastError).toBe("published");
    const posts = wp.posts.filter((p) => p.content.includes(deliveryMark(onPortal)));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ title: "Cần Thơ triển khai nộp hồ sơ trực tuyến toàn trình", status: "publish" });
    expect(d.externalId).toBe(String(posts[0]?.id));
    expect(d.url).toBe(posts[0]?.link);

    const onPage = await schedule(hub.api, itemId, page);
    const f = await settled(hub.api, onPage, ["published", "failed", "unconfirmed"]);
    expect(f.status, f.lastError).toBe("published");
    const fbPosts = fb.posts.filter((p) => p.message.includes(referenceOf(onPage)));
    expect(fbPosts).toHaveLength(1);
    expect(fbPosts[0]?.message).toContain("Người dân có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia.");
    expect(fbPosts[0]?.link).toBe(posts[0]?.link);
    expect(f.externalId).toBe(fbPosts[0]?.id);
  });

  it("refuses with 422 to schedule an infographic without its image, naming the problem in both languages", async () => {
    const item = await createItem(hub.api, { kind: "infographic", title: "Quy trình cấp phép", body: "Các bước." });
    const res = await hub.api("POST", `/api/items/${item.id}/schedule`, {
      deliveries: [portal, page].map((channelId) => ({ channelId, at: new Date(Date.now() + 60_000).toISOString() })),
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("needs a processed image to post on the portal");
    expect(res.body.message).toContain("needs an image to post on Facebook");
  });

  it("fails a delivery whose Page token Facebook no longer accepts, with Graph's message", async () => {
    fb.script({
      status: 400,
      body: {
        error: {
          message: "Error validating access token: The session has been invalidated.",
          type: "OAuthException",
          code: 190,
          error_subcode: 460,
        },
      },
    });
    const id = await schedule(hub.api, await newsItem(hub.api), page);
    const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"]);
    expect(d.status).toBe("failed");
    expect(d.lastError).toContain("session has been invalidated");
    expect(d.attempts).toBe(1);
  });
});
