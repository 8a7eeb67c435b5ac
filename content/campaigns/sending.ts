import crypto from "node:crypto";
import { sql } from "kysely";
import { AppError, notFound } from "../errors.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { GatewayChannel, SmsAccepted, SmsEvents, SmsGateways, SmsInbound, SmsReceipt, SmsTextTools } from "../ports/sms.js";
import type { DeliveryState } from "../publishing/delivery-state.js";
import type { SecretBox } from "../secrets.js";
import type { CampaignRow } from "../store/campaigns.schema.js";
import type { Db } from "../store/db.js";
import { localDate } from "../time.js";
import type { OptOuts } from "./opt-outs.js";
import { normalizePhone } from "./phones.js";
import { CampaignChannelSettings, isStopRequest, quietUntil } from "./rules.js";

export interface SendingDeps {
  db: Db;
  clock: Clock;
  log: Log;
  box: SecretBox;
  state: DeliveryState;
  gateways: SmsGateways;
  optOuts: OptOuts;
  text: SmsTextTools;
  /** Messages one number may get from the hub per local day, across campaigns. */
  dailyCap: number;
  /** Where gateways call Loa back (`PUBLIC_URL`). */
  publicUrl: string;
  /** How long a gateway may take to take one message. */
  submitTimeoutMs: number;
  onPublished(deliveryId: string, at: Date): Promise<void>;
  flagReconnect(channelId: string, reason: string, at: Date): Promise<void>;
}

export type BatchOutcome = { next: "done"; status: string } | { next: "later"; at: Date };

const PAUSE_POLL_MS = 5_000;
const UNAVAILABLE_WAIT_MS = 3_000;
const SENT_LIKE = ["sent", "delivered", "undelivered", "expired", "unconfirmed"];

/** Every form in which an SMSC may report a message id: lower case without leading zeros, and its hex/decimal twin. */
const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export function idKeys(id: string): string[] {
  const s = id
    .trim()
    .toLowerCase()
    .replace(/^0+(?=.)/, "");
  const keys = new Set([s]);
  if (/^[0-9a-f]{1,15}$/.test(s)) keys.add(BigInt(`0x${s}`).toString(10));
  if (/^\d{1,18}$/.test(s)) keys.add(BigInt(s).toString(16));
  return [...keys];
}
/** Loa's key for the parts of one message sent through an HTTP gateway (its receipts name the campaign and seq). */
export const httpMessageKey = (campaignId: string, seq: number) => `http:${campaignId}:${seq}`;
const lookupKey = (id: string) =>
  id
    .trim()
    .toLowerCase()
    .replace(/^0+(?=.)/, "");

