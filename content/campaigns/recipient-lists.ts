import crypto from "node:crypto";
import { PostgresAdapter, sql } from "kysely";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { normalizePhone } from "./phones.js";

export const RecipientListFields = z.object({
  agencyId: z.string().min(1),
  name: z.string().trim().min(1).max(200),
});
export type RecipientListFields = z.infer<typeof RecipientListFields>;

/** One row of the CSV: its row number in the file (the header is row 1) and its cells by column name. */
export interface CsvRecord {
  row: number;
  cells: Record<string, string>;
}

/** Column names taken for the commune or ward (a segment a campaign may target). */
const COMMUNE_COLUMNS = ["commune", "ward", "xa_phuong", "xa", "phuong"];
const BATCH = 5_000;
/** Refused rows listed in the answer; beyond, only counted (`refusedTotal`). */
const MAX_LISTED = 1_000;

export function createRecipientLists(db: Db, clock: Clock) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  async function flush(listId: string, batch: { phone: string; commune: string | null; row_number: number }[]): Promise<number> {
    if (batch.length === 0) return 0;
    if (postgres) {
      // One statement and four parameters for the whole batch (arrays unnested by PostgreSQL).
      const r = await sql`insert into recipient_entries (list_id, phone, commune, row_number)
        select ${listId}, * from unnest(${batch.map((b) => b.phone)}::text[], ${batch.map((b) => b.commune)}::text[], ${batch.map((b) => b.row_number)}::int[])
        on conflict do nothing`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    }
    const r = await db
      .insertInto("recipient_entries")
      .values(batch.map((b) => ({ list_id: listId, ...b })))
      .onConflict((oc) => oc.columns(["list_id", "phone"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  return {
    /**
     * Imports a list from CSV records as they stream in (batches of 1,000; never the whole list in
     * memory): numbers normalised to E.164 with the 2018 conversion, duplicates merged (the first row
     * wins), landlines, foreign and malformed numbers refused with their row number.
     */
    async import(actor: Actor, fields: RecipientListFields, records: AsyncIterable<CsvRecord>) {
      assertCanWrite(actor, fields.agencyId);
      const agency = await db.selectFrom("agencies").select("id").where("id", "=", fields.agencyId).executeTakeFirst();
      if (!agency) throw new AppError("not_found", `unknown agency ${fields.agencyId}`, { field: "agencyId" });
      const id = crypto.randomUUID();
      const now = clock.now();
      await db
        .insertInto("recipient_lists")
        .values({
          id,
          agency_id: fields.agencyId,
          name: fields.name.normalize("NFC"),
          accepted: 0,
          converted: 0,
          duplicates: 0,
          refused: 0,
          created_by: actor.id,
          created_at: now,
        })
        .execute();
      let accepted = 0;
      let converted = 0;
      let valid = 0;
      let refusedTotal = 0;
      const refused: { row: number; input: string; error: string }[] = [];
      let batch: { phone: string; commune: string | null; row_number: number }[] = [];
      let sawPhone = false;
      try {
        for await (const { row, cells } of records) {
          if (!sawPhone) {
            if (!("phone" in cells))
              throw new AppError("invalid_input", "file: the CSV needs a header with a `phone` column", { field: "file" });
            sawPhone = true;
          }
          const input = (cells.phone ?? "").trim();
          const r = normalizePhone(input);
          if (!r.e164) {
            refusedTotal++;
            if (refused.length < MAX_LISTED) refused.push({ row, input, error: r.error ?? "refused" });
            continue;
          }
          valid++;
          if (r.converted) converted++;
          const communeKey = COMMUNE_COLUMNS.find((c) => cells[c]?.trim());
          batch.push({ phone: r.e164, commune: communeKey ? (cells[communeKey]?.trim().normalize("NFC") ?? null) : null, row_number: row });
          if (batch.length >= BATCH) {
            accepted += await flush(id, batch);
            batch = [];
          }
        }
        accepted += await flush(id, batch);
        if (!sawPhone)
          throw new AppError("invalid_input", "file: the CSV is empty (a header with a `phone` column is needed)", { field: "file" });
      } catch (err) {
        await db.deleteFrom("recipient_entries").where("list_id", "=", id).execute();
        await db.deleteFrom("recipient_lists").where("id", "=", id).execute();
        throw err;
      }
      const duplicates = valid - accepted;
      await db
        .updateTable("recipient_lists")
        .set({ accepted, converted, duplicates, refused: refusedTotal })
        .where("id", "=", id)
        .execute();
      await audit(db, actor, "recipient_list.create", "recipient_list", id, now, {
        accepted,
        converted,
        duplicates,
        refused: refusedTotal,
      });
      return { id, name: fields.name, agencyId: fields.agencyId, accepted, converted, duplicates, refused, refusedTotal };
    },

    async get(actor: Actor, id: string) {
      const row = visible(
        actor,
        await db.selectFrom("recipient_lists").selectAll().where("id", "=", id).executeTakeFirst(),
        "recipient list",
      );
      return toView(row);
    },

    async list(actor: Actor) {
      const rows = await visibleOnly(actor, db.selectFrom("recipient_lists").selectAll())
        .orderBy("created_at", "desc")
        .limit(500)
        .execute();
      return rows.map(toView);
    },
  };
}
export type RecipientLists = ReturnType<typeof createRecipientLists>;

function toView(r: {
  id: string;
  agency_id: string;
  name: string;
  accepted: number;
  converted: number;
  duplicates: number;
  refused: number;
  created_at: Date;
}) {
  return {
    id: r.id,
    agencyId: r.agency_id,
    name: r.name,
    accepted: r.accepted,
    converted: r.converted,
    duplicates: r.duplicates,
    refused: r.refused,
    createdAt: r.created_at,
  };
}
