// Two worker processes and two clock processes on the same PostgreSQL and Redis: each delivery
// published once, each week closed once, each reminder sent once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { eventually, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { allPublished, LoaProcess, pick, report, scheduleMany, TEST_MS, tally, WAIT_MS } from "./harness.js";

const N = pick(100, 1_000);
const REMINDER_SECRET = "rem-secret-0123456789abcdef";

describe("two workers and two clocks at once", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let reminders: WebhookStub;
  const procs: LoaProcess[] = [];

  beforeAll(async () => {
    stub = await new WebhookStub("bi-mat-two").start();
    stub.delayMs = 5;
    reminders = await new WebhookStub(REMINDER_SECRET).start();
    hub = await startHub("postgres", { roles: ["web"], allow: [stub.url, reminders.url] });
  });
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await hub?.stop();
    await stub?.stop();
    await reminders?.stop();
  });

  it(
    "publishes each delivery once, closes each week once and sends each reminder once",
    async () => {
      const db = hub.running.runtime.database.db;
      const channelId = await webhookChannel(hub.api, stub);
      const env = {
        ...hub.env,
        REMINDER_WEBHOOK_URL: reminders.url,
        REMINDER_WEBHOOK_SECRET: REMINDER_SECRET,
        COMPLIANCE_REMIND_CRON: "* * * * * *", // every second, on both clocks: they race for every reminder
        COMPLIANCE_CLOSE_CRON: "* * * * * *",
      };
      await scheduleMany(hub.api, channelId, N, 4_000);
      for (const role of ["worker", "worker", "clock", "clock"] as const) procs.push(LoaProcess.start(role, env));
      const startedAt = Date.now();
      const doneAt = await allPublished(db, channelId, N, WAIT_MS);

      // Reminders: every agency below its weekly minimum this week gets one, whichever clock sends it.
      const sent = await eventually(
        async () => {
          const rows = await db.selectFrom("notifications").select(["id", "webhook_status"]).execute();
          return rows.length > 0 && rows.every((r) => r.webhook_status === "sent") ? rows : undefined;
        },
        WAIT_MS,
        "every reminder sent",
      );
      await sleep(3_000); // several more ticks of both clocks' reminder and close crons
      const perKey = new Map<string, number>();
      for (const r of reminders.requests) if (r.key && r.status === 201) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
      for (const r of reminders.requests) if (r.key && r.status === 200) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
      const reminderDuplicates = [...perKey.values()].filter((n) => n > 1).length;

      // Weeks: one record per obligation × period × agency, and nothing left to close.
      const closed = await db
        .selectFrom("closed_periods")
        .select(["obligation_id", "period", "agency_id", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy(["obligation_id", "period", "agency_id"])
        .execute();
      const again = await hub.running.runtime.services.closeFinished();

      const t = await tally(db, channelId, stub);
      report({
        fault: "two workers and two clocks",
        deliveries: N,
        ...t,
        recoveryMs: 0,
      });
      process.stdout.write(
        `  all published ${((doneAt - startedAt) / 1000).toFixed(1)} s after the processes started; ${sent.length} reminders, ${reminderDuplicates} sent twice; ${closed.length} closed records, ${closed.filter((c) => Number(c.n) > 1).length} twice\n`,
      );
      for (const p of procs) expect(p.alive, p.output.slice(-2_000)).toBe(true);
      expect(t).toMatchObject({ lost: 0, duplicated: 0, leftForPerson: 0, resent: 0 });
      expect(stub.requests.filter((r) => r.status === 200)).toHaveLength(0); // no delivery sent twice, even deduplicated
      const notifications = await db.selectFrom("notifications").select("id").execute();
      expect(reminders.requests.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      expect(reminders.requests).toHaveLength(notifications.length);
      expect(reminderDuplicates).toBe(0);
      expect(closed.length).toBeGreaterThan(0);
      expect(closed.every((c) => Number(c.n) === 1)).toBe(true);
      expect(again.closed).toBe(0);
    },
    TEST_MS,
  );
});
