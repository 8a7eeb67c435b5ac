import http from "node:http";
import type { AddressInfo } from "node:net";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedBy, checkDestination, createOutboundClient, MAX_REDIRECTS, rangeOf, resolveChecked } from "../../channels/outbound.js";
import { loadConfig, type OutboundAllow, parseOutboundAllow } from "../../content/config.js";

const rules = (...entries: string[]) => entries.map((e) => parseOutboundAllow(e)).filter((r): r is OutboundAllow => r !== undefined);
const refused = (address: string, allow: OutboundAllow[] = [], port = 443) => {
  try {
    checkDestination(allow, address, ipaddr.parse(address), port, true);
    return false;
  } catch {
    return true;
  }
};

describe("the outbound policy", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "0.0.0.0",
    "::",
    "169.254.169.254",
    "fe80::1",
    "10.20.30.40",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "224.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "2001:db8::1",
    "2002:7f00:1::1",
  ])("refuses %s", (address) => {
    expect(refused(address)).toBe(true);
  });

  it.each(["8.8.8.8", "203.162.4.191", "2606:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"])("lets %s through", (address) => {
    expect(refused(address)).toBe(false);
  });

  it("looks through IPv4-mapped and NAT64 addresses to the IPv4 address they carry", () => {
    expect(rangeOf(ipaddr.parse("::ffff:192.168.0.1"))).toBe("private");
    expect(rangeOf(ipaddr.parse("64:ff9b::a9fe:a9fe"))).toBe("linkLocal");
    expect(rangeOf(ipaddr.parse("::ffff:1.1.1.1"))).toBe("unicast");
  });

  it("parses OUTBOUND_ALLOW entries: host names, addresses, CIDRs, IPv6 in brackets, each with an optional port", () => {
    expect(
      rules("cms.cantho.gov.vn", "CMS.Example.VN.:8443", "10.20.0.0/16", "127.0.0.1:4567", "[fd00::1]:8080", "fd00::/8", "[::1]"),
    ).toEqual([
      { kind: "host", host: "cms.cantho.gov.vn" },
      { kind: "host", host: "cms.example.vn", port: 8443 },
      { kind: "net", address: "10.20.0.0", prefix: 16 },
      { kind: "net", address: "127.0.0.1", prefix: 32, port: 4567 },
      { kind: "net", address: "fd00::1", prefix: 128, port: 8080 },
      { kind: "net", address: "fd00::", prefix: 8 },
      { kind: "net", address: "::1", prefix: 128 },
    ]);
    for (const bad of ["http://x", "10.0.0.0/33", "host:99999", "a b", "[fd00::1", "-bad-.vn"])
      expect(parseOutboundAllow(bad)).toBeUndefined();
  });

  it("names OUTBOUND_ALLOW when an entry is not understood, and stops the start", () => {
    expect(() => loadConfig({ OUTBOUND_ALLOW: "cms.cantho.gov.vn, 10.0.0.0/99" })).toThrow(/OUTBOUND_ALLOW[\s\S]*10\.0\.0\.0\/99/);
    expect(loadConfig({ OUTBOUND_ALLOW: " 10.20.0.0/16 , cms.cantho.gov.vn" }).outbound.allow).toHaveLength(2);
    expect(loadConfig({}).outbound.allow).toEqual([]);
  });

  it("allows exactly what an admin listed: the CIDR, the port, the host name", () => {
    const allow = rules("10.20.0.0/16", "127.0.0.1:4567", "intranet.cantho.gov.vn");
    expect(refused("10.20.5.6", allow)).toBe(false);
    expect(refused("10.21.5.6", allow)).toBe(true);
    expect(refused("127.0.0.1", allow, 4567)).toBe(false);
    expect(refused("127.0.0.1", allow, 4568)).toBe(true);
    expect(refused("::ffff:127.0.0.1", allow, 4567)).toBe(false);
    expect(allowedBy(allow, "Intranet.CanTho.gov.vn", ipaddr.parse("10.99.0.1"), 443)).toBe(true);
    expect(allowedBy(allow, "other.cantho.gov.vn", ipaddr.parse("10.99.0.1"), 443)).toBe(false);
  });

  it("checks every address a name resolves to, and says so without naming the address", async () => {
    const lookup = (answers: string[]) => async () => answers.map((address) => ({ address }));
    await expect(resolveChecked([], "cms.example", 443, lookup(["8.8.8.8"]))).resolves.toBe("8.8.8.8");
    await expect(resolveChecked([], "cms.example", 443, lookup(["8.8.8.8", "10.0.0.7"]))).rejects.toThrow(
      "the address of cms.example resolves to a private network, which Loa does not call; an admin can allow it with OUTBOUND_ALLOW",
    );
    await expect(resolveChecked([], "cms.example", 443, lookup(["::ffff:127.0.0.1"]))).rejects.toThrow(/loopback/);
    await expect(resolveChecked(rules("cms.example"), "cms.example", 443, lookup(["10.0.0.7"]))).resolves.toBe("10.0.0.7");
    await expect(resolveChecked([], "[::1]", 80)).rejects.toThrow("::1 is an address of this machine (loopback)");
  });
});

/** Local servers that record what reached them; `respond` decides each answer. */
async function server(respond: (req: http.IncomingMessage, res: http.ServerResponse) => void, host = "127.0.0.1", port = 0) {
  const hits: { method: string; url: string; authorization: string | undefined; body: string }[] = [];
  const s = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      hits.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, body });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, host, resolve);
  });
  const { port: bound } = s.address() as AddressInfo;
  const origin = host.includes(":") ? `[${host}]` : host;
  return { hits, port: bound, url: `http://${origin}:${bound}`, close: () => new Promise((r) => s.close(r)) };
}

