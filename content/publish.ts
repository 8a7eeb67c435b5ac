import type { PublishRequest, PublishResult } from "../channels/adapter.js";
import type { AdapterRegistry } from "../channels/registry.js";
import { render } from "../templates/render.js";
import { assertNever } from "./access.js";
import { audit } from "./audit.js";
import { AppError } from "./errors.js";
import { type ChannelKind, type ItemKind, SYSTEM } from "./model.js";
import type { Clock, Log } from "./ports.js";
import type { SecretBox } from "./secrets.js";
import type { Db } from "./store/db.js";
import type { DeliveryRow } from "./store/schema.js";

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

export function backoffDelay(policy: PublishPolicy, attempts: number, retryAfterMs?: number): number {
  const exponential = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** Math.max(0, attempts - 1));
  return retryAfterMs === undefined ? exponential : Math.max(retryAfterMs, policy.backoffMs);
}

/**
 * Publishes one delivery: claims it with a conditional UPDATE (a second claimer gets nothing), renders
 * the item, calls the channel's adapter outside any transaction, and records the outcome.
 */
export function createPublisher(db: Db, registry: AdapterRegistry, box: SecretBox, clock: Clock, policy: PublishPolicy, log: Log) {
  async function finish(id: string, values: Partial<DeliveryRow>, from: string[] = ["publishing"]) {
    await db
      .updateTable("deliveries")
      .set({ ...values, updated_at: clock.now() })
      .where("id", "=", id)
      .where("status", "in", from)
      .execute();
  }

  async function request(d: DeliveryRow): Promise<{ req: PublishRequest; kind: ChannelKind; settings: unknown; secret?: string }> {
    const item = await db.selectFrom("items").selectAll().where("id", "=", d.item_id).executeTakeFirstOrThrow();
    const agency = await db.selectFrom("agencies").select(["id", "name"]).where("id", "=", d.agency_id).executeTakeFirstOrThrow();
    const channel = await db.selectFrom("channels").selectAll().where("id", "=", d.channel_id).executeTakeFirstOrThrow();
    const tasks = (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", item.id).orderBy("task_code").execute()).map(
      (r) => r.task_code,
    );
    const text = render({ kind: item.kind as ItemKind, title: item.title, body: item.body }, channel.kind as ChannelKind);
    return {
      kind: channel.kind as ChannelKind,
      settings: JSON.parse(channel.settings),
      ...(channel.secret ? { secret: box.open(channel.secret) } : {}),
      req: {
        deliveryId: d.id,
        scheduledAt: d.scheduled_at,
        agency,
        channel: { id: channel.id, name: channel.name },
        item: { id: item.id, kind: item.kind as ItemKind, title: text.title, body: text.body, tasks },
      },
    };
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
        await finish(d.id, { status: "scheduled", run_at: at, last_error: e.message });
        return { next: "later", at };
      }
      case "channel_unconfirmed":
        await finish(d.id, { status: "unconfirmed", last_error: e.message });
        return { next: "done", status: "unconfirmed" };
      case "channel_rejected":
      case "auth_expired":
      case "invalid_input":
      case "unprocessable":
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
      if (!d || d.status !== "scheduled") return { next: "done", status: d?.status ?? "gone" };
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
      const claimed = await db
        .updateTable("deliveries")
        .set((eb) => ({ status: "publishing", attempts: eb("attempts", "+", 1), claimed_at: now, updated_at: now }))
        .where("id", "=", id)
        .where("status", "=", "scheduled")
        .where("run_at", "<=", new Date(now.getTime() + EARLY_TOLERANCE_MS))
        .returningAll()
        .executeTakeFirst();
      if (!claimed) return { next: "done", status: "taken" };

      let result: PublishResult;
      try {
        const { req, kind, settings, secret } = await request(claimed);
        const adapter = registry.build(kind, settings, secret);
        result = await adapter.publish(req, AbortSignal.timeout(policy.timeoutMs));
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
      log.info({ deliveryId: id, externalId: result.externalId }, "published");
      return { next: "done", status: "published" };
    },
  };
}
export type Publisher = ReturnType<typeof createPublisher>;
