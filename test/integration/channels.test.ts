import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../start/runtime.js";
import { createChannelLimiter } from "../../workers/channel-limiter.js";
import { uniqueName } from "../helpers/db.js";
import { AGENCY, createItem, newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { REDIS_URL, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe("channel text, feeds and settings", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-bi-mat-kenh").start();
    hub = await startHub("sqlite", { allow: [stub.url] });
    channelId = await webhookChannel(hub.api, stub);
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("previews what each channel will show, with the item's own text for that channel", async () => {
    const item = await createItem(hub.api, {
      title: "Tiêu đề chung",
      body: "Đoạn thứ nhất.\n\nĐoạn <thứ hai>.",
      variants: { webhook: { title: "Tiêu đề cho cổng thông tin" } },
    });
    const res = await hub.api("GET", `/api/items/${item.id}/preview?channelId=${channelId}`);
    expect(res.status).toBe(200);
    const [preview] = res.body.data;
    expect(preview).toMatchObject({ channelId, kind: "webhook", problems: [] });
    expect(preview.text.title).toBe("Tiêu đề cho cổng thông tin");
    expect(preview.text.html).toContain("<p>Đoạn &lt;thứ hai&gt;.</p>");
    expect(preview.text.body).toContain("#DichVuCongTrucTuyen");
    expect(preview.text.body).toContain("— Sở Khoa học và Công nghệ");
    expect(preview.text.summary).toBe("Đoạn thứ nhất. Đoạn <thứ hai>.");
  });

  it("sends the previewed text to the channel", async () => {
    const item = await createItem(hub.api, {
      title: "Chung",
      body: "Nội dung.",
      tasks: [],
      variants: { webhook: { body: "Nội dung riêng cho cổng." } },
    });
    const id = await schedule(hub.api, item.id, channelId);
    await settled(hub.api, id, ["published"]);
    const post = stub.posts.find((p) => p.key === id);
    expect(post?.body).toMatchObject({ text: { title: "Chung", html: expect.stringContaining("Nội dung riêng cho cổng.") } });
  });

  it("refuses an unknown setting or a bad limit with 422 naming it", async () => {
    const base = { agencyId: AGENCY, kind: "webhook", name: "x", secret: "12345678" };
    const unknown = await hub.api("POST", "/api/channels", { ...base, settings: { url: stub.url, colour: "red" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.field).toBe("settings.colour");
    const limit = await hub.api("POST", "/api/channels", { ...base, settings: { url: stub.url, limits: { perMinute: 0 } } });
    expect(limit.status).toBe(422);
    expect(limit.body.field).toBe("settings.limits.perMinute");
    const tag = await hub.api("POST", "/api/channels", { ...base, settings: { url: stub.url, hashtags: ["Can Tho"] } });
    expect(tag.body.field).toBe("settings.hashtags.0");
  });

  describe("public feeds", () => {
    let title: string;
    beforeAll(async () => {
      title = `Bản tin dịch vụ công ${Date.now()}`;
      const id = await schedule(hub.api, await newsItem(hub.api, AGENCY, title), channelId);
      await settled(hub.api, id, ["published"]);
    });

    it("serves RSS 2.0 with the published item and its portal link", async () => {
      const res = await fetch(`${hub.url}/feeds/${AGENCY}.rss`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/rss+xml");
      const xml = await res.text();
      expect(xml).toContain('<rss version="2.0"');
      expect(xml).toContain(title);
      expect(xml).toMatch(/<link>https:\/\/cong\.cantho\.gov\.vn\/tin\/\d+<\/link>/);
    });

    it("serves Atom and JSON Feed of the same items", async () => {
      const atom = await (await fetch(`${hub.url}/feeds/${AGENCY}.atom`)).text();
      expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
      expect(atom).toContain(title);
      const json = (await (await fetch(`${hub.url}/feeds/${AGENCY}.json`)).json()) as { version: string; items: { title: string }[] };
      expect(json.version).toContain("jsonfeed.org/version/1");
      expect(json.items.map((i) => i.title)).toContain(title);
    });

    it("answers 304 to a poll with the current ETag", async () => {
      const first = await fetch(`${hub.url}/feeds/${AGENCY}.rss`);
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^"/);
      const again = await fetch(`${hub.url}/feeds/${AGENCY}.rss`, { headers: { "if-none-match": etag ?? "" } });
      expect(again.status).toBe(304);
    });

    it("answers 404 for an unknown agency or format", async () => {
      expect((await fetch(`${hub.url}/feeds/khong-co.rss`)).status).toBe(404);
      expect((await fetch(`${hub.url}/feeds/${AGENCY}.xml`)).status).toBe(404);
    });
  });

  it("refuses to connect by OAuth a channel kind that takes pasted credentials", async () => {
    const res = await hub.api("GET", `/api/channels/${channelId}/connect`);
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("kind");
  });

  it("refuses an unknown or used OAuth state", async () => {
    const res = await fetch(`${hub.url}/api/oauth/callback?code=abc&state=nope`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe("state");
  });
});

describe("per-channel limits in Redis", () => {
  const redis = new Redis(REDIS_URL);
  const limiter = createChannelLimiter(redis, uniqueName("limits"), systemClock);
  afterAll(() => redis.disconnect());

  it("allows a channel its calls per minute and then names when to come back", async () => {
    const a = await limiter.acquire("c1", { perMinute: 2 });
    const b = await limiter.acquire("c1", { perMinute: 2 });
    const c = await limiter.acquire("c1", { perMinute: 2 });
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false]);
    if (!c.ok) expect(c.retryAt.getTime() % 60_000).toBe(0);
    expect((await limiter.acquire("c2", { perMinute: 2 })).ok).toBe(true);
  });

  it("holds calls beyond the channel's concurrency until a lease is released", async () => {
    const first = await limiter.acquire("c3", { concurrency: 1 });
    expect(first.ok).toBe(true);
    expect((await limiter.acquire("c3", { concurrency: 1 })).ok).toBe(false);
    if (first.ok) await first.release();
    expect((await limiter.acquire("c3", { concurrency: 1 })).ok).toBe(true);
  });

  it("blocks a channel until its provider's Retry-After has passed", async () => {
    await limiter.block("c4", new Date(Date.now() + 60_000));
    const r = await limiter.acquire("c4", {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});

describe("tokens that expire", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  beforeAll(async () => {
    stub = await new WebhookStub("khoa-bi-mat-het-han").start();
    hub = await startHub("sqlite", { roles: ["web"], allow: [stub.url] });
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("flags a channel whose token expires soon and cannot be renewed, and tells its agency once", async () => {
    const channelId = await webhookChannel(hub.api, stub);
    const db = hub.running.runtime.database.db;
    const expires = new Date(Date.now() + 3_600_000);
    await db.updateTable("channels").set({ token_expires_at: expires }).where("id", "=", channelId).execute();
    const { services } = hub.running.runtime;
    await services.oauth.refreshDue(6 * 3_600_000);
    await services.oauth.refreshDue(6 * 3_600_000);
    const listed = await hub.api("GET", "/api/channels?needsReconnect=true");
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({ id: channelId, tokenExpiresAt: expires.toISOString() });
    expect(listed.body.data[0].reconnectReason).toContain("cannot be renewed automatically");
    const notes = await hub.api("GET", `/api/notifications?agencyId=${AGENCY}`);
    expect(notes.body.data.filter((n: { title: string }) => n.title.includes("Cần kết nối lại kênh"))).toHaveLength(1);
  });
});
