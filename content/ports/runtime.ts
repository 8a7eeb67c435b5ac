import type { RenderedText } from "./adapter.js";

/** The work list of deliveries to run. BullMQ implements it in `workers/`; the database stays the truth. */
export interface DeliveryQueue {
  /** Adds one job per delivery, due at `runAt`; adding a delivery that already has a job is a no-op. */
  add(jobs: { deliveryId: string; runAt: Date }[]): Promise<void>;
  /** Removes a delivery's waiting job, if any (a running job is left alone). */
  remove(deliveryId: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What a channel template needs to know about an item. */
export interface RenderInput {
  item: { kind: string; title: string; body: string; tasks: string[] };
  agency: { id: string; name: string };
  channelKind: string;
  /** Where the item stands on the agency's portal, once published there. */
  link: string | null;
  /** Extra hashtags from the channel's settings. */
  hashtags?: string[];
  /** The item's own text for this channel kind, replacing the template's inputs. */
  override?: { title?: string | undefined; body?: string | undefined } | undefined;
}

/** Renders an item's text for a channel (implemented in `templates/`). */
export interface Renderer {
  render(input: RenderInput): Promise<RenderedText>;
}

/** The minimal logger the domain needs (pino satisfies it). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A channel's own limits on the provider's side: calls at once, and calls per minute. */
export interface ChannelLimits {
  concurrency?: number | undefined;
  perMinute?: number | undefined;
}

/**
 * Keeps each channel within its limits across every worker, so that one agency's burst never gets
 * another's account throttled, and holds a channel back when its provider said `Retry-After`.
 */
export interface ChannelLimiter {
  /** A lease to call the provider now, or the time to come back. */
  acquire(channelId: string, limits: ChannelLimits): Promise<{ ok: true; release(): Promise<void> } | { ok: false; retryAt: Date }>;
  /** No calls to this channel before `until`. */
  block(channelId: string, until: Date): Promise<void>;
}
