// content/directory/: who is who — agencies (with their validity dates) and users (with their tokens).
import type { Selectable } from "kysely";
import { z } from "zod";
import { assertAdmin } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, type Agency, AgencyApproval, AgencyKind } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toAgency } from "../store/rows.js";
import type { AgencyTable } from "../store/schema.js";
import { localDate } from "../time.js";

export async function listAgencies(db: Db): Promise<Agency[]> {
  return (await db.selectFrom("agencies").selectAll().orderBy("kind").orderBy("id").execute()).map(toAgency);
}

/** The agency, which must exist and not be dissolved at `at` (its `valid_to`, in Asia/Ho_Chi_Minh). */
/** Whether the actor belongs to DOST, which follows every agency's communication (plan tasks 6.1, 6.2). */
export async function inDost(db: Db, actor: Actor): Promise<boolean> {
  if (!actor.agencyId) return false;
  const a = await db.selectFrom("agencies").select("kind").where("id", "=", actor.agencyId).executeTakeFirst();
  return a?.kind === "dost";
}

export async function activeAgency(db: Db, id: string, at: Date, field = "agencyId"): Promise<Agency> {
  const row = await db.selectFrom("agencies").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new AppError("unprocessable", `unknown agency ${id}`, { field });
  return agencyActiveAt(row, at, field);
}

/** The same check on an agency already read (scheduling many deliveries reads it once). */
export function agencyActiveAt(row: Selectable<AgencyTable>, at: Date, field: string): Agency {
  const day = localDate(at);
  if (row.valid_to !== null && row.valid_to < day) {
    throw new AppError("unprocessable", `${row.name} was dissolved on ${row.valid_to}`, { field });
  }
  if (row.valid_from > day) {
    throw new AppError("unprocessable", `${row.name} exists only from ${row.valid_from}`, { field });
  }
  return toAgency(row);
}

const CalendarDate = z.iso.date({ error: "a date, YYYY-MM-DD (Asia/Ho_Chi_Minh)" });

export const NewAgency = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{2,60}$/, "lower-case letters, digits and dashes, such as phuong-ninh-kieu"),
  name: z.string().trim().min(1).max(300),
  kind: AgencyKind,
  parentId: z.string().min(1).optional(),
  validFrom: CalendarDate,
  validTo: CalendarDate.optional(),
});
export type NewAgency = z.infer<typeof NewAgency>;

/** What changes when agencies merge or dissolve: the end date, the name, the parent. */
export const AgencyChange = z.strictObject({
  name: z.string().trim().min(1).max(300).optional(),
  parentId: z.string().min(1).nullable().optional(),
  validTo: CalendarDate.nullable().optional(),
  /** Whether officers' items need the agency's approver (`required`) or officers approve their own (`self`). */
  approval: AgencyApproval.optional(),
});
export type AgencyChange = z.infer<typeof AgencyChange>;

/**
 * Agencies change: since the two-level local government of July 2025 the districts are gone and
 * communes and wards carry the grassroots tasks. Admins add them and end dissolved ones; compliance
 * follows `validFrom`/`validTo`.
 */
export function createAgencyService(db: Db, clock: Clock) {
  async function checkParent(parentId: string | null | undefined): Promise<void> {
    if (!parentId) return;
    const parent = await db.selectFrom("agencies").select("id").where("id", "=", parentId).executeTakeFirst();
    if (!parent) throw new AppError("unprocessable", `unknown agency ${parentId}`, { field: "parentId" });
  }
  const checkDates = (from: string, to: string | null | undefined) => {
    if (to && to < from) throw new AppError("unprocessable", `validTo ${to} is before validFrom ${from}`, { field: "validTo" });
  };

  return {
    async create(actor: Actor, input: NewAgency): Promise<Agency> {
      assertAdmin(actor);
      await checkParent(input.parentId);
      checkDates(input.validFrom, input.validTo);
      const exists = await db.selectFrom("agencies").select("id").where("id", "=", input.id).executeTakeFirst();
      if (exists) throw new AppError("conflict", `agency ${input.id} exists already`, { field: "id" });
      const row = {
        id: input.id,
        code: input.id,
        name: input.name.normalize("NFC"),
        kind: input.kind,
        parent_id: input.parentId ?? null,
        valid_from: input.validFrom,
        valid_to: input.validTo ?? null,
        approval: "required",
      };
      await db.insertInto("agencies").values(row).execute();
      await audit(db, actor, "agency.create", "agency", row.id, clock.now(), { kind: row.kind, validFrom: row.valid_from });
      return toAgency(row);
    },

    async update(actor: Actor, id: string, change: AgencyChange): Promise<Agency> {
      assertAdmin(actor);
      const row = await db.selectFrom("agencies").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw notFound("agency");
      if (change.parentId === id) throw new AppError("unprocessable", "an agency cannot be its own parent", { field: "parentId" });
      await checkParent(change.parentId);
      checkDates(row.valid_from, change.validTo);
      const values = {
        ...(change.name ? { name: change.name.normalize("NFC") } : {}),
        ...(change.parentId !== undefined ? { parent_id: change.parentId } : {}),
        ...(change.validTo !== undefined ? { valid_to: change.validTo } : {}),
        ...(change.approval ? { approval: change.approval } : {}),
      };
      if (Object.keys(values).length) await db.updateTable("agencies").set(values).where("id", "=", id).execute();
      await audit(db, actor, "agency.update", "agency", id, clock.now(), change);
      return toAgency({ ...row, ...values });
    },
  };
}
