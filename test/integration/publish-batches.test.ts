// A due burst is read, claimed, recorded and counted in batches (content/store/batch.ts): every delivery
// still published once, with its own post id and URL, each counted once in the compliance ledger.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleMany } from "../faults/harness.js";
import { DB_KINDS } from "../helpers/db.js";
import { webhookChannel } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const N = 120;

describe.each(DB_KINDS)("a burst of due deliveries (%s)", (kind) => {
  let hub: TestHub;
  let stub: WebhookStub;
  beforeAll(async () => {
    stub = await new WebhookStub("bi-mat-lo").start();
    hub = await startHub(kind, { allow: [stub.url], env: { PUBLISH_CONCURRENCY: "30", PUBLISH_TIMEOUT: "30s" } });
  });
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("publishes each delivery once with its own post, counts each once, in far fewer statements than deliveries", async () => {
    const db = hub.running.runtime.database.db;
    const channelId = await webhookChannel(hub.api, stub);
    const ids = await scheduleMany(hub.api, channelId, N, 1_500);
    const before = hub.running.runtime.database.queries();
    await eventually(
      async () => {
        const n = await db.selectFrom("deliveries").select("id").where("status", "=", "published").execute();
        return n.length === N ? true : undefined;
      },
      60_000,
      () => `${N} deliveries to be published`,
    );
    const statements = hub.running.runtime.database.queries() - before;

    expect(stub.posts).toHaveLength(N);
    expect(new Set(stub.posts.map((p) => p.key))).toEqual(new Set(ids));
    const rows = await db.selectFrom("deliveries").select(["id", "external_id", "url", "attempts", "lease_owner"]).execute();
    const byKey = new Map(stub.requests.map((r) => [r.key, r]));
    expect(rows.every((r) => r.attempts === 1 && r.lease_owner === null && byKey.has(r.id))).toBe(true);
    // Each row has the post the stub created for its own request (the batched update maps them one by one).
    const posts = new Map(stub.posts.map((p, i) => [p.key, `post-${i + 1}`]));
    expect(rows.filter((r) => r.external_id !== posts.get(r.id))).toEqual([]);
    expect(new Set(rows.map((r) => r.url)).size).toBe(N);

    // The ledger records a publication right after its delivery is recorded published (its own batch).
    const publications = await eventually(
      async () => {
        const rows = await db.selectFrom("publications").select(["delivery_id"]).execute();
        return rows.length >= N ? rows : undefined;
      },
      30_000,
      () => `${N} publications in the ledger`,
    );
    expect(publications.map((p) => p.delivery_id).sort()).toEqual([...ids].sort());
    const tallies = await db.selectFrom("publication_tasks").select("publication_id").where("task_code", "=", "1.3").execute();
    expect(tallies).toHaveLength(N);
    // One at a time the publish path took 17 statements per delivery; the polling above adds a few.
    expect(statements).toBeLessThan(N * 8);
  });
});
