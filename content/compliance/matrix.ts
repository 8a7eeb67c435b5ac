// content/compliance/: what DOST audits — the plan's obligations, the publication ledger, tallies, the
// matrix and drill-down, exemptions, evidence, weekly close, reminders, reports and the plan's seed.
import { z } from "zod";
import { visibleAgency } from "../access.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, type Agency, type Obligation, TaskCode } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { ClosedPeriodRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { liveRows } from "./live.js";
import { obligationByTask } from "./obligations.js";
import { type PeriodKey, parsePeriod, periodOf, periodsBetween, periodsOfYear } from "./periods.js";
import { type Cell, type CellStatus, type Summary, summarize } from "./rules.js";
import { closedBetween } from "./tallies.js";

export const ComplianceQuery = z.strictObject({
  task: TaskCode,
  from: z.string().optional(),
  to: z.string().optional(),
  agencyId: z.string().min(1).optional(),
  format: z.enum(["json", "csv", "xlsx"]).default("json"),
});
export type ComplianceQuery = z.infer<typeof ComplianceQuery>;

/** At most three years of weeks in one answer. */
export const MAX_PERIODS = 160;

/** A cell as the matrix shows it: a closed period shows its frozen record, and the live figures if they now differ. */
export interface MatrixCell extends Cell {
  closed?: true;
  differs?: true;
  live?: { count: number; status: CellStatus };
}

export interface Matrix {
  task: string;
  obligation: Obligation;
  periods: PeriodKey[];
  rows: { agency: Agency; cells: MatrixCell[]; summary: Summary }[];
  summary: Summary;
}

/** Checks `from` and `to` against the obligation's period kind; defaults to this year so far. */
export function periodRange(o: Obligation, q: { from?: string | undefined; to?: string | undefined }, now: Date): PeriodKey[] {
  const current = periodOf(o.period, now);
  const from = q.from === undefined ? periodsOfYear(o.period, Number(current.slice(0, 4)))[0] : parsePeriod(q.from, "from").key;
  const to = q.to === undefined ? current : parsePeriod(q.to, "to").key;
  if (from === undefined) throw new Error("a year has periods");
  for (const [field, key] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (parsePeriod(key, field).kind !== o.period) {
      const example = o.period === "week" ? "2026-W40" : o.period === "month" ? "2026-11" : "2026";
      throw new AppError("invalid_input", `${field}: task ${o.taskCode} is counted per ${o.period}; use a period such as ${example}`, {
        field,
      });
    }
  }
  if (from > to) throw new AppError("invalid_input", "to: must not be before from", { field: "to" });
  const periods = periodsBetween(from, to, MAX_PERIODS);
  if (periods.length > MAX_PERIODS) throw new AppError("invalid_input", `to: at most ${MAX_PERIODS} periods at once`, { field: "to" });
  return periods;
}

/** Overlays a closed record on a live cell. */
export function withClosed(live: Cell, closed: ClosedPeriodRow | undefined): MatrixCell {
  if (!closed) return live;
  const cell: MatrixCell = {
    period: live.period,
    count: closed.count,
    selfReported: closed.self_reported,
    status: closed.status as CellStatus,
    ...(closed.reason === null ? {} : { reason: closed.reason }),
    closed: true,
  };
  if (closed.count !== live.count || closed.status !== live.status) {
    cell.differs = true;
    cell.live = { count: live.count, status: live.status };
  }
  return cell;
}

export function createComplianceService(db: Db, clock: Clock) {
  return {
    async matrix(actor: Actor, q: Omit<ComplianceQuery, "format">): Promise<Matrix> {
      const agencyId = visibleAgency(actor, q.agencyId);
      const o = await obligationByTask(db, q.task);
      const periods = periodRange(o, q, clock.now());
      if (agencyId !== undefined) {
        const exists = await db.selectFrom("agencies").select("id").where("id", "=", agencyId).executeTakeFirst();
        if (!exists) throw notFound("agency", "agencyId");
      }
      const from = periods[0] as PeriodKey;
      const to = periods[periods.length - 1] as PeriodKey;
      const [live, closed] = await Promise.all([liveRows(db, o, periods, clock.now(), agencyId), closedBetween(db, o, from, to, agencyId)]);
      const rows = live.map(({ agency, cells }) => {
        const shown = cells.map((c) => withClosed(c, closed.get(`${agency.id}|${c.period}`)));
        return { agency, cells: shown, summary: summarize(shown) };
      });
      return { task: o.taskCode, obligation: o, periods, rows, summary: summarize(rows.flatMap((r) => r.cells)) };
    },
  };
}
export type ComplianceService = ReturnType<typeof createComplianceService>;
