// Approval by someone accountable (issue 12): draft → submitted → approved, held deliveries, the frozen approved version.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { createItem, settled, webhookChannel } from "../helpers/fixtures.js";
import { type Api, sleep, startHub, type TestHub } from "../helpers/hub.js";
import { uniquePng, uploadAs } from "../helpers/world.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const OWN = "so-noi-vu";
const OTHER = "so-tai-chinh";

describe.each(DB_KINDS)("approval (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;
  let api: Api;
  const t: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-cong-so-noi-vu-123").start();
    hub = await startHub(kind, { allow: [stub.url] });
    api = hub.api;
    channelId = await webhookChannel(api, stub, OWN);
    const user = async (key: string, role: string, agencyId: string, email?: string) => {
      const res = await api("POST", "/api/users", { name: `Người ${key}`, role, agencyId, ...(email ? { email } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      t[key] = res.body.token;
      ids[key] = res.body.id;
    };
    await user("officer", "officer", OWN);
    await user("approver", "approver", OWN);
    await user("otherApprover", "approver", OTHER);
    await user("otherOfficer", "officer", OTHER);
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const officerItem = async (agencyId = OWN, token = t.officer) => (await createItem(api, { agencyId, tasks: [] }, token)).id as string;
  const scheduleIn = async (itemId: string, ms: number, token = t.officer) => {
    const res = await api(
      "POST",
      `/api/items/${itemId}/schedule`,
      { deliveries: [{ channelId, at: new Date(Date.now() + ms).toISOString() }] },
      token,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data[0];
  };
  const status = async (itemId: string) => (await api("GET", `/api/items/${itemId}`)).body.status;
  const delivery = async (id: string) => (await api("GET", `/api/deliveries/${id}`)).body;

  it("holds an officer's delivery until the approver approves, then publishes it at its time", async () => {
    const itemId = await officerItem();
    expect(await status(itemId)).toBe("draft");
    const d = await scheduleIn(itemId, 500);
    expect(d.status).toBe("held");
    await sleep(2_500); // past its time, with the worker and the reconciler running: nothing goes out
    expect((await delivery(d.id)).status).toBe("held");
    expect(stub.posts.filter((p) => p.key === d.id)).toHaveLength(0);

    // The officer cannot approve in an agency that requires the approver, nor can another agency's approver see it.
    expect((await api("POST", `/api/items/${itemId}/approve`, {}, t.officer)).status).toBe(403);
    expect((await api("POST", `/api/items/${itemId}/approve`, {}, t.otherApprover)).status).toBe(404);
    // The approver decides on what was submitted, not on a draft.
    expect((await api("POST", `/api/items/${itemId}/approve`, {}, t.approver)).status).toBe(409);

    const submitted = await api("POST", `/api/items/${itemId}/submit`, { comment: "Kính trình lãnh đạo duyệt" }, t.officer);
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe("submitted");
    // Approvers create nothing and submit nothing.
    expect((await api("POST", `/api/items/${itemId}/submit`, {}, t.approver)).status).toBe(403);

    const queue = await api("GET", "/api/approvals", undefined, t.approver);
    expect(queue.status).toBe(200);
    expect(queue.body.data.map((q: { itemId: string }) => q.itemId)).toContain(itemId);
    expect(queue.body.data.find((q: { itemId: string }) => q.itemId === itemId)).toMatchObject({
      heldDeliveries: 1,
      submittedBy: ids.officer,
    });
    expect(
      (await api("GET", "/api/approvals", undefined, t.otherApprover)).body.data.map((q: { itemId: string }) => q.itemId),
    ).not.toContain(itemId);
    // An officer of an agency that requires its approver has nothing to decide on.
    expect((await api("GET", "/api/approvals", undefined, t.officer)).body.data).toEqual([]);
    const approverNotes = await api("GET", "/api/notifications?kind=approval_requested", undefined, t.approver);
    expect(approverNotes.body.data.some((n: { data: { itemId: string } }) => n.data.itemId === itemId)).toBe(true);

    const approved = await api("POST", `/api/items/${itemId}/approve`, { comment: "Đồng ý" }, t.approver);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", released: 1 });
    expect(approved.body.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // Its time has passed (by seconds, well within MISSED_AFTER): it goes out at once.
    expect((await settled(api, d.id, ["published", "failed", "missed"])).status).toBe("published");
    expect(stub.posts.filter((p) => p.key === d.id)).toHaveLength(1);

    const history = (await api("GET", `/api/items/${itemId}/history`, undefined, t.officer)).body.data;
    expect(history.map((h: { action: string; to: string }) => `${h.action}:${h.to}`)).toEqual([
      "create:draft",
      "submit:submitted",
      "approve:approved",
    ]);
    expect(history[1]).toMatchObject({ actorId: ids.officer, comment: "Kính trình lãnh đạo duyệt" });
    expect(history[2]).toMatchObject({
      actorId: ids.approver,
      actorName: "Người approver",
      comment: "Đồng ý",
      contentHash: approved.body.contentHash,
    });
    expect(new Date(history[2].at).getTime()).toBeGreaterThan(0);
    // The author hears of it.
    const mine = await api("GET", "/api/notifications?kind=item_approved", undefined, t.officer);
    expect(mine.body.data.some((n: { data: { itemId: string } }) => n.data.itemId === itemId)).toBe(true);
  });

  it("returns a submitted item to draft with the approver's comment, which is required", async () => {
    const itemId = await officerItem();
    await api("POST", `/api/items/${itemId}/submit`, undefined, t.officer);
    const empty = await api("POST", `/api/items/${itemId}/return`, { comment: "  " }, t.approver);
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe("comment");
    const res = await api("POST", `/api/items/${itemId}/return`, { comment: "Bổ sung số điện thoại hỗ trợ" }, t.approver);
    expect(res.status).toBe(200);
    expect(await status(itemId)).toBe("draft");
    const history = (await api("GET", `/api/items/${itemId}/history`)).body.data;
    expect(history.at(-1)).toMatchObject({ action: "return", from: "submitted", to: "draft", comment: "Bổ sung số điện thoại hỗ trợ" });
    // Returning again: it is not submitted any more.
    expect((await api("POST", `/api/items/${itemId}/return`, { comment: "x" }, t.approver)).status).toBe(409);
    const notes = await api("GET", "/api/notifications?kind=item_returned", undefined, t.officer);
    expect(notes.body.data.find((n: { data: { itemId: string } }) => n.data.itemId === itemId)?.body).toContain("Bổ sung số điện thoại");
  });

  it("approves an admin's item at creation: its deliveries are scheduled at once", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    expect(item.status).toBe("approved");
    const d = await scheduleIn(item.id, 60_000, undefined);
    expect(d.status).toBe("scheduled");
    const history = (await api("GET", `/api/items/${item.id}/history`)).body.data;
    expect(history).toMatchObject([{ action: "create", from: null, to: "approved" }]);
  });

  it("lets officers approve their own items when the agency's setting is self, and only then", async () => {
    const patched = await api("PATCH", `/api/agencies/${OTHER}`, { approval: "self" });
    expect(patched.status).toBe(200);
    expect(patched.body.approval).toBe("self");
    expect((await api("PATCH", `/api/agencies/${OTHER}`, { approval: "anyone" })).body.field).toBe("approval");
    expect((await api("PATCH", `/api/agencies/${OTHER}`, { approval: "required" }, t.otherOfficer)).status).toBe(403);
    const itemId = await officerItem(OTHER, t.otherOfficer);
    const res = await api("POST", `/api/items/${itemId}/approve`, {}, t.otherOfficer);
    expect(res.status).toBe(200);
    expect(await status(itemId)).toBe("approved");
    // The agency's approver may still approve; back to required, the officer may not.
    await api("PATCH", `/api/agencies/${OTHER}`, { approval: "required" });
    const next = await officerItem(OTHER, t.otherOfficer);
    expect((await api("POST", `/api/items/${next}/approve`, {}, t.otherOfficer)).status).toBe(403);
    await api("POST", `/api/items/${next}/submit`, {}, t.otherOfficer);
    expect((await api("POST", `/api/items/${next}/approve`, {}, t.otherApprover)).status).toBe(200);
  });

  it("sends an approved item changed by its officer back to submitted and holds its delivery again", async () => {
    const itemId = await officerItem();
    await api("POST", `/api/items/${itemId}/submit`, {}, t.officer);
    const first = await api("POST", `/api/items/${itemId}/approve`, {}, t.approver);
    const d = await scheduleIn(itemId, 3_600_000);
    expect(d.status).toBe("scheduled");
    // The same content again is no change.
    const same = await api("PATCH", `/api/items/${itemId}`, { title: "Hướng dẫn nộp hồ sơ trực tuyến" }, t.officer);
    expect(same.body).toMatchObject({ status: "approved", contentHash: first.body.contentHash, held: 0 });
    const changed = await api("PATCH", `/api/items/${itemId}`, { body: "Nội dung đã sửa sau khi duyệt." }, t.officer);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ status: "submitted", held: 1 });
    expect(changed.body.contentHash).not.toBe(first.body.contentHash);
    expect((await delivery(d.id)).status).toBe("held");
    expect((await api("GET", "/api/approvals", undefined, t.approver)).body.data.map((q: { itemId: string }) => q.itemId)).toContain(
      itemId,
    );
    const asked = (await api("GET", "/api/notifications?kind=approval_requested&limit=500", undefined, t.approver)).body.data;
    expect(asked.filter((n: { data: { itemId: string } }) => n.data.itemId === itemId)).toHaveLength(2); // submitted, then changed
    const again = await api("POST", `/api/items/${itemId}/approve`, {}, t.approver);
    expect(again.body).toMatchObject({ status: "approved", released: 1, contentHash: changed.body.contentHash });
    expect((await delivery(d.id)).status).toBe("scheduled");
    const actions = (await api("GET", `/api/items/${itemId}/history`)).body.data.map((h: { action: string }) => h.action);
    expect(actions).toEqual(["create", "submit", "approve", "changed_after_approval", "approve"]);
  });

  it("keeps an admin's change of an approved item approved (the admin is accountable)", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    const d = await scheduleIn(item.id, 3_600_000, undefined);
    const res = await api("PATCH", `/api/items/${item.id}`, { title: "Tiêu đề do quản trị sửa" });
    expect(res.body).toMatchObject({ status: "approved", held: 0 });
    expect((await delivery(d.id)).status).toBe("scheduled");
  });

  it("holds the deliveries again when an approved item's media or read-aloud text change by their own routes", async () => {
    const itemId = await officerItem();
    await api("POST", `/api/items/${itemId}/submit`, {}, t.officer);
    await api("POST", `/api/items/${itemId}/approve`, {}, t.approver);
    const d = await scheduleIn(itemId, 3_600_000);
    // The priority is not part of the approved version; the read-aloud text is.
    expect((await api("PUT", `/api/items/${itemId}/broadcast`, { priority: "uu_tien" }, t.officer)).status).toBe(200);
    expect(await status(itemId)).toBe("approved");
    expect((await api("PUT", `/api/items/${itemId}/broadcast`, { readAloud: "Bà con chú ý" }, t.officer)).status).toBe(200);
    expect(await status(itemId)).toBe("submitted");
    expect((await delivery(d.id)).status).toBe("held");

    const other = await officerItem();
    await api("POST", `/api/items/${other}/submit`, {}, t.officer);
    await api("POST", `/api/items/${other}/approve`, {}, t.approver);
    const photo = await uploadAs(hub, OWN, await uniquePng());
    expect((await api("POST", `/api/items/${other}/media`, { mediaIds: [photo.body.id] }, t.officer)).status).toBe(200);
    expect(await status(other)).toBe("submitted");
  });

  it("holds a delivery at publish time when its approved item changed behind the edit route", async () => {
    const itemId = await officerItem();
    await api("POST", `/api/items/${itemId}/submit`, {}, t.officer);
    await api("POST", `/api/items/${itemId}/approve`, {}, t.approver);
    const d = await scheduleIn(itemId, 60_000);
    // A change written straight to the database (an import, a script): the publisher notices the hash.
    await hub.running.runtime.services.db.updateTable("items").set({ body: "Sửa ngoài luồng" }).where("id", "=", itemId).execute();
    await hub.running.runtime.services.db.updateTable("deliveries").set({ run_at: new Date() }).where("id", "=", d.id).execute();
    expect(await hub.running.runtime.services.publisher.run(d.id)).toMatchObject({ status: "held" });
    expect((await delivery(d.id)).status).toBe("held");
    expect(await status(itemId)).toBe("submitted");
    expect(stub.posts.filter((p) => p.key === d.id)).toHaveLength(0);
  });
});

