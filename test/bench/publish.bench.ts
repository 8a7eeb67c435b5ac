// Deliveries per second through Loa's whole publish path (due → claim → render → signed webhook POST
// to a local CMS stub → `published` recorded), measured in the same run as raw BullMQ jobs doing the
// same signed POST (same Redis, receiver, HTTP client and concurrency), on SQLite and PostgreSQL; then
// on PostgreSQL with 1, 2 and 4 worker processes. Also: queries per delivery, lateness.
// Usage: npm run bench publish   (N=2000 CONCURRENCY=50, as PUBLISH_CONCURRENCY, DBS=sqlite,postgres WORKERS=1,2,4 by default; WORKERS= for none)
import { AGENCY, webhookChannel } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import {
  bulkSchedule,
  createItems,
  lateness,
  load,
  printTable,
  rawBullmq,
  sleep,
  startWorkers,
  stopWorkers,
  waitPublished,
  writeResults,
} from "./lib.js";

const N = Number(process.env.N ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const DBS = (process.env.DBS ?? "sqlite,postgres").split(",").filter(Boolean) as ("sqlite" | "postgres")[];
const WORKERS = (process.env.WORKERS ?? "1,2,4").split(",").filter(Boolean).map(Number);

async function loaPath(kind: "sqlite" | "postgres", workers: number) {
  const stub = await new WebhookStub("bench-secret-0123").start();
  const roles = workers === 0 ? undefined : (["web", "clock"] as const);
  const hub = await startHub(kind, {
    allow: [stub.url],
    ...(roles ? { roles: [...roles] } : {}),
    env: { PUBLISH_CONCURRENCY: String(CONCURRENCY), RECONCILE_CRON: "* * * * *" },
  });
  const children = workers ? await startWorkers(hub, workers) : [];
  try {
    const channelId = await webhookChannel(hub.api, stub, AGENCY);
    const items = await createItems(hub, N);
    const at = new Date(Date.now() + 5_000 + N * 3);
    const scheduleRate = await bulkSchedule(hub, items, channelId, at);
    const opened = hub.running.runtime.database;
    const before = opened.queries();
    const wait = at.getTime() - Date.now();
    if (wait < 0) throw new Error("scheduling took longer than the lead time; lower N");
    await sleep(wait);
    const db = opened.db;
    const polls = await waitPublished(db, N);
    // Queries of the publish path alone (the in-process worker), without the polls above.
    const queries = workers === 0 ? (opened.queries() - before - polls) / N : undefined;
    const late = await lateness(db);
    // From the due moment to the last `published_at`, as the raw side counts to its last completion.
    const publishMs = late.lastAfterMs;
    const notPublished = await db.selectFrom("deliveries").select("id").where("status", "!=", "published").execute();
    if (stub.posts.length !== N || notPublished.length)
      throw new Error(`posts ${stub.posts.length}, not published ${notPublished.length}: not every delivery was published exactly once`);
    return {
      scheduleRate,
      perSecond: N / (publishMs / 1000),
      publishMs,
      queriesPerDelivery: queries,
      latenessP50: late.p50,
      latenessP99: late.p99,
      repeated: stub.requests.length - stub.posts.length,
    };
  } finally {
    await stopWorkers(children);
    await hub.stop();
    await stub.stop();
  }
}

// A first raw run warms the process up (JIT, sockets): the first measured side is not the slower for it.
{
  const stub = await new WebhookStub("bench-secret-0123").start();
  await rawBullmq(stub, Math.ceil(N / 4), CONCURRENCY, `bench_warm_${process.pid}`);
  await stub.stop();
}
const rows: Record<string, string | number>[] = [];
const results: unknown[] = [];
for (const kind of DBS) {
  const loadBefore = load();
  const stub = await new WebhookStub("bench-secret-0123").start();
  const raw = await rawBullmq(stub, N, CONCURRENCY, `bench_raw_${process.pid}`);
  await stub.stop();
  const loa = await loaPath(kind, 0);
  const ratio = loa.perSecond / raw.perSecond;
  rows.push({
    database: kind,
    processes: "1 (in-process)",
    "raw BullMQ jobs/s": raw.perSecond,
    "Loa deliveries/s": loa.perSecond,
    ratio,
    "queries/delivery": loa.queriesPerDelivery ?? "",
    "lateness p50 ms": loa.latenessP50,
    "lateness p99 ms": loa.latenessP99,
    "bulk schedule deliveries/s": loa.scheduleRate,
    load: loadBefore,
  });
  results.push({ kind, processes: 0, raw, loa, ratio, load: loadBefore });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
for (const workers of WORKERS) {
  const loadBefore = load();
  const loa = await loaPath("postgres", workers);
  rows.push({
    database: "postgres",
    processes: String(workers),
    "Loa deliveries/s": loa.perSecond,
    "lateness p50 ms": loa.latenessP50,
    "lateness p99 ms": loa.latenessP99,
    load: loadBefore,
  });
  results.push({ kind: "postgres", processes: workers, loa, load: loadBefore });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
console.log(`\nN=${N} concurrency=${CONCURRENCY} per process (${new Date().toISOString()})`);
printTable(rows);
console.log(`results: ${writeResults("publish", results)}`);
process.exit(0);
