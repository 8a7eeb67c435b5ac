import crypto from "node:crypto";
import { PostgresAdapter, sql } from "kysely";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { csvField } from "../compliance/reports/matrix-files.js";
import { inDost } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { CampaignQueue, SmsTextTools } from "../ports/sms.js";
import type { DeliveryState } from "../publishing/delivery-state.js";
import type { RequestBuilder } from "../publishing/request.js";
import type { CampaignRow } from "../store/campaigns.schema.js";
import type { Db } from "../store/db.js";
import type { DeliveryRow } from "../store/schema.js";
import { maskPhone } from "./phones.js";
import { advertisingText, CampaignChannelSettings } from "./rules.js";

/** Channel kinds whose deliveries are campaigns to recipient lists. */
export const CAMPAIGN_KINDS = ["sms", "zalo_zns"];
/** Recipients per job: a job carries a batch, not one message. */
export const BATCH_SIZE = 500;

export const RecipientStatus = z.enum([
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "expired",
  "rejected",
  "unconfirmed",
  "skipped",
]);
export type RecipientStatus = z.infer<typeof RecipientStatus>;

/** `GET /api/campaigns`: a page of the campaigns the caller may read, newest first. */
export const CampaignFilter = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
export type CampaignFilter = z.infer<typeof CampaignFilter>;

/** What the schedule request says about a campaign delivery. */
export interface CampaignSpec {
  recipientListId?: string | undefined;
  fallbackChannelId?: string | undefined;
  commune?: string | undefined;
}

export interface CampaignDeps {
  db: Db;
  clock: Clock;
  log: Log;
  queue: CampaignQueue;
  text: SmsTextTools;
  build: RequestBuilder;
  /** The campaign's delivery ends with its campaign when that is cancelled. */
  state: DeliveryState;
}

const settingsOf = (json: string) => CampaignChannelSettings.parse(JSON.parse(json));
const senderOf = (json: string) => {
  const s = JSON.parse(json) as Record<string, unknown>;
  return typeof s.sender === "string" ? s.sender : undefined;
};

/** Only DOST's people and admins read full numbers (Decree 13/2023/NĐ-CP); everyone else sees them masked. */
export async function readsFullNumbers(db: Db, actor: Actor): Promise<boolean> {
  return actor.role === "admin" || actor.role === "system" || (await inDost(db, actor));
}

