import { z } from "zod";
import { AppError } from "../content/errors.js";
import type { ChannelKind } from "../content/model.js";
import type { AdapterContext, AdapterFactory, ChannelAdapter, HttpClient } from "../content/ports/adapter.js";
import type { ChannelLimits } from "../content/ports/runtime.js";
import { facebookFactory } from "./facebook/facebook.adapter.js";
import { webhookFactory } from "./webhook.adapter.js";
import { wordpressFactory } from "./wordpress.adapter.js";
import { youtubeFactory } from "./youtube/youtube.adapter.js";
import { zaloFactory } from "./zalo/zalo.adapter.js";

/** Settings every channel may carry besides its provider's own. */
export const CommonSettings = z.object({
  /** Extra hashtags for this channel's templates (`#CanTho` style, no spaces). */
  hashtags: z
    .array(z.string().regex(/^#[^\s#]+$/, "a hashtag such as #CanTho"))
    .max(10)
    .optional(),
  /** This account's limits on the provider's side; adapters set sensible defaults. */
  limits: z
    .strictObject({
      concurrency: z.number().int().min(1).max(100).optional(),
      perMinute: z.number().int().min(1).max(100_000).optional(),
    })
    .optional(),
});
export type CommonSettings = z.infer<typeof CommonSettings>;

/** Separates the common settings from the provider's own, which the adapter's schema validates. */
export function splitSettings(raw: Record<string, unknown>): { common: Record<string, unknown>; own: Record<string, unknown> } {
  const { hashtags, limits, ...own } = raw;
  return { common: { ...(hashtags === undefined ? {} : { hashtags }), ...(limits === undefined ? {} : { limits }) }, own };
}

/** Builds adapters for stored channels; the kinds listed here are the ones Loa can publish to. */
export interface AdapterRegistry {
  kinds(): ChannelKind[];
  factory(kind: ChannelKind): AdapterFactory | undefined;
  /** The HTTP client adapters get (tests inject one that watches what is sent). */
  readonly http: HttpClient;
  build(
    kind: ChannelKind,
    settings: Record<string, unknown>,
    secret: string | undefined,
    ctx: Omit<AdapterContext, "http">,
  ): ChannelAdapter;
  /** The channel's limits: its own settings over the adapter's defaults. */
  limitsOf(kind: ChannelKind, settings: Record<string, unknown>): ChannelLimits;
}

const FACTORIES: AdapterFactory[] = [webhookFactory, wordpressFactory, facebookFactory, zaloFactory, youtubeFactory];

export function createAdapterRegistry(http: HttpClient = fetch, factories: AdapterFactory[] = FACTORIES): AdapterRegistry {
  const byKind = new Map(factories.map((f) => [f.kind, f]));
  return {
    http,
    kinds: () => [...byKind.keys()],
    factory: (kind) => byKind.get(kind),
    build(kind, settings, secret, ctx) {
      const factory = byKind.get(kind);
      if (!factory) throw new AppError("unprocessable", `Loa has no adapter for channel kind ${kind} yet`, { field: "kind" });
      return factory.create(factory.settings.parse(splitSettings(settings).own), secret, { ...ctx, http });
    },
    limitsOf(kind, settings) {
      const own = CommonSettings.safeParse(splitSettings(settings).common);
      return { ...byKind.get(kind)?.defaultLimits, ...(own.success ? own.data.limits : {}) };
    },
  };
}
