import path from "node:path";
import ipaddr from "ipaddr.js";
import { z } from "zod";
import type { ProviderEndpoints } from "./ports/adapter.js";

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

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** A size: bytes as a bare number, or with a unit (`512KB`, `30MB`, `2GB`; binary multiples). */
export const Bytes = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB)?$/i, "expected a size such as 512KB, 30MB, 2GB")
  .transform((text) => {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text);
    return Math.round(Number(match?.[1]) * (BYTE_UNITS[(match?.[2] ?? "B").toUpperCase()] ?? 1));
  });

const nameList = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

const MIN_TOKEN_LENGTH = 32;
const MIN_TOKEN_DISTINCT = 10;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

// ── Outbound requests, provider endpoints and the encryption key's place (issue 9, part A) ──

/** A destination an admin allows although it is private or reserved: a host name or an address/CIDR, with an optional port. */
export type OutboundAllow = { kind: "host"; host: string; port?: number } | { kind: "net"; address: string; prefix: number; port?: number };

/** Parses one `OUTBOUND_ALLOW` entry: `host`, `10.0.0.5`, `10.20.0.0/16`, `[fd00::1]`, each optionally `:port`. */
export function parseOutboundAllow(entry: string): OutboundAllow | undefined {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(entry) ?? [entry, entry, undefined];
  const [, target = "", portText] = m;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const withPort = <T extends object>(rule: T) => (port === undefined ? rule : { ...rule, port });
  try {
    const [address, prefix] = target.includes("/") ? ipaddr.parseCIDR(target) : [ipaddr.parse(target), undefined];
    return withPort({ kind: "net" as const, address: address.toString(), prefix: prefix ?? (address.kind() === "ipv4" ? 32 : 128) });
  } catch {
    // not an address: a host name
  }
  const host = target.toLowerCase().replace(/\.$/, "");
  if (!/^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/.test(host)) return undefined;
  return withPort({ kind: "host" as const, host });
}

const OutboundAllowList = z
  .string()
  .optional()
  .transform((text, ctx) => {
    const rules: OutboundAllow[] = [];
    for (const entry of (text ?? "")
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const rule = parseOutboundAllow(entry);
      if (rule) rules.push(rule);
      else ctx.addIssue({ code: "custom", message: `"${entry}" is not a host name, an IP address or a CIDR (each optionally :port)` });
    }
    return rules;
  });

/** The providers' real endpoints; an environment variable overrides each (tests point them at stubs). */
export const PROVIDER_ENDPOINTS: ProviderEndpoints = {
  facebook: { graph: "https://graph.facebook.com", video: "https://graph-video.facebook.com", dialog: "https://www.facebook.com" },
  zalo: { oauth: "https://oauth.zaloapp.com", api: "https://openapi.zalo.me", zns: "https://business.openapi.zalo.me" },
  google: { authorize: "https://accounts.google.com/o/oauth2/v2/auth", token: "https://oauth2.googleapis.com/token" },
  youtube: { api: "https://www.googleapis.com/youtube/v3", upload: "https://www.googleapis.com/upload/youtube/v3" },
};

/** Which variable overrides which endpoint. */
export const ENDPOINT_VARIABLES = {
  FACEBOOK_GRAPH_URL: ["facebook", "graph"],
  FACEBOOK_VIDEO_URL: ["facebook", "video"],
  FACEBOOK_DIALOG_URL: ["facebook", "dialog"],
  ZALO_OAUTH_URL: ["zalo", "oauth"],
  ZALO_API_URL: ["zalo", "api"],
  ZALO_ZNS_URL: ["zalo", "zns"],
  GOOGLE_OAUTH_URL: ["google", "authorize"],
  GOOGLE_TOKEN_URL: ["google", "token"],
  YOUTUBE_API_URL: ["youtube", "api"],
  YOUTUBE_UPLOAD_URL: ["youtube", "upload"],
} as const satisfies Record<string, readonly [string, string]>;
type EndpointVariable = keyof typeof ENDPOINT_VARIABLES;

const EndpointUrl = optionalText.pipe(
  z
    .url({ protocol: /^https?$/, error: "an http(s) URL" })
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
);
const endpointVariables = Object.fromEntries(Object.keys(ENDPOINT_VARIABLES).map((name) => [name, EndpointUrl])) as Record<
  EndpointVariable,
  typeof EndpointUrl
