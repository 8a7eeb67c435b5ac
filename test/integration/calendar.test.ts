// The calendar, weekly slots, "the next free slot", recurring deliveries and the private iCal feed,
// on a clock set in the last weeks of 2026 (2026-W53 exists) in Asia/Ho_Chi_Minh.
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoWeek, toLocalIso } from "../../content/time.js";
import { DB_KINDS } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const AGENCY = "so-khcn";
const OTHER = "so-tu-phap";
/** Sunday 23:30 and Monday 00:15 local: the week boundary falls between them (Monday 00:15 is Sunday 17:15 UTC). */
const SLOTS = [
  { days: ["sun"], time: "23:30" },
  { days: ["mon"], time: "00:15" },
];

describe.each(DB_KINDS)("calendar, slots, recurrence and iCal on %s", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let now = new Date("2026-12-21T08:00:00+07:00"); // Monday of 2026-W52
  const ids = {} as Record<"portal" | "weekly" | "noSlots" | "otherPortal" | "item" | "item2" | "otherItem" | "first" | "second", string>;
  let officer = "";
  let otherOfficer = "";
  const ok = <T>(res: { status: number; body: T }, what: string): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-lich-dang-bai-so-khcn").start();
    hub = await startHub(kind, { roles: ["web"], clock: { now: () => now }, allow: [stub.url], env: { RECONCILE_HORIZON: "8d" } });
    const channel = async (agencyId: string, name: string, slots?: unknown) =>
      ok(
        await hub.api("POST", "/api/channels", {
          agencyId,
          kind: "webhook",
          name,
          settings: { url: stub.url, ...(slots ? { slots } : {}) },
          secret: stub.secret,
        }),
        name,
      ).id as string;
    ids.portal = await channel(AGENCY, "Cổng TTĐT Sở", SLOTS);
    ids.weekly = await channel(AGENCY, "Chuyên mục hằng tuần", [{ days: ["sun"], time: "23:30" }]);
    ids.noSlots = await channel(AGENCY, "Kênh không có khung giờ");
    ids.otherPortal = await channel(OTHER, "Cổng TTĐT Sở Tư pháp", SLOTS);
    const item = async (agencyId: string, title: string) =>
      ok(await hub.api("POST", "/api/items", { agencyId, kind: "news", title, body: "Nộp hồ sơ trực tuyến.", tasks: ["1.3"] }), title)
        .id as string;
    ids.item = await item(AGENCY, "Dịch vụ công cuối năm");
    ids.item2 = await item(AGENCY, "Chuyên mục dịch vụ công");
    ids.otherItem = await item(OTHER, "Tin của sở khác");
    officer = ok(await hub.api("POST", "/api/users", { name: "Cán bộ Sở KH&CN", role: "officer", agencyId: AGENCY }), "officer").token;
    otherOfficer = ok(
      await hub.api("POST", "/api/users", { name: "Cán bộ Sở Tư pháp", role: "officer", agencyId: OTHER }),
      "officer",
    ).token;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const next = (itemId: string, channelId: string, token?: string) =>
    hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, slot: "next" }] }, token);

  it("schedules on the next free weekly slot, across the week boundary into 2026-W53", async () => {
    const first = ok(await next(ids.item, ids.portal, officer), "first").data[0];
    const second = ok(await next(ids.item, ids.portal, officer), "second").data[0];
    expect(toLocalIso(new Date(first.scheduledAt))).toBe("2026-12-27T23:30:00+07:00");
    expect(toLocalIso(new Date(second.scheduledAt))).toBe("2026-12-28T00:15:00+07:00");
    expect(second.scheduledAt).toBe("2026-12-27T17:15:00.000Z");
    expect([isoWeek(new Date(first.scheduledAt)), isoWeek(new Date(second.scheduledAt))]).toEqual(["2026-W52", "2026-W53"]);
    ids.first = first.id;
    ids.second = second.id;
    // Two "next" in one request take two slots.
    const both = ok(
      await hub.api("POST", `/api/items/${ids.item}/schedule`, {
        deliveries: [
          { channelId: ids.portal, slot: "next" },
          { channelId: ids.portal, slot: "next" },
        ],
      }),
      "both",
    ).data;
    expect(both.map((d: { scheduledAt: string }) => toLocalIso(new Date(d.scheduledAt)))).toEqual([
      "2027-01-03T23:30:00+07:00",
      "2027-01-04T00:15:00+07:00",
    ]);
    // A cancelled delivery frees its slot again.
    ok(await hub.api("DELETE", `/api/deliveries/${both[1].id}`), "cancel");
    const again = ok(await next(ids.item, ids.portal), "again").data[0];
    expect(again.scheduledAt).toBe(both[1].scheduledAt);
  });

  it("refuses 'next' on a channel without slots with 422 naming deliveries.0.slot", async () => {
    const res = await next(ids.item, ids.noSlots);
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("deliveries.0.slot");
  });

  it("answers the deliveries and the free slots of a range, an officer seeing only their agency", async () => {
    const q = "from=2026-12-21T00:00:00%2B07:00&to=2027-01-11T00:00:00%2B07:00";
    const cal = ok(await hub.api("GET", `/api/calendar?${q}`, undefined, officer), "calendar");
    const mine = cal.deliveries.filter((d: { channelId: string }) => d.channelId === ids.portal);
    expect(mine.map((d: { at: string }) => d.at)).toEqual([
      "2026-12-27T16:30:00.000Z",
      "2026-12-27T17:15:00.000Z",
      "2027-01-03T16:30:00.000Z",
      "2027-01-03T17:15:00.000Z",
      "2027-01-03T17:15:00.000Z",
    ]);
    expect(mine[0]).toMatchObject({
      itemId: ids.item,
      title: "Dịch vụ công cuối năm",
      channelKind: "webhook",
      channelName: "Cổng TTĐT Sở",
      status: "scheduled",
      agencyId: AGENCY,
    });
    expect(mine.map((d: { status: string }) => d.status)).toContain("cancelled");
    const free = cal.freeSlots.filter((s: { channelId: string }) => s.channelId === ids.portal).map((s: { at: string }) => s.at);
    // Taken: the two of W52/W53 and the two of 2027-01-03/04; free: the week after.
    expect(free).toEqual(["2027-01-10T16:30:00.000Z"]);
    expect(cal.deliveries.every((d: { agencyId: string }) => d.agencyId === AGENCY)).toBe(true);
    expect(cal.freeSlots.every((s: { agencyId: string }) => s.agencyId === AGENCY)).toBe(true);
    expect((await hub.api("GET", `/api/calendar?${q}&agencyId=${AGENCY}`, undefined, otherOfficer)).status).toBe(404);
    const filtered = ok(await hub.api("GET", `/api/calendar?${q}&channelId=${ids.portal}&status=cancelled`), "filtered");
    expect(filtered.deliveries).toHaveLength(1);
  });

  it("refuses a range that is backwards or longer than 93 days, naming 'to'", async () => {
    for (const q of ["from=2027-01-01T00:00:00Z&to=2026-12-01T00:00:00Z", "from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z"]) {
      const res = await hub.api("GET", `/api/calendar?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("to");
    }
  });

  it("creates weekly occurrences ahead within the horizon, each once, through 2026-W53 to a count", async () => {
    const services = hub.running.runtime.services;
    const rec = ok(
      await hub.api(
        "POST",
        `/api/items/${ids.item2}/recurrences`,
        { channelId: ids.weekly, at: "2026-12-27T23:30:00+07:00", every: "week", count: 3 },
        officer,
      ),
      "recurrence",
    );
    // Horizon 8 days from Monday 21 December: the first occurrence (27 December) exists at once.
    expect(rec).toMatchObject({ every: "week", count: 3, created: 1, nextAt: "2027-01-03T16:30:00.000Z" });
    // Two clocks reconciling at once create each occurrence once.
    now = new Date("2026-12-28T08:00:00+07:00");
    await Promise.all([services.reconcile(), services.reconcile(), services.reconcile()]);
    now = new Date("2027-01-05T08:00:00+07:00");
    await Promise.all([services.reconcile(), services.reconcile()]);
    await services.reconcile();
    const list = ok(await hub.api("GET", `/api/deliveries?itemId=${ids.item2}&limit=50`), "deliveries").data;
    const times = list.map((d: { scheduledAt: string }) => d.scheduledAt).sort();
    expect(times).toEqual(["2026-12-27T16:30:00.000Z", "2027-01-03T16:30:00.000Z", "2027-01-10T16:30:00.000Z"]);
    expect(times.map((t: string) => isoWeek(new Date(t)))).toEqual(["2026-W52", "2026-W53", "2027-W01"]);
    const done = ok(await hub.api("GET", `/api/recurrences/${rec.id}`), "recurrence");
    expect(done).toMatchObject({ created: 3, nextAt: null });
    now = new Date("2026-12-21T08:00:00+07:00");
  });

  it("stops a monthly recurrence: its scheduled occurrences are cancelled and nothing more comes", async () => {
    const rec = ok(
      await hub.api("POST", `/api/items/${ids.item2}/recurrences`, {
        channelId: ids.noSlots,
        at: "2026-12-22T09:00:00+07:00",
        every: "month",
        until: "2027-06-30",
      }),
      "recurrence",
    );
    expect(rec.created).toBe(1);
    const stopped = ok(await hub.api("DELETE", `/api/recurrences/${rec.id}`), "stop");
    expect(stopped.stoppedAt).not.toBeNull();
    expect((await hub.api("DELETE", `/api/recurrences/${rec.id}`)).status).toBe(409);
    const list = ok(await hub.api("GET", `/api/deliveries?itemId=${ids.item2}&channelId=${ids.noSlots}`), "deliveries").data;
    expect(list.map((d: { status: string }) => d.status)).toEqual(["cancelled"]);
    now = new Date("2027-02-01T08:00:00+07:00");
    await hub.running.runtime.services.reconcile();
    now = new Date("2026-12-21T08:00:00+07:00");
    expect(ok(await hub.api("GET", `/api/deliveries?itemId=${ids.item2}&channelId=${ids.noSlots}`), "deliveries").data).toHaveLength(1);
  });

  it("creates no occurrence for an archived item, and refuses a new recurrence on it with 409", async () => {
    const itemId = ok(
      await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "news", title: "Tin lưu trữ", body: "Đã cũ.", tasks: ["1.3"] }),
      "item",
    ).id as string;
    const rec = ok(
      await hub.api("POST", `/api/items/${itemId}/recurrences`, {
        channelId: ids.noSlots,
        at: "2026-12-23T09:00:00+07:00",
        every: "week",
        count: 4,
      }),
      "recurrence",
    );
    expect(rec.created).toBe(1);
    ok(await hub.api("POST", `/api/items/${itemId}/archive`), "archive");
    now = new Date("2027-01-05T08:00:00+07:00");
    await hub.running.runtime.services.reconcile();
    now = new Date("2026-12-21T08:00:00+07:00");
    const list = ok(await hub.api("GET", `/api/deliveries?itemId=${itemId}`), "deliveries").data;
    expect(list.map((d: { status: string }) => d.status)).toEqual(["cancelled"]);
    expect(ok(await hub.api("GET", `/api/recurrences/${rec.id}`), "recurrence").created).toBe(1);
    const again = await hub.api("POST", `/api/items/${itemId}/recurrences`, { channelId: ids.noSlots, every: "week", count: 2 });
    expect(again.status).toBe(409);
    expect(again.body.field).toBe("status");
  });

  it("refuses a recurrence with both or neither end, naming 'until'", async () => {
    for (const end of [{}, { until: "2027-01-31", count: 3 }]) {
      const res = await hub.api("POST", `/api/items/${ids.item2}/recurrences`, { channelId: ids.weekly, every: "week", ...end });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("until");
    }
    // Another agency's channel is an unknown one.
    const res = await hub.api("POST", `/api/items/${ids.item2}/recurrences`, { channelId: ids.otherPortal, every: "week", count: 2 });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("channelId");
  });

  it("serves a valid iCal feed at a private URL until it is revoked", async () => {
    // An officer's own item is a draft: its delivery is held until approval.
    const draft = ok(
      await hub.api(
        "POST",
        "/api/items",
        { agencyId: AGENCY, kind: "news", title: "Tin chờ duyệt", body: "Nội dung.", tasks: ["1.3"] },
        officer,
      ),
      "draft",
    ).id as string;
    const held = ok(
      await hub.api(
        "POST",
        `/api/items/${draft}/schedule`,
        { deliveries: [{ channelId: ids.noSlots, at: "2026-12-24T09:00:00+07:00" }] },
        officer,
      ),
      "held",
    ).data[0];
    expect(held.status).toBe("held");
    const feed = ok(await hub.api("POST", "/api/calendar/feeds", { agencyId: AGENCY, name: "Lịch của tổ biên tập" }, officer), "feed");
    expect(feed.url).toMatch(/\/ical\/loacal_[A-Za-z0-9_-]{43}\.ics$/);
    const path = new URL(feed.url).pathname;
    const res = await fetch(`${hub.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/calendar/);
    const text = await res.text();
    const cal = new ICAL.Component(ICAL.parse(text));
    expect(cal.name).toBe("vcalendar");
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    const events = cal.getAllSubcomponents("vevent").map((e) => new ICAL.Event(e));
    const first = events.find((e) => e.uid === `${ids.first}@loa`);
    expect(first?.summary).toBe("[Cổng TTĐT Sở] Dịch vụ công cuối năm");
    expect(first?.startDate.toJSDate().toISOString()).toBe("2026-12-27T16:30:00.000Z");
    // Every status reads in Vietnamese, a held one (awaiting approval) too.
    expect(events.map((e) => /Trạng thái: (.*)$/.exec(e.description)?.[1]).filter((s) => !s || /^[a-z]+$/.test(s))).toEqual([]);
    expect(events.find((e) => e.uid === `${held.id}@loa`)?.description).toContain("Trạng thái: chờ duyệt");
    // Only this agency's deliveries.
    const otherDelivery = ok(
      await hub.api("POST", `/api/items/${ids.otherItem}/schedule`, { deliveries: [{ channelId: ids.otherPortal, slot: "next" }] }),
      "other",
    ).data[0];
    const again = await (await fetch(`${hub.url}${path}`)).text();
    expect(again).not.toContain(otherDelivery.id);
    // The list never shows the token; revoking it answers 404 at once.
    const list = ok(await hub.api("GET", "/api/calendar/feeds", undefined, officer), "feeds").data;
    expect(JSON.stringify(list)).not.toContain(feed.token);
    expect((await hub.api("DELETE", `/api/calendar/feeds/${feed.id}`, undefined, otherOfficer)).status).toBe(404);
    ok(await hub.api("DELETE", `/api/calendar/feeds/${feed.id}`, undefined, officer), "revoke");
    expect((await fetch(`${hub.url}${path}`)).status).toBe(404);
    expect((await fetch(`${hub.url}/ical/loacal_${"x".repeat(43)}.ics`)).status).toBe(404);
  });
});
