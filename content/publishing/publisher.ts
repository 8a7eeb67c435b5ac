import { audit } from "../audit.js";
import { AppError, assertNever } from "../errors.js";
import { SYSTEM } from "../model.js";
import type { PublishResult } from "../ports/adapter.js";
import type { Clock } from "../ports/clock.js";
import type { ChannelLimiter } from "../ports/limiter.js";
import { forDelivery, type Log } from "../ports/log.js";
import { type Metrics, noMetrics, type PublishOutcomeLabel } from "../ports/metrics.js";
import { groupCommit } from "../store/batch.js";
import type { Db } from "../store/db.js";
import type { DeliveryRow } from "../store/schema.js";
import type { DeliveryState } from "./delivery-state.js";
import { type Built, type Loaded, loadDeliveries, type RequestBuilder } from "./request.js";

export interface PublishPolicy {
  missedAfterMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** A claim's lease (`CLAIM_LEASE`): renewed every third of it while the provider call runs. */
  leaseMs: number;
}

/** What the queue should do with the delivery's job next. */
export type PublishOutcome =
  | { next: "done"; status: string }
  /** Not due yet, or a transient failure: run the job again at `at`. */
  | { next: "later"; at: Date };

/** A job this early is still run (timer jitter); earlier than that it is put back until `run_at`. */
const EARLY_TOLERANCE_MS = 1_000;
const MAX_BACKOFF_MS = 3_600_000;
/** How often a delivery whose media are still processing looks again. */
const MEDIA_WAIT_MS = 2_000;

export function backoffDelay(policy: Pick<PublishPolicy, "backoffMs">, attempts: number, retryAfterMs?: number): number {
  const exponential = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** Math.max(0, attempts - 1));
  return retryAfterMs === undefined ? exponential : Math.max(retryAfterMs, policy.backoffMs);
}

/** The published delivery as the publisher holds it: the compliance ledger records it without reading it again. */
export interface PublishedFacts {
  delivery: DeliveryRow;
  channelKind: string;
  channelSettings: string;
  itemKind: string;
  tasks: string[];
}

/** What the publisher is given: the delivery's state, how to build its request, and what to tell others. */
export interface PublisherDeps {
  db: Db;
  state: DeliveryState;
  build: RequestBuilder;
  clock: Clock;
  policy: PublishPolicy;
  log: Log;
  /** Keeps each channel within its limits across workers. */
  limiter: ChannelLimiter;
  /** Outcomes, provider latency and lateness for operations; none when absent. */
  metrics?: Metrics;
  /** This worker, as recorded in the leases of its claims. */
  owner: string;
  /** A delivery was published: compliance counts it from now on (`facts`: what the publisher read already). */
  onPublished(deliveryId: string, at: Date, facts?: PublishedFacts): Promise<void>;
  /** The provider refused the channel's credentials: its agency must connect the account again. */
  flagReconnect(channelId: string, reason: string, at: Date): Promise<void>;
  /**
   * Whether the item may go out as it now is (its approved version unchanged); when not, its
   * deliveries were held meanwhile (content/items/approval.ts). Absent: always.
   */
  approvedAsIs?(itemId: string, loaded?: Loaded): Promise<boolean>;
  /** A delivery carried by a campaign (SMS, ZNS) is handed to it once claimed: answers false when it has none. */
  handOff?(deliveryId: string, channelKind: string): Promise<boolean>;
}

/**
 * Publishes one delivery: prepares its request, claims it with a conditional UPDATE (a second claimer
 * gets nothing), calls the channel's adapter outside any transaction, and records the outcome.
 */
