import type { z } from "zod";
import type { ChannelKind, ItemKind } from "../content/model.js";

/** A problem found before scheduling, in the officers' language and in English. */
export interface Problem {
  field: string;
  vi: string;
  en: string;
}

/** What an adapter is asked to publish: the item as rendered for this channel, and who it is for. */
export interface PublishRequest {
  /** Also the idempotency key: the same delivery must never be published twice. */
  deliveryId: string;
  scheduledAt: Date;
  agency: { id: string; name: string };
  channel: { id: string; name: string };
  item: { id: string; kind: ItemKind; title: string; body: string; tasks: string[] };
}

/** The provider's own id and public URL of what it published. */
export interface PublishResult {
  externalId: string;
  url: string | null;
}

/**
 * One provider. Adapters throw `AppError` with a code that says whether a retry is safe:
 * `rate_limited` (with `retryAfterMs`) and `channel_unavailable` are retried, `channel_rejected` and
 * `auth_expired` fail at once, `channel_unconfirmed` (the request may have been acted on) is never retried blindly.
 */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  check(req: PublishRequest): Problem[];
  publish(req: PublishRequest, signal: AbortSignal): Promise<PublishResult>;
  lookup?(deliveryId: string, signal: AbortSignal): Promise<PublishResult | undefined>;
}

/** How to build an adapter of one kind from a channel's stored settings and decrypted secret. */
export interface AdapterFactory<S extends z.ZodType = z.ZodType> {
  readonly kind: ChannelKind;
  readonly settings: S;
  readonly needsSecret: boolean;
  create(settings: z.infer<S>, secret: string | undefined, http: HttpClient): ChannelAdapter;
}

/** The injected HTTP client: `fetch`'s shape, so tests and adapters share one mechanism. */
export type HttpClient = (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response>;
