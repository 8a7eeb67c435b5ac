import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { eventually, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe.each(DB_KINDS)("publishing to a webhook CMS (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;

  beforeAll(async () => {
    stub = await new WebhookStub("chia-khoa-bi-mat-cong-ttdt").start();
    hub = await startHub(kind, { allow: [stub.url] });
    channelId = await webhookChannel(hub.api, stub);
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const postsFor = (id: string) => stub.posts.filter((p) => p.key === id);
  const attemptsFor = (id: string) => stub.requests.filter((r) => r.key === id);

  it("publishes a scheduled item once, signed, and records the provider's id, URL and time", async () => {
    const itemId = await newsItem(hub.api, "so-khcn", "Cần Thơ đẩy mạnh dịch vụ công trực tuyến");
    const id = await schedule(hub.api, itemId, channelId, 1_000);
    const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"]);
    expect(d.status).toBe("published");
    const [post] = postsFor(id);
    expect(postsFor(id)).toHaveLength(1);
    expect(d.externalId).toMatch(/^post-\d+$/);
    expect(d.url).toMatch(/^https:\/\/cong\.cantho\.gov\.vn\/tin\//);
    expect(new Date(d.publishedAt).getTime()).toBeGreaterThanOrEqual(new Date(d.scheduledAt).getTime() - 1_000);
    expect(post?.body).toMatchObject({
      deliveryId: id,
      agency: { id: "so-khcn", name: "Sở Khoa học và Công nghệ" },
      item: { id: itemId, kind: "news", title: "Cần Thơ đẩy mạnh dịch vụ công trực tuyến", tasks: ["1.3"] },
    });
  });

  it("retries a 500 with backoff and then publishes once", async () => {
    stub.script({ status: 500, body: { message: "database is down" } });
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    const d = await settled(hub.api, id, ["published", "failed"]);
    expect(d.status).toBe("published");
    expect(d.attempts).toBe(2);
    expect(attemptsFor(id).map((r) => r.status)).toEqual([500, 201]);
    expect(postsFor(id)).toHaveLength(1);
  });

  it("waits as long as a 429's Retry-After asks before trying again", async () => {
    stub.script({ status: 429, body: { message: "slow down" }, headers: { "retry-after": "1" } });
    const started = Date.now();
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    const d = await settled(hub.api, id, ["published", "failed"]);
    expect(d.status).toBe("published");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(attemptsFor(id).map((r) => r.status)).toEqual([429, 201]);
  });

  it("fails at once on a 422, keeping the provider's message", async () => {
    stub.script({ status: 422, body: { message: "Chuyên mục không tồn tại" } });
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    const d = await settled(hub.api, id, ["failed", "published"]);
    expect(d.status).toBe("failed");
    expect(d.attempts).toBe(1);
    expect(d.lastError).toContain("Chuyên mục không tồn tại");
    // Proves a retry does NOT come: nothing to poll for, so wait past the 200 ms backoff a retry would follow.
    await sleep(600);
    expect(attemptsFor(id)).toHaveLength(1);
  });

  it("gives up after the configured number of attempts", async () => {
    stub.script({ status: 503 }, { status: 503 }, { status: 503 });
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    const d = await settled(hub.api, id, ["failed", "published"]);
    expect(d.status).toBe("failed");
    expect(d.lastError).toMatch(/gave up after 3 attempts/);
    expect(attemptsFor(id)).toHaveLength(3);
  });

  it("leaves a delivery unconfirmed when the CMS hangs past the timeout, and does not send it again", async () => {
    stub.script({ hang: true });
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    const d = await settled(hub.api, id, ["unconfirmed", "published", "failed"]);
    expect(d.status).toBe("unconfirmed");
    expect(d.lastError).toMatch(/timeout/);
    // Proves a second send does NOT come: nothing to poll for, so wait past the backoff and a reconcile (every second).
    await sleep(1_500);
    expect(attemptsFor(id)).toHaveLength(1);
    expect((await hub.api("GET", `/api/deliveries/${id}`)).body.status).toBe("unconfirmed");
  });

  it("retries an unconfirmed delivery when an officer asks, with the same idempotency key", async () => {
    stub.script({ hang: true });
    const id = await schedule(hub.api, await newsItem(hub.api), channelId);
    await settled(hub.api, id, ["unconfirmed"]);
    const retried = await hub.api("POST", `/api/deliveries/${id}/retry`);
    expect(retried.status).toBe(200);
    const d = await settled(hub.api, id, ["published", "failed"]);
    expect(d.status).toBe("published");
    expect(attemptsFor(id).every((r) => r.key === id)).toBe(true);
    expect(postsFor(id)).toHaveLength(1);
  });

  it("cancels a scheduled delivery, which is then never sent", async () => {
    const id = await schedule(hub.api, await newsItem(hub.api), channelId, 1_000);
    const cancelled = await hub.api("DELETE", `/api/deliveries/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    // Proves the send does NOT come: nothing to poll for, so wait past the time it was scheduled for (1 s) and a reconcile.
    await sleep(2_000);
    expect(attemptsFor(id)).toHaveLength(0);
    expect((await hub.api("DELETE", `/api/deliveries/${id}`)).status).toBe(409);
  });

  it("reschedules a delivery to an earlier time and publishes it then; a published one answers 409", async () => {
    const id = await schedule(hub.api, await newsItem(hub.api), channelId, 3_600_000);
    const at = new Date(Date.now() + 500).toISOString();
    const moved = await hub.api("PATCH", `/api/deliveries/${id}`, { at });
    expect(moved.status).toBe(200);
    const d = await settled(hub.api, id, ["published"]);
    expect(postsFor(id)).toHaveLength(1);
    expect(new Date(d.scheduledAt).toISOString()).toBe(new Date(at).toISOString());
    const late = await hub.api("PATCH", `/api/deliveries/${id}`, { at: new Date(Date.now() + 60_000).toISOString() });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("conflict");
  });

  it("records a delivery picked up more than MISSED_AFTER late as missed instead of sending it", async () => {
    // A hub whose worker is down: the delivery waits in the database and in Redis.
    const web = await startHub(kind, { roles: ["web"], allow: [stub.url], env: { MISSED_AFTER: "300ms" } });
    try {
      const channel = await webhookChannel(web.api, stub);
      const id = await schedule(web.api, await newsItem(web.api), channel);
      // The worker starts only once the delivery is more than MISSED_AFTER (300 ms) late.
      await eventually(
        async () => {
          const { body } = await web.api("GET", `/api/deliveries/${id}`);
          return Date.now() - Date.parse(body.scheduledAt) > 300 ? body : undefined;
        },
        5_000,
        `delivery ${id} to be more than 300 ms late`,
      );
      const worker = await startHub(kind, { roles: ["worker", "clock"], shareWith: web, env: { MISSED_AFTER: "300ms" } });
      try {
        const d = await settled(web.api, id, ["missed", "published"]);
        expect(d.status).toBe("missed");
        expect(attemptsFor(id)).toHaveLength(0);
      } finally {
        await worker.stop();
      }
    } finally {
      await web.stop();
    }
  });

  it("gives up as unconfirmed a delivery whose worker died while publishing, without sending it again", async () => {
    const id = await schedule(hub.api, await newsItem(hub.api), channelId, 3_600_000);
    // What a worker killed mid-call leaves behind: a claim, and no outcome.
    await hub.running.runtime.database.db
      .updateTable("deliveries")
      .set({ status: "publishing", attempts: 1, claimed_at: new Date(Date.now() - 5 * 60_000) })
      .where("id", "=", id)
      .execute();
    const d = await settled(hub.api, id, ["unconfirmed"], 5_000);
    expect(d.lastError).toMatch(/worker stopped/);
    expect(attemptsFor(id)).toHaveLength(0);
  });

  it("publishes each delivery once when two workers race for the same deliveries", async () => {
    const second = await startHub(kind, { roles: ["worker"], shareWith: hub });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await schedule(hub.api, await newsItem(hub.api), channelId, 60_000));
      // Both publishers are asked for every delivery at once, each through its own database connection.
      const a = hub.running.runtime.services.publisher;
      const b = second.running.runtime.services.publisher;
      await hub.running.runtime.database.db
        .updateTable("deliveries")
        .set({ run_at: new Date(), scheduled_at: new Date() })
        .where("id", "in", ids)
        .execute();
      const outcomes = await Promise.all(ids.map((id) => Promise.all([a.run(id), b.run(id)])));
      for (const pair of outcomes) {
        // Exactly one of the two claimed it; the other found it taken (or already publishing/published).
        expect(pair.filter((o) => o.next === "done" && o.status === "published")).toHaveLength(1);
      }
      for (const id of ids) {
        expect(postsFor(id)).toHaveLength(1);
        expect(attemptsFor(id)).toHaveLength(1);
      }
    } finally {
      await second.stop();
    }
  });
});
