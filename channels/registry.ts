import { CommonSettings, splitSettings } from "../content/accounts/settings.js";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, AdapterRegistry, HttpClient } from "../content/ports/adapter.js";
import { facebookFactory } from "./facebook/facebook.adapter.js";
import { webhookFactory } from "./webhook.adapter.js";
import { wordpressFactory } from "./wordpress.adapter.js";
import { youtubeFactory } from "./youtube/youtube.adapter.js";
import { zaloFactory } from "./zalo/zalo.adapter.js";

const FACTORIES: AdapterFactory[] = [webhookFactory, wordpressFactory, facebookFactory, zaloFactory, youtubeFactory];

/** The adapters Loa has, by kind. */
export function createAdapterRegistry(http: HttpClient = fetch, factories: AdapterFactory[] = FACTORIES): AdapterRegistry {
  const byKind = new Map(factories.map((f) => [f.kind, f]));
  return {
    http,
    kinds: () => [...byKind.keys()],
    factory: (kind) => byKind.get(kind),
    build(kind, settings, secret, ctx) {
      const factory = byKind.get(kind);
      if (!factory) throw new AppError("unprocessable", `Loa has no adapter for channel kind ${kind} yet`, { field: "kind" });
      const { common, own } = splitSettings(settings);
      const channelLimits = CommonSettings.safeParse(common);
      return {
        adapter: factory.create(factory.settings.parse(own), secret, { ...ctx, http }),
        limits: { ...factory.defaultLimits, ...(channelLimits.success ? channelLimits.data.limits : {}) },
        timeoutMs: factory.timeoutMs,
      };
    },
  };
}
