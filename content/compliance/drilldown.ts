import { visibleAgency } from "../access.js";
import { AppError, notFound } from "../errors.js";
import type { Actor, Agency, Obligation } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { ClosedPeriodRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { toAgency } from "../store/rows.js";
import { type Publication, toPublication } from "./ledger.js";
import { liveRows } from "./live.js";
import { type MatrixCell, periodRange, withClosed } from "./matrix.js";
import { obligationByTask } from "./obligations.js";
import type { PeriodKey } from "./periods.js";
import type { Summary } from "./rules.js";
import { summarize } from "./rules.js";
import { cellKey, closedBetween, groupDetails, tallyDetails } from "./tallies.js";
import { closedRecordHash } from "./weekly-close.js";

const CHUNK = 500;

export interface DrillPublication extends Publication {
  delivery: { id: string; channelId: string; status: string; externalId: string | null; url: string | null } | null;
}

export interface DrillItem {
  id: string;
  title: string;
  kind: string;
  /** True when only self-reported evidence made the item count. */
  selfReported: boolean;
  publications: DrillPublication[];
}

export interface ClosedRecord {
  count: number;
  selfReported: number;
  status: string;
  reason: string | null;
  minCount: number;
  itemIds: string[];
  publicationIds: string[];
  computedAt: Date;
  sha256: string;
  /** The stored hash still matches the stored fields. */
  intact: boolean;
  /** A recomputation today gives other items or another status. */
  differs: boolean;
}

export interface DrillPeriod {
  period: PeriodKey;
  cell: MatrixCell;
  items: DrillItem[];
  closed: ClosedRecord | null;
}

export interface DrillDown {
  agency: Agency;
  obligation: Obligation;
  periods: DrillPeriod[];
  summary: Summary;
}

async function inChunks<T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

function closedRecord(r: ClosedPeriodRow, liveItemIds: string[], liveStatus: string): ClosedRecord {
  const itemIds = JSON.parse(r.item_ids) as string[];
  return {
    count: r.count,
    selfReported: r.self_reported,
    status: r.status,
    reason: r.reason,
    minCount: r.min_count,
    itemIds,
    publicationIds: JSON.parse(r.publication_ids) as string[],
    computedAt: r.computed_at,
    sha256: r.sha256,
    intact: closedRecordHash(r) === r.sha256,
    differs: r.status !== liveStatus || itemIds.join(",") !== liveItemIds.join(","),
  };
}

/** Per period, the items of one agency that counted for a task, with their publications and deliveries. */
export function createDrillDown(db: Db, clock: Clock) {
  async function publications(ids: string[]): Promise<Map<string, DrillPublication>> {
    const rows = await inChunks(ids, (c) => db.selectFrom("publications").selectAll().where("id", "in", c).execute());
    const deliveryIds = rows.flatMap((r) => (r.delivery_id ? [r.delivery_id] : []));
    const deliveries = new Map(
      (
        await inChunks(deliveryIds, (c) =>
          db.selectFrom("deliveries").select(["id", "channel_id", "status", "external_id", "url"]).where("id", "in", c).execute(),
        )
      ).map((d) => [d.id, { id: d.id, channelId: d.channel_id, status: d.status, externalId: d.external_id, url: d.url }]),
    );
    return new Map(
      rows.map((r) => [r.id, { ...toPublication(r), delivery: r.delivery_id ? (deliveries.get(r.delivery_id) ?? null) : null }]),
    );
  }

  return async function drillDown(actor: Actor, agencyId: string, q: { task: string; from?: string; to?: string }): Promise<DrillDown> {
    visibleAgency(actor, agencyId);
    const agencyRow = await db.selectFrom("agencies").selectAll().where("id", "=", agencyId).executeTakeFirst();
    if (!agencyRow) throw notFound("agency", "agencyId");
    const o = await obligationByTask(db, q.task);
    const periods = periodRange(o, q, clock.now());
    const from = periods[0] as PeriodKey;
    const to = periods[periods.length - 1] as PeriodKey;
    const [row] = await liveRows(db, o, periods, clock.now(), agencyId);
    if (!row)
      throw new AppError("unprocessable", `task ${o.taskCode} does not apply to ${agencyRow.name} in these periods`, { field: "task" });
    const [details, closed] = await Promise.all([tallyDetails(db, o, from, to, agencyId), closedBetween(db, o, from, to, agencyId)]);
    const grouped = groupDetails(details);
    const pubs = await publications([...new Set(details.map((d) => d.publicationId))]);
    const itemIds = [...new Set(details.map((d) => d.itemId))];
    const items = new Map(
      (await inChunks(itemIds, (c) => db.selectFrom("items").select(["id", "title", "kind"]).where("id", "in", c).execute())).map((i) => [
        i.id,
        i,
      ]),
    );
    const out: DrillPeriod[] = row.cells.map((live) => {
      const g = grouped.get(cellKey(agencyId, live.period));
      const record = closed.get(cellKey(agencyId, live.period));
      const periodPubs = (g?.publicationIds ?? []).flatMap((id) => pubs.get(id) ?? []);
      return {
        period: live.period,
        cell: withClosed(live, record),
        closed: record ? closedRecord(record, g?.itemIds ?? [], live.status) : null,
        items: (g?.itemIds ?? []).map((id) => {
          const own = periodPubs.filter((p) => p.itemId === id);
          const item = items.get(id);
          return {
            id,
            title: item?.title ?? "",
            kind: item?.kind ?? "",
            selfReported: own.every((p) => p.selfReported),
            publications: own,
          };
        }),
      };
    });
    return { agency: toAgency(agencyRow), obligation: o, periods: out, summary: summarize(out.map((p) => p.cell)) };
  };
}
export type DrillDownFn = ReturnType<typeof createDrillDown>;
