import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvidenceService } from "../../content/compliance/evidence.js";
import { createComplianceService } from "../../content/compliance/matrix.js";
import { SYSTEM } from "../../content/model.js";
import { evidence, fixedClock, item, rowOf, user } from "../helpers/compliance.js";
import { DB_KINDS } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";

describe.each(DB_KINDS)("weekly compliance matrix and evidence (%s)", (kind) => {
  let hub: TestHub;
  let yTe: string; // officer of Sở Y tế
  let tuPhap: string; // officer of Sở Tư pháp
  let auditor: string;

  beforeAll(async () => {
    hub = await startHub(kind, { roles: ["web"] });
    yTe = await user(hub.api, "officer", "so-y-te");
    tuPhap = await user(hub.api, "officer", "so-tu-phap");
    auditor = await user(hub.api, "auditor");
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const matrix = async (query: string, token?: string) => {
    const res = await hub.api("GET", `/api/compliance?${query}`, undefined, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it("counts distinct items: one item on three channel kinds is one, two items are two", async () => {
    const a = await item(hub.api, "so-y-te", "news", ["1.3"], "Đăng ký khám bệnh trực tuyến");
    const b = await item(hub.api, "so-y-te", "infographic", ["1.3"], "Infographic: cấp giấy phép hành nghề");
    await evidence(hub.api, a, "webhook", "2026-09-29T08:00:00+07:00");
    await evidence(hub.api, a, "facebook_page", "2026-09-30T08:00:00+07:00");
    await evidence(hub.api, a, "press", "2026-10-01T08:00:00+07:00");
    await evidence(hub.api, a, "webhook", "2026-10-06T08:00:00+07:00");
    await evidence(hub.api, b, "zalo_oa", "2026-10-07T08:00:00+07:00");

    const m = await matrix("task=1.3&from=2026-W40&to=2026-W42");
    expect(m.periods).toEqual(["2026-W40", "2026-W41", "2026-W42"]);
    const cells = rowOf(m, "so-y-te");
    expect(cells?.["2026-W40"]).toMatchObject({ count: 1, selfReported: 1, status: "met" });
    expect(cells?.["2026-W41"]).toMatchObject({ count: 2, status: "met" });
    expect(cells?.["2026-W42"]).toMatchObject({ count: 0, status: "missed" });
    expect(m.rows.find((r: any) => r.agency.id === "so-y-te").summary).toMatchObject({ met: 2, missed: 1, rate: 0.6667 });
    // 1.3 is for departments, DOST and the city office; press agencies answer for 1.4
    expect(m.rows.map((r: any) => r.agency.kind)).not.toContain("press");
    expect(m.rows.map((r: any) => r.agency.id)).toContain("so-khcn");
    expect(m.summary.met + m.summary.missed).toBe(m.rows.length * 3);
  });

  it("counts only items carrying the task code, of a qualifying kind, on a qualifying channel kind", async () => {
    const programme = await item(hub.api, "so-cong-thuong", "programme", ["1.3"]);
    const otherTask = await item(hub.api, "so-cong-thuong", "news", ["5.1"]);
    const news = await item(hub.api, "so-cong-thuong", "news", ["1.3"]);
    await evidence(hub.api, programme, "webhook", "2026-09-29T09:00:00+07:00");
    await evidence(hub.api, otherTask, "webhook", "2026-09-29T09:00:00+07:00");
    await evidence(hub.api, news, "loudspeaker", "2026-09-29T09:00:00+07:00");
    expect(rowOf(await matrix("task=1.3&from=2026-W40&to=2026-W40"), "so-cong-thuong")?.["2026-W40"]).toMatchObject({
      count: 0,
      status: "missed",
    });
    await evidence(hub.api, news, "wordpress", "2026-09-29T09:00:00+07:00");
    expect(rowOf(await matrix("task=1.3&from=2026-W40&to=2026-W40"), "so-cong-thuong")?.["2026-W40"]).toMatchObject({
      count: 1,
      status: "met",
    });
  });

  it("puts publications in Asia/Ho_Chi_Minh weeks across 2025 → 2026, not UTC weeks", async () => {
    const a = await item(hub.api, "so-xay-dung", "news", ["1.3"]);
    const b = await item(hub.api, "so-xay-dung", "photo", ["1.3"]);
    await evidence(hub.api, a, "webhook", "2025-12-28T23:30:00+07:00"); // Sunday: 2025-W52
    await evidence(hub.api, b, "webhook", "2025-12-28T17:30:00Z"); // Sunday in UTC, Monday 00:30 here: 2026-W01
    const cells = rowOf(await matrix("task=1.3&from=2025-W52&to=2026-W01"), "so-xay-dung");
    expect(cells?.["2025-W52"]).toMatchObject({ count: 1, status: "met" });
    expect(cells?.["2026-W01"]).toMatchObject({ count: 1, status: "met" });
  });

  it("puts 2026-12-28 00:30 +07:00 and 2027-01-01 in 2026-W53 (use cases called with the clock at 2027-01-05)", async () => {
    const db = hub.running.runtime.services.db;
    const clock = fixedClock("2027-01-05T10:00:00+07:00");
    const ev = createEvidenceService(db, clock, `${hub.env.DATA_DIR}/evidence`);
    const a = await item(hub.api, "so-nn-mt", "news", ["1.3"]);
    const b = await item(hub.api, "so-nn-mt", "video", ["1.3"]);
    await ev.record(SYSTEM, { itemId: a, channelKind: "youtube", publishedAt: new Date("2026-12-28T00:30:00+07:00") });
    await ev.record(SYSTEM, { itemId: b, channelKind: "youtube", publishedAt: new Date("2027-01-01T09:00:00+07:00") });
    await ev.record(SYSTEM, { itemId: b, channelKind: "feed", publishedAt: new Date("2027-01-04T09:00:00+07:00") });
    const m = await createComplianceService(db, clock).matrix(SYSTEM, {
      task: "1.3",
      from: "2026-W52",
      to: "2027-W02",
      agencyId: "so-nn-mt",
    });
    expect(m.periods).toEqual(["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
    expect(m.rows[0]?.cells.map((c) => [c.count, c.status])).toEqual([
      [0, "missed"],
      [2, "met"],
      [1, "met"],
      [0, "upcoming"],
    ]);
  });

  it("refuses evidence dated in the future, or before the agency existed, with 422 naming publishedAt", async () => {
    const a = await item(hub.api, "so-y-te", "news", ["1.3"]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const res = await hub.api("POST", "/api/publications", { itemId: a, channelKind: "webhook", publishedAt: tomorrow });
    expect(res.status).toBe(422);
    expect(res.body.field).toBe("publishedAt");
    const before = await hub.api("POST", "/api/publications", {
      itemId: a,
      channelKind: "webhook",
      publishedAt: "2024-06-01T08:00:00+07:00",
    });
    expect(before.status).toBe(422);
    expect(before.body.field).toBe("publishedAt");
  });

  it("answers 400 naming the field for malformed input", async () => {
    const a = await item(hub.api, "so-y-te", "news", ["1.3"]);
    const cases: [string, string, unknown, string][] = [
      ["POST", "/api/publications", { itemId: a, channelKind: "webhook", publishedAt: "2026-10-01T08:00:00" }, "publishedAt"],
      ["POST", "/api/publications", { itemId: a, channelKind: "carrier_pigeon", publishedAt: "2026-10-01T08:00:00Z" }, "channelKind"],
      ["GET", "/api/compliance?from=2026-W40", undefined, "task"],
      ["GET", "/api/compliance?task=1.3&from=2026-W54&to=2026-W55", undefined, "from"],
      ["GET", "/api/compliance?task=1.3&from=2026-10&to=2026-11", undefined, "from"],
      ["GET", "/api/compliance?task=1.3&from=2026-W40&to=2026-W30", undefined, "to"],
      ["GET", "/api/compliance?task=1.3&from=2020-W01&to=2026-W40", undefined, "to"],
      ["GET", "/api/compliance?task=1.3&format=pdf", undefined, "format"],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await hub.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.field, `${method} ${path}`).toBe(field);
    }
    const unknown = await hub.api("GET", "/api/compliance?task=9.9");
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe("task");
  });

  it("stops counting a commune dissolved mid-year at its end date", async () => {
    const db = hub.running.runtime.services.db;
    await db
      .insertInto("agencies")
      .values({
        id: "xa-thu-nghiem",
        code: "xa-thu-nghiem",
        name: "UBND xã Thử Nghiệm",
        kind: "commune",
        parent_id: null,
        valid_from: "2025-07-01",
        valid_to: null,
      })
      .execute();
    const news = await item(hub.api, "xa-thu-nghiem", "news", ["2.2"]);
    await evidence(hub.api, news, "loudspeaker", "2026-05-12T06:30:00+07:00"); // 2026-W20
    await evidence(hub.api, news, "bulletin_board", "2026-06-16T06:30:00+07:00"); // 2026-W25, after the end date
    // The reorganisation decision: the commune merges into another one on 15 June 2026 (a Monday).
    await db.updateTable("agencies").set({ valid_to: "2026-06-15" }).where("id", "=", "xa-thu-nghiem").execute();

    const m = await matrix("task=2.2&from=2026-W20&to=2026-W30");
    const cells = rowOf(m, "xa-thu-nghiem");
    expect(cells?.["2026-W20"]).toMatchObject({ count: 1, status: "met" });
    expect(cells?.["2026-W24"]).toMatchObject({ count: 0, status: "missed" });
    expect(cells?.["2026-W25"]).toMatchObject({ status: "exempt", reason: "cơ quan giải thể ngày 2026-06-15" });
    expect(cells?.["2026-W30"]?.status).toBe("exempt");
    // the districts dissolved in 2025 have no row in 2026; the 103 communes and wards of July 2025 do
    const rows = m.rows.map((r: any) => r.agency.id);
    expect(rows).toContain("xa-thu-nghiem");
    expect(rows).toHaveLength(104);
    expect(rows.filter((id: string) => id.startsWith("ubnd-"))).toEqual([]);
    const late = await hub.api("POST", "/api/publications", {
      itemId: news,
      channelKind: "loudspeaker",
      publishedAt: "2026-07-01T06:30:00+07:00",
    });
    expect(late.status).toBe(422);
    expect(late.body.field).toBe("publishedAt");
    // in 2025 the districts are due until the week they were dissolved
    const old = await matrix("task=2.2&from=2025-W26&to=2025-W27&agencyId=ubnd-ninh-kieu");
    expect(rowOf(old, "ubnd-ninh-kieu")?.["2025-W26"]?.status).toBe("missed");
    expect(rowOf(old, "ubnd-ninh-kieu")?.["2025-W27"]).toMatchObject({ status: "exempt", reason: "cơ quan giải thể ngày 2025-06-30" });
  });

  it("shows a week DOST declared exempt as exempt, with its reason; only an admin declares one", async () => {
    const body = { period: "2026-W07", reason: "Nghỉ Tết Nguyên đán Bính Ngọ", task: "1.3" };
    expect((await hub.api("POST", "/api/compliance/exemptions", body, yTe)).status).toBe(403);
    expect((await hub.api("POST", "/api/compliance/exemptions", body, auditor)).status).toBe(403);
    const wrongKind = await hub.api("POST", "/api/compliance/exemptions", { ...body, period: "2026-02" });
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.field).toBe("period");
    const res = await hub.api("POST", "/api/compliance/exemptions", body);
    expect(res.status).toBe(201);
    const cells = rowOf(await matrix("task=1.3&from=2026-W06&to=2026-W08"), "so-noi-vu");
    expect(cells?.["2026-W06"]?.status).toBe("missed");
    expect(cells?.["2026-W07"]).toMatchObject({ status: "exempt", reason: "Nghỉ Tết Nguyên đán Bính Ngọ" });
    // the exemption is for task 1.3 only
    const other = await matrix("task=2.2&from=2026-W07&to=2026-W07&agencyId=xa-thu-nghiem");
    expect(rowOf(other, "xa-thu-nghiem")?.["2026-W07"]?.status).toBe("missed");
  });

  it("gives the same table as CSV and as XLSX", async () => {
    const csv = await fetch(`${hub.url}/api/compliance?task=1.3&from=2026-W40&to=2026-W42&format=csv`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("agencyId,agency,2026-W40,2026-W41,2026-W42,met,missed,atRisk,rate");
    expect(lines).toContain("so-y-te,Sở Y tế,met 1 (1 self-reported),met 2 (2 self-reported),missed 0,2,1,0,66.7%");

    const xlsx = await fetch(`${hub.url}/api/compliance?task=1.3&from=2026-W40&to=2026-W42&format=xlsx`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as any);
    const ws = wb.worksheets[0];
    const rows: string[][] = [];
    ws?.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map(String)));
    expect(rows[0]).toEqual(lines[0]?.split(","));
    expect(rows.find((r) => r[0] === "so-y-te")).toEqual([
      "so-y-te",
      "Sở Y tế",
      "met 1 (1 self-reported)",
      "met 2 (2 self-reported)",
      "missed 0",
      "2",
      "1",
      "0",
      "66.7%",
    ]);
  });

  it("lets an officer see only their agency's drill-down and row; an auditor sees all", async () => {
    const own = await hub.api("GET", "/api/compliance/agencies/so-y-te?task=1.3&from=2026-W40&to=2026-W41", undefined, yTe);
    expect(own.status).toBe(200);
    const w40 = own.body.periods[0];
    expect(w40.cell).toMatchObject({ period: "2026-W40", count: 1, status: "met" });
    expect(w40.items).toHaveLength(1);
    expect(w40.items[0]).toMatchObject({ title: "Đăng ký khám bệnh trực tuyến", kind: "news", selfReported: true });
    expect(w40.items[0].publications.map((p: any) => p.channelKind).sort()).toEqual(["facebook_page", "press", "webhook"]);
    expect(w40.items[0].publications.every((p: any) => p.selfReported && p.delivery === null)).toBe(true);

    expect((await hub.api("GET", "/api/compliance/agencies/so-tu-phap?task=1.3&from=2026-W40&to=2026-W41", undefined, yTe)).status).toBe(
      404,
    );
    expect((await hub.api("GET", "/api/compliance/agencies/so-tu-phap?task=1.3&from=2026-W40&to=2026-W41", undefined, tuPhap)).status).toBe(
      200,
    );
    expect((await hub.api("GET", "/api/compliance/agencies/so-y-te?task=1.3&from=2026-W40&to=2026-W41", undefined, auditor)).status).toBe(
      200,
    );
    expect((await hub.api("GET", "/api/compliance?task=1.3&from=2026-W40&to=2026-W41&agencyId=so-tu-phap", undefined, yTe)).status).toBe(
      404,
    );
    const mine = await matrix("task=1.3&from=2026-W40&to=2026-W41", yTe);
    expect(mine.rows.map((r: any) => r.agency.id)).toEqual(["so-y-te"]);
    const all = await matrix("task=1.3&from=2026-W40&to=2026-W41", auditor);
    expect(all.rows.length).toBeGreaterThan(10);

    // evidence: an officer records it for their own agency's items only
    const theirs = await item(hub.api, "so-tu-phap", "news", ["1.3"]);
    const refused = await hub.api(
      "POST",
      "/api/publications",
      { itemId: theirs, channelKind: "webhook", publishedAt: "2026-10-01T08:00:00+07:00" },
      yTe,
    );
    expect(refused.status).toBe(404);
    expect(
      (await hub.api("GET", "/api/publications?selfReported=true", undefined, yTe)).body.data.every((p: any) => p.agencyId === "so-y-te"),
    ).toBe(true);
  });

  it("lets nobody but an admin edit obligations, and the matrix follows the edit", async () => {
    const patch = { minCount: 2 };
    expect((await hub.api("PATCH", "/api/obligations/3.3", patch, yTe)).status).toBe(403);
    expect((await hub.api("PATCH", "/api/obligations/3.3", patch, auditor)).status).toBe(403);
    expect((await hub.api("POST", "/api/obligations", { taskCode: "3.4" }, auditor)).status).toBe(403);
    const sms = await item(hub.api, "so-khcn", "sms", ["3.3"]);
    await evidence(hub.api, sms, "sms", "2025-10-10T08:00:00+07:00");
    expect(rowOf(await matrix("task=3.3&from=2025&to=2025"), "so-khcn")?.["2025"]).toMatchObject({ count: 1, status: "met" });
    const res = await hub.api("PATCH", "/api/obligations/3.3", patch);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ minCount: 2, agencyIds: ["so-khcn"], itemKinds: ["sms"], channelKinds: ["sms"], period: "year" });
    expect((await hub.api("GET", "/api/obligations/3.3", undefined, yTe)).body.minCount).toBe(2);
    expect(rowOf(await matrix("task=3.3&from=2025&to=2025"), "so-khcn")?.["2025"]).toMatchObject({ count: 1, status: "missed" });

    const bad = await hub.api("PATCH", "/api/obligations/3.3", { period: "fortnight" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("period");
    const created = await hub.api("POST", "/api/obligations", {
      taskCode: "3.4",
      description: "Chuyên mục về dịch vụ công trực tuyến trên nền tảng học trực tuyến mở",
      agencyIds: ["so-khcn"],
      period: "month",
      minCount: 1,
      validFrom: "2026-01-01",
    });
    expect(created.status).toBe(201);
    expect((await hub.api("POST", "/api/obligations", created.body)).status).toBe(400); // `id` is not an input field
    const dup = await hub.api("POST", "/api/obligations", { ...created.body, id: undefined });
    expect(dup.status).toBe(409);
    expect(dup.body.field).toBe("taskCode");
    const monthly = await matrix("task=3.4&from=2026-01&to=2026-03");
    expect(rowOf(monthly, "so-khcn")?.["2026-02"]?.status).toBe("missed");
  });
});
