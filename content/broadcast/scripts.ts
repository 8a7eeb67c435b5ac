import { periodDates, periodEnd, periodStart } from "../compliance/periods.js";
import { AppError, notFound } from "../errors.js";
import type { Channel } from "../model.js";
import type { Dialect, Priority, ReadAloudTools } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import { nextSlot, type WeeklySlots } from "../publishing/slots.js";
import type { Db } from "../store/db.js";
import { toChannel } from "../store/rows.js";
import { isoWeek } from "../time.js";
import { attributesOf, type BroadcastAttributes, DEFAULT_ATTRIBUTES, PRIORITY_LABEL, readAloudOf } from "./items.js";
import { RadioSettings, StationSettings } from "./stations.js";

/** One item of a week's script. */
export interface ScriptEntry {
  itemId: string;
  deliveryId: string;
  kind: string;
  title: string;
  text: string;
  readAloud: string;
  /** The officer wrote the read-aloud text (else it is the automatic one). */
  readAloudEdited: boolean;
  priority: Priority;
  priorityLabel: string;
  validFrom: string;
  validUntil: string;
  /** The suggested slot (ISO 8601, UTC). */
  slot: string;
  readingSeconds: number;
  /** Added after the script froze (an urgent item). */
  addendum: boolean;
  /** The item has no recording: its audio is synthesised. */
  synthetic: boolean;
}

/** A spoken part of the script (opening, closing). */
export interface ScriptPart {
  text: string;
  readAloud: string;
  readingSeconds: number;
}

export interface Script {
  station: { id: string; name: string; kind: string; area: string | null; agency: { id: string; name: string } };
  week: string;
  from: string;
  to: string;
  /** The week has started: the script is as it stood then, plus urgent addenda. */
  frozen: boolean;
  frozenAt: string | null;
  wordsPerMinute: number;
  dialect: Dialect;
  voice: string;
  opening: ScriptPart;
  entries: ScriptEntry[];
  addenda: ScriptEntry[];
  closing: ScriptPart;
  totalSeconds: number;
}

const DEFAULT_OPENING =
  "Đây là Đài truyền thanh {agency}. Mời bà con nghe bản tin dịch vụ công trực tuyến tuần {week}, từ ngày {from} đến ngày {to}.";
const DEFAULT_CLOSING = "Bản tin dịch vụ công trực tuyến tuần này đến đây là kết thúc. Cảm ơn bà con đã lắng nghe.";
const viDate = (ymd: string) => `${Number(ymd.slice(8, 10))}/${Number(ymd.slice(5, 7))}/${ymd.slice(0, 4)}`;

/** What the script needs from a station's settings, whichever kind it is. */
export function stationProfile(channel: Pick<Channel, "kind" | "settings">) {
  if (channel.kind === "radio_tv") {
    const s = RadioSettings.parse(channel.settings);
    return {
      slots: s.slots,
      area: null,
      opening: undefined,
      closing: undefined,
      wordsPerMinute: 160,
      dialect: "south" as Dialect,
      voice: "vi-vn-x-south",
      jingles: undefined,
    };
  }
  const s = StationSettings.parse(channel.settings);
  return {
    slots: s.slots,
    area: s.area ?? null,
    opening: s.opening,
    closing: s.closing,
    wordsPerMinute: s.wordsPerMinute,
    dialect: s.dialect,
    voice: s.voice,
    jingles: s.jingles,
  };
}
export type StationProfile = ReturnType<typeof stationProfile>;

/** The suggested slot of an item scheduled at `at`: the station's first slot from then on in the same week, else `at`. */
export function slotFor(slots: WeeklySlots, at: Date): Date {
  const next = nextSlot(slots, at, () => false, 1);
  return next && next < periodEnd(isoWeek(at)) ? next : at;
}

const PRIORITY_ORDER: Record<Priority, number> = { khan_cap: 0, uu_tien: 1, thuong: 2 };

