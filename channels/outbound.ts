// The outbound policy: what Loa's own requests (adapters, webhooks, reminders) may reach.
import dns from "node:dns";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector } from "undici";
import type { OutboundAllow } from "../content/config.js";
import { AppError } from "../content/errors.js";
import type { HttpClient } from "../content/ports/adapter.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Redirects Loa follows for one request, each hop checked like the first. */
export const MAX_REDIRECTS = 3;

/** What a refused destination is, in words an officer can act on (and nothing more about the network). */
const RANGE_WORDS: Record<string, string> = {
  loopback: "this machine (loopback)",
  unspecified: "this machine (unspecified address)",
  private: "a private network",
  uniqueLocal: "a private network",
  linkLocal: "a link-local network (where cloud metadata services live)",
  carrierGradeNat: "a carrier-internal network",
};

/** A destination the policy refuses, raised where the connection would be made; the client answers it as `channel_rejected`. */
export class OutboundRefused extends Error {
  readonly code = "LOA_OUTBOUND_REFUSED";
}

/**
 * The range an address is in, looking through IPv4-mapped (`::ffff:127.0.0.1`) and NAT64
 * (`64:ff9b::/96`) addresses to the IPv4 address they carry. `unicast` is the public internet.
 */
export function rangeOf(address: Address): string {
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return rangeOf(v6.toIPv4Address());
    if (v6.range() === "rfc6052" && v6.match(ipaddr.IPv6.parse("64:ff9b::"), 96)) {
      const b = v6.toByteArray();
      return rangeOf(new ipaddr.IPv4(b.slice(12)));
    }
  }
  return address.range();
}

const portMatches = (rule: OutboundAllow, port: number) => rule.port === undefined || rule.port === port;

/** Whether an admin's `OUTBOUND_ALLOW` lets Loa reach `address` (and `port`) for a URL naming `host`. */
export function allowedBy(rules: readonly OutboundAllow[], host: string, address: Address, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return rules.some((rule) => {
    if (!portMatches(rule, port)) return false;
    if (rule.kind === "host") return rule.host === name;
    const net = ipaddr.parse(rule.address);
    const candidates = [address];
    if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress())
      candidates.push((address as ipaddr.IPv6).toIPv4Address());
    return candidates.some((a) => a.kind() === net.kind() && a.match(net, rule.prefix));
  });
}

/** Throws `OutboundRefused` unless `address` is public or allowed. `literal`: the URL named the address itself. */
export function checkDestination(rules: readonly OutboundAllow[], host: string, address: Address, port: number, literal: boolean): void {
  if (allowedBy(rules, host, address, port)) return;
  const range = rangeOf(address);
  if (range === "unicast") return;
  const where = RANGE_WORDS[range] ?? "a reserved network";
  const what = literal ? `${host} is an address of ${where}` : `the address of ${host} resolves to ${where}`;
  throw new OutboundRefused(`${what}, which Loa does not call; an admin can allow it with OUTBOUND_ALLOW`);
}

const bare = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);

type Lookup = (host: string) => Promise<{ address: string }[]>;
const systemLookup: Lookup = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Resolves `host` once and checks every address it has: the connection then goes to the checked
 * address, so a name that resolves elsewhere a moment later (DNS rebinding) changes nothing.
 */
export async function resolveChecked(
  rules: readonly OutboundAllow[],
  host: string,
  port: number,
  lookup: Lookup = systemLookup,
): Promise<string> {
  const name = bare(host);
  if (ipaddr.isValid(name)) {
    checkDestination(rules, name, ipaddr.parse(name), port, true);
    return name;
  }
  const addresses = await lookup(name);
  if (!addresses.length) throw Object.assign(new Error(`${name} has no address`), { code: "ENOTFOUND" });
  for (const a of addresses) checkDestination(rules, name, ipaddr.parse(a.address), port, false);
  return addresses[0]?.address ?? name;
}

export interface OutboundOptions {
  allow: readonly OutboundAllow[];
  /** For tests: how names are resolved. */
  lookup?: Lookup;
  /** How long to wait for a TCP/TLS connection. */
  connectTimeoutMs?: number;
}

/** An undici `Agent` whose every connection goes to an address the policy checked, with TLS still verified against the name. */
export function createOutboundAgent(options: OutboundOptions): Agent {
  const base = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000 });
  return new Agent({
    connect(opts, callback) {
      const port = Number(opts.port) || (opts.protocol === "https:" ? 443 : 80);
      resolveChecked(options.allow, opts.hostname, port, options.lookup).then(
        (address) => base({ ...opts, hostname: address, servername: opts.servername ?? bare(opts.hostname) }, callback),
        (err: Error) => callback(err, null),
      );
    },
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "access_token", "secret_key"];

function refusal(err: unknown): OutboundRefused | undefined {
  for (let e = err; e instanceof Error; e = (e as { cause?: unknown }).cause) if (e instanceof OutboundRefused) return e;
  return undefined;
}

/**
 * The HTTP client every adapter, webhook and reminder uses: `fetch` through the checked agent, with
 * redirects followed here (at most `MAX_REDIRECTS`, each hop checked) rather than by fetch. A refused
 * destination is a `channel_rejected` error that says why and how to allow it; nothing was connected.
 */
export function createOutboundClient(options: OutboundOptions): HttpClient & { close(): Promise<void> } {
  const agent = createOutboundAgent(options);
  const client = async (url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> => {
    let target = new URL(url);
    let current: RequestInit = { ...init };
    for (let hop = 0; ; hop++) {
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        throw new AppError("channel_rejected", `Loa calls only http(s) addresses, not ${target.protocol}`);
      }
      let res: Response;
      try {
        // Node's fetch takes an undici dispatcher (the npm undici's fetch would not encode Node's own FormData).
        res = await fetch(target, { ...current, redirect: "manual", dispatcher: agent } as unknown as RequestInit);
      } catch (err) {
        const refused = refusal(err);
        if (refused) throw new AppError("channel_rejected", refused.message);
        throw err;
      }
      const location = res.headers.get("location");
      if (!REDIRECTS.has(res.status) || !location) return res;
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) {
        throw new AppError("channel_rejected", `${target.host} redirected more than ${MAX_REDIRECTS} times; Loa stops there`);
      }
      const next = new URL(location, target);
      // A 303 (and a 301/302 after a POST, as browsers do) becomes a GET without a body.
      const method = (current.method ?? "GET").toUpperCase();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        const { body: _body, ...rest } = current;
        current = { ...rest, method: "GET" };
      }
      // Credentials stay with the origin they were meant for (Zalo sends its own in access_token/secret_key).
      if (next.origin !== target.origin && current.headers) {
        const headers = new Headers(current.headers);
        for (const h of CREDENTIAL_HEADERS) headers.delete(h);
        current = { ...current, headers };
      }
      target = next;
    }
  };
  return Object.assign(client, { close: () => agent.close() });
}
