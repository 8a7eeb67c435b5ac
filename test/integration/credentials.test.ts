import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";
import { type Running, startLoa } from "../../start/start.js";
import { testDatabase, uniqueName } from "../helpers/db.js";
import { AGENCY } from "../helpers/fixtures.js";
import { getAs, request } from "../helpers/http.js";
import { ADMIN_TOKEN, type Api, apiClient, dropQueue, FAST, REDIS_URL, startHub, type TestHub } from "../helpers/hub.js";
import { PrivateRedis } from "../helpers/redis.js";

const PER_IP = 5;

/** Each caller of a failing request comes from its own loopback address, so that failures do not add up across tests. */
let nextAddress = 10;
const freshAddress = () => `127.0.1.${nextAddress++}`;

describe("credentials: tokens that expire and can be revoked, deactivated users", () => {
  // The hub runs on a clock the test can move forward, to see tokens expire.
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  let running: Running;
  let url: string;
  let api: Api;
  let drop: () => Promise<void>;
  const prefix = uniqueName("loatest");
  let officer: { id: string; token: string };
  let colleague: { id: string; token: string };

  const db = () => running.runtime.database.db;
  const audited = async (entityId: string) =>
    (await db().selectFrom("audit_log").select(["action", "actor_id"]).where("entity_id", "=", entityId).execute()).map(
      (r) => `${r.action} by ${r.actor_id}`,
    );
  const status = async (token: string) => (await getAs(`${url}/api/me`, token, freshAddress())).status;

  beforeAll(async () => {
    const database = testDatabase("sqlite");
    drop = database.drop;
    const env = {
      ...FAST,
      ...database.env,
      PORT: "0",
      HOST: "127.0.0.1",
      QUEUE_PREFIX: prefix,
      LOA_ADMIN_TOKEN: ADMIN_TOKEN,
      REDIS_URL,
      API_TOKEN_TTL: "30d",
      AUTH_FAILURES_PER_IP: String(PER_IP),
    };
    running = await startLoa(loadConfig(env), ["web"], { clock });
    url = `http://127.0.0.1:${running.port}`;
    api = apiClient(url);
    const made = async (name: string) => {
      const res = await api("POST", "/api/users", { name, role: "officer", agencyId: AGENCY });
      return { id: res.body.id as string, token: res.body.token as string };
    };
    officer = await made("Nguyễn Văn An");
    colleague = await made("Trần Văn Bình");
  });
  afterAll(async () => {
    await running?.stop();
    await dropQueue(prefix);
    await drop?.();
  });

  describe("tokens", () => {
    it("mints a token for oneself, shown once and not cached, expiring after API_TOKEN_TTL unless asked otherwise", async () => {
      const res = await request(`${url}/api/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${officer.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Kịch bản đăng tin" }),
      });
      expect(res.status).toBe(201);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.body).toMatchObject({ userId: officer.id, name: "Kịch bản đăng tin", valid: true, current: false, revokedAt: null });
      expect(res.body.token).toMatch(/^loa_/);
      const lifetime = new Date(res.body.expiresAt).getTime() - new Date(res.body.createdAt).getTime();
      expect(lifetime).toBe(30 * 86_400_000);
      expect((await api("GET", "/api/me", undefined, res.body.token)).body.id).toBe(officer.id);

      const short = await api("POST", "/api/tokens", { expiresIn: "12h" }, officer.token);
      expect(new Date(short.body.expiresAt).getTime() - new Date(short.body.createdAt).getTime()).toBe(12 * 3_600_000);
      expect(await audited(res.body.id)).toEqual([`token.create by ${officer.id}`]);
      const row = await db().selectFrom("tokens").selectAll().where("id", "=", res.body.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(res.body.token);
    });

    it("refuses an expiresIn that is malformed (400) or out of bounds (422), naming it", async () => {
      expect((await api("POST", "/api/tokens", { expiresIn: "soon" }, officer.token)).body.field).toBe("expiresIn");
      const long = await api("POST", "/api/tokens", { expiresIn: "400d" }, officer.token);
      expect(long.status).toBe(422);
      expect(long.body.field).toBe("expiresIn");
      expect((await api("POST", "/api/tokens", { expiresIn: "10s" }, officer.token)).status).toBe(422);
    });

    it("lists one's own tokens without their value; an admin lists everyone's, or one user's", async () => {
      const mine = await api("GET", "/api/tokens", undefined, officer.token);
      expect(mine.status).toBe(200);
      expect(mine.body.data.length).toBeGreaterThanOrEqual(3);
      expect(mine.body.data.every((t: { userId: string }) => t.userId === officer.id)).toBe(true);
      expect(mine.body.data.filter((t: { current: boolean }) => t.current)).toHaveLength(1);
      expect(JSON.stringify(mine.body)).not.toContain(officer.token);
      expect(mine.body.data.some((t: Record<string, unknown>) => "token" in t || "hash" in t)).toBe(false);

      const all = await api("GET", "/api/tokens");
      const owners = new Set(all.body.data.map((t: { userId: string }) => t.userId));
      expect([...owners]).toEqual(expect.arrayContaining(["admin", officer.id, colleague.id]));
      const env = all.body.data.find((t: { id: string }) => t.id === "admin-env");
      expect(env).toMatchObject({ userId: "admin", expiresAt: null, valid: true, current: true });
      const one = await api("GET", `/api/tokens?userId=${colleague.id}`);
      expect(one.body.data.map((t: { userId: string }) => t.userId)).toEqual([colleague.id]);
    });

    it("keeps a user to their own tokens: another's list is 403, another's token 404", async () => {
      const list = await api("GET", `/api/tokens?userId=${colleague.id}`, undefined, officer.token);
      expect(list.status).toBe(403);
      expect(list.body.field).toBe("userId");
      const theirs = (await api("GET", "/api/tokens", undefined, colleague.token)).body.data[0].id;
      expect((await api("DELETE", `/api/tokens/${theirs}`, undefined, officer.token)).status).toBe(404);
      expect(await status(colleague.token)).toBe(200);
    });

    it("revokes a token: it stops working at once, a second revocation is a 409, and the change is audited", async () => {
      const minted = await api("POST", "/api/tokens", { name: "máy tính cũ" }, officer.token);
      expect(await status(minted.body.token)).toBe(200);
      const revoked = await api("DELETE", `/api/tokens/${minted.body.id}`, undefined, officer.token);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: minted.body.id, valid: false });
      expect(revoked.body.revokedAt).not.toBeNull();
      const after = await getAs(`${url}/api/me`, minted.body.token, freshAddress());
      expect(after.status).toBe(401);
      expect(after.body.message).toBe("unknown or revoked token");
      expect((await api("DELETE", `/api/tokens/${minted.body.id}`, undefined, officer.token)).status).toBe(409);
      expect(await audited(minted.body.id)).toEqual([`token.create by ${officer.id}`, `token.revoke by ${officer.id}`]);

      // An admin revokes anyone's token; the other tokens of that user keep working.
      const spare = await api("POST", "/api/tokens", {}, colleague.token);
      expect((await api("DELETE", `/api/tokens/${spare.body.id}`)).status).toBe(200);
      expect(await status(spare.body.token)).toBe(401);
      expect(await status(colleague.token)).toBe(200);
    });

    it("refuses to revoke the configured admin token, which follows LOA_ADMIN_TOKEN", async () => {
      const res = await api("DELETE", "/api/tokens/admin-env");
      expect(res.status).toBe(409);
      expect(res.body.message).toContain("LOA_ADMIN_TOKEN");
      expect(await status(ADMIN_TOKEN)).toBe(200);
    });

    it("stops a token at its expiry and says so; the configured admin token does not expire", async () => {
      const minted = await api("POST", "/api/tokens", { expiresIn: "2h" }, officer.token);
      expect(await status(minted.body.token)).toBe(200);
      offset = 3 * 3_600_000;
      try {
        const res = await getAs(`${url}/api/me`, minted.body.token, freshAddress());
        expect(res.status).toBe(401);
        expect(res.body.message).toMatch(/^this token expired at /);
        expect(await status(officer.token)).toBe(200);
        offset = 400 * 86_400_000;
        expect(await status(officer.token)).toBe(401);
        expect(await status(ADMIN_TOKEN)).toBe(200);
      } finally {
        offset = 0;
      }
    });
  });

  describe("deactivated users", () => {
    it("stops every token of a deactivated user at once; reactivation restores them; both are audited", async () => {
      const second = await api("POST", "/api/tokens", {}, colleague.token);
      const off = await api("PATCH", `/api/users/${colleague.id}`, { active: false });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: colleague.id, active: false });
      for (const token of [colleague.token, second.body.token]) {
        const res = await getAs(`${url}/api/me`, token, freshAddress());
        expect(res.status).toBe(401);
        expect(res.body.message).toBe("this user is deactivated");
      }
      const listed = (await api("GET", "/api/users")).body.data.find((u: { id: string }) => u.id === colleague.id);
      expect(listed.active).toBe(false);

      const on = await api("PATCH", `/api/users/${colleague.id}`, { active: true });
      expect(on.body.active).toBe(true);
      expect(await status(colleague.token)).toBe(200);
      expect(await status(second.body.token)).toBe(200);
      expect((await audited(colleague.id)).slice(-2)).toEqual(["user.deactivate by admin", "user.reactivate by admin"]);
    });

    it("lets only an admin deactivate, and never themselves", async () => {
      const res = await api("PATCH", "/api/users/admin", { active: false });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("active");
      expect((await api("PATCH", `/api/users/${colleague.id}`, { active: false }, officer.token)).status).toBe(403);
      expect((await api("PATCH", "/api/users/no-such-user", { active: false })).status).toBe(404);
      expect((await api("PATCH", `/api/users/${colleague.id}`, { active: "no" })).body.field).toBe("active");
      expect(await status(colleague.token)).toBe(200);
    });
  });

  describe("throttling failed authentication", () => {
    it("answers 429 with Retry-After once an address has failed AUTH_FAILURES_PER_IP times, even to a correct token from there", async () => {
      const attacker = "127.0.0.2";
      for (let i = 0; i < PER_IP; i++) {
        const res = await getAs(`${url}/api/me`, `loa_guess-${i}`, attacker);
        expect(res.status).toBe(401);
      }
      const blocked = await getAs(`${url}/api/me`, "loa_guess-again", attacker);
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ code: "rate_limited" });
      expect(blocked.body.message).toMatch(/too many failed sign-ins from this address: try again in \d+ s/);
      const retryAfter = Number(blocked.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // A blocked address learns nothing about the credential it sends, right or wrong.
      expect((await getAs(`${url}/api/me`, ADMIN_TOKEN, attacker)).status).toBe(429);
      // No credential: a plain 401, which costs nothing to check and counts for nothing.
      expect((await request(`${url}/api/me`, { from: attacker })).status).toBe(401);
    });

    it("never slows a correct token, nor a first mistake, from another address", async () => {
      const attacker = "127.0.0.3";
      for (let i = 0; i <= PER_IP; i++) await getAs(`${url}/api/me`, `loa_guess-${i}`, attacker);
      expect((await getAs(`${url}/api/me`, "loa_guess", attacker)).status).toBe(429);
      const answers = await Promise.all(Array.from({ length: 20 }, () => getAs(`${url}/api/me`, officer.token, "127.0.0.1")));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect((await getAs(`${url}/api/me`, "loa_typo", "127.0.0.4")).status).toBe(401);
    });
  });
});

describe("the failed-authentication throttle across processes and outages", () => {
  let a: TestHub;
  let b: TestHub;
  let c: TestHub;
  let isolated: TestHub | undefined;
  let privateRedis: PrivateRedis | undefined;

  beforeAll(async () => {
    a = await startHub("postgres", { roles: ["web"], env: { AUTH_FAILURES_PER_IP: "6" } });
    b = await startHub("postgres", { roles: ["web"], shareWith: a });
    c = await startHub("postgres", { roles: ["web"], shareWith: a });
  });
  afterAll(async () => {
    await c?.stop();
    await b?.stop();
    await a?.stop();
    await isolated?.stop();
    await privateRedis?.stop();
  });

  it("counts the failures of every web process together, in Redis", async () => {
    const attacker = "127.0.0.5";
    for (let i = 0; i < 3; i++) {
      expect((await getAs(`${a.url}/api/me`, `loa_a-${i}`, attacker)).status).toBe(401);
      expect((await getAs(`${b.url}/api/me`, `loa_b-${i}`, attacker)).status).toBe(401);
    }
    // A process that never saw this address refuses it at once: the count is in Redis.
    expect((await getAs(`${c.url}/api/me`, "loa_c", attacker)).status).toBe(429);
    // The one that counted the last failure knows at once; the other within one more attempt (or a second).
    expect((await getAs(`${b.url}/api/me`, "loa_b", attacker)).status).toBe(429);
    const next = (await getAs(`${a.url}/api/me`, "loa_a", attacker)).status;
    expect([401, 429]).toContain(next);
    expect((await getAs(`${a.url}/api/me`, "loa_a", attacker)).status).toBe(429);
    expect((await getAs(`${b.url}/api/me`, ADMIN_TOKEN, "127.0.0.1")).status).toBe(200);
  });

  it("keeps throttling, per process in memory, while Redis is unreachable, and keeps serving correct tokens", async () => {
    privateRedis = await PrivateRedis.start();
    isolated = await startHub("sqlite", { roles: ["web"], env: { REDIS_URL: privateRedis.url, AUTH_FAILURES_PER_IP: "3" } });
    await privateRedis.stop();
    const attacker = "127.0.0.6";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await getAs(`${isolated.url}/api/me`, `loa_x-${i}`, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect((await getAs(`${isolated.url}/api/me`, ADMIN_TOKEN, "127.0.0.1")).status).toBe(200);
    await privateRedis.start(); // so the hub stops cleanly
  });
});
