import { z } from "zod";
import { AppError } from "../../errors.js";
import type { Actor, Obligation } from "../../model.js";
import type { Clock } from "../../ports/clock.js";
import type { Db } from "../../store/db.js";
import { localDate } from "../../time.js";
import type { ComplianceService } from "../matrix.js";
import { toObligation } from "../obligations.js";
import { periodOf, periodsOfYear } from "../periods.js";
import type { Summary } from "../rules.js";

export const AnnualQuery = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  format: z.enum(["docx", "xlsx"]).default("docx"),
});

export interface AnnualAgencyLine {
  agencyId: string;
  agency: string;
  met: number;
  due: number;
  missed: string[];
  /** Share of counted items that only self-reported evidence supports; null when nothing counted. */
  selfReportedShare: number | null;
}

export interface AnnualTask {
  obligation: Obligation;
  from: string;
  to: string;
  summary: Summary;
  agencies: AnnualAgencyLine[];
}

export interface AnnualReport {
  year: number;
  asOf: string;
  tasks: AnnualTask[];
}

/** The year so far, per task and agency, from the same matrix the API answers (closed periods as frozen). */
export async function annualReport(db: Db, compliance: ComplianceService, clock: Clock, actor: Actor, year: number): Promise<AnnualReport> {
  const now = clock.now();
  if (year > Number(localDate(now).slice(0, 4))) throw new AppError("unprocessable", `${year} has not begun`, { field: "year" });
  const obligations = (await db.selectFrom("obligations").selectAll().orderBy("task_code").execute()).map(toObligation);
  const tasks: AnnualTask[] = [];
  for (const o of obligations) {
    const periods = periodsOfYear(o.period, year);
    const current = periodOf(o.period, now);
    const from = periods[0] as string;
    const to = periods.filter((p) => p <= current).pop() ?? from;
    if (from > current) continue;
    const m = await compliance.matrix(actor, { task: o.taskCode, from, to });
    tasks.push({
      obligation: o,
      from,
      to,
      summary: m.summary,
      agencies: m.rows.map((r) => {
        const counted = r.cells.reduce((n, c) => n + c.count, 0);
        const self = r.cells.reduce((n, c) => n + c.selfReported, 0);
        return {
          agencyId: r.agency.id,
          agency: r.agency.name,
          met: r.summary.met,
          due: r.summary.met + r.summary.missed,
          missed: r.cells.filter((c) => c.status === "missed").map((c) => c.period),
          selfReportedShare: counted === 0 ? null : self / counted,
        };
      }),
    });
  }
  return { year, asOf: localDate(now), tasks };
}

/** `87,5%` as Vietnamese writes it; a dash when nothing was due. */
export const viPercent = (x: number | null) => (x === null ? "—" : `${(Math.round(x * 1000) / 10).toFixed(1).replace(".", ",")}%`);
export const viDate = (ymd: string) => `${ymd.slice(8, 10)}/${ymd.slice(5, 7)}/${ymd.slice(0, 4)}`;
export const PERIOD_VI = { week: "tuần", month: "tháng", year: "năm" } as const;

export async function annualXlsx(r: AnnualReport): Promise<Buffer> {
  // Loaded when a workbook is made: exceljs is ~28 MB of every process otherwise.
  const wb = new (await import("exceljs")).default.Workbook();
  wb.creator = "Loa";
  const tasks = wb.addWorksheet("Nhiệm vụ");
  tasks.addRow(["Nhiệm vụ", "Nội dung", "Kỳ", "Từ", "Đến", "Kỳ đạt", "Kỳ phải thực hiện", "Tỷ lệ hoàn thành"]);
  for (const t of r.tasks) {
    const due = t.summary.met + t.summary.missed;
    tasks.addRow([
      t.obligation.taskCode,
      t.obligation.description,
      PERIOD_VI[t.obligation.period],
      t.from,
      t.to,
      t.summary.met,
      due,
      t.summary.rate,
    ]);
  }
  const lines = wb.addWorksheet("Cơ quan");
  lines.addRow(["Nhiệm vụ", "Mã cơ quan", "Cơ quan", "Kỳ đạt", "Kỳ phải thực hiện", "Các kỳ không đạt", "Tỷ lệ tự khai báo"]);
  for (const t of r.tasks) {
    for (const a of t.agencies)
      lines.addRow([t.obligation.taskCode, a.agencyId, a.agency, a.met, a.due, a.missed.join(", "), a.selfReportedShare]);
  }
  for (const ws of [tasks, lines]) ws.getRow(1).font = { bold: true };
  tasks.getColumn(8).numFmt = "0.0%";
  lines.getColumn(7).numFmt = "0.0%";
  return Buffer.from(await wb.xlsx.writeBuffer());
}
