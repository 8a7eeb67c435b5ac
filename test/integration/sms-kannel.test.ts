// SMS campaigns end to end over an HTTP gateway speaking Kannel's sendsms: the text preview, phone
// normalisation, a streamed CSV list with bad rows, opt-outs (API and MO "TU CHOI"), a campaign from
// scheduling to the receipts on Loa's authenticated callback, each recipient once, the report and the
// masked CSV for an officer, and the delivery counted for task 3.3.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { type KannelStub, startKannelStub } from "../stubs/kannel.stub.js";

const AGENCY = "so-khcn";
const OTHER = "dai-ptth-can-tho";

describe("SMS campaigns over Kannel", () => {
  let now = new Date("2026-12-01T09:00:00+07:00");
  let hub: TestHub;
  let kannel: KannelStub;
  let channelId = "";
  let listId = "";
  const ok = <T>(r: { status: number; body: T }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T & Record<string, any>;
  };
  const upload = async (agencyId: string, name: string, csv: string, token = hub.env.LOA_ADMIN_TOKEN ?? "") => {
    const form = new FormData();
    form.append("agencyId", agencyId);
    form.append("name", name);
    form.append("file", new Blob([csv], { type: "text/csv" }), "ds.csv");
    const res = await fetch(`${hub.url}/api/recipient-lists`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    kannel = await startKannelStub();
    hub = await startHub("sqlite", { clock: { now: () => now }, allow: [kannel.url] });
    kannel.callbackOrigin = hub.url;
    channelId = ok(
      await hub.api("POST", "/api/channels", {
        agencyId: AGENCY,
        kind: "sms",
        name: "Brandname SoKHCN qua Kannel",
        settings: { gateway: "http", preset: "kannel", url: kannel.url, username: "loa", sender: "SOKHCN CT" },
        secret: "mat-khau-kannel",
      }),
      "channel",
    ).id;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await kannel?.stop();
  });

  it("previews Vietnamese text: accented is UCS-2, unaccented GSM-7, an extension character counts two", async () => {
    const accented = ok(await hub.api("POST", "/api/sms/preview", { text: "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn" }), "preview");
    expect(accented).toMatchObject({ encoding: "UCS-2", segments: 1 });
    const plain = ok(await hub.api("POST", "/api/sms/preview", { text: "Nộp hồ sơ – “trực tuyến”", unaccent: true }), "preview");
    expect(plain).toEqual({ text: 'Nop ho so - "truc tuyen"', encoding: "GSM-7", segments: 1, units: 24 });
    const euro = ok(await hub.api("POST", "/api/sms/preview", { text: `${"a".repeat(152)}€${"b".repeat(152)}` }), "preview");
    expect(euro).toMatchObject({ encoding: "GSM-7", units: 306, segments: 3 });
    const bad = await hub.api("POST", "/api/sms/preview", { text: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("text");
  });

  it("normalises phones to E.164 with the 2018 conversion, refusing landlines and foreign numbers", async () => {
    const r = ok(
      await hub.api("POST", "/api/sms/phones", {
        phones: ["0162 123 4567", "+84 912 345 678", "02923822222", "+14155552671", "abc", "01201234567"],
      }),
      "phones",
    );
    expect(r.data.map((x: any) => [x.e164, x.converted])).toEqual([
      ["+84321234567", true],
      ["+84912345678", false],
      [null, false],
      [null, false],
      [null, false],
      ["+84701234567", true],
    ]);
    expect(r.data[2].error).toMatch(/landline/);
    expect(r.data[3].error).toMatch(/foreign/);
  });

  it("imports a CSV list: accepted, converted, duplicates merged, refused rows with their number", async () => {
    const csv = [
      "\uFEFFPhone,ho_ten,commune",
      "0912345678,Nguyễn Văn A,phuong-ninh-kieu",
      "01621234567,Trần Thị B,phuong-ninh-kieu",
      "+84912345678,Lặp lại,phuong-ninh-kieu",
      "02923822222,Điện thoại bàn,",
      "+14155552671,Nước ngoài,",
      "0987654321,Lê Văn C,xa-phong-dien",
      "0971112223,Phạm D,phuong-ninh-kieu",
      "khong-phai-so,E,",
    ].join("\n");
    const r = await upload(AGENCY, "Người dân Ninh Kiều", csv);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ accepted: 4, converted: 1, duplicates: 1 });
    expect(r.body.refused.map((x: any) => x.row)).toEqual([5, 6, 9]);
    listId = r.body.id;
    const noPhone = await upload(AGENCY, "Sai", "ten\nA\n");
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.field).toBe("file");
  });

  it("sends a campaign once per recipient, skipping opted-out numbers, and folds the receipts", async () => {
    ok(await hub.api("POST", "/api/sms/opt-outs", { phones: ["0971 112 223"] }), "opt-out");
    const itemId = ok(
      await hub.api("POST", "/api/items", {
        agencyId: AGENCY,
        kind: "sms",
        title: "Tin nhắn DVCTT",
        body: "Sở KH&CN Cần Thơ: người dân nộp hồ sơ trực tuyến tại dichvucong.gov.vn, không cần đến cơ quan. Hỗ trợ: 0292 3822 222. Chúc quý vị thành công!",
        tasks: ["3.3"],
      }),
      "item",
    ).id;
    const scheduled = ok(
      await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, recipientListId: listId }] }),
      "schedule",
    );
    const d = scheduled.data[0];
    expect(d.campaignId).toBeTruthy();
    expect(d.cost).toMatchObject({ encoding: "UCS-2", segments: 3, recipients: 4, totalSegments: 12 });
    const report = await eventually(
      async () => {
        const r = ok(await hub.api("GET", `/api/campaigns/${d.campaignId}`), "campaign");
        return r.status === "finished" && r.totals.delivered === 3 ? r : undefined;
      },
      20_000,
      "the campaign's receipts",
    );
    expect(report.totals).toMatchObject({ delivered: 3, skipped: 1, queued: 0, sending: 0 });
    expect(report.skipped).toEqual({ opt_out: 1 });
    expect(report.partsSent).toBe(9);
    expect(kannel.messages.map((m) => m.to).sort()).toEqual(["84321234567", "84912345678", "84987654321"]);
    for (const m of kannel.messages) {
      expect(m).toMatchObject({ coding: 2, charset: "UTF-8", from: "SOKHCN CT", parts: 3 });
      expect(m.dlrUrl).toContain(`/api/sms/callback/${channelId}?k=`);
    }
    const delivery = ok(await hub.api("GET", `/api/deliveries/${d.id}`), "delivery");
    expect(delivery.status).toBe("published");
    const pubs = ok(await hub.api("GET", `/api/publications?agencyId=${AGENCY}`), "publications");
    expect(JSON.stringify(pubs)).toContain(d.id);
  }, 30_000);

  it("shows full numbers to DOST and admins, masked numbers to another agency's officer", async () => {
    const list = ok(await hub.api("GET", `/api/recipient-lists/${listId}`), "list");
    expect(list.accepted).toBe(4);
    const campaigns = (await hub.running.runtime.services.db.selectFrom("campaigns").select("id").execute()).map((c) => c.id);
    const id = campaigns[0] ?? "";
    const csv = await (
      await fetch(`${hub.url}/api/campaigns/${id}/recipients?format=csv`, {
        headers: { authorization: `Bearer ${hub.env.LOA_ADMIN_TOKEN}` },
      })
    ).text();
    expect(csv).toContain("+84912345678,delivered");
    // An officer of another agency does not see the campaign at all.
    const officer = ok(await hub.api("POST", "/api/users", { name: "Cán bộ đài", role: "officer", agencyId: OTHER }), "officer").token;
    expect((await hub.api("GET", `/api/campaigns/${id}`, undefined, officer)).status).toBe(404);
  });

  it("adds the sender of an MO 'TU CHOI' to the opt-out list; a wrong callback token is 404", async () => {
    const db = hub.running.runtime.services.db;
    const before = (await db.selectFrom("sms_opt_outs").select("hash").execute()).length;
    const url = kannel.messages[0]?.dlrUrl ?? "";
    const k = new URL(url.replace(/%/g, "%25")).searchParams.get("k");
    const getUrl = `${hub.url}/api/sms/callback/${channelId}?k=${k}&type=mo&from=%p&text=%a`;
    expect(await kannel.mo(getUrl, "84912345678", "Tu chối")).toBe(200);
    expect((await db.selectFrom("sms_opt_outs").select("hash").execute()).length).toBe(before + 1);
    const rows = await db.selectFrom("sms_opt_outs").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain("912345678");
    expect((await fetch(`${hub.url}/api/sms/callback/${channelId}?k=sai&type=mo&from=84912345678&text=STOP`)).status).toBe(404);
  });

  it("keeps messages due in quiet hours for the morning", async () => {
    now = new Date("2026-12-01T22:30:00+07:00");
    const r = await upload(AGENCY, "Buổi tối", "phone\n0934567890\n");
    const itemId = ok(
      await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "sms", title: "Đêm", body: "Nop ho so truc tuyen", tasks: ["3.3"] }),
      "item",
    ).id;
    const d = ok(
      await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, recipientListId: r.body.id }] }),
      "schedule",
    ).data[0];
    const sent = kannel.messages.length;
    await eventually(
      async () => {
        const c = ok(await hub.api("GET", `/api/campaigns/${d.campaignId}`), "campaign");
        return c.status === "running" ? c : undefined;
      },
      10_000,
      "the campaign to start",
    );
    await new Promise((res) => setTimeout(res, 1500));
    expect(kannel.messages.length).toBe(sent);
    const c = ok(await hub.api("GET", `/api/campaigns/${d.campaignId}`), "campaign");
    expect(c.totals.queued).toBe(1);
  }, 20_000);

  it("pauses, resumes and cancels a campaign: queued recipients skipped as cancelled, a move its status forbids is 409", async () => {
    const db = hub.running.runtime.services.db;
    const running = await db.selectFrom("campaigns").select("id").where("status", "=", "running").execute();
    expect(running).toHaveLength(1); // the one waiting for the morning
    const id = running[0]?.id ?? "";
    const steer = (action: string) => hub.api("POST", `/api/campaigns/${id}/${action}`);
    expect(ok(await steer("pause"), "pause").status).toBe("paused");
    const twice = await steer("pause");
    expect(twice.status).toBe(409);
    expect(twice.body.field).toBe("status");
    expect(ok(await steer("resume"), "resume").status).toBe("running");
    const cancelled = ok(await steer("cancel"), "cancel");
    expect(cancelled).toMatchObject({ status: "cancelled", skipped: { cancelled: 1 } });
    expect(cancelled.totals).toMatchObject({ queued: 0, skipped: 1 });
    expect(cancelled.finishedAt).toBeTruthy();
    const rows = await db.selectFrom("campaign_recipients").select(["status", "reason"]).where("campaign_id", "=", id).execute();
    expect(rows).toEqual([{ status: "skipped", reason: "cancelled" }]);
    // Its delivery (running, so publishing) ends with it: failed, saying why; nothing stays publishing.
    const { delivery_id } = await db.selectFrom("campaigns").select("delivery_id").where("id", "=", id).executeTakeFirstOrThrow();
    expect(ok(await hub.api("GET", `/api/deliveries/${delivery_id}`), "delivery")).toMatchObject({
      status: "failed",
      lastError: "the campaign was cancelled",
    });
    expect((await steer("resume")).status).toBe(409);
    expect((await steer("cancel")).status).toBe(409);
    const audited = await db.selectFrom("audit_log").select("action").where("entity_id", "=", id).execute();
    expect(audited.map((a) => a.action).sort()).toEqual(["campaign.cancel", "campaign.pause", "campaign.resume"]);
  });

  it("purges recipient rows SMS_RETENTION_DAYS after a campaign ended, keeping its totals", async () => {
    const services = hub.running.runtime.services;
    const [first] = await services.db.selectFrom("campaigns").select("id").where("status", "=", "finished").orderBy("created_at").execute();
    const id = first?.id ?? "";
    const before = ok(await hub.api("GET", `/api/campaigns/${id}`), "campaign");
    now = new Date(now.getTime() + 89 * 86_400_000);
    expect(await services.campaigns.purge()).toBe(0);
    now = new Date(now.getTime() + 2 * 86_400_000);
    expect(await services.campaigns.purge()).toBeGreaterThanOrEqual(1);
    expect(await services.db.selectFrom("campaign_recipients").select("seq").where("campaign_id", "=", id).execute()).toEqual([]);
    const after = ok(await hub.api("GET", `/api/campaigns/${id}`), "campaign");
    expect(after.totals).toEqual(before.totals);
    expect(after.partsSent).toBe(before.partsSent);
    expect(after.purgedAt).toBeTruthy();
  });

  it("targets a commune or ward of the list, and refuses an empty segment with 422", async () => {
    const itemId = ok(
      await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "sms", title: "Xã", body: "Nop ho so truc tuyen", tasks: ["3.3"] }),
      "item",
    ).id;
    const at = new Date(now.getTime() + 3_600_000).toISOString();
    const d = ok(
      await hub.api("POST", `/api/items/${itemId}/schedule`, {
        deliveries: [{ channelId, at, recipientListId: listId, commune: "xa-phong-dien" }],
      }),
      "schedule",
    ).data[0];
    expect(d.cost).toMatchObject({ encoding: "GSM-7", segments: 1, recipients: 1, totalSegments: 1 });
    const empty = await hub.api("POST", `/api/items/${itemId}/schedule`, {
      deliveries: [{ channelId, at, recipientListId: listId, commune: "xa-khong-co" }],
    });
    expect(empty.status).toBe(422);
    expect(empty.body.field).toBe("deliveries.0.commune");
    // In bulk, the same refusal names the item's place in the request, and nothing is written.
    const had = (await hub.api("GET", `/api/deliveries?itemId=${itemId}`)).body.data.length;
    const bulk = await hub.api("POST", "/api/schedule", {
      items: [
        {
          itemId,
          deliveries: [
            { channelId, at: new Date(now.getTime() + 7_200_000).toISOString(), recipientListId: listId, commune: "xa-phong-dien" },
          ],
        },
        { itemId, deliveries: [{ channelId, at, recipientListId: listId, commune: "xa-khong-co" }] },
      ],
    });
    expect(bulk.status).toBe(422);
    expect(bulk.body.field).toBe("items.1.deliveries.0.commune");
    expect((await hub.api("GET", `/api/deliveries?itemId=${itemId}`)).body.data).toHaveLength(had);
    const none = await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, at }] });
    expect(none.status).toBe(422);
    expect(none.body.field).toBe("deliveries.0.recipientListId");
  });
});
