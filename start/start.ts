import crypto from "node:crypto";
import type { Worker } from "bullmq";
import { type Config, loadConfig } from "../content/config.js";
import { SYSTEM } from "../content/model.js";
import { startHttpServer } from "../server/http-server.js";
import { webBundle } from "../server/web.js";
import { startClock } from "../workers/clock.js";
import { startMediaWorker } from "../workers/media.processor.js";
import { serveMetrics } from "../workers/metrics.js";
import { startPublishWorker } from "../workers/publish.processor.js";
import { startSmsWorkers } from "../workers/sms.processor.js";
import { openRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";

export type Role = "web" | "worker" | "clock";

export interface Running {
  runtime: Runtime;
  /** The bound port when `web` runs (useful with PORT=0). */
  port?: number;
  /** The bound `METRICS_PORT`, when set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * Starts the given roles in this process: `npm start` runs all three on the embedded default; the
 * Procfile runs one each, as many workers as needed, sharing PostgreSQL and Redis.
 */
export async function startLoa(config: Config, roles: Role[], options: Omit<RuntimeOptions, "log"> = {}): Promise<Running> {
  const runtime = await openRuntime(config, options);
  const { log, services } = runtime;
  const stops: (() => Promise<void> | void)[] = [];
  let port: number | undefined;
  let metricsPort: number | undefined;

  if (roles.includes("web")) {
    const token = await services.users.ensureAdmin(config.adminToken);
    if (token) {
      // First start: the admin also gets a web sign-in (user name `admin`), so the web app at `/` can
      // be used at once. Both are printed once, on standard output and not in the log: the token is
      // stored only as its hash, the password only as its argon2id hash.
      const password = crypto.randomBytes(15).toString("base64url");
      const signIn = await services.sessions.reset(SYSTEM, "admin", { login: "admin", password }).then(
        () => `Web sign-in at ${config.publicUrl}/ (change the password under "Tài khoản"): user name admin, password ${password}\n`,
        (err: unknown) => {
          log.warn({ err }, "could not give the admin a web sign-in; set one with PUT /api/users/admin/password");
          return "";
        },
      );
      process.stdout.write(`\nLoa admin token (shown once, keep it safe): ${token}\n${signIn}\n`);
    }
  }
  if (roles.includes("worker")) {
    const worker: Worker = startPublishWorker(
      runtime.redisForWorker(),
      config.queuePrefix,
      services.publisher,
      config.publish.concurrency,
      log,
      config.publish.leaseMs,
    );
    stops.push(() => worker.close());
    const mediaWorker = await startMediaWorker(
      runtime.redisForWorker(),
      config.queuePrefix,
      services.mediaProcessor,
      runtime.mediaQueue,
      config.media.concurrency,
      log,
      runtime.metrics,
    );
    stops.push(() => {
      services.mediaProcessor.stop();
      return mediaWorker.close();
    });
    const smsWorkers = startSmsWorkers(
      () => runtime.redisForWorker(),
      config.queuePrefix,
      services.db,
      services.campaigns.sending,
      config.sms.concurrency,
      log,
    );
    runtime.campaignQueue.onChannel = smsWorkers.ensure;
    stops.push(() => smsWorkers.close());
  }
  if (roles.includes("clock")) {
    const reclaimEveryMs = Math.max(1_000, Math.floor(config.publish.leaseMs / 4));
    const clock = await startClock(services, config.reconcile.cron, log, config.compliance, config.tokens, reclaimEveryMs);
    stops.push(() => clock.stop());
  }
  if (roles.includes("web")) {
    const web = await startHttpServer(services, runtime.redis, log, config, {
      queues: [runtime.queue.queue, runtime.mediaQueue.queue],
      metrics: runtime.metrics.registry,
    });
    port = web.port;
    log.info({ port, roles }, `Loa listening on http://127.0.0.1:${port}`);
    stops.unshift(() => web.close());
  }

  if (config.metrics.port !== undefined) {
    const served = await serveMetrics(runtime.metrics.registry, config.metrics.port, config.host);
    metricsPort = served.port;
    log.info({ port: served.port }, `metrics at http://${config.host}:${served.port}/metrics`);
    stops.push(() => served.close());
  }

  return {
    runtime,
    ...(port === undefined ? {} : { port }),
    ...(metricsPort === undefined ? {} : { metricsPort }),
    async stop() {
      for (const s of stops) await s();
      await runtime.close();
    },
  };
}

/** The entry points' shared main: reads the environment once, starts, and stops cleanly on SIGINT/SIGTERM. */
export async function main(roles: Role[]): Promise<void> {
  let running: Running;
  try {
    running = await startLoa(loadConfig(process.env), roles);
    // The web app is bundled in memory at start (esbuild, well under a second), so that a broken build
    // stops the start; elsewhere (tests) it is built at the first page asked for.
    if (roles.includes("web")) await webBundle();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { log, config } = running.runtime;
    // Taking no new jobs, finishing the running ones.
    log.info({ signal, graceMs: config.shutdownGraceMs }, "stopping");
    // Bounded: a provider call that outlives SHUTDOWN_GRACE is left to its claim's lease (the reconciler resolves it).
    const grace = setTimeout(() => {
      log.warn({ graceMs: config.shutdownGraceMs }, "running jobs did not finish within SHUTDOWN_GRACE; exiting, their claims expire");
      process.exit(1);
    }, config.shutdownGraceMs);
    grace.unref();
    try {
      await running.stop();
    } catch (err) {
      log.error({ err }, "stopping failed");
      process.exit(1);
    }
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
