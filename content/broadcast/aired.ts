import crypto from "node:crypto";
import { z } from "zod";
import { audit } from "../audit.js";
import { parsePeriod, periodEnd, periodStart } from "../compliance/periods.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { Instant, isoWeek, localDate } from "../time.js";
import { recordConfirmed } from "./confirmed.js";
import { STATION_KINDS } from "./counting.js";
import type { Scripts } from "./scripts.js";
import { visibleStation } from "./stations.js";

export const AiredRequest = z.strictObject({
  items: z
    .array(z.strictObject({ itemId: z.string().min(1), airedAt: Instant }))
    .min(1)
    .max(200),
});
export type AiredRequest = z.infer<typeof AiredRequest>;

/** A confirmation this far ahead of the clock is still "now" (the broadcaster's phone may run fast). */
const FUTURE_GRACE_MS = 60_000;
/** Stations are reminded when nothing was confirmed by Friday 17:00 (Asia/Ho_Chi_Minh) of the week. */
const DEADLINE_AFTER_WEEK_START_MS = (4 * 24 + 17) * 3_600_000;

/** The deadline of a week's confirmations: its Friday 17:00, Asia/Ho_Chi_Minh. */
export const airedDeadline = (week: string) => new Date(periodStart(week).getTime() + DEADLINE_AFTER_WEEK_START_MS);

/**
 * What a station aired, confirmed by its broadcaster: each item counts for its tasks (2.2 on the
 * loudspeakers, 1.4 on radio and TV) as published on the station's channel kind, with the
 * broadcaster as the source — not self-reported by the officer who wrote it.
 */
export function createAirings(db: Db, clock: Clock, scripts: Scripts) {
  const list = (stationId: string, week: string) =>
    db
      .selectFrom("broadcast_airings")
      .selectAll()
      .where("channel_id", "=", stationId)
      .where("week", "=", week)
      .orderBy("aired_at")
      .execute();
  return {
    async confirm(actor: Actor, stationId: string, weekText: string, req: AiredRequest) {
      const station = await visibleStation(db, actor, stationId, STATION_KINDS);
      if (actor.role !== "broadcaster") throw new AppError("forbidden", "only the station's broadcaster confirms what was aired");
      const now = clock.now();
      const week = parsePeriod(weekText === "current" ? isoWeek(now) : weekText, "week");
      if (week.kind !== "week") throw new AppError("invalid_input", "week: an ISO week such as 2026-W49, or current", { field: "week" });
      const script = await scripts.compile(station, week.key, now);
      const onScript = new Map([...script.entries, ...script.addenda].map((e) => [e.itemId, e]));
      const start = periodStart(week.key);
      const end = periodEnd(week.key);
      const checked = req.items.map((x, i) => {
        const entry = onScript.get(x.itemId);
        if (!entry)
          throw new AppError("unprocessable", `item ${x.itemId} is not on the script of ${week.key}`, { field: `items.${i}.itemId` });
        if (x.airedAt < start || x.airedAt >= end) {
          throw new AppError("unprocessable", `${x.airedAt.toISOString()} is not in ${week.key}`, { field: `items.${i}.airedAt` });
        }
        if (x.airedAt.getTime() > now.getTime() + FUTURE_GRACE_MS) {
          throw new AppError("unprocessable", "airedAt is in the future: confirm what was aired", { field: `items.${i}.airedAt` });
        }
        return { ...x, entry };
      });
      const items = await db
        .selectFrom("items")
        .select(["id", "kind", "agency_id"])
        .where("id", "in", [...new Set(checked.map((c) => c.itemId))])
        .execute();
      const byId = new Map(items.map((i) => [i.id, i]));
      const aired = [];
      for (const c of checked) {
        const item = byId.get(c.itemId);
        if (!item) continue;
        await db
          .insertInto("broadcast_airings")
          .values({
            id: crypto.randomUUID(),
            channel_id: station.id,
            week: week.key,
            item_id: c.itemId,
            delivery_id: c.entry.deliveryId,
            aired_at: c.airedAt,
            confirmed_by: actor.id,
            created_at: now,
          })
          .onConflict((oc) => oc.columns(["delivery_id", "aired_at"]).doNothing())
          .execute();
        const publicationId = `aired-${c.entry.deliveryId}`;
        // The first airing of the item in its week is its publication; later ones are kept as airings.
        await recordConfirmed(db, {
          id: publicationId,
          item,
          channel: station,
          deliveryId: c.entry.deliveryId,
          publishedAt: c.airedAt,
          recordedBy: actor.id,
          source: "broadcaster",
          now,
        });
        aired.push({ itemId: c.itemId, deliveryId: c.entry.deliveryId, airedAt: c.airedAt, publicationId });
      }
      await audit(db, actor, "station.aired", "channel", station.id, now, { week: week.key, items: aired.map((a) => a.itemId) });
      return { stationId: station.id, week: week.key, aired };
    },

    /** The airings confirmed for a station's week, for anyone who may read the station (the web app's "đã phát"). */
    async ofWeek(actor: Actor, stationId: string, weekText: string) {
      const station = await visibleStation(db, actor, stationId, STATION_KINDS);
      const week = parsePeriod(weekText === "current" ? isoWeek(clock.now()) : weekText, "week");
      if (week.kind !== "week") throw new AppError("invalid_input", "week: an ISO week such as 2026-W49, or current", { field: "week" });
      const rows = await list(station.id, week.key);
      return {
        stationId: station.id,
        week: week.key,
        data: rows.map((r) => ({
          itemId: r.item_id,
          deliveryId: r.delivery_id,
          airedAt: new Date(r.aired_at),
          confirmedBy: r.confirmed_by,
        })),
      };
    },

    /** The airings confirmed for a station's week. */
    list,

    /**
     * Stations (loudspeakers and radio/TV) of agencies in existence that confirmed nothing for the week of
     * `now`, once its deadline (Friday 17:00) has passed; before it, none.
     */
    async unconfirmed(now: Date = clock.now()): Promise<{ agencyId: string; stationId: string; stationName: string }[]> {
      const week = isoWeek(now);
      if (now < airedDeadline(week)) return [];
      const rows = await db
        .selectFrom("channels")
        .innerJoin("agencies", "agencies.id", "channels.agency_id")
        .select(["channels.id", "channels.name", "channels.agency_id", "agencies.valid_to"])
        .where("channels.kind", "in", [...STATION_KINDS])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("broadcast_airings")
                .select("id")
                .whereRef("broadcast_airings.channel_id", "=", "channels.id")
                .where("broadcast_airings.week", "=", week),
            ),
          ),
        )
        .orderBy("channels.agency_id")
        .orderBy("channels.name")
        .execute();
      const today = localDate(now);
      return rows
        .filter((r) => r.valid_to === null || r.valid_to >= today)
        .map((r) => ({ agencyId: r.agency_id, stationId: r.id, stationName: r.name }));
    },
  };
}
export type Airings = ReturnType<typeof createAirings>;