/** Sends a campaign's batches through its channel's gateway, and folds receipts and inbound messages back in. */
export function createSending(deps: SendingDeps) {
  const { db, clock, log } = deps;

  const events: SmsEvents = {
    receipt: (r) => queueReceipt(r),
    inbound: (m) => inbound(m),
    refused: (channelId, reason) => deps.flagReconnect(channelId, reason, clock.now()),
  };

  /** A ZNS channel sends with its Zalo OA channel's connection (the same agency's). */
  async function secretOf(c: { kind: string; agency_id: string; secret: string | null; settings: string }): Promise<string | undefined> {
    if (c.kind !== "zalo_zns") return c.secret ? deps.box.open(c.secret) : undefined;
    const oaId = (JSON.parse(c.settings) as { oaChannelId?: string }).oaChannelId ?? "";
    const oa = await db.selectFrom("channels").select(["secret", "agency_id", "kind"]).where("id", "=", oaId).executeTakeFirst();
    return oa?.kind === "zalo_oa" && oa.agency_id === c.agency_id && oa.secret ? deps.box.open(oa.secret) : undefined;
  }

  async function gatewayOf(channelId: string) {
    const c = await db.selectFrom("channels").selectAll().where("id", "=", channelId).executeTakeFirstOrThrow();
    const channel: GatewayChannel = {
      id: c.id,
      kind: c.kind,
      settings: JSON.parse(c.settings) as Record<string, unknown>,
      secret: await secretOf(c),
      callbackUrl: `${deps.publicUrl}/api/sms/callback/${c.id}?k=${await deps.optOuts.callbackToken(c.id)}`,
    };
    return { channel, gateway: deps.gateways.open(channel, events), settings: CampaignChannelSettings.parse(channel.settings) };
  }

  async function markSkipped(c: CampaignRow, seqs: number[], reason: string, now: Date) {
    if (seqs.length === 0) return;
    await db
      .updateTable("campaign_recipients")
      .set({ status: "skipped", reason, done_at: now })
      .where("campaign_id", "=", c.id)
      .where("seq", "in", seqs)
      .where("status", "=", "queued")
      .execute();
  }

  /** Numbers that already had their messages from the hub today (local day), across campaigns. */
  async function capped(phones: string[], day: string): Promise<Set<string>> {
    if (phones.length === 0) return new Set();
    const rows = await db
      .selectFrom("campaign_recipients")
      .select((eb) => ["phone", eb.fn.countAll<number>().as("n")])
      .where("phone", "in", phones)
      .where("sent_day", "=", day)
      .where("status", "in", [...SENT_LIKE, "sending"])
      .groupBy("phone")
      .execute();
    return new Set(rows.filter((r) => Number(r.n) >= deps.dailyCap).map((r) => r.phone));
  }

  type Opened = Awaited<ReturnType<typeof gatewayOf>>;
  type Submitted = { ok: SmsAccepted; via: GatewayChannel; fallbackFrom?: string } | { error: AppError; via: GatewayChannel };

  async function submitOne(c: CampaignRow, gw: Opened, seq: number, phone: string): Promise<Submitted> {
    const msg = { to: phone, text: c.text, encoding: c.encoding as "GSM-7" | "UCS-2", ref: { campaignId: c.id, seq } };
    try {
      return { ok: await gw.gateway.submit(msg, AbortSignal.timeout(deps.submitTimeoutMs)), via: gw.channel };
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError("channel_unconfirmed", (err as Error).message);
      // ZNS cannot reach the number (not a Zalo user, template refused): the SMS fallback takes it.
      if (e.code === "channel_rejected" && c.fallback_channel_id && gw.channel.kind === "zalo_zns") {
        const fb = await gatewayOf(c.fallback_channel_id);
        const r = await submitOne({ ...c, fallback_channel_id: null }, fb, seq, phone);
        return "ok" in r ? { ...r, fallbackFrom: e.message } : r;
      }
      return { error: e, via: gw.channel };
    }
  }

  /** Records a batch's accepted messages in a few statements: their ids (every form), then their status by group. */
  async function recordSent(c: CampaignRow, sent: { channelId: string; seq: number; via: string; accepted: SmsAccepted }[], now: Date) {
    const ids = sent.flatMap((m) =>
      m.accepted.ids.flatMap((id, part) =>
        idKeys(id).map((key) => ({ channel_id: m.channelId, key, campaign_id: c.id, seq: m.seq, part, created_at: now })),
      ),
    );
    for (let i = 0; i < ids.length; i += 2_000) {
      await db
        .insertInto("sms_message_ids")
        .values(ids.slice(i, i + 2_000))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const groups = new Map<string, number[]>();
    for (const m of sent) {
      const key = `${m.via}/${m.accepted.parts}`;
      groups.set(key, [...(groups.get(key) ?? []), m.seq]);
    }
    for (const [key, seqs] of groups) {
      const [via = "sms", parts = "1"] = key.split("/");
      await db
        .updateTable("campaign_recipients")
        .set({ status: "sent", via, parts: Number(parts), sent_at: now })
        .where("campaign_id", "=", c.id)
        .where("seq", "in", seqs)
        .where("status", "=", "sending")
        .execute();
    }
  }

  async function finishIfDone(c: CampaignRow): Promise<void> {
    const open = await db
      .selectFrom("campaign_recipients")
      .select("seq")
      .where("campaign_id", "=", c.id)
      .where("status", "in", ["queued", "sending"])
      .limit(1)
      .executeTakeFirst();
    if (open) return;
    const now = clock.now();
    const done = await db
      .updateTable("campaigns")
      .set({ status: "finished", finished_at: now })
      .where("id", "=", c.id)
      .where("status", "=", "running")
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return;
    const sent = await db
      .selectFrom("campaign_recipients")
      .select("seq")
      .where("campaign_id", "=", c.id)
      .where("status", "in", SENT_LIKE)
      .limit(1)
      .executeTakeFirst();
    if (!sent) await deps.state.failed(c.delivery_id, "no message of the campaign went out (see its report)");
  }

  /** The first delivered message: the delivery is published, and counts for task 3.3. */
  async function delivered(campaignId: string): Promise<void> {
    const c = await db.selectFrom("campaigns").select("delivery_id").where("id", "=", campaignId).executeTakeFirst();
    if (!c) return;
    const moved = await deps.state.published(c.delivery_id, { externalId: `campaign-${campaignId}`, url: null });
    if (moved) await deps.onPublished(c.delivery_id, clock.now());
  }

  /**
   * SMPP receipts arrive by the thousand a second: they are taken in batches (every 100 ms, or 500 at
   * once), each batch a few statements. Receipts of HTTP gateways (several parts under one key) go one by one.
   */
  let pendingReceipts: SmsReceipt[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  function queueReceipt(r: SmsReceipt): Promise<void> {
    if (r.messageId.startsWith("http:")) return receipt(r);
    pendingReceipts.push(r);
    if (pendingReceipts.length >= 500) void flushReceipts();
    else flushTimer ??= setTimeout(() => void flushReceipts(), 100);
    return Promise.resolve();
  }

  async function flushReceipts(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    const batch = pendingReceipts;
    pendingReceipts = [];
    if (batch.length === 0) return;
    try {
      await foldReceipts(batch);
    } catch (err) {
      log.warn({ err, count: batch.length }, "could not record receipts; trying them one by one");
      for (const r of batch) await receipt(r).catch(() => undefined);
    }
  }

  async function foldReceipts(batch: SmsReceipt[]): Promise<void> {
    const byChannel = new Map<string, SmsReceipt[]>();
    for (const r of batch) byChannel.set(r.channelId, [...(byChannel.get(r.channelId) ?? []), r]);
    const late: SmsReceipt[] = [];
    for (const [channelId, rs] of byChannel) {
      const byKey = new Map(rs.map((r) => [lookupKey(r.messageId), r]));
      const taken = await db
        .deleteFrom("sms_message_ids")
        .where("channel_id", "=", channelId)
        .where("key", "in", [...byKey.keys()])
        .returning(["key", "campaign_id", "seq", "part"])
        .execute();
      // The other forms of the same parts' ids go too, so that a repeated receipt finds nothing.
      for (const part of chunks(taken, 500)) {
        await sql`delete from sms_message_ids where channel_id = ${channelId} and (campaign_id, seq, part) in (${sql.join(
          part.map((t) => sql`(${t.campaign_id}, ${t.seq}, ${t.part})`),
        )})`.execute(db);
      }
      const found = new Set(taken.map((t) => t.key));
      for (const [key, r] of byKey) if (!found.has(key)) late.push(r);
      // Count each recipient's parts by outcome, then one UPDATE per campaign × outcome × count.
      const perRecipient = new Map<string, { campaignId: string; seq: number; state: SmsReceipt["state"]; error?: string; n: number }>();
      for (const t of taken) {
        const r = byKey.get(t.key);
        if (!r) continue;
        const k = `${t.campaign_id}/${t.seq}/${r.state}`;
        const e = perRecipient.get(k) ?? {
          campaignId: t.campaign_id,
          seq: t.seq,
          state: r.state,
          ...(r.error ? { error: r.error } : {}),
          n: 0,
        };
        e.n++;
        perRecipient.set(k, e);
      }
      const groups = new Map<string, { campaignId: string; state: SmsReceipt["state"]; error?: string; n: number; seqs: number[] }>();
      for (const e of perRecipient.values()) {
        const g = `${e.campaignId}/${e.state}/${e.n}`;
        const entry = groups.get(g) ?? {
          campaignId: e.campaignId,
          state: e.state,
          ...(e.error ? { error: e.error } : {}),
          n: e.n,
          seqs: [],
        };
        entry.seqs.push(e.seq);
        groups.set(g, entry);
      }
      for (const g of groups.values()) {
        for (const seqs of chunks(g.seqs, 1_000)) await fold(g.campaignId, seqs, g.state, g.error, g.n);
      }
    }
    for (const r of late) void receipt(r, 1).catch(() => undefined);
  }

  /** Folds one part's receipt into each recipient: delivered only when every part was; otherwise the first failure's state. */
  async function fold(campaignId: string, seqs: number[], state: SmsReceipt["state"], error?: string, parts = 1): Promise<void> {
    const ok = state === "delivered" ? parts : 0;
    const why = ok ? null : `${state}${error ? ` (${error})` : ""}`;
    const folded = await sql<{ status: string }>`
      update campaign_recipients set
        parts_done = parts_done + ${parts},
        parts_delivered = parts_delivered + ${ok},
        reason = coalesce(reason, ${why}),
        status = case when parts_done + ${parts} < parts then status
          when parts_delivered + ${ok} >= parts then 'delivered'
          else coalesce(${ok ? null : state}, 'undelivered') end,
        done_at = case when parts_done + ${parts} < parts then done_at else ${clock.now()} end
      where campaign_id = ${campaignId} and seq in (${sql.join(seqs)}) and status in ('sent', 'unconfirmed')
      returning status`.execute(db);
    if (folded.rows.some((r) => r.status === "delivered")) await delivered(campaignId);
  }

  async function receipt(r: SmsReceipt, attempt = 0): Promise<void> {
    // One statement finds the part by any form of its id and takes it (every form), so a repeated receipt finds nothing.
    const taken = await sql<{ campaign_id: string; seq: number; part: number }>`
      delete from sms_message_ids where channel_id = ${r.channelId} and (campaign_id, seq, part) in (
        select campaign_id, seq, part from sms_message_ids where channel_id = ${r.channelId} and key = ${lookupKey(r.messageId)}
        order by created_at desc, part limit 1)
      returning campaign_id, seq, part`.execute(db);
    const hit = taken.rows[0];
    if (!hit) {
      // A receipt may overtake the record of its submit_sm_resp: look again shortly.
      if (attempt < 6) setTimeout(() => void receipt(r, attempt + 1).catch((err) => log.warn({ err }, "receipt")), 500 * (attempt + 1));
      else log.warn({ channelId: r.channelId, messageId: r.messageId }, "a receipt for no known message");
      return;
    }
    await fold(hit.campaign_id, [hit.seq], r.state, r.error);
  }

  async function inbound(m: SmsInbound): Promise<void> {
    if (!isStopRequest(m.text, deps.text.unaccent)) return;
    const e164 = normalizePhone(m.from).e164;
    if (!e164) return;
    await deps.optOuts.addNormalised([e164], `mo:${m.channelId}`);
    log.info({ channelId: m.channelId }, "a recipient opted out by message");
  }

  return {
    events,
    receipt,
    inbound,

    /**
     * An HTTP gateway's callback (`GET /api/sms/callback/:channelId?k=…`): a Kannel DLR
     * (`type=dlr&c&s&status`) or an inbound message (`type=mo&from&text`). A wrong token is "not found".
     */
    async callback(channelId: string, q: Record<string, string | undefined>): Promise<void> {
      const expected = await deps.optOuts.callbackToken(channelId);
      const given = Buffer.from(q.k ?? "");
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) throw notFound("channel");
      if (q.type === "mo") {
        if (!q.from || q.text === undefined)
          throw new AppError("invalid_input", "from and text are required", { field: q.from ? "text" : "from" });
        return inbound({ channelId, from: q.from, text: q.text });
      }
      const seq = Number(q.s);
      if (!q.c || !Number.isInteger(seq)) throw new AppError("invalid_input", "c and s name the message", { field: q.c ? "s" : "c" });
      const status = Number(q.status);
      const state = status === 1 ? "delivered" : status === 2 ? "undelivered" : status === 16 ? "rejected" : undefined;
      if (!state) return; // 4 (buffered) and 8 (submitted to the SMSC) are not final
      return receipt({ channelId, messageId: httpMessageKey(q.c, seq), state, ...(q.answer ? { error: q.answer.slice(0, 200) } : {}) });
    },

    /** One batch of a campaign: rules first (opt-out, daily cap), then each recipient claimed once and sent once. */
    async runBatch(job: { campaignId: string; from: number; to: number }): Promise<BatchOutcome> {
      const c = await db.selectFrom("campaigns").selectAll().where("id", "=", job.campaignId).executeTakeFirst();
      if (c?.status !== "running") {
        if (c?.status === "paused") return { next: "later", at: new Date(clock.now().getTime() + PAUSE_POLL_MS) };
        return { next: "done", status: c?.status ?? "gone" };
      }
      const gw = await gatewayOf(c.channel_id);
      const now = clock.now();
      const wait = quietUntil(now, gw.settings.quietHours);
      if (wait) return { next: "later", at: wait };
      const inRange = db
        .updateTable("campaign_recipients")
        .where("campaign_id", "=", c.id)
        .where("seq", ">=", job.from)
        .where("seq", "<=", job.to);
      // Claimed by a worker that stopped before the gateway answered: it may have gone out, so never again.
      await inRange
        .set({ status: "unconfirmed", reason: "the worker stopped before the gateway answered", done_at: now })
        .where("status", "=", "sending")
        .execute();
      const queued = await db
        .selectFrom("campaign_recipients")
        .select(["seq", "phone"])
        .where("campaign_id", "=", c.id)
        .where("seq", ">=", job.from)
        .where("seq", "<=", job.to)
        .where("status", "=", "queued")
        .execute();
      const phones = queued.map((r) => r.phone);
      const day = localDate(now);
      const out = await deps.optOuts.optedOut(phones);
      await markSkipped(
        c,
        queued.filter((r) => out.has(r.phone)).map((r) => r.seq),
        "opt_out",
        now,
      );
      const full = await capped(phones, day);
      await markSkipped(
        c,
        queued.filter((r) => !out.has(r.phone) && full.has(r.phone)).map((r) => r.seq),
        "daily_cap",
        now,
      );
      const candidates = queued.filter((r) => !out.has(r.phone) && !full.has(r.phone)).map((r) => r.seq);
      if (candidates.length === 0) {
        await finishIfDone(c);
        return { next: "done", status: "sent" };
      }
      // The claim: one conditional UPDATE, so a duplicate job (or a second worker) gets nothing.
      const claimed = await inRange
        .set({ status: "sending", sent_day: day, sent_at: now })
        .where("seq", "in", candidates)
        .where("status", "=", "queued")
        .returning(["seq", "phone"])
        .execute();
      let unavailable = 0;
      const sent: { channelId: string; seq: number; via: string; accepted: SmsAccepted }[] = [];
      await Promise.all(
        claimed.map(async ({ seq, phone }) => {
          const r = await submitOne(c, gw, seq, phone);
          const at = clock.now();
          if ("ok" in r) {
            sent.push({ channelId: r.via.id, seq, via: r.via.kind, accepted: r.ok });
            return;
          }
          const e = r.error;
          const back = async (values: { status: string; reason: string | null; done_at: Date | null; sent_day?: null }) => {
            await db
              .updateTable("campaign_recipients")
              .set(values)
              .where("campaign_id", "=", c.id)
              .where("seq", "=", seq)
              .where("status", "=", "sending")
              .execute();
          };
          // Not sent (the bind is down, or refused Loa's credentials: the channel is flagged): it waits, never lost.
          if (e.code === "channel_unavailable" || e.code === "rate_limited" || e.code === "auth_expired") {
            unavailable++;
            await back({ status: "queued", reason: null, done_at: null, sent_day: null });
          } else if (e.code === "channel_unconfirmed") await back({ status: "unconfirmed", reason: e.message, done_at: at });
          else await back({ status: "rejected", reason: e.message, done_at: at });
        }),
      );
      await recordSent(c, sent, clock.now());
      if (unavailable) return { next: "later", at: new Date(clock.now().getTime() + UNAVAILABLE_WAIT_MS) };
      await finishIfDone(c);
      return { next: "done", status: "sent" };
    },
  };
}
export type Sending = ReturnType<typeof createSending>;
