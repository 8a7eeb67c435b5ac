import { Redis } from "ioredis";
import { loadConfig } from "../../content/config.js";
import type { Clock } from "../../content/ports/clock.js";
import { type Role, type Running, startLoa } from "../../start/start.js";
import { type DbKind, testDatabase, uniqueName } from "./db.js";
import { allowEntry, type StubOrigins, stubEndpointEnv } from "./endpoints.js";

/** Long and varied, as `LOA_ADMIN_TOKEN` must be (the config refuses weak ones). */
export const ADMIN_TOKEN = "test-admin-cdL1zqd6QSMwApllkicl-yeB2e-KL-Ai";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export type Api = (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;

/** A JSON client for the hub's HTTP API, authenticated as admin unless another token is given. */
export function apiClient(baseUrl: string, defaultToken = ADMIN_TOKEN): Api {
  return async (method, path, body, token = defaultToken) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

export interface TestHub {
  running: Running;
  url: string;
  api: Api;
  prefix: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The test settings: short timeouts and backoff so that failure paths run in seconds. */
export const FAST: Record<string, string> = {
  LOG_LEVEL: "silent",
  PUBLISH_TIMEOUT: "1500ms",
  PUBLISH_BACKOFF: "200ms",
  PUBLISH_MAX_ATTEMPTS: "3",
  RECONCILE_CRON: "* * * * * *",
};

export interface HubOptions {
  roles?: Role[];
  env?: Record<string, string>;
  shareWith?: TestHub;
  /**
   * URLs of the local servers (stubs) this Loa may call: each one's `127.0.0.1:<port>` goes into
   * `OUTBOUND_ALLOW`. Nothing else on loopback is allowed.
   */
  allow?: string[];
  /** Provider stubs: their endpoints become the provider URL variables, and their ports are allowed. */
  providers?: StubOrigins;
  /** The time Loa reads (tests that move through weeks). */
  clock?: Clock;
}

/**
 * Starts Loa in this process as `npm start` does (or only some roles), on a fresh database of the
 * given kind and its own queue prefix, with a real Redis.
 */
export async function startHub(kind: DbKind, options: HubOptions = {}): Promise<TestHub> {
  const db = options.shareWith ? undefined : testDatabase(kind);
  const prefix = options.shareWith?.prefix ?? uniqueName("loatest");
  const allowed = [...(options.allow ?? []), ...Object.values(options.providers ?? {})].map(allowEntry);
  const env: Record<string, string> = {
    ...FAST,
    ...(options.shareWith?.env ?? db?.env),
    PORT: "0",
    HOST: "127.0.0.1",
    QUEUE_PREFIX: prefix,
    LOA_ADMIN_TOKEN: ADMIN_TOKEN,
    REDIS_URL,
    ...stubEndpointEnv(options.providers ?? {}),
    ...options.env,
  };
  if (allowed.length || options.shareWith) {
    env.OUTBOUND_ALLOW = [...new Set([...(env.OUTBOUND_ALLOW ?? "").split(","), ...allowed].filter(Boolean))].join(",");
  }
  const running = await startLoa(
    loadConfig(env),
    options.roles ?? ["web", "worker", "clock"],
    options.clock ? { clock: options.clock } : {},
  );
  const url = `http://127.0.0.1:${running.port ?? 0}`;
  return {
    running,
    url,
    api: apiClient(url),
    prefix,
    env,
    async stop() {
      await running.stop();
      if (!options.shareWith) {
        if (env.REDIS_URL === REDIS_URL) await dropQueue(prefix);
        await db?.drop();
      }
    },
  };
}

/** Removes every Redis key of a test's queue prefix. */
export async function dropQueue(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
}

/**
 * Polls until `probe` returns a value other than undefined, or fails after `ms`. `what` names the
 * condition in the timeout error; a function is asked at the timeout, so it can say what the probe last saw.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 10_000,
  what: string | (() => string) = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
