// An agency's schedule (its deliveries) or its publications (by Loa, and self-reported) over a range,
// as CSV or XLSX, times in Asia/Ho_Chi_Minh as officers read them.
import { z } from "zod";
import { visibleAgency } from "../access.js";
import { csvField } from "../compliance/reports/matrix-files.js";
import type { Actor } from "../model.js";
import type { Db } from "../store/db.js";
import { Instant, toLocalIso } from "../time.js";
import { deliveryLines } from "./delivery-lines.js";

export const ExportQuery = z
  .strictObject({
    agencyId: z.string().min(1).optional(),
    from: Instant,
    to: Instant,
    what: z.enum(["schedule", "publications"]).default("schedule"),
    format: z.enum(["csv", "xlsx"]).default("csv"),
  })
  .superRefine((q, ctx) => {
    // zod runs this even when a field failed: then there is nothing to compare.
    if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
    if (q.to.getTime() <= q.from.getTime()) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    else if (q.to.getTime() - q.from.getTime() > 366 * 86_400_000)
      ctx.addIssue({ code: "custom", path: ["to"], message: "at most a year after from" });
  });
export type ExportQuery = z.infer<typeof ExportQuery>;

const MAX_ROWS = 100_000;
const local = (d: Date | null) => (d ? toLocalIso(d) : "");

async function scheduleRows(db: Db, agencyId: string | undefined, q: ExportQuery): Promise<string[][]> {
  const rows = await deliveryLines(db, q.from, q.to, agencyId).limit(MAX_ROWS).execute();
  return [
    [
      "Mã lượt đăng",
      "Cơ quan",
      "Mã tin",
      "Tiêu đề",
      "Loại tin",
      "Kênh",
      "Loại kênh",
      "Trạng thái",
      "Thời điểm",
      "Đã đăng lúc",
      "Đường dẫn",
      "Lỗi",
    ],
    ...rows.map((r) => [
      r.id,
      r.agency_id,
      r.item_id,
      r.title,
      r.item_kind,
      r.channel_name,
      r.channel_kind,
      r.status,
      local(r.scheduled_at),
      local(r.published_at),
      r.url ?? "",
      r.last_error ?? "",
    ]),
  ];
}

async function publicationRows(db: Db, agencyId: string | undefined, q: ExportQuery): Promise<string[][]> {
  let query = db
    .selectFrom("publications")
    .innerJoin("items", "items.id", "publications.item_id")
    .select([
      "publications.id",
      "publications.agency_id",
      "publications.item_id",
      "items.title",
      "items.kind",
      "publications.channel_kind",
      "publications.published_at",
      "publications.url",
      "publications.self_reported",
      "publications.source",
      "publications.note",
    ])
    .where("publications.published_at", ">=", q.from)
    .where("publications.published_at", "<", q.to);
  if (agencyId) query = query.where("publications.agency_id", "=", agencyId);
  const rows = await query.orderBy("publications.published_at").orderBy("publications.id").limit(MAX_ROWS).execute();
  const source = (r: (typeof rows)[number]) => r.source ?? (r.self_reported ? "tự báo cáo" : "Loa");
  return [
    ["Mã bản đăng", "Cơ quan", "Mã tin", "Tiêu đề", "Loại tin", "Loại kênh", "Đăng lúc", "Đường dẫn", "Nguồn", "Ghi chú"],
    ...rows.map((r) => [
      r.id,
      r.agency_id,
      r.item_id,
      r.title,
      r.kind,
      r.channel_kind,
      local(r.published_at),
      r.url ?? "",
      source(r),
      r.note ?? "",
    ]),
  ];
}

export interface ExportFile {
  name: string;
  type: string;
  data: Buffer;
}

export function createExport(db: Db) {
  return async function exportFile(actor: Actor, q: ExportQuery): Promise<ExportFile> {
    const agencyId = visibleAgency(actor, q.agencyId);
    const table = q.what === "schedule" ? await scheduleRows(db, agencyId, q) : await publicationRows(db, agencyId, q);
    const name = `${q.what === "schedule" ? "lich-dang" : "ban-dang"}-${agencyId ?? "tat-ca"}-${toLocalIso(q.from).slice(0, 10)}`;
    if (q.format === "csv") {
      // A byte-order mark, so that spreadsheet programs read the Vietnamese as UTF-8.
      const text = `\uFEFF${table.map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
      return { name: `${name}.csv`, type: "text/csv; charset=utf-8", data: Buffer.from(text, "utf8") };
    }
    // Loaded when a workbook is made: exceljs is ~28 MB of every process otherwise.
    const wb = new (await import("exceljs")).default.Workbook();
    wb.creator = "Loa";
    const ws = wb.addWorksheet(q.what === "schedule" ? "Lich dang" : "Ban dang");
    for (const row of table) ws.addRow(row);
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: "frozen", ySplit: 1 }];
    return {
      name: `${name}.xlsx`,
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      data: Buffer.from(await wb.xlsx.writeBuffer()),
    };
  };
}
