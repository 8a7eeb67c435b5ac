import path from "node:path";
import { z } from "zod";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: milliseconds as a bare number, or a number with a unit (`500ms`, `30s`, `5m`, `24h`, `2d`). */
export const Duration = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)?$/, "expected a duration such as 500ms, 30s, 5m, 24h")
  .transform((text) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text);
    const unit = match?.[2] ?? "ms";
    return Math.round(Number(match?.[1]) * (UNITS[unit] ?? 1));
  });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** Every environment variable Loa reads, with its default. The README's configuration table mirrors this. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: optionalText,
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "a lower-case SQL identifier")
    .default("public"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("loa"),
  LOA_ADMIN_TOKEN: optionalText,
  LOA_SECRET_KEY: optionalText,
  MISSED_AFTER: Duration.default(24 * 3_600_000),
  PUBLISH_TIMEOUT: Duration.default(30_000),
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  PUBLISH_BACKOFF: Duration.default(30_000),
  PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(10),
  RECONCILE_CRON: z.string().default("* * * * *"),
  RECONCILE_HORIZON: Duration.default(24 * 3_600_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string };
  redisUrl: string;
  queuePrefix: string;
  adminToken: string | undefined;
  secretKey: string | undefined;
  /** Weeks, quiet hours and schedules are computed in this zone; it is the plan's, not a setting. */
  timeZone: "Asia/Ho_Chi_Minh";
  publish: {
    missedAfterMs: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffMs: number;
    concurrency: number;
  };
  reconcile: { cron: string; horizonMs: number };
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
}

/** Parses the environment once. Throws an error naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA }
      : { kind: "sqlite", file: path.join(dataDir, "loa.db") },
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    adminToken: e.LOA_ADMIN_TOKEN,
    secretKey: e.LOA_SECRET_KEY,
    timeZone: "Asia/Ho_Chi_Minh",
    publish: {
      missedAfterMs: e.MISSED_AFTER,
      timeoutMs: e.PUBLISH_TIMEOUT,
      maxAttempts: e.PUBLISH_MAX_ATTEMPTS,
      backoffMs: e.PUBLISH_BACKOFF,
      concurrency: e.PUBLISH_CONCURRENCY,
    },
    reconcile: { cron: e.RECONCILE_CRON, horizonMs: e.RECONCILE_HORIZON },
    logLevel: e.LOG_LEVEL,
  };
}
