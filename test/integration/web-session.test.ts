import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webBundle } from "../../server/web.js";
import { AGENCY } from "../helpers/fixtures.js";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";

/** A browser's cookie jar, reduced to what these tests need: the cookies set, sent back. */
class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const [k = "", v = ""] = pair.split("=");
      if (v && !/expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.set(k, v);
      else this.cookies.delete(k);
    }
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  }
  get csrf() {
    return this.cookies.get("loa_csrf") ?? "";
  }
}

describe("the web app's sign-in, sessions and pages", () => {
  let hub: TestHub;
  let officerId: string;

  beforeAll(async () => {
    hub = await startHub("sqlite", { roles: ["web"], env: { AUTH_FAILURES_PER_USER: "3", SESSION_TTL: "1h" } });
    const created = await hub.api("POST", "/api/users", {
      name: "Lê Thị Hoa",
      login: "Hoa.Le",
      password: "mat-khau-cua-hoa-1",
      role: "officer",
      agencyId: AGENCY,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.login).toBe("hoa.le");
    expect(JSON.stringify(created.body)).not.toContain("argon2");
    officerId = created.body.id;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it("signs in with a user name and password, and sets an httpOnly SameSite=Lax session cookie with an expiry", async () => {
    const b = new Browser(hub.url);
    const res = await b.call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-cua-hoa-1" });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: officerId, role: "officer", login: "hoa.le" });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("loa_session="));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Expires=/i);
    expect(session).not.toMatch(/Secure/i);
    expect(cookies.find((c) => c.startsWith("loa_csrf="))).not.toMatch(/HttpOnly/i);
    const me = await b.call("GET", "/api/me");
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(officerId);
  });

  it("marks the cookies Secure behind a trusted TLS proxy", async () => {
    const tls = await startHub("sqlite", { roles: ["web"], shareWith: hub, env: { TRUST_PROXY: "loopback" } });
    try {
      const b = new Browser(tls.url);
      const res = await b.call(
        "POST",
        "/api/session",
        { login: "hoa.le", password: "mat-khau-cua-hoa-1" },
        { "x-forwarded-proto": "https" },
      );
      expect(res.status).toBe(200);
      for (const c of res.headers.getSetCookie()) expect(c).toMatch(/; Secure/i);
    } finally {
      await tls.stop();
    }
  });

  it("refuses a wrong password with 401 naming 'password', and the user name's failures are throttled (429 with Retry-After)", async () => {
    const b = new Browser(hub.url);
    const wrong = await b.call("POST", "/api/session", { login: "nobody.here", password: "khong-dung-dau" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.field).toBe("password");
    for (let i = 0; i < 3; i++) await b.call("POST", "/api/session", { login: "nobody.here", password: `sai-${i}-mat-khau` });
    const blocked = await b.call("POST", "/api/session", { login: "nobody.here", password: "bat-ky-mat-khau" });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(b.cookies.size).toBe(0);
  });

  it("refuses a write made with the session cookie but no CSRF header (403), and accepts it with the header", async () => {
    const b = new Browser(hub.url);
    await b.call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-cua-hoa-1" });
    const item = { agencyId: AGENCY, kind: "news", title: "Nộp hồ sơ trực tuyến", body: "Người dân nộp hồ sơ trên Cổng." };
    const forged = await b.call("POST", "/api/items", item);
    expect(forged.status).toBe(403);
    const wrongToken = await b.call("POST", "/api/items", item, { "x-csrf-token": "khong-phai" });
    expect(wrongToken.status).toBe(403);
    const ok = await b.call("POST", "/api/items", item, { "x-csrf-token": b.csrf });
    expect(ok.status, ok.text).toBe(201);
  });

  it("leaves bearer tokens as they were: no CSRF header needed", async () => {
    const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "Tin", body: "Nội dung." });
    expect(res.status).toBe(201);
  });

  it("changes one's own password with the current one (422 naming 'currentPassword' otherwise); other sessions end", async () => {
    const a = new Browser(hub.url);
    const other = new Browser(hub.url);
    await a.call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-cua-hoa-1" });
    await other.call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-cua-hoa-1" });
    const bad = await a.call(
      "POST",
      "/api/me/password",
      { currentPassword: "khong-dung", newPassword: "mat-khau-moi-cua-hoa" },
      { "x-csrf-token": a.csrf },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe("currentPassword");
    const short = await a.call(
      "POST",
      "/api/me/password",
      { currentPassword: "mat-khau-cua-hoa-1", newPassword: "ngan" },
      { "x-csrf-token": a.csrf },
    );
    expect(short.status).toBe(400);
    expect(short.body.field).toBe("newPassword");
    const ok = await a.call(
      "POST",
      "/api/me/password",
      { currentPassword: "mat-khau-cua-hoa-1", newPassword: "mat-khau-moi-cua-hoa" },
      { "x-csrf-token": a.csrf },
    );
    expect(ok.status).toBe(204);
    expect((await a.call("GET", "/api/me")).status).toBe(200);
    expect((await other.call("GET", "/api/me")).status).toBe(401);
    expect((await new Browser(hub.url).call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-cua-hoa-1" })).status).toBe(401);
    expect((await new Browser(hub.url).call("POST", "/api/session", { login: "hoa.le", password: "mat-khau-moi-cua-hoa" })).status).toBe(
      200,
    );
  });

  it("lets an admin set a user name and password for a user who had only tokens (and reset it); sessions end", async () => {
    const u = await hub.api("POST", "/api/users", { name: "Đặng Văn Tú", role: "auditor" });
    const noLogin = await hub.api("PUT", `/api/users/${u.body.id}/password`, { password: "mat-khau-kiem-tra-1" });
    expect(noLogin.status).toBe(422);
    expect(noLogin.body.field).toBe("login");
    const taken = await hub.api("PUT", `/api/users/${u.body.id}/password`, { password: "mat-khau-kiem-tra-1", login: "hoa.le" });
    expect(taken.status).toBe(409);
    expect(taken.body.field).toBe("login");
    const set = await hub.api("PUT", `/api/users/${u.body.id}/password`, { password: "mat-khau-kiem-tra-1", login: "tu.dang" });
    expect(set.status).toBe(200);
    const b = new Browser(hub.url);
    expect((await b.call("POST", "/api/session", { login: "tu.dang", password: "mat-khau-kiem-tra-1" })).status).toBe(200);
    expect((await hub.api("PUT", `/api/users/${u.body.id}/password`, { password: "mat-khau-dat-lai-22" })).status).toBe(200);
    expect((await b.call("GET", "/api/me")).status).toBe(401);
  });

  it("signs out: the session is gone server-side, the same cookie no longer works", async () => {
    const b = new Browser(hub.url);
    await b.call("POST", "/api/session", { login: "tu.dang", password: "mat-khau-dat-lai-22" });
    const cookie = b.cookies.get("loa_session");
    const out = await b.call("DELETE", "/api/session", undefined, { "x-csrf-token": b.csrf });
    expect(out.status).toBe(204);
    const replay = await fetch(`${hub.url}/api/me`, { headers: { cookie: `loa_session=${cookie}` } });
    expect(replay.status).toBe(401);
  });

  it("stops a deactivated user's sessions at once", async () => {
    const u = await hub.api("POST", "/api/users", {
      name: "Võ Minh",
      login: "minh.vo",
      password: "mat-khau-minh-vo",
      role: "officer",
      agencyId: AGENCY,
    });
    const b = new Browser(hub.url);
    await b.call("POST", "/api/session", { login: "minh.vo", password: "mat-khau-minh-vo" });
    await hub.api("PATCH", `/api/users/${u.body.id}`, { active: false });
    expect((await b.call("GET", "/api/me")).status).toBe(401);
    expect((await new Browser(hub.url).call("POST", "/api/session", { login: "minh.vo", password: "mat-khau-minh-vo" })).status).toBe(401);
  });

  it("needs a user name and a password together when an admin creates a user", async () => {
    const res = await hub.api("POST", "/api/users", { name: "Thiếu", login: "thieu.mk", role: "auditor" });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("password");
  });

  it("serves the app at / and every page path with a nonce CSP, and leaves the API, /healthz and /readyz alone", async () => {
    for (const path of ["/", "/officer/calendar", "/admin/users/1"]) {
      const res = await fetch(`${hub.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      const html = await res.text();
      const nonce = /name="csp-nonce" content="([^"]+)"/.exec(html)?.[1];
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/unsafe-|https?:/);
    }
    const api = await fetch(`${hub.url}/api/no-such-route`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/json/);
    expect((await fetch(`${hub.url}/api/me`)).status).toBe(401);
    expect(await (await fetch(`${hub.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${hub.url}/readyz`)).headers.get("content-type")).toMatch(/json/);
    expect((await fetch(`${hub.url}/assets/no-such-file.js`)).status).toBe(404);
  });

  it("serves the assets gzipped and immutable, and ships at most 250 KB of gzipped JavaScript for the first page", async () => {
    const bundle = await webBundle();
    const res = await fetch(`${hub.url}${bundle.script}`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    const gz = bundle.firstPageScripts.reduce((n, s) => n + (bundle.assets.get(s)?.gzip.length ?? Number.POSITIVE_INFINITY), 0);
    expect(gz).toBeLessThanOrEqual(250 * 1024);
  });
});
