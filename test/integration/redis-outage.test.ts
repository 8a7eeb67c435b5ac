import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newsItem, schedule, settled, webhookChannel } from "../helpers/fixtures.js";
import { eventually, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { PrivateRedis } from "../helpers/redis.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

// Redis is a work list rebuilt from the database. These tests use a Redis server of their own, so that
// flushing and killing it does not disturb the tests running beside them.
describe.each(["sqlite", "postgres"] as const)("when Redis loses its data (%s)", (kind) => {
  let redis: PrivateRedis;
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stub = await new WebhookStub("bi-mat-redis").start();
    hub = await startHub(kind, { allow: [stub.url], env: { REDIS_URL: redis.url } });
    channelId = await webhookChannel(hub.api, stub);
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
    await redis?.stop();
  });

  const postsFor = (id: string) => stub.posts.filter((p) => p.key === id);

  it("still publishes once after a FLUSHALL following the schedule", async () => {
    const id = await schedule(hub.api, await newsItem(hub.api), channelId, 1_500);
    await redis.flushAll();
    const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"]);
    expect(d.status).toBe("published");
    // Proves a second post does NOT come from the rebuilt work list: nothing to poll for, so wait past a reconcile (every second).
    await sleep(1_500);
    expect(postsFor(id)).toHaveLength(1);
  });

  it("accepts a schedule while Redis is down and publishes it once after Redis restarts empty", async () => {
    const before = await schedule(hub.api, await newsItem(hub.api), channelId, 1_500);
    await redis.stop();
    const item = await newsItem(hub.api);
    const during = await schedule(hub.api, item, channelId, 500);
    expect((await hub.api("GET", `/api/deliveries/${during}`)).body.status).toBe("scheduled");
    // Redis restarts only once `during` has fallen due while it was down.
    await eventually(
      async () => {
        const { body } = await hub.api("GET", `/api/deliveries/${during}`);
        return Date.now() > Date.parse(body.scheduledAt) ? body : undefined;
      },
      5_000,
      `delivery ${during} to fall due while Redis is down`,
    );
    await redis.start();
    for (const id of [before, during]) {
      const d = await settled(hub.api, id, ["published", "failed", "unconfirmed"], 20_000);
      expect(d.status).toBe("published");
    }
    // Proves a second post does NOT come from the rebuilt work list: nothing to poll for, so wait past a reconcile (every second).
    await sleep(1_500);
    expect(postsFor(before)).toHaveLength(1);
    expect(postsFor(during)).toHaveLength(1);
  });
});
