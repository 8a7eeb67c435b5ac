// What the publish, burst, schedule and API benchmarks share: a table printer, results files, the
// raw BullMQ baseline, waiting for publications and reading their lateness.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { postSigned } from "../../channels/webhook.adapter.js";
import type { Db } from "../../content/store/db.js";
import { outboundFor } from "../helpers/endpoints.js";
import { AGENCY, newsItem } from "../helpers/fixtures.js";
import { dropQueue, REDIS_URL, type TestHub } from "../helpers/hub.js";
import type { WebhookStub } from "../stubs/webhook.stub.js";

const dir = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(dir, "../..");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0) : 0;
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (!rows.length) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? "" : typeof v === "number" ? String(Math.round(v * 100) / 100) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(cols));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

/** Writes `test/bench/results/<name>.json` (run-time output, git-ignored) with the machine's load when it ran. */
export function writeResults(name: string, data: unknown): string {
  const out = path.join(dir, "results", `${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const machine = { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version, at: new Date().toISOString() };
  fs.writeFileSync(out, `${JSON.stringify({ machine, env: benchEnv(), data }, null, 2)}\n`);
  return out;
}

const benchEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(N|CONCURRENCY|WORKERS|SECONDS|RATE|ITEMS)$/.test(k)));

/** The 1-minute load average before a run: the machine is shared, figures are read against it. */
export const load = () => os.loadavg()[0]?.toFixed(2) ?? "?";

/**
 * The baseline: plain BullMQ jobs, all due at the same moment, each doing the same signed POST to the
 * same receiver through the same outbound client as Loa's webhook adapter, at the same concurrency.
 * Answers jobs per second from the due moment until the last completed.
 */
export async function rawBullmq(
  stub: WebhookStub,
  n: number,
  concurrency: number,
  prefix: string,
): Promise<{ perSecond: number; ms: number }> {
  const http = outboundFor([stub.url]);
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("raw", { connection: conn, prefix });
  let done = 0;
  let finished: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    finished = r;
  });
  const worker = new Worker(
    "raw",
    async (job) => {
      const id = String(job.data.id);
      const body = JSON.stringify({
        deliveryId: id,
        scheduledAt: new Date().toISOString(),
        agency: { id: "so-khcn", name: "Sở Khoa học và Công nghệ" },
        item: {
          id,
          kind: "news",
          title: job.data.title,
          body: "Người dân có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia.",
          tasks: ["1.3"],
        },
        text: { title: job.data.title, html: `<p>${job.data.title}</p>`, summary: job.data.title },
      });
      const r = await postSigned(http, stub.url, stub.secret, id, body, AbortSignal.timeout(30_000), "the CMS");
      if (++done === n) finished();
      return r.externalId;
    },
    { connection: workerConn, prefix, concurrency },
  );
  try {
    const lead = 2_000 + n / 10;
    const due = Date.now() + lead;
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
          name: "raw",
          data: { id: crypto.randomUUID(), title: `Tin số ${i + k}` },
          opts: { jobId: `raw-${i + k}`, delay: Math.max(0, due - Date.now()), removeOnComplete: true, removeOnFail: true },
        })),
      );
    }
    await sleep(Math.max(0, due - Date.now()));
    const t0 = performance.now();
    await all;
    const ms = performance.now() - t0;
    return { perSecond: n / (ms / 1000), ms };
  } finally {
    await worker.close();
    await queue.close();
    conn.disconnect();
    workerConn.disconnect();
    await http.close();
    await dropQueue(prefix);
  }
}

/**
 * Waits until `n` deliveries are published, polling the database every 200 ms (the hub shares this
 * process: a tighter poll would take its CPU; when they were published is read from `published_at`);
 * answers how many polls it made.
 */
export async function waitPublished(db: Db, n: number, timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const row = await db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "published")
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= n) return polls;
    if (Date.now() > deadline) throw new Error(`only ${row.n} of ${n} published after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Lateness of every published delivery (published_at − scheduled_at), in ms, and the span from the first due to the last published. */
export async function lateness(db: Db): Promise<{ p50: number; p99: number; max: number; lastAfterMs: number }> {
  const rows = await db.selectFrom("deliveries").select(["scheduled_at", "published_at"]).where("status", "=", "published").execute();
  const late = rows.map((r) => (r.published_at?.getTime() ?? 0) - r.scheduled_at.getTime()).sort((a, b) => a - b);
  const firstDue = Math.min(...rows.map((r) => r.scheduled_at.getTime()));
  const lastPublished = Math.max(...rows.map((r) => r.published_at?.getTime() ?? 0));
  return {
    p50: percentile(late, 0.5),
    p99: percentile(late, 0.99),
    max: late[late.length - 1] ?? 0,
    lastAfterMs: lastPublished - firstDue,
  };
}

/** Creates `n` news items of AGENCY through the API, 10 requests at a time. */
export async function createItems(hub: TestHub, n: number): Promise<string[]> {
  const items: string[] = [];
  for (let i = 0; i < n; i += 10) {
    items.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => newsItem(hub.api, AGENCY, `Tin số ${i + k}`)))));
  }
  return items;
}

/** Schedules each item once on the channel at `at` through `POST /api/schedule`, 1,000 items a request; answers deliveries per second. */
export async function bulkSchedule(hub: TestHub, items: string[], channelId: string, at: Date | ((i: number) => Date)): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000).map((itemId, k) => ({
      itemId,
      deliveries: [{ channelId, at: (typeof at === "function" ? at(i + k) : at).toISOString() }],
    }));
    const res = await hub.api("POST", "/api/schedule", { items: chunk });
    if (res.status !== 201) throw new Error(`schedule: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return items.length / ((performance.now() - t0) / 1000);
}

/** Worker processes as the Procfile starts them, on the hub's database, Redis prefix and data directory. */
export async function startWorkers(hub: TestHub, count: number): Promise<ChildProcess[]> {
  if (count === 0) return [];
  const children = Array.from({ length: count }, () =>
    // WORKER_NODE_ARGS: Node options for the workers (e.g. `--max-old-space-size=…`), as a Procfile line would give them.
    spawn(
      process.execPath,
      [...(process.env.WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean), "--import", "tsx", "start/worker.main.ts"],
      {
        cwd: ROOT,
        env: { ...process.env, ...hub.env, PORT: "0", LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? "info" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    ),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          let out = "";
          const read = (d: Buffer) => {
            out = (out + d.toString()).slice(-4_000);
            if (!out.includes("media binaries")) return;
            // Ready: its log lines are read and dropped from now on (keeping them cost the bench's CPU).
            c.stdout?.off("data", read);
            c.stdout?.resume();
            resolve();
          };
          c.stdout?.on("data", read);
          c.once("exit", (code) => reject(new Error(`worker exited ${code}: ${out.slice(-500)}`)));
        }),
    ),
  );
  await sleep(1_500); // the BullMQ workers start right after the runtime
  return children;
}

/** Stops worker processes (SIGTERM, as a deployment would) and waits until they have exited. */
export async function stopWorkers(children: ChildProcess[]): Promise<void> {
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
}
