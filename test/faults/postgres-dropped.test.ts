// Fault: PostgreSQL's connections dropped mid-run, repeatedly, and refused for a while each time (a
// restart as Loa sees it). The shared server cannot be restarted here, so Loa reaches it through a TCP
// proxy the test cuts. The pools recover by themselves and no delivery stays `publishing`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { sleep, startHub, type TestHub } from "../helpers/hub.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, pick, report, scheduleMany, statusCounts, TEST_MS, tally, WAIT_MS } from "./harness.js";

const N = pick(150, 600);
const CUTS = pick(3, 6);
const DOWN_MS = pick(1_000, 10_000);

describe("PostgreSQL connections dropped mid-run", () => {
  let proxy: TcpProxy;
  let hub: TestHub;
  let stub: WebhookStub;

  beforeAll(async () => {
    proxy = await new TcpProxy("127.0.0.1", 5432).start();
    stub = await new WebhookStub("bi-mat-pg-cut").start();
    stub.delayMs = 20;
    hub = await startHub("postgres", {
      allow: [stub.url],
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
        CLAIM_LEASE: "2s",
        UNCONFIRMED_SETTLE: "1s",
        PUBLISH_MAX_ATTEMPTS: "20",
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
    await proxy?.stop();
  });

  it(
    "recovers its pools, publishes everything once and leaves nothing publishing",
    async () => {
      const db = hub.running.runtime.database.db;
      const channelId = await webhookChannel(hub.api, stub);
      // Due over a few seconds, so that the cuts land while deliveries are claimed and recorded.
      for (let k = 0; k < CUTS; k++) await scheduleMany(hub.api, channelId, N / CUTS, 1_000 + k * (DOWN_MS + 1_000));
      let dropped = 0;
      for (let k = 0; k < CUTS; k++) {
        await sleep(1_000);
        dropped += proxy.refuseFor(DOWN_MS);
        await sleep(DOWN_MS);
      }
      const backAt = Date.now();
      const doneAt = await allPublished(db, channelId, N, WAIT_MS);
      const counts = await statusCounts(db, channelId);
      const t = await tally(db, channelId, stub);
      report({
        fault: `PostgreSQL connections dropped ${CUTS} times, refused ${DOWN_MS / 1000} s each`,
        deliveries: N,
        ...t,
        recoveryMs: doneAt - backAt,
      });
      process.stdout.write(`  ${dropped} connections dropped in all\n`);
      expect(dropped).toBeGreaterThan(0);
      expect(counts.publishing ?? 0).toBe(0);
      expect(t).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0 });
      // The API answers again too.
      expect((await hub.api("GET", `/api/deliveries?channelId=${channelId}&limit=1`)).status).toBe(200);
    },
    TEST_MS,
  );
});
