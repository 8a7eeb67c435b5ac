// Private iCal feeds of an agency's deliveries, for officers' calendar apps: the URL carries a token
// (stored hashed, revocable at once); the feed is RFC 5545 built by ical-generator.
import crypto from "node:crypto";
import ical, { ICalEventStatus } from "ical-generator";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { Actor, DeliveryStatus } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { deliveryLines } from "./delivery-lines.js";

export const NewCalendarFeed = z.strictObject({
  agencyId: z.string().min(1),
  name: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1).max(200))
    .default("Lịch đăng bài"),
});
export type NewCalendarFeed = z.infer<typeof NewCalendarFeed>;

export const CalendarFeedFilter = z.strictObject({ agencyId: z.string().min(1).optional() });

export interface CalendarFeed {
  id: string;
  agencyId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** What the feed shows: from this far back to this far ahead. */
const PAST_MS = 62 * 86_400_000;
const AHEAD_MS = 366 * 86_400_000;
const MAX_EVENTS = 5_000;
/** A delivery is an instant; calendar apps show it as a short event. */
const EVENT_MS = 15 * 60_000;

const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
const STATUS_VI: Record<DeliveryStatus, string> = {
  scheduled: "đã lên lịch",
  held: "chờ duyệt",
  publishing: "đang đăng",
  published: "đã đăng",
  failed: "thất bại",
  unconfirmed: "chưa xác nhận",
  cancelled: "đã huỷ",
  missed: "bị lỡ",
};

export function createCalendarFeeds(db: Db, clock: Clock, publicUrl: string) {
  const toFeed = (r: { id: string; agency_id: string; name: string; created_at: Date; revoked_at: Date | null }): CalendarFeed => ({
    id: r.id,
    agencyId: r.agency_id,
    name: r.name,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });
  const urlOf = (token: string) => `${publicUrl.replace(/\/$/, "")}/ical/${token}.ics`;

  return {
    /** A new private URL; the token is shown once. */
    async create(actor: Actor, input: NewCalendarFeed): Promise<CalendarFeed & { token: string; url: string }> {
      assertCanWrite(actor, input.agencyId);
      const agency = await db.selectFrom("agencies").select("id").where("id", "=", input.agencyId).executeTakeFirst();
      if (!agency) throw notFound("agency", "agencyId");
      const now = clock.now();
      const token = `loacal_${crypto.randomBytes(32).toString("base64url")}`;
      const row = {
        id: crypto.randomUUID(),
        agency_id: input.agencyId,
        name: input.name,
        token_hash: hash(token),
        created_by: actor.id,
        created_at: now,
        revoked_at: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("calendar_feeds").values(row).execute();
        await audit(tx, actor, "calendar_feed.create", "calendar_feed", row.id, now, { agencyId: row.agency_id, name: row.name });
      });
      return { ...toFeed(row), token, url: urlOf(token) };
    },

    async list(actor: Actor, f: z.infer<typeof CalendarFeedFilter>): Promise<CalendarFeed[]> {
      let q = visibleOnly(actor, db.selectFrom("calendar_feeds").selectAll());
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      return (await q.orderBy("created_at", "desc").orderBy("id").execute()).map(toFeed);
    },

    /** Revokes the URL at once: its next fetch is a 404. */
    async revoke(actor: Actor, id: string): Promise<CalendarFeed> {
      const row = visible(
        actor,
        await db.selectFrom("calendar_feeds").selectAll().where("id", "=", id).executeTakeFirst(),
        "calendar feed",
      );
      assertCanWrite(actor, row.agency_id);
      if (row.revoked_at) throw new AppError("conflict", "this calendar feed is already revoked", { field: "id" });
      const now = clock.now();
      const updated = await db
        .updateTable("calendar_feeds")
        .set({ revoked_at: now })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(db, actor, "calendar_feed.revoke", "calendar_feed", id, now);
      return toFeed(updated);
    },

    /** The iCalendar text of the feed this token opens; an unknown or revoked token is "not found". */
    async render(token: string): Promise<string> {
      const feed = await db
        .selectFrom("calendar_feeds")
        .innerJoin("agencies", "agencies.id", "calendar_feeds.agency_id")
        .select(["calendar_feeds.agency_id", "calendar_feeds.name", "agencies.name as agency_name"])
        .where("calendar_feeds.token_hash", "=", hash(token))
        .where("calendar_feeds.revoked_at", "is", null)
        .executeTakeFirst();
      if (!feed) throw notFound("calendar feed");
      const now = clock.now();
      const rows = await deliveryLines(db, new Date(now.getTime() - PAST_MS), new Date(now.getTime() + AHEAD_MS), feed.agency_id)
        .limit(MAX_EVENTS)
        .execute();
      const cal = ical({
        name: `${feed.name} — ${feed.agency_name}`,
        prodId: { company: "Loa", product: "lich-dang-bai", language: "VI" },
        ttl: 15 * 60,
      });
      for (const r of rows) {
        cal.createEvent({
          id: `${r.id}@loa`,
          start: r.scheduled_at,
          end: new Date(r.scheduled_at.getTime() + EVENT_MS),
          stamp: r.updated_at,
          summary: `[${r.channel_name}] ${r.title}`,
          description: `Kênh: ${r.channel_name} (${r.channel_kind})\nTrạng thái: ${STATUS_VI[r.status as DeliveryStatus] ?? r.status}`,
          status: r.status === "cancelled" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
          ...(r.url ? { url: r.url } : {}),
        });
      }
      return cal.toString();
    },
  };
}
export type CalendarFeeds = ReturnType<typeof createCalendarFeeds>;
