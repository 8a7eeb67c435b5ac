// `GET /api/deliveries` under a fixed rate (autocannon): 500 requests/s for SECONDS, an agency with
// 2,000 deliveries in a month; goal p99 ≤ 50 ms. Both databases.
// Usage: npm run bench api   (RATE=500 SECONDS=10 N=2000 by default)
import autocannon from "autocannon";
import { AGENCY, webhookChannel } from "../helpers/fixtures.js";
import { ADMIN_TOKEN, startHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { bulkSchedule, createItems, load, printTable, writeResults } from "./lib.js";

const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 10);
const N = Number(process.env.N ?? 2000);

async function bench(kind: "sqlite" | "postgres") {
  const stub = await new WebhookStub("bench-secret-0123").start();
  const hub = await startHub(kind, { roles: ["web"], allow: [stub.url] });
  try {
    const channelId = await webhookChannel(hub.api, stub, AGENCY);
    const items = await createItems(hub, N);
    const start = Date.now() + 86_400_000;
    // A month of one agency: N deliveries spread over 30 days.
    await bulkSchedule(hub, items, channelId, (i) => new Date(start + Math.floor((i * 30 * 86_400_000) / N)));
    const loadBefore = load();
    const result = await autocannon({
      url: `${hub.url}/api/deliveries?agencyId=${AGENCY}&status=scheduled&limit=200`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      connections: 20,
      overallRate: RATE,
      duration: SECONDS,
    });
    return {
      kind,
      sent: result.requests.total,
      perSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      load: loadBefore,
    };
  } finally {
    await hub.stop();
    await stub.stop();
  }
}

const results = [await bench("sqlite"), await bench("postgres")];
console.log(`\nGET /api/deliveries (200 of ${N} deliveries), ${RATE} req/s for ${SECONDS} s (${new Date().toISOString()})`);
printTable(
  results.map((r) => ({
    database: r.kind,
    "req/s": r.perSecond,
    "p50 ms": r.p50,
    "p99 ms": r.p99,
    "errors/non-2xx": r.errors,
    goal: "p99 ≤ 50 ms",
    met: r.p99 <= 50 ? "yes" : "no",
    load: r.load,
  })),
);
console.log(`results: ${writeResults("api", results)}`);
process.exit(0);
