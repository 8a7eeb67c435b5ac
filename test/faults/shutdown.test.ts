// Fault: SIGTERM to a worker process while it publishes. It must finish what it started (within
// SHUTDOWN_GRACE), take nothing new, and exit 0; past the grace it exits anyway and the leases recover.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, LoaProcess, pick, report, scheduleMany, statusCounts, TEST_MS, WAIT_MS } from "./harness.js";

const CONCURRENCY = 4;
const N = pick(20, 100);

describe("a worker process told to stop (SIGTERM)", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  const workers: LoaProcess[] = [];

  beforeAll(async () => {
    stub = await new WebhookStub("bi-mat-sigterm").start();
    hub = await startHub("postgres", {
      roles: ["web", "clock"],
      allow: [stub.url],
      env: {
        PUBLISH_CONCURRENCY: String(CONCURRENCY),
        PUBLISH_TIMEOUT: "30s",
        CLAIM_LEASE: "2s",
        UNCONFIRMED_SETTLE: "1s",
        SHUTDOWN_GRACE: "30s",
      },
    });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await hub?.stop();
    await stub?.stop();
  });

  it(
    "finishes its in-flight jobs, takes no new ones and exits 0",
    async () => {
      const channelId = await webhookChannel(hub.api, stub);
      const db = hub.running.runtime.database.db;
      stub.delayMs = 1_500; // each post takes 1.5 s to be answered: SIGTERM lands mid-call
      await scheduleMany(hub.api, channelId, N, 2_000);
      const worker = LoaProcess.start("worker", { ...hub.env, LOG_LEVEL: "info" });
      workers.push(worker);
      await eventually(async () => (stub.posts.length > 0 ? true : undefined), WAIT_MS, "the worker's first posts");
      worker.kill("SIGTERM");
      const termAt = Date.now();
      const { code } = await worker.exited;
      const stoppedMs = Date.now() - termAt;
      expect(code, worker.output.slice(-2_000)).toBe(0);
      expect(stoppedMs).toBeLessThan(30_000);
      const counts = await statusCounts(db, channelId);
      // Every post it had sent was answered and recorded; nothing is left publishing or unconfirmed.
      expect(counts.published).toBe(stub.posts.length);
      expect(counts.publishing ?? 0).toBe(0);
      expect(counts.unconfirmed ?? 0).toBe(0);
      // It took nothing new once told to stop: the rest wait, never attempted.
      expect(stub.posts.length).toBeLessThanOrEqual(CONCURRENCY * 2);
      const untouched = await db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("channel_id", "=", channelId)
        .where("status", "=", "scheduled")
        .where("attempts", "=", 0)
        .executeTakeFirstOrThrow();
      expect(Number(untouched.n)).toBe(N - stub.posts.length);
      // A new worker publishes the rest.
      stub.delayMs = 0;
      workers.push(LoaProcess.start("worker", hub.env));
      const doneAt = await allPublished(db, channelId, N, WAIT_MS);
      report({
        fault: "SIGTERM of a worker mid-publish",
        deliveries: N,
        lost: 0,
        duplicated: 0,
        leftForPerson: 0,
        recoveryMs: doneAt - termAt,
      });
      process.stdout.write(`  stopped ${stoppedMs} ms after SIGTERM, ${N - Number(untouched.n)} deliveries finished by then\n`);
      expect(new Set(stub.posts.map((p) => p.key)).size).toBe(N);
      expect(stub.posts).toHaveLength(N);
      for (const w of workers) await w.stop();
    },
    TEST_MS,
  );

  it(
    "exits within SHUTDOWN_GRACE when a provider call outlasts it, leaving the claim to its lease",
    async () => {
      const slow = await new WebhookStub("bi-mat-sigterm-2").start();
      try {
        const channelId = await webhookChannel(hub.api, slow);
        const db = hub.running.runtime.database.db;
        slow.script({ hang: true });
        await scheduleMany(hub.api, channelId, 1, 1_500);
        const worker = LoaProcess.start("worker", {
          ...hub.env,
          SHUTDOWN_GRACE: "1s",
          OUTBOUND_ALLOW: `${hub.env.OUTBOUND_ALLOW},${new URL(slow.url).host}`,
        });
        workers.push(worker);
        await eventually(async () => (slow.requests.length > 0 ? true : undefined), WAIT_MS, "the hung request");
        worker.kill("SIGTERM");
        const termAt = Date.now();
        const { code } = await worker.exited;
        expect(Date.now() - termAt).toBeLessThan(15_000); // the 1 s grace, and a busy machine
        expect(code).toBe(1);
        // The abandoned claim's lease expires; the receiver dedupes by key, so it is sent again and published.
        workers.push(LoaProcess.start("worker", { ...hub.env, OUTBOUND_ALLOW: `${hub.env.OUTBOUND_ALLOW},${new URL(slow.url).host}` }));
        await allPublished(db, channelId, 1, WAIT_MS);
        expect(slow.posts).toHaveLength(1); // the hung request created nothing; the one sent again did
      } finally {
        await slow.stop();
      }
    },
    TEST_MS,
  );
});
