import { sql } from "kysely";
import { countsWhenDelivered, type PublicationSource, STATION_KINDS } from "../broadcast/counting.js";
import { ChannelKind } from "../model.js";
import type { PublicationRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { periodsOf } from "./periods.js";

/** A publication as users see it: delivered by Loa, or self-reported as evidence of work done outside Loa. */
export interface Publication {
  id: string;
  agencyId: string;
  itemId: string;
  channelKind: ChannelKind;
  channelId: string | null;
  deliveryId: string | null;
  publishedAt: Date;
  url: string | null;
  selfReported: boolean;
  /** `loa` (a delivery Loa published), `evidence` (self-reported), `broadcaster` (an airing a station confirmed), `board` (shown on an e-board). */
  source: PublicationSource;
  note: string | null;
  evidence: { name: string; type: string; bytes: number; sha256: string } | null;
  recordedBy: string;
  createdAt: Date;
  periods: { week: string; month: string; year: string };
}

export function toPublication(r: PublicationRow): Publication {
  return {
    id: r.id,
    agencyId: r.agency_id,
    itemId: r.item_id,
    channelKind: r.channel_kind as ChannelKind,
    channelId: r.channel_id,
    deliveryId: r.delivery_id,
    publishedAt: r.published_at,
    url: r.url,
    selfReported: r.self_reported === 1,
    source: (r.source ?? (r.self_reported === 1 ? "evidence" : "loa")) as PublicationSource,
    note: r.note,
    evidence:
      r.evidence_sha256 === null
        ? null
        : {
            name: r.evidence_name ?? "evidence",
            type: r.evidence_type ?? "application/octet-stream",
            bytes: r.evidence_bytes ?? 0,
            sha256: r.evidence_sha256,
          },
    recordedBy: r.recorded_by,
    createdAt: r.created_at,
    periods: periodsOf(r.published_at),
  };
}

/** The tally rows of a publication: one per task code its item carries, with its local week, month and year. */
export function tallyRows(
  p: Pick<PublicationRow, "id" | "agency_id" | "item_id" | "channel_kind" | "published_at" | "self_reported">,
  itemKind: string,
  tasks: string[],
) {
  const periods = periodsOf(p.published_at);
  return tasks.map((task) => ({
    publication_id: p.id,
    task_code: task,
    agency_id: p.agency_id,
    item_id: p.item_id,
    item_kind: itemKind,
    channel_kind: p.channel_kind,
    self_reported: p.self_reported,
    ...periods,
  }));
}

/** The bit of a channel kind in `publication_weeks` masks: its index in `ChannelKind` (append new kinds at the end). */
export const channelBit = (kind: string): number => {
  const i = ChannelKind.options.indexOf(kind as ChannelKind);
  if (i < 0) throw new Error(`unknown channel kind ${kind}`);
  return 1 << i;
};

/** The mask of a set of channel kinds; every kind when the set is empty (an obligation that takes any channel). */
export const channelMask = (kinds: string[]): number =>
  kinds.length === 0 ? (1 << ChannelKind.options.length) - 1 : kinds.reduce((m, k) => m | channelBit(k), 0);

type TallyRow = ReturnType<typeof tallyRows>[number];

/** The week rows of tally rows: one per task × week × item, channel kinds OR-ed into the masks. */
export function weekRows(tally: TallyRow[]) {
  const out = new Map<
    string,
    { task_code: string; item_id: string; week: string; agency_id: string; item_kind: string; loa_mask: number; self_mask: number }
  >();
  for (const t of tally) {
    const key = `${t.task_code}|${t.item_id}|${t.week}`;
    const row = out.get(key) ?? {
      task_code: t.task_code,
      item_id: t.item_id,
      week: t.week,
      agency_id: t.agency_id,
      item_kind: t.item_kind,
      loa_mask: 0,
      self_mask: 0,
    };
    if (t.self_reported === 1) row.self_mask |= channelBit(t.channel_kind);
    else row.loa_mask |= channelBit(t.channel_kind);
    out.set(key, row);
  }
  return [...out.values()];
}

/** Inserts a publication and its tally; a publication already recorded (same id) is left as it is. */
export async function insertPublication(db: Db, row: PublicationRow, itemKind: string, tasks: string[]): Promise<boolean> {
  return (await insertPublications(db, [{ row, itemKind, tasks }]))[0] ?? false;
}

/**
 * Inserts publications and their tallies in one transaction of three statements, however many (a burst's
 * publications are recorded together); answers, per input, whether it was new.
 */
export async function insertPublications(
  db: Db,
  entries: { row: PublicationRow; itemKind: string; tasks: string[] }[],
): Promise<boolean[]> {
  if (entries.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    const inserted = new Set(
      (
        await tx
          .insertInto("publications")
          .values(entries.map((e) => e.row))
          .onConflict((oc) => oc.doNothing())
          .returning("id")
          .execute()
      ).map((r) => r.id),
    );
    const tally = entries.filter((e) => inserted.has(e.row.id)).flatMap((e) => tallyRows(e.row, e.itemKind, e.tasks));
    if (tally.length) {
      await tx.insertInto("publication_tasks").values(tally).execute();
      await tx
        .insertInto("publication_weeks")
        .values(weekRows(tally))
        .onConflict((oc) =>
          oc.columns(["task_code", "item_id", "week"]).doUpdateSet({
            loa_mask: sql<number>`publication_weeks.loa_mask | excluded.loa_mask`,
            self_mask: sql<number>`publication_weeks.self_mask | excluded.self_mask`,
          }),
        )
        .execute();
    }
    return entries.map((e) => inserted.has(e.row.id));
  });
}

