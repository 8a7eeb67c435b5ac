// Scheduling in bulk, deliveries per second into the database and Redis (goal ≥ 2,000/s):
// `POST /api/items/:id/schedule` with many deliveries (one item, PER_ITEM times on CHANNELS channels),
// and `POST /api/schedule` with 1,000 items a request. Both databases.
// Usage: npm run bench schedule   (ITEMS=4000 PER_ITEM=250 CHANNELS=4 by default)
import { AGENCY, webhookChannel } from "../helpers/fixtures.js";
import { startHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { createItems, load, printTable, writeResults } from "./lib.js";

const ITEMS = Number(process.env.ITEMS ?? 4000);
const PER_ITEM = Number(process.env.PER_ITEM ?? 250);
const CHANNELS = Number(process.env.CHANNELS ?? 4);

async function bench(kind: "sqlite" | "postgres") {
  const stub = await new WebhookStub("bench-secret-0123").start();
  const hub = await startHub(kind, { roles: ["web"], allow: [stub.url] });
  const loadBefore = load();
  try {
    const channels = await Promise.all(Array.from({ length: CHANNELS }, () => webhookChannel(hub.api, stub, AGENCY)));
    const items = await createItems(hub, ITEMS + 8);
    const base = Date.now() + 86_400_000;

    // Many deliveries of one item: CHANNELS channels × (PER_ITEM / CHANNELS) times each, 8 requests.
    const per = Math.floor(PER_ITEM / CHANNELS);
    let t0 = performance.now();
    for (const [r, item] of items.slice(ITEMS).entries()) {
      const deliveries = channels.flatMap((channelId) =>
        Array.from({ length: per }, (_, k) => ({ channelId, at: new Date(base + (r * per + k) * 60_000).toISOString() })),
      );
      const res = await hub.api("POST", `/api/items/${item}/schedule`, { deliveries });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body).slice(0, 300));
    }
    const oneItem = (8 * per * CHANNELS) / ((performance.now() - t0) / 1000);

    // Many items: 1,000 a request, each on every channel.
    t0 = performance.now();
    for (let i = 0; i < ITEMS; i += 1000) {
      const chunk = items.slice(i, Math.min(i + 1000, ITEMS)).map((itemId, k) => ({
        itemId,
        deliveries: channels.map((channelId) => ({ channelId, at: new Date(base + (i + k) * 1000).toISOString() })),
      }));
      const res = await hub.api("POST", "/api/schedule", { items: chunk });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body).slice(0, 300));
    }
    const manyItems = (ITEMS * CHANNELS) / ((performance.now() - t0) / 1000);
    const jobs = await hub.running.runtime.queue.queue.getJobCounts("delayed");
    const expected = 8 * per * CHANNELS + ITEMS * CHANNELS;
    if ((jobs.delayed ?? 0) < expected) throw new Error(`${jobs.delayed} delayed jobs for ${expected} deliveries`);
    return { kind, oneItem, manyItems, deliveries: expected, load: loadBefore };
  } finally {
    await hub.stop();
    await stub.stop();
  }
}

const results = [await bench("sqlite"), await bench("postgres")];
console.log(`\nITEMS=${ITEMS} CHANNELS=${CHANNELS} PER_ITEM=${PER_ITEM} (${new Date().toISOString()})`);
printTable(
  results.map((r) => ({
    database: r.kind,
    [`one item, ${PER_ITEM} deliveries a request (deliveries/s)`]: r.oneItem,
    "1,000 items a request (deliveries/s)": r.manyItems,
    goal: "≥ 2,000/s",
    load: r.load,
  })),
);
console.log(`results: ${writeResults("schedule", results)}`);
process.exit(0);
