import type { Worker } from "bullmq";
import { type Config, loadConfig } from "../content/config.js";
import { startHttpServer } from "../server/http-server.js";
import { webBundle } from "../server/web.js";
import { startClock } from "../workers/clock.js";
import { startMediaWorker } from "../workers/media.processor.js";
import { startPublishWorker } from "../workers/publish.processor.js";
import { openRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";

export type Role = "web" | "worker" | "clock";

export interface Running {
  runtime: Runtime;
  /** The bound port when `web` runs (useful with PORT=0). */
  port?: number;
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

  if (roles.includes("web")) {
    const token = await services.users.ensureAdmin(config.adminToken);
    if (token) {
      // Printed once, at first start, on standard output and not in the log: it is not stored anywhere.
      process.stdout.write(`\nLoa admin token (shown once, keep it safe): ${token}\n\n`);
    }
  }
  if (roles.includes("worker")) {
    const worker: Worker = startPublishWorker(
      runtime.redisForWorker(),
      config.queuePrefix,
      services.publisher,
      config.publish.concurrency,
      log,
    );
    stops.push(() => worker.close());
    const mediaWorker = await startMediaWorker(
      runtime.redisForWorker(),
      config.queuePrefix,
      services.mediaProcessor,
      runtime.mediaQueue,
      config.media.concurrency,
      log,
    );
    stops.push(() => {
      services.mediaProcessor.stop();
      return mediaWorker.close();
    });
  }
  if (roles.includes("clock")) {
    const clock = await startClock(services, config.reconcile.cron, log, config.compliance, config.tokens);
    stops.push(() => clock.stop());
  }
  if (roles.includes("web")) {
    const web = await startHttpServer(services, runtime.redis, log, config);
    port = web.port;
    log.info({ port, roles }, `Loa listening on http://127.0.0.1:${port}`);
    stops.unshift(() => web.close());
  }

  return {
    runtime,
    ...(port === undefined ? {} : { port }),
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
    running.runtime.log.info({ signal }, "stopping");
    await running.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
