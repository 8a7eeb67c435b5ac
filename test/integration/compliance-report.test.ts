import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evidence, item, user } from "../helpers/compliance.js";
import { DB_KINDS } from "../helpers/db.js";
import { ADMIN_TOKEN, startHub, type TestHub } from "../helpers/hub.js";

/** The text of a DOCX's body, read with `unzip` as any reader would: the runs of word/document.xml. */
function docxText(file: string): string {
  const xml = spawnSync("unzip", ["-p", file, "word/document.xml"], { encoding: "utf8" });
  if (xml.status !== 0) throw new Error(`unzip failed: ${xml.stderr}`);
  return [...xml.stdout.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("|");
}

describe.each(DB_KINDS)("annual report to DOST (%s)", (kind) => {
  let hub: TestHub;
  let dir: string;
  let officer: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-report-"));
    hub = await startHub(kind, { roles: ["web"] });
    officer = await user(hub.api, "officer", "so-gd-dt");
    const news = await item(hub.api, "so-gd-dt", "news", ["1.3"], "Tuyển sinh đầu cấp trực tuyến");
    const photo = await item(hub.api, "so-gd-dt", "photo", ["1.3"], "Ảnh: học sinh nộp hồ sơ trực tuyến");
    await evidence(hub.api, news, "webhook", "2026-01-06T08:00:00+07:00"); // W02, self-reported
    await evidence(hub.api, photo, "facebook_page", "2026-01-13T08:00:00+07:00"); // W03, self-reported
    const contest = await item(hub.api, "so-gd-dt", "news", ["4.2"], "Cuộc thi tìm hiểu dịch vụ công trực tuyến");
    await evidence(hub.api, contest, "webhook", "2026-10-10T08:00:00+07:00");
  });
  afterAll(async () => {
    await hub?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const download = async (query: string, token = ADMIN_TOKEN) => {
    const res = await fetch(`${hub.url}/api/reports/annual?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it("writes a Word document in Vietnamese: per task the rate, per agency weeks met of weeks due, missed weeks, self-reported share", async () => {
    const { res, bytes } = await download("year=2026");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("wordprocessingml");
    expect(res.headers.get("content-disposition")).toContain("bao-cao-nam-2026.docx");
    const file = path.join(dir, "bao-cao.docx");
    fs.writeFileSync(file, bytes);
    const text = docxText(file);
    expect(text).toContain("BÁO CÁO KẾT QUẢ TRIỂN KHAI KẾ HOẠCH TUYÊN TRUYỀN DỊCH VỤ CÔNG TRỰC TUYẾN NĂM 2026");
    expect(text).toContain("Nhiệm vụ 1.3");
    expect(text).toContain("Nhiệm vụ 4.2");
    expect(text).toContain("Tỷ lệ hoàn thành: ");
    // Sở GD&ĐT: weeks W02 and W03 met out of the finished weeks of 2026, W01 and W04… missed, all self-reported
    const row = text.split("|Sở Giáo dục và Đào tạo|")[1]?.split("|") ?? [];
    expect(row[0]).toMatch(/^2\/\d+$/);
    expect(row[1]).toMatch(/^2026-W01, 2026-W04, 2026-W05/);
    expect(row[2]).toBe("100,0%");
    // task 4.2 (yearly, Sở GD&ĐT only) is met for 2026
    const contest = text.split("Nhiệm vụ 4.2")[1] ?? "";
    expect(contest).toContain("Tỷ lệ hoàn thành: |100,0% (1/1 kỳ đạt)");
  });

  it("writes the same figures as a workbook", async () => {
    const { res, bytes } = await download("year=2026&format=xlsx");
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as any);
    const lines = wb.getWorksheet("Cơ quan");
    const found: unknown[][] = [];
    lines?.eachRow((r) => {
      const v = (r.values as unknown[]).slice(1);
      if (v[1] === "so-gd-dt") found.push(v);
    });
    const task13 = found.find((v) => v[0] === "1.3");
    expect(task13?.[2]).toBe("Sở Giáo dục và Đào tạo");
    expect(task13?.[3]).toBe(2);
    expect(String(task13?.[5])).toMatch(/^2026-W01, 2026-W04/);
    expect(task13?.[6]).toBe(1);
    expect(found.find((v) => v[0] === "4.2")?.slice(3, 5)).toEqual([1, 1]);
    const tasks = wb.getWorksheet("Nhiệm vụ");
    const codes: unknown[] = [];
    tasks?.eachRow((r, i) => i > 1 && codes.push((r.values as unknown[])[1]));
    expect(codes).toEqual(expect.arrayContaining(["1.3", "1.4", "2.2", "3.3", "4.2", "5.1"]));
  });

  it("limits an officer's report to their own agency", async () => {
    const { res, bytes } = await download("year=2026&format=xlsx", officer);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as any);
    const agencies = new Set<unknown>();
    wb.getWorksheet("Cơ quan")?.eachRow((r, i) => i > 1 && agencies.add((r.values as unknown[])[2]));
    expect([...agencies]).toEqual(["so-gd-dt"]);
  });

  it("refuses a malformed year with 400 and a year not yet begun with 422, naming year", async () => {
    const bad = await hub.api("GET", "/api/reports/annual?year=hai-nghin");
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("year");
    const future = await hub.api("GET", "/api/reports/annual?year=2099");
    expect(future.status).toBe(422);
    expect(future.body.field).toBe("year");
  });
});
