import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Config } from "../content/config.js";
import type { Services } from "../content/services.js";
import { type AppOptions, createApp } from "./app.js";
import { createAuthThrottle } from "./throttle.js";

/** Longer than the usual proxies' idle timeouts, so a client never writes to a socket the server is closing. */
const KEEP_ALIVE_MS = 65_000;

export interface HttpServer {
  server: http.Server;
  /** The bound port (useful with PORT=0). */
  port: number;
  /** Stops accepting connections, lets answers in flight finish, and closes the throttle's Redis connection. */
  close(): Promise<void>;
}

/**
 * The API's HTTP server: the app behind timeouts for headers (`HTTP_HEADERS_TIMEOUT`, against clients
 * that trickle them) and for whole requests (`HTTP_REQUEST_TIMEOUT`, long enough for a video upload),
 * and a cap on open connections (`HTTP_MAX_CONNECTIONS`; beyond it new ones are closed at once).
 */
export async function startHttpServer(
  services: Services,
  redis: Redis,
  log: Logger,
  config: Config,
  ops: Pick<AppOptions, "queues" | "metrics"> = {},
): Promise<HttpServer> {
  // Its own connection, which fails fast rather than queueing while Redis is away: the throttle then
  // counts in memory instead of holding every sign-in until Redis returns.
  const throttleRedis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1_000 });
  throttleRedis.on("error", () => undefined); // the main connection's watcher reports outages
  const throttle = createAuthThrottle(throttleRedis, config.queuePrefix, config.auth.failures);
  const app = createApp(services, redis, log, { publicUrl: config.publicUrl, throttle, trustProxy: config.http.trustProxy, ...ops });
  const { requestTimeoutMs, headersTimeoutMs, maxConnections } = config.http;
  const server = http.createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
      // Node checks the timeouts on this period: short enough for the headers timeout to mean what it says.
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
    },
    app,
  );
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throttleRedis.disconnect();
    },
  };
}
