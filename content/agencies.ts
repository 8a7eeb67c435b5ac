import { AppError } from "./errors.js";
import type { Agency } from "./model.js";
import type { Db } from "./store/db.js";
import { toAgency } from "./store/rows.js";
import { localDate } from "./time.js";

export async function listAgencies(db: Db): Promise<Agency[]> {
  return (await db.selectFrom("agencies").selectAll().orderBy("kind").orderBy("id").execute()).map(toAgency);
}

/** The agency, which must exist and not be dissolved at `at` (its `valid_to`, in Asia/Ho_Chi_Minh). */
export async function activeAgency(db: Db, id: string, at: Date, field = "agencyId"): Promise<Agency> {
  const row = await db.selectFrom("agencies").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new AppError("unprocessable", `unknown agency ${id}`, { field });
  const day = localDate(at);
  if (row.valid_to !== null && row.valid_to < day) {
    throw new AppError("unprocessable", `${row.name} was dissolved on ${row.valid_to}`, { field });
  }
  if (row.valid_from > day) {
    throw new AppError("unprocessable", `${row.name} exists only from ${row.valid_from}`, { field });
  }
  return toAgency(row);
}
