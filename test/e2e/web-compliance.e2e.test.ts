import fs from "node:fs";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWeeklyClose } from "../../content/compliance/weekly-close.js";
import { accessibilityViolations, launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { evidence, fixedClock, item, user } from "../helpers/compliance.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { recipientList } from "../helpers/world.js";

/** Wednesday of 2026-W49 in Cần Thơ: W48 and before are finished and frozen, W49 is running. */
const NOW = "2026-12-02T09:00:00+07:00";
const silent = { info() {}, warn() {}, error() {} };

/**
 * DOST's compliance board in headless Chromium: the heatmap of a task, the week's at-risk list, a
 * missed and frozen week drilled into, self-reported evidence marked, the XLSX downloaded and read
 * back, the filters (agency kind, a bad period named next to its field), a 360 px phone, the SMS
 * campaigns' progress and the shared library's reuse.
 */
describe("the web app: the compliance board", () => {
  let hub: TestHub;
  let browser: Browser;
  let withdrawn = "";

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startHub("sqlite", { roles: ["web"], clock: fixedClock(NOW) }), launchBrowser()]);
    const officer = await user(hub.api, "officer", "so-tu-phap");
    const news = await item(hub.api, "so-tu-phap", "news", ["1.3"], "Cấp phiếu lý lịch tư pháp trực tuyến");
    await evidence(hub.api, news, "facebook_page", "2026-11-18T08:00:00+07:00", officer); // 2026-W47, self-reported
    // Sở Nội vụ's W46 evidence is withdrawn after the week froze: the frozen record and today's count differ.
    const other = await user(hub.api, "officer", "so-noi-vu");
    const report = await item(hub.api, "so-noi-vu", "news", ["1.3"], "Tuyển dụng công chức trực tuyến");
    withdrawn = await evidence(hub.api, report, "webhook", "2026-11-11T08:00:00+07:00", other); // 2026-W46
    await createWeeklyClose(hub.running.runtime.services.db, fixedClock("2026-11-30T00:10:00+07:00"), silent)();
    expect((await hub.api("DELETE", `/api/publications/${withdrawn}`, undefined, other)).status).toBe(204);
    const auditor = await hub.api("POST", "/api/users", {
      name: "Trần Văn Bình",
      login: "binh.tran",
      password: "mat-khau-kiem-tra-9",
      role: "auditor",
    });
    expect(auditor.status, JSON.stringify(auditor.body)).toBe(201);

    // An SMS campaign of Sở Y tế to a list of two (quiet all day, so it waits with nothing sent).
    const sms = await hub.api("POST", "/api/channels", {
      agencyId: "so-y-te",
      kind: "sms",
      name: "Brandname Sở Y tế",
      settings: {
        gateway: "http",
        preset: "kannel",
        url: "https://sms.example.vn/cgi-bin/sendsms",
        username: "loa",
        sender: "SOYTE CT",
        quietHours: { from: "00:00", to: "23:59" },
      },
      secret: "mat-khau-kannel",
    });
    expect(sms.status, JSON.stringify(sms.body)).toBe(201);
    const list = await recipientList(hub, "so-y-te", "phone\n0912345678\n0987654321\n");
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    const text = await item(hub.api, "so-y-te", "sms", [], "Tiêm chủng mở rộng tháng 12");
    const scheduled = await hub.api("POST", `/api/items/${text}/schedule`, {
      deliveries: [{ channelId: sms.body.id, recipientListId: list.body.id, at: "2026-12-02T10:00:00+07:00" }],
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
    await hub.running.runtime.services.campaigns.campaigns.start(scheduled.body.data[0].id);

    // DOST's material in the library, copied by Sở Xây dựng, whose copy was then published once.
    const guide = await item(hub.api, "so-khcn", "news", [], "Hướng dẫn nộp hồ sơ xây dựng trực tuyến");
    const material = await hub.api("POST", "/api/library", { itemId: guide, topics: ["Dịch vụ công"], validFrom: "2026-01-01" });
    expect(material.status, JSON.stringify(material.body)).toBe(201);
    const copy = await hub.api("POST", `/api/library/${material.body.id}/copy`, { agencyId: "so-xay-dung" });
    expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    await evidence(hub.api, copy.body.id, "facebook_page", "2026-12-01T08:00:00+07:00");
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  const board = async (page: Page) => {
    await signIn(page, "binh.tran", "mat-khau-kiem-tra-9");
    await page.waitForURL("**/compliance");
    await heatmap(page).waitFor();
  };
  const heatmap = (page: Page) => page.getByRole("table", { name: /^Bảng tuân thủ nhiệm vụ/ });

  it("opens the board, drills into a missed week, and downloads the XLSX", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await board(page);
    await expect(page.getByLabel("Nhiệm vụ").inputValue()).resolves.toBe("1.3");
    // The week's at-risk list: nothing published yet in W49.
    const atRisk = page.getByRole("region", { name: "Có nguy cơ không đạt tuần này (2026-W49)" });
    await expect(atRisk.textContent()).resolves.toContain("Sở Tư pháp — nhiệm vụ 1.3: 0/1 tin");
    // W47 counted through self-reported evidence only: marked in the cell.
    const w47 = page.getByRole("button", { name: "Sở Tư pháp, 2026-W47: Đạt, 1 tin" });
    await expect(w47.textContent()).resolves.toBe("✓*");
    await screenshot(page, "compliance-board");

    await page.getByRole("button", { name: "Sở Tư pháp, 2026-W48: Không đạt, 0 tin" }).click();
    const drill = page.getByRole("region", { name: "Sở Tư pháp — nhiệm vụ 1.3, kỳ 2026-W48" });
    await drill.getByText("Bản ghi đã chốt").waitFor();
    const text = await drill.textContent();
    expect(text).toContain("Trạng thái: Không đạt, 0/1 tin");
    expect(text).toContain("Không có tin nào được tính trong kỳ này.");
    expect(text).toMatch(/Chốt lúc Thứ Hai, 30\/11\/2026 00:10: Không đạt, 0\/1 tin/);
    expect(text).toContain("Mã SHA-256 khớp với dữ liệu đã lưu");
    // Focus moves to the details, for keyboard and screen-reader users.
    await expect(page.evaluate(() => (globalThis as any).document.activeElement?.id)).resolves.toBe("cb-drill");
    await screenshot(page, "compliance-drill-missed");
    expect(await accessibilityViolations(page)).toEqual([]);

    // The self-reported week: its item and its evidence, marked.
    await page.getByRole("button", { name: "Sở Tư pháp, 2026-W47: Đạt, 1 tin" }).click();
    const w47drill = page.getByRole("region", { name: "Sở Tư pháp — nhiệm vụ 1.3, kỳ 2026-W47" });
    await w47drill.getByText("Cấp phiếu lý lịch tư pháp trực tuyến").waitFor();
    await expect(w47drill.textContent()).resolves.toContain("Trang Facebook, Thứ Tư, 18/11/2026 08:00 (bằng chứng tự báo cáo)");
    await expect(w47drill.getByText("Tự báo cáo").count()).resolves.toBeGreaterThan(0);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Bảng (XLSX)" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("tuan-thu-1.3-2026-W01-2026-W49.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(fs.readFileSync(await file.path()) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    if (!sheet) throw new Error("the XLSX has no sheet");
    const header = (sheet.getRow(1).values as string[]).slice(1);
    expect(header.slice(0, 3)).toEqual(["agencyId", "agency", "2026-W01"]);
    const row = sheet.getRows(2, sheet.rowCount - 1)?.find((r) => r.getCell(1).value === "so-tu-phap");
    expect(row?.getCell(2).value).toBe("Sở Tư pháp");
    expect(row?.getCell(header.indexOf("2026-W47") + 1).value).toBe("met 1 (1 self-reported)");
    expect(row?.getCell(header.indexOf("2026-W48") + 1).value).toBe("missed 0");
    await context.close();
  }, 120_000);

  it("shows a frozen week that a recomputation now gives differently, in the cell and in the drill-down", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await board(page);
    const cell = page.getByRole("button", { name: "Sở Nội vụ, 2026-W46: Đạt, 1 tin" });
    await expect(cell.textContent()).resolves.toBe("✓*≠");
    await cell.click();
    const drill = page.getByRole("region", { name: "Sở Nội vụ — nhiệm vụ 1.3, kỳ 2026-W46" });
    await drill.getByText("Bản ghi đã chốt").waitFor();
    const text = await drill.textContent();
    expect(text).toMatch(/Chốt lúc Thứ Hai, 30\/11\/2026 00:10: Đạt, 1\/1 tin/);
    expect(text).toContain("Tính lại hôm nay cho kết quả khác: Không đạt, 0 tin");
    await screenshot(page, "compliance-drill-differs");
    await context.close();
  }, 60_000);

  it("filters by task, agency kind and period, and names a bad period next to its field", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await board(page);
    await page.getByLabel("Nhiệm vụ").selectOption("2.2");
    await page.getByLabel("Từ kỳ").fill("2026-W40");
    await page.getByLabel("Đến kỳ").fill("2026-W49");
    await page.getByRole("button", { name: "Xem bảng" }).click();
    await page.getByRole("table", { name: "Bảng tuân thủ nhiệm vụ 2.2: cơ quan × kỳ" }).waitFor();
    await page.getByLabel("Loại cơ quan").selectOption("commune");
    const rows = heatmap(page).locator("tbody tr");
    await expect(rows.count()).resolves.toBe(103); // the communes and wards of 2025
    await expect(heatmap(page).locator("thead th").count()).resolves.toBe(2 + 10);
    await page.getByLabel("Loại cơ quan").selectOption("department");
    await expect(rows.count()).resolves.toBe(0);
    await expect(page.getByText("Không có cơ quan nào phải thực hiện nhiệm vụ này").isVisible()).resolves.toBe(true);

    await page.getByLabel("Từ kỳ").fill("2026-W99");
    await page.getByRole("button", { name: "Xem bảng" }).click();
    const error = page.locator("#f-from-error");
    await error.waitFor();
    await expect(page.getByLabel("Từ kỳ").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(error.textContent()).resolves.toMatch(/^Giá trị không hợp lệ\./);
    await screenshot(page, "compliance-bad-period");
    await context.close();
  }, 60_000);

  it("shows the SMS campaigns' progress and cost, and the shared materials with the agencies that copied them", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await board(page);
    const campaigns = page.getByRole("region", { name: "Chiến dịch SMS" });
    const row = campaigns.getByRole("row", { name: /Tiêm chủng mở rộng tháng 12/ });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain("Sở Y tế");
    expect(text).toContain("Brandname Sở Y tế (Tin nhắn SMS)");
    expect(text).toContain("Đang gửi");
    expect(text).toContain("0/2 người nhận");
    expect(text).toMatch(/0 tin nhắn đã gửi \/ [24] dự kiến/);
    const bar = campaigns.getByRole("progressbar", { name: "Tiêm chủng mở rộng tháng 12: 0/2 người nhận" });
    await expect(bar.getAttribute("max")).resolves.toBe("2");
    await expect(campaigns.getByRole("columnheader", { name: "Đã đến máy người nhận" }).count()).resolves.toBe(1);

    const library = page.getByRole("region", { name: "Tài liệu dùng chung" });
    const material = library.getByRole("row", { name: /Hướng dẫn nộp hồ sơ xây dựng trực tuyến/ });
    await material.waitFor();
    // One agency copied it (the number opens their names), and its copy was published once.
    await expect(material.locator("td").last().textContent()).resolves.toBe("1");
    const agencies = material.locator("summary");
    await expect(agencies.textContent()).resolves.toBe("1");
    const who = material.getByText("Sở Xây dựng: 1 lần đăng");
    await expect(who.isVisible()).resolves.toBe(false);
    await agencies.click();
    await expect(who.isVisible()).resolves.toBe(true);
    await screenshot(page, "compliance-campaigns-library");
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it("works from the keyboard and fits a 360 px phone, the heatmap scrolling inside its box", async () => {
    const context = await newContext(browser, hub.url, { width: 360 });
    const page = await context.newPage();
    await board(page);
    const cell = page.getByRole("button", { name: "Sở Tư pháp, 2026-W48: Không đạt, 0 tin" });
    await cell.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("region", { name: "Sở Tư pháp — nhiệm vụ 1.3, kỳ 2026-W48" }).waitFor();
    await screenshot(page, "compliance-360");
    expect(await accessibilityViolations(page)).toEqual([]);
    const wide = await page.evaluate(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 360 && !e.closest('.table-wrap')).map((e) => e.tagName + '.' + e.className)",
    );
    expect(wide).toEqual([]);
    await expect(page.evaluate("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(360);
    await context.close();
  }, 60_000);
});
