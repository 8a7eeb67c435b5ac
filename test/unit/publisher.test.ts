// The publisher's decision table, driven by a controlled clock: what each answer of a provider does to
// a delivery (its status, its next run, its error), with a fake adapter and an in-memory database.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../content/errors.js";
import type { ChannelAdapter, PublishResult } from "../../content/ports/adapter.js";
import type { Clock } from "../../content/ports/clock.js";
import type { ChannelLimiter } from "../../content/ports/limiter.js";
import { createDeliveryState } from "../../content/publishing/delivery-state.js";
import { createPublisher, type PublishPolicy } from "../../content/publishing/publisher.js";
import { createReconciler } from "../../content/publishing/reconciler.js";
import type { Built } from "../../content/publishing/request.js";
import { createUnconfirmedResolver } from "../../content/publishing/unconfirmed.js";
import { type OpenedDb, openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";

const T0 = new Date("2026-12-07T01:00:00Z"); // Monday 08:00 in Asia/Ho_Chi_Minh
const POLICY: PublishPolicy = { missedAfterMs: 24 * 3_600_000, timeoutMs: 5_000, maxAttempts: 3, backoffMs: 30_000, leaseMs: 20_000 };
const silent = { info() {}, warn() {}, error() {} };
const SETTLE_MS = 120_000;

/** A clock that moves only when told. */
function testClock(start: Date): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

interface World {
  database: OpenedDb;
  clock: ReturnType<typeof testClock>;
  calls: { publish: number; lookup: number };
  blocked: { channelId: string; until: Date }[];
  published: string[];
  reconnect: { channelId: string; reason: string }[];
  /** What the fake provider does on the next publish call. */
  answer: () => Promise<PublishResult>;
  /** What lookup finds (undefined: nothing), or no lookup at all when null. */
  found: PublishResult | undefined | null;
  /** When set, no lease is given: the channel is busy until then. */
  busyUntil: Date | undefined;
  /** The receiver keeps one post per idempotency key (the signed webhook). */
  idempotent: boolean;
  /** The lookup throws (the provider is down). */
  lookupFails: boolean;
  /** Jobs the reconciler queued. */
  queued: string[];
  /** What the delivery-state observer (alerts, outgoing webhooks) was told: id, status, transition. */
  observed: { id: string; status: string; t: string }[];
  run(): Promise<Awaited<ReturnType<ReturnType<typeof createPublisher>["run"]>>>;
  reclaim(): Promise<{ unconfirmed: number; published: number; resent: number }>;
  row(): Promise<{
    status: string;
    attempts: number;
    run_at: Date;
    last_error: string | null;
    external_id: string | null;
    lease_owner: string | null;
    lease_until: Date | null;
  }>;
}

async function world(policy: PublishPolicy = POLICY): Promise<World> {
  const database = await openDb({ kind: "sqlite", file: ":memory:" });
  const db = database.db;
  await migrate(db);
  const clock = testClock(T0);
  await db
    .insertInto("agencies")
    .values({ id: "so-khcn", code: "so-khcn", name: "Sở KH&CN", kind: "dost", parent_id: null, valid_from: "2024-01-01", valid_to: null })
    .execute();
  const at = T0;
  await db
    .insertInto("channels")
    .values({
      id: "ch",
      agency_id: "so-khcn",
      kind: "webhook",
      name: "Cổng",
      settings: "{}",
      secret: null,
      token_expires_at: null,
      reconnect_reason: null,
      reconnect_flagged_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto("items")
    .values({
      id: "it",
      agency_id: "so-khcn",
      kind: "news",
      title: "Tin",
      body: "Nội dung",
      status: "draft",
      variants: "{}",
      created_by: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  const observed: World["observed"] = [];
  const state = createDeliveryState(db, clock, () => async (row, t) => void observed.push({ id: row.id, status: row.status, t }));
  await state.insert(db, [
    {
      id: "d1",
      item_id: "it",
      channel_id: "ch",
      agency_id: "so-khcn",
      status: "scheduled",
      scheduled_at: at,
      run_at: at,
      attempts: 0,
      created_at: at,
      updated_at: at,
    },
  ]);

  const w: World = {
    database,
    clock,
    calls: { publish: 0, lookup: 0 },
    blocked: [],
    published: [],
    reconnect: [],
    answer: async () => ({ externalId: "post-1", url: "https://cong.example/post-1" }),
    found: null,
    busyUntil: undefined,
    idempotent: false,
    lookupFails: false,
    queued: [],
    observed,
    run: () => publisher.run("d1"),
    reclaim: () => reconcile.reclaim(),
    row: () =>
      db
        .selectFrom("deliveries")
        .select(["status", "attempts", "run_at", "last_error", "external_id", "lease_owner", "lease_until"])
        .where("id", "=", "d1")
        .executeTakeFirstOrThrow(),
  };
  const adapter = (): ChannelAdapter => ({
    kind: "webhook",
    idempotent: w.idempotent,
    check: () => [],
    publish: async () => {
      w.calls.publish++;
      return w.answer();
    },
    ...(w.found === null
      ? {}
      : {
          lookup: async () => {
            w.calls.lookup++;
            if (w.lookupFails) throw new AppError("channel_unavailable", "the provider answered 503");
            return w.found ?? undefined;
          },
        }),
  });
  const limiter: ChannelLimiter = {
    acquire: async () => (w.busyUntil ? { ok: false, retryAt: w.busyUntil } : { ok: true, release: async () => {} }),
    block: async (channelId, until) => void w.blocked.push({ channelId, until }),
  };
  const build = async (t: { deliveryId: string; scheduledAt: Date }) =>
    ({
      adapter: adapter(),
      limits: {},
      timeoutMs: undefined,
      channelKind: "webhook",
      media: { state: "ready", media: [] },
      req: { deliveryId: t.deliveryId, scheduledAt: t.scheduledAt, item: { kind: "news", tasks: [] } },
    }) as unknown as Built;
  const onPublished = async (id: string) => void w.published.push(id);
  const reconcile = createReconciler(
    db,
    state,
    { add: async (jobs) => void w.queued.push(...jobs.map((j) => j.deliveryId)), remove: async () => {} },
    clock,
    { horizonMs: 3_600_000, stuckAfterMs: () => 90_000 },
    silent,
    createUnconfirmedResolver(db, state, build, clock, { settleMs: SETTLE_MS, timeoutMs: POLICY.timeoutMs }, silent, onPublished),
  );
  const publisher = createPublisher({
    db,
    state,
    clock,
    policy,
    log: silent,
    limiter,
    owner: "worker-a",
    build,
    onPublished,
    flagReconnect: async (channelId, reason) => void w.reconnect.push({ channelId, reason }),
  });
  return w;
}

const fail = (code: AppError["code"], message: string, retryAfterMs?: number) => async (): Promise<PublishResult> => {
  throw new AppError(code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
};

describe("the publisher's decision table", () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.database.close();
  });

  it("publishes once on success, records the provider's id and tells compliance", async () => {
    expect(await w.run()).toEqual({ next: "done", status: "published" });
    expect(await w.row()).toMatchObject({ status: "published", attempts: 1, external_id: "post-1", last_error: null });
    expect(w.published).toEqual(["d1"]);
    expect(await w.run()).toEqual({ next: "done", status: "published" }); // a second run finds it done
    expect(w.calls.publish).toBe(1);
  });

  it("fails at once on a refusal (4xx), keeping the provider's message", async () => {
    w.answer = fail("channel_rejected", "the CMS answered 422: title too long");
    expect(await w.run()).toEqual({ next: "done", status: "failed" });
    expect(await w.row()).toMatchObject({ status: "failed", last_error: "the CMS answered 422: title too long" });
    expect(w.published).toEqual([]);
  });

  it("puts a provider outage (5xx) back on the schedule with exponential backoff, then gives up after the last attempt", async () => {
    w.answer = fail("channel_unavailable", "the CMS answered 503: maintenance");
    const first = await w.run();
    expect(first).toEqual({ next: "later", at: new Date(T0.getTime() + 30_000) });
    expect(await w.row()).toMatchObject({ status: "scheduled", attempts: 1, last_error: "the CMS answered 503: maintenance" });
    w.clock.advance(30_000);
    expect(await w.run()).toEqual({ next: "later", at: new Date(T0.getTime() + 30_000 + 60_000) });
    w.clock.advance(60_000);
    expect(await w.run()).toEqual({ next: "done", status: "failed" });
    expect((await w.row()).last_error).toBe("gave up after 3 attempts: the CMS answered 503: maintenance");
    expect(w.calls.publish).toBe(3);
  });

  it("waits as long as a 429's Retry-After asks, and holds back the whole channel", async () => {
    w.answer = fail("rate_limited", "the Graph API answered 429: too many calls", 120_000);
    expect(await w.run()).toEqual({ next: "later", at: new Date(T0.getTime() + 120_000) });
    expect(w.blocked).toEqual([{ channelId: "ch", until: new Date(T0.getTime() + 120_000) }]);
    expect((await w.row()).status).toBe("scheduled");
  });

  it("does not run a delivery before its time: an early job is put back until run_at", async () => {
    w.answer = fail("channel_unavailable", "down");
    await w.run(); // now due again at T0 + 30 s
    w.clock.advance(10_000);
    expect(await w.run()).toEqual({ next: "later", at: new Date(T0.getTime() + 30_000) });
    expect(w.calls.publish).toBe(1);
  });

  it("leaves a timeout after sending unconfirmed, never sending again by itself", async () => {
    w.answer = fail("channel_unconfirmed", "no answer from cms.example before the timeout; it may have published");
    expect(await w.run()).toEqual({ next: "done", status: "unconfirmed" });
    expect(await w.row()).toMatchObject({ status: "unconfirmed", last_error: expect.stringContaining("may have published") });
    expect(await w.run()).toEqual({ next: "done", status: "unconfirmed" });
    expect(w.calls.publish).toBe(1);
  });

  it("treats an aborted call that is not one of Loa's errors as unconfirmed", async () => {
    w.answer = async () => {
      throw new DOMException("The operation was aborted.", "AbortError");
    };
    expect(await w.run()).toEqual({ next: "done", status: "unconfirmed" });
    expect((await w.row()).last_error).toContain("The operation was aborted.");
  });

  it("flags the channel for reconnection and fails the delivery when the provider refuses its credentials", async () => {
    w.answer = fail("auth_expired", "the Page token expired");
    expect(await w.run()).toEqual({ next: "done", status: "failed" });
    expect(w.reconnect).toEqual([{ channelId: "ch", reason: "the Page token expired" }]);
    expect((await w.row()).status).toBe("failed");
  });

  it("after an earlier claim, asks the provider first and records what it found instead of posting again", async () => {
    w.found = { externalId: "post-earlier", url: null };
    w.answer = fail("channel_unavailable", "connection reset");
    await w.run(); // first attempt claimed, then back on the schedule
    w.clock.advance(30_000);
    expect(await w.run()).toEqual({ next: "done", status: "published" });
    expect(w.calls).toEqual({ publish: 1, lookup: 1 });
    expect((await w.row()).external_id).toBe("post-earlier");
  });

  it("after an earlier claim, posts again when the lookup finds nothing", async () => {
    w.found = undefined;
    w.answer = fail("channel_unavailable", "connection reset");
    await w.run();
    w.answer = async () => ({ externalId: "post-2", url: null });
    w.clock.advance(30_000);
    expect(await w.run()).toEqual({ next: "done", status: "published" });
    expect(w.calls).toEqual({ publish: 2, lookup: 1 });
    expect((await w.row()).external_id).toBe("post-2");
  });

  it("never looks up on a first attempt", async () => {
    w.found = { externalId: "someone-else", url: null };
    await w.run();
    expect(w.calls).toEqual({ publish: 1, lookup: 0 });
  });

  it("records a delivery picked up more than MISSED_AFTER late as missed, without calling the provider", async () => {
    w.clock.advance(POLICY.missedAfterMs + 60_000);
    expect(await w.run()).toEqual({ next: "done", status: "missed" });
    expect(await w.row()).toMatchObject({ status: "missed", last_error: "picked up 1441 min late" });
    expect(w.calls.publish).toBe(0);
  });

  it("comes back when the channel's limiter says so, without counting an attempt", async () => {
    w.busyUntil = new Date(T0.getTime() + 5_000);
    expect(await w.run()).toEqual({ next: "later", at: w.busyUntil });
    expect(await w.row()).toMatchObject({ status: "scheduled", attempts: 0 });
    expect(w.calls.publish).toBe(0);
  });
});

describe("claim leases and the resolution of unconfirmed deliveries", () => {
  let w: World;
  afterEach(async () => {
    await w.database.close();
  });

  const unconfirmedByTimeout = async () => {
    w.answer = fail("channel_unconfirmed", "no answer before the timeout; it may have published");
    expect(await w.run()).toEqual({ next: "done", status: "unconfirmed" });
  };

  it("claims with a lease held by this worker while the adapter call runs, and ends it with the outcome", async () => {
    w = await world();
    let during: Awaited<ReturnType<World["row"]>> | undefined;
    w.answer = async () => {
      during = await w.row();
      return { externalId: "post-1", url: null };
    };
    await w.run();
    expect(during).toMatchObject({ status: "publishing", lease_owner: "worker-a", lease_until: new Date(T0.getTime() + 20_000) });
    expect(await w.row()).toMatchObject({ status: "published", lease_owner: null, lease_until: null });
  });

  it("renews the lease while a slow provider call runs, so a live worker's claim never expires", async () => {
    w = await world({ ...POLICY, leaseMs: 1_000 });
    const leases: (Date | null)[] = [];
    w.answer = async () => {
      for (let i = 0; i < 3; i++) {
        w.clock.advance(500);
        await new Promise((r) => setTimeout(r, 400)); // the heartbeat runs every third of the lease (real time)
        leases.push((await w.row()).lease_until);
      }
      return { externalId: "post-1", url: null };
    };
    await w.run();
    // Each renewal sets the lease a full lease past the (test) clock's now: it moves forward with time.
    const times = leases.map((l) => l?.getTime() ?? 0);
    expect(times[2]).toBeGreaterThan(T0.getTime() + 1_000);
    expect(times[2]).toBeGreaterThan(times[0] ?? 0);
  });

  it("gives up a claim whose lease expired as unconfirmed (its worker stopped), and leaves a live lease alone", async () => {
    w = await world();
    await w.database.db
      .updateTable("deliveries")
      .set({ status: "publishing", attempts: 1, claimed_at: T0, lease_owner: "dead", lease_until: new Date(T0.getTime() + 20_000) })
      .execute();
    w.clock.advance(19_000);
    expect((await w.reclaim()).unconfirmed).toBe(0);
    w.clock.advance(2_000);
    expect((await w.reclaim()).unconfirmed).toBe(1);
    expect(await w.row()).toMatchObject({ status: "unconfirmed", lease_owner: null, last_error: expect.stringContaining("lease expired") });
    // Alerts and outgoing webhooks hear of it, as of a leaseless claim given up.
    expect(w.observed).toEqual([{ id: "d1", status: "unconfirmed", t: "abandon" }]);
  });

  it("leaves an unconfirmed delivery alone until UNCONFIRMED_SETTLE has passed", async () => {
    w = await world();
    w.found = { externalId: "post-late", url: null };
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS - 1_000);
    expect(await w.reclaim()).toEqual({ unconfirmed: 0, published: 0, resent: 0 });
    expect(w.calls.lookup).toBe(0);
  });

  it("records as published an unconfirmed delivery that the lookup finds, without posting again", async () => {
    w = await world();
    w.found = { externalId: "post-late", url: "https://cong.example/late" };
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS);
    expect(await w.reclaim()).toEqual({ unconfirmed: 0, published: 1, resent: 0 });
    expect(await w.row()).toMatchObject({ status: "published", external_id: "post-late" });
    expect(w.published).toEqual(["d1"]);
    expect(w.calls).toEqual({ publish: 1, lookup: 1 });
  });

  it("sends again, with the same delivery id, an unconfirmed delivery the lookup does not find once settled", async () => {
    w = await world();
    w.found = undefined;
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS);
    expect(await w.reclaim()).toEqual({ unconfirmed: 0, published: 0, resent: 1 });
    expect(w.queued).toEqual(["d1"]);
    expect(await w.row()).toMatchObject({ status: "scheduled", attempts: 1, run_at: w.clock.now() });
    w.answer = async () => ({ externalId: "post-2", url: null });
    expect(await w.run()).toEqual({ next: "done", status: "published" });
    expect(w.calls).toEqual({ publish: 2, lookup: 2 }); // the publisher asks once more before posting
  });

  it("sends again an unconfirmed delivery of a receiver that keeps one post per idempotency key, though it has no lookup", async () => {
    w = await world();
    w.idempotent = true;
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS);
    expect((await w.reclaim()).resent).toBe(1);
    w.answer = async () => ({ externalId: "post-1", url: null });
    expect(await w.run()).toEqual({ next: "done", status: "published" });
  });

  it("keeps unconfirmed, for an officer, a delivery whose channel can know nothing (no lookup, no idempotency key)", async () => {
    w = await world();
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS);
    expect(await w.reclaim()).toEqual({ unconfirmed: 0, published: 0, resent: 0 });
    expect((await w.row()).status).toBe("unconfirmed");
    expect(w.calls.publish).toBe(1);
  });

  it("asks again a settle time later when the lookup itself fails (the provider is down)", async () => {
    w = await world();
    w.found = { externalId: "post-1", url: null };
    await unconfirmedByTimeout();
    w.clock.advance(SETTLE_MS);
    w.lookupFails = true;
    expect(await w.reclaim()).toEqual({ unconfirmed: 0, published: 0, resent: 0 });
    expect((await w.row()).status).toBe("unconfirmed");
    w.lookupFails = false;
    expect((await w.reclaim()).published).toBe(0); // not asked again before another settle time
    w.clock.advance(SETTLE_MS);
    expect((await w.reclaim()).published).toBe(1);
    expect(w.calls).toEqual({ publish: 1, lookup: 2 });
  });
});
