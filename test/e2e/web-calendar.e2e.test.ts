import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newContext, screenshot, signIn } from "../helpers/browser.js";
import { AGENCY, createItem, settled } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const OFFICER = { login: "mai.officer", password: "mat-khau-cua-mai-1" };
const DAY = 86_400_000;

/** 09:00 in Vietnam, `days` from today (Vietnamese date). */
function nineAm(days: number): Date {
  const wall = new Date(Date.now() + 7 * 3_600_000 + days * DAY);
  return new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), 2, 0, 0));
}

/** The officer's calendar in headless Chromium: drag to reschedule, cancel, a failure's provider message and retry. */
describe("the web app: the officer's calendar", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let browser: Browser;
  let channelId = "";
  let page: Page;

  /** An approved item (an admin's) scheduled on the portal at `at`: its delivery id. */
  async function delivery(title: string, at: Date): Promise<string> {
    const item = await createItem(hub.api, { title });
    // An admin's own item is approved as it is created (issue 12: the accountable skip the queue).
    expect(item.status).toBe("approved");
    const res = await hub.api("POST", `/api/items/${item.id}/schedule`, { deliveries: [{ channelId, at: at.toISOString() }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data[0].id;
  }

  beforeAll(async () => {
    [stub, browser] = await Promise.all([new WebhookStub("khoa-ky-cong-thong-tin").start(), launchBrowser()]);
    hub = await startHub("sqlite", { allow: [stub.url] });
    const ch = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "webhook",
      name: "Cổng TTĐT",
      settings: { url: stub.url },
      secret: stub.secret,
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    channelId = ch.body.id;
    const u = await hub.api("POST", "/api/users", { name: "Phạm Thị Mai", role: "officer", agencyId: AGENCY, ...OFFICER });
    expect(u.status).toBe(201);
    page = await (await newContext(browser, hub.url)).newPage();
    await signIn(page, OFFICER.login, OFFICER.password);
    await page.waitForURL("**/officer/calendar");
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await stub?.stop();
  });

  it("schedules an item on two channels at once, or at a channel's next free slot; a past time or a channel without slots is named next to its field", async () => {
    const second = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "webhook",
      name: "Cổng phường",
      settings: { url: stub.url, slots: [{ days: ["tue", "fri"], time: "08:00" }] },
      secret: stub.secret,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const item = await createItem(hub.api, { title: "Tin hai kênh" });
    await page.goto(`/officer/items/${item.id}`);
    const form = page.locator("form.schedule");
    await form.getByRole("checkbox", { name: /^Cổng TTĐT/ }).check();
    await form.getByLabel("Ngày giờ (giờ Việt Nam)").fill("2020-01-06T08:00");
    await form.getByRole("button", { name: "Lên lịch" }).click();
    await expect(form.locator("#f-at-error").textContent()).resolves.toBe("Thời điểm này đã qua: hãy chọn một thời điểm sau bây giờ.");
    await form.getByRole("checkbox", { name: /^Cổng phường/ }).check();
    await form.getByLabel("Vào khung giờ trống kế tiếp của kênh").check();
    await form.getByRole("button", { name: "Lên lịch" }).click();
    // The portal has no weekly slots: the API names its delivery, shown under that channel.
    const portalRow = form.locator("div", { has: page.getByRole("checkbox", { name: /^Cổng TTĐT/ }) });
    await expect(portalRow.locator(".field-error").textContent()).resolves.toBe("Kênh này chưa có khung giờ đăng hằng tuần: hãy chọn giờ.");
    await screenshot(page, "officer-schedule-errors");
    await form.getByLabel("Vào giờ đã chọn").check();
    await form.getByLabel("Ngày giờ (giờ Việt Nam)").fill(new Date(nineAm(5).getTime() + 7 * 3_600_000).toISOString().slice(0, 16));
    await form.getByRole("button", { name: "Lên lịch" }).click();
    await form.getByText("Đã lên lịch 2 lượt đăng.").waitFor();
    const both = (await hub.api("GET", `/api/deliveries?itemId=${item.id}`)).body.data;
    expect(both.map((d: { channelId: string }) => d.channelId).sort()).toEqual([channelId, second.body.id].sort());
    for (const d of both) expect(new Date(d.scheduledAt).toISOString()).toBe(nineAm(5).toISOString());

    const next = await createItem(hub.api, { title: "Tin khung giờ" });
    await page.goto(`/officer/items/${next.id}`);
    await form.getByRole("checkbox", { name: /^Cổng phường/ }).check();
    await form.getByLabel("Vào khung giờ trống kế tiếp của kênh").check();
    await form.getByRole("button", { name: "Lên lịch" }).click();
    await form.getByText("Đã lên lịch 1 lượt đăng.").waitFor();
    const [d] = (await hub.api("GET", `/api/deliveries?itemId=${next.id}`)).body.data;
    // 08:00 in Vietnam on a Tuesday or a Friday.
    const wall = new Date(new Date(d.scheduledAt).getTime() + 7 * 3_600_000);
    expect([2, 5]).toContain(wall.getUTCDay());
    expect(wall.toISOString().slice(11, 16)).toBe("08:00");
  });

  it("reschedules a delivery by dragging it to another day in the month view", async () => {
    // Two days ahead, moved one day on: both days in this month's grid (which shows six weeks).
    const at = nineAm(2);
    const id = await delivery("Lịch tiếp dân trực tuyến", at);
    await page.goto("/officer/calendar");
    const event = page.locator(".fc-daygrid-event", { hasText: "Lịch tiếp dân trực tuyến" });
    await event.waitFor();
    const target = new Date(at.getTime() + 7 * 3_600_000 + DAY).toISOString().slice(0, 10);
    await event.dragTo(page.locator(`td.fc-day[data-date="${target}"] .fc-daygrid-day-frame`));
    await page.getByText(/^Đã dời “Lịch tiếp dân trực tuyến” sang Thứ .+, \d{2}\/\d{2}\/\d{4} 09:00\.$/).waitFor({ state: "attached" });
    const moved = await hub.api("GET", `/api/deliveries/${id}`);
    expect(new Date(moved.body.scheduledAt).toISOString()).toBe(new Date(at.getTime() + DAY).toISOString());
    await screenshot(page, "officer-calendar-month");
  });

  it("reschedules a delivery from its panel with the keyboard, and cancels it", async () => {
    const id = await delivery("Thông báo tạm dừng", nineAm(3));
    await page.goto("/officer/calendar");
    await page.locator(".fc-daygrid-event", { hasText: "Thông báo tạm dừng" }).focus();
    await page.keyboard.press("Enter");
    const field = page.getByRole("dialog").getByLabel("Dời sang (giờ Việt Nam)");
    await field.fill("2020-01-06T08:00");
    await page.getByRole("dialog").getByRole("button", { name: "Dời lịch" }).press("Enter");
    await expect(page.locator("#f-move-at-error").textContent()).resolves.toBe("Thời điểm này đã qua: hãy chọn một thời điểm sau bây giờ.");
    const later = new Date(nineAm(3).getTime() + 3_600_000);
    await field.fill(new Date(later.getTime() + 7 * 3_600_000).toISOString().slice(0, 16));
    await page.getByRole("dialog").getByRole("button", { name: "Dời lịch" }).press("Enter");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(new Date((await hub.api("GET", `/api/deliveries/${id}`)).body.scheduledAt).toISOString()).toBe(later.toISOString());
    await page.locator(".fc-daygrid-event", { hasText: "Thông báo tạm dừng" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Hủy lượt đăng" }).click();
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect((await hub.api("GET", `/api/deliveries/${id}`)).body.status).toBe("cancelled");
  });

  it("shows a failure with the provider's message, and retries it", async () => {
    stub.script({ status: 422, body: { message: "Chuyên mục không tồn tại" } });
    const id = await delivery("Tin lỗi chuyên mục", new Date(Date.now() + 1_500));
    expect((await settled(hub.api, id, ["failed", "published"])).status).toBe("failed");
    await page.goto("/officer/calendar");
    const failure = page.locator(".failure-list li", { hasText: "Chuyên mục không tồn tại" });
    await failure.waitFor();
    await screenshot(page, "officer-failures");
    await failure.getByRole("button", { name: "Thử lại" }).click();
    const d = await settled(hub.api, id, ["published"], 20_000);
    expect(d.status).toBe("published");
    expect(stub.posts.filter((p) => String(p.body.title ?? JSON.stringify(p.body)).includes("Tin lỗi chuyên mục"))).toHaveLength(1);
    await page.goto("/officer/calendar");
    await page.getByText("Không có lượt đăng nào bị lỗi.").waitFor();
  }, 60_000);
});
