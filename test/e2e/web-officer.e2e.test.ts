import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { AGENCY, settled } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { FacebookStub } from "../stubs/facebook.stub.js";
import { YouTubeStub } from "../stubs/youtube.stub.js";

const OTHER_AGENCY = "so-tai-chinh";
const OFFICER = { login: "lan.officer", password: "mat-khau-can-bo-1" };
const APPROVER = { login: "hung.approver", password: "mat-khau-lanh-dao-1" };
const STRANGER = { login: "khac.officer", password: "mat-khau-don-vi-khac" };

/** `YYYY-MM-DDTHH:mm:ss`, Vietnamese wall-clock time, for the schedule's date-time field. */
const vnInput = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 19);

/**
 * The officers' and approvers' path in headless Chromium: an officer composes an infographic, uploads
 * it, previews it on Facebook, YouTube and the loudspeakers, submits it; the approver approves it; the
 * officer schedules it on Facebook, sees it in the calendar, then published; an officer of another
 * agency cannot open it, by URL either.
 */
describe("the web app: officers and approvers", () => {
  let hub: TestHub;
  let fb: FacebookStub;
  let yt: YouTubeStub;
  let browser: Browser;
  let dir: string;
  let png: string;
  const ch: Record<string, string> = {};
  let itemId = "";

  const user = async (body: Record<string, unknown>) => {
    const res = await hub.api("POST", "/api/users", body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  const channel = async (kind: string, name: string, settings: Record<string, unknown>, secret?: string) => {
    const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name, settings, ...(secret ? { secret } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-web-e2e-"));
    png = path.join(dir, "5-buoc-nop-ho-so.png");
    await sharp({ create: { width: 1080, height: 1350, channels: 3, background: { r: 0, g: 110, b: 180 } } })
      .png()
      .toFile(png);
    [fb, yt, browser] = await Promise.all([new FacebookStub().start(), new YouTubeStub().start(), launchBrowser()]);
    hub = await startHub("sqlite", { providers: { facebook: fb.url, youtube: yt.url } });
    ch.facebook = await channel("facebook_page", "Fanpage Sở KH&CN", { pageId: fb.pageId }, fb.pageToken);
    const ytSecret = { refreshToken: yt.refreshToken, accessToken: yt.issue(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    ch.youtube = await channel("youtube", "Kênh YouTube Sở", { privacyStatus: "public" }, JSON.stringify(ytSecret));
    ch.loudspeaker = await channel("loudspeaker", "Đài truyền thanh", { slots: [{ days: ["mon", "thu"], time: "06:00" }] });
    await user({ name: "Nguyễn Thị Lan", role: "officer", agencyId: AGENCY, ...OFFICER });
    await user({ name: "Trần Quốc Hùng", role: "approver", agencyId: AGENCY, ...APPROVER });
    await user({ name: "Lê Văn Khác", role: "officer", agencyId: OTHER_AGENCY, ...STRANGER });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await Promise.all([fb?.stop(), yt?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function officerPage(): Promise<Page> {
    const page = await (await newContext(browser, hub.url)).newPage();
    await signIn(page, OFFICER.login, OFFICER.password);
    await page.waitForURL("**/officer/calendar");
    return page;
  }

  it("composes an infographic, uploads it with progress, previews three channels and submits it", async () => {
    const page = await officerPage();
    // The week's obligation is always on screen.
    await expect(page.locator(".obligations").textContent()).resolves.toMatch(/^Tuần \d+: 0\/1 tin cho nhiệm vụ 1\.3 — còn \d ngày/);
    await page.getByRole("link", { name: "Soạn tin mới" }).first().click();
    await page.waitForURL("**/officer/items/new");
    await page.getByLabel("Loại tin").selectOption("infographic");
    await page.getByLabel("Tiêu đề", { exact: true }).fill("5 bước nộp hồ sơ trực tuyến");
    await page.getByLabel("Nội dung", { exact: true }).fill("Người dân Cần Thơ có thể nộp hồ sơ trực tuyến tại nhà, không phải xếp hàng.");
    await page.getByRole("checkbox", { name: /1\.3 — / }).check();
    await page.getByRole("button", { name: "Lưu bản nháp" }).click();
    await page.waitForURL(/\/officer\/items\/[0-9a-f-]{36}$/);
    itemId = page.url().split("/").pop() ?? "";

    await page.getByLabel("Ảnh, video, âm thanh").setInputFiles(png);
    await page.locator(".media-list li", { hasText: "sẵn sàng" }).waitFor({ timeout: 60_000 });

    const previews = page.locator(".previews");
    await previews.locator('[data-kind="facebook_page"] img').waitFor();
    await expect(previews.locator('[data-kind="facebook_page"] .fb-text').textContent()).resolves.toContain("nộp hồ sơ trực tuyến");
    await expect(previews.locator('[data-kind="youtube"] .figures').textContent()).resolves.toBe("Tiêu đề: 27/100 ký tự");
    await expect(previews.locator('[data-kind="loudspeaker"] .figures').textContent()).resolves.toMatch(
      /^Thời lượng đọc: khoảng 0 phút \d+ giây \(160 từ\/phút\)$/,
    );
    await screenshot(page, "officer-compose-previews");

    // A live preview: an edit is saved by itself and every channel's preview follows.
    await page.getByLabel("Tiêu đề", { exact: true }).fill("5 bước nộp hồ sơ trực tuyến tại Cần Thơ");
    await eventually(
      async () => ((await previews.locator('[data-kind="youtube"] .figures').textContent()) === "Tiêu đề: 39/100 ký tự" ? true : undefined),
      10_000,
      "the YouTube preview to follow the new title",
    );
    // A per-channel variant: Facebook gets its own text, the others keep the item's.
    await page.getByText("Nội dung riêng cho từng kênh").click();
    await page.locator("#f-variant-facebook_page").fill("Nộp hồ sơ online tại nhà, nhanh và miễn phí!");
    await eventually(
      async () =>
        (await previews.locator('[data-kind="facebook_page"] .fb-text').textContent())?.includes("nhanh và miễn phí") ? true : undefined,
      10_000,
      "the Facebook preview to show its own text",
    );
    await expect(previews.locator('[data-kind="loudspeaker"] .script').textContent()).resolves.not.toContain("miễn phí");
    await page.getByRole("button", { name: "Gửi duyệt" }).click();
    await page.getByText("Đã gửi duyệt. Người duyệt của đơn vị sẽ nhận được thông báo.").waitFor();
    const item = await hub.api("GET", `/api/items/${itemId}`);
    expect(item.body).toMatchObject({
      status: "submitted",
      kind: "infographic",
      title: "5 bước nộp hồ sơ trực tuyến tại Cần Thơ",
      tasks: ["1.3"],
      variants: { facebook_page: { body: "Nộp hồ sơ online tại nhà, nhanh và miễn phí!" } },
    });
    expect((await hub.api("GET", `/api/items/${itemId}/media`)).body.data).toHaveLength(1);
    await page.context().close();
  }, 120_000);

  it("lets the approver find it in the queue, preview it and approve it", async () => {
    const page = await (await newContext(browser, hub.url)).newPage();
    await signIn(page, APPROVER.login, APPROVER.password);
    await page.waitForURL("**/approvals");
    const entry = page.locator(".queue li", { hasText: "5 bước nộp hồ sơ trực tuyến tại Cần Thơ" });
    await entry.getByRole("button", { name: "Xem và duyệt" }).click();
    await entry.locator('[data-kind="facebook_page"]').waitFor();
    // Returning needs a comment: the API's refusal shows next to the comment field.
    await entry.getByRole("button", { name: "Trả lại để sửa" }).click();
    await expect(entry.locator(".field-error").textContent()).resolves.toBe("Hãy ghi rõ cần sửa gì.");
    await screenshot(page, "approver-review");
    await entry.getByRole("button", { name: "Duyệt" }).click();
    await page.getByText("Đã duyệt tin.").waitFor();
    await page.getByText("Không có tin nào chờ duyệt.").waitFor();
    expect((await hub.api("GET", `/api/items/${itemId}`)).body.status).toBe("approved");
    await page.context().close();
  }, 60_000);

  it("schedules it on Facebook, shows it in the calendar, then published", async () => {
    const page = await officerPage();
    await page.goto(`/officer/items/${itemId}`);
    await page.getByText("Đã duyệt", { exact: true }).waitFor();
    const form = page.locator("form.schedule");
    // No channel chosen: said next to the channels.
    await form.getByRole("button", { name: "Lên lịch" }).click();
    await form.getByText("Chọn ít nhất một kênh.").waitFor();
    await form.getByRole("checkbox", { name: /Fanpage Sở KH&CN/ }).check();
    await form.getByLabel("Ngày giờ (giờ Việt Nam)").fill(vnInput(new Date(Date.now() + 20_000)));
    await form.getByRole("button", { name: "Lên lịch" }).click();
    await form.getByText("Đã lên lịch 1 lượt đăng.").waitFor();
    const deliveries = (await hub.api("GET", `/api/deliveries?itemId=${itemId}`)).body.data;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ channelId: ch.facebook, status: "scheduled" });

    await page.getByRole("link", { name: "Lịch đăng" }).click();
    await page.getByRole("button", { name: "Danh sách" }).click();
    const event = page.locator(".fc-list-event", { hasText: "5 bước nộp hồ sơ trực tuyến tại Cần Thơ" });
    await event.waitFor();
    await expect(event.locator(".badge").textContent()).resolves.toBe("Đã lên lịch");
    await screenshot(page, "officer-calendar-scheduled");

    const published = await settled(hub.api, deliveries[0].id, ["published", "failed", "unconfirmed"], 60_000);
    expect(published.status, published.lastError).toBe("published");
    expect(fb.photos.filter((p) => p.published)).toHaveLength(1);
    await page.reload();
    await page.getByRole("button", { name: "Danh sách" }).click();
    await event.waitFor();
    await expect(event.locator(".badge").textContent()).resolves.toBe("Đã đăng");
    await event.locator("a").first().click();
    const panel = page.getByRole("dialog");
    await expect(panel.locator(".badge").textContent()).resolves.toBe("Đã đăng");
    await expect(
      panel
        .getByText(/^Thứ .+, \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await screenshot(page, "officer-calendar-published");
    await page.context().close();
  }, 120_000);

  it("does not show another agency's officer the item, by URL either", async () => {
    const page = await (await newContext(browser, hub.url)).newPage();
    await signIn(page, STRANGER.login, STRANGER.password);
    await page.waitForURL("**/officer/calendar");
    const theirs = await hub.api("POST", "/api/items", {
      agencyId: AGENCY,
      kind: "news",
      title: "Tin nội bộ của Sở KH&CN",
      body: "Chưa công bố.",
    });
    expect(theirs.status).toBe(201);
    await page.goto(`/officer/items/${theirs.body.id}`);
    await page.getByText(/^Không tìm thấy\./).waitFor();
    await expect(page.getByText("Tin nội bộ của Sở KH&CN").count()).resolves.toBe(0);
    const direct = await page.request.get(`/api/items/${theirs.body.id}`);
    expect(direct.status()).toBe(404);
    await page.getByRole("link", { name: "Lịch đăng" }).click();
    await page.getByRole("button", { name: "Danh sách" }).click();
    await page.locator(".fc-list-empty").waitFor();
    await expect(page.locator(".fc-list-event").count()).resolves.toBe(0);
    await screenshot(page, "other-agency-officer");
    await page.context().close();
  }, 60_000);
});
