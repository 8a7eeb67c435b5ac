import { z } from "zod";
import { assertCanWrite, visible } from "../access.js";
import { audit } from "../audit.js";
import { parsePeriod, periodDates } from "../compliance/periods.js";
import { AppError, notFound } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import type { Script, ScriptEntry, Scripts } from "./scripts.js";
import { listStations, RadioSettings } from "./stations.js";

const Text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(max));

/** One segment of a programme's rundown. */
export const Segment = z.strictObject({
  title: Text(300),
  durationSeconds: z.number().int().min(1).max(36_000),
  guests: z.array(Text(200)).max(20).default([]),
  notes: Text(5_000).optional(),
});
export type Segment = z.infer<typeof Segment>;

export const Rundown = z.strictObject({ segments: z.array(Segment).min(1).max(100) });
export type Rundown = z.infer<typeof Rundown>;

export const ProgrammeWeekQuery = z.strictObject({ stationId: z.string().min(1).optional(), access_token: z.string().optional() });

export interface RundownView {
  itemId: string;
  segments: Segment[];
  totalSeconds: number;
}

export interface ProgrammeWeek {
  week: string;
  from: string;
  to: string;
  stations: {
    station: Script["station"];
    programme: string | null;
    slots: { days: string[]; time: string }[];
    programmes: (ScriptEntry & { rundown: RundownView | null })[];
  }[];
}

const viewOf = (itemId: string, segments: Segment[]): RundownView => ({
  itemId,
  segments,
  totalSeconds: segments.reduce((s, x) => s + x.durationSeconds, 0),
});

/**
 * The press agencies' weekly radio/TV programme (task 1.4): items of kind `programme` with a rundown
 * (segments with durations, guests and notes), scheduled on `radio_tv` stations; the week's rundowns
 * exported for the stations' prompters; what was aired confirmed by the station's broadcaster.
 */
export function createProgrammes(db: Db, clock: Clock, scripts: Scripts) {
  async function programmeItem(actor: Actor, itemId: string) {
    const item = visible(
      actor,
      await db.selectFrom("items").select(["id", "agency_id", "kind"]).where("id", "=", itemId).executeTakeFirst(),
      "item",
    );
    if (item.kind !== "programme")
      throw new AppError("unprocessable", `item ${itemId} is a ${item.kind}, not a programme`, { field: "id" });
    return item;
  }
  async function rundownsOf(itemIds: string[]): Promise<Map<string, RundownView>> {
    if (!itemIds.length) return new Map();
    const rows = await db.selectFrom("programme_rundowns").selectAll().where("item_id", "in", itemIds).execute();
    return new Map(rows.map((r) => [r.item_id, viewOf(r.item_id, JSON.parse(r.segments) as Segment[])]));
  }

  return {
    async getRundown(actor: Actor, itemId: string): Promise<RundownView> {
      const item = await programmeItem(actor, itemId);
      return (await rundownsOf([item.id])).get(item.id) ?? viewOf(item.id, []);
    },

    async putRundown(actor: Actor, itemId: string, rundown: Rundown): Promise<RundownView> {
      const item = await programmeItem(actor, itemId);
      assertCanWrite(actor, item.agency_id);
      const now = clock.now();
      const segments = JSON.stringify(rundown.segments);
      await db
        .insertInto("programme_rundowns")
        .values({ item_id: item.id, segments, updated_by: actor.id, updated_at: now })
        .onConflict((oc) => oc.column("item_id").doUpdateSet({ segments, updated_by: actor.id, updated_at: now }))
        .execute();
      await audit(db, actor, "programme.rundown", "item", item.id, now, { segments: rundown.segments.length });
      return viewOf(item.id, rundown.segments);
    },

    /** The week's programmes on the radio/TV stations the actor may read (or the one asked), with their rundowns. */
    async week(actor: Actor, weekText: string, stationId?: string): Promise<ProgrammeWeek> {
      const week = parsePeriod(weekText, "week");
      if (week.kind !== "week") throw new AppError("invalid_input", "week: an ISO week such as 2026-W49", { field: "week" });
      const stations = (await listStations(db, actor)).filter((s) => s.kind === "radio_tv" && (!stationId || s.id === stationId));
      if (stationId && stations.length === 0) throw notFound("station", "stationId");
      const { first, last } = periodDates(week.key);
      const out: ProgrammeWeek = { week: week.key, from: first, to: last, stations: [] };
      for (const station of stations) {
        const script = await scripts.compile(station, week.key);
        const entries = [...script.entries, ...script.addenda];
        const rundowns = await rundownsOf(entries.map((e) => e.itemId));
        const settings = RadioSettings.parse(station.settings);
        out.stations.push({
          station: script.station,
          programme: settings.programme ?? null,
          slots: settings.slots,
          programmes: entries.map((e) => ({ ...e, rundown: rundowns.get(e.itemId) ?? null })),
        });
      }
      return out;
    },
  };
}
export type Programmes = ReturnType<typeof createProgrammes>;