/** Removes a publication and rebuilds its item's week rows from the publications that remain. */
export async function deletePublication(tx: Db, id: string, itemId: string): Promise<void> {
  await tx.deleteFrom("publication_tasks").where("publication_id", "=", id).execute();
  await tx.deleteFrom("publications").where("id", "=", id).execute();
  await tx.deleteFrom("publication_weeks").where("item_id", "=", itemId).execute();
  const remaining = await tx.selectFrom("publication_tasks").selectAll().where("item_id", "=", itemId).execute();
  const weeks = weekRows(remaining);
  if (weeks.length) await tx.insertInto("publication_weeks").values(weeks).execute();
}

/** A publication with no note and no evidence file: Loa's own, a station's airing, a board's showing. */
export const NO_EVIDENCE = {
  note: null,
  evidence_name: null,
  evidence_type: null,
  evidence_sha256: null,
  evidence_bytes: null,
} as const;

/** The id of the publication that stands for a delivery Loa published. */
export const deliveryPublicationId = (deliveryId: string) => `pub-${deliveryId}`;

/** What the publisher already holds of a published delivery (the row, its channel and item): no need to read them again. */
export interface KnownPublished {
  delivery: {
    id: string;
    agency_id: string;
    item_id: string;
    channel_id: string;
    status: string;
    published_at: Date | null;
    url: string | null;
  };
  channelKind: string;
  channelSettings: string;
  itemKind: string;
  tasks: string[];
}

/**
 * Records published deliveries as counted publications, in one transaction (the publisher's batch of
 * confirmations, the clock's backfill); idempotent, and a delivery that is not `published` is ignored.
 * Answers, per input, whether it was new.
 */
export async function recordDeliveryPublications(
  db: Db,
  list: { deliveryId: string; now: Date; known?: KnownPublished }[],
): Promise<boolean[]> {
  const entries = await Promise.all(list.map((p) => publicationEntry(db, p.deliveryId, p.now, p.known)));
  const counted = entries.filter((e) => e !== undefined);
  const inserted = await insertPublications(db, counted);
  const isNew = new Map(counted.map((e, i) => [e.row.id, inserted[i] ?? false]));
  return entries.map((e) => (e ? (isNew.get(e.row.id) ?? false) : false));
}

/** The publication a published delivery counts as, or undefined when it does not count (yet). */
async function publicationEntry(db: Db, deliveryId: string, now: Date, known?: KnownPublished) {
  const d = known
    ? { ...known.delivery, channel_kind: known.channelKind, settings: known.channelSettings, item_kind: known.itemKind }
    : await db
        .selectFrom("deliveries")
        .innerJoin("channels", "channels.id", "deliveries.channel_id")
        .innerJoin("items", "items.id", "deliveries.item_id")
        .select([
          "deliveries.id",
          "deliveries.agency_id",
          "deliveries.item_id",
          "deliveries.channel_id",
          "deliveries.status",
          "deliveries.published_at",
          "deliveries.url",
          "channels.kind as channel_kind",
          "channels.settings",
          "items.kind as item_kind",
        ])
        .where("deliveries.id", "=", deliveryId)
        .executeTakeFirst();
  if (d?.status !== "published" || d.published_at === null) return undefined;
  // A station's items count when aired, a pulled board's when shown: see content/broadcast/counting.ts.
  if (!countsWhenDelivered(d.channel_kind, JSON.parse(d.settings) as Record<string, unknown>)) return undefined;
  const tasks =
    known?.tasks ??
    (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", d.item_id).execute()).map((r) => r.task_code);
  const row: PublicationRow = {
    id: deliveryPublicationId(d.id),
    agency_id: d.agency_id,
    item_id: d.item_id,
    channel_kind: d.channel_kind,
    channel_id: d.channel_id,
    delivery_id: d.id,
    published_at: d.published_at,
    url: d.url,
    self_reported: 0,
    ...NO_EVIDENCE,
    recorded_by: "system",
    created_at: now,
    source: null,
  };
  return { row, itemKind: d.item_kind, tasks };
}

/**
 * Records the published deliveries that have no publication yet (the publisher stopped between the two
 * writes, or the row predates compliance). The clock runs this before it freezes a period.
 */
export async function backfillPublications(db: Db, now: Date): Promise<number> {
  const missing = await db
    .selectFrom("deliveries")
    .innerJoin("channels", "channels.id", "deliveries.channel_id")
    .select("deliveries.id")
    .where("deliveries.status", "=", "published")
    .where("channels.kind", "not in", [...STATION_KINDS])
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom("publications").select("publications.id").whereRef("publications.delivery_id", "=", "deliveries.id"))),
    )
    .limit(10_000)
    .execute();
  let recorded = 0;
  // A few hundred a transaction: a publication's columns times the rows stay within SQLite's parameter limit.
  for (let i = 0; i < missing.length; i += 200) {
    const batch = missing.slice(i, i + 200).map(({ id }) => ({ deliveryId: id, now }));
    recorded += (await recordDeliveryPublications(db, batch)).filter(Boolean).length;
  }
  return recorded;
}
