import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Queue } from "bullmq";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "../content/ports/clock.js";
import type { Metrics } from "../content/ports/metrics.js";

/** The Prometheus side of `Metrics`: one registry per process, read at `/metrics`. */
export interface PromMetrics extends Metrics {
  registry: Registry;
  /** Reports these queues' depths and ages at each scrape (a few Redis reads per queue, only when scraped). */
  watchQueues(queues: Queue[]): void;
}

const QUEUE_STATES = ["waiting", "active", "delayed", "prioritized", "failed", "waiting-children"] as const;

export function createPromMetrics(clock: Clock): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "loa_" });
  const outcomes = new Counter({
    name: "loa_publish_attempts_total",
    help: "Publish attempts by channel kind, outcome and error code (empty when none)",
    labelNames: ["kind", "outcome", "code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "loa_publish_duration_seconds",
    help: "How long the provider took to answer a publish call",
    labelNames: ["kind"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: "loa_publish_lateness_seconds",
    help: "From a delivery's scheduled time to its publication",
    labelNames: ["kind"] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const media = new Histogram({
    name: "loa_media_job_duration_seconds",
    help: "Media jobs (probe, variants, transcodes, loudness) by outcome",
    labelNames: ["outcome"] as const,
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const watched: Queue[] = [];
  new Gauge({
    name: "loa_queue_jobs",
    help: "Jobs in each BullMQ queue by state",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of watched) {
        const counts = await q.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "loa_queue_oldest_waiting_seconds",
    help: "Age of the oldest job waiting for a worker (0 when none waits)",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of watched) {
        const [oldest] = await q.getJobs(["wait"], 0, 0, true);
        this.set({ queue: q.name }, oldest ? Math.max(0, (clock.now().getTime() - oldest.timestamp) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: "loa_queue_overdue_seconds",
    help: "How long past its due time the earliest delayed job is (0 when none is overdue): workers are not keeping up",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of watched) {
        const [first] = await q.getJobs(["delayed"], 0, 0, true);
        const due = first ? first.timestamp + (first.delay ?? 0) : undefined;
        this.set({ queue: q.name }, due === undefined ? 0 : Math.max(0, (clock.now().getTime() - due) / 1000));
      }
    },
  });

  return {
    registry,
    watchQueues(queues) {
      for (const q of queues) if (!watched.includes(q)) watched.push(q);
    },
    publishAttempt({ kind, outcome, code, durationMs, latenessMs }) {
      outcomes.inc({ kind, outcome, code: code ?? "" });
      if (durationMs !== undefined) duration.observe({ kind }, durationMs / 1000);
      if (latenessMs !== undefined) lateness.observe({ kind }, Math.max(0, latenessMs) / 1000);
    },
    mediaJob({ outcome, durationMs }) {
      media.observe({ outcome }, durationMs / 1000);
    },
  };
}

/**
 * `METRICS_PORT`: the registry alone on its own port (no token: bind it to a private address), for
 * processes without the API — workers and the clock — and for scrapers that hold no Loa token.
 */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType }).end(body);
    } catch (err) {
      res.writeHead(503, { "content-type": "text/plain" }).end(`metrics unavailable: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
