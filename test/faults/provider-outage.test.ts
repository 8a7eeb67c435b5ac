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
const RETRY_AFTER_S = pick(2, 5);
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
      const modes: StubReply[] = [
        { status: 500, body: { message: "internal error" } },
        { status: 429, body: { message: "slow down" }, headers: { "retry-after": String(RETRY_AFTER_S) } },
        { hang: true },
      ];
      // Each mode lasts PHASE_MS, and until it has answered at least once (a busy machine may send nothing for a while).
      let mode = 0;
      let modeSince = start;
      let answered = 0;
      let faultEnd = Number.POSITIVE_INFINITY;
      sick.fault = () => {
        const now = Date.now();
        if (now < start || mode >= modes.length) return undefined;
        if (now - modeSince >= PHASE_MS && answered > 0) {
          mode++;
          modeSince = now;
          answered = 0;
          if (mode >= modes.length) {
            faultEnd = now;
            return undefined;
          }
        }
        answered++;
        return modes[mode];
      };
      // Deliveries on both channels fall due all through the fault.
      const spread = async (channelId: string) => {
        const ids: string[] = [];
        for (let k = 0; k < 3; k++) ids.push(...(await scheduleMany(hub.api, channelId, N / 3, 1_000 + k * PHASE_MS)));
        return ids;
      };
      await Promise.all([spread(sickId), spread(healthyId)]);

      await allPublished(db, healthyId, N, WAIT_MS);
      const doneAt = await allPublished(db, sickId, N, WAIT_MS);
      sick.fault = undefined;

      // Retry-After, per delivery: one answered 429 is not sent again before the time the provider asked for.
      const retriedEarly: number[] = [];
      for (const r of sick.requests.filter((q) => q.status === 429)) {
        const again = sick.arrivals.find((a) => a.key === r.key && a.at > r.at);
        if (again && again.at < r.at + RETRY_AFTER_S * 1_000 - 50) retriedEarly.push(again.at - r.at);
      }
      expect(retriedEarly, "a delivery sent again sooner than Retry-After (ms after its 429)").toEqual([]);
      // And per channel: nothing new reached the provider before then. Calls already past the channel's
      // limiter when the 429 was answered (other deliveries' jobs) arrive within IN_FLIGHT_MS and are
      // not counted; on a busy machine that window is longer.
      const IN_FLIGHT_MS = pick(1_000, 250);
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
      // Never held back for the sick channel's fault: well within one of its phases (the fast variant's
      // phases are shorter than a busy machine's delays). Hung calls do hold worker slots, each up to
      // PUBLISH_TIMEOUT: a channel's `settings.limits.concurrency` bounds how many.
      expect(worstLag).toBeLessThan(pick(3 * PHASE_MS + 5_000, PHASE_MS));

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
