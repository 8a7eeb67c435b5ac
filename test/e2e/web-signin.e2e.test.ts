import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { AGENCY } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";

/** The web app's first steps in headless Chromium: the sign-in page at `/`, and each role's own home. */
describe("the web app: sign-in", () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startHub("sqlite", { roles: ["web"] }), launchBrowser()]);
    const officer = await hub.api("POST", "/api/users", {
      name: "Nguyễn Thị Lan",
      login: "lan.nguyen",
      password: "mat-khau-dai-1234",
      role: "officer",
      agencyId: AGENCY,
    });
    expect(officer.status, JSON.stringify(officer.body)).toBe(201);
    const auditor = await hub.api("POST", "/api/users", {
      name: "Trần Văn Bình",
      login: "binh.tran",
      password: "mat-khau-kiem-tra-9",
      role: "auditor",
    });
    expect(auditor.status, JSON.stringify(auditor.body)).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it("signs an officer in from the page at / and lands on the officer's calendar", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByLabel("Tên đăng nhập").isVisible()).resolves.toBe(true);
    await screenshot(page, "signin");
    await signIn(page, "lan.nguyen", "mat-khau-dai-1234");
    await page.waitForURL("**/officer/calendar");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Lịch đăng của đơn vị");
    await expect(page.getByRole("navigation").getByRole("link", { name: "Lịch đăng" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "officer-home");
    await context.close();
  });

  it("shows a wrong password next to the password field, in Vietnamese, and signs nobody in", async () => {
    const context = await newContext(browser, hub.url, { width: 360 });
    const page = await context.newPage();
    await signIn(page, "lan.nguyen", "sai-mat-khau-roi");
    const error = page.locator("#f-password-error");
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe("Sai tên đăng nhập hoặc mật khẩu.");
    await expect(page.getByLabel("Mật khẩu").getAttribute("aria-invalid")).resolves.toBe("true");
    // Nothing wider than the phone's screen.
    await expect(page.evaluate("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(360);
    await screenshot(page, "signin-error-360");
    await context.close();
  });

  it("lands an auditor on the compliance board, and switches the app to English and back, remembered", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "binh.tran", "mat-khau-kiem-tra-9");
    await page.waitForURL("**/compliance");
    await page.getByLabel("Ngôn ngữ").selectOption("en");
    await expect(page.getByRole("button", { name: "Sign out" }).isVisible()).resolves.toBe(true);
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await page.getByLabel("Language").selectOption("vi");
    await page.getByRole("button", { name: "Đăng xuất" }).click();
    await page.getByLabel("Tên đăng nhập").waitFor();
    await context.close();
  });
});