>;

function endpointsOf(e: Partial<Record<EndpointVariable, string | undefined>>): ProviderEndpoints {
  const out = structuredClone(PROVIDER_ENDPOINTS) as unknown as Record<string, Record<string, string>>;
  for (const [name, [provider, which]] of Object.entries(ENDPOINT_VARIABLES) as [EndpointVariable, [string, string]][]) {
    const value = e[name];
    const group = out[provider];
    if (value && group) group[which] = value;
  }
  return out as unknown as ProviderEndpoints;
}

const OUTBOUND_ENV = {
  OUTBOUND_ALLOW: OutboundAllowList,
  ...endpointVariables,
  LOA_SECRET_KEY_FILE: optionalText,
};

// ── end of part A's block ──

/** What a configured admin token must be: long, varied, not a repeated pattern (the config error says this). */
export const ADMIN_TOKEN_RULE = `at least ${MIN_TOKEN_LENGTH} characters with at least ${MIN_TOKEN_DISTINCT} different ones, not a repeated pattern (e.g. \`openssl rand -base64 32\`)`;

/**
 * A configured token is "strong" when it is long, uses many different characters and is not one short
 * pattern repeated (`0123456789012…`, `abcabcabc…`): such a token is guessed or typed from memory.
 */
export function strongToken(token: string): boolean {
  const chars = [...token];
  if (chars.length < MIN_TOKEN_LENGTH || new Set(chars).size < MIN_TOKEN_DISTINCT) return false;
  for (let period = 1; period <= chars.length / 2; period++) {
    if (chars.every((c, i) => i < period || c === chars[i - period])) return false;
  }
  return true;
}

/** Express's `trust proxy`: hops to trust (`1`), or addresses, CIDRs and `loopback`/`linklocal`/`uniquelocal`. */
const TrustProxy = optionalText.pipe(
  z
    .string()
    .regex(
      /^(\d+|((loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)(\s*,\s*|$))+)$/,
      "a number of proxy hops, or addresses/CIDRs such as 10.0.0.0/8, loopback",
    )
    .transform((v): number | string => (/^\d+$/.test(v) ? Number(v) : v))
    .optional(),
);

