import crypto from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import { assertAdmin, assertCanWrite, readScope } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { Actor } from "../model.js";
import type { HttpClient } from "../ports/adapter.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { SecretBox } from "../secrets.js";
import { groupCommit } from "../store/batch.js";
import type { Db } from "../store/db.js";
import type { WebhookRow } from "../store/workflow.schema.js";
import { type EventSink, type OutgoingEvent, WebhookEventName } from "./events.js";

/** A URL carrying a user name or password is refused (zod runs this even after the URL check failed, hence the try). */
function noCredentials(u: string): boolean {
  try {
    const url = new URL(u);
    return !url.username && !url.password;
  } catch {
    return true;
  }
}

const Url = z
  .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
  .max(2_000)
  .refine(noCredentials, "no credentials in the URL: the signature authenticates Loa");
const Events = z.array(WebhookEventName).min(1).max(WebhookEventName.options.length);

export const NewWebhook = z.strictObject({
  url: Url,
  events: Events,
  /** An officer's webhook is their agency's; an admin's without one hears of every agency. */
  agencyId: z.string().min(1).optional(),
});
export type NewWebhook = z.infer<typeof NewWebhook>;

export const WebhookChange = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    paused: z.boolean().optional(),
    rotateSecret: z.literal(true).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: "name at least one field to change" });
export type WebhookChange = z.infer<typeof WebhookChange>;

export const AttemptQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface WebhookPolicy {
  /** Attempts before an event is given up (`failed`). */
  maxAttempts: number;
  /** First retry delay, doubled at each attempt, capped at 1 h. */
  backoffMs: number;
  timeoutMs: number;
}

/** How old a signed timestamp a receiver should accept; documented for receivers (README). */
export const REPLAY_WINDOW_S = 300;
const MAX_BACKOFF_MS = 3_600_000;
/** A claimed event no worker finished within this is tried again. */
const LEASE_MS = 60_000;
const BATCH = 50;
/** Subscribers sent to at once by one dispatcher tick. */
const SUBSCRIBERS_AT_ONCE = 8;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: the timestamp is signed with the body, so an old request cannot be replayed with a new timestamp. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does: the signature matches, in constant time, and the timestamp is within the replay window. */
export function verifyWebhook(secret: string, headers: { timestamp?: string; signature?: string }, body: string, now: Date): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(now.getTime() / 1000 - ts) > REPLAY_WINDOW_S || !headers.signature) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

