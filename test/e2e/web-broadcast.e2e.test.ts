import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { periodStart } from "../../content/compliance/periods.js";
import { isoWeek } from "../../content/time.js";
import { accessibilityViolations, launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { startHub, type TestHub } from "../helpers/hub.js";

const WARD = "phuong-ninh-kieu";
const SLOTS = [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], time: "06:00" }];

/**
 * The broadcaster's page in headless Chromium: the week's script in large type, an item's audio played,
 * "đã phát" confirmed and recorded by the API (and counted for 2.2), the downloads, the phone's width.
 */
describe("the web app: a broadcaster's weekly script", () => {
  let hub: TestHub;
  let browser: Browser;
  let station = "";
  let itemId = "";
  // Items are scheduled a week ahead of the clock, then the clock comes to today: the week has started.
  let offset = -7 * 86_400_000;
  const week = isoWeek(new Date());

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startHub("sqlite", { roles: ["web"], clock: { now: () => new Date(Date.now() + offset) } }),
      launchBrowser(),
    ]);
    const ok = (r: { status: number; body: any }, what: string) => {
      if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    station = ok(
      await hub.api("POST", "/api/channels", {
        agencyId: WARD,
        kind: "loudspeaker",
        name: "Đài truyền thanh phường Ninh Kiều",
        settings: { slots: SLOTS, area: "Khu vực 1, 2, 3" },
      }),
      "station",
    ).id;
    ok(
      await hub.api("POST", "/api/users", {
        name: "Lê Thị Loa",
        role: "broadcaster",
        agencyId: WARD,
        stationIds: [station],
        login: "loa.le",
        password: "mat-khau-phat-thanh",
      }),
      "broadcaster",
    );
    itemId = ok(
      await hub.api("POST", "/api/items", {
        agencyId: WARD,
        kind: "news",
        title: "Nộp hồ sơ trực tuyến",
        body: "Từ ngày 1/12, người dân nộp hồ sơ tại dichvucong.gov.vn, lệ phí 50.000đ.",
        tasks: ["2.2"],
      }),
      "item",
    ).id;
    const at = periodStart(week).toISOString();
    ok(await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId: station, at }] }), "schedule");
    offset = 0;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it("opens the week's script, plays an item, and confirms it aired", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "loa.le", "mat-khau-phat-thanh");
    await page.waitForURL("**/broadcast");
    const item = page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" });
    await item.waitFor();
    // The text to read aloud, in large type: numbers, addresses and money spelled out.
    const text = item.locator(".read-aloud");
    await expect(text.textContent()).resolves.toContain("năm mươi ngàn đồng");
    const px = Number.parseFloat(await text.evaluate((el) => (globalThis as any).getComputedStyle(el).fontSize));
    expect(px).toBeGreaterThanOrEqual(24);
    await expect(page.getByLabel("Tuần (ISO)").inputValue()).resolves.toBe(week);
    await screenshot(page, "broadcaster-script");

    // Play the item: the browser fetches its synthesised MP3 with the session and plays it.
    const audio = item.getByLabel("Âm thanh của tin: Nộp hồ sơ trực tuyến");
    const mp3 = page.waitForResponse((r) => r.url().includes(`/items/${itemId}.mp3`) && r.status() < 300, { timeout: 60_000 });
    await audio.evaluate((el: any) => el.play());
    const response = await mp3;
    expect(response.headers()["content-type"]).toBe("audio/mpeg");
    expect(response.headers()["x-loa-synthetic"]).toBe("true");
    // It plays: its time moves on.
    await audio.evaluate(
      "(el) => new Promise((resolve) => { if (el.currentTime > 0) resolve(); else el.addEventListener('timeupdate', resolve, { once: true }); })",
    );
    expect(await audio.evaluate((el: any) => el.currentTime as number)).toBeGreaterThan(0);

    // Confirm it aired: the API records the airing, and the item counts for 2.2 with the broadcaster as the source.
    await item.getByRole("button", { name: "Xác nhận đã phát" }).click();
    await item.getByRole("status").filter({ hasText: "Đã phát lúc" }).waitFor();
    const aired = await hub.api("GET", `/api/broadcast/stations/${station}/weeks/${week}/aired`);
    expect(aired.status).toBe(200);
    expect(aired.body.data).toHaveLength(1);
    expect(aired.body.data[0]).toMatchObject({ itemId });
    const publications = await hub.api("GET", `/api/publications?itemId=${itemId}`);
    expect(publications.body.data).toEqual([
      expect.objectContaining({ channelKind: "loudspeaker", source: "broadcaster", selfReported: false }),
    ]);
    await screenshot(page, "broadcaster-aired");
    expect(await accessibilityViolations(page)).toEqual([]);

    // The page remembers it after a reload: it reads the airings back from the API.
    await page.reload();
    await page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" }).getByRole("status").filter({ hasText: "Đã phát lúc" }).waitFor();
    await context.close();
  }, 120_000);

  it("shows a refused time next to its field, in Vietnamese, and records nothing", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "loa.le", "mat-khau-phat-thanh");
    const item = page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" });
    await item.waitFor();
    // A time in the week after: not in this week's script.
    const later = new Date(periodStart(week).getTime() + 8 * 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 16);
    await item.getByLabel("Thời điểm đã phát").fill(later);
    await item.getByRole("button", { name: "Xác nhận đã phát" }).click();
    const error = item.getByRole("alert");
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain("Không thể thực hiện với giá trị này.");
    await expect(item.getByLabel("Thời điểm đã phát").getAttribute("aria-invalid")).resolves.toBe("true");
    expect((await hub.api("GET", `/api/broadcast/stations/${station}/weeks/${week}/aired`)).body.data).toHaveLength(1);
    await context.close();
  });

  it("goes to the next week (its empty state says what to do) and back, and reads in English", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "loa.le", "mat-khau-phat-thanh");
    await page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" }).waitFor();
    const next = isoWeek(new Date(periodStart(week).getTime() + 7 * 86_400_000 + 12 * 3_600_000));
    await page.getByRole("button", { name: "Tuần sau" }).click();
    await page.getByText(`Tuần ${next} chưa có tin nào trên đài này.`).waitFor();
    await expect(page.getByLabel("Tuần (ISO)").inputValue()).resolves.toBe(next);
    await page.getByRole("button", { name: "Tuần trước" }).click();
    await page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" }).waitFor();
    await page.getByLabel("Ngôn ngữ").selectOption("en");
    await page.getByRole("button", { name: "Confirm aired" }).waitFor();
    await expect(page.getByRole("link", { name: "Download the script (DOCX)" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "broadcaster-en");
    await context.close();
  });

  it("downloads the script as DOCX, links the print view, and fits a 360 px phone", async () => {
    const context = await newContext(browser, hub.url, { width: 360 });
    const page = await context.newPage();
    await signIn(page, "loa.le", "mat-khau-phat-thanh");
    await page.getByRole("article", { name: "Nộp hồ sơ trực tuyến" }).waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Tải kịch bản (DOCX)" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`kich-ban-${week}.docx`);
    const path = await file.path();
    const bytes = await import("node:fs").then((fs) => fs.readFileSync(path));
    expect(bytes.subarray(0, 2).toString()).toBe("PK"); // a zip: an OOXML document
    const print = await page.getByRole("link", { name: "Bản in (chữ lớn)" }).getAttribute("href");
    expect(print).toBe(`/api/broadcast/stations/${station}/weeks/${week}.html`);
    const html = await page.evaluate((url) => fetch(url).then((r) => r.text()), print ?? "");
    expect(html).toContain("Nộp hồ sơ trực tuyến");
    await expect(page.evaluate("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(360);
    await screenshot(page, "broadcaster-360");
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
