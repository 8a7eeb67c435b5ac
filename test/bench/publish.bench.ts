// Deliveries per second through the whole publish path: API schedule → BullMQ delayed job → worker
// claim → render → signed webhook POST to a local CMS stub → `published` recorded in the database.
// Usage: npm run bench publish   (N=2000 CONCURRENCY=10 by default; both databases)
import { AGENCY, newsItem, webhookChannel } from "../helpers/fixtures.js";
import { startHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const N = Number(process.env.N ?? 2000);
const CONCURRENCY = process.env.CONCURRENCY ?? "10";

async function bench(kind: "sqlite" | "postgres") {
  const stub = await new WebhookStub("bench-secret-0123").start();
  const hub = await startHub(kind, { allow: [stub.url], env: { PUBLISH_CONCURRENCY: CONCURRENCY, RECONCILE_CRON: "* * * * *" } });
  try {
    const channelId = await webhookChannel(hub.api, stub, AGENCY);
    const items: string[] = [];
    for (let i = 0; i < N; i++) items.push(await newsItem(hub.api, AGENCY, `Tin số ${i}`));
    const at = new Date(Date.now() + 10_000 + N * 10);
    const t0 = performance.now();
    for (const item of items) {
      const res = await hub.api("POST", `/api/items/${item}/schedule`, { deliveries: [{ channelId, at: at.toISOString() }] });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
    const scheduleMs = performance.now() - t0;
    const wait = at.getTime() - Date.now();
    if (wait < 0) throw new Error("scheduling took longer than the lead time; lower N");
    await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    const db = hub.running.runtime.database.db;
    for (;;) {
      const row = await db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "published")
        .executeTakeFirstOrThrow();
      if (Number(row.n) >= N) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const publishMs = performance.now() - start;
    const failed = await db.selectFrom("deliveries").select("id").where("status", "!=", "published").execute();
    const dupes = stub.requests.length - stub.posts.length;
    console.log(
      `${kind.padEnd(8)} N=${N} concurrency=${CONCURRENCY}: schedule via API ${(N / (scheduleMs / 1000)).toFixed(0)} req/s; ` +
        `publish ${(N / (publishMs / 1000)).toFixed(0)} deliveries/s (${publishMs.toFixed(0)} ms); ` +
        `stub posts ${stub.posts.length}, repeated requests ${dupes}, not published ${failed.length}`,
    );
    if (stub.posts.length !== N || failed.length) throw new Error("not every delivery was published exactly once");
  } finally {
    await hub.stop();
    await stub.stop();
  }
}

await bench("sqlite");
await bench("postgres");
process.exit(0);