/** One delivery as a script entry, read aloud in the station's dialect and timed at its speed. */
export function toEntry(
  r: { id: string; kind: string; title: string; body: string; deliveryId: string; scheduledAt: Date; createdAt: Date },
  a: BroadcastAttributes,
  recorded: boolean,
  profile: StationProfile,
  week: string,
  frozenAt: Date,
  tools: ReadAloudTools,
): ScriptEntry & { createdAt: Date } {
  const read = readAloudOf(tools, r, a, profile.dialect);
  return {
    itemId: r.id,
    deliveryId: r.deliveryId,
    kind: r.kind,
    title: r.title,
    text: r.body,
    readAloud: read.text,
    readAloudEdited: read.edited,
    priority: a.priority,
    priorityLabel: PRIORITY_LABEL[a.priority],
    validFrom: (a.validFrom ?? r.scheduledAt).toISOString(),
    validUntil: (a.validUntil ?? periodEnd(week)).toISOString(),
    slot: slotFor(profile.slots, r.scheduledAt).toISOString(),
    readingSeconds: tools.readingSeconds(read.text, profile.wordsPerMinute),
    addendum: r.createdAt >= frozenAt,
    synthetic: !recorded,
    createdAt: r.createdAt,
  };
}

/** Whether an item has a ready recording attached (its audio is then that, not synthesised). */
export async function recordedItems(db: Db, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .selectFrom("item_media")
    .innerJoin("media", "media.id", "item_media.media_id")
    .select("item_media.item_id")
    .where("item_media.item_id", "in", ids)
    .where("media.kind", "=", "audio")
    .where("media.status", "=", "ready")
    .execute();
  return new Set(rows.map((r) => r.item_id));
}

/**
 * Weekly scripts: the items scheduled on a station for an ISO week, with the station's opening and
 * closing. Until the week starts the script follows the schedule; when it starts the script freezes
 * (stored once, never changed), and an urgent item added later is an addendum.
 */
