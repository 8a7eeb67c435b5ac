// Fault: a provider answering 500s, then 429 with Retry-After, then hanging, while another channel
// works. Afterwards every delivery is published once, the Retry-After was honoured, and the other
// channel was not held up meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import type { StubReply } from "../stubs/webhook.stub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, pick, report, scheduleMany, TEST_MS, tally, WAIT_MS } from "./harness.js";

const PHASE_MS = pick(2_000, 20_000); // 500s, then 429s, then hanging: 3 × 20 s = 60 s in the full suite
const RETRY_AFTER_S = pick(1, 5);
const N = pick(30, 150);

describe("a provider failing in every way for a while", () => {
  let hub: TestHub;
  let sick: WebhookStub;
  let healthy: WebhookStub;

  beforeAll(async () => {
    sick = await new WebhookStub("bi-mat-sick").start();
    healthy = await new WebhookStub("bi-mat-healthy").start();
    hub = await startHub("postgres", {
      allow: [sick.url, healthy.url],
      env: { PUBLISH_MAX_ATTEMPTS: "50", PUBLISH_TIMEOUT: "1s", UNCONFIRMED_SETTLE: "1s", CLAIM_LEASE: "2s" },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await sick?.stop();
    await healthy?.stop();
  });

  it(
    "publishes everything once afterwards, honours Retry-After, and leaves the other channel unaffected",
    async () => {
      const db = hub.running.runtime.database.db;
      const sickId = await webhookChannel(hub.api, sick);
      const healthyId = await webhookChannel(hub.api, healthy);
      const start = Date.now() + 1_000;
      const phase = (now: number): StubReply | undefined => {
        const t = now - start;
        if (t < 0 || t >= 3 * PHASE_MS) return undefined;
        if (t < PHASE_MS) return { status: 500, body: { message: "internal error" } };
        if (t < 2 * PHASE_MS) return { status: 429, body: { message: "slow down" }, headers: { "retry-after": String(RETRY_AFTER_S) } };
        return { hang: true };
      };
      sick.fault = () => phase(Date.now());
      // Deliveries on both channels fall due all through the fault.
      const spread = async (channelId: string) => {
        const ids: string[] = [];
        for (let k = 0; k < 3; k++) ids.push(...(await scheduleMany(hub.api, channelId, N / 3, 1_000 + k * PHASE_MS)));
        return ids;
      };
      await Promise.all([spread(sickId), spread(healthyId)]);
      const faultEnd = start + 3 * PHASE_MS;

      await allPublished(db, healthyId, N, WAIT_MS);
      const doneAt = await allPublished(db, sickId, N, WAIT_MS);
      sick.fault = undefined;

      // Retry-After: after each 429, nothing new reached the provider before the time it asked for. Calls
      // already on their way when the 429 was answered (other deliveries' jobs past the channel's limiter
      // a few milliseconds before it learnt of the block) arrive within IN_FLIGHT_MS and are not counted.
      const IN_FLIGHT_MS = 250;
      const early: number[] = [];
      for (const r of sick.requests.filter((q) => q.status === 429)) {
        const next = sick.arrivals.find((a) => a.at > r.at + IN_FLIGHT_MS);
        if (next && next.at < r.at + RETRY_AFTER_S * 1_000 - 100) early.push(next.at - r.at);
      }
      expect(early, "requests sooner than Retry-After (ms after the 429)").toEqual([]);
      expect(sick.requests.some((q) => q.status === 429)).toBe(true);
      expect(sick.requests.some((q) => q.status === 500)).toBe(true);
      expect(sick.requests.some((q) => q.status === "hang")).toBe(true);

      // The healthy channel published each delivery soon after its time, fault or not.
      const lags = await db.selectFrom("deliveries").select(["scheduled_at", "published_at"]).where("channel_id", "=", healthyId).execute();
      const worstLag = Math.max(...lags.map((l) => (l.published_at?.getTime() ?? Number.POSITIVE_INFINITY) - l.scheduled_at.getTime()));
      // Never held back for the sick channel's fault (in the fast variant, shorter than a busy machine's delays).
      expect(worstLag).toBeLessThan(pick(3 * PHASE_MS + 5_000, 5_000));

      const t = await tally(db, sickId, sick);
      report({
        fault: `provider 500s, 429 + Retry-After ${RETRY_AFTER_S} s, then hanging (${(3 * PHASE_MS) / 1000} s)`,
        deliveries: N,
        ...t,
        recoveryMs: Math.max(0, doneAt - faultEnd),
      });
      process.stdout.write(`  the healthy channel's worst delay meanwhile: ${worstLag} ms\n`);
      expect(t).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0 });
      const h = await tally(db, healthyId, healthy);
      expect(h).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0 });
    },
    TEST_MS,
  );
});
