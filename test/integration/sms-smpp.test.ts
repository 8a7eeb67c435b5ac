// SMS campaigns over SMPP against a local SMSC: wrong credentials flag the channel, a 3-part UCS-2
// message reassembled exactly, receipts with another id format and per part folded into one status,
// throttling answers slowing the sender down, a connection dropped mid-campaign (nothing doubled, the
// unanswered one unconfirmed), opt-out by MO message, the daily cap, and masked numbers for officers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { recipientList } from "../helpers/world.js";
import { type SmscStub, startSmscStub } from "../stubs/smsc.stub.js";

const AGENCY = "dai-ptth-can-tho";
const LONG_VI =
  "Đài PT-TH Cần Thơ: từ 01/12/2026 người dân nộp hồ sơ đăng ký thường trú, cấp đổi CCCD, đăng ký khai sinh trực tuyến tại dichvucong.gov.vn; cán bộ phường hỗ trợ miễn phí 😊.";

describe("SMS campaigns over SMPP", () => {
  let hub: TestHub;
  let smsc: SmscStub;
  let accounts = 0;
  const ok = <T>(r: { status: number; body: T }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T & Record<string, any>;
  };
  const channel = async (extra: Record<string, unknown>, secret = "bimat123") =>
    ok(
      await hub.api("POST", "/api/channels", {
        agencyId: AGENCY,
        kind: "sms",
        name: `SMSC ${Math.random()}`,
        settings: {
          gateway: "smpp",
          host: "127.0.0.1",
          port: smsc.port,
          systemId: `sokhcn${++accounts}`,
          sender: "DAI PTTH CT",
          quietHours: null,
          ...extra,
        },
        secret,
      }),
      "channel",
    ).id as string;
  const list = async (phones: string[]) => ok(await recipientList(hub, AGENCY, `phone\n${phones.join("\n")}\n`), "list").id as string;
  const campaign = async (channelId: string, listId: string, body: string) => {
    const itemId = ok(
      await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "sms", title: "SMS", body, tasks: ["3.3"] }),
      "item",
    ).id;
    return ok(await hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, recipientListId: listId }] }), "schedule")
      .data[0];
  };
  const report = (id: string) => hub.api("GET", `/api/campaigns/${id}`).then((r) => ok(r, "campaign"));
  const settled = (id: string, done: (r: any) => boolean, ms = 20_000) => {
    let last: unknown;
    return eventually(
      async () => {
        const r = await report(id);
        last = r;
        return done(r) ? r : undefined;
      },
      ms,
      () => `campaign ${id}: ${JSON.stringify(last)}`,
    );
  };

  beforeAll(async () => {
    smsc = await startSmscStub({ idFormat: { resp: "hex", receipt: "decimal" } });
    hub = await startHub("sqlite", { env: { SMS_DAILY_CAP: "1" } });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await smsc?.stop();
  });

  it("flags the channel with the SMSC's status when the bind is refused, and sends nothing", async () => {
    const id = await channel({}, "sai-mat-khau");
    const d = await campaign(id, await list(["0911000001"]), "Thu nghiem");
    await eventually(
      async () => {
        const c = ok(await hub.api("GET", `/api/channels/${id}`), "channel");
        return c.reconnectReason ? c : undefined;
      },
      15_000,
      "the channel flagged",
    );
    const c = ok(await hub.api("GET", `/api/channels/${id}`), "channel");
    expect(c.reconnectReason).toContain("0x0000000e");
    const r = await report(d.campaignId);
    expect(r.totals.sent + r.totals.delivered + r.totals.rejected).toBe(0);
    ok(await hub.api("POST", `/api/campaigns/${d.campaignId}/cancel`), "cancel");
  }, 30_000);

  it("sends a 3-part UCS-2 message the SMSC reassembles exactly; receipts in decimal fold per recipient", async () => {
    const id = await channel({ window: 4 });
    const d = await campaign(id, await list(["0912345678", "0987654321", "0356789012"]), LONG_VI);
    expect(d.cost).toMatchObject({ encoding: "UCS-2", segments: 3, recipients: 3, totalSegments: 9 });
    const r = await settled(d.campaignId, (x) => x.totals.delivered === 3);
    expect(r.partsSent).toBe(9);
    const got = smsc.messages.filter((m) => m.text === LONG_VI.normalize("NFC"));
    expect(got.map((m) => m.to).sort()).toEqual(["84356789012", "84912345678", "84987654321"]);
    for (const m of got) expect(m).toMatchObject({ dataCoding: 8, parts: 3, from: "DAI PTTH CT" });
    expect(smsc.errors).toEqual([]);
    const delivery = ok(await hub.api("GET", `/api/deliveries/${d.id}`), "delivery");
    expect(delivery.status).toBe("published");
  }, 30_000);

  it("slows down on throttling answers instead of failing", async () => {
    const id = await channel({ window: 2 });
    smsc.throttle(6);
    const d = await campaign(id, await list(["0901000001", "0901000002", "0901000003", "0901000004"]), "Nop ho so truc tuyen");
    const r = await settled(d.campaignId, (x) => x.totals.delivered === 4);
    expect(r.totals.rejected).toBe(0);
    expect(smsc.throttled).toBe(6);
  }, 30_000);

  it("reconnects after a dropped connection: nothing sent twice, the unanswered message unconfirmed", async () => {
    const id = await channel({ window: 1 });
    const phones = Array.from({ length: 8 }, (_, i) => `090200000${i}`);
    const before = smsc.messages.length;
    smsc.dropAfter(3);
    const d = await campaign(id, await list(phones), "Nop ho so truc tuyen tai dichvucong.gov.vn");
    const r = await settled(d.campaignId, (x) => x.status === "finished" && x.totals.sent === 0, 30_000);
    expect(r.totals.unconfirmed).toBe(1);
    expect(r.totals.delivered).toBe(7);
    const to = smsc.messages.slice(before).map((m) => m.to);
    expect(new Set(to).size).toBe(to.length);
    expect(to.length).toBe(8);
    expect(smsc.binds.ok).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it("applies the daily cap across campaigns and the opt-out a citizen sent by MO 'HUY'", async () => {
    const id = await channel({});
    smsc.mo("84939111222", "huy");
    const db = hub.running.runtime.services.db;
    await eventually(
      async () => ((await db.selectFrom("sms_opt_outs").selectAll().execute()).length > 0 ? true : undefined),
      10_000,
      "the MO opt-out",
    );
    const d = await campaign(id, await list(["0912345678", "0939111222", "0918000111"]), "Lan hai trong ngay");
    const r = await settled(d.campaignId, (x) => x.status === "finished" && x.totals.delivered === 1);
    expect(r.skipped).toEqual({ daily_cap: 1, opt_out: 1 });
    expect(r.totals.delivered).toBe(1);
  }, 30_000);

  it("shows an officer masked numbers, DOST and admins full ones", async () => {
    const c = (await hub.running.runtime.services.db.selectFrom("campaigns").select("id").orderBy("created_at").execute())[1]?.id ?? "";
    const officer = ok(await hub.api("POST", "/api/users", { name: "Cán bộ", role: "officer", agencyId: AGENCY }), "officer").token;
    const csv = async (token: string) =>
      (await fetch(`${hub.url}/api/campaigns/${c}/recipients?format=csv`, { headers: { authorization: `Bearer ${token}` } })).text();
    const masked = await csv(officer);
    expect(masked).toContain("0912***678,delivered");
    expect(masked).not.toContain("912345678");
    expect(await csv(hub.env.LOA_ADMIN_TOKEN ?? "")).toContain("+84912345678,delivered");
  });
});
