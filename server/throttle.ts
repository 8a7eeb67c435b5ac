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

/** Remembers, in this process, who Redis said is blocked until when, so an attack costs no Redis round trip. */
class BlockedUntil {
  readonly #until = new Map<string, number>();
  get(key: string, now: number): number | undefined {
    const until = this.#until.get(key);
    if (until === undefined) return undefined;
    if (until > now) return until;
    this.#until.delete(key);
    return undefined;
  }
  delete(key: string): void {
    this.#until.delete(key);
  }
  set(key: string, until: number, now: number): void {
    if (this.#until.size >= 10_000) for (const [k, u] of this.#until) if (u <= now) this.#until.delete(k);
    if (this.#until.size < 10_000) this.#until.set(key, until);
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
  const blocked = new BlockedUntil();
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
        const until = blocked.get(local, now);
        if (until !== undefined) throw refusal(name, until - now);
      }
      const results = await Promise.all(keys.map((x) => x.limiter.get(x.key).catch(() => null)));
      for (const [i, res] of results.entries()) {
        const key = keys[i];
        if (!key || !res || res.consumedPoints < key.points) continue;
        blocked.set(key.local, now + res.msBeforeNext, now);
        throw refusal(key.name, res.msBeforeNext);
      }
    },

    async fail(k) {
      await Promise.all(
        keysOf(k).map((x) =>
          x.limiter.consume(x.key).catch((err: unknown) => {
            // Over the limit already (failures racing in parallel): it is blocked, which is the point.
            if (!(err instanceof RateLimiterRes)) throw err;
          }),
        ),
      ).catch(() => undefined);
    },

    async succeed(k) {
      const user = keysOf(k).filter((x) => x.name === "user");
      for (const x of user) blocked.delete(x.local);
      await Promise.all(user.map((x) => x.limiter.delete(x.key).catch(() => false)));
    },
  };
}
