import crypto from "node:crypto";
import type { Obligation } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { ClosedPeriodRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { backfillPublications } from "./ledger.js";
import { liveRows } from "./live.js";
import { toObligation } from "./obligations.js";
import { lastFinished, type PeriodKey, periodOf, periodStart, periodsBetween } from "./periods.js";
import { existedDuring } from "./rules.js";
import { cellKey, groupDetails, tallyDetails } from "./tallies.js";

/** Periods closed per obligation in one pass; a clock that was down for years catches up over several passes. */
const MAX_PERIODS_PER_PASS = 160;

/** SHA-256 over a closed record's fields, in a fixed order: recomputed by auditors to show it was not altered. */
export function closedRecordHash(r: Omit<ClosedPeriodRow, "sha256">): string {
  const canonical = JSON.stringify([
    r.obligation_id,
    r.task_code,
    r.agency_id,
    r.period,
    r.min_count,
    r.count,
    r.self_reported,
    r.status,
    r.reason,
    JSON.parse(r.item_ids),
    JSON.parse(r.publication_ids),
    r.computed_at.toISOString(),
  ]);
  return crypto.createHash("sha256").update(canonical).digest("hex");
}

export interface CloseResult {
  /** Records written in this pass (periods already closed are left untouched). */
  closed: number;
  /** Per task code, the periods this pass looked at. */
  ranges: { task: string; from: PeriodKey; to: PeriodKey }[];
}

/**
 * Freezes every finished period into one immutable record per agency × obligation: the count, the
 * status, the ids that counted, when it was computed and a SHA-256 over them. Closing is idempotent
 * (a record is never overwritten) and catches up: it starts from the latest closed period of each
 * obligation (or its first period) up to the last finished one.
 */
export function createWeeklyClose(db: Db, clock: Clock, log: Log) {
  async function firstOpen(o: Obligation): Promise<PeriodKey> {
    const latest = await db
      .selectFrom("closed_periods")
      .select((eb) => eb.fn.max("period").as("period"))
      .where("obligation_id", "=", o.id)
      .executeTakeFirst();
    // The latest closed period again: an agency added to the obligation later still gets its record.
    return latest?.period ?? periodOf(o.period, periodStart(o.validFrom.slice(0, 4)));
  }

  async function closeObligation(o: Obligation, now: Date): Promise<{ closed: number; from: PeriodKey; to: PeriodKey } | undefined> {
    const from = await firstOpen(o);
    const last = lastFinished(o.period, now);
    if (from > last) return undefined;
    const periods = periodsBetween(from, last, MAX_PERIODS_PER_PASS).slice(0, MAX_PERIODS_PER_PASS);
    const to = periods[periods.length - 1] as PeriodKey;
    const [rows, details] = await Promise.all([liveRows(db, o, periods, now), tallyDetails(db, o, from, to)]);
    const grouped = groupDetails(details);
    const records: ClosedPeriodRow[] = [];
    for (const { agency, cells } of rows) {
      for (const cell of cells) {
        if (!existedDuring(agency, cell.period)) continue;
        const g = grouped.get(cellKey(agency.id, cell.period));
        const record: Omit<ClosedPeriodRow, "sha256"> = {
          obligation_id: o.id,
          agency_id: agency.id,
          period: cell.period,
          task_code: o.taskCode,
          min_count: o.minCount,
          count: cell.count,
          self_reported: cell.selfReported,
          status: cell.status,
          reason: cell.reason ?? null,
          item_ids: JSON.stringify(g?.itemIds ?? []),
          publication_ids: JSON.stringify(g?.publicationIds ?? []),
          computed_at: now,
        };
        records.push({ ...record, sha256: closedRecordHash(record) });
      }
    }
    let closed = 0;
    for (let i = 0; i < records.length; i += 200) {
      const inserted = await db
        .insertInto("closed_periods")
        .values(records.slice(i, i + 200))
        .onConflict((oc) => oc.doNothing())
        .returning("period")
        .execute();
      closed += inserted.length;
    }
    return { closed, from, to };
  }

  return async function closeFinished(now: Date = clock.now()): Promise<CloseResult> {
    const backfilled = await backfillPublications(db, now);
    if (backfilled) log.warn({ backfilled }, "recorded published deliveries that had no publication yet");
    const obligations = (await db.selectFrom("obligations").selectAll().orderBy("task_code").execute()).map(toObligation);
    const result: CloseResult = { closed: 0, ranges: [] };
    for (const o of obligations) {
      const r = await closeObligation(o, now);
      if (!r) continue;
      result.closed += r.closed;
      result.ranges.push({ task: o.taskCode, from: r.from, to: r.to });
    }
    if (result.closed) log.info(result, "closed finished compliance periods");
    return result;
  };
}
export type CloseFinished = ReturnType<typeof createWeeklyClose>;