export function createScripts(db: Db, clock: Clock, tools: ReadAloudTools) {
  function part(template: string, vars: Record<string, string>, profile: StationProfile): ScriptPart {
    const text = template.replace(/\{(agency|station|week|from|to)\}/g, (_m, k: string) => vars[k] ?? "");
    const readAloud = tools.readAloud(text, { dialect: profile.dialect });
    return { text, readAloud, readingSeconds: tools.readingSeconds(readAloud, profile.wordsPerMinute) };
  }

  /** The entries of the deliveries on a station in a week, as they are now. */
  async function liveEntries(
    station: Channel,
    profile: StationProfile,
    week: string,
    frozenAt: Date,
  ): Promise<(ScriptEntry & { createdAt: Date })[]> {
    const rows = await db
      .selectFrom("deliveries")
      .innerJoin("items", "items.id", "deliveries.item_id")
      .select([
        "deliveries.id as delivery_id",
        "deliveries.scheduled_at",
        "deliveries.created_at",
        "items.id",
        "items.kind",
        "items.title",
        "items.body",
      ])
      .where("deliveries.channel_id", "=", station.id)
      .where("deliveries.scheduled_at", ">=", periodStart(week))
      .where("deliveries.scheduled_at", "<", periodEnd(week))
      .where("deliveries.status", "not in", ["cancelled", "failed", "missed", "held"])
      .orderBy("deliveries.scheduled_at")
      .orderBy("deliveries.created_at")
      .execute();
    const ids = [...new Set(rows.map((r) => r.id))];
    const attrs = await attributesOf(db, ids);
    const recorded = await recordedItems(db, ids);
    return rows.map((r) =>
      toEntry(
        { ...r, deliveryId: r.delivery_id, scheduledAt: r.scheduled_at, createdAt: r.created_at },
        attrs.get(r.id) ?? DEFAULT_ATTRIBUTES,
        recorded.has(r.id),
        profile,
        week,
        frozenAt,
        tools,
      ),
    );
  }

  const inOrder = (a: ScriptEntry, b: ScriptEntry) =>
    a.slot.localeCompare(b.slot) || PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority];
  const strip = ({ createdAt: _c, ...e }: ScriptEntry & { createdAt: Date }): ScriptEntry => e;

  async function stationOf(stationId: string): Promise<{ station: Channel; agency: { id: string; name: string } }> {
    const row = await db.selectFrom("channels").selectAll().where("id", "=", stationId).executeTakeFirst();
    if (!row) throw notFound("station");
    const agency = await db.selectFrom("agencies").select(["id", "name"]).where("id", "=", row.agency_id).executeTakeFirstOrThrow();
    return { station: toChannel(row), agency };
  }

  /** The script of a station's week, frozen when the week has started. */
  async function compile(station: Channel, week: string, now: Date = clock.now()): Promise<Script> {
    if (station.kind !== "loudspeaker" && station.kind !== "radio_tv") throw new AppError("not_found", "station not found");
    const { agency } = await stationOf(station.id);
    const profile = stationProfile(station);
    const { first, last } = periodDates(week);
    const vars = { agency: agency.name, station: station.name, week, from: viDate(first), to: viDate(last) };
    const opening = part(profile.opening ?? DEFAULT_OPENING, vars, profile);
    const closing = part(profile.closing ?? DEFAULT_CLOSING, vars, profile);
    const start = periodStart(week);
    const live = await liveEntries(station, profile, week, start);
    let entries: ScriptEntry[];
    let addenda: ScriptEntry[] = [];
    let frozenAt: Date | null = null;
    if (now >= start) {
      const frozen = await freeze(station.id, week, now, () => ({
        opening,
        closing,
        entries: live
          .filter((e) => !e.addendum)
          .map(strip)
          .sort(inOrder),
      }));
      frozenAt = frozen.frozenAt;
      entries = frozen.content.entries;
      const onScript = new Set(entries.map((e) => e.deliveryId));
      addenda = live
        .filter((e) => e.addendum && e.priority === "khan_cap" && !onScript.has(e.deliveryId))
        .map(strip)
        .sort(inOrder);
      return assemble(frozen.content.opening, entries, addenda, frozen.content.closing, frozenAt);
    }
    entries = live
      .filter((e) => e.priority === "khan_cap" || !e.addendum)
      .map(strip)
      .sort(inOrder);
    return assemble(opening, entries, addenda, closing, frozenAt);

    function assemble(o: ScriptPart, e: ScriptEntry[], a: ScriptEntry[], c: ScriptPart, at: Date | null): Script {
      const totalSeconds = [o, ...e, ...a, c].reduce((sum, p) => sum + p.readingSeconds, 0);
      return {
        station: { id: station.id, name: station.name, kind: station.kind, area: profile.area, agency },
        week,
        from: first,
        to: last,
        frozen: at !== null,
        frozenAt: at?.toISOString() ?? null,
        wordsPerMinute: profile.wordsPerMinute,
        dialect: profile.dialect,
        voice: profile.voice,
        opening: o,
        entries: e,
        addenda: a,
        closing: c,
        totalSeconds,
      };
    }
  }

  /** Stores the script as it stands when its week starts, once; answers the stored one. */
  async function freeze(
    stationId: string,
    week: string,
    now: Date,
    content: () => { opening: ScriptPart; closing: ScriptPart; entries: ScriptEntry[] },
  ): Promise<{ frozenAt: Date; content: { opening: ScriptPart; closing: ScriptPart; entries: ScriptEntry[] } }> {
    const read = () =>
      db.selectFrom("broadcast_scripts").selectAll().where("channel_id", "=", stationId).where("week", "=", week).executeTakeFirst();
    let row = await read();
    if (!row) {
      await db
        .insertInto("broadcast_scripts")
        .values({ channel_id: stationId, week, frozen_at: now, content: JSON.stringify(content()) })
        .onConflict((oc) => oc.columns(["channel_id", "week"]).doNothing())
        .execute();
      row = await read();
    }
    if (!row) throw new Error(`the script of ${stationId} for ${week} could not be stored`);
    return { frozenAt: periodStart(week), content: JSON.parse(row.content) };
  }

  return { compile, stationOf };
}
export type Scripts = ReturnType<typeof createScripts>;
