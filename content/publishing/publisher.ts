import { assertNever } from "../access.js";
import { flagReconnect } from "../accounts/health.js";
import { audit } from "../audit.js";
import { recordDeliveryPublication } from "../compliance/ledger.js";
import { AppError } from "../errors.js";
import { itemMediaState } from "../media/attachments.js";
import { SYSTEM } from "../model.js";
import type { PublishResult } from "../ports/adapter.js";
import type { ChannelLimiter, ChannelLimits, Clock, Log } from "../ports/runtime.js";
import type { Db } from "../store/db.js";
import type { DeliveryRow } from "../store/schema.js";
import type { Built, RequestBuilder } from "./request.js";

export interface PublishPolicy {
  missedAfterMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
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

export function backoffDelay(policy: PublishPolicy, attempts: number, retryAfterMs?: number): number {
  const exponential = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** Math.max(0, attempts - 1));
  return retryAfterMs === undefined ? exponential : Math.max(retryAfterMs, policy.backoffMs);
}

/**
 * Publishes one delivery: claims it with a conditional UPDATE (a second claimer gets nothing), renders
 * the item, calls the channel's adapter outside any transaction, and records the outcome.
 */
/** The channel's limits, and the shared limiter that enforces them across workers. */
export interface Limits {
  limiter: ChannelLimiter;
  of(channelId: string): Promise<ChannelLimits>;
}

export function createPublisher(db: Db, build: RequestBuilder, clock: Clock, policy: PublishPolicy, log: Log, limits: Limits) {
  async function finish(id: string, values: Partial<DeliveryRow>, from: string[] = ["publishing"]) {
    await db
      .updateTable("deliveries")
      .set({ ...values, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "in", from)
      .execute();
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
          await finish(d.id, { status: "failed", last_error: `gave up after ${d.attempts} attempts: ${e.message}` });
          return { next: "done", status: "failed" };
        }
        const at = new Date(clock.now().getTime() + backoffDelay(policy, d.attempts, e.retryAfterMs));
        // The provider's Retry-After holds back every delivery of this channel, not just this one.
        if (e.retryAfterMs !== undefined) await limits.limiter.block(d.channel_id, new Date(clock.now().getTime() + e.retryAfterMs));
        await finish(d.id, { status: "scheduled", run_at: at, last_error: e.message });
        return { next: "later", at };
      }
      case "channel_unconfirmed":
        await finish(d.id, { status: "unconfirmed", last_error: e.message });
        return { next: "done", status: "unconfirmed" };
      case "auth_expired":
        await flagReconnect(db, d.channel_id, e.message, clock.now());
        await finish(d.id, { status: "failed", last_error: e.message });
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
        await finish(d.id, { status: "failed", last_error: e.message });
        return { next: "done", status: "failed" };
      default:
        return assertNever(e.code);
    }
  }

  return {
    async run(id: string): Promise<PublishOutcome> {
      const d = await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
      if (d?.status !== "scheduled") return { next: "done", status: d?.status ?? "gone" };
      const now = clock.now();
      if (d.run_at.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return { next: "later", at: d.run_at };
      if (d.attempts === 0 && now.getTime() - d.scheduled_at.getTime() > policy.missedAfterMs) {
        await finish(
          d.id,
          { status: "missed", last_error: `picked up ${Math.round((now.getTime() - d.scheduled_at.getTime()) / 60_000)} min late` },
          ["scheduled"],
        );
        await audit(db, SYSTEM, "delivery.missed", "delivery", d.id, now);
        return { next: "done", status: "missed" };
      }
      const media = await itemMediaState(db, d.item_id);
      if (media.state === "failed") {
        await finish(d.id, { status: "failed", last_error: media.reason }, ["scheduled"]);
        return { next: "done", status: "failed" };
      }
      if (media.state === "waiting") {
        const at = new Date(now.getTime() + MEDIA_WAIT_MS);
        await finish(d.id, { run_at: at, last_error: media.reason }, ["scheduled"]);
        return { next: "later", at };
      }
      const lease = await limits.limiter.acquire(d.channel_id, await limits.of(d.channel_id));
      if (!lease.ok) {
        await finish(d.id, { run_at: lease.retryAt }, ["scheduled"]);
        return { next: "later", at: lease.retryAt };
      }
      try {
        // A delivery claimed before may have reached the provider then (a lost answer, an officer's retry).
        return await claimAndPublish(d.id, now, d.claimed_at !== null);
      } finally {
        await lease.release();
      }
    },
  };

  async function claimAndPublish(id: string, now: Date, claimedBefore: boolean): Promise<PublishOutcome> {
    const claimed = await db
      .updateTable("deliveries")
      .set((eb) => ({ status: "publishing", attempts: eb("attempts", "+", 1), claimed_at: now, updated_at: now }))
      .where("id", "=", id)
      .where("status", "=", "scheduled")
      .where("run_at", "<=", new Date(now.getTime() + EARLY_TOLERANCE_MS))
      .returningAll()
      .executeTakeFirst();
    if (!claimed) return { next: "done", status: "taken" };

    let built: Built;
    try {
      built = await build({
        deliveryId: claimed.id,
        itemId: claimed.item_id,
        channelId: claimed.channel_id,
        scheduledAt: claimed.scheduled_at,
      });
    } catch (err) {
      // Nothing was sent: the item or channel cannot be prepared (bad settings, undecryptable secret, template error).
      const message = err instanceof AppError ? err.message : `could not prepare the delivery: ${(err as Error).message}`;
      await finish(id, { status: "failed", last_error: message });
      log.error({ deliveryId: id, err }, "could not prepare a delivery");
      return { next: "done", status: "failed" };
    }
    let result: PublishResult;
    try {
      const signal = AbortSignal.timeout(Math.max(policy.timeoutMs, built.timeoutMs ?? 0));
      // Where the provider can be asked whether an earlier attempt got through, ask before posting again.
      const earlier = claimedBefore && built.adapter.lookup ? await built.adapter.lookup(claimed.id, signal) : undefined;
      if (earlier)
        log.info({ deliveryId: id, externalId: earlier.externalId }, "found the earlier attempt's publication; not posting again");
      result = earlier ?? (await built.adapter.publish(built.req, signal));
    } catch (err) {
      const outcome = await failure(claimed, err);
      log.warn({ deliveryId: id, attempt: claimed.attempts, outcome, err: (err as Error).message }, "publish did not succeed");
      return outcome;
    }
    // A success is recorded even if the reconciler meanwhile gave the delivery up as unconfirmed.
    await finish(
      id,
      { status: "published", external_id: result.externalId, url: result.url, published_at: clock.now(), last_error: null },
      ["publishing", "unconfirmed"],
    );
    // Compliance counts it from now on; should this fail, the clock's backfill records it before closing the week.
    await recordDeliveryPublication(db, id, clock.now()).catch((err: unknown) =>
      log.warn({ deliveryId: id, err: (err as Error).message }, "could not record the publication for compliance yet"),
    );
    log.info({ deliveryId: id, externalId: result.externalId }, "published");
    return { next: "done", status: "published" };
  }
}
export type Publisher = ReturnType<typeof createPublisher>;
