import type { Matrix, MatrixCell } from "../matrix.js";

/** A cell as text: `met 2`, `met 2 (1 self-reported)`, `missed 0 [now met 1]`, `exempt (Tết)`. */
export function cellText(c: MatrixCell): string {
  let text = c.status === "exempt" ? "exempt" : `${c.status} ${c.count}`;
  if (c.selfReported > 0) text += ` (${c.selfReported} self-reported)`;
  if (c.status === "exempt" && c.reason) text += ` (${c.reason})`;
  if (c.live) text += ` [now ${c.live.status} ${c.live.count}]`;
  return text;
}

const percent = (rate: number | null) => (rate === null ? "" : `${Math.round(rate * 1000) / 10}%`);

/** The matrix as a table: a header, one line per agency, then the total. */
export function matrixTable(m: Matrix): string[][] {
  const header = ["agencyId", "agency", ...m.periods, "met", "missed", "atRisk", "rate"];
  const rows = m.rows.map((r) => [
    r.agency.id,
    r.agency.name,
    ...r.cells.map(cellText),
    String(r.summary.met),
    String(r.summary.missed),
    String(r.summary.atRisk),
    percent(r.summary.rate),
  ]);
  const total = [
    "",
    `Tổng (task ${m.task})`,
    ...m.periods.map(() => ""),
    String(m.summary.met),
    String(m.summary.missed),
    String(m.summary.atRisk),
    percent(m.summary.rate),
  ];
  return [header, ...rows, total];
}

export const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** CSV (RFC 4180) with a byte-order mark so that spreadsheet programs read the Vietnamese names as UTF-8. */
export function csvTable(rows: string[][]): string {
  return `\uFEFF${rows.map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}

export function matrixCsv(m: Matrix): string {
  return csvTable(matrixTable(m));
}

const FILL: Record<string, string> = { met: "FFC6EFCE", missed: "FFFFC7CE", at_risk: "FFFFEB9C", exempt: "FFD9D9D9", upcoming: "FFFFFFFF" };

export async function matrixXlsx(m: Matrix): Promise<Buffer> {
  // Loaded when a workbook is made: exceljs is ~28 MB of every process otherwise.
  const wb = new (await import("exceljs")).default.Workbook();
  wb.creator = "Loa";
  const ws = wb.addWorksheet(`Nhiem vu ${m.task}`);
  const table = matrixTable(m);
  for (const row of table) ws.addRow(row);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: "frozen", xSplit: 2, ySplit: 1 }];
  m.rows.forEach((r, i) => {
    r.cells.forEach((c, j) => {
      ws.getCell(i + 2, j + 3).fill = { type: "pattern", pattern: "solid", fgColor: { argb: FILL[c.status] ?? "FFFFFFFF" } };
    });
  });
  ws.getColumn(2).width = 45;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