function view(r: WebhookRow) {
  return {
    id: r.id,
    agencyId: r.agency_id,
    url: r.url,
    events: JSON.parse(r.events) as WebhookEventName[],
    paused: r.paused_at !== null,
    pausedAt: r.paused_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Outgoing webhooks: admins and officers (for their agency) subscribe URLs to events. Each event is
 * stored once per subscriber (its key makes a repeat a no-op), then sent signed by the dispatcher
 * (the clock's tick), retried with backoff and logged per attempt. A paused subscriber's events wait
 * and go out when it is resumed. Every request goes through the outbound client (the outbound policy).
 */
export function createWebhooks(db: Db, clock: Clock, box: SecretBox, http: HttpClient, policy: WebhookPolicy, log: Log) {
  /** Admins manage any; officers their agency's (another's is not found); no one else may. */
  function assertManager(actor: Actor): void {
    if (actor.role !== "admin" && actor.role !== "system" && actor.role !== "officer")
      throw new AppError("forbidden", `the ${actor.role} role cannot manage webhooks`);
  }
  async function load(actor: Actor, id: string): Promise<WebhookRow> {
    assertManager(actor);
    const row = await db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
    const scope = readScope(actor);
    if (!row || (scope !== "all" && row.agency_id !== scope.agencyId)) throw notFound("webhook");
    return row;
  }
  const newSecret = () => `whsec_${crypto.randomBytes(32).toString("base64url")}`;

  async function attempt(e: { id: string; webhook_id: string; event: string; payload: string; attempts: number }, hook: WebhookRow) {
    const now = clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await http(hook.url, {
        method: "POST",
        body: e.payload,
        signal: AbortSignal.timeout(policy.timeoutMs),
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Loa/0.1",
          "x-loa-event": e.event,
          "x-loa-delivery": e.id,
          "idempotency-key": e.id,
          "x-loa-timestamp": String(timestamp),
          "x-loa-signature": webhookSignature(box.open(hook.secret), timestamp, e.payload),
        },
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `the receiver answered ${res.status}`;
    } catch (err) {
      // fetch says only "fetch failed"; why (refused by the outbound policy, DNS, a reset) is in its cause.
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      error = `${(err as Error).message || String(err)}${cause ? `: ${cause}` : ""}`.slice(0, 500);
    }
    const n = e.attempts + 1;
    const done = error === null;
    const gaveUp = !done && n >= policy.maxAttempts;
    const delay = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** (n - 1));
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto("webhook_attempts")
        .values({
          id: crypto.randomUUID(),
          event_id: e.id,
          webhook_id: e.webhook_id,
          attempt: n,
          status_code: statusCode,
          error,
          duration_ms: Date.now() - started,
          attempted_at: now,
        })
        .execute();
      await tx
        .updateTable("webhook_events")
        .set({
          attempts: n,
          status: done ? "delivered" : gaveUp ? "failed" : "pending",
          next_at: new Date(clock.now().getTime() + (done || gaveUp ? 0 : delay)),
          updated_at: clock.now(),
        })
        .where("id", "=", e.id)
        .execute();
    });
    if (gaveUp) log.warn({ webhookId: hook.id, eventId: e.id, error }, "gave up an outgoing webhook");
    return done;
  }

  /** Queues events for the webhooks that subscribed to them: one read and one insert for all of them (a burst's events go together). */
  async function emitMany(events: OutgoingEvent[]): Promise<void[]> {
    const agencies = events.some((e) => e.agencyId === null) ? null : [...new Set(events.map((e) => e.agencyId as string))];
    let q = db.selectFrom("webhooks").select(["id", "agency_id", "events"]);
    if (agencies) q = q.where((eb) => eb.or([eb("agency_id", "is", null), eb("agency_id", "in", agencies)]));
    const hooks = (await q.execute()).map((h) => ({ ...h, events: JSON.parse(h.events) as string[] }));
    const rows = events.flatMap((e) => {
      const payload = JSON.stringify({ id: e.key, event: e.event, occurredAt: e.at.toISOString(), agencyId: e.agencyId, data: e.data });
      return hooks
        .filter((h) => h.events.includes(e.event) && (e.agencyId === null || h.agency_id === null || h.agency_id === e.agencyId))
        .map((h) => ({
          id: crypto.randomUUID(),
          webhook_id: h.id,
          event: e.event,
          event_key: e.key,
          payload,
          status: "pending",
          attempts: 0,
          next_at: e.at,
          created_at: e.at,
          updated_at: e.at,
        }));
    });
    if (rows.length)
      await db
        .insertInto("webhook_events")
        .values(rows)
        .onConflict((oc) => oc.columns(["webhook_id", "event_key"]).doNothing())
        .execute();
    return events.map(() => undefined);
  }

  const sink: EventSink = { emit: groupCommit(emitMany) };

  return {
    sink,

    async create(actor: Actor, input: NewWebhook) {
      assertManager(actor);
      if (input.agencyId) {
        assertCanWrite(actor, input.agencyId);
        const agency = await db.selectFrom("agencies").select("id").where("id", "=", input.agencyId).executeTakeFirst();
        if (!agency) throw new AppError("unprocessable", `unknown agency ${input.agencyId}`, { field: "agencyId" });
      } else if (actor.role === "officer") {
        throw new AppError("unprocessable", "an officer's webhook is for their agency: give agencyId", { field: "agencyId" });
      } else assertAdmin(actor);
      const now = clock.now();
      const secret = newSecret();
      const row: WebhookRow = {
        id: crypto.randomUUID(),
        agency_id: input.agencyId ?? null,
        url: input.url,
        events: JSON.stringify([...new Set(input.events)]),
        secret: box.seal(secret),
        paused_at: null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto("webhooks").values(row).execute();
      await audit(
        db,
        actor,
        "webhook.create",
        "webhook",
        row.id,
        now,
        { url: row.url, events: input.events, agencyId: row.agency_id },
        row.agency_id,
      );
      return { ...view(row), secret };
    },

    async list(actor: Actor) {
      assertManager(actor);
      const scope = readScope(actor);
      let q = db.selectFrom("webhooks").selectAll();
      if (scope !== "all") q = q.where("agency_id", "=", scope.agencyId);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(view);
    },

    async get(actor: Actor, id: string) {
      return view(await load(actor, id));
    },

    async update(actor: Actor, id: string, change: WebhookChange) {
      const row = await load(actor, id);
      const now = clock.now();
      const secret = change.rotateSecret ? newSecret() : undefined;
      const values = {
        ...(change.url ? { url: change.url } : {}),
        ...(change.events ? { events: JSON.stringify([...new Set(change.events)]) } : {}),
        ...(change.paused === undefined ? {} : { paused_at: change.paused ? (row.paused_at ?? now) : null }),
        ...(secret ? { secret: box.seal(secret) } : {}),
        updated_at: now,
      };
      await db.updateTable("webhooks").set(values).where("id", "=", id).execute();
      // Resumed: what waited goes out now.
      if (change.paused === false)
        await db.updateTable("webhook_events").set({ next_at: now }).where("webhook_id", "=", id).where("status", "=", "pending").execute();
      const { rotateSecret: _r, ...logged } = change;
      await audit(
        db,
        actor,
        "webhook.update",
        "webhook",
        id,
        now,
        { ...logged, ...(secret ? { rotatedSecret: true } : {}) },
        row.agency_id,
      );
      return { ...view({ ...row, ...values }), ...(secret ? { secret } : {}) };
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const row = await load(actor, id);
      const now = clock.now();
      await db.deleteFrom("webhooks").where("id", "=", id).execute();
      await audit(db, actor, "webhook.delete", "webhook", id, now, { url: row.url }, row.agency_id);
    },

    /** `GET /api/webhooks/:id/deliveries`: each event with each attempt's answer, newest first. */
    async deliveries(actor: Actor, id: string, q: { limit: number; offset: number }) {
      await load(actor, id);
      const events = await db
        .selectFrom("webhook_events")
        .selectAll()
        .where("webhook_id", "=", id)
        .orderBy("created_at", "desc")
        .orderBy("id")
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      const ids = events.map((e) => e.id);
      const attempts = ids.length
        ? await db.selectFrom("webhook_attempts").selectAll().where("event_id", "in", ids).orderBy("attempt").execute()
        : [];
      return events.map((e) => ({
        id: e.id,
        event: e.event,
        key: e.event_key,
        status: e.status,
        attempts: e.attempts,
        nextAttemptAt: e.status === "pending" ? e.next_at : null,
        createdAt: e.created_at,
        log: attempts
          .filter((a) => a.event_id === e.id)
          .map((a) => ({ attempt: a.attempt, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms, at: a.attempted_at })),
      }));
    },

    /**
     * Sends the events that are due (the clock's tick): each is claimed with a conditional update
     * (another dispatcher gets nothing), sent, and its attempt recorded. Answers how many were tried.
     */
    async dispatch(): Promise<{ tried: number; delivered: number }> {
      const now = clock.now();
      const due = await db
        .selectFrom("webhook_events")
        .innerJoin("webhooks", "webhooks.id", "webhook_events.webhook_id")
        .select(["webhook_events.id", "webhook_events.next_at", "webhook_events.webhook_id"])
        .where("webhook_events.status", "=", "pending")
        .where("webhook_events.next_at", "<=", now)
        .where("webhooks.paused_at", "is", null)
        .orderBy("webhook_events.next_at")
        .orderBy("webhook_events.created_at")
        .limit(BATCH)
        .execute();
      let delivered = 0;
      let tried = 0;
      const send = async (d: (typeof due)[number]) => {
        const claimed = await db
          .updateTable("webhook_events")
          .set({ next_at: new Date(now.getTime() + LEASE_MS) })
          .where("id", "=", d.id)
          .where("status", "=", "pending")
          .where("next_at", "=", d.next_at)
          .returningAll()
          .executeTakeFirst();
        if (!claimed) return;
        const hook = await db.selectFrom("webhooks").selectAll().where("id", "=", claimed.webhook_id).executeTakeFirst();
        if (!hook) return;
        tried++;
        if (await attempt(claimed, hook)) delivered++;
      };
      // Each subscriber's events in order, one at a time; subscribers side by side, so a slow one delays only itself.
      const bySubscriber = new Map<string, typeof due>();
      for (const d of due) bySubscriber.set(d.webhook_id, [...(bySubscriber.get(d.webhook_id) ?? []), d]);
      const queues = [...bySubscriber.values()];
      await Promise.all(
        Array.from({ length: Math.min(SUBSCRIBERS_AT_ONCE, queues.length) }, async () => {
          for (let q = queues.shift(); q; q = queues.shift()) for (const d of q) await send(d);
        }),
      );
      return { tried, delivered };
    },

    /** Pending events per subscriber (for tests and the health of the dispatcher). */
    async pending(): Promise<number> {
      const r = await db
        .selectFrom("webhook_events")
        .select(sql<number>`count(*)`.as("n"))
        .where("status", "=", "pending")
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
export type Webhooks = ReturnType<typeof createWebhooks>;
