// A recurring delivery end to end on the whole hub (web, worker, clock): its first occurrence is created
// at once, published once to the receiver however often the clock reconciles, and the next ones wait
// beyond the horizon.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookChannel } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

describe("a weekly recurrence, published", () => {
  let hub: TestHub;
  let stub: WebhookStub;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-dang-lai-hang-tuan").start();
    hub = await startHub("sqlite", { allow: [stub.url] });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("publishes each occurrence once, and creates the next ones only within the horizon", async () => {
    const channelId = await webhookChannel(hub.api, stub);
    const item = await hub.api("POST", "/api/items", {
      agencyId: "so-khcn",
      kind: "news",
      title: "Chuyên mục dịch vụ công hằng tuần",
      body: "Mỗi tuần một thủ tục trực tuyến.",
      tasks: ["1.3"],
    });
    const rec = await hub.api("POST", `/api/items/${item.body.id}/recurrences`, {
      channelId,
      at: new Date(Date.now() + 1_000).toISOString(),
      every: "week",
      count: 3,
    });
    expect(rec.status).toBe(201);
    expect(rec.body.created).toBe(1);
    await eventually(async () => (stub.posts.length >= 1 ? true : undefined), 15_000, "the first occurrence to be published");
    // The clock reconciles every second in tests: wait past several reconciles, then reconcile by hand too.
    const services = hub.running.runtime.services;
    await Promise.all([services.reconcile(), services.reconcile()]);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(stub.posts).toHaveLength(1);
    const deliveries = (await hub.api("GET", `/api/deliveries?itemId=${item.body.id}`)).body.data;
    expect(deliveries.map((d: { status: string }) => d.status)).toEqual(["published"]);
    const after = (await hub.api("GET", `/api/recurrences/${rec.body.id}`)).body;
    expect(after.created).toBe(1);
    expect(new Date(after.nextAt).getTime() - new Date(rec.body.firstAt).getTime()).toBe(7 * 86_400_000);
  }, 30_000);
});