export function createPublisher(deps: PublisherDeps) {
  const { db, state, build, clock, policy, limiter, owner, onPublished, flagReconnect, approvedAsIs, handOff } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const log = deps.log;
  const leaseUntil = () => new Date(clock.now().getTime() + policy.leaseMs);

  // The reads and writes of the deliveries being published at the same time go together, a batch per
  // statement (content/store/batch.ts): a due burst costs a few statements per batch, not per delivery.
  const load = groupCommit((ids: string[]) => loadDeliveries(db, ids).then((found) => ids.map((id) => found.get(id))));
  const claim = groupCommit(async (ids: string[]) => {
    const now = clock.now();
    const rows = await state.claimMany(ids, now, new Date(now.getTime() + EARLY_TOLERANCE_MS), { owner, until: leaseUntil() });
    return ids.map((id) => rows.find((r) => r.id === id));
  });
  const published = groupCommit((results: { id: string; externalId: string; url: string | null }[]) => state.publishedMany(results));

  /** Renews the claim's lease until stopped, so that only a stopped worker's claims expire. */
  function heartbeat(id: string): () => void {
    const timer = setInterval(
      () =>
        void state.renewLease(id, owner, leaseUntil()).then(
          (held) => {
            if (!held)
              log.warn({ deliveryId: id }, "the claim was given up meanwhile (its lease had expired); the outcome is still recorded");
          },
          (err: unknown) => log.warn({ deliveryId: id, err: (err as Error).message }, "could not renew the claim's lease"),
        ),
      Math.max(200, Math.floor(policy.leaseMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  async function failure(d: DeliveryRow, err: unknown): Promise<PublishOutcome> {
    const e =
      err instanceof AppError
        ? err
        : new AppError("channel_unconfirmed", `unexpected error while publishing: ${(err as Error)?.message ?? err}`);
    switch (e.code) {
      case "rate_limited":
      case "channel_unavailable": {
        if (d.attempts >= policy.maxAttempts) {
          await state.failed(d.id, `gave up after ${d.attempts} attempts: ${e.message}`);
          return { next: "done", status: "failed" };
        }
        const at = new Date(clock.now().getTime() + backoffDelay(policy, d.attempts, e.retryAfterMs));
        // The provider's Retry-After holds back every delivery of this channel, not just this one.
        if (e.retryAfterMs !== undefined) await limiter.block(d.channel_id, new Date(clock.now().getTime() + e.retryAfterMs));
        await state.retryLater(d.id, at, e.message);
        return { next: "later", at };
      }
      case "channel_unconfirmed":
        await state.unconfirmed(d.id, e.message);
        return { next: "done", status: "unconfirmed" };
      case "auth_expired":
        await flagReconnect(d.channel_id, e.message, clock.now());
        await state.failed(d.id, e.message);
        return { next: "done", status: "failed" };
      case "channel_rejected":
      case "invalid_input":
      case "unprocessable":
      case "payload_too_large":
      case "unsupported_media_type":
      case "unauthorized":
      case "forbidden":
      case "not_found":
      case "conflict":
        await state.failed(d.id, e.message);
        return { next: "done", status: "failed" };
      default:
        return assertNever(e.code);
    }
  }

  /** The request for a delivery; nothing was sent when this fails (bad settings, undecryptable secret, template error). */
  async function prepare(d: DeliveryRow, loaded: Loaded | undefined, log: Log): Promise<Built | string> {
    try {
      return await build({ deliveryId: d.id, itemId: d.item_id, channelId: d.channel_id, scheduledAt: d.scheduled_at }, loaded);
    } catch (err) {
      log.error({ err }, "could not prepare a delivery");
      return err instanceof AppError ? err.message : `could not prepare the delivery: ${(err as Error).message}`;
    }
  }

  async function claimAndPublish(d: DeliveryRow, built: Built, log: Log, channelSettings?: string): Promise<PublishOutcome> {
    const kind = built.channelKind;
    const claimed = await claim(d.id);
    if (!claimed) {
      metrics.publishAttempt({ kind, outcome: "taken" });
      return { next: "done", status: "taken" };
    }
    const stopHeartbeat = heartbeat(d.id);
    // A campaign publishes its delivery itself, once a message is delivered (content/campaigns): the
    // claim's lease ends once it started, and the delivery stays publishing while its batches run.
    let campaign = false;
    try {
      campaign = handOff ? await handOff(d.id, kind) : false;
    } catch (err) {
      stopHeartbeat();
      throw err;
    }
    if (campaign) {
      stopHeartbeat();
      await state.handedOver(d.id);
      return { next: "done", status: "campaign" };
    }
    // A delivery claimed before may have reached the provider then (a lost answer, an officer's retry).
    const claimedBefore = d.claimed_at !== null;
    let result: PublishResult;
    const sent = performance.now();
    try {
      const signal = AbortSignal.timeout(Math.max(policy.timeoutMs, built.timeoutMs ?? 0));
      // Where the provider can be asked whether an earlier attempt got through, ask before posting again.
      const earlier = claimedBefore && built.adapter.lookup ? await built.adapter.lookup(claimed.id, signal) : undefined;
      if (earlier) log.info({ externalId: earlier.externalId }, "found the earlier attempt's publication; not posting again");
      result = earlier ?? (await built.adapter.publish(built.req, signal));
    } catch (err) {
      stopHeartbeat();
      const outcome = await failure(claimed, err);
      metrics.publishAttempt({
        kind,
        outcome: outcome.next === "later" ? "retry" : (outcome.status as PublishOutcomeLabel),
        code: err instanceof AppError ? err.code : "unexpected",
        durationMs: performance.now() - sent,
      });
      log.warn({ attempt: claimed.attempts, outcome, err: (err as Error).message }, "publish did not succeed");
      return outcome;
    }
    const durationMs = performance.now() - sent;
    stopHeartbeat();
    // A success is recorded even if the reconciler meanwhile gave the delivery up as unconfirmed.
    const recorded = await published({ id: d.id, externalId: result.externalId, url: result.url });
    metrics.publishAttempt({ kind, outcome: "published", durationMs, latenessMs: clock.now().getTime() - d.scheduled_at.getTime() });
    // Compliance counts it from now on; should this fail, the clock's backfill records it before closing the week.
    const facts: PublishedFacts | undefined =
      recorded && channelSettings !== undefined
        ? { delivery: recorded, channelKind: kind, channelSettings, itemKind: built.req.item.kind, tasks: built.req.item.tasks }
        : undefined;
    await onPublished(d.id, clock.now(), facts).catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, "could not record the publication for compliance yet"),
    );
    log.info({ externalId: result.externalId, kind }, "published");
    return { next: "done", status: "published" };
  }

  return {
    async run(id: string): Promise<PublishOutcome> {
      // Every line logged while publishing this delivery carries its id.
      const log = forDelivery(deps.log, id);
      // One read of the delivery with its item, agency, channel, tasks and media (batched with the
      // deliveries due with it); a delivery whose item or channel is gone is read alone, and its
      // preparation fails as before.
      const joined = await load(id);
      const d = joined?.delivery ?? (await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst());
      if (d?.status !== "scheduled") return { next: "done", status: d?.status ?? "gone" };
      const now = clock.now();
      if (d.run_at.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return { next: "later", at: d.run_at };
      if (d.attempts === 0 && now.getTime() - d.scheduled_at.getTime() > policy.missedAfterMs) {
        if (await state.missed(d.id, `picked up ${Math.round((now.getTime() - d.scheduled_at.getTime()) / 60_000)} min late`)) {
          await audit(db, SYSTEM, "delivery.missed", "delivery", d.id, now);
        }
        return { next: "done", status: "missed" };
      }
      // The approved version is frozen: a change that escaped the edit route holds the delivery instead of publishing it.
      if (approvedAsIs && !(await approvedAsIs(d.item_id, joined?.loaded))) return { next: "done", status: "held" };
      const built = await prepare(d, joined?.loaded, log);
      if (typeof built === "string") {
        await state.failed(d.id, built);
        return { next: "done", status: "failed" };
      }
      if (built.media.state === "failed") {
        metrics.publishAttempt({ kind: built.channelKind, outcome: "failed", code: "media_failed" });
        await state.failed(d.id, built.media.reason);
        return { next: "done", status: "failed" };
      }
      if (built.media.state === "waiting") {
        const at = new Date(now.getTime() + MEDIA_WAIT_MS);
        await state.delay(d.id, at, built.media.reason);
        return { next: "later", at };
      }
      const lease = await limiter.acquire(d.channel_id, built.limits);
      if (!lease.ok) {
        metrics.publishAttempt({ kind: built.channelKind, outcome: "delayed", code: "channel_limit" });
        await state.delay(d.id, lease.retryAt);
        return { next: "later", at: lease.retryAt };
      }
      try {
        return await claimAndPublish(d, built, log, joined?.loaded.channel.settings);
      } finally {
        await lease.release();
      }
    },
  };
}
export type Publisher = ReturnType<typeof createPublisher>;
