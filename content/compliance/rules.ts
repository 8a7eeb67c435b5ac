import type { Agency, Obligation } from "../model.js";
import { type PeriodKey, periodDates } from "./periods.js";

/** The status of one agency × obligation × period cell of the compliance matrix. */
export type CellStatus = "met" | "missed" | "at_risk" | "upcoming" | "exempt";

/** A period DOST declared exempt (Tết week, floods …), for one obligation or all, one agency or all. */
export interface Exemption {
  id: string;
  obligationId: string | null;
  agencyId: string | null;
  period: PeriodKey;
  reason: string;
}

export interface Cell {
  period: PeriodKey;
  /** Distinct items that counted (one item on three channels is one). */
  count: number;
  /** Of those, the items that counted only through self-reported evidence. */
  selfReported: number;
  status: CellStatus;
  /** Why the cell is exempt. */
  reason?: string;
}

export interface Summary {
  /** met / (met + missed): periods still running or exempt do not weigh; null when nothing was due. */
  rate: number | null;
  met: number;
  missed: number;
  atRisk: number;
  upcoming: number;
  exempt: number;
}

/** Whether an obligation applies to an agency: by explicit id or by kind; empty lists mean every agency. */
export function applies(o: Obligation, a: Agency): boolean {
  if (o.agencyIds.length === 0 && o.agencyKinds.length === 0) return true;
  return o.agencyIds.includes(a.id) || o.agencyKinds.includes(a.kind);
}

/** Whether the agency existed at all during the period (it gets no row for periods wholly outside its life). */
export function existedDuring(a: Agency, period: PeriodKey): boolean {
  const { first, last } = periodDates(period);
  return a.validFrom <= last && (a.validTo === null || a.validTo >= first);
}

/**
 * Why a period is not due, or undefined when it is: the agency must exist for the whole period (a
 * district dissolved on a Monday owes nothing for that week), the obligation must be in force for the
 * whole period, and DOST may have declared it exempt.
 */
export function exemptReason(o: Obligation, a: Agency, period: PeriodKey, exemptions: Exemption[]): string | undefined {
  const { first, last } = periodDates(period);
  if (a.validTo !== null && a.validTo < last) return `cơ quan giải thể ngày ${a.validTo}`;
  if (a.validFrom > first) return `cơ quan thành lập ngày ${a.validFrom}`;
  if (o.validFrom > first) return `nhiệm vụ áp dụng từ ngày ${o.validFrom}`;
  if (o.validTo !== null && o.validTo < last) return `nhiệm vụ hết hiệu lực ngày ${o.validTo}`;
  const declared = exemptions.find(
    (e) => e.period === period && (e.obligationId === null || e.obligationId === o.id) && (e.agencyId === null || e.agencyId === a.id),
  );
  return declared?.reason;
}

/** The status of a period that is due, from its count and where it lies relative to the current period. */
export function dueStatus(count: number, minCount: number, period: PeriodKey, current: PeriodKey): CellStatus {
  if (period > current) return "upcoming";
  if (count >= minCount) return "met";
  return period === current ? "at_risk" : "missed";
}

/** One cell: exempt with its reason, or the status its count earns. */
export function cellOf(
  o: Obligation,
  a: Agency,
  period: PeriodKey,
  current: PeriodKey,
  counts: { count: number; selfReported: number },
  exemptions: Exemption[],
): Cell {
  const reason = exemptReason(o, a, period, exemptions);
  if (reason !== undefined) return { period, ...counts, status: "exempt", reason };
  return { period, ...counts, status: dueStatus(counts.count, o.minCount, period, current) };
}

export function summarize(cells: Iterable<{ status: CellStatus }>): Summary {
  const s: Summary = { rate: null, met: 0, missed: 0, atRisk: 0, upcoming: 0, exempt: 0 };
  for (const c of cells) {
    if (c.status === "met") s.met++;
    else if (c.status === "missed") s.missed++;
    else if (c.status === "at_risk") s.atRisk++;
    else if (c.status === "upcoming") s.upcoming++;
    else s.exempt++;
  }
  const due = s.met + s.missed;
  s.rate = due === 0 ? null : Math.round((s.met / due) * 10_000) / 10_000;
  return s;
}
