// Importing a batch of items with their schedule (CSV, XLSX): every row or none, each error naming its
// row and column; exporting an agency's schedule and publications (CSV, XLSX).
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const AGENCY = "so-khcn";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

describe.each(DB_KINDS)("import and export on %s", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  const now = new Date("2026-12-01T09:00:00+07:00"); // a Tuesday, past its 08:00 slot
  let officer = "";
  let otherOfficer = "";

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-nhap-lich-dang-bai").start();
    hub = await startHub(kind, { roles: ["web"], clock: { now: () => now }, allow: [stub.url] });
    const channel = async (name: string, slots?: unknown) =>
      (
        await hub.api("POST", "/api/channels", {
          agencyId: AGENCY,
          kind: "webhook",
          name,
          settings: { url: stub.url, ...(slots ? { slots } : {}) },
          secret: stub.secret,
        })
      ).body.id as string;
    await channel("Cổng TTĐT Sở");
    await channel("Chuyên mục thứ Ba", [{ days: ["tue"], time: "08:00" }]);
    const youtube = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind: "youtube", name: "Kênh YouTube Sở", settings: {} });
    if (youtube.status !== 201) throw new Error(`youtube: ${JSON.stringify(youtube.body)}`);
    officer = (await hub.api("POST", "/api/users", { name: "Cán bộ", role: "officer", agencyId: AGENCY })).body.token;
    otherOfficer = (await hub.api("POST", "/api/users", { name: "Cán bộ khác", role: "officer", agencyId: "so-tu-phap" })).body.token;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const upload = (data: string | Uint8Array, type: string, token = officer, agencyId = AGENCY) =>
    fetch(`${hub.url}/api/items/import?agencyId=${agencyId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": type },
      body: data,
    });
  const count = async () => (await hub.api("GET", `/api/items?agencyId=${AGENCY}&limit=500`)).body.data.length as number;

  it("imports nothing when one row is wrong, naming each bad row and column", async () => {
    const before = await count();
    const csv = [
      "kind,title,body,tasks,channels,at",
      "news,Nộp hồ sơ trực tuyến,Người dân nộp hồ sơ tại dichvucong.gov.vn.,1.3,Cổng TTĐT Sở,2026-12-08 08:00",
      "tin,Thanh toán trực tuyến,Nộp lệ phí qua VNPT Money.,1.3,Cổng TTĐT Sở,2026-12-09 08:00",
      "news,Cấp đổi CCCD,Làm tại phường.,1.3,Cổng TTĐT Sở,2026-11-20 08:00",
      "news,Kênh lạ,Nội dung.,9.9,Kênh không có,",
    ].join("\r\n");
    const res = await upload(csv, "text/csv");
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.field).toBe("rows.3.kind");
    expect(body.errors).toEqual([
      expect.objectContaining({ row: 3, column: "kind" }),
      expect.objectContaining({ row: 4, column: "at", message: "2026-11-20 08:00 is in the past" }),
      expect.objectContaining({ row: 5, column: "tasks", message: "task 9.9 is not in the plan's appendix" }),
      expect.objectContaining({ row: 5, column: "channels", message: "no channel Kênh không có in this agency" }),
    ]);
    expect(await count()).toBe(before);
  });

  it("imports nothing when a channel's own checks refuse a row (a YouTube post without a video), naming the row", async () => {
    const before = await count();
    const csv = [
      "kind,title,body,tasks,channels,at",
      "news,Tin đúng,Nội dung đúng.,1.3,Cổng TTĐT Sở,2026-12-10 08:00",
      "news,Tin không có video,Chỉ có chữ.,1.3,Kênh YouTube Sở,2026-12-10 09:00",
    ].join("\n");
    const res = await upload(csv, "text/csv");
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ row: 3, column: "channels" })]);
    expect(await count()).toBe(before);
    const deliveries = (await hub.api("GET", `/api/deliveries?agencyId=${AGENCY}&limit=500`)).body.data;
    expect(deliveries.filter((d: { scheduledAt: string }) => d.scheduledAt === "2026-12-10T01:00:00.000Z")).toEqual([]);
  });

  it("imports nothing when the schedule refuses a row after the checks (the agency dissolved by its time), naming the row", async () => {
    const other = "so-tu-phap";
    const made = await hub.api("POST", "/api/channels", {
      agencyId: other,
      kind: "webhook",
      name: "Cổng TTĐT Sở Tư pháp",
      settings: { url: stub.url },
      secret: stub.secret,
    });
    expect(made.status).toBe(201);
    expect((await hub.api("PATCH", `/api/agencies/${other}`, { validTo: "2027-01-31" })).status).toBe(200);
    const items = async () => (await hub.api("GET", `/api/items?agencyId=${other}&limit=500`)).body.data.length as number;
    const before = await items();
    const csv = [
      "kind,title,body,tasks,channels,at",
      "news,Tin trong hạn,Nội dung.,1.3,Cổng TTĐT Sở Tư pháp,2027-01-10 08:00",
      "news,Tin sau khi giải thể,Nội dung.,1.3,Cổng TTĐT Sở Tư pháp,2027-02-10 08:00",
    ].join("\n");
    const res = await upload(csv, "text/csv", ADMIN_TOKEN, other);
    const body = (await res.json()) as any;
    expect((await hub.api("PATCH", `/api/agencies/${other}`, { validTo: null })).status).toBe(200);
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ row: 3, column: "at" })]);
    expect(await items()).toBe(before);
    expect((await hub.api("GET", `/api/deliveries?agencyId=${other}&limit=500`)).body.data).toEqual([]);
  });

  it("imports every row of a CSV with Vietnamese headers: local times, task codes kept as text, the next free slot", async () => {
    const csv = [
      "\uFEFFLoại,Tiêu đề,Nội dung,Nhiệm vụ,Kênh,Thời điểm",
      'news,"Nộp hồ sơ, nhận kết quả tại nhà",Người dân nộp hồ sơ trực tuyến.,1.3,Cổng TTĐT Sở;Chuyên mục thứ Ba,2026-12-08 08:00',
      "infographic,Các bước thanh toán,Bốn bước đơn giản.,1.3,Chuyên mục thứ Ba,",
      "news,Bản nháp chưa lên lịch,Chưa có kênh.,,,",
    ].join("\r\n");
    const res = await upload(csv, "text/csv; charset=utf-8");
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.data.map((r: { row: number; deliveryIds: string[] }) => [r.row, r.deliveryIds.length])).toEqual([
      [2, 2],
      [3, 1],
      [4, 0],
    ]);
    const item = (await hub.api("GET", `/api/items/${body.data[0].itemId}`)).body;
    expect(item).toMatchObject({ title: "Nộp hồ sơ, nhận kết quả tại nhà", tasks: ["1.3"], status: "draft" });
    const first = (await hub.api("GET", `/api/deliveries?itemId=${item.id}`)).body.data;
    expect(first.map((d: { scheduledAt: string }) => d.scheduledAt)).toEqual(["2026-12-08T01:00:00.000Z", "2026-12-08T01:00:00.000Z"]);
    // The infographic takes the next Tuesday 08:00 still free: the 8th is taken by the first row.
    const second = (await hub.api("GET", `/api/deliveries?itemId=${body.data[1].itemId}`)).body.data;
    expect(second.map((d: { scheduledAt: string }) => d.scheduledAt)).toEqual(["2026-12-15T01:00:00.000Z"]);
  });

  it("imports an XLSX sheet, reading a date cell as local time", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Lịch");
    ws.addRow(["kind", "title", "body", "tasks", "channels", "at"]);
    // Excel keeps wall times without a zone: 9 December 2026 09:30 in Cần Thơ.
    ws.addRow([
      "news",
      "Hội nghị chuyển đổi số",
      "Tổ chức tại Hội trường UBND.",
      1.3,
      "Cổng TTĐT Sở",
      new Date(Date.UTC(2026, 11, 9, 9, 30)),
    ]);
    const data = new Uint8Array(await wb.xlsx.writeBuffer());
    const res = await upload(data, XLSX);
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(201);
    const deliveries = (await hub.api("GET", `/api/deliveries?itemId=${body.data[0].itemId}`)).body.data;
    expect(deliveries.map((d: { scheduledAt: string }) => d.scheduledAt)).toEqual(["2026-12-09T02:30:00.000Z"]);
    expect((await hub.api("GET", `/api/items/${body.data[0].itemId}`)).body.tasks).toEqual(["1.3"]);
  });

  it("refuses a file that is not a sheet (400) and another agency's import (403)", async () => {
    expect((await upload(new Uint8Array([1, 2, 3, 4]), XLSX)).status).toBe(400);
    expect((await upload("kind,title,body\r\nnews,T,B", "text/csv", otherOfficer)).status).toBe(403);
  });

  it("exports the agency's schedule as CSV and XLSX, with local times", async () => {
    const q = `agencyId=${AGENCY}&from=2026-12-01T00:00:00%2B07:00&to=2027-01-01T00:00:00%2B07:00`;
    const csv = await fetch(`${hub.url}/api/export?${q}&format=csv`, { headers: { authorization: `Bearer ${officer}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toContain("lich-dang-so-khcn-2026-12-01.csv");
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the byte-order mark spreadsheet programs need
    const text = bytes.subarray(3).toString("utf8");
    expect(text.startsWith("Mã lượt đăng,")).toBe(true);
    expect(text).toContain('"Nộp hồ sơ, nhận kết quả tại nhà"');
    expect(text).toContain("2026-12-08T08:00:00+07:00");
    const lines = text.trim().split("\r\n");
    expect(lines).toHaveLength(1 + 4);
    const xlsx = await fetch(`${hub.url}/api/export?${q}&format=xlsx&what=schedule`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.rowCount).toBe(5);
    expect(ws?.getRow(1).getCell(4).text).toBe("Tiêu đề");
    const pubs = await fetch(`${hub.url}/api/export?${q}&what=publications`, { headers: { authorization: `Bearer ${officer}` } });
    expect((await pubs.text()).split("\r\n")[0]).toContain("Mã bản đăng");
    // Another agency's export is not found for an officer.
    const other = await fetch(`${hub.url}/api/export?${q}`, { headers: { authorization: `Bearer ${otherOfficer}` } });
    expect(other.status).toBe(404);
  });
});