describe("approval after a held delivery's time", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let api: Api;
  let channelId: string;
  let officer: string;
  let approver: string;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-cong-so-noi-vu-456").start();
    hub = await startHub("sqlite", { roles: ["web"], allow: [stub.url], env: { MISSED_AFTER: "2s" } });
    api = hub.api;
    channelId = await webhookChannel(api, stub, OWN);
    officer = (await api("POST", "/api/users", { name: "Cán bộ", role: "officer", agencyId: OWN })).body.token;
    approver = (await api("POST", "/api/users", { name: "Lãnh đạo", role: "approver", agencyId: OWN })).body.token;
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("sends a delivery at once when approved a little after its time, and marks it missed past MISSED_AFTER", async () => {
    const submitted = async () => {
      const id = (await createItem(api, { agencyId: OWN, tasks: [] }, officer)).id as string;
      const d = (await api("POST", `/api/items/${id}/schedule`, { deliveries: [{ channelId }] }, officer)).body.data[0];
      await api("POST", `/api/items/${id}/submit`, {}, officer);
      return { id, deliveryId: d.id as string };
    };
    const run = (id: string) => hub.running.runtime.services.publisher.run(id);
    const soon = await submitted();
    const late = await submitted();
    await sleep(500);
    expect((await api("POST", `/api/items/${soon.id}/approve`, {}, approver)).body.released).toBe(1);
    expect(await run(soon.deliveryId)).toMatchObject({ status: "published" });
    await sleep(2_200);
    expect((await api("POST", `/api/items/${late.id}/approve`, {}, approver)).body.released).toBe(1);
    expect(await run(late.deliveryId)).toMatchObject({ status: "missed" });
    expect(stub.posts.filter((p) => p.key === late.deliveryId)).toHaveLength(0);
  });
});
