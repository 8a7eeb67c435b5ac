import crypto from "node:crypto";
import type { Redis } from "ioredis";
import type { Clock } from "../content/ports/clock.js";
import type { ChannelLimiter } from "../content/ports/limiter.js";

/** How long a lease lives if its worker dies without releasing it. */
const LEASE_MS = 120_000;

// KEYS: blocked, window, leases. ARGV: now, perMinute (0 = none), concurrency (0 = none), lease id, lease ttl, window ttl.
// Answers {1} on success, or {0, retry-at ms}.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local blocked = redis.call('PTTL', KEYS[1])
if blocked > 0 then return {0, now + blocked} end
local perMinute = tonumber(ARGV[2])
if perMinute > 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= perMinute then return {0, (math.floor(now / 60000) + 1) * 60000} end
end
local concurrency = tonumber(ARGV[3])
if concurrency > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= concurrency then
    local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return {0, math.min(now + 1000, tonumber(first[2]))}
  end
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), ARGV[4])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]))
end
if perMinute > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
end
return {1}
`;

/** Per-channel limits kept in Redis, shared by every worker process. */
export function createChannelLimiter(redis: Redis, prefix: string, clock: Clock): ChannelLimiter {
  const key = (channelId: string, part: string) => `${prefix}:channel:${channelId}:${part}`;
  return {
    async acquire(channelId, limits) {
      const now = clock.now().getTime();
      if (!limits.concurrency && !limits.perMinute) {
        const ttl = await redis.pttl(key(channelId, "blocked"));
        return ttl > 0 ? { ok: false, retryAt: new Date(now + ttl) } : { ok: true, release: async () => {} };
      }
      const lease = crypto.randomUUID();
      const minute = Math.floor(now / 60_000);
      const answer = (await redis.eval(
        ACQUIRE,
        3,
        key(channelId, "blocked"),
        key(channelId, `minute:${minute}`),
        key(channelId, "leases"),
        now,
        limits.perMinute ?? 0,
        limits.concurrency ?? 0,
        lease,
        LEASE_MS,
        120_000,
      )) as [number, number?];
      if (answer[0] !== 1) return { ok: false, retryAt: new Date(answer[1] ?? now + 1000) };
      return {
        ok: true,
        release: async () => {
          if (limits.concurrency) await redis.zrem(key(channelId, "leases"), lease);
        },
      };
    },
    async block(channelId, until) {
      const ms = until.getTime() - clock.now().getTime();
      if (ms > 0) await redis.set(key(channelId, "blocked"), "1", "PX", ms);
    },
  };
}
