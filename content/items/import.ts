// A batch of items with their schedule from a CSV or XLSX sheet: every row is checked first (the item's
// fields, its tasks, its channels, its time, and the channels' own checks), and nothing is kept when
// one row is wrong; each error names the sheet's row (1 is the header) and column.
import { Readable } from "node:stream";
import type ExcelJS from "exceljs";
import { z } from "zod";
import { assertCanWrite } from "../access.js";
import { audit } from "../audit.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { BulkScheduleRequest, PublishableCheck } from "../publishing/deliveries.js";
import { slotsOf } from "../publishing/free-slots.js";
import { localInstant } from "../publishing/slots.js";
import type { Db } from "../store/db.js";
import { Instant } from "../time.js";
import { NewItem } from "./items.js";

export const ImportQuery = z.strictObject({
  agencyId: z.string().min(1),
  /** Default: from the request's content type (`text/csv`, or the XLSX type). */
  format: z.enum(["csv", "xlsx"]).optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
const MAX_ROWS = 1_000;

/** The columns, and the Vietnamese headers officers may use for them. */
const COLUMNS = {
  kind: ["kind", "loại"],
  title: ["title", "tiêu đề"],
  body: ["body", "nội dung"],
  tasks: ["tasks", "nhiệm vụ"],
  channels: ["channels", "kênh"],
  at: ["at", "thời điểm", "thời gian"],
} as const;
type Column = keyof typeof COLUMNS;

export interface ImportError {
  /** The sheet's row number (the header is row 1). */
  row: number;
  column: Column | "file";
  message: string;
}

/** The sheet as text cells; an XLSX date cell is a local wall time (Excel has no time zone). */
async function readSheet(data: Buffer, format: "csv" | "xlsx"): Promise<string[][]> {
  // Loaded when a workbook is made: exceljs is ~28 MB of every process otherwise.
  const wb = new (await import("exceljs")).default.Workbook();
  let ws: ExcelJS.Worksheet | undefined;
  try {
    if (format === "csv") {
      // Every value stays text: "1.3" is a task code, not a number.
      ws = await wb.csv.read(Readable.from([data.toString("utf8").replace(/^\uFEFF/, "")]), { map: (v: unknown) => v });
    } else {
      await wb.xlsx.load(data as unknown as ArrayBuffer);
      ws = wb.worksheets[0];
    }
  } catch (err) {
    throw new AppError("invalid_input", `this is not a readable ${format.toUpperCase()} file`, { field: "body", cause: err });
  }
  const rows: string[][] = [];
  ws?.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value;
      cells[col - 1] =
        v instanceof Date ? `${v.toISOString().slice(0, 10)} ${v.toISOString().slice(11, 16)}` : String(cell.text ?? "").normalize("NFC");
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? "");
  });
  return Array.from(rows, (r) => r ?? []);
}

const LOCAL = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/;

/** `2026-12-08T08:00:00+07:00`, or a local `2026-12-08 08:00` (Asia/Ho_Chi_Minh). */
function parseAt(text: string): Date | undefined {
  const local = LOCAL.exec(text);
  if (local?.[1] && local[2]) return localInstant(local[1], local[2]);
  const parsed = Instant.safeParse(text);
  return parsed.success ? parsed.data : undefined;
}

export interface ImportDeps {
  db: Db;
  clock: Clock;
  createItem(actor: Actor, input: NewItem): Promise<{ id: string }>;
  /** All rows' deliveries in one transaction (`POST /api/schedule`): all or none. */
  scheduleMany(actor: Actor, req: BulkScheduleRequest): Promise<{ itemId: string; deliveries: { id: string }[] }[]>;
  checkPublishable: PublishableCheck;
}

interface Planned {
  row: number;
  item: NewItem;
  deliveries: { channelId: string; at?: Date; slot?: "next" }[];
}

