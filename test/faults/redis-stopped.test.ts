// Fault: Redis stopped (the process killed, not only flushed) during scheduling and publishing. The
// API keeps answering, schedules are written to the database and queued when Redis returns (the
// reconciler), nothing is lost, and everything due is published once after Redis returns.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { sleep, startHub, type TestHub } from "../helpers/hub.js";
import { PrivateRedis } from "../helpers/redis.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, pick, report, scheduleMany, TEST_MS, tally, WAIT_MS } from "./harness.js";

const OUTAGE_MS = pick(4_000, 60_000);
const BEFORE = pick(50, 200);
const DURING_BATCHES = pick(3, 10);

describe("Redis stopped for a while", () => {
  let redis: PrivateRedis;
  let hub: TestHub;
  let stub: WebhookStub;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    stub = await new WebhookStub("bi-mat-redis-stop").start();
    hub = await startHub("postgres", { allow: [stub.url], env: { REDIS_URL: redis.url, CLAIM_LEASE: "2s", UNCONFIRMED_SETTLE: "1s" } });
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
    await redis?.stop();
  });

  it(
    "keeps the API answering, loses nothing, and publishes everything once after Redis returns",
    async () => {
      const db = hub.running.runtime.database.db;
      const channelId = await webhookChannel(hub.api, stub);
      // Some fall due before the outage, some during it.
      await scheduleMany(hub.api, channelId, BEFORE, 1_000);
      await sleep(500);
      await redis.stop();
      const stoppedAt = Date.now();
      // While it is down: officers keep reading and scheduling.
      const answers: { status: number; ms: number }[] = [];
      let during = 0;
      for (let b = 0; Date.now() - stoppedAt < OUTAGE_MS; b++) {
        const t = Date.now();
        const list = await hub.api("GET", `/api/deliveries?channelId=${channelId}&limit=10`);
        answers.push({ status: list.status, ms: Date.now() - t });
        if (b < DURING_BATCHES) {
          const t2 = Date.now();
          during += (await scheduleMany(hub.api, channelId, 10, 500)).length;
          answers.push({ status: 201, ms: Date.now() - t2 });
        }
        await sleep(250);
      }
      const postsDuringOutage = stub.posts.length;
      await redis.start();
      const backAt = Date.now();
      const n = BEFORE + during;
      const doneAt = await allPublished(db, channelId, n, WAIT_MS);
      await sleep(1_500); // past a reconcile: a second post would come from the rebuilt work list
      const t = await tally(db, channelId, stub);
      const worst = Math.max(...answers.map((a) => a.ms));
      report({
        fault: `Redis stopped for ${OUTAGE_MS / 1000} s`,
        deliveries: n,
        ...t,
        recoveryMs: doneAt - backAt,
      });
      process.stdout.write(
        `  API during the outage: ${answers.length} requests, ${answers.filter((a) => a.status >= 500).length} answered 5xx, slowest ${worst} ms; ${postsDuringOutage} posts published meanwhile\n`,
      );
      expect(answers.every((a) => a.status < 500)).toBe(true);
      expect(during).toBeGreaterThan(0);
      expect(t).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0 });
      expect(t.rows).toBe(n);
    },
    TEST_MS,
  );
});
