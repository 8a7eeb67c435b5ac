// content/events/: communication events (plan tasks 3.1, 3.2) — agencies publishing together around a
// fixed date (National Digital Transformation Day 10/10, the online-public-services month): a window,
// targets (every commune at least one item on its loudspeaker…), the items agencies publish for it,
// and the progress per agency counted from the publications (Loa's and self-reported).
import crypto from "node:crypto";
import type { Selectable } from "kysely";
import { z } from "zod";
import { assertCanWrite, readScope, visible } from "../access.js";
import { audit } from "../audit.js";
import { inDost } from "../directory/agencies.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, AgencyKind, ChannelKind, SYSTEM } from "../model.js";
import type { Clock } from "../ports/clock.js";
import { localInstant } from "../publishing/slots.js";
import type { Db } from "../store/db.js";
import type { EventTable } from "../store/planning.schema.js";
import { localDate } from "../time.js";

const LocalDate = z.iso.date({ error: "a calendar date YYYY-MM-DD (Asia/Ho_Chi_Minh)" });
const Text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1).max(max));

export const EventTarget = z
  .strictObject({
    label: Text(200),
    /** Which agencies owe it: by kind, and/or by id. */
    agencyKinds: z.array(AgencyKind).max(10).default([]),
    agencyIds: z.array(z.string().min(1)).max(500).default([]),
    /** On which kinds of channel it counts (none: any). */
    channelKinds: z.array(ChannelKind).max(20).default([]),
    /** How many distinct items of the event each agency publishes there at least. */
    minCount: z.number().int().min(1).max(1_000).default(1),
  })
  .superRefine((t, ctx) => {
    if (t.agencyKinds.length === 0 && t.agencyIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["agencyKinds"], message: "name the agencies: agencyKinds or agencyIds" });
    }
  });
export type EventTarget = z.infer<typeof EventTarget>;

export const NewEvent = z
  .strictObject({
    name: Text(200),
    description: Text(5_000).optional(),
    startsOn: LocalDate,
    endsOn: LocalDate,
    targets: z.array(EventTarget).min(1).max(20),
  })
  .superRefine((e, ctx) => {
    if (e.endsOn < e.startsOn) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "must not be before startsOn" });
  });
export type NewEvent = z.infer<typeof NewEvent>;

export const EventItemRequest = z.strictObject({ itemId: z.string().min(1) });
export const ProgressQuery = z.strictObject({ format: z.enum(["json", "xlsx"]).default("json") });

export interface CommEvent {
  id: string;
  name: string;
  description: string | null;
  startsOn: string;
  endsOn: string;
  targets: EventTarget[];
  createdAt: Date;
}

export interface AgencyProgress {
  agencyId: string;
  name: string;
  kind: string;
  /** Per target (same order as the event's), or null when the target does not concern this agency. */
  targets: ({ count: number; minCount: number; met: boolean } | null)[];
  met: boolean;
}

export interface EventReport {
  event: CommEvent;
  from: Date;
  to: Date;
  agencies: AgencyProgress[];
  summary: { agencies: number; met: number; items: number; publications: number };
}

const DAY_MS = 86_400_000;

type EventRow = Selectable<EventTable>;
const toEvent = (r: EventRow): CommEvent => ({
  id: r.id,
  name: r.name,
  description: r.description,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  targets: JSON.parse(r.targets) as EventTarget[],
  createdAt: r.created_at,
});