export function createItemImport(deps: ImportDeps) {
  const { db, clock } = deps;

  /** Checks every row; answers the plan, or every error found. */
  async function plan(agencyId: string, table: string[][]): Promise<{ planned: Planned[]; errors: ImportError[] }> {
    const errors: ImportError[] = [];
    const header = (table[0] ?? []).map((h) => h.normalize("NFC").trim().toLowerCase());
    const index = {} as Record<Column, number>;
    for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
      index[column] = header.findIndex((h) => names.includes(h));
    }
    for (const column of ["kind", "title", "body"] as const) {
      if (index[column] < 0) errors.push({ row: 1, column, message: `the header has no column ${column}` });
    }
    const body = table
      .slice(1)
      .map((cells, i) => ({ row: i + 2, cells }))
      .filter((r) => r.cells.some((c) => c.trim() !== ""));
    if (body.length === 0) errors.push({ row: 2, column: "file", message: "the sheet has no rows" });
    if (body.length > MAX_ROWS) errors.push({ row: MAX_ROWS + 2, column: "file", message: `at most ${MAX_ROWS} rows at once` });
    if (errors.length) return { planned: [], errors };

    const channels = new Map(
      (await db.selectFrom("channels").select(["id", "name", "settings"]).where("agency_id", "=", agencyId).execute()).flatMap((c) => [
        [c.id, c],
        [c.name.normalize("NFC").toLowerCase(), c],
      ]),
    );
    const known = new Set((await db.selectFrom("obligations").select("task_code").execute()).map((r) => r.task_code));
    const now = clock.now();
    const cell = (cells: string[], column: Column) => (index[column] >= 0 ? (cells[index[column]] ?? "").trim() : "");
    const planned: Planned[] = [];
    const taken = new Set<string>();
    for (const { row, cells } of body) {
      const tasks = cell(cells, "tasks")
        .split(/[;,\s]+/)
        .filter(Boolean);
      const parsed = NewItem.safeParse({
        agencyId,
        kind: cell(cells, "kind"),
        title: cell(cells, "title"),
        body: cell(cells, "body"),
        tasks,
      });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const column = (String(issue.path[0] ?? "title") as Column) in COLUMNS ? (String(issue.path[0]) as Column) : "title";
          errors.push({ row, column, message: issue.message });
        }
      }
      const unknownTask = tasks.find((t) => !known.has(t));
      if (parsed.success && unknownTask)
        errors.push({ row, column: "tasks", message: `task ${unknownTask} is not in the plan's appendix` });
      const atText = cell(cells, "at");
      const at = atText ? parseAt(atText) : undefined;
      if (atText && !at) {
        errors.push({ row, column: "at", message: "a time such as 2026-12-08 08:00 (Asia/Ho_Chi_Minh) or 2026-12-08T08:00:00+07:00" });
      } else if (at && at.getTime() < now.getTime()) {
        errors.push({ row, column: "at", message: `${atText} is in the past` });
      }
      const deliveries: Planned["deliveries"] = [];
      for (const name of cell(cells, "channels")
        .split(";")
        .map((c) => c.trim())
        .filter(Boolean)) {
        const channel = channels.get(name) ?? channels.get(name.normalize("NFC").toLowerCase());
        if (!channel) {
          errors.push({ row, column: "channels", message: `no channel ${name} in this agency` });
          continue;
        }
        if (!at && slotsOf(channel.settings).length === 0) {
          errors.push({ row, column: "at", message: `give a time: channel ${channel.name} has no weekly slots to take the next free one` });
          continue;
        }
        if (at) {
          const key = `${channel.id}@${at.getTime()}`;
          if (taken.has(key)) errors.push({ row, column: "at", message: `another row already puts ${channel.name} at this time` });
          taken.add(key);
        }
        deliveries.push(at ? { channelId: channel.id, at } : { channelId: channel.id, slot: "next" });
      }
      if (parsed.success) planned.push({ row, item: parsed.data, deliveries });
    }
    return { planned, errors };
  }

  const refuse = (errors: ImportError[]) => {
    const first = errors[0] as ImportError;
    return new AppError(
      "unprocessable",
      `${errors.length} error(s), nothing was imported; row ${first.row}, column ${first.column}: ${first.message}`,
      { field: `rows.${first.row}.${first.column}`, details: { errors } },
    );
  };

  return async function importItems(actor: Actor, q: ImportQuery, data: Buffer, contentType: string) {
    assertCanWrite(actor, q.agencyId);
    const now = clock.now();
    await activeAgency(db, q.agencyId, now);
    const format = q.format ?? (contentType.startsWith(XLSX_TYPE) ? "xlsx" : "csv");
    const { planned, errors } = await plan(q.agencyId, await readSheet(data, format));
    if (errors.length) throw refuse(errors);

    // The channels' own checks need the items: they are created as drafts, checked, and removed again if
    // any row fails, before anything is scheduled.
    const created: { row: Planned; id: string }[] = [];
    for (const p of planned) created.push({ row: p, id: (await deps.createItem(actor, p.item)).id });
    const problems: ImportError[] = [];
    for (const { row, id } of created) {
      // A "next free slot" delivery is checked as if now: the checks are about the content and the channel.
      const checks = row.deliveries.map((d) => ({ channelId: d.channelId, at: d.at ?? now }));
      try {
        if (checks.length) await deps.checkPublishable(id, checks);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== "unprocessable") throw err;
        problems.push({ row: row.row, column: "channels", message: err.message });
      }
    }
    /** Removes the drafts made for the checks, and refuses the import naming its problems. */
    const discard = async (problems: ImportError[]) => {
      const ids = created.map((c) => c.id);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("item_media").where("item_id", "in", ids).execute();
        await tx.deleteFrom("item_tasks").where("item_id", "in", ids).execute();
        await tx.deleteFrom("items").where("id", "in", ids).execute();
        await audit(tx, actor, "item.import.refused", "agency", q.agencyId, now, { items: ids, errors: problems });
      });
      return refuse(problems);
    };
    if (problems.length) throw await discard(problems);
    const toSchedule = created.filter((c) => c.row.deliveries.length);
    let scheduled: Map<string, string[]>;
    try {
      const answered = toSchedule.length
        ? await deps.scheduleMany(actor, { items: toSchedule.map((c) => ({ itemId: c.id, deliveries: c.row.deliveries })) })
        : [];
      scheduled = new Map(answered.map((a) => [a.itemId, a.deliveries.map((d) => d.id)]));
    } catch (err) {
      // A row the schedule refuses (the agency dissolved by its time, no free slot left…): nothing stays.
      if (!(err instanceof AppError) || err.code !== "unprocessable") throw err;
      const i = Number(/^items\.(\d+)\./.exec(err.field ?? "")?.[1] ?? 0);
      throw await discard([{ row: toSchedule[i]?.row.row ?? 2, column: "at", message: err.message.replace(/^items\.\d+: /, "") }]);
    }
    const out = created.map(({ row, id }) => ({ row: row.row, itemId: id, deliveryIds: scheduled.get(id) ?? [] }));
    await audit(db, actor, "item.import", "agency", q.agencyId, now, { format, items: out.map((o) => o.itemId) });
    return { data: out };
  };
}
