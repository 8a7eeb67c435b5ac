// content/ports/: the interfaces the domain is given and others implement (channels/, workers/, templates/,
// start/): the channel adapter contract and registry (this file), clock, log, queues, limiter, renderer,
// media tools and store. content/ imports them as types only.
import type { Readable } from "node:stream";
import type { z } from "zod";
import type { PublishMedia } from "../media/model.js";
import type { ChannelKind, ItemKind } from "../model.js";
import type { BroadcastHandover } from "./broadcast.js";
import type { ChannelLimits } from "./limiter.js";

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
  /** The item's text as this channel shows it (from `templates/`, or the item's per-channel override). */
  text: RenderedText;
  /** True while attached media are still processing (checks then skip "missing media"). */
  mediaPending?: boolean;
  /** The item's attached media, all processed, in their order; absent when the item has none. */
  media?: PublishMedia[];
  /** For stations and e-boards: the item as the week's script or the board's playlist has it. */
  broadcast?: BroadcastHandover;
}

/** What a channel template produced; each adapter takes the parts its provider takes. */
export interface RenderedText {
  title: string;
  /** Plain text: for social posts, captions, SMS and loudspeaker scripts. */
  body: string;
  /** HTML: for portal CMSs. */
  html: string;
  /** One or two sentences: excerpts, descriptions. */
  summary: string;
  hashtags: string[];
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
  /**
   * The provider keeps one post per delivery id (an `Idempotency-Key`), so sending again cannot post
   * twice: an unconfirmed delivery is resolved by sending it again even without `lookup`.
   */
  readonly idempotent?: boolean;
}

/**
 * Where each provider's API is: the real endpoints by default, overridden from the environment for
 * tests and special deployments (`FACEBOOK_GRAPH_URL` …, see the README). Never a channel setting:
 * token exchanges send the city's client secret there.
 */
export interface ProviderEndpoints {
  facebook: { graph: string; video: string; dialog: string };
  /** `zns`: the Zalo Notification Service API (`business.openapi.zalo.me`). */
  zalo: { oauth: string; api: string; zns: string };
  /** `authorize`: the consent page; `token`: where codes and refresh tokens are exchanged. */
  google: { authorize: string; token: string };
  /** The Data API v3 base (`…/youtube/v3`) and its upload base (`…/upload/youtube/v3`). */
  youtube: { api: string; upload: string };
}

/** What an adapter may use besides its settings and secret; built per channel by the publisher. */
export interface AdapterContext {
  /** The shared outbound client: the outbound policy applies to every request an adapter makes. */
  http: HttpClient;
  /** The providers' endpoints (from the registry, never from the channel's settings). */
  endpoints: ProviderEndpoints;
  /** Opens a stored media file by its key (a variant's `key`). */
  readMedia(key: string): Promise<{ stream: Readable; bytes: number }>;
  /**
   * Stores new credentials for this channel, encrypted (OAuth token refresh). Callers must never pass
   * an empty or failed refresh token: keep the old one instead.
   */
  saveSecret(secret: string, expiresAt?: Date): Promise<void>;
  now(): Date;
  /**
   * The city's app with the adapter's provider (the factory's `oauthApp`), when configured: lets an
   * adapter refresh an expired access token itself before publishing. Without it, it answers `auth_expired`.
   */
  oauthApp?: OAuthApp;
}

/** The city's app registered with a provider (from the environment: see the README's OAuth table). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

/** New credentials for a channel: the secret to store encrypted, and when its access token expires. */
export interface Credentials {
  secret: string;
  expiresAt?: Date;
}

/**
 * The provider's OAuth 2.0 flow, for `GET /api/channels/:id/connect` and `GET /api/oauth/callback`,
 * and for refreshing tokens ahead of expiry on the clock. Endpoints come from the registry's
 * `endpoints` (configuration), never from the channel's settings.
 */
export interface OAuthProvider<Settings = unknown> {
  authorizeUrl(args: {
    app: OAuthApp;
    settings: Settings;
    endpoints: ProviderEndpoints;
    redirectUri: string;
    state: string;
    codeChallenge: string;
  }): string;
  exchange(args: {
    app: OAuthApp;
    settings: Settings;
    endpoints: ProviderEndpoints;
    redirectUri: string;
    code: string;
    codeVerifier: string;
    http: HttpClient;
    signal: AbortSignal;
  }): Promise<Credentials>;
  /** Trades the stored refresh token for new credentials; throws (never answers empty) on failure. */
  refresh?(args: {
    app: OAuthApp;
    settings: Settings;
    endpoints: ProviderEndpoints;
    secret: string;
    http: HttpClient;
    signal: AbortSignal;
  }): Promise<Credentials>;
}

/** How to build an adapter of one kind from a channel's stored settings and decrypted secret. */
export interface AdapterFactory<S extends z.ZodType = z.ZodType> {
  readonly kind: ChannelKind;
  readonly settings: S;
  /** Publishing needs credentials; kinds with `oauth` may still be created without, and connected later. */
  readonly needsSecret: boolean;
  /** When only some settings need a secret (a pushed station signs, a pulled one does not). */
  readonly needsSecretFor?: (settings: z.infer<S>) => boolean;
  /** Which OAuth app (environment variables `<APP>_CLIENT_ID`/`<APP>_CLIENT_SECRET`) the flow uses. */
  readonly oauthApp?: "facebook" | "zalo" | "google";
  readonly oauth?: OAuthProvider<z.infer<S>>;
  /** How long one publication may take, when longer than `PUBLISH_TIMEOUT` (video uploads). */
  readonly timeoutMs?: number;
  /** The provider's limits for one account, unless a channel's `settings.limits` says otherwise. */
  readonly defaultLimits?: ChannelLimits;
  create(settings: z.infer<S>, secret: string | undefined, ctx: AdapterContext): ChannelAdapter;
}

/** The injected HTTP client: `fetch`'s shape, so tests and adapters share one mechanism. */
export type HttpClient = (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response>;

/** An adapter built for one stored channel, with what the publisher needs to call it within bounds. */
export interface BuiltAdapter {
  adapter: ChannelAdapter;
  /** The channel's limits: its own `settings.limits` over the adapter's defaults. */
  limits: ChannelLimits;
  /** How long one publication may take on this channel, when longer than `PUBLISH_TIMEOUT`. */
  timeoutMs: number | undefined;
}

/**
 * Builds adapters for stored channels (implemented in `channels/registry.ts`); the kinds it lists are
 * the ones Loa can publish to.
 */
export interface AdapterRegistry {
  kinds(): ChannelKind[];
  factory(kind: ChannelKind): AdapterFactory | undefined;
  /** The HTTP client adapters get (tests inject one that watches what is sent). */
  readonly http: HttpClient;
  /** The providers' endpoints adapters and OAuth flows get. */
  readonly endpoints: ProviderEndpoints;
  /** Parses the settings with the kind's schema and builds its adapter; an unknown kind is a 422 naming `kind`. */
  build(
    kind: ChannelKind,
    settings: Record<string, unknown>,
    secret: string | undefined,
    ctx: Omit<AdapterContext, "http" | "endpoints">,
  ): BuiltAdapter;
}
