import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfillPublications } from "../../content/compliance/ledger.js";
import { periodOf } from "../../content/compliance/periods.js";
import { evidence, item, rowOf, user } from "../helpers/compliance.js";
import { DB_KINDS } from "../helpers/db.js";
import { settled, webhookChannel } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe.each(DB_KINDS)("publications Loa makes count for compliance (%s)", (kind) => {
  let hub: TestHub;
  let cms: WebhookStub;
  let portal: string;
  let social: string;

  beforeAll(async () => {
    cms = await new WebhookStub("chia-khoa-cong-ttdt-so-khcn").start();
    hub = await startHub(kind, { roles: ["web", "worker"], allow: [cms.url] });
    portal = await webhookChannel(hub.api, cms, "so-khcn");
    social = await webhookChannel(hub.api, cms, "so-khcn");
  });
  afterAll(async () => {
    await hub?.stop();
    await cms?.stop();
  });

  it("counts an item published on two channels once this week, with its deliveries and links in the drill-down", async () => {
    const week = periodOf("week", new Date());
    const id = await item(hub.api, "so-khcn", "news", ["1.3"], "Sở KH&CN hướng dẫn ký số trên Cổng dịch vụ công");
    const res = await hub.api("POST", `/api/items/${id}/schedule`, { deliveries: [{ channelId: portal }, { channelId: social }] });
    expect(res.status).toBe(201);
    for (const d of res.body.data) expect((await settled(hub.api, d.id, ["published", "failed"])).status).toBe("published");

    // the publication is recorded just after the delivery's status (outside its transaction)
    const pubs = await eventually(async () => {
      const r = await hub.api("GET", `/api/publications?itemId=${id}`);
      return r.body.data.length === 2 ? r : undefined;
    });
    expect(pubs.body.data.every((p: any) => p.selfReported === false && p.deliveryId && p.channelKind === "webhook")).toBe(true);

    const m = await hub.api("GET", `/api/compliance?task=1.3&from=${week}&to=${week}&agencyId=so-khcn`);
    expect(rowOf(m.body, "so-khcn")?.[week]).toMatchObject({ count: 1, selfReported: 0, status: "met" });
    const drill = await hub.api("GET", `/api/compliance/agencies/so-khcn?task=1.3&from=${week}&to=${week}`);
    const [counted] = drill.body.periods[0].items;
    expect(counted).toMatchObject({ id, selfReported: false });
    expect(counted.publications.map((p: any) => p.delivery.status)).toEqual(["published", "published"]);
    expect(counted.publications.every((p: any) => p.url?.startsWith("https://cong.cantho.gov.vn/tin/"))).toBe(true);
  });

  it("marks an item that counted through both Loa and evidence as not self-reported, and evidence-only items as self-reported", async () => {
    const week = periodOf("week", new Date());
    const aired = await item(hub.api, "so-khcn", "video", ["1.3"], "Phóng sự: chuyển đổi số ở phường Ninh Kiều");
    await evidence(hub.api, aired, "youtube", new Date(Date.now() - 60_000).toISOString());
    const m = await hub.api("GET", `/api/compliance?task=1.3&from=${week}&to=${week}&agencyId=so-khcn`);
    expect(rowOf(m.body, "so-khcn")?.[week]).toMatchObject({ count: 2, selfReported: 1, status: "met" });
  });

  it("records, before closing, published deliveries that have no publication yet", async () => {
    const db = hub.running.runtime.services.db;
    const id = await item(hub.api, "so-khcn", "news", ["1.3"]);
    const res = await hub.api("POST", `/api/items/${id}/schedule`, { deliveries: [{ channelId: portal }] });
    const deliveryId = res.body.data[0].id;
    await settled(hub.api, deliveryId, ["published"]);
    await eventually(async () => ((await hub.api("GET", `/api/publications?itemId=${id}`)).body.data.length ? true : undefined));
    await db.deleteFrom("publication_tasks").where("publication_id", "=", `pub-${deliveryId}`).execute();
    await db.deleteFrom("publications").where("delivery_id", "=", deliveryId).execute();
    expect(await backfillPublications(db, new Date())).toBe(1);
    expect(await backfillPublications(db, new Date())).toBe(0);
    expect((await hub.api("GET", `/api/publications?itemId=${id}`)).body.data).toHaveLength(1);
  });

  it("keeps a file as evidence, by its SHA-256, for the agency and auditors only", async () => {
    const officer = await user(hub.api, "officer", "so-khcn");
    const other = await user(hub.api, "officer", "so-y-te");
    const itemId = await item(hub.api, "so-khcn", "news", ["2.2", "1.3"]);
    const pubId = await evidence(hub.api, itemId, "webhook", "2026-10-10T07:00:00+07:00", officer);
    const minutes = Buffer.from("%PDF-1.4\nBiên bản phát thanh ngày 10/10/2026\n", "utf8");
    const put = await fetch(`${hub.url}/api/publications/${pubId}/evidence?name=bien-ban.pdf`, {
      method: "PUT",
      headers: { authorization: `Bearer ${officer}`, "content-type": "application/pdf" },
      body: minutes,
    });
    expect(put.status).toBe(200);
    const sha256 = crypto.createHash("sha256").update(minutes).digest("hex");
    expect(((await put.json()) as any).evidence).toEqual({ name: "bien-ban.pdf", type: "application/pdf", bytes: minutes.length, sha256 });

    const get = await fetch(`${hub.url}/api/publications/${pubId}/evidence`, { headers: { authorization: `Bearer ${officer}` } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(minutes)).toBe(true);
    const denied = await fetch(`${hub.url}/api/publications/${pubId}/evidence`, { headers: { authorization: `Bearer ${other}` } });
    expect(denied.status).toBe(404);

    // a publication Loa made is no evidence to replace or withdraw
    const loaMade = (await hub.api("GET", "/api/publications?selfReported=false")).body.data[0];
    expect((await hub.api("DELETE", `/api/publications/${loaMade.id}`)).status).toBe(409);
    expect((await hub.api("DELETE", `/api/publications/${pubId}`, undefined, other)).status).toBe(404);
  });
});
