// Scheduling in bulk: `POST /api/items/:id/schedule` with many deliveries, and `POST /api/schedule`
// for many items at once, all or nothing, with problems named by their place in the request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY, newsItem, webhookChannel } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe("scheduling in bulk (sqlite)", () => {
  let hub: TestHub;
  let stub: WebhookStub;
  let channelId: string;
  let officer: string;

  beforeAll(async () => {
    stub = await new WebhookStub("bulk-secret-0123456").start();
    hub = await startHub("sqlite", { roles: ["web"], allow: [stub.url] });
    channelId = await webhookChannel(hub.api, stub);
    officer = (await hub.api("POST", "/api/users", { name: "Nguyễn Văn An", role: "officer", agencyId: AGENCY })).body.token;
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  const count = async () =>
    Number(
      (
        await hub.running.runtime.database.db
          .selectFrom("deliveries")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("schedules one item at 200 times in one request, each with its delayed job", async () => {
    const item = await newsItem(hub.api);
    const deliveries = Array.from({ length: 200 }, (_, i) => ({ channelId, at: inHours(1 + i) }));
    const res = await hub.api("POST", `/api/items/${item}/schedule`, { deliveries });
    expect(res.status).toBe(201);
    expect(res.body.data).toHaveLength(200);
    const jobs = await hub.running.runtime.queue.queue.getJobCounts("delayed");
    expect(jobs.delayed).toBeGreaterThanOrEqual(200);
  });

  it("schedules many items in one request: every delivery inserted and queued", async () => {
    const items = await Promise.all(Array.from({ length: 20 }, (_, i) => newsItem(hub.api, AGENCY, `Tin ${i}`)));
    const before = await count();
    const res = await hub.api("POST", "/api/schedule", {
      items: items.map((itemId, i) => ({
        itemId,
        deliveries: [
          { channelId, at: inHours(2) },
          { channelId, at: inHours(3 + i) },
        ],
      })),
    });
    expect(res.status).toBe(201);
    expect(res.body.data.map((e: { itemId: string }) => e.itemId)).toEqual(items);
    expect(
      res.body.data.every(
        (e: { deliveries: { status: string }[] }) => e.deliveries.length === 2 && e.deliveries[0]?.status === "scheduled",
      ),
    ).toBe(true);
    expect((await count()) - before).toBe(40);
    const first = res.body.data[0].deliveries[0].id;
    expect(await hub.running.runtime.queue.queue.getJob(`delivery-${first}`)).toBeTruthy();
  });

  it("writes nothing when one item's delivery is wrong, and names it by its place", async () => {
    const [a, b] = [await newsItem(hub.api), await newsItem(hub.api)];
    const before = await count();
    const res = await hub.api("POST", "/api/schedule", {
      items: [
        { itemId: a, deliveries: [{ channelId, at: inHours(1) }] },
        { itemId: b, deliveries: [{ channelId, at: "2020-01-01T00:00:00+07:00" }] },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "unprocessable", field: "items.1.deliveries.0.at" });
    expect(await count()).toBe(before);
  });

  it("answers another agency's item as unknown to an officer (404), naming its place", async () => {
    const other = await newsItem(hub.api, "so-y-te");
    const own = await newsItem(hub.api);
    const res = await hub.api(
      "POST",
      "/api/schedule",
      {
        items: [
          { itemId: own, deliveries: [{ channelId, at: inHours(1) }] },
          { itemId: other, deliveries: [{ channelId, at: inHours(1) }] },
        ],
      },
      officer,
    );
    expect(res.status).toBe(404);
    expect(res.body.field).toMatch(/^items\.1\./);
  });

  it("gives two items asking for the channel's next slot in one request two different slots", async () => {
    const slotted = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "webhook",
      name: "Chuyên mục hằng ngày",
      settings: { url: stub.url, slots: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], time: "09:00" }] },
      secret: stub.secret,
    });
    expect(slotted.status).toBe(201);
    const [a, b] = [await newsItem(hub.api), await newsItem(hub.api)];
    const res = await hub.api("POST", "/api/schedule", {
      items: [
        { itemId: a, deliveries: [{ channelId: slotted.body.id, slot: "next" }] },
        { itemId: b, deliveries: [{ channelId: slotted.body.id, slot: "next" }] },
      ],
    });
    expect(res.status).toBe(201);
    const [first, second] = res.body.data.map((e: { deliveries: { scheduledAt: string }[] }) =>
      Date.parse(e.deliveries[0]?.scheduledAt ?? ""),
    );
    expect(second - first).toBe(86_400_000);
  });

  it("refuses a request past 1,000 items with 400 naming 'items'", async () => {
    const res = await hub.api("POST", "/api/schedule", {
      items: Array.from({ length: 1001 }, () => ({ itemId: "x", deliveries: [{ channelId }] })),
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items");
  });
});
