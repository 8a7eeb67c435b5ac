import { AppError } from "../content/errors.js";
import type { ChannelKind } from "../content/model.js";
import type { AdapterFactory, ChannelAdapter, HttpClient } from "./adapter.js";
import { webhookFactory } from "./webhook.adapter.js";

/** Builds adapters for stored channels; the kinds listed here are the ones Loa can publish to. */
export interface AdapterRegistry {
  kinds(): ChannelKind[];
  factory(kind: ChannelKind): AdapterFactory | undefined;
  build(kind: ChannelKind, settings: unknown, secret: string | undefined): ChannelAdapter;
}

const FACTORIES: AdapterFactory[] = [webhookFactory];

export function createAdapterRegistry(http: HttpClient = fetch, factories: AdapterFactory[] = FACTORIES): AdapterRegistry {
  const byKind = new Map(factories.map((f) => [f.kind, f]));
  return {
    kinds: () => [...byKind.keys()],
    factory: (kind) => byKind.get(kind),
    build(kind, settings, secret) {
      const factory = byKind.get(kind);
      if (!factory) throw new AppError("unprocessable", `Loa has no adapter for channel kind ${kind} yet`, { field: "kind" });
      return factory.create(factory.settings.parse(settings), secret, http);
    },
  };
}
