// A worker's memory over steady publishing: a worker process (the Procfile's `worker`) publishes RATE
// deliveries a second for SECONDS (120 by default, the CI variant of the hour-long goal), scheduled
// through a web+clock hub in this process (with the receiver, whose memory is not the worker's); the
// worker's RSS is read from /proc every 5 s after a WARMUP-second warm-up (60 by default: a worker up
// for a minute, its start-up garbage collected). Goal: flat, every sample within ±10% of the first.
// Usage: npm run bench memory   (SECONDS=120 RATE=50 DB=sqlite WARMUP=60 by default; SECONDS=3600 for the full run)

import fs from "node:fs";
import { AGENCY, webhookChannel } from "../helpers/fixtures.js";
import { startHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { createItems, load, printTable, sleep, startWorkers, stopWorkers, writeResults } from "./lib.js";

const SECONDS = Number(process.env.SECONDS ?? 120);
const RATE = Number(process.env.RATE ?? 50);
const DB = (process.env.DB ?? "sqlite") as "sqlite" | "postgres";
const WARMUP_MS = Number(process.env.WARMUP ?? 60) * 1000;

const stub = await new WebhookStub("bench-secret-0123").start();
const hub = await startHub(DB, {
  allow: [stub.url],
  roles: ["web", "clock"],
  env: { RECONCILE_CRON: "* * * * *", PUBLISH_TIMEOUT: "30s" },
});
const workers = await startWorkers(hub, 1);
const worker = workers[0]?.pid ?? 0;
/** A process's resident set, in MB, as the kernel counts it. */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const loadBefore = load();
try {
  const channelId = await webhookChannel(hub.api, stub, AGENCY);
  // A pool of items scheduled again and again: the memory measured is the publish path's, not the items'.
  const items = await createItems(hub, 200);
  const samples: { s: number; rssMb: number }[] = [];
  const t0 = Date.now();
  const end = t0 + WARMUP_MS + SECONDS * 1000;
  let next = t0;
  let sent = 0;
  let sampleAt = t0 + WARMUP_MS;
  while (Date.now() < end) {
    // One second's deliveries, due now.
    const batch = Array.from({ length: RATE }, (_, k) => ({ itemId: items[(sent + k) % items.length] ?? "", deliveries: [{ channelId }] }));
    const res = await hub.api("POST", "/api/schedule", { items: batch });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body).slice(0, 300));
    sent += RATE;
    if (Date.now() >= sampleAt) {
      samples.push({ s: Math.round((Date.now() - t0 - WARMUP_MS) / 1000), rssMb: rssMb(worker) });
      sampleAt += 5_000;
    }
    next += 1000;
    await sleep(Math.max(0, next - Date.now()));
  }
  const published = Number(
    (
      await hub.running.runtime.database.db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "published")
        .executeTakeFirstOrThrow()
    ).n,
  );
  const first = samples[0]?.rssMb ?? 0;
  const worst = Math.max(...samples.map((s) => Math.abs(s.rssMb - first) / first));
  console.log(
    `\n${DB}, ${RATE} deliveries/s for ${SECONDS} s after ${WARMUP_MS / 1000} s warm-up, load ${loadBefore} (${new Date().toISOString()})`,
  );
  printTable(samples.filter((_, i) => i % 4 === 0 || i === samples.length - 1).map((s) => ({ "t (s)": s.s, "worker RSS MB": s.rssMb })));
  printTable([
    {
      scheduled: sent,
      published,
      "first RSS MB": first,
      "last RSS MB": samples[samples.length - 1]?.rssMb ?? 0,
      "largest change": `${(worst * 100).toFixed(1)}%`,
      goal: "±10%",
      met: worst <= 0.1 ? "yes" : "no",
    },
  ]);
  console.log(`results: ${writeResults(`memory-${DB}`, { SECONDS, RATE, samples, sent, published, worst, load: loadBefore })}`);
} finally {
  await stopWorkers(workers);
  await hub.stop();
  await stub.stop();
}
process.exit(0);
