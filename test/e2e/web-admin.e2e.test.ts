import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityViolations, launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { AGENCY } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { FacebookStub } from "../stubs/facebook.stub.js";

/**
 * The admins' pages in headless Chromium: agencies with their validity, channels and their connection
 * (a flagged one, the connect button to the provider's consent page), users created with a user name and
 * password who then sign in, a password reset, a deactivation, tokens, obligations and exemptions; API
 * errors next to their fields, in Vietnamese.
 */
describe("the web app: administration", () => {
  let hub: TestHub;
  let browser: Browser;
  let fb: FacebookStub;
  let flagged = "";

  beforeAll(async () => {
    fb = await new FacebookStub().start();
    [hub, browser] = await Promise.all([
      startHub("sqlite", {
        roles: ["web"],
        providers: { facebook: fb.url },
        env: { FACEBOOK_CLIENT_ID: fb.app.clientId, FACEBOOK_CLIENT_SECRET: fb.app.clientSecret },
      }),
      launchBrowser(),
    ]);
    const admin = await hub.api("POST", "/api/users", {
      name: "Phạm Quản Trị",
      login: "quan.tri",
      password: "mat-khau-quan-tri-1",
      role: "admin",
    });
    expect(admin.status, JSON.stringify(admin.body)).toBe(201);
    const channel = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "facebook_page",
      name: "Trang Facebook Sở",
      settings: { pageId: fb.pageId },
      secret: fb.pageToken,
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    flagged = channel.body.id;
    // Facebook refused its token: the channel is flagged for reconnecting, as the publisher does.
    await hub.running.runtime.services.db
      .updateTable("channels")
      .set({ reconnect_reason: "Facebook refused the token (OAuthException 190)", reconnect_flagged_at: new Date() })
      .where("id", "=", flagged)
      .execute();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await fb?.stop();
  });

  const section = async (page: Page, name: string) => {
    await page.getByRole("navigation", { name: "Mục quản trị" }).getByRole("button", { name }).click();
  };

  it("adds an agency with its validity, naming a bad id next to its field, and ends it", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await page.getByRole("table").waitFor();
    const form = page.getByRole("form", { name: "Thêm cơ quan" });
    await form.getByLabel("Mã cơ quan").fill("Phường Mới");
    await form.getByLabel("Tên cơ quan").fill("Phường Tân Mới");
    await form.getByLabel("Hiệu lực từ ngày").fill("2026-01-01");
    await form.getByRole("button", { name: "Thêm cơ quan" }).click();
    await page.locator("#f-id-error").waitFor();
    await expect(form.getByLabel("Mã cơ quan").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.locator("#f-id-error").textContent()).resolves.toMatch(/^Giá trị không hợp lệ\./);
    await screenshot(page, "admin-agency-error");

    await form.getByLabel("Mã cơ quan").fill("phuong-tan-moi");
    await form.getByRole("button", { name: "Thêm cơ quan" }).click();
    await form.getByRole("status").waitFor();
    const created = (await hub.api("GET", "/api/agencies")).body.data.find((a: { id: string }) => a.id === "phuong-tan-moi");
    expect(created).toMatchObject({ name: "Phường Tân Mới", kind: "commune", validFrom: "2026-01-01", validTo: null });

    await page.getByLabel("Tìm cơ quan").fill("tân mới");
    await expect(page.getByRole("table").locator("tbody tr").count()).resolves.toBe(1);
    await page.getByRole("button", { name: "Sửa: Phường Tân Mới" }).click();
    await page.locator("#e-validTo-phuong-tan-moi").fill("2026-06-30");
    await page.getByRole("button", { name: "Lưu" }).click();
    await page
      .getByRole("row", { name: /Phường Tân Mới/ })
      .getByText("01/01/2026 – 30/06/2026")
      .waitFor();
    const ended = (await hub.api("GET", "/api/agencies")).body.data.find((a: { id: string }) => a.id === "phuong-tan-moi");
    expect(ended.validTo).toBe("2026-06-30");
    await screenshot(page, "admin-agencies");
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  it("shows a channel that needs reconnecting, and its connect button opens the provider's consent page", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await section(page, "Kênh");
    const row = page.getByRole("row", { name: /Trang Facebook Sở/ });
    await row.getByText("Cần kết nối lại: Facebook refused the token (OAuthException 190)").waitFor();
    await page.getByLabel("Chỉ hiện kênh cần kết nối lại (1)").check();
    await expect(page.getByRole("table").locator("tbody tr").count()).resolves.toBe(1);
    await screenshot(page, "admin-channels");
    expect(await accessibilityViolations(page)).toEqual([]);
    await row.getByRole("button", { name: "Kết nối với Facebook: Trang Facebook Sở" }).click();
    await page.waitForURL((url) => url.pathname.endsWith("/dialog/oauth"));
    const url = new URL(page.url());
    expect(`${url.origin}${url.pathname}`).toBe(`${fb.url}/v21.0/dialog/oauth`);
    expect(url.searchParams.get("client_id")).toBe(fb.app.clientId);
    expect(url.searchParams.get("redirect_uri")).toMatch(/\/api\/oauth\/callback$/);
    expect(url.searchParams.get("state")).toBeTruthy();
    await context.close();
  });

  it("creates a user with a user name and password who signs in, resets the password, deactivates them", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await section(page, "Người dùng");
    const form = page.getByRole("form", { name: "Tạo người dùng" });
    await form.getByLabel("Họ và tên").fill("Nguyễn Thị Lan");
    await form.getByLabel("Tên đăng nhập").fill("lan.nguyen");
    await form.getByLabel("Mật khẩu").fill("ngan");
    await form.getByLabel("Cơ quan").selectOption(AGENCY);
    await form.getByRole("button", { name: "Tạo người dùng" }).click();
    await page.locator("#f-password-error").waitFor();
    await expect(page.locator("#f-password-error").textContent()).resolves.toBe("Cần ít nhất 10 ký tự.");
    await form.getByLabel("Mật khẩu").fill("mat-khau-dai-1234");
    await form.getByRole("button", { name: "Tạo người dùng" }).click();
    await form.getByRole("status").filter({ hasText: "Đã tạo Nguyễn Thị Lan" }).waitFor();
    await screenshot(page, "admin-users");
    expect(await accessibilityViolations(page)).toEqual([]);
    const lan = (await hub.api("GET", "/api/users")).body.data.find((u: { login: string }) => u.login === "lan.nguyen");
    expect(lan).toMatchObject({ name: "Nguyễn Thị Lan", role: "officer", agencyId: AGENCY, active: true });

    // The new officer signs in with what the admin gave.
    const other = await newContext(browser, hub.url);
    const officer = await other.newPage();
    await signIn(officer, "lan.nguyen", "mat-khau-dai-1234");
    await officer.waitForURL("**/officer/calendar");

    const row = page.getByRole("row", { name: /Nguyễn Thị Lan/ });
    await row.getByText("Đặt lại mật khẩu cho Nguyễn Thị Lan").click();
    await row.getByLabel("Mật khẩu mới cho Nguyễn Thị Lan").fill("mat-khau-moi-5678");
    await row.getByRole("button", { name: "Đặt mật khẩu" }).click();
    await row.getByRole("status").filter({ hasText: "Đã đặt mật khẩu mới" }).waitFor();
    // Her session ended with the reset; the new password works.
    await officer.reload();
    await officer.getByLabel("Tên đăng nhập").waitFor();
    await signIn(officer, "lan.nguyen", "mat-khau-moi-5678");
    await officer.waitForURL("**/officer/calendar");

    await row.getByRole("button", { name: "Khóa tài khoản Nguyễn Thị Lan" }).click();
    await row.getByRole("button", { name: "Mở lại tài khoản Nguyễn Thị Lan" }).waitFor();
    expect((await hub.api("GET", "/api/users")).body.data.find((u: { id: string }) => u.id === lan.id).active).toBe(false);
    await officer.reload();
    await officer.getByLabel("Tên đăng nhập").waitFor();
    await other.close();
    await context.close();
  });

  it("creates a broadcaster linked to a station of their agency, the station named next to its field when missing", async () => {
    const station = await hub.api("POST", "/api/channels", {
      agencyId: "phuong-ninh-kieu",
      kind: "loudspeaker",
      name: "Đài truyền thanh phường Ninh Kiều",
      settings: { slots: [{ days: ["mon"], time: "06:00" }] },
    });
    expect(station.status, JSON.stringify(station.body)).toBe(201);
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await section(page, "Người dùng");
    const form = page.getByRole("form", { name: "Tạo người dùng" });
    await form.getByLabel("Họ và tên").fill("Lê Thị Loa");
    await form.getByLabel("Tên đăng nhập").fill("loa.le");
    await form.getByLabel("Mật khẩu").fill("mat-khau-phat-thanh");
    await form.getByLabel("Vai trò").selectOption("broadcaster");
    await form.getByLabel("Cơ quan").selectOption("phuong-ninh-kieu");
    await form.getByRole("button", { name: "Tạo người dùng" }).click();
    await page.locator("#f-stationIds-error").waitFor();
    await form.getByLabel("Đài, bảng tin (cho phát thanh viên)").selectOption([station.body.id]);
    await form.getByRole("button", { name: "Tạo người dùng" }).click();
    await form.getByRole("status").filter({ hasText: "Đã tạo Lê Thị Loa" }).waitFor();
    const loa = (await hub.api("GET", "/api/users")).body.data.find((u: { login: string }) => u.login === "loa.le");
    expect(loa).toMatchObject({ role: "broadcaster", agencyId: "phuong-ninh-kieu" });
    // She signs in and finds her station's script.
    const hers = await newContext(browser, hub.url);
    const broadcaster = await hers.newPage();
    await signIn(broadcaster, "loa.le", "mat-khau-phat-thanh");
    await broadcaster.waitForURL("**/broadcast");
    await broadcaster.getByLabel("Đài", { exact: true }).waitFor();
    await expect(broadcaster.getByLabel("Đài", { exact: true }).locator("option").allTextContents()).resolves.toEqual([
      "Đài truyền thanh phường Ninh Kiều",
    ]);
    await hers.close();
    await context.close();
  });

  it("mints and revokes a token, changes an obligation's minimum, adds and removes an exemption", async () => {
    const context = await newContext(browser, hub.url, { width: 360 });
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await section(page, "Mã API");
    await page.getByLabel("Tên mã").fill("Cổng thông tin");
    await page.getByLabel("Thời hạn").fill("30d");
    await page.getByRole("button", { name: "Tạo mã API cho tôi" }).click();
    const secret = await page.locator("code.secret").textContent();
    expect((await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    await page.getByRole("button", { name: "Thu hồi mã Cổng thông tin" }).click();
    await page
      .getByRole("row", { name: /Cổng thông tin/ })
      .getByText("Đã thu hồi")
      .waitFor();
    expect((await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    await screenshot(page, "admin-tokens-360");

    await section(page, "Nhiệm vụ và miễn trừ");
    await page.getByLabel("Số tin tối thiểu cho nhiệm vụ 1.3").fill("2");
    await page.getByRole("row", { name: /^1\.3/ }).getByRole("button", { name: "Lưu" }).click();
    await expect.poll(async () => (await hub.api("GET", "/api/obligations/1.3")).body.minCount).toBe(2);

    await page.getByLabel("Kỳ", { exact: true }).fill("2026-W99");
    await page.getByLabel("Lý do").fill("Nghỉ Tết Nguyên đán");
    await page.getByRole("button", { name: "Thêm miễn trừ" }).click();
    await page.locator("#f-period-error").waitFor();
    await page.getByLabel("Kỳ", { exact: true }).fill("2026-W07");
    await page.getByLabel("Nhiệm vụ", { exact: true }).selectOption("1.3");
    await page.getByRole("button", { name: "Thêm miễn trừ" }).click();
    await page.getByRole("button", { name: "Xóa miễn trừ 2026-W07" }).waitFor();
    const exemptions = (await hub.api("GET", "/api/compliance/exemptions")).body.data;
    expect(exemptions).toEqual([expect.objectContaining({ period: "2026-W07", reason: "Nghỉ Tết Nguyên đán", agencyId: null })]);
    await expect(page.evaluate("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(360);
    await screenshot(page, "admin-rules-360");
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Xóa miễn trừ 2026-W07" }).click();
    await page.getByText("Chưa có miễn trừ nào.").waitFor();
    expect((await hub.api("GET", "/api/compliance/exemptions")).body.data).toEqual([]);
    await context.close();
  }, 60_000);

  it("subscribes a webhook (events named next to their field), pauses it, and reads the audit log", async () => {
    const context = await newContext(browser, hub.url);
    const page = await context.newPage();
    await signIn(page, "quan.tri", "mat-khau-quan-tri-1");
    await page.waitForURL("**/admin");
    await section(page, "Webhook gửi đi");
    await page.getByText("Chưa có webhook nào.").waitFor();
    await page.getByLabel("Địa chỉ nhận (URL)").fill("https://cms.cantho.gov.vn/hooks/loa");
    await page.getByRole("button", { name: "Thêm webhook" }).click();
    await page.locator("#f-events-error").waitFor();
    await page.getByLabel("delivery.failed").check();
    await page.getByLabel("week.closed").check();
    await page.getByRole("button", { name: "Thêm webhook" }).click();
    const secret = await page.locator("code.secret").textContent();
    expect(secret?.length).toBeGreaterThan(20);
    const [hook] = (await hub.api("GET", "/api/webhooks")).body.data;
    expect(hook).toMatchObject({ url: "https://cms.cantho.gov.vn/hooks/loa", events: ["delivery.failed", "week.closed"], paused: false });
    await page.getByRole("button", { name: "Tạm dừng" }).click();
    await page.getByRole("button", { name: "Gửi tiếp" }).waitFor();
    expect((await hub.api("GET", `/api/webhooks/${hook.id}`)).body.paused).toBe(true);
    await screenshot(page, "admin-webhooks");
    expect(await accessibilityViolations(page)).toEqual([]);

    await section(page, "Nhật ký");
    await page.getByRole("table").waitFor();
    await page.getByLabel("Hành động").fill("agency.");
    await page.getByRole("button", { name: "Xem nhật ký" }).click();
    await expect
      .poll(async () => (await page.getByRole("table").locator("tbody tr th").allTextContents()).sort(), { timeout: 10_000 })
      .toEqual(["agency.create", "agency.update"]);
    const csv = await page.getByRole("link", { name: "Tải nhật ký (CSV)" }).getAttribute("href");
    expect(csv).toContain("action=agency.");
    const text = await page.evaluate((url) => fetch(url).then((r) => r.text()), csv ?? "");
    expect(text).toContain("agency.create");
    expect(text).not.toContain("webhook.create");
    await screenshot(page, "admin-audit");
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
