import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import ExcelJS from "exceljs";
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
const viDate = (ymd: string) => `${ymd.slice(8, 10)}/${ymd.slice(5, 7)}/${ymd.slice(0, 4)}`;
const PERIOD_VI = { week: "tuần", month: "tháng", year: "năm" } as const;

const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });

function taskSection(t: AnnualTask): (Paragraph | Table)[] {
  const o = t.obligation;
  const unit = PERIOD_VI[o.period];
  const out: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`Nhiệm vụ ${o.taskCode}`)] }),
    new Paragraph(o.description),
    new Paragraph(`Tần suất: tối thiểu ${o.minCount} sản phẩm mỗi ${unit}; kỳ tính từ ${t.from} đến ${t.to}.`),
    new Paragraph({
      children: [
        new TextRun({ text: "Tỷ lệ hoàn thành: ", bold: true }),
        new TextRun(`${viPercent(t.summary.rate)} (${t.summary.met}/${t.summary.met + t.summary.missed} kỳ đạt)`),
      ],
    }),
  ];
  if (t.agencies.length === 0) {
    out.push(new Paragraph("Không có cơ quan nào thuộc phạm vi nhiệm vụ trong năm."));
    return out;
  }
  const header = new TableRow({
    tableHeader: true,
    children: ["TT", "Cơ quan", `Số ${unit} đạt / số ${unit} phải thực hiện`, `Các ${unit} không đạt`, "Tỷ lệ tự khai báo"].map((h) =>
      cell(h, true),
    ),
  });
  const rows = t.agencies.map(
    (a, i) =>
      new TableRow({
        children: [
          cell(String(i + 1)),
          cell(a.agency),
          cell(`${a.met}/${a.due}`),
          cell(a.missed.length ? a.missed.join(", ") : "Không"),
          cell(viPercent(a.selfReportedShare)),
        ],
      }),
  );
  out.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [header, ...rows] }));
  return out;
}

/** The annual report to DOST (due before 30 November) as a Word document in Vietnamese. */
export async function annualDocx(r: AnnualReport): Promise<Buffer> {
  const doc = new Document({
    creator: "Loa",
    title: `Báo cáo năm ${r.year}`,
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun(`BÁO CÁO KẾT QUẢ TRIỂN KHAI KẾ HOẠCH TUYÊN TRUYỀN DỊCH VỤ CÔNG TRỰC TUYẾN NĂM ${r.year}`)],
          }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun("Kính gửi: Sở Khoa học và Công nghệ thành phố Cần Thơ")],
          }),
          new Paragraph(
            `Số liệu tính đến ngày ${viDate(r.asOf)}, do hệ thống Loa tổng hợp từ các tin, bài đã đăng, phát và các minh chứng tự khai báo. Tuần tính theo ISO 8601, giờ Việt Nam.`,
          ),
          ...r.tasks.flatMap(taskSection),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export async function annualXlsx(r: AnnualReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
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
