// A communication event (plan tasks 3.1, 3.2): National Digital Transformation Day 10/10, with targets
// per kind of agency and channel, the items agencies add, the progress per agency, the XLSX report.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";

describe.each(DB_KINDS)("communication events on %s", (kind) => {
  let hub: TestHub;
  const now = new Date("2026-10-05T10:00:00+07:00");
  let communes: string[] = [];
  let departments: string[] = [];
  const tokens = { dost: "", a: "", b: "", dept: "" };
  let eventId = "";
  const ok = <T>(res: { status: number; body: T }, what: string): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const officer = async (agencyId: string) =>
    ok(await hub.api("POST", "/api/users", { name: `Cán bộ ${agencyId}`, role: "officer", agencyId }), "officer").token as string;
  const item = async (agencyId: string, token: string, title = "Ngày Chuyển đổi số quốc gia") =>
    ok(await hub.api("POST", "/api/items", { agencyId, kind: "news", title, body: "Hưởng ứng ngày 10/10." }, token), "item").id as string;
  const published = async (itemId: string, channelKind: string, publishedAt: string, token: string) =>
    ok(await hub.api("POST", "/api/publications", { itemId, channelKind, publishedAt }, token), "publication");

  beforeAll(async () => {
    hub = await startHub(kind, { roles: ["web"], clock: { now: () => now } });
    const agencies = ok(await hub.api("GET", "/api/agencies"), "agencies").data as { id: string; kind: string; validTo: string | null }[];
    communes = agencies.filter((a) => a.kind === "commune" && !a.validTo).map((a) => a.id);
    departments = agencies.filter((a) => a.kind === "department" && !a.validTo).map((a) => a.id);
    tokens.dost = await officer("so-khcn");
    tokens.a = await officer(communes[0] as string);
    tokens.b = await officer(communes[1] as string);
    tokens.dept = await officer(departments[0] as string);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it("lets DOST create the event with its targets, and refuses a commune", async () => {
    const body = {
      name: "Ngày Chuyển đổi số quốc gia 10/10",
      startsOn: "2026-10-01",
      endsOn: "2026-10-10",
      targets: [
        { label: "Mỗi xã, phường ít nhất một tin trên loa", agencyKinds: ["commune"], channelKinds: ["loudspeaker"], minCount: 1 },
        { label: "Mỗi sở hai bài trên cổng", agencyKinds: ["department"], channelKinds: ["webhook", "wordpress"], minCount: 2 },
      ],
    };
    expect((await hub.api("POST", "/api/events", body, tokens.a)).status).toBe(403);
    const bad = await hub.api(
      "POST",
      "/api/events",
      { ...body, targets: [{ label: "Không ai", channelKinds: ["loudspeaker"] }] },
      tokens.dost,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("targets.0.agencyKinds");
    const event = ok(await hub.api("POST", "/api/events", body, tokens.dost), "event");
    expect(event.targets[0]).toMatchObject({ minCount: 1, agencyIds: [] });
    eventId = event.id;
  });

  it("counts each agency's event items published in the window on the target's channels", async () => {
    const a = await item(communes[0] as string, tokens.a);
    ok(await hub.api("POST", `/api/events/${eventId}/items`, { itemId: a }, tokens.a), "add");
    expect((await hub.api("POST", `/api/events/${eventId}/items`, { itemId: a }, tokens.a)).status).toBe(409);
    await published(a, "loudspeaker", "2026-10-03T06:00:00+07:00", tokens.a);
    // Commune B: on Facebook (not the target's channel), before the window, and an item outside the event.
    const b = await item(communes[1] as string, tokens.b);
    ok(await hub.api("POST", `/api/events/${eventId}/items`, { itemId: b }, tokens.b), "add");
    await published(b, "facebook_page", "2026-10-02T09:00:00+07:00", tokens.b);
    await published(b, "loudspeaker", "2026-09-30T23:00:00+07:00", tokens.b);
    await published(await item(communes[1] as string, tokens.b, "Tin khác"), "loudspeaker", "2026-10-04T06:00:00+07:00", tokens.b);
    // A department: one of the two posts it owes.
    const d = await item(departments[0] as string, tokens.dept);
    ok(await hub.api("POST", `/api/events/${eventId}/items`, { itemId: d }, tokens.dept), "add");
    await published(d, "webhook", "2026-10-01T00:00:00+07:00", tokens.dept);
    // Another agency's item is not found.
    expect((await hub.api("POST", `/api/events/${eventId}/items`, { itemId: d }, tokens.a)).status).toBe(404);

    const report = ok(await hub.api("GET", `/api/events/${eventId}/progress`), "progress");
    const row = (id: string) => report.agencies.find((r: { agencyId: string }) => r.agencyId === id);
    expect(report.agencies).toHaveLength(communes.length + departments.length);
    expect(row(communes[0] as string)).toMatchObject({ met: true, targets: [{ count: 1, minCount: 1, met: true }, null] });
    expect(row(communes[1] as string)).toMatchObject({ met: false, targets: [{ count: 0, minCount: 1, met: false }, null] });
    expect(row(departments[0] as string)).toMatchObject({ met: false, targets: [null, { count: 1, minCount: 2, met: false }] });
    expect(report.summary).toMatchObject({ met: 1, items: 3, publications: 3 });
    expect(report.from).toBe("2026-09-30T17:00:00.000Z");
    expect(report.to).toBe("2026-10-10T17:00:00.000Z");

    // An officer sees their agency's row only.
    const mine = ok(await hub.api("GET", `/api/events/${eventId}/progress`, undefined, tokens.b), "progress");
    expect(mine.agencies.map((r: { agencyId: string }) => r.agencyId)).toEqual([communes[1]]);
    // DOST, which runs the event, follows every agency.
    const dost = ok(await hub.api("GET", `/api/events/${eventId}/progress`, undefined, tokens.dost), "progress");
    expect(dost.agencies).toHaveLength(communes.length + departments.length);
  });

  it("tells webhook subscribers the progress of a running event once per change (event.progress)", async () => {
    const hook = ok(
      await hub.api("POST", "/api/webhooks", { url: "https://dost.cantho.gov.vn/loa", events: ["event.progress"] }),
      "webhook",
    ).id as string;
    const services = hub.running.runtime.services;
    const sent = async () =>
      (await services.db.selectFrom("webhook_events").select(["payload"]).where("webhook_id", "=", hook).execute()).map(
        (r) => JSON.parse(r.payload) as { event: string; data: { eventId: string; summary: { met: number; publications: number } } },
      );
    expect(await services.eventProgress()).toBeGreaterThan(0);
    await services.eventProgress();
    const first = await sent();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ event: "event.progress", data: { eventId, summary: { met: 1, publications: 3 } } });
    // One more publication of an event item: the progress changed, so it is told again (once).
    const b2 = await item(communes[1] as string, tokens.b, "Thêm một tin");
    ok(await hub.api("POST", `/api/events/${eventId}/items`, { itemId: b2 }, tokens.b), "add");
    await published(b2, "loudspeaker", "2026-10-05T06:00:00+07:00", tokens.b);
    await services.eventProgress();
    await services.eventProgress();
    const after = await sent();
    expect(after).toHaveLength(2);
    expect(after.map((e) => e.data.summary.met).sort()).toEqual([1, 2]);
  });

  it("gives the report as XLSX, a row per agency", async () => {
    const res = await fetch(`${hub.url}/api/events/${eventId}/progress?format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.dost}` },
    });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.getRow(2).getCell(3).text).toBe("Mỗi xã, phường ít nhất một tin trên loa (≥ 1)");
    const rows: string[][] = [];
    ws?.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map(String)));
    const first = rows.find((r) => r[2] === "1/1");
    expect(first?.at(-1)).toBe("Đạt");
    expect(rows.filter((r) => r[0] && r[1] === "commune")).toHaveLength(communes.length);
  });
});