// Credentials and HTTP hardening (issue 9, part B): token lifetime, the failed-authentication throttle,
// the proxy in front of the hub, the HTTP server's timeouts and connection cap, and media quotas.
const SECURITY_ENV = {
  API_TOKEN_TTL: Duration.default(90 * 86_400_000),
  /** How long a web session lasts after sign-in (issue 13). */
  SESSION_TTL: Duration.pipe(z.number().min(60_000, "at least 1m")).default(12 * 3_600_000),
  AUTH_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  AUTH_FAILURES_PER_USER: z.coerce.number().int().min(1).default(10),
  AUTH_FAILURE_WINDOW: Duration.pipe(z.number().min(1_000, "at least 1s")).default(15 * 60_000),
  TRUST_PROXY: TrustProxy,
  HTTP_REQUEST_TIMEOUT: Duration.pipe(z.number().min(1_000, "at least 1s")).default(30 * 60_000),
  HTTP_HEADERS_TIMEOUT: Duration.pipe(z.number().min(1_000, "at least 1s")).default(20_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
  MEDIA_QUOTA_PER_AGENCY: Bytes.default(20 * 1024 ** 3),
};

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
  // Connections each process keeps to PostgreSQL (unset: 10); see README "Deployment".
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("loa"),
  LOA_ADMIN_TOKEN: optionalText.refine((t) => t === undefined || strongToken(t), ADMIN_TOKEN_RULE),
  LOA_SECRET_KEY: optionalText,
  MISSED_AFTER: Duration.default(24 * 3_600_000),
  PUBLISH_TIMEOUT: Duration.default(30_000),
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  PUBLISH_BACKOFF: Duration.default(30_000),
  PUBLISH_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
  RECONCILE_CRON: z.string().default("* * * * *"),
  RECONCILE_HORIZON: Duration.default(24 * 3_600_000),
  CLAIM_LEASE: Duration.pipe(z.number().min(1_000, "at least 1s")).default(20_000),
  UNCONFIRMED_SETTLE: Duration.default(120_000),
  SHUTDOWN_GRACE: Duration.default(30_000),
  COMPLIANCE_CLOSE_CRON: z.string().trim().min(1).default("10 0 * * 1"),
  COMPLIANCE_REMIND_CRON: z.string().trim().min(1).default("0 9 * * 4"),
  REMINDER_WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional()),
  REMINDER_WEBHOOK_SECRET: optionalText.pipe(z.string().min(16, "at least 16 characters").optional()),
  SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/, error: "an smtp:// or smtps:// URL" }).optional()),
  SMTP_FROM: z.string().trim().min(3).default("Loa <loa@localhost>"),
  MEDIA_MAX_IMAGE_BYTES: Bytes.default(30 * 1024 ** 2),
  MEDIA_MAX_VIDEO_BYTES: Bytes.default(2 * 1024 ** 3),
  MEDIA_MAX_AUDIO_BYTES: Bytes.default(200 * 1024 ** 2),
  MEDIA_MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).default(100_000_000),
  MEDIA_MAX_VIDEO_DURATION: Duration.default(30 * 60_000),
  MEDIA_MAX_AUDIO_DURATION: Duration.default(3 * 3_600_000),
  MEDIA_LOUDNESS_TARGET: z.coerce.number().min(-70).max(-5).default(-16),
  MEDIA_TRUE_PEAK: z.coerce.number().min(-9).max(0).default(-1.5),
  MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  MEDIA_VIDEO_PROFILES: nameList
    .pipe(z.array(z.enum(["web720", "youtube1080", "vertical"])).min(1))
    .default(["web720", "youtube1080", "vertical"]),
  MEDIA_VIDEO_PRESET: z.enum(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"]).default("veryfast"),
  MEDIA_WATERMARK_PROFILES: nameList.pipe(z.array(z.enum(["feed", "square", "thumb", "board", "original"]))).default(["feed", "square"]),
  // Unset: the system's ffmpeg/ffprobe, else the npm packages' binaries (start/runtime.ts resolves them).
  FFMPEG_PATH: optionalText,
  FFPROBE_PATH: optionalText,
  // Unset: /metrics only on the API (admin token). Set: every process also serves it here, without a token.
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PUBLIC_URL: optionalText.pipe(z.url().optional()),
  FACEBOOK_CLIENT_ID: optionalText,
  FACEBOOK_CLIENT_SECRET: optionalText,
  ZALO_CLIENT_ID: optionalText,
  ZALO_CLIENT_SECRET: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  TOKEN_REFRESH_CRON: z.string().default("*/15 * * * *"),
  TOKEN_REFRESH_AHEAD: Duration.default(6 * 3_600_000),
  ...OUTBOUND_ENV,
  ...SECURITY_ENV,
  // Grassroots broadcasting (issue 11): speech synthesis, slide fonts, the stations' Friday reminder.
  ESPEAK_PATH: z.string().min(1).default("espeak-ng"),
  BOARD_FONT: optionalText,
  BOARD_FONT_BOLD: optionalText,
  STATION_REMIND_CRON: z.string().trim().min(1).default("0 17 * * 5"),
  // Outgoing webhooks (issue 12).
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_BACKOFF: Duration.default(30_000),
  WEBHOOK_TIMEOUT: Duration.default(10_000),
  // SMS and Zalo ZNS campaigns (issue 10).
  SMS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  SMS_DAILY_CAP: z.coerce.number().int().min(1).max(100).default(1),
  SMS_SUBMIT_TIMEOUT: Duration.default(30_000),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string; schema: string; poolSize?: number };
  redisUrl: string;
  queuePrefix: string;
  adminToken: string | undefined;
  secretKey: string | undefined;
  /** A file holding the key (outside `DATA_DIR`, ideally); wins over the generated `DATA_DIR/secret.key`. */
  secretKeyFile: string | undefined;
  /** What outbound requests may reach besides the public internet, and where each provider's API is. */
  outbound: { allow: OutboundAllow[] };
  endpoints: ProviderEndpoints;
  /** Weeks, quiet hours and schedules are computed in this zone; it is the plan's, not a setting. */
  timeZone: "Asia/Ho_Chi_Minh";
  publish: {
    missedAfterMs: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffMs: number;
    concurrency: number;
    /** How long a claim holds without its worker's heartbeat (`CLAIM_LEASE`). */
    leaseMs: number;
  };
  /** `settleMs`: how long an `unconfirmed` delivery waits before the reconciler asks the provider and, if nothing is there, sends again. */
  reconcile: { cron: string; horizonMs: number; settleMs: number };
  /** How long SIGTERM waits for in-flight jobs before the process exits anyway (`SHUTDOWN_GRACE`). */
  shutdownGraceMs: number;
  compliance: ComplianceConfig;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  /** Prometheus: `/metrics` on the API for admins, and on `port` (every process, no token) when set. */
  metrics: { port: number | undefined };
  /** Where users and providers reach this hub (feeds' links, OAuth redirect); defaults to localhost. */
  publicUrl: string;
  /** The city's apps registered with each OAuth provider, where configured. */
  oauthApps: Partial<Record<"facebook" | "zalo" | "google", { clientId: string; clientSecret: string }>>;
  tokens: { refreshCron: string; refreshAheadMs: number };
  media: MediaConfig;
  /** API tokens' lifetime and the throttle of failed authentication (per client address and per user name). */
  auth: { tokenTtlMs: number; sessionTtlMs: number; failures: { perIp: number; perUser: number; windowMs: number } };
  /** The HTTP server: the proxies trusted for the client's address and protocol, timeouts, the connection cap. */
  http: HttpConfig;
  /** Loudspeakers and e-boards: the espeak-ng binary, the slides' fonts (else the first of Noto Sans, DejaVu Sans). */
  broadcast: { espeakPath: string; fonts: { regular: string | undefined; bold: string | undefined } };
  /** Outgoing webhooks: attempts before giving an event up, the first retry delay (doubled each time, capped at 1 h), the timeout. */
  webhooks: { maxAttempts: number; backoffMs: number; timeoutMs: number };
  /** Campaigns: recipient rows kept after a campaign ends, the per-number daily cap, the gateway's answer timeout, batches at once per worker. */
  sms: { retentionDays: number; dailyCap: number; submitTimeoutMs: number; concurrency: number };
}

