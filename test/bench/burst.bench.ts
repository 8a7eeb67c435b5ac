// The Monday burst: N deliveries (10,000 by default) due in the same second, one in-process hub
// (`npm start`) on SQLite by default, a local receiver: when was the last published, and p50/p99
// lateness. Then a single scheduled item at a time (SINGLES of them, a second apart, on an idle hub):
// its p99 lateness, whose goal is ≤ 1 s.
// Usage: npm run bench burst   (N=10000 CONCURRENCY=50 DB=sqlite SINGLES=30 by default)
import { AGENCY, newsItem, webhookChannel } from "../helpers/fixtures.js";
import { startHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import {
  bulkSchedule,
  createItems,
  lateness,
  load,
  percentile,
  printTable,
  sleep,
  startWorkers,
  stopWorkers,
  waitPublished,
  writeResults,
} from "./lib.js";

const N = Number(process.env.N ?? 10_000);
const CONCURRENCY = process.env.CONCURRENCY ?? "50";
const DB = (process.env.DB ?? "sqlite") as "sqlite" | "postgres";
const SINGLES = Number(process.env.SINGLES ?? 30);
/** Worker processes beside the hub (the Procfile's `worker`); 0: the hub publishes alone, as `npm start`. */
const WORKERS = Number(process.env.WORKERS ?? 0);

const stub = await new WebhookStub("bench-secret-0123").start();
const hub = await startHub(DB, {
  allow: [stub.url],
  env: { PUBLISH_CONCURRENCY: CONCURRENCY, PUBLISH_TIMEOUT: "30s", RECONCILE_CRON: "* * * * *" },
});
const workers = await startWorkers(hub, WORKERS);
const db = hub.running.runtime.database.db;
const loadBefore = load();
try {
  const channelId = await webhookChannel(hub.api, stub, AGENCY);
  const items = await createItems(hub, N);
  // All due within the same second, a little after scheduling ends.
  const at = new Date(Date.now() + 5_000 + N * 3);
  const scheduleRate = await bulkSchedule(hub, items, channelId, (i) => new Date(at.getTime() + (i % 1000)));
  const wait = at.getTime() - Date.now();
  if (wait < 0) throw new Error("scheduling took longer than the lead time");
  await sleep(wait);
  await waitPublished(db, N, 600_000);
  const burst = await lateness(db);
  if (stub.posts.length !== N) throw new Error(`${stub.posts.length} posts for ${N} deliveries`);

  // A single item at a time on the now idle hub.
  const singles: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const item = await newsItem(hub.api, AGENCY, `Tin lẻ ${i}`);
    const due = new Date(Date.now() + 1_500);
    const res = await hub.api("POST", `/api/items/${item}/schedule`, { deliveries: [{ channelId, at: due.toISOString() }] });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    const id = res.body.data[0].id as string;
    for (;;) {
      const d = await db
        .selectFrom("deliveries")
        .select(["status", "published_at", "scheduled_at"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      if (d.status === "published" && d.published_at) {
        singles.push(d.published_at.getTime() - d.scheduled_at.getTime());
        break;
      }
      await sleep(20);
    }
  }
  singles.sort((a, b) => a - b);
  const single = { p50: percentile(singles, 0.5), p99: percentile(singles, 0.99), max: singles[singles.length - 1] ?? 0 };
  console.log(`\n${DB}, concurrency ${CONCURRENCY}, load ${loadBefore} before (${new Date().toISOString()})`);
  printTable([
    {
      case: `${N} due in one second`,
      "bulk schedule deliveries/s": scheduleRate,
      "last published after due (s)": burst.lastAfterMs / 1000,
      "p50 lateness (s)": burst.p50 / 1000,
      "p99 lateness (s)": burst.p99 / 1000,
      goal: "all ≤ 10 s",
      met: burst.lastAfterMs <= 10_000 ? "yes" : "no",
    },
    {
      case: `${SINGLES} single items, one at a time`,
      "p50 lateness (s)": single.p50 / 1000,
      "p99 lateness (s)": single.p99 / 1000,
      goal: "p99 ≤ 1 s",
      met: single.p99 <= 1_000 ? "yes" : "no",
    },
  ]);
  console.log(`results: ${writeResults(`burst-${DB}`, { N, concurrency: CONCURRENCY, scheduleRate, burst, single, load: loadBefore })}`);
} finally {
  await stopWorkers(workers);
  await hub.stop();
  await stub.stop();
}
process.exit(0);
