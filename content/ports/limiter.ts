/** A channel's own limits on the provider's side: calls at once, and calls per minute. */
export interface ChannelLimits {
  concurrency?: number | undefined;
  perMinute?: number | undefined;
}

/**
 * Keeps each channel within its limits across every worker, so that one agency's burst never gets
 * another's account throttled, and holds a channel back when its provider said `Retry-After`.
 * Redis implements it in `workers/channel-limiter.ts`.
 */
export interface ChannelLimiter {
  /** A lease to call the provider now, or the time to come back. */
  acquire(channelId: string, limits: ChannelLimits): Promise<{ ok: true; release(): Promise<void> } | { ok: false; retryAt: Date }>;
  /** No calls to this channel before `until`. */
  block(channelId: string, until: Date): Promise<void>;
}