export function createEvents(db: Db, clock: Clock) {
  async function load(id: string): Promise<CommEvent> {
    const row = await db.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("event");
    return toEvent(row);
  }

  /** Admins, and DOST's officers (who run the city's communication), organise events. */
  async function assertOrganiser(actor: Actor) {
    if (actor.role === "admin" || actor.role === "system") return;
    if (actor.role === "officer" && (await inDost(db, actor))) return;
    throw new AppError("forbidden", "only DOST and admins organise communication events");
  }

  /** DOST follows every agency, as admins and auditors do; other officers their own agency. */
  async function progressScope(actor: Actor): Promise<"all" | { agencyId: string }> {
    const scope = readScope(actor);
    if (scope === "all") return scope;
    return (await inDost(db, actor)) ? "all" : scope;
  }

  async function progress(actor: Actor, id: string): Promise<EventReport> {
    const scope = await progressScope(actor);
    const event = await load(id);
    const from = localInstant(event.startsOn, "00:00");
    const to = new Date(localInstant(event.endsOn, "00:00").getTime() + DAY_MS);
    const agencies = await db
      .selectFrom("agencies")
      .select(["id", "name", "kind"])
      .where("valid_from", "<=", event.endsOn)
      .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">=", event.startsOn)]))
      .orderBy("kind")
      .orderBy("id")
      .execute();
    const published = await db
      .selectFrom("publications")
      .innerJoin("event_items", (j) => j.onRef("event_items.item_id", "=", "publications.item_id").on("event_items.event_id", "=", id))
      .select(["publications.agency_id", "publications.item_id", "publications.channel_kind"])
      .where("publications.published_at", ">=", from)
      .where("publications.published_at", "<", to)
      .execute();
    const items = await db.selectFrom("event_items").select("item_id").where("event_id", "=", id).execute();
    const rows: AgencyProgress[] = [];
    for (const a of agencies) {
      if (scope !== "all" && a.id !== scope.agencyId) continue;
      const concerns = event.targets.map((t) => t.agencyIds.includes(a.id) || (t.agencyKinds as string[]).includes(a.kind));
      if (!concerns.some(Boolean)) continue;
      const mine = published.filter((p) => p.agency_id === a.id);
      const targets = event.targets.map((t, i) => {
        if (!concerns[i]) return null;
        const count = new Set(
          mine.filter((p) => t.channelKinds.length === 0 || (t.channelKinds as string[]).includes(p.channel_kind)).map((p) => p.item_id),
        ).size;
        return { count, minCount: t.minCount, met: count >= t.minCount };
      });
      rows.push({ agencyId: a.id, name: a.name, kind: a.kind, targets, met: targets.every((t) => t === null || t.met) });
    }
    const visibleItems =
      scope === "all" ? items.length : new Set(published.filter((p) => p.agency_id === scope.agencyId).map((p) => p.item_id)).size;
    return {
      event,
      from,
      to,
      agencies: rows,
      summary: {
        agencies: rows.length,
        met: rows.filter((r) => r.met).length,
        items: visibleItems,
        publications: scope === "all" ? published.length : published.filter((p) => p.agency_id === scope.agencyId).length,
      },
    };
  }

  return {
    async create(actor: Actor, input: NewEvent): Promise<CommEvent> {
      await assertOrganiser(actor);
      const ids = [...new Set(input.targets.flatMap((t) => t.agencyIds))];
      if (ids.length) {
        const known = new Set((await db.selectFrom("agencies").select("id").where("id", "in", ids).execute()).map((a) => a.id));
        for (const [i, t] of input.targets.entries()) {
          const j = t.agencyIds.findIndex((a) => !known.has(a));
          if (j >= 0) throw new AppError("unprocessable", `unknown agency ${t.agencyIds[j]}`, { field: `targets.${i}.agencyIds.${j}` });
        }
      }
      const now = clock.now();
      const row = {
        id: crypto.randomUUID(),
        name: input.name,
        description: input.description ?? null,
        starts_on: input.startsOn,
        ends_on: input.endsOn,
        targets: JSON.stringify(input.targets),
        created_by: actor.id,
        created_at: now,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("events").values(row).execute();
        await audit(tx, actor, "event.create", "event", row.id, now, { name: row.name, startsOn: row.starts_on, endsOn: row.ends_on });
      });
      return toEvent(row);
    },

    async list(actor: Actor): Promise<CommEvent[]> {
      readScope(actor);
      return (await db.selectFrom("events").selectAll().orderBy("starts_on", "desc").orderBy("id").limit(500).execute()).map(toEvent);
    },

    async get(actor: Actor, id: string): Promise<CommEvent> {
      readScope(actor);
      return load(id);
    },

    /** An agency's item joins the event: its publications in the window count for the agency's targets. */
    async addItem(actor: Actor, id: string, itemId: string): Promise<{ eventId: string; itemId: string; agencyId: string }> {
      readScope(actor);
      await load(id);
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst(),
        "item",
        "itemId",
      );
      assertCanWrite(actor, item.agency_id, "itemId");
      const now = clock.now();
      const inserted = await db
        .insertInto("event_items")
        .values({ event_id: id, item_id: item.id, agency_id: item.agency_id, added_by: actor.id, added_at: now })
        .onConflict((oc) => oc.columns(["event_id", "item_id"]).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
        throw new AppError("conflict", "this item is already in the event", { field: "itemId" });
      await audit(db, actor, "event.add_item", "event", id, now, { itemId: item.id });
      return { eventId: id, itemId: item.id, agencyId: item.agency_id };
    },

    progress,

    /**
     * The summary of every event running today (Asia/Ho_Chi_Minh, its last day included), for the
     * `event.progress` webhook: `key` carries the counts, so the same state is sent once.
     */
    async running(): Promise<{ key: string; eventId: string; name: string; summary: EventReport["summary"] }[]> {
      const today = localDate(clock.now());
      const rows = await db.selectFrom("events").select("id").where("starts_on", "<=", today).where("ends_on", ">=", today).execute();
      const out = [];
      for (const { id } of rows) {
        const r = await progress(SYSTEM, id);
        const { agencies, met, publications } = r.summary;
        out.push({ key: `event.progress:${id}:${met}/${agencies}:${publications}`, eventId: id, name: r.event.name, summary: r.summary });
      }
      return out;
    },

    /** The report as a spreadsheet: one row per agency, a column per target. */
    async progressXlsx(actor: Actor, id: string): Promise<{ name: string; data: Buffer }> {
      const r = await progress(actor, id);
      // Loaded when a workbook is made: exceljs is ~28 MB of every process otherwise.
      const wb = new (await import("exceljs")).default.Workbook();
      wb.creator = "Loa";
      const ws = wb.addWorksheet("Tien do");
      ws.addRow([r.event.name, `${r.event.startsOn} – ${r.event.endsOn}`]);
      ws.addRow(["Cơ quan", "Loại", ...r.event.targets.map((t) => `${t.label} (≥ ${t.minCount})`), "Đạt"]);
      for (const a of r.agencies) {
        ws.addRow([a.name, a.kind, ...a.targets.map((t) => (t === null ? "—" : `${t.count}/${t.minCount}`)), a.met ? "Đạt" : "Chưa đạt"]);
      }
      ws.addRow([]);
      ws.addRow([
        "Tổng",
        `${r.summary.met}/${r.summary.agencies} cơ quan đạt`,
        `${r.summary.publications} lượt đăng`,
        `${r.summary.items} tin`,
      ]);
      ws.getRow(2).font = { bold: true };
      ws.getColumn(1).width = 45;
      return { name: `su-kien-${r.event.startsOn}.xlsx`, data: Buffer.from(await wb.xlsx.writeBuffer()) };
    },
  };
}
export type Events = ReturnType<typeof createEvents>;
