import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY } from "../helpers/fixtures.js";
import { getAs, partialRequest, request } from "../helpers/http.js";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";

const API_CSP = "default-src 'none';frame-ancestors 'none'";
const MB50 = 50 * 1024 * 1024;

/** Security headers, caching, authentication before bodies, timeouts and the connection cap of the HTTP server. */
describe("the hardened HTTP face", () => {
  let proxied: TestHub; // behind a trusted proxy (TRUST_PROXY=loopback)
  let direct: TestHub; // reached directly, with short timeouts and a small connection cap
  let auditor: string;
  let publicationId: string;

  beforeAll(async () => {
    [proxied, direct] = await Promise.all([
      startHub("sqlite", { roles: ["web"], env: { TRUST_PROXY: "loopback", AUTH_FAILURES_PER_IP: "3" } }),
      startHub("sqlite", {
        roles: ["web"],
        env: { AUTH_FAILURES_PER_IP: "3", HTTP_HEADERS_TIMEOUT: "1s", HTTP_REQUEST_TIMEOUT: "2s", HTTP_MAX_CONNECTIONS: "3" },
      }),
    ]);
    auditor = (await proxied.api("POST", "/api/users", { name: "Kiểm tra viên", role: "auditor" })).body.token;
    const item = (await proxied.api("POST", "/api/items", { agencyId: AGENCY, kind: "radio", title: "Bản tin", body: "…", tasks: [] }))
      .body;
    publicationId = (
      await proxied.api("POST", "/api/publications", { itemId: item.id, channelKind: "loudspeaker", publishedAt: new Date().toISOString() })
    ).body.id;
  });
  afterAll(async () => {
    await proxied?.stop();
    await direct?.stop();
  });

  describe("headers", () => {
    it("sends nosniff, the API's CSP, no framing and no referrer on every answer, and no HSTS over plain HTTP", async () => {
      // One at a time: this hub takes at most 3 connections at once (HTTP_MAX_CONNECTIONS), and drops more.
      const answers = [];
      for (const ask of [
        () => getAs(`${direct.url}/api/me`, ADMIN_TOKEN),
        () => getAs(`${direct.url}/api/no-such-route`, ADMIN_TOKEN),
        () => request(`${direct.url}/api/me`),
        () => request(`${direct.url}/healthz`),
        () => request(`${direct.url}/feeds/${AGENCY}.rss`),
      ])
        answers.push(await ask());
      expect(answers.map((a) => a.status)).toEqual([200, 404, 401, 200, 200]);
      for (const a of answers) {
        expect(a.headers).toMatchObject({
          "x-content-type-options": "nosniff",
          "content-security-policy": API_CSP,
          "x-frame-options": "DENY",
          "referrer-policy": "no-referrer",
        });
        expect(a.headers["strict-transport-security"]).toBeUndefined();
        expect(a.headers["x-powered-by"]).toBeUndefined();
      }
    });

    it("keeps no API answer in any cache (tokens among them), while the public feeds stay cacheable", async () => {
      const created = await request(`${direct.url}/api/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Lê Thị Cúc", role: "officer", agencyId: AGENCY }),
      });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^loa_/);
      expect(created.headers["cache-control"]).toBe("no-store");
      for (const a of [await getAs(`${direct.url}/api/me`, ADMIN_TOKEN), await request(`${direct.url}/api/me`)]) {
        expect(a.headers["cache-control"]).toBe("no-store");
      }
      expect((await request(`${direct.url}/feeds/${AGENCY}.rss`)).headers["cache-control"]).toBe("public, max-age=300");
    });

    it("sends HSTS when a trusted proxy says the request came over TLS, and not when an untrusted client says so", async () => {
      const tls = await request(`${proxied.url}/healthz`, { headers: { "x-forwarded-proto": "https" } });
      expect(tls.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
      expect((await request(`${proxied.url}/healthz`)).headers["strict-transport-security"]).toBeUndefined();
      const spoofed = await request(`${direct.url}/healthz`, { headers: { "x-forwarded-proto": "https" } });
      expect(spoofed.headers["strict-transport-security"]).toBeUndefined();
    });
  });

  describe("the client's address for the throttle", () => {
    // From an address of its own, so that the other tests' requests (from 127.0.0.1) are not blocked.
    const badToken = (hub: TestHub, forwardedFor: string) =>
      request(`${hub.url}/api/me`, { headers: { authorization: "Bearer loa_guess", "x-forwarded-for": forwardedFor }, from: "127.0.0.7" });

    it("takes the client's address from a trusted proxy's X-Forwarded-For", async () => {
      for (let i = 0; i < 3; i++) expect((await badToken(proxied, "203.0.113.9")).status).toBe(401);
      expect((await badToken(proxied, "203.0.113.9")).status).toBe(429);
      expect((await badToken(proxied, "203.0.113.10")).status).toBe(401);
    });

    it("ignores X-Forwarded-For from an untrusted client: changing it does not escape the throttle", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await badToken(direct, `198.51.100.${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });

  describe("authentication before the body", () => {
    const multipart = (token?: string) =>
      [
        "POST /api/media HTTP/1.1",
        "Host: loa",
        ...(token ? [`Authorization: Bearer ${token}`] : []),
        "Content-Type: multipart/form-data; boundary=loa-boundary",
        `Content-Length: ${MB50}`,
        "",
        "",
      ].join("\r\n");

    it("refuses an unauthenticated 50 MB upload with 401 before the body is sent, and closes the connection", async () => {
      const { answer, closedByServer, sentBytes } = await partialRequest(proxied.running.port ?? 0, multipart(), 256 * 1024);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer.toLowerCase()).toContain("connection: close");
      expect(closedByServer).toBe(true);
      expect(sentBytes).toBeLessThan(MB50 / 100);
    });

    it("refuses an auditor's 50 MB upload with 403 before reading it: the role is checked first", async () => {
      const { answer, closedByServer } = await partialRequest(proxied.running.port ?? 0, multipart(auditor), 256 * 1024);
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(closedByServer).toBe(true);
    });

    it("refuses an unauthenticated or unprivileged raw evidence body the same way", async () => {
      const head = (token?: string) =>
        [
          `PUT /api/publications/${publicationId}/evidence?name=bien-ban.pdf HTTP/1.1`,
          "Host: loa",
          ...(token ? [`Authorization: Bearer ${token}`] : []),
          "Content-Type: application/pdf",
          `Content-Length: ${MB50}`,
          "",
          "",
        ].join("\r\n");
      for (const [token, status] of [
        [undefined, 401],
        [auditor, 403],
      ] as const) {
        const { answer, closedByServer } = await partialRequest(proxied.running.port ?? 0, head(token), 256 * 1024);
        expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(closedByServer).toBe(true);
      }
    });
  });

  describe("timeouts and the connection cap", () => {
    it("answers 408 and closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT", async () => {
      const t0 = Date.now();
      const { answer, closedByServer } = await partialRequest(direct.running.port ?? 0, "GET /healthz HTTP/1.1\r\nHost: loa\r\n", 0);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedByServer).toBe(true);
      expect(Date.now() - t0).toBeLessThan(2_500);
    });

    it("answers 408 to a request whose body is still trickling in after HTTP_REQUEST_TIMEOUT", async () => {
      const head = `POST /api/items HTTP/1.1\r\nHost: loa\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
      const t0 = Date.now();
      const { answer, closedByServer } = await partialRequest(direct.running.port ?? 0, head, 10);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedByServer).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    });

    it("closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again when one frees up", async () => {
      const port = direct.running.port ?? 0;
      const open = async () => {
        const s = net.connect(port, "127.0.0.1");
        await new Promise((resolve) => s.once("connect", resolve));
        return s;
      };
      const held = [await open(), await open(), await open()];
      try {
        const extra = await open();
        const closed = await new Promise<boolean>((resolve) => {
          extra.once("close", () => resolve(true));
          extra.write("GET /healthz HTTP/1.1\r\nHost: loa\r\n\r\n");
          setTimeout(() => resolve(false), 2_000);
        });
        expect(closed).toBe(true);
        held.pop()?.destroy();
        await new Promise((r) => setTimeout(r, 100));
        expect((await request(`${direct.url}/healthz`)).status).toBe(200);
      } finally {
        for (const s of held) s.destroy();
      }
    });
  });
});
