// A ZNS campaign with an SMS fallback: numbers with a Zalo account get the template through the
// agency's Zalo OA connection; the others (no Zalo account) get the SMS over SMPP; each recipient one message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { recipientList } from "../helpers/world.js";
import { type SmscStub, startSmscStub } from "../stubs/smsc.stub.js";
import { startZnsStub } from "../stubs/zns.stub.js";

const AGENCY = "so-khcn";

describe("Zalo ZNS campaigns with an SMS fallback", () => {
  let hub: TestHub;
  let smsc: SmscStub;
  let zns: Awaited<ReturnType<typeof startZnsStub>>;
  const ok = <T>(r: { status: number; body: T }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T & Record<string, any>;
  };

  beforeAll(async () => {
    smsc = await startSmscStub();
    zns = await startZnsStub({
      accessToken: "oa-access-token",
      templates: { "248079": ["noi_dung"] },
      zaloUsers: new Set(["84912345678"]),
    });
    hub = await startHub("sqlite", { providers: { zalo: zns.origin } });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await smsc?.stop();
    await zns?.stop();
  });

  it("sends ZNS to Zalo users and the SMS to the others, once each", async () => {
    const channel = async (kind: string, settings: Record<string, unknown>, secret?: string) =>
      ok(await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name: kind, settings, ...(secret ? { secret } : {}) }), kind)
        .id as string;
    const oa = await channel("zalo_oa", {}, JSON.stringify({ accessToken: "oa-access-token", refreshToken: "oa-refresh-token" }));
    const znsId = await channel("zalo_zns", { oaChannelId: oa, templateId: "248079", params: { noi_dung: "{{text}}" }, quietHours: null });
    const smsId = await channel(
      "sms",
      { gateway: "smpp", host: "127.0.0.1", port: smsc.port, systemId: "sokhcn1", sender: "SOKHCN", quietHours: null },
      "bimat123",
    );
    const listId = ok(await recipientList(hub, AGENCY, "phone\n0912345678\n0987654321\n"), "list").id;
    const itemId = ok(
      await hub.api("POST", "/api/items", { agencyId: AGENCY, kind: "sms", title: "ZNS", body: "Nop ho so truc tuyen", tasks: ["3.3"] }),
      "item",
    ).id;
    const d = ok(
      await hub.api("POST", `/api/items/${itemId}/schedule`, {
        deliveries: [{ channelId: znsId, recipientListId: listId, fallbackChannelId: smsId }],
      }),
      "schedule",
    ).data[0];
    const r = await eventually(
      async () => {
        const c = ok(await hub.api("GET", `/api/campaigns/${d.campaignId}`), "campaign");
        return c.status === "finished" && c.totals.delivered === 1 ? c : undefined;
      },
      20_000,
      "the campaign",
    );
    expect(r.totals).toMatchObject({ sent: 1, delivered: 1, rejected: 0 });
    expect(zns.sent.map((s) => [s.phone, s.data.noi_dung])).toEqual([["84912345678", "Nop ho so truc tuyen"]]);
    expect(smsc.messages.map((m) => m.to)).toEqual(["84987654321"]);
    const csv = await (
      await fetch(`${hub.url}/api/campaigns/${d.campaignId}/recipients`, {
        headers: { authorization: `Bearer ${hub.env.LOA_ADMIN_TOKEN}` },
      })
    ).text();
    expect(csv).toContain("+84912345678,sent,,zalo_zns");
    expect(csv).toContain("+84987654321,delivered,,sms");
    // A fallback must be an SMS channel behind a ZNS one.
    const bad = await hub.api("POST", `/api/items/${itemId}/schedule`, {
      deliveries: [{ channelId: smsId, recipientListId: listId, fallbackChannelId: znsId }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe("deliveries.0.fallbackChannelId");
  }, 30_000);
});
