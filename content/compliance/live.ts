import { listAgencies } from "../directory/agencies.js";
import type { Agency, Obligation } from "../model.js";
import type { Db } from "../store/db.js";
import { type PeriodKey, periodDates, periodOf } from "./periods.js";
import { applies, type Cell, cellOf } from "./rules.js";
import { cellKey, countTally, exemptionsBetween } from "./tallies.js";

export interface LiveRow {
  agency: Agency;
  cells: Cell[];
}

/** The agencies an obligation applies to that existed at some time between two periods. */
export async function agenciesFor(db: Db, o: Obligation, from: PeriodKey, to: PeriodKey, agencyId?: string): Promise<Agency[]> {
  const first = periodDates(from).first;
  const last = periodDates(to).last;
  return (await listAgencies(db)).filter(
    (a) =>
      applies(o, a) && (agencyId === undefined || a.id === agencyId) && a.validFrom <= last && (a.validTo === null || a.validTo >= first),
  );
}

/**
 * Computes the matrix from the publications as they are now: one row per agency the obligation
 * applies to, one cell per period. `periods` must be consecutive periods of the obligation's kind.
 */
export async function liveRows(db: Db, o: Obligation, periods: PeriodKey[], now: Date, agencyId?: string): Promise<LiveRow[]> {
  const from = periods[0];
  const to = periods[periods.length - 1];
  if (from === undefined || to === undefined) return [];
  const [agencies, counts, exemptions] = await Promise.all([
    agenciesFor(db, o, from, to, agencyId),
    countTally(db, o, from, to, agencyId),
    exemptionsBetween(db, from, to),
  ]);
  const current = periodOf(o.period, now);
  const none = { count: 0, selfReported: 0 };
  return agencies.map((agency) => ({
    agency,
    cells: periods.map((p) => cellOf(o, agency, p, current, counts.get(cellKey(agency.id, p)) ?? none, exemptions)),
  }));
}