/** Campaigns: made when an SMS or ZNS delivery is scheduled to a list, started when it is due, reported and steered. */
export function createCampaigns(deps: CampaignDeps) {
  const { db, clock, queue } = deps;

  async function load(actor: Actor, id: string): Promise<CampaignRow> {
    return visible(actor, await db.selectFrom("campaigns").selectAll().where("id", "=", id).executeTakeFirst(), "campaign");
  }

  async function eligible(listId: string, commune: string | null): Promise<number> {
    let q = db
      .selectFrom("recipient_entries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("list_id", "=", listId);
    if (commune) q = q.where("commune", "=", commune);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  return {
    /** Before scheduling: a campaign kind needs a list of the item's agency; other kinds take none. */
    async validate(agencyId: string, channel: { id: string; kind: string }, spec: CampaignSpec, i: number): Promise<void> {
      const field = `deliveries.${i}`;
      if (!CAMPAIGN_KINDS.includes(channel.kind)) {
        if (spec.recipientListId || spec.fallbackChannelId || spec.commune)
          throw new AppError("unprocessable", `a ${channel.kind} channel takes no recipient list`, { field: `${field}.recipientListId` });
        return;
      }
      if (!spec.recipientListId)
        throw new AppError("unprocessable", `an ${channel.kind} delivery needs recipientListId`, { field: `${field}.recipientListId` });
      const list = await db.selectFrom("recipient_lists").select("agency_id").where("id", "=", spec.recipientListId).executeTakeFirst();
      if (list?.agency_id !== agencyId)
        throw new AppError("unprocessable", `unknown recipient list ${spec.recipientListId}`, { field: `${field}.recipientListId` });
      if (spec.fallbackChannelId) {
        const fb = await db
          .selectFrom("channels")
          .select(["agency_id", "kind"])
          .where("id", "=", spec.fallbackChannelId)
          .executeTakeFirst();
        if (fb?.agency_id !== agencyId || fb.kind !== "sms" || channel.kind !== "zalo_zns")
          throw new AppError("unprocessable", "the fallback must be an SMS channel of the agency, behind a zalo_zns channel", {
            field: `${field}.fallbackChannelId`,
          });
      }
    },

    /** Before the schedule's transaction: the campaign of a delivery, its text and its cost; `write` stores it inside. */
    async prepare(d: DeliveryRow, spec: CampaignSpec, i = 0) {
      const channel = await db.selectFrom("channels").select(["settings"]).where("id", "=", d.channel_id).executeTakeFirstOrThrow();
      const built = await deps.build({ deliveryId: d.id, itemId: d.item_id, channelId: d.channel_id, scheduledAt: d.scheduled_at });
      const s = settingsOf(channel.settings);
      const info = deps.text.info(advertisingText(built.req.text.body.trim(), s, senderOf(channel.settings)), { unaccent: s.unaccent });
      const listId = spec.recipientListId ?? "";
      const total = await eligible(listId, spec.commune ?? null);
      if (total === 0)
        throw new AppError("unprocessable", `the list has no recipients${spec.commune ? ` in ${spec.commune}` : ""}`, {
          field: `deliveries.${i}.${spec.commune ? "commune" : "recipientListId"}`,
        });
      const id = crypto.randomUUID();
      const write = async (tx: Db) => {
        await tx
          .insertInto("campaigns")
          .values({
            id,
            agency_id: d.agency_id,
            delivery_id: d.id,
            item_id: d.item_id,
            channel_id: d.channel_id,
            fallback_channel_id: spec.fallbackChannelId ?? null,
            list_id: listId,
            commune: spec.commune ?? null,
            status: "scheduled",
            text: info.text,
            encoding: info.encoding,
            segments: info.segments,
            total,
            totals: null,
            created_at: clock.now(),
            started_at: null,
            finished_at: null,
            purged_at: null,
          })
          .execute();
      };
      return {
        campaignId: id,
        write,
        cost: { encoding: info.encoding, segments: info.segments, recipients: total, totalSegments: info.segments * total },
      };
    },

    /**
     * The delivery is due: its campaign starts — one row per recipient (one INSERT … SELECT), then the
     * batches' jobs. Answers false when the delivery has no campaign.
     */
    async start(deliveryId: string): Promise<boolean> {
      const c = await db.selectFrom("campaigns").selectAll().where("delivery_id", "=", deliveryId).executeTakeFirst();
      if (!c) return false;
      // Cancelled while its delivery was being claimed: the delivery ends here, nothing is sent.
      if (c.status === "cancelled") {
        await deps.state.failed(deliveryId, "the campaign was cancelled before it started");
        return true;
      }
      const now = clock.now();
      const ts = db.getExecutor().adapter instanceof PostgresAdapter ? sql.raw("timestamptz") : sql.raw("text");
      // The status and the rows in one transaction: a campaign is never running without its recipients.
      await db.transaction().execute(async (tx) => {
        const started = await tx
          .updateTable("campaigns")
          .set({ status: "running", started_at: now })
          .where("id", "=", c.id)
          .where("status", "=", "scheduled")
          .executeTakeFirst();
        if (Number(started.numUpdatedRows) !== 1) return;
        const commune = c.commune ? sql`and commune = ${c.commune}` : sql``;
        await sql`insert into campaign_recipients
            (campaign_id, seq, phone, status, reason, via, parts, parts_done, parts_delivered, sent_day, sent_at, done_at, created_at)
          select cast(${c.id} as text), row_number, phone, 'queued', null, null, cast(${c.segments} as integer), 0, 0, null, null, null, cast(${now} as ${ts})
          from recipient_entries where list_id = ${c.list_id} ${commune}`.execute(tx);
      });
      await this.enqueue(c.id, c.channel_id);
      return true;
    },

    /** (Re)adds the jobs of every batch of a campaign; a batch already listed is a no-op, a finished one does nothing. */
    async enqueue(campaignId: string, channelId: string): Promise<number> {
      const range = await db
        .selectFrom("campaign_recipients")
        .select((eb) => [eb.fn.min<number>("seq").as("lo"), eb.fn.max<number>("seq").as("hi")])
        .where("campaign_id", "=", campaignId)
        .executeTakeFirst();
      if (range?.lo == null || range.hi == null) return 0;
      const jobs = [];
      const runAt = clock.now();
      for (let from = Number(range.lo); from <= Number(range.hi); from += BATCH_SIZE) {
        jobs.push({ channelId, campaignId, from, to: from + BATCH_SIZE - 1, runAt });
        if (jobs.length >= 1_000) await queue.add(jobs.splice(0));
      }
      await queue.add(jobs);
      return jobs.length;
    },

    /** The clock's duty: the batches of every running campaign added again (a lost Redis loses nothing). */
    async requeueRunning(): Promise<number> {
      const running = await db.selectFrom("campaigns").select(["id", "channel_id"]).where("status", "=", "running").execute();
      for (const c of running) await this.enqueue(c.id, c.channel_id);
      return running.length;
    },

    async get(actor: Actor, id: string) {
      return report(db, clock, await load(actor, id));
    },

    /**
     * The campaigns the actor may read (an officer's or approver's agency's, everyone's for DOST's
     * auditors and admins), newest first, each as `get` reports it plus the item's title, the channel
     * and the agency.
     */
    async list(actor: Actor, f: CampaignFilter) {
      const rows = await visibleOnly(
        actor,
        db
          .selectFrom("campaigns")
          .innerJoin("items", "items.id", "campaigns.item_id")
          .innerJoin("channels", "channels.id", "campaigns.channel_id")
          .innerJoin("agencies", "agencies.id", "campaigns.agency_id")
          .selectAll("campaigns")
          .select([
            "items.title as item_title",
            "channels.name as channel_name",
            "channels.kind as channel_kind",
            "agencies.name as agency_name",
          ]),
        "campaigns.agency_id",
      )
        .orderBy("campaigns.created_at", "desc")
        .orderBy("campaigns.id", "desc")
        .limit(f.limit)
        .offset(f.offset)
        .execute();
      const groups = await statusGroups(
        db,
        rows.map((c) => c.id),
      );
      const out = [];
      for (const { item_title, channel_name, channel_kind, agency_name, ...c } of rows) {
        out.push({
          ...(await report(db, clock, c, groups)),
          itemTitle: item_title,
          channel: { id: c.channel_id, name: channel_name, kind: channel_kind },
          agency: { id: c.agency_id, name: agency_name },
        });
      }
      return out;
    },

    /** Per-recipient results as CSV; numbers masked unless the reader is DOST or an admin. */
    async *recipientsCsv(actor: Actor, id: string): AsyncGenerator<string> {
      const c = await load(actor, id);
      const full = await readsFullNumbers(db, actor);
      yield "phone,status,reason,via,parts,sent_at,done_at\n";
      let after = -1;
      for (;;) {
        const rows = await db
          .selectFrom("campaign_recipients")
          .selectAll()
          .where("campaign_id", "=", c.id)
          .where("seq", ">", after)
          .orderBy("seq")
          .limit(2_000)
          .execute();
        if (rows.length === 0) return;
        yield rows
          .map((r) =>
            [
              full ? r.phone : maskPhone(r.phone),
              r.status,
              csvField(r.reason ?? ""),
              r.via ?? "",
              r.parts,
              r.sent_at?.toISOString() ?? "",
              r.done_at?.toISOString() ?? "",
            ].join(","),
          )
          .join("\n")
          .concat("\n");
        after = rows[rows.length - 1]?.seq ?? after;
      }
    },

    async steer(actor: Actor, id: string, action: "pause" | "resume" | "cancel") {
      const c = await load(actor, id);
      assertCanWrite(actor, c.agency_id);
      const from = { pause: ["running"], resume: ["paused"], cancel: ["scheduled", "running", "paused"] }[action];
      const to = { pause: "paused", resume: "running", cancel: "cancelled" }[action];
      const now = clock.now();
      // The status, the skipped recipients and the audit row in one transaction: a cancelled campaign never keeps queued ones.
      await db.transaction().execute(async (tx) => {
        const moved = await tx
          .updateTable("campaigns")
          .set({ status: to, ...(action === "cancel" ? { finished_at: now } : {}) })
          .where("id", "=", id)
          .where("status", "in", from)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1)
          throw new AppError("conflict", `the campaign is ${c.status}: it cannot ${action}`, { field: "status" });
        if (action === "cancel") {
          await tx
            .updateTable("campaign_recipients")
            .set({ status: "skipped", reason: "cancelled", done_at: now })
            .where("campaign_id", "=", id)
            .where("status", "=", "queued")
            .execute();
        }
        await audit(tx, actor, `campaign.${action}`, "campaign", id, now);
      });
      if (action === "resume") await this.enqueue(id, c.channel_id);
      if (action === "cancel") {
        // Its delivery ends too: cancelled if not due yet, else (its campaign was running) failed with the reason.
        if (!(await deps.state.move(c.delivery_id, "cancel"))) await deps.state.failed(c.delivery_id, "the campaign was cancelled");
      }
      return report(
        db,
        clock,
        (await db.selectFrom("campaigns").selectAll().where("id", "=", id).executeTakeFirstOrThrow()) as CampaignRow,
      );
    },
  };
}
export type Campaigns = ReturnType<typeof createCampaigns>;

type StatusGroup = {
  campaign_id: string;
  status: string;
  reason: string | null;
  n: number;
  parts: number | null;
  first: unknown;
  last: unknown;
};

/** The recipients of the given campaigns counted by campaign, status and reason: one statement for a whole page. */
async function statusGroups(db: Db, ids: string[]): Promise<StatusGroup[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom("campaign_recipients")
    .select((eb) => [
      "campaign_id",
      "status",
      "reason",
      eb.fn.countAll<number>().as("n"),
      eb.fn.sum<number>("parts").as("parts"),
      eb.fn.min("sent_at").as("first"),
      eb.fn.max("sent_at").as("last"),
    ])
    .where("campaign_id", "in", ids)
    .groupBy(["campaign_id", "status", "reason"])
    .execute();
}

/** Totals by status, parts sent, cost in segments, throughput and ETA of a campaign. */
export async function report(db: Db, clock: Clock, c: CampaignRow, groups?: StatusGroup[]) {
  const byStatus: Record<string, number> = Object.fromEntries(RecipientStatus.options.map((s) => [s, 0]));
  const skippedBy: Record<string, number> = {};
  let partsSent = 0;
  let firstSent: Date | null = null;
  let lastSent: Date | null = null;
  if (c.purged_at && c.totals) {
    const kept = JSON.parse(c.totals) as { byStatus: Record<string, number>; skipped: Record<string, number>; partsSent: number };
    Object.assign(byStatus, kept.byStatus);
    Object.assign(skippedBy, kept.skipped);
    partsSent = kept.partsSent;
  } else {
    const rows = groups ?? (await statusGroups(db, [c.id]));
    for (const r of rows) {
      if (r.campaign_id !== c.id) continue;
      byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
      if (r.status === "skipped") skippedBy[r.reason ?? "?"] = (skippedBy[r.reason ?? "?"] ?? 0) + Number(r.n);
      if (!["queued", "sending", "skipped", "rejected"].includes(r.status)) partsSent += Number(r.parts ?? 0);
      const first = r.first ? new Date(r.first as string | Date) : null;
      const last = r.last ? new Date(r.last as string | Date) : null;
      if (first && (!firstSent || first < firstSent)) firstSent = first;
      if (last && (!lastSent || last > lastSent)) lastSent = last;
    }
  }
  const sent = ["sent", "delivered", "undelivered", "expired", "unconfirmed"].reduce((n, s) => n + (byStatus[s] ?? 0), 0);
  const seconds = firstSent && lastSent ? Math.max(1, ((lastSent as Date).getTime() - (firstSent as Date).getTime()) / 1000) : 0;
  const throughput = seconds ? Math.round((sent / seconds) * 10) / 10 : 0;
  const waiting = (byStatus.queued ?? 0) + (byStatus.sending ?? 0);
  const etaSeconds = waiting === 0 ? 0 : throughput > 0 ? Math.ceil(waiting / throughput) : null;
  return {
    id: c.id,
    agencyId: c.agency_id,
    deliveryId: c.delivery_id,
    itemId: c.item_id,
    channelId: c.channel_id,
    fallbackChannelId: c.fallback_channel_id,
    recipientListId: c.list_id,
    commune: c.commune,
    status: c.status,
    text: c.text,
    encoding: c.encoding,
    segmentsPerMessage: c.segments,
    recipients: c.total,
    totals: byStatus,
    skipped: skippedBy,
    partsSent,
    cost: { segments: partsSent, planned: c.segments * c.total },
    throughputPerSecond: throughput,
    etaSeconds,
    eta: etaSeconds === null ? null : new Date(clock.now().getTime() + etaSeconds * 1000).toISOString(),
    createdAt: c.created_at,
    startedAt: c.started_at,
    finishedAt: c.finished_at,
    purgedAt: c.purged_at,
  };
}
