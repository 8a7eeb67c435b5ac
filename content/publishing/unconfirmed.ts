import type { PublishResult } from "../ports/adapter.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { Db } from "../store/db.js";
import type { DeliveryState } from "./delivery-state.js";
import type { RequestBuilder } from "./request.js";

export interface ResolvePolicy {
  /** `UNCONFIRMED_SETTLE`: how long after becoming unconfirmed a delivery is looked up (a provider may show a post late). */
  settleMs: number;
  /** How long one lookup may take. */
  timeoutMs: number;
}

/** At most this many are looked up per run (the next run takes the rest), this many at once. */
const PER_RUN = 200;
const AT_ONCE = 8;

/**
 * Resolves `unconfirmed` deliveries (a timeout after sending, a worker that stopped mid-call) without
 * anyone's help, wherever the adapter can know the outcome: once settled, the provider is asked
 * (`lookup`): found → `published`; not found → sent again with the same idempotency key (the
 * delivery id). An adapter without lookup whose provider dedupes by that key (`idempotent`: the signed
 * webhook, pushed stations) is sent again directly. Channels that can know nothing stay `unconfirmed`
 * for an officer.
 */
export function createUnconfirmedResolver(
  db: Db,
  state: DeliveryState,
  build: RequestBuilder,
  clock: Clock,
  policy: ResolvePolicy,
  log: Log,
  onPublished: (deliveryId: string, at: Date) => Promise<void>,
) {
  /** Deliveries of channels that can know nothing, not asked again by this process. */
  const unknowable = new Set<string>();
  /** Deliveries whose lookup failed (the provider down, the channel unusable): not asked again before then. */
  const notBefore = new Map<string, number>();

  async function resolveOne(d: { id: string; item_id: string; channel_id: string; scheduled_at: Date }, now: Date) {
    const built = await build({ deliveryId: d.id, itemId: d.item_id, channelId: d.channel_id, scheduledAt: d.scheduled_at });
    const { adapter } = built;
    if (!adapter.lookup && !adapter.idempotent) {
      unknowable.add(d.id);
      return "unknowable" as const;
    }
    let found: PublishResult | undefined;
    if (adapter.lookup) found = await adapter.lookup(d.id, AbortSignal.timeout(Math.max(policy.timeoutMs, built.timeoutMs ?? 0)));
    if (found) {
      if (!(await state.published(d.id, found))) return "moved" as const;
      await onPublished(d.id, clock.now()).catch((err: unknown) =>
        log.warn({ deliveryId: d.id, err: (err as Error).message }, "could not record the publication for compliance yet"),
      );
      log.info({ deliveryId: d.id, externalId: found.externalId }, "an unconfirmed delivery was found at the provider: published");
      return "published" as const;
    }
    const reason = adapter.lookup
      ? "the provider has no trace of the unconfirmed attempt; sent again with the same idempotency key"
      : "the unconfirmed attempt is sent again with the same idempotency key (the receiver keeps one post per key)";
    return (await state.resend(d.id, now, reason)) ? ("resent" as const) : ("moved" as const);
  }

  return {
    async resolve(now: Date): Promise<{ published: number; resent: string[] }> {
      const rows = await db
        .selectFrom("deliveries")
        .select(["id", "item_id", "channel_id", "scheduled_at"])
        .where("status", "=", "unconfirmed")
        .where("updated_at", "<=", new Date(now.getTime() - policy.settleMs))
        .orderBy("updated_at")
        .limit(PER_RUN + unknowable.size + notBefore.size)
        .execute();
      const todo = rows.filter((r) => !unknowable.has(r.id) && (notBefore.get(r.id) ?? 0) <= now.getTime()).slice(0, PER_RUN);
      let published = 0;
      const resent: string[] = [];
      for (let i = 0; i < todo.length; i += AT_ONCE) {
        await Promise.all(
          todo.slice(i, i + AT_ONCE).map(async (d) => {
            try {
              notBefore.delete(d.id);
              const r = await resolveOne(d, now);
              if (r === "published") published++;
              if (r === "resent") resent.push(d.id);
            } catch (err) {
              // The provider is down or the channel unusable now: asked again after another settle time.
              notBefore.set(d.id, now.getTime() + policy.settleMs);
              log.warn({ deliveryId: d.id, err: (err as Error).message }, "could not resolve an unconfirmed delivery yet");
            }
          }),
        );
      }
      if (published || resent.length) log.info({ published, resent: resent.length }, "resolved unconfirmed deliveries");
      return { published, resent };
    },
  };
}
export type UnconfirmedResolver = ReturnType<typeof createUnconfirmedResolver>;
