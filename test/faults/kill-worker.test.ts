// Fault: SIGKILL of a worker process in the middle of many deliveries, then a restart. Every delivery
// must end `published` without anyone pressing retry, none posted twice at the receiver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, LoaProcess, pick, report, scheduleMany, statusCounts, TEST_MS, tally, WAIT_MS } from "./harness.js";

const N = pick(100, 1_000);
const KILL_AT = Math.floor(N * 0.3);
const LEASE_MS = pick(2_000, 20_000);

describe("a worker killed with SIGKILL mid-way through its deliveries", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  const workers: LoaProcess[] = [];

  beforeAll(async () => {
    stub = await new WebhookStub("bi-mat-kill-9").start();
    // The receiver creates each post at once and answers 20 ms later: a kill lands between the two.
    stub.delayMs = 20;
    // The API and the clock in this process; the worker in its own, as the Procfile runs it.
    hub = await startHub("postgres", {
      roles: ["web", "clock"],
      allow: [stub.url],
      env: { CLAIM_LEASE: `${LEASE_MS}ms`, UNCONFIRMED_SETTLE: "1s", PUBLISH_CONCURRENCY: "10", LOG_LEVEL: "silent" },
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await hub?.stop();
    await stub?.stop();
  });

  it(
    `publishes all ${N} once after the restart, none left for a person, the dead claims found within a lease`,
    async () => {
      const channelId = await webhookChannel(hub.api, stub);
      const db = hub.running.runtime.database.db;
      await scheduleMany(hub.api, channelId, N, 3_000);
      workers.push(LoaProcess.start("worker", hub.env));
      await eventually(async () => (stub.posts.length >= KILL_AT ? true : undefined), WAIT_MS, `${KILL_AT} posts before the kill`);
      workers[0]?.kill("SIGKILL");
      const killedAt = Date.now();
      await workers[0]?.exited;
      const claimedAtKill = (
        await db.selectFrom("deliveries").select("id").where("channel_id", "=", channelId).where("status", "=", "publishing").execute()
      ).map((r) => r.id);
      const inFlight = claimedAtKill.length;
      workers.push(LoaProcess.start("worker", hub.env));

      // The dead worker's claims are found by their lease, not after the channel's timeout and a minute.
      if (inFlight > 0) {
        await eventually(
          async () => (((await statusCounts(db, channelId)).publishing ?? 0) === 0 ? true : undefined),
          30_000,
          "no claim left",
        );
      }
      const claimsFreedMs = Date.now() - killedAt;
      expect(claimsFreedMs).toBeLessThan(30_000);

      // Recovered when the dead worker's claims are published (the rest is the new worker's ordinary work).
      const recoveredAt = await eventually(
        async () => {
          if (inFlight === 0) return Date.now();
          const rows = await db.selectFrom("deliveries").select("status").where("id", "in", claimedAtKill).execute();
          return rows.every((r) => r.status === "published") ? Date.now() : undefined;
        },
        WAIT_MS,
        "the dead worker's claims to be published",
      );
      const doneAt = await allPublished(db, channelId, N, WAIT_MS);
      const t = await tally(db, channelId, stub);
      report({
        fault: "kill -9 of a worker mid-publish",
        deliveries: N,
        ...t,
        recoveryMs: recoveredAt - killedAt,
      });
      process.stdout.write(
        `  claims in flight at the kill: ${inFlight}; given up ${claimsFreedMs} ms after it (CLAIM_LEASE ${LEASE_MS} ms); all ${N} published ${((doneAt - killedAt) / 1000).toFixed(1)} s after the kill\n`,
      );
      expect(t.rows).toBe(N);
      expect(t).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0 });
      expect(new Set(stub.posts.map((p) => p.key)).size).toBe(N);
    },
    TEST_MS,
  );
});
