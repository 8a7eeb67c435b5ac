import { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { createOutboundClient } from "../channels/outbound.js";
import { createAdapterRegistry } from "../channels/registry.js";
import { seedPlan } from "../content/compliance/plan-seed.js";
import type { Config } from "../content/config.js";
import { createDiskStore } from "../content/media/store.js";
import type { HttpClient } from "../content/ports/adapter.js";
import type { Clock } from "../content/ports/clock.js";
import { createSecretBox, loadSecretKeys } from "../content/secrets.js";
import { createServices, type Services } from "../content/services.js";
import { type OpenedDb, openDb } from "../content/store/db.js";
import { migrate } from "../content/store/migrate.js";
import { createRenderer } from "../templates/render.js";
import { readAloudTools } from "../templates/text/read-aloud.js";
import { createChannelLimiter } from "../workers/channel-limiter.js";
import { createAudioMixer } from "../workers/media/mixer.js";
import { createSlideRenderer, FONT_CANDIDATES, findFont } from "../workers/media/slide.js";
import { createMediaTools } from "../workers/media/tools.js";
import { createEspeakTts } from "../workers/media/tts.js";
import { type BullMediaQueue, createMediaQueue } from "../workers/media.queue.js";
import { createMailer } from "../workers/notify.js";
import { type BullDeliveryQueue, createDeliveryQueue } from "../workers/publish.queue.js";

/** The real time; tests pass their own `Clock` to `startLoa`. */
export const systemClock: Clock = { now: () => new Date() };

export interface Runtime {
  config: Config;
  log: Logger;
  database: OpenedDb;
  services: Services;
  queue: BullDeliveryQueue;
  mediaQueue: BullMediaQueue;
  /** Builds a fresh Redis connection for a blocking consumer (BullMQ workers need their own). */
  redisForWorker(): Redis;
  redis: Redis;
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: ["req.headers.authorization", "secret", "*.secret", "token"],
  });
}

/** Logs a Redis outage once when it starts and once when it ends, not at every reconnection attempt. */
export function watchRedis(conn: Redis, log: Logger, name: string): Redis {
  let down = false;
  conn.on("error", (err: Error) => {
    if (!down)
      log.warn({ connection: name, err: err.message }, "Redis unreachable; retrying (scheduled deliveries are safe in the database)");
    down = true;
  });
  conn.on("ready", () => {
    if (down) log.info({ connection: name }, "Redis reachable again");
    down = false;
  });
  return conn;
}

/** Fails fast, in one clear line, when Redis cannot be reached. */
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3_000, retryStrategy: () => null });
  let reason: string | undefined;
  redis.on("error", (err: Error) => {
    reason ??= err.message;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Loa cannot reach Redis at ${url} (${reason ?? (err as Error).message}). Start one with \`redis-server --daemonize yes\` (Debian: apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  redis.disconnect();
  // The long-lived connection reconnects forever: a Redis restart must not stop Loa.
  return watchRedis(new Redis(url, { maxRetriesPerRequest: null }), log, "main");
}

/**
 * Opens everything a Loa process needs: the database (migrated, seeded on first start), Redis, the
 * publish queue and the use cases. `http` is injectable so tests can watch what adapters send.
 */
/** What tests may put in place of the real thing: the logger, the HTTP client adapters use, and the time. */
export interface RuntimeOptions {
  log?: Logger;
  http?: HttpClient;
  clock?: Clock;
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config);
  const redis = await connectRedis(config.redisUrl, log);
  const database = await openDb(config.database);
  await migrate(database.db, config.database.kind === "postgres" ? config.database.schema : undefined);
  if (await seedPlan(database.db)) log.info("seeded the plan's agencies and obligations");
  const keys = loadSecretKeys(config);
  if (keys.warning) log.warn(keys.warning);
  const box = createSecretBox(keys.ring);
  // Every request Loa makes (adapters, OAuth, reminder webhooks) goes through the outbound policy.
  const outbound = createOutboundClient({ allow: config.outbound.allow });
  const queue = createDeliveryQueue(redis, config.queuePrefix, clock);
  queue.queue.on("error", () => undefined); // the connection's watcher has said it already
  const mediaQueue = createMediaQueue(redis, config.queuePrefix);
  mediaQueue.queue.on("error", () => undefined);
  const services = createServices({
    db: database.db,
    queue,
    registry: createAdapterRegistry(options.http ?? outbound, { endpoints: config.endpoints }),
    box,
    clock,
    log,
    renderer: createRenderer(),
    limiter: createChannelLimiter(redis, config.queuePrefix, clock),
    config,
    mailer: createMailer(config.compliance.smtp, log),
    media: { store: createDiskStore(config.media.dir), tools: createMediaTools(config.media), queue: mediaQueue },
    broadcast: {
      text: readAloudTools,
      tts: await createEspeakTts(config.broadcast.espeakPath),
      mixer: createAudioMixer({ ffmpeg: config.media.ffmpegPath, ffprobe: config.media.ffprobePath }, config.media.loudness),
      slides: createSlideRenderer({
        regular: config.broadcast.fonts.regular ?? findFont(FONT_CANDIDATES.regular),
        bold: config.broadcast.fonts.bold ?? findFont(FONT_CANDIDATES.bold),
      }),
    },
  });
  const workerConnections: Redis[] = [];
  return {
    config,
    log,
    database,
    services,
    queue,
    mediaQueue,
    redis,
    redisForWorker() {
      const c = watchRedis(new Redis(config.redisUrl, { maxRetriesPerRequest: null }), log, "worker");
      workerConnections.push(c);
      return c;
    },
    async close() {
      await queue.close();
      await mediaQueue.close();
      for (const c of workerConnections) c.disconnect();
      redis.disconnect();
      await database.close();
      await outbound.close();
    },
  };
}
