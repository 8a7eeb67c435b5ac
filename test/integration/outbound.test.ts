import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComplianceConfig } from "../../content/config.js";
import { createNotifier } from "../../workers/notify.js";
import { AGENCY, newsItem, schedule, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";

const SECRET = "TOP-SECRET-INTERNAL-ADMIN";

/** A little internal service on this machine (an admin page), which records whoever reached it. */
async function internalService() {
  const hits: string[] = [];
  const s = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "text/plain" }).end(`${SECRET}: database password hunter2`);
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return { hits, port: (s.address() as AddressInfo).port, close: () => new Promise((r) => s.close(r)) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Server-side request forgery, tried as an officer would: a channel pointed at internal addresses.
 * Nothing is connected, `lastError` says why in words an officer can act on, and it reveals neither
 * the internal answer nor whether a port is open.
 */
describe("outbound requests under the outbound policy", () => {
  let hub: TestHub;
  let internal: Awaited<ReturnType<typeof internalService>>;
  let closed: number;
  let gateway: http.Server;
  let gatewayUrl = "";

  beforeAll(async () => {
    internal = await internalService();
    closed = await closedPort();
    // An allowed server (the agency's own CMS, say) that redirects to the internal service, or fails with an HTML page.
    gateway = http.createServer((req, res) => {
      if (req.url?.startsWith("/go")) res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/internal/admin` }).end();
      else
        res
          .writeHead(502, { "content-type": "text/html; charset=utf-8" })
          .end(`<html><body>${SECRET} upstream 10.0.0.12:5432</body></html>`);
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    hub = await startHub("sqlite", { allow: [gatewayUrl] });
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([internal?.close(), new Promise((r) => gateway?.close(r))]);
  });

  const channel = async (kind: "webhook" | "wordpress", settings: Record<string, unknown>) => {
    const secret = kind === "webhook" ? "chia-khoa-dung-chung" : "bientap:abcd efgh ijkl mnop";
    const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name: `Kênh ${kind}`, settings, secret });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const deliverTo = async (kind: "webhook" | "wordpress", settings: Record<string, unknown>) => {
    const id = await schedule(hub.api, await newsItem(hub.api), await channel(kind, settings));
    return settled(hub.api, id, ["failed", "published", "unconfirmed"]);
  };
  const expectRefused = (d: { status: string; attempts: number; lastError: string }) => {
    expect(d.status).toBe("failed");
    expect(d.attempts).toBe(1);
    expect(d.lastError).toContain("which Loa does not call; an admin can allow it with OUTBOUND_ALLOW");
    expect(d.lastError).not.toContain(SECRET);
    expect(d.lastError).not.toMatch(/ECONNREFUSED|ETIMEDOUT|hunter2/);
  };

  it.each([
    ["an internal address", (p: number) => `http://127.0.0.1:${p}/internal/admin`],
    ["a name resolving to loopback", (p: number) => `http://localhost:${p}/internal/admin`],
    ["an IPv4-mapped IPv6 address", (p: number) => `http://[::ffff:127.0.0.1]:${p}/internal/admin`],
    ["the unspecified address", (p: number) => `http://0.0.0.0:${p}/internal/admin`],
    ["the IPv6 unspecified address", (p: number) => `http://[::]:${p}/internal/admin`],
  ])("refuses a webhook channel at %s, connecting nothing and echoing nothing", async (_what, url) => {
    const d = await deliverTo("webhook", { url: url(internal.port) });
    expectRefused(d);
    expect(internal.hits).toEqual([]);
  });

  it("answers an open and a closed internal port alike, so ports cannot be scanned", async () => {
    const open = await deliverTo("webhook", { url: `http://127.0.0.1:${internal.port}/internal/admin` });
    const shut = await deliverTo("webhook", { url: `http://127.0.0.1:${closed}/internal/admin` });
    expectRefused(shut);
    expect(shut.lastError).toBe(open.lastError);
  });

  it("refuses the cloud metadata address", async () => {
    const d = await deliverTo("webhook", { url: "http://169.254.169.254/latest/meta-data/iam/security-credentials/" });
    expectRefused(d);
    expect(d.lastError).toContain("link-local");
  });

  it("does not follow an allowed server's redirect to an internal address", async () => {
    const d = await deliverTo("webhook", { url: `${gatewayUrl}/go` });
    expectRefused(d);
    expect(internal.hits).toEqual([]);
  });

  it("refuses a WordPress siteUrl on an internal address", async () => {
    const d = await deliverTo("wordpress", { siteUrl: `http://127.0.0.1:${internal.port}` });
    expectRefused(d);
    expect(internal.hits).toEqual([]);
  });

  it("says what an allowed server answered without echoing its page", async () => {
    const d = await deliverTo("webhook", { url: `${gatewayUrl}/cms` });
    expect(d.lastError).toMatch(/the CMS answered 502 Bad Gateway \(text\/html, \d+ B\)/);
    expect(d.lastError).not.toContain(SECRET);
    expect(d.lastError).not.toContain("10.0.0.12");
  });

  it("holds the reminder webhook to the same policy", async () => {
    const { services, log } = hub.running.runtime;
    const config: ComplianceConfig = {
      closeCron: "0 0 1 1 *",
      remindCron: "0 0 1 1 *",
      webhook: { url: `http://127.0.0.1:${internal.port}/internal/admin`, secret: "bi-mat-nhac-viec-0123" },
      smtp: undefined,
    };
    const notify = createNotifier(config, log, services.http).webhook;
    const n = { id: "n1", period: "2026-W48", tasks: [], title: "t", body: "b", createdAt: new Date() };
    await expect(notify?.(n as never, { id: AGENCY, name: "Sở KH&CN" } as never)).rejects.toMatchObject({ code: "channel_rejected" });
    expect(internal.hits).toEqual([]);
  });
});
