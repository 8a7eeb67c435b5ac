// The item lifecycle (issue 12): edit, delete, duplicate, archive; each change in the audit log with before/after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../helpers/db.js";
import { createItem, webhookChannel } from "../helpers/fixtures.js";
import { type Api, startHub, type TestHub } from "../helpers/hub.js";
import { uniquePng, uploadAs } from "../helpers/world.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const OWN = "so-noi-vu";
const OTHER = "so-tai-chinh";

describe.each(DB_KINDS)("the item lifecycle (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  let api: Api;
  let channelId: string;
  let facebookId: string;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-vong-doi-tin-bai-1").start();
    hub = await startHub(kind, { roles: ["web"], allow: [stub.url] });
    api = hub.api;
    channelId = await webhookChannel(api, stub, OWN);
    const fb = await api("POST", "/api/channels", {
      agencyId: OWN,
      kind: "facebook_page",
      name: "Fanpage Sở Nội vụ",
      settings: { pageId: "1234567890" },
      secret: "EAAB-ma-trang-dan-vao-rat-dai",
    });
    expect(fb.status, JSON.stringify(fb.body)).toBe(201);
    facebookId = fb.body.id;
    for (const [key, role, agencyId] of [
      ["officer", "officer", OWN],
      ["approver", "approver", OWN],
      ["auditor", "auditor", undefined],
      ["otherOfficer", "officer", OTHER],
    ] as const) {
      const res = await api("POST", "/api/users", { name: `Người ${key}`, role, ...(agencyId ? { agencyId } : {}) });
      t[key] = res.body.token;
    }
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const at = (ms: number) => new Date(Date.now() + ms).toISOString();
  const scheduleOn = async (itemId: string, channel: string, ms = 3_600_000, token?: string) => {
    const res = await api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId: channel, at: at(ms) }] }, token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data[0].id as string;
  };

  it("edits title, body, tasks, variants, media and read-aloud text; the preview and the audit log show the change", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    await scheduleOn(item.id, channelId);
    const media = await uploadAs(hub, OWN, await uniquePng());
    const res = await api("PATCH", `/api/items/${item.id}`, {
      title: "Tiêu đề mới về dịch vụ công".normalize("NFD"),
      body: "Nội dung mới",
      tasks: ["1.3"],
      variants: { facebook_page: { body: "Bản ngắn cho Facebook" } },
      mediaIds: [media.body.id],
      readAloud: "Bà con lưu ý nộp hồ sơ trực tuyến",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const got = (await api("GET", `/api/items/${item.id}`)).body;
    expect(got).toMatchObject({ title: "Tiêu đề mới về dịch vụ công", body: "Nội dung mới", tasks: ["1.3"] });
    expect(got.variants.facebook_page.body).toBe("Bản ngắn cho Facebook");
    expect((await api("GET", `/api/items/${item.id}/media`)).body.data.map((m: { id: string }) => m.id)).toEqual([media.body.id]);
    expect((await api("GET", `/api/items/${item.id}/broadcast`)).body.readAloud).toMatchObject({
      text: "Bà con lưu ý nộp hồ sơ trực tuyến",
      edited: true,
    });
    // Scheduled deliveries are rendered from the item as it now is.
    const preview = (await api("GET", `/api/items/${item.id}/preview?channelId=${channelId}`)).body.data[0];
    expect(preview.text.title).toBe("Tiêu đề mới về dịch vụ công");
    const audit = (await api("GET", `/api/audit?action=item.update&agencyId=${OWN}`)).body.data.find(
      (e: { entityId: string }) => e.entityId === item.id,
    );
    expect(audit.details.before).toMatchObject({ title: "Hướng dẫn nộp hồ sơ trực tuyến", tasks: [], mediaIds: [], readAloud: null });
    expect(audit.details.after).toMatchObject({ title: "Tiêu đề mới về dịch vụ công", tasks: ["1.3"], mediaIds: [media.body.id] });
    expect(audit.actorId).toBeTruthy();
  });

  it("names the bad field of an edit, and refuses an empty one", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    expect((await api("PATCH", `/api/items/${item.id}`, {})).status).toBe(400);
    const task = await api("PATCH", `/api/items/${item.id}`, { tasks: ["9.9"] });
    expect(task.status).toBe(422);
    expect(task.body.field).toBe("tasks.0");
    const media = await api("PATCH", `/api/items/${item.id}`, { mediaIds: ["khong-co"] });
    expect(media.body.field).toBe("mediaIds.0");
    expect((await api("PATCH", `/api/items/${item.id}`, { status: "approved" })).status).toBe(400);
  });

  it("answers 422 listing the problems when an edit makes a scheduled delivery impossible, and changes nothing", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    const deliveryId = await scheduleOn(item.id, facebookId);
    const res = await api("PATCH", `/api/items/${item.id}`, {
      title: "Tiêu đề đổi",
      variants: { facebook_page: { body: "dài ".repeat(16_000) } },
    });
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([expect.objectContaining({ channelId: facebookId, deliveryId, field: "deliveries.0.body" })]);
    expect(res.body.problems[0].vi).toContain("Facebook");
    const got = (await api("GET", `/api/items/${item.id}`)).body;
    expect(got.title).toBe("Hướng dẫn nộp hồ sơ trực tuyến");
    expect(got.variants).toEqual({});
  });

  it("deletes an item with nothing published (its deliveries with it), and refuses one published: archive it", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    const deliveryId = await scheduleOn(item.id, channelId);
    const del = await api("DELETE", `/api/items/${item.id}`);
    expect(del.status).toBe(204);
    expect((await api("GET", `/api/items/${item.id}`)).status).toBe(404);
    expect((await api("GET", `/api/deliveries/${deliveryId}`)).status).toBe(404);

    const published = await createItem(api, { agencyId: OWN, tasks: [] });
    const now = await scheduleOn(published.id, channelId, 0);
    expect(await hub.running.runtime.services.publisher.run(now)).toMatchObject({ status: "published" });
    const refused = await api("DELETE", `/api/items/${published.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("archive");
    expect((await api("GET", `/api/items/${published.id}`)).status).toBe(200);
    const audit = (await api("GET", "/api/audit?action=item.delete")).body.data.find((e: { entityId: string }) => e.entityId === item.id);
    expect(audit.details.before.title).toBe("Hướng dẫn nộp hồ sơ trực tuyến");
    expect(audit.details.deliveries).toEqual([deliveryId]);
    // The agency's officer still finds the line of an item that no longer exists.
    const officerSees = (await api("GET", "/api/audit?action=item.delete", undefined, t.officer)).body.data;
    expect(officerSees.map((e: { entityId: string }) => e.entityId)).toContain(item.id);
  });

  it("duplicates an item into a new draft with its content and media, without deliveries", async () => {
    const media = await uploadAs(hub, OWN, await uniquePng());
    const item = await createItem(api, { agencyId: OWN, tasks: ["1.3"], mediaIds: [media.body.id] }, t.officer);
    await scheduleOn(item.id, channelId, 3_600_000, t.officer);
    const res = await api("POST", `/api/items/${item.id}/duplicate`, undefined, t.officer);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ duplicatedFrom: item.id, status: "draft" });
    const copy = (await api("GET", `/api/items/${res.body.id}`)).body;
    expect(copy).toMatchObject({ title: item.title, body: item.body, tasks: ["1.3"], agencyId: OWN, status: "draft" });
    expect((await api("GET", `/api/items/${res.body.id}/media`)).body.data.map((m: { id: string }) => m.id)).toEqual([media.body.id]);
    expect((await api("GET", `/api/deliveries?itemId=${res.body.id}`)).body.data).toEqual([]);
  });

  it("archives an item (its pending deliveries cancelled), refuses edits and schedules then, and unarchives it", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    const deliveryId = await scheduleOn(item.id, channelId);
    const res = await api("POST", `/api/items/${item.id}/archive`, undefined, t.officer);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "archived", cancelled: 1 });
    expect((await api("GET", `/api/deliveries/${deliveryId}`)).body.status).toBe("cancelled");
    expect((await api("PATCH", `/api/items/${item.id}`, { title: "Sửa" })).status).toBe(409);
    expect((await api("POST", `/api/items/${item.id}/schedule`, { deliveries: [{ channelId, at: at(3_600_000) }] })).status).toBe(409);
    expect((await api("POST", `/api/items/${item.id}/archive`)).status).toBe(409);
    const back = await api("POST", `/api/items/${item.id}/unarchive`, undefined, t.officer);
    expect(back.body).toMatchObject({ status: "approved" });
    expect((await api("POST", `/api/items/${item.id}/unarchive`)).status).toBe(409);
    const actions = (await api("GET", `/api/items/${item.id}/history`)).body.data.map((h: { action: string }) => h.action);
    expect(actions).toEqual(["create", "archive", "unarchive"]);
  });

  it("lets only the agency's writers change an item: another agency's officer gets 404, auditors and approvers 403", async () => {
    const item = await createItem(api, { agencyId: OWN, tasks: [] });
    for (const [method, path, body] of [
      ["PATCH", `/api/items/${item.id}`, { title: "x" }],
      ["DELETE", `/api/items/${item.id}`, undefined],
      ["POST", `/api/items/${item.id}/duplicate`, undefined],
      ["POST", `/api/items/${item.id}/archive`, undefined],
    ] as const) {
      expect((await api(method, path, body, t.otherOfficer)).status, `${method} ${path}`).toBe(404);
      expect((await api(method, path, body, t.auditor)).status, `${method} ${path}`).toBe(403);
      expect((await api(method, path, body, t.approver)).status, `${method} ${path}`).toBe(403);
    }
  });

  it("answers the audit log to admins and auditors for every agency, to officers for theirs, as JSON or CSV", async () => {
    const mine = await createItem(api, { agencyId: OWN, tasks: [] }, t.officer);
    const theirs = await createItem(api, { agencyId: OTHER, tasks: [] }, t.otherOfficer);
    const ids = (body: { data: { entityId: string }[] }) => body.data.map((e) => e.entityId);
    const officerSees = await api("GET", "/api/audit?action=item.create", undefined, t.officer);
    expect(officerSees.status).toBe(200);
    expect(ids(officerSees.body)).toContain(mine.id);
    expect(ids(officerSees.body)).not.toContain(theirs.id);
    expect((await api("GET", `/api/audit?agencyId=${OTHER}`, undefined, t.officer)).body.data).toEqual([]);
    const auditorSees = await api("GET", "/api/audit?action=item.", undefined, t.auditor);
    expect(ids(auditorSees.body)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const me = (await api("GET", "/api/me", undefined, t.otherOfficer)).body.id;
    const byActor = await api("GET", `/api/audit?actor=${me}`, undefined, t.auditor);
    expect(byActor.body.data.every((e: { actorId: string }) => e.actorId === me)).toBe(true);
    expect(ids(byActor.body)).toContain(theirs.id);
    const future = await api("GET", `/api/audit?from=${encodeURIComponent(at(3_600_000))}`, undefined, t.auditor);
    expect(future.body.data).toEqual([]);
    expect((await api("GET", "/api/audit?from=hom-qua")).body.field).toBe("from");

    const csv = await fetch(`${hub.url}/api/audit?action=item.create&format=csv`, { headers: { authorization: `Bearer ${t.auditor}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM, so that spreadsheets read UTF-8
    const text = bytes.subarray(3).toString("utf8");
    expect(text.split("\r\n")[0]).toBe("at,actorId,actorName,action,entity,entityId,agencyId,details");
    expect(text).toContain(`item.create,item,${theirs.id},${OTHER}`);
  });
});
