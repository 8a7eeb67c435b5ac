import { createOutboundClient } from "../../channels/outbound.js";
import { createAdapterRegistry } from "../../channels/registry.js";
import { ENDPOINT_VARIABLES, type OutboundAllow, PROVIDER_ENDPOINTS, parseOutboundAllow } from "../../content/config.js";
import type { ProviderEndpoints } from "../../content/ports/adapter.js";

/** The origins of the provider stubs a test runs (each stub serves every endpoint of its provider). */
export interface StubOrigins {
  facebook?: string;
  zalo?: string;
  /** The YouTube stub also answers Google's token endpoint (`/token`) and consent page (`/auth`). */
  youtube?: string;
}

/** The providers' endpoints pointing at the stubs (the real ones for providers without a stub), for registries in unit and contract tests. */
export function stubEndpoints(stubs: StubOrigins): ProviderEndpoints {
  const e = structuredClone(PROVIDER_ENDPOINTS);
  if (stubs.facebook) e.facebook = { graph: stubs.facebook, video: stubs.facebook, dialog: stubs.facebook };
  if (stubs.zalo) e.zalo = { oauth: stubs.zalo, api: stubs.zalo, zns: stubs.zalo };
  if (stubs.youtube) {
    e.youtube = { api: `${stubs.youtube}/youtube/v3`, upload: `${stubs.youtube}/upload/youtube/v3` };
    e.google = { authorize: `${stubs.youtube}/auth`, token: `${stubs.youtube}/token` };
  }
  return e;
}

/** The same as environment variables for `startHub`, so a running Loa reaches the stubs through its configuration. */
export function stubEndpointEnv(stubs: StubOrigins): Record<string, string> {
  const e = stubEndpoints(stubs);
  const env: Record<string, string> = {};
  for (const [name, [provider, which]] of Object.entries(ENDPOINT_VARIABLES)) {
    const value = (e as unknown as Record<string, Record<string, string>>)[provider]?.[which];
    const real = (PROVIDER_ENDPOINTS as unknown as Record<string, Record<string, string>>)[provider]?.[which];
    if (value && value !== real) env[name] = value;
  }
  return env;
}

/** The `OUTBOUND_ALLOW` entry for a local stub: exactly its `127.0.0.1:<port>`, never all of loopback. */
export function allowEntry(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
}

/** The outbound client (the real policy) allowing exactly these local servers. */
export function outboundFor(urls: string[]) {
  const allow = urls.map((u) => parseOutboundAllow(allowEntry(u))).filter((r): r is OutboundAllow => r !== undefined);
  return createOutboundClient({ allow });
}

/** A registry as a running Loa builds it, its providers' endpoints on the stubs, allowed to reach them (and `allow`) only. */
export function stubRegistry(stubs: StubOrigins, allow: string[] = []) {
  return createAdapterRegistry(outboundFor([...Object.values(stubs), ...allow]), { endpoints: stubEndpoints(stubs) });
}