describe("the outbound client", () => {
  let internal: Awaited<ReturnType<typeof server>>;
  let allowed: Awaited<ReturnType<typeof server>>;
  let client: ReturnType<typeof createOutboundClient>;
  const signal = () => AbortSignal.timeout(5_000);

  beforeAll(async () => {
    internal = await server((_req, res) => res.end("internal admin page: TOP-SECRET"));
    allowed = await server((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      const to = u.searchParams.get("to");
      if (u.pathname === "/redirect" && to) res.writeHead(Number(u.searchParams.get("status") ?? 302), { location: to }).end();
      else if (u.pathname === "/loop") res.writeHead(302, { location: "/loop" }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ method: req.method }));
    });
    client = createOutboundClient({ allow: rules(`127.0.0.1:${allowed.port}`) });
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([internal.close(), allowed.close()]);
  });

  it("calls an allowed local server, and refuses another port of the same machine without connecting", async () => {
    expect((await client(`${allowed.url}/ok`, { method: "GET", signal: signal() })).status).toBe(200);
    await expect(client(`${internal.url}/internal/admin`, { method: "GET", signal: signal() })).rejects.toMatchObject({
      code: "channel_rejected",
      message: "127.0.0.1 is an address of this machine (loopback), which Loa does not call; an admin can allow it with OUTBOUND_ALLOW",
    });
    await expect(client(`http://localhost:${internal.port}/`, { method: "GET", signal: signal() })).rejects.toMatchObject({
      code: "channel_rejected",
    });
    expect(internal.hits).toEqual([]);
  });

  it("follows a redirect to an allowed place, turning a 303 into a GET", async () => {
    const to = encodeURIComponent(`${allowed.url}/after`);
    const res = await client(`${allowed.url}/redirect?status=303&to=${to}`, { method: "POST", body: "x", signal: signal() });
    expect(await res.json()).toEqual({ method: "GET" });
    const kept = await client(`${allowed.url}/redirect?status=307&to=${to}`, { method: "POST", body: "x", signal: signal() });
    expect(await kept.json()).toEqual({ method: "POST" });
  });

  it("never follows a redirect to a refused destination, nor more than a few", async () => {
    const to = encodeURIComponent(`${internal.url}/internal/admin`);
    await expect(
      client(`${allowed.url}/redirect?to=${to}`, { method: "GET", headers: { authorization: "Bearer t" }, signal: signal() }),
    ).rejects.toMatchObject({ code: "channel_rejected", message: expect.stringContaining("OUTBOUND_ALLOW") });
    const metadata = encodeURIComponent("http://169.254.169.254/latest/meta-data/");
    await expect(client(`${allowed.url}/redirect?to=${metadata}`, { method: "GET", signal: signal() })).rejects.toMatchObject({
      message: expect.stringContaining("link-local"),
    });
    const before = allowed.hits.length;
    await expect(client(`${allowed.url}/loop`, { method: "GET", signal: signal() })).rejects.toMatchObject({
      code: "channel_rejected",
      message: expect.stringContaining(`more than ${MAX_REDIRECTS} times`),
    });
    expect(allowed.hits.length - before).toBe(MAX_REDIRECTS + 1);
    expect(internal.hits).toEqual([]);
  });

  it("reaches an allowed IPv6 literal, brackets and all", async () => {
    const v6 = await server((_req, res) => res.end("v6"), "::1").catch(() => undefined);
    if (!v6) return; // no IPv6 loopback on this machine
    const c = createOutboundClient({ allow: rules(`[::1]:${v6.port}`) });
    try {
      expect(await (await c(`http://[::1]:${v6.port}/`, { method: "GET", signal: signal() })).text()).toBe("v6");
    } finally {
      await c.close();
      await v6.close();
    }
  });

  it("drops the credentials on a redirect to another origin", async () => {
    const other = await server((_req, res) => res.end("ok"));
    const c = createOutboundClient({ allow: rules(`127.0.0.1:${allowed.port}`, `127.0.0.1:${other.port}`) });
    try {
      const to = encodeURIComponent(`${other.url}/landing`);
      await c(`${allowed.url}/redirect?to=${to}`, { method: "GET", headers: { authorization: "Bearer secret" }, signal: signal() });
      expect(other.hits.map((h) => h.authorization)).toEqual([undefined]);
    } finally {
      await c.close();
      await other.close();
    }
  });

  it("connects to the address it checked: a name that rebinds to a refused address on its next resolution is refused then", async () => {
    // The allowed server on 127.0.0.1 and an internal one on 127.0.0.2 at the same port; the name moves from one to the other.
    const first = await server((_req, res) => res.writeHead(200, { connection: "close" }).end("public"));
    const second = await server((_req, res) => res.end("internal"), "127.0.0.2", first.port);
    let resolutions = 0;
    const lookup = async () => [{ address: resolutions++ === 0 ? "127.0.0.1" : "127.0.0.2" }];
    const c = createOutboundClient({ allow: rules(`127.0.0.1:${first.port}`), lookup });
    try {
      const url = `http://rebind.test:${first.port}/`;
      expect(await (await c(url, { method: "GET", signal: signal() })).text()).toBe("public");
      await expect(c(url, { method: "GET", signal: signal() })).rejects.toMatchObject({ code: "channel_rejected" });
      expect(second.hits).toEqual([]);
      expect(resolutions).toBe(2);
    } finally {
      await c.close();
      await Promise.all([first.close(), second.close()]);
    }
  });
});
