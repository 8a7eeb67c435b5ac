import net from "node:net";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../content/errors.js";

/** How many failed authentications are allowed per client address and per user name within the window. */
export interface ThrottleLimits {
  perIp: number;
  perUser: number;
  windowMs: number;
}

/** Who failed: the client's address, and for a password sign-in the user name that was tried. */
export interface FailureKeys {
  ip: string;
  userName?: string;
}

/**
 * Throttles failed authentication, for bearer tokens today and the password sign-in later (which passes
 * the user name too). Call `check` before looking at the credential, so that a blocked client learns
 * nothing about it; `fail` after a refused one; `succeed` after an accepted sign-in (it forgets the user
 * name's failures, not the address's). A blocked client gets `rate_limited` (429 with `Retry-After`).
 *
 * Counters live in Redis, so that every `web` process counts the same failures; while Redis is
 * unreachable each process counts in memory instead of refusing everyone.
 */
export interface AuthThrottle {
  check(keys: FailureKeys): Promise<void>;
  fail(keys: FailureKeys): Promise<void>;
  succeed(keys: FailureKeys): Promise<void>;
}

/**
 * The counting unit of an address: IPv4 addresses one by one (IPv4-mapped IPv6 as IPv4), IPv6 by their
 * /64, which one subscriber usually holds whole.
 */
export function addressKey(ip: string | undefined): string {
  const address = ip ?? "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!net.isIPv6(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** How long this process trusts a reading of "below the limit" before asking Redis again. */
const FRESH_MS = 1_000;

/**
 * What this process last learnt from Redis about each key: blocked until when, or below the limit (as
 * of a moment ago). Attacks then cost no Redis round trip, and a busy client one per second rather
 * than one per request. A block is learnt at once by the process that counts the failure reaching the
 * limit, and by the others within a second.
 */
class Readings {
  readonly #known = new Map<string, { blockedUntil: number } | { freshUntil: number }>();
  blockedUntil(key: string, now: number): number | undefined {
    const k = this.#known.get(key);
    return k && "blockedUntil" in k && k.blockedUntil > now ? k.blockedUntil : undefined;
  }
  fresh(key: string, now: number): boolean {
    const k = this.#known.get(key);
    return !!k && "freshUntil" in k && k.freshUntil > now;
  }
  learn(key: string, consumed: number, points: number, msLeft: number, now: number): void {
    if (this.#known.size >= 10_000) {
      for (const [k, v] of this.#known) if (("blockedUntil" in v ? v.blockedUntil : v.freshUntil) <= now) this.#known.delete(k);
    }
    if (this.#known.size >= 10_000) return;
    this.#known.set(key, consumed >= points ? { blockedUntil: now + Math.max(1, msLeft) } : { freshUntil: now + FRESH_MS });
  }
  forget(key: string): void {
    this.#known.delete(key);
  }
}

function limiter(redis: Redis | undefined, keyPrefix: string, points: number, windowMs: number): RateLimiterAbstract {
  const duration = Math.max(1, Math.ceil(windowMs / 1000));
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

export function createAuthThrottle(redis: Redis | undefined, prefix: string, limits: ThrottleLimits): AuthThrottle {
  const kinds = [
    { name: "ip", points: limits.perIp, limiter: limiter(redis, `${prefix}:auth-fail-ip`, limits.perIp, limits.windowMs) },
    { name: "user", points: limits.perUser, limiter: limiter(redis, `${prefix}:auth-fail-user`, limits.perUser, limits.windowMs) },
  ] as const;
  const known = new Readings();
  const keysOf = (k: FailureKeys) =>
    kinds.flatMap((kind) => {
      const key = kind.name === "ip" ? addressKey(k.ip) : k.userName?.normalize("NFC").toLowerCase();
      return key === undefined ? [] : [{ ...kind, key, local: `${kind.name}:${key}` }];
    });
  const refusal = (kind: "ip" | "user", retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const who = kind === "ip" ? "from this address" : "for this user name";
    return new AppError("rate_limited", `too many failed sign-ins ${who}: try again in ${seconds} s`, { retryAfterMs: seconds * 1000 });
  };

  return {
    async check(k) {
      const now = Date.now();
      const keys = keysOf(k);
      for (const { name, local } of keys) {
        const until = known.blockedUntil(local, now);
        if (until !== undefined) throw refusal(name, until - now);
      }
      const ask = keys.filter((x) => !known.fresh(x.local, now));
      const results = await Promise.all(ask.map((x) => x.limiter.get(x.key).catch(() => null)));
      for (const [i, res] of results.entries()) {
        const x = ask[i];
        if (!x) continue;
        known.learn(x.local, res?.consumedPoints ?? 0, x.points, res?.msBeforeNext ?? 0, now);
        if (res && res.consumedPoints >= x.points) throw refusal(x.name, res.msBeforeNext);
      }
    },

    async fail(k) {
      await Promise.all(
        keysOf(k).map(async (x) => {
          // Over the limit already (failures racing in parallel) is a rejection carrying the same reading.
          const res = await x.limiter.consume(x.key).catch((err: unknown) => (err instanceof RateLimiterRes ? err : undefined));
          if (res) known.learn(x.local, res.consumedPoints, x.points, res.msBeforeNext, Date.now());
        }),
      );
    },

    async succeed(k) {
      const user = keysOf(k).filter((x) => x.name === "user");
      for (const x of user) known.forget(x.local);
      await Promise.all(user.map((x) => x.limiter.delete(x.key).catch(() => false)));
    },
  };
}
