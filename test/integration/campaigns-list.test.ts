// `GET /api/campaigns`: the campaigns a caller may read, newest first, paged — an officer their
// agency's only (another agency's campaign is not listed), DOST's auditors and admins everyone's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub, type TestHub } from "../helpers/hub.js";
import { buildWorld, WORLD_ENV, type World } from "../helpers/world.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe("GET /api/campaigns", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let world: World;
  const ids = async (token: string, query = "") => {
    const r = await hub.api("GET", `/api/campaigns${query}`, undefined, token);
    expect(r.status).toBe(200);
    return (r.body.data as { id: string }[]).map((c) => c.id);
  };

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-ky-danh-sach-chien-dich").start();
    hub = await startHub("sqlite", { roles: ["web"], env: WORLD_ENV });
    world = await buildWorld(hub, stub);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("lists an officer's own agency's campaigns only, and the auditor's and admin's everyone's", async () => {
    const { own, other } = world.seeds;
    const officer = await ids(world.tokens.officer);
    expect(officer).toContain(own.campaignId);
    expect(officer).not.toContain(other.campaignId);
    expect(await ids(world.tokens.approver)).not.toContain(other.campaignId);
    for (const token of [world.tokens.auditor, world.tokens.admin])
      expect(await ids(token)).toEqual(expect.arrayContaining([own.campaignId, other.campaignId]));
    const broadcaster = await hub.api("GET", "/api/campaigns", undefined, world.tokens.broadcaster);
    expect(broadcaster.status).toBe(403);
  });

  it("answers each campaign as its report does, with the item's title, channel and agency", async () => {
    const { own } = world.seeds;
    const r = await hub.api("GET", "/api/campaigns", undefined, world.tokens.auditor);
    const listed = r.body.data.find((c: { id: string }) => c.id === own.campaignId);
    const one = await hub.api("GET", `/api/campaigns/${own.campaignId}`, undefined, world.tokens.auditor);
    expect(listed).toMatchObject({ ...one.body, eta: listed.eta });
    expect(listed.createdAt).toEqual(expect.any(String));
    expect(listed.itemTitle).toEqual(expect.any(String));
    expect(listed.channel).toEqual({ id: own.smsChannelId, name: expect.any(String), kind: "sms" });
    expect(listed.agency).toEqual({ id: own.agencyId, name: expect.any(String) });
    expect(Object.keys(listed.totals)).toEqual(expect.arrayContaining(["queued", "delivered", "undelivered"]));
    // Every campaign of the page (their recipients counted in one statement) has its own totals.
    for (const c of r.body.data as { id: string; totals: unknown; partsSent: number }[]) {
      const alone = await hub.api("GET", `/api/campaigns/${c.id}`, undefined, world.tokens.auditor);
      expect({ id: c.id, totals: c.totals, partsSent: c.partsSent }).toEqual({
        id: c.id,
        totals: alone.body.totals,
        partsSent: alone.body.partsSent,
      });
    }
  });

  it("puts the newest first and pages with limit and offset; a bad limit is a 400 naming it", async () => {
    const newer = await world.fresh.campaign(world.seeds.own);
    const all = await ids(world.tokens.admin);
    expect(all[0]).toBe(newer);
    expect(await ids(world.tokens.admin, "?limit=1")).toEqual([newer]);
    expect(await ids(world.tokens.admin, "?limit=1&offset=1")).toEqual([all[1]]);
    const bad = await hub.api("GET", "/api/campaigns?limit=0", undefined, world.tokens.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("limit");
    const unknown = await hub.api("GET", "/api/campaigns?agency=x", undefined, world.tokens.admin);
    expect(unknown.status).toBe(400);
  });
});
