import { CommonSettings, splitSettings } from "../content/accounts/settings.js";
import { PROVIDER_ENDPOINTS } from "../content/config.js";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, AdapterRegistry, HttpClient, ProviderEndpoints } from "../content/ports/adapter.js";
import { boardFactory } from "./board.adapter.js";
import { facebookFactory } from "./facebook/facebook.adapter.js";
import { loudspeakerFactory } from "./loudspeaker.adapter.js";
import { radioTvFactory } from "./radio-tv.adapter.js";
import { webhookFactory } from "./webhook.adapter.js";
import { wordpressFactory } from "./wordpress.adapter.js";
import { youtubeFactory } from "./youtube/youtube.adapter.js";
import { zaloFactory } from "./zalo/zalo.adapter.js";

const FACTORIES: AdapterFactory[] = [
  webhookFactory,
  wordpressFactory,
  facebookFactory,
  zaloFactory,
  youtubeFactory,
  loudspeakerFactory,
  radioTvFactory,
  boardFactory,
];

export interface RegistryOptions {
  /** The providers' endpoints (from the configuration); the real ones by default. */
  endpoints?: ProviderEndpoints;
  factories?: AdapterFactory[];
}

/**
 * The adapters Loa has, by kind, each given `http` (in a running Loa, the outbound client with the
 * outbound policy: see `start/runtime.ts`) and the providers' endpoints.
 */
export function createAdapterRegistry(http: HttpClient, options: RegistryOptions = {}): AdapterRegistry {
  const { endpoints = PROVIDER_ENDPOINTS, factories = FACTORIES } = options;
  const byKind = new Map(factories.map((f) => [f.kind, f]));
  return {
    http,
    endpoints,
    kinds: () => [...byKind.keys()],
    factory: (kind) => byKind.get(kind),
    build(kind, settings, secret, ctx) {
      const factory = byKind.get(kind);
      if (!factory) throw new AppError("unprocessable", `Loa has no adapter for channel kind ${kind} yet`, { field: "kind" });
      const { common, own } = splitSettings(settings, factory.settings);
      const channelLimits = CommonSettings.safeParse(common);
      return {
        adapter: factory.create(factory.settings.parse(own), secret, { ...ctx, http, endpoints }),
        limits: { ...factory.defaultLimits, ...(channelLimits.success ? channelLimits.data.limits : {}) },
        timeoutMs: factory.timeoutMs,
      };
    },
  };
}