export interface HttpConfig {
  trustProxy: number | string | false;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxConnections: number;
}

/** Uploads, their limits and what the media worker derives from them. */
export interface MediaConfig {
  /** Originals and variants live under here (local disk store); `tmp/` holds uploads and work in progress. */
  dir: string;
  maxBytes: { image: number; video: number; audio: number };
  maxImagePixels: number;
  maxDurationMs: { video: number; audio: number };
  loudness: { integrated: number; truePeak: number };
  concurrency: number;
  videoProfiles: z.infer<typeof EnvSchema>["MEDIA_VIDEO_PROFILES"];
  videoPreset: z.infer<typeof EnvSchema>["MEDIA_VIDEO_PRESET"];
  watermarkProfiles: z.infer<typeof EnvSchema>["MEDIA_WATERMARK_PROFILES"];
  /** As configured; unset means "find one" (the system's, else the npm package's). */
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** Total bytes of stored media (originals and variants) an agency may have. */
  quotaPerAgency: number;
}

/** The clock's compliance duties (crons in Asia/Ho_Chi_Minh) and where at-risk reminders go. */
export interface ComplianceConfig {
  closeCron: string;
  remindCron: string;
  /** When stations that confirmed nothing aired this week are reminded (Friday 17:00). */
  stationRemindCron?: string;
  webhook: { url: string; secret: string } | undefined;
  smtp: { url: string; from: string } | undefined;
}

