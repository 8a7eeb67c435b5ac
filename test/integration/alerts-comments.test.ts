// Failure alerts, comments and mentions (issue 12): in the app, by e-mail (an SMTP stub), once per event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toLocalIso } from "../../content/time.js";
import { DB_KINDS } from "../helpers/db.js";
import { createItem } from "../helpers/fixtures.js";
import { type Api, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { decodeQuotedPrintable, SmtpStub } from "../stubs/smtp.stub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const OWN = "so-noi-vu";
const OTHER = "so-tai-chinh";
const DOST = "so-khcn";

describe.each(DB_KINDS)("failure alerts, comments and mentions (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let smtp: SmtpStub;
  let api: Api;
  let good: string;
  let rejecting: string;
  const t: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-canh-bao-that-bai-1").start();
    smtp = await new SmtpStub().start();
    hub = await startHub(kind, {
      roles: ["web"],
      allow: [stub.url],
      env: { SMTP_URL: smtp.url, SMTP_FROM: "Loa <loa@sokhcn.cantho.gov.vn>", MISSED_AFTER: "2s" },
    });
    api = hub.api;
    const channel = async (secret: string) =>
      (await api("POST", "/api/channels", { agencyId: OWN, kind: "webhook", name: "Cổng Sở Nội vụ", settings: { url: stub.url }, secret }))
        .body.id as string;
    good = await channel(stub.secret);
    rejecting = await channel("khoa-sai-nguoi-nhan-khong-biet");
    // Officers approve their own items here, so deliveries go out without an approver.
    await api("PATCH", `/api/agencies/${OWN}`, { approval: "self" });
    const users: [string, string, string | undefined, string | undefined][] = [
      ["author", "officer", OWN, "an.nguyen@snv.cantho.gov.vn"],
      ["colleague", "officer", OWN, "binh.tran@snv.cantho.gov.vn"],
      ["approver", "approver", OWN, "lanh.dao@snv.cantho.gov.vn"],
      ["dost", "officer", DOST, "dung@sokhcn.cantho.gov.vn"],
      ["stranger", "officer", OTHER, "chi@stc.cantho.gov.vn"],
      ["auditor", "auditor", undefined, undefined],
    ];
    for (const [key, role, agencyId, email] of users) {
      const res = await api("POST", "/api/users", {
        name: `Người ${key}`,
        role,
        ...(agencyId ? { agencyId } : {}),
        ...(email ? { email } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      t[key] = res.body.token;
      ids[key] = res.body.id;
    }
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
    await smtp?.stop();
  });

  const approvedItem = async (title: string) => {
    const item = await createItem(api, { agencyId: OWN, tasks: [], title }, t.author);
    expect((await api("POST", `/api/items/${item.id}/approve`, {}, t.author)).status).toBe(200);
    return item.id as string;
  };
  const scheduleNow = async (itemId: string, channelId: string) =>
    (await api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId }] }, t.author)).body.data[0].id as string;
  const run = (id: string) => hub.running.runtime.services.publisher.run(id);
  const alertsOf = async (token: string, deliveryId: string) =>
    (await api("GET", "/api/notifications?limit=500", undefined, token)).body.data.filter(
      (n: { data: { deliveryId?: string } }) => n.data.deliveryId === deliveryId,
    );
  const mailsAbout = (title: string) => smtp.mails.filter((m) => decodeQuotedPrintable(m.data).includes(title));

  it("tells the author and the agency's officers once when a delivery fails, in the app and by e-mail", async () => {
    const itemId = await approvedItem("Tin bị từ chối");
    const deliveryId = await scheduleNow(itemId, rejecting);
    expect(await run(deliveryId)).toMatchObject({ status: "failed" });
    for (const who of ["author", "colleague"]) {
      const mine = await alertsOf(t[who] as string, deliveryId);
      expect(mine, who).toHaveLength(1);
      expect(mine[0]).toMatchObject({ kind: "delivery_failed", userId: ids[who], emailStatus: "sent", readAt: null });
      expect(mine[0].title).toContain("Tin bị từ chối");
      // The due time is told as officers read it (Asia/Ho_Chi_Minh), not in UTC.
      const due = new Date((await api("GET", `/api/deliveries/${deliveryId}`, undefined, t.author)).body.scheduledAt as string);
      expect(mine[0].body).toContain(`Lượt đăng lúc ${toLocalIso(due)} `);
      expect(mine[0].body).not.toContain(due.toISOString());
    }
    // Not the approver (officers and the author are told), not another agency.
    expect(await alertsOf(t.approver as string, deliveryId)).toEqual([]);
    expect(await alertsOf(t.stranger as string, deliveryId)).toEqual([]);
    const mails = mailsAbout("Tin bị từ chối");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to.sort()).toEqual(["an.nguyen@snv.cantho.gov.vn", "binh.tran@snv.cantho.gov.vn"]);

    // The same event reported again notifies no one again.
    const services = hub.running.runtime.services;
    const row = await services.db.selectFrom("deliveries").selectAll().where("id", "=", deliveryId).executeTakeFirstOrThrow();
    await services.alerts.onDelivery(row);
    expect(await alertsOf(t.author as string, deliveryId)).toHaveLength(1);
    expect(mailsAbout("Tin bị từ chối")).toHaveLength(1);

    // A retry that fails again is a new event.
    expect((await api("POST", `/api/deliveries/${deliveryId}/retry`, undefined, t.author)).status).toBe(200);
    expect(await run(deliveryId)).toMatchObject({ status: "failed" });
    expect(await alertsOf(t.author as string, deliveryId)).toHaveLength(2);
    expect(mailsAbout("Tin bị từ chối")).toHaveLength(2);
  });

  it("alerts on a missed delivery and on an unconfirmed one", async () => {
    const missedItem = await approvedItem("Tin bị lỡ giờ");
    const missed = await scheduleNow(missedItem, good);
    await sleep(2_300); // MISSED_AFTER is 2 s here
    expect(await run(missed)).toMatchObject({ status: "missed" });
    expect((await alertsOf(t.colleague as string, missed))[0]).toMatchObject({ kind: "delivery_missed" });

    stub.script({ hang: true });
    const hungItem = await approvedItem("Tin chưa xác nhận");
    const hung = await scheduleNow(hungItem, good);
    expect(await run(hung)).toMatchObject({ status: "unconfirmed" });
    const [n] = await alertsOf(t.author as string, hung);
    expect(n).toMatchObject({ kind: "delivery_unconfirmed" });
    expect(mailsAbout("Tin chưa xác nhận")).toHaveLength(1);
  });

  it("marks a notification read for its reader only, and hides another user's", async () => {
    const itemId = await approvedItem("Tin để đánh dấu đã đọc");
    const deliveryId = await scheduleNow(itemId, rejecting);
    await run(deliveryId);
    const [mine] = await alertsOf(t.author as string, deliveryId);
    const read = await api("POST", `/api/notifications/${mine.id}/read`, undefined, t.author);
    expect(read.status).toBe(200);
    expect(new Date(read.body.readAt).getTime()).toBeGreaterThan(0);
    const unread = (await api("GET", "/api/notifications?unread=true&limit=500", undefined, t.author)).body.data;
    expect(unread.map((n: { id: string }) => n.id)).not.toContain(mine.id);
    expect((await alertsOf(t.author as string, deliveryId))[0].readAt).not.toBeNull();
    // The colleague's own copy is still unread; the author's copy is not theirs to read.
    expect((await alertsOf(t.colleague as string, deliveryId))[0].readAt).toBeNull();
    expect((await api("POST", `/api/notifications/${mine.id}/read`, undefined, t.colleague)).status).toBe(404);
    expect((await api("POST", `/api/notifications/${mine.id}/read`, undefined, t.stranger)).status).toBe(404);
  });

  it("e-mails the agency's officers once when a channel needs reconnecting", async () => {
    const services = hub.running.runtime.services;
    const fb = await api("POST", "/api/channels", {
      agencyId: OWN,
      kind: "facebook_page",
      name: "Fanpage Sở Nội vụ",
      settings: { pageId: "987654321" },
    });
    const { flagReconnect } = await import("../../content/accounts/health.js");
    // What the publisher does when Facebook refuses the token (code 190), twice the same day.
    for (let i = 0; i < 2; i++) {
      const now = new Date();
      await flagReconnect(services.db, fb.body.id, "Facebook refused the Page token (190)", now);
      await services.alerts.onReconnect(fb.body.id, now);
    }
    const mails = mailsAbout("Fanpage Sở Nội vụ");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to.sort()).toEqual(["an.nguyen@snv.cantho.gov.vn", "binh.tran@snv.cantho.gov.vn"]);
    const notes = (await api("GET", "/api/notifications?kind=channel_reconnect", undefined, t.colleague)).body.data;
    expect(notes.filter((n: { data: { channelId: string } }) => n.data.channelId === fb.body.id)).toMatchObject([{ emailStatus: "sent" }]);
  });

  it("threads comments for the agency, DOST and admins, and notifies those mentioned once", async () => {
    const itemId = await approvedItem("Tin để bình luận");
    const first = await api("POST", `/api/items/${itemId}/comments`, { body: "Nhờ lãnh đạo xem giúp @lanh.dao" }, t.author);
    expect(first.status).toBe(201);
    expect(first.body.mentions).toEqual([ids.approver]);
    const reply = await api(
      "POST",
      `/api/items/${itemId}/comments`,
      { body: `Đề nghị thêm số tổng đài @an.nguyen và @${ids.dost}, không phải @chi`, parentId: first.body.id },
      t.approver,
    );
    expect(reply.status).toBe(201);
    expect(reply.body.mentions.sort()).toEqual([ids.author, ids.dost].sort());
    const dost = await api("POST", `/api/items/${itemId}/comments`, { body: "Sở KH&CN đề nghị dùng ảnh trong thư viện" }, t.dost);
    expect(dost.status).toBe(201);

    const thread = (await api("GET", `/api/items/${itemId}/comments`, undefined, t.colleague)).body.data;
    expect(thread.map((c: { id: string }) => c.id)).toEqual([first.body.id, dost.body.id]);
    expect(thread[0].replies.map((c: { id: string; authorName: string }) => [c.id, c.authorName])).toEqual([
      [reply.body.id, "Người approver"],
    ]);
    expect((await api("GET", `/api/items/${itemId}/comments`, undefined, t.auditor)).status).toBe(200);
    expect((await api("POST", `/api/items/${itemId}/comments`, { body: "x" }, t.auditor)).status).toBe(403);
    expect((await api("GET", `/api/items/${itemId}/comments`, undefined, t.stranger)).status).toBe(404);
    expect((await api("POST", `/api/items/${itemId}/comments`, { body: "x" }, t.stranger)).status).toBe(404);
    const otherItem = await createItem(api, { agencyId: OTHER, tasks: [] });
    const c = await api("POST", `/api/items/${otherItem.id}/comments`, { body: "Bình luận khác" });
    const wrongParent = await api("POST", `/api/items/${itemId}/comments`, { body: "x", parentId: c.body.id }, t.author);
    expect(wrongParent.status).toBe(422);
    expect(wrongParent.body.field).toBe("parentId");
    expect((await api("POST", `/api/items/${itemId}/comments`, { body: "   " }, t.author)).body.field).toBe("body");

    const mentions = async (token: string) =>
      (await api("GET", "/api/notifications?kind=mention&limit=500", undefined, token)).body.data.filter(
        (n: { data: { itemId: string } }) => n.data.itemId === itemId,
      );
    expect(await mentions(t.approver as string)).toHaveLength(1);
    expect(await mentions(t.author as string)).toHaveLength(1);
    expect(await mentions(t.dost as string)).toMatchObject([{ emailStatus: "sent" }]);
    expect(await mentions(t.stranger as string)).toEqual([]);
    expect(await mentions(t.colleague as string)).toEqual([]);
    const mailed = smtp.mails.filter((m) => m.to.includes("dung@sokhcn.cantho.gov.vn"));
    expect(mailed).toHaveLength(1);
    expect(decodeQuotedPrintable(mailed[0]?.data ?? "")).toContain("Đề nghị thêm số tổng đài");
  });
});
