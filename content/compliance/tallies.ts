import { type RawBuilder, sql } from "kysely";
import type { Obligation } from "../model.js";
import type { ClosedPeriodRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { channelMask } from "./ledger.js";
import type { PeriodKey } from "./periods.js";
import type { Exemption } from "./rules.js";

/** Counts of one agency × period: distinct items, and those counted only through self-reported evidence. */
export interface Tally {
  count: number;
  selfReported: number;
}

export const cellKey = (agencyId: string, period: PeriodKey) => `${agencyId}|${period}`;

/**
 * The tally rows of an obligation between two periods of its kind, filtered on its item and channel
 * kinds. Weeks and months are read from their indexes; years from the month index (`2026-01`…`2026-12`).
 */
function tally(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string) {
  let q = db.selectFrom("publication_tasks").where("task_code", "=", o.taskCode);
  if (o.period === "week") q = q.where("week", ">=", from).where("week", "<=", to);
  else if (o.period === "month") q = q.where("month", ">=", from).where("month", "<=", to);
  else q = q.where("month", ">=", `${from}-01`).where("month", "<=", `${to}-12`);
  if (o.itemKinds.length) q = q.where("item_kind", "in", o.itemKinds);
  if (o.channelKinds.length) q = q.where("channel_kind", "in", o.channelKinds);
  if (agencyId !== undefined) q = q.where("agency_id", "=", agencyId);
  return q;
}

function periodColumn(o: Obligation): RawBuilder<string> {
  if (o.period === "week") return sql<string>`week`;
  if (o.period === "month") return sql<string>`month`;
  return sql<string>`substr(month, 1, 4)`;
}

/**
 * Counts per agency × period, keyed by `cellKey`. Distinct items are counted in two steps (one row per
 * period × agency × item, then one per period × agency) rather than with `count(distinct …)`: the
 * inner grouping follows the tally index's order, so both databases stream it without sorting.
 */
export async function countTally(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string): Promise<Map<string, Tally>> {
  return o.period === "week" ? countWeeks(db, o, from, to, agencyId) : countDistinct(db, o, from, to, agencyId);
}

/** Counts from the per-publication tally, for any period kind (months and years; weeks in checks). */
export async function countDistinct(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string): Promise<Map<string, Tally>> {
  const period = periodColumn(o);
  const perItem = tally(db, o, from, to, agencyId)
    .select([period.as("period"), "agency_id", "item_id", (eb) => eb.fn.min("self_reported").as("only_self")])
    .groupBy([period, "agency_id", "item_id"])
    .as("t");
  const rows = await db
    .selectFrom(perItem)
    .select(["t.agency_id", "t.period", (eb) => eb.fn.countAll().as("n"), (eb) => eb.fn.sum("t.only_self").as("self_only")])
    .groupBy(["t.agency_id", "t.period"])
    .execute();
  const out = new Map<string, Tally>();
  for (const r of rows) out.set(cellKey(r.agency_id, r.period), { count: Number(r.n), selfReported: Number(r.self_only) });
  return out;
}

/**
 * Weekly counts from `publication_weeks`: one row per item and week already, so counting rows is
 * counting distinct items; an item counts when one of its channel kinds qualifies (mask test).
 */
async function countWeeks(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string): Promise<Map<string, Tally>> {
  const mask = channelMask(o.channelKinds);
  let q = db
    .selectFrom("publication_weeks")
    .select([
      "agency_id",
      "week",
      (eb) => eb.fn.countAll().as("n"),
      sql<number>`sum(case when (loa_mask & ${sql.lit(mask)}) = 0 then 1 else 0 end)`.as("self_only"),
    ])
    .where("task_code", "=", o.taskCode)
    .where("week", ">=", from)
    .where("week", "<=", to);
  if (o.itemKinds.length) q = q.where("item_kind", "in", o.itemKinds);
  if (o.channelKinds.length) q = q.where(sql<boolean>`((loa_mask | self_mask) & ${sql.lit(mask)}) <> 0`);
  if (agencyId !== undefined) q = q.where("agency_id", "=", agencyId);
  const rows = await q.groupBy(["week", "agency_id"]).execute();
  return new Map(rows.map((r) => [cellKey(r.agency_id, r.week), { count: Number(r.n), selfReported: Number(r.self_only) }]));
}

/** Each counted item of an agency × period with the publications that made it count. */
export interface TallyDetail {
  agencyId: string;
  period: PeriodKey;
  itemId: string;
  publicationId: string;
  selfReported: boolean;
}

export async function tallyDetails(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string): Promise<TallyDetail[]> {
  const rows = await tally(db, o, from, to, agencyId)
    .select(["agency_id", periodColumn(o).as("period"), "item_id", "publication_id", "self_reported"])
    .orderBy("publication_id")
    .execute();
  return rows.map((r) => ({
    agencyId: r.agency_id,
    period: r.period,
    itemId: r.item_id,
    publicationId: r.publication_id,
    selfReported: r.self_reported === 1,
  }));
}

/** Groups details by `cellKey`, as the counts do: distinct items, those only self-reported. */
export function groupDetails(details: TallyDetail[]): Map<string, { itemIds: string[]; publicationIds: string[]; tally: Tally }> {
  const out = new Map<string, { items: Map<string, boolean>; publicationIds: string[] }>();
  for (const d of details) {
    const key = cellKey(d.agencyId, d.period);
    const cell = out.get(key) ?? { items: new Map<string, boolean>(), publicationIds: [] };
    cell.items.set(d.itemId, (cell.items.get(d.itemId) ?? true) && d.selfReported);
    cell.publicationIds.push(d.publicationId);
    out.set(key, cell);
  }
  return new Map(
    [...out].map(([key, c]) => [
      key,
      {
        itemIds: [...c.items.keys()].sort(),
        publicationIds: [...new Set(c.publicationIds)].sort(),
        tally: { count: c.items.size, selfReported: [...c.items.values()].filter(Boolean).length },
      },
    ]),
  );
}

export async function exemptionsBetween(db: Db, from: PeriodKey, to: PeriodKey): Promise<Exemption[]> {
  const rows = await db.selectFrom("exemptions").selectAll().where("period", ">=", from).where("period", "<=", to).execute();
  return rows.map((r) => ({ id: r.id, obligationId: r.obligation_id, agencyId: r.agency_id, period: r.period, reason: r.reason }));
}

export async function closedBetween(
  db: Db,
  o: Obligation,
  from: PeriodKey,
  to: PeriodKey,
  agencyId?: string,
): Promise<Map<string, ClosedPeriodRow>> {
  let q = db
    .selectFrom("closed_periods")
    .selectAll()
    .where("obligation_id", "=", o.id)
    .where("period", ">=", from)
    .where("period", "<=", to);
  if (agencyId !== undefined) q = q.where("agency_id", "=", agencyId);
  return new Map((await q.execute()).map((r) => [cellKey(r.agency_id, r.period), r]));
}
