// Outgoing webhooks (issue 12): subscriptions, signed deliveries, the replay window, retries with backoff, pausing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook, webhookSignature } from "../../content/notify/webhooks.js";
import { DB_KINDS } from "../helpers/db.js";
import { createItem, webhookChannel } from "../helpers/fixtures.js";
import { type Api, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";
import { WebhookReceiverStub } from "../stubs/webhook-receiver.stub.js";

const OWN = "so-noi-vu";
const OTHER = "so-tai-chinh";

describe.each(DB_KINDS)("outgoing webhooks (%s)", (kind) => {
  let hub: TestHub;
  let receiver: WebhookReceiverStub;
  let cms: WebhookStub;
  let api: Api;
  let channelId: string;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    receiver = await new WebhookReceiverStub().start();
    cms = await new WebhookStub("khoa-cms-so-noi-vu-12").start();
    hub = await startHub(kind, {
      roles: ["web"],
      allow: [receiver.url, cms.url],
      env: { WEBHOOK_MAX_ATTEMPTS: "3", WEBHOOK_BACKOFF: "300ms", WEBHOOK_TIMEOUT: "2s" },
    });
    api = hub.api;
    channelId = await webhookChannel(api, cms, OWN);
    for (const [key, role, agencyId] of [
      ["officer", "officer", OWN],
      ["approver", "approver", OWN],
      ["otherOfficer", "officer", OTHER],
      ["auditor", "auditor", undefined],
    ] as const) {
      t[key] = (await api("POST", "/api/users", { name: `Người ${key}`, role, ...(agencyId ? { agencyId } : {}) })).body.token;
    }
  });
  afterAll(async () => {
    await hub?.stop();
    await receiver?.stop();
    await cms?.stop();
  });

  const dispatch = () => hub.running.runtime.services.webhooks.dispatch();
  const subscribe = async (events: string[], o: { token?: string; agencyId?: string | null; url?: string } = {}) => {
    const agencyId = o.agencyId === undefined ? OWN : o.agencyId;
    const body = { url: o.url ?? receiver.url, events, ...(agencyId ? { agencyId } : {}) };
    const res = await api("POST", "/api/webhooks", body, o.token ?? t.officer);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const log = async (id: string) => (await api("GET", `/api/webhooks/${id}/deliveries`, undefined, t.officer)).body.data;

  it("signs each event over its timestamp and body, sends it once, and logs the attempt", async () => {
    const hook = await subscribe(["item.submitted", "item.approved", "delivery.published"]);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    receiver.secret = hook.secret;
    // The secret is shown once and stored sealed.
    expect((await api("GET", `/api/webhooks/${hook.id}`, undefined, t.officer)).body.secret).toBeUndefined();
    const row = await hub.running.runtime.services.db
      .selectFrom("webhooks")
      .select("secret")
      .where("id", "=", hook.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(hook.secret);

    const item = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    await api("POST", `/api/items/${item.id}/submit`, {}, t.officer);
    await api("POST", `/api/items/${item.id}/approve`, {}, t.approver);
    const d = (await api("POST", `/api/items/${item.id}/schedule`, { deliveries: [{ channelId }] }, t.officer)).body.data[0];
    expect(await hub.running.runtime.services.publisher.run(d.id)).toMatchObject({ status: "published" });
    expect(await dispatch()).toMatchObject({ tried: 3, delivered: 3 });
    expect(await dispatch()).toMatchObject({ tried: 0 });

    expect(receiver.events.map((e) => e.event)).toEqual(["item.submitted", "item.approved", "delivery.published"]);
    const published = receiver.events[2];
    expect(published?.body).toMatchObject({ event: "delivery.published", agencyId: OWN, data: { deliveryId: d.id, itemId: item.id } });
    expect(Math.abs(Date.now() / 1000 - (published?.timestamp ?? 0))).toBeLessThan(30);
    expect(
      verifyWebhook(
        hook.secret,
        { timestamp: String(published?.timestamp), signature: published?.signature },
        published?.raw ?? "",
        new Date(),
      ),
    ).toBe(true);

    const entries = await log(hook.id);
    expect(entries).toHaveLength(3);
    expect(
      entries.every((e: { status: string; log: { statusCode: number }[] }) => e.status === "delivered" && e.log[0]?.statusCode === 200),
    ).toBe(true);
    expect((await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer)).status).toBe(204);
  });

  it("refuses a tampered body, another secret, or a timestamp outside the 5-minute replay window", () => {
    const now = new Date("2026-12-01T08:00:00Z");
    const ts = Math.floor(now.getTime() / 1000);
    const body = '{"event":"delivery.failed"}';
    const sig = webhookSignature("whsec_bi-mat", ts, body);
    expect(verifyWebhook("whsec_bi-mat", { timestamp: String(ts), signature: sig }, body, now)).toBe(true);
    expect(verifyWebhook("whsec_bi-mat", { timestamp: String(ts), signature: sig }, `${body} `, now)).toBe(false);
    expect(verifyWebhook("whsec_khac", { timestamp: String(ts), signature: sig }, body, now)).toBe(false);
    // The same request replayed six minutes later, or with its timestamp changed.
    expect(verifyWebhook("whsec_bi-mat", { timestamp: String(ts), signature: sig }, body, new Date(now.getTime() + 360_000))).toBe(false);
    expect(verifyWebhook("whsec_bi-mat", { timestamp: String(ts + 60), signature: sig }, body, now)).toBe(false);
  });

  it("is refused by a receiver when replayed after the window", async () => {
    const last = receiver.events.at(-1);
    expect(last).toBeDefined();
    const replay = async () =>
      fetch(receiver.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-loa-delivery": `rejoue-${last?.deliveryId}`,
          "x-loa-timestamp": String(last?.timestamp),
          "x-loa-signature": last?.signature ?? "",
        },
        body: last?.raw,
      });
    receiver.now = () => Date.now() + 360_000;
    expect((await replay()).status).toBe(401);
    receiver.now = () => Date.now();
  });

  it("retries a failing receiver with backoff and gives up after WEBHOOK_MAX_ATTEMPTS, logging each attempt", async () => {
    const hook = await subscribe(["item.submitted"]);
    receiver.secret = hook.secret;
    receiver.script(500, 503);
    const item = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    await api("POST", `/api/items/${item.id}/submit`, {}, t.officer);
    expect(await dispatch()).toMatchObject({ tried: 1, delivered: 0 });
    expect(await dispatch()).toMatchObject({ tried: 0 }); // not before the backoff
    await sleep(350);
    expect(await dispatch()).toMatchObject({ tried: 1, delivered: 0 });
    await sleep(350);
    expect(await dispatch()).toMatchObject({ tried: 0 }); // the second delay is twice the first
    await sleep(350);
    expect(await dispatch()).toMatchObject({ tried: 1, delivered: 1 });
    const [entry] = await log(hook.id);
    expect(entry).toMatchObject({ event: "item.submitted", status: "delivered", attempts: 3 });
    expect(entry.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 503, 200]);
    expect(entry.log[0].error).toBe("the receiver answered 500");

    receiver.script(500, 500, 500);
    const next = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    await api("POST", `/api/items/${next.id}/submit`, {}, t.officer);
    for (let i = 0; i < 3; i++) {
      await dispatch();
      await sleep(650);
    }
    const [given] = await log(hook.id);
    expect(given).toMatchObject({ status: "failed", attempts: 3, nextAttemptAt: null });
    await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer);
  });

  it("holds a paused subscriber's events and sends them when it is resumed", async () => {
    const hook = await subscribe(["item.submitted"]);
    receiver.secret = hook.secret;
    expect((await api("PATCH", `/api/webhooks/${hook.id}`, { paused: true }, t.officer)).body.paused).toBe(true);
    const item = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    await api("POST", `/api/items/${item.id}/submit`, {}, t.officer);
    expect(await dispatch()).toMatchObject({ tried: 0 });
    expect((await log(hook.id))[0]).toMatchObject({ status: "pending", attempts: 0 });
    expect((await api("PATCH", `/api/webhooks/${hook.id}`, { paused: false }, t.officer)).body.paused).toBe(false);
    expect(await dispatch()).toMatchObject({ tried: 1, delivered: 1 });
    await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer);
  });

  it("keeps each agency's events to its subscribers; an admin's webhook without agency hears every agency", async () => {
    const mine = await subscribe(["item.submitted"]);
    const admins = await subscribe(["item.submitted"], { token: hub.env.LOA_ADMIN_TOKEN, agencyId: null });
    expect(admins.agencyId).toBeNull();
    const theirs = await createItem(api, { agencyId: OTHER, tasks: [] }, t.otherOfficer);
    await api("POST", `/api/items/${theirs.id}/submit`, {}, t.otherOfficer);
    const events = async (id: string) => (await api("GET", `/api/webhooks/${id}/deliveries`)).body.data;
    expect(await events(mine.id)).toEqual([]);
    expect((await events(admins.id)).map((e: { event: string }) => e.event)).toEqual(["item.submitted"]);
    // Another agency's webhook does not exist for an officer; an officer's needs an agency; auditors and approvers manage none.
    expect((await api("GET", `/api/webhooks/${mine.id}`, undefined, t.otherOfficer)).status).toBe(404);
    expect((await api("GET", "/api/webhooks", undefined, t.otherOfficer)).body.data.map((h: { id: string }) => h.id)).not.toContain(
      mine.id,
    );
    expect((await api("POST", "/api/webhooks", { url: receiver.url, events: ["item.approved"] }, t.officer)).body.field).toBe("agencyId");
    expect((await api("POST", "/api/webhooks", { url: receiver.url, events: ["item.approved"], agencyId: OWN }, t.auditor)).status).toBe(
      403,
    );
    expect((await api("GET", "/api/webhooks", undefined, t.approver)).status).toBe(403);
    expect((await api("POST", "/api/webhooks", { url: receiver.url, events: ["item.renamed"], agencyId: OWN }, t.officer)).body.field).toBe(
      "events.0",
    );
    expect(
      (await api("POST", "/api/webhooks", { url: "ftp://x.vn/a", events: ["item.approved"], agencyId: OWN }, t.officer)).body.field,
    ).toBe("url");
    for (const h of [mine, admins]) await api("DELETE", `/api/webhooks/${h.id}`);
  });

  it("holds webhook URLs to the outbound policy: a private address not allowed is refused and logged", async () => {
    const hook = await subscribe(["item.submitted"], { url: "http://10.20.30.40:8080/noi-bo" });
    const item = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    await api("POST", `/api/items/${item.id}/submit`, {}, t.officer);
    expect(await dispatch()).toMatchObject({ tried: 1, delivered: 0 });
    const [entry] = await log(hook.id);
    expect(entry.log[0].statusCode).toBeNull();
    expect(entry.log[0].error).toMatch(/outbound|not allowed|loopback|refus/i);
    await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer);
  });

  it("stores an event once per subscriber even when it is reported twice", async () => {
    const hook = await subscribe(["week.closed"]);
    const sink = hub.running.runtime.services.webhooks.sink;
    const e = { event: "week.closed" as const, key: "week.closed:1.3:2026-W48", agencyId: null, data: { task: "1.3" }, at: new Date() };
    await sink.emit(e);
    await sink.emit(e);
    expect(await log(hook.id)).toHaveLength(1);
    await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer);
  });

  it("sends week.closed when the clock freezes finished weeks, once per task and range", async () => {
    const hook = await subscribe(["week.closed"]);
    const closed = await hub.running.runtime.services.closeFinished();
    expect(closed.closed).toBeGreaterThan(0);
    const events = await log(hook.id);
    const weekly = closed.ranges.filter((r) => r.from.includes("-W"));
    expect(events.map((e: { event: string }) => e.event)).toEqual(weekly.map(() => "week.closed"));
    expect(events.map((e: { key: string }) => e.key).sort()).toEqual(weekly.map((r) => `week.closed:${r.task}:${r.to}`).sort());
    // Closing again closes nothing new and reports nothing.
    await hub.running.runtime.services.closeFinished();
    expect(await log(hook.id)).toHaveLength(events.length);
    await api("DELETE", `/api/webhooks/${hook.id}`, undefined, t.officer);
  });
});
