import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY, newsItem, webhookChannel } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

// The API's validation and authorization are the same on both databases; the store tests cover the
// two databases and the publish tests run the whole path on both.
describe("the HTTP API", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;
  let itemId: string;
  let otherChannelId: string;
  let officer: string;
  let auditor: string;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-ky-webhook-thu-nghiem").start();
    hub = await startHub("sqlite", { roles: ["web"], allow: [stub.url] });
    channelId = await webhookChannel(hub.api, stub);
    itemId = await newsItem(hub.api);
    otherChannelId = await webhookChannel(hub.api, stub, "so-y-te");
    officer = (await hub.api("POST", "/api/users", { name: "Nguyễn Văn An", role: "officer", agencyId: AGENCY })).body.token;
    auditor = (await hub.api("POST", "/api/users", { name: "Trần Thị Bình", role: "auditor" })).body.token;
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  describe("health", () => {
    it("answers /healthz and /readyz without a token", async () => {
      expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${hub.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ready", database: "ok", redis: "ok", queues: { publish: { status: "ok" } } });
    });
  });

  describe("authentication", () => {
    it("refuses a request without a bearer token with 401", async () => {
      const res = await fetch(`${hub.url}/api/agencies`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
    });
    it("refuses an unknown token with 401", async () => {
      expect((await hub.api("GET", "/api/agencies", undefined, "loa_not-a-token")).status).toBe(401);
    });
    it("shows a new user's token once and stores only its hash", async () => {
      const res = await hub.api("POST", "/api/users", { name: "Lê Văn Cường", role: "officer", agencyId: "so-y-te" });
      expect(res.status).toBe(201);
      expect(res.body.token).toMatch(/^loa_/);
      const rows = await hub.running.runtime.database.db.selectFrom("tokens").select("hash").execute();
      expect(rows.some((r) => r.hash === res.body.token)).toBe(false);
      expect((await hub.api("GET", "/api/me", undefined, res.body.token)).body).toMatchObject({ name: "Lê Văn Cường", role: "officer" });
      const list = await hub.api("GET", "/api/users");
      expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    });
  });

  describe("validation", () => {
    it("refuses a malformed JSON body with 400", async () => {
      const res = await hub.api("POST", "/api/items", "{not json");
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("invalid_input");
    });
    it("names a missing field", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", body: "x" });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_input", field: "title" });
    });
    it("names an unknown field", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "a", body: "b", colour: "red" });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("colour");
    });
    it("names a wrong kind", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "poem", title: "a", body: "b" });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("kind");
    });
    it("refuses a task code that is not in the plan with 422 naming it", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "a", body: "b", tasks: ["1.3", "7.7"] });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("tasks.1");
    });
    it("refuses an item for a district dissolved in 2025", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: "ubnd-ninh-kieu", kind: "news", title: "a", body: "b" });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ field: "agencyId" });
      expect(res.body.message).toContain("2025-06-30");
    });
    it("stores titles in NFC whatever the keyboard sent", async () => {
      const decomposed = "Dịch vụ công".normalize("NFD");
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: decomposed, body: "b" });
      expect(res.status).toBe(201);
      expect(res.body.title).toBe("Dịch vụ công".normalize("NFC"));
      // An admin's item is approved at creation (issue 12): the admin is accountable for it.
      expect(res.body.status).toBe("approved");
    });
    it("refuses a schedule in the past with 422 naming 'deliveries.0.at'", async () => {
      const res = await hub.api("POST", `/api/items/${itemId}/schedule`, {
        deliveries: [{ channelId, at: "2026-01-01T08:00:00+07:00" }],
      });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("deliveries.0.at");
    });
    it("refuses a time without an offset with 400 naming 'deliveries.0.at'", async () => {
      const res = await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, at: "2030-12-01T08:00:00" }] });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("deliveries.0.at");
    });
    it("refuses an unknown channel with 422 naming 'deliveries.1.channelId'", async () => {
      const at = "2030-12-01T08:00:00+07:00";
      const res = await hub.api("POST", `/api/items/${itemId}/schedule`, {
        deliveries: [
          { channelId, at },
          { channelId: "no-such-channel", at },
        ],
      });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("deliveries.1.channelId");
      const none = await hub.api("GET", `/api/deliveries?itemId=${itemId}`);
      expect(none.body.data).toEqual([]);
    });
    it("answers another agency's channel exactly as an unknown one, so its existence does not leak", async () => {
      const at = "2030-12-01T08:00:00+07:00";
      for (const token of [undefined, officer]) {
        const other = await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId: otherChannelId, at }] }, token);
        const unknown = await hub.api(
          "POST",
          `/api/items/${itemId}/schedule`,
          { deliveries: [{ channelId: "no-such-channel", at }] },
          token,
        );
        expect(other.status).toBe(422);
        expect(unknown.status).toBe(422);
        expect(other.body).toEqual({ ...unknown.body, message: unknown.body.message.replace("no-such-channel", otherChannelId) });
        expect(other.body.message).toBe(`unknown channel ${otherChannelId}`);
      }
    });
    it("refuses a webhook channel without a URL or secret, naming the field", async () => {
      const noUrl = await hub.api("POST", "/api/channels", {
        agencyId: AGENCY,
        kind: "webhook",
        name: "x",
        settings: {},
        secret: "12345678",
      });
      expect(noUrl.status).toBe(422);
      expect(noUrl.body.field).toBe("settings.url");
      const noSecret = await hub.api("POST", "/api/channels", {
        agencyId: AGENCY,
        kind: "webhook",
        name: "x",
        settings: { url: stub.url },
      });
      expect(noSecret.status).toBe(422);
      expect(noSecret.body.field).toBe("secret");
    });
    it("refuses a channel kind that has no adapter yet with 422 naming 'kind'", async () => {
      const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind: "press", name: "Báo in", settings: {} });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("kind");
    });
  });

  describe("channel secrets", () => {
    it("never returns a secret and stores it encrypted", async () => {
      const res = await hub.api("GET", `/api/channels/${channelId}`);
      expect(res.body).toMatchObject({ id: channelId, kind: "webhook", hasSecret: true, settings: { url: stub.url } });
      expect(JSON.stringify(res.body)).not.toContain(stub.secret);
      const row = await hub.running.runtime.database.db
        .selectFrom("channels")
        .select("secret")
        .where("id", "=", channelId)
        .executeTakeFirstOrThrow();
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(stub.secret);
    });
  });

  describe("roles", () => {
    it("lets an officer see only their agency's channels", async () => {
      const res = await hub.api("GET", "/api/channels", undefined, officer);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeGreaterThan(0);
      expect(res.body.data.every((c: { agencyId: string }) => c.agencyId === AGENCY)).toBe(true);
    });
    it("answers 404 to an officer asking for another agency's channel", async () => {
      expect((await hub.api("GET", `/api/channels/${otherChannelId}`, undefined, officer)).status).toBe(404);
    });
    it("forbids an officer to create an item for another agency", async () => {
      const res = await hub.api("POST", "/api/items", { agencyId: "so-y-te", kind: "news", title: "a", body: "b" }, officer);
      expect(res.status).toBe(403);
      expect(res.body.field).toBe("agencyId");
    });
    it("lets an officer create and schedule for their own agency (held until the agency's approver approves)", async () => {
      const item = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "a", body: "b", tasks: ["1.3"] }, officer);
      expect(item.status).toBe(201);
      const res = await hub.api(
        "POST",
        `/api/items/${item.body.id}/schedule`,
        { deliveries: [{ channelId, at: "2030-12-01T08:00:00+07:00" }] },
        officer,
      );
      expect(res.status).toBe(201);
      expect(res.body.data[0]).toMatchObject({ status: "held", scheduledAt: "2030-12-01T01:00:00.000Z" });
    });
    it("lets an auditor read everything and change nothing", async () => {
      expect((await hub.api("GET", `/api/channels/${otherChannelId}`, undefined, auditor)).status).toBe(200);
      expect((await hub.api("GET", "/api/deliveries", undefined, auditor)).status).toBe(200);
      const res = await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "a", body: "b" }, auditor);
      expect(res.status).toBe(403);
    });
    it("lets only an admin create users", async () => {
      const res = await hub.api("POST", "/api/users", { name: "x", role: "admin" }, officer);
      expect(res.status).toBe(403);
    });
    it("requires an agency for an officer", async () => {
      const res = await hub.api("POST", "/api/users", { name: "x", role: "officer" });
      expect(res.status).toBe(422);
      expect(res.body.field).toBe("agencyId");
    });
    it("keeps a broadcaster out of channels and items", async () => {
      const station = await hub.api("POST", "/api/channels", {
        agencyId: "dai-ptth-can-tho",
        kind: "loudspeaker",
        name: "Đài",
        settings: { slots: [{ days: ["mon"], time: "06:00" }] },
      });
      const b = await hub.api("POST", "/api/users", {
        name: "Phát thanh viên",
        role: "broadcaster",
        agencyId: "dai-ptth-can-tho",
        stationIds: [station.body.id],
      });
      expect(b.status).toBe(201);
      expect((await hub.api("GET", "/api/items", undefined, b.body.token)).status).toBe(403);
    });
    it("lists the plan's agencies to anyone signed in", async () => {
      const res = await hub.api("GET", "/api/agencies", undefined, officer);
      expect(res.body.data.map((a: { id: string }) => a.id)).toEqual(
        expect.arrayContaining(["so-khcn", "bao-can-tho", "dai-ptth-can-tho", "vp-ubnd"]),
      );
    });
  });

  describe("agencies after the 2025 reorganisation", () => {
    const ward = { id: "phuong-thu-nghiem", name: "Ủy ban nhân dân phường Thử Nghiệm", kind: "commune", validFrom: "2025-07-01" };

    it("lets an admin add a ward, which then owes task 2.2 every week", async () => {
      const res = await hub.api("POST", "/api/agencies", ward);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: ward.id, kind: "commune", validFrom: "2025-07-01", validTo: null });
      const matrix = await hub.api("GET", "/api/compliance?task=2.2&from=2026-W40&to=2026-W41");
      expect(matrix.status).toBe(200);
      const row = matrix.body.rows.find((r: { agency: { id: string } }) => r.agency.id === ward.id);
      expect(row.cells.map((c: { status: string }) => c.status)).toEqual(["missed", "missed"]);
      // The dissolved districts owe nothing in 2026.
      expect(matrix.body.rows.some((r: { agency: { id: string } }) => r.agency.id === "ubnd-ninh-kieu")).toBe(false);
    });
    it("refuses a second agency with the same id with 409", async () => {
      const res = await hub.api("POST", "/api/agencies", ward);
      expect(res.status).toBe(409);
      expect(res.body.field).toBe("id");
    });
    it("lets an admin end an agency, and names a bad end date", async () => {
      const bad = await hub.api("PATCH", `/api/agencies/${ward.id}`, { validTo: "2025-01-01" });
      expect(bad.status).toBe(422);
      expect(bad.body.field).toBe("validTo");
      const ended = await hub.api("PATCH", `/api/agencies/${ward.id}`, { validTo: "2030-12-31" });
      expect(ended.body.validTo).toBe("2030-12-31");
    });
    it("keeps officers from changing agencies and names malformed fields", async () => {
      expect((await hub.api("POST", "/api/agencies", { ...ward, id: "xa-moi" }, officer)).status).toBe(403);
      const res = await hub.api("POST", "/api/agencies", { ...ward, id: "Xã Mới" });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("id");
    });
  });

  describe("audit log", () => {
    it("records who created an item", async () => {
      const rows = await hub.running.runtime.database.db
        .selectFrom("audit_log")
        .selectAll()
        .where("entity", "=", "item")
        .where("entity_id", "=", itemId)
        .execute();
      expect(rows.map((r) => r.action)).toContain("item.create");
      expect(rows[0]?.actor_id).toBe("admin");
    });
  });
});