/** Parses the environment once. Throws an error naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  if (e.REMINDER_WEBHOOK_URL && !e.REMINDER_WEBHOOK_SECRET) {
    throw new Error("Invalid configuration:\n  REMINDER_WEBHOOK_SECRET: required when REMINDER_WEBHOOK_URL is set (reminders are signed)");
  }
  if (e.LOA_SECRET_KEY && e.LOA_SECRET_KEY_FILE) {
    throw new Error("Invalid configuration:\n  LOA_SECRET_KEY_FILE: set either LOA_SECRET_KEY or LOA_SECRET_KEY_FILE, not both");
  }
  if (e.HTTP_HEADERS_TIMEOUT > e.HTTP_REQUEST_TIMEOUT) {
    throw new Error("Invalid configuration:\n  HTTP_HEADERS_TIMEOUT: must not be longer than HTTP_REQUEST_TIMEOUT");
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: "postgres",
          url: e.DATABASE_URL,
          schema: e.DATABASE_SCHEMA,
          ...(e.DATABASE_POOL_SIZE ? { poolSize: e.DATABASE_POOL_SIZE } : {}),
        }
      : { kind: "sqlite", file: path.join(dataDir, "loa.db") },
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    adminToken: e.LOA_ADMIN_TOKEN,
    secretKey: e.LOA_SECRET_KEY,
    secretKeyFile: e.LOA_SECRET_KEY_FILE ? path.resolve(e.LOA_SECRET_KEY_FILE) : undefined,
    outbound: { allow: e.OUTBOUND_ALLOW },
    endpoints: endpointsOf(e),
    timeZone: "Asia/Ho_Chi_Minh",
    publish: {
      missedAfterMs: e.MISSED_AFTER,
      timeoutMs: e.PUBLISH_TIMEOUT,
      maxAttempts: e.PUBLISH_MAX_ATTEMPTS,
      backoffMs: e.PUBLISH_BACKOFF,
      concurrency: e.PUBLISH_CONCURRENCY,
      leaseMs: e.CLAIM_LEASE,
    },
    reconcile: { cron: e.RECONCILE_CRON, horizonMs: e.RECONCILE_HORIZON, settleMs: e.UNCONFIRMED_SETTLE },
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    compliance: {
      closeCron: e.COMPLIANCE_CLOSE_CRON,
      remindCron: e.COMPLIANCE_REMIND_CRON,
      stationRemindCron: e.STATION_REMIND_CRON,
      webhook: e.REMINDER_WEBHOOK_URL ? { url: e.REMINDER_WEBHOOK_URL, secret: e.REMINDER_WEBHOOK_SECRET ?? "" } : undefined,
      smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM } : undefined,
    },
    logLevel: e.LOG_LEVEL,
    metrics: { port: e.METRICS_PORT },
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    oauthApps: Object.fromEntries(
      (
        [
          ["facebook", e.FACEBOOK_CLIENT_ID, e.FACEBOOK_CLIENT_SECRET],
          ["zalo", e.ZALO_CLIENT_ID, e.ZALO_CLIENT_SECRET],
          ["google", e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET],
        ] as const
      )
        .filter(([, id, secret]) => id && secret)
        .map(([name, clientId, clientSecret]) => [name, { clientId, clientSecret }]),
    ),
    tokens: { refreshCron: e.TOKEN_REFRESH_CRON, refreshAheadMs: e.TOKEN_REFRESH_AHEAD },
    media: {
      dir: path.join(dataDir, "media"),
      maxBytes: { image: e.MEDIA_MAX_IMAGE_BYTES, video: e.MEDIA_MAX_VIDEO_BYTES, audio: e.MEDIA_MAX_AUDIO_BYTES },
      maxImagePixels: e.MEDIA_MAX_IMAGE_PIXELS,
      maxDurationMs: { video: e.MEDIA_MAX_VIDEO_DURATION, audio: e.MEDIA_MAX_AUDIO_DURATION },
      loudness: { integrated: e.MEDIA_LOUDNESS_TARGET, truePeak: e.MEDIA_TRUE_PEAK },
      concurrency: e.MEDIA_CONCURRENCY,
      videoProfiles: e.MEDIA_VIDEO_PROFILES,
      videoPreset: e.MEDIA_VIDEO_PRESET,
      watermarkProfiles: e.MEDIA_WATERMARK_PROFILES,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
      quotaPerAgency: e.MEDIA_QUOTA_PER_AGENCY,
    },
    auth: {
      tokenTtlMs: e.API_TOKEN_TTL,
      sessionTtlMs: e.SESSION_TTL,
      failures: { perIp: e.AUTH_FAILURES_PER_IP, perUser: e.AUTH_FAILURES_PER_USER, windowMs: e.AUTH_FAILURE_WINDOW },
    },
    broadcast: { espeakPath: e.ESPEAK_PATH, fonts: { regular: e.BOARD_FONT, bold: e.BOARD_FONT_BOLD } },
    webhooks: { maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, backoffMs: e.WEBHOOK_BACKOFF, timeoutMs: e.WEBHOOK_TIMEOUT },
    sms: {
      retentionDays: e.SMS_RETENTION_DAYS,
      dailyCap: e.SMS_DAILY_CAP,
      submitTimeoutMs: e.SMS_SUBMIT_TIMEOUT,
      concurrency: e.SMS_CONCURRENCY,
    },
    http: {
      trustProxy: e.TRUST_PROXY ?? false,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
  };
}
