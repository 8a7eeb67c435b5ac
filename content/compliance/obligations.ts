import { z } from "zod";
import { assertAdmin, readScope } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, AgencyKind, ChannelKind, ItemKind, type Obligation, PeriodKind, TaskCode } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import type { ObligationTable } from "../store/schema.js";

const CalendarDate = z.iso.date({ error: "a date such as 2026-01-01" });

/** The editable fields, without defaults: a patch must leave what it does not name untouched. */
const fields = {
  description: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(2_000)),
  agencyKinds: z.array(AgencyKind).max(10),
  agencyIds: z.array(z.string().min(1)).max(500),
  itemKinds: z.array(ItemKind).max(20),
  channelKinds: z.array(ChannelKind).max(20),
  period: PeriodKind,
  minCount: z.number().int().min(1).max(1_000),
  validFrom: CalendarDate,
  validTo: CalendarDate.nullable(),
};

export const NewObligation = z.strictObject({
  taskCode: TaskCode,
  ...fields,
  agencyKinds: fields.agencyKinds.default([]),
  agencyIds: fields.agencyIds.default([]),
  itemKinds: fields.itemKinds.default([]),
  channelKinds: fields.channelKinds.default([]),
  validTo: fields.validTo.default(null),
});
export type NewObligation = z.infer<typeof NewObligation>;

/** Every field but the task code may change; the task code is how items, records and reports name it. */
export const ObligationPatch = z.strictObject(fields).partial();
export type ObligationPatch = z.infer<typeof ObligationPatch>;

export function toObligation(r: ObligationTable): Obligation {
  return {
    id: r.id,
    taskCode: r.task_code,
    description: r.description,
    agencyKinds: JSON.parse(r.agency_kinds),
    agencyIds: JSON.parse(r.agency_ids),
    itemKinds: JSON.parse(r.item_kinds),
    channelKinds: JSON.parse(r.channel_kinds),
    period: r.period as PeriodKind,
    minCount: r.min_count,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

/** An obligation as its database row (JSON lists as text). */
export function obligationRow(o: Obligation): ObligationTable {
  return {
    id: o.id,
    task_code: o.taskCode,
    description: o.description,
    agency_kinds: JSON.stringify(o.agencyKinds),
    agency_ids: JSON.stringify(o.agencyIds),
    item_kinds: JSON.stringify(o.itemKinds),
    channel_kinds: JSON.stringify(o.channelKinds),
    period: o.period,
    min_count: o.minCount,
    valid_from: o.validFrom,
    valid_to: o.validTo,
  };
}

/** The obligation a task code names (task codes are unique among obligations), or 404 naming `field`. */
export async function obligationByTask(db: Db, taskCode: string, field = "task"): Promise<Obligation> {
  const row = await db.selectFrom("obligations").selectAll().where("task_code", "=", taskCode).executeTakeFirst();
  if (!row) throw notFound(`task ${taskCode}`, field);
  return toObligation(row);
}

export function createObligationService(db: Db, clock: Clock) {
  async function check(o: Obligation): Promise<void> {
    if (o.validTo !== null && o.validTo < o.validFrom) {
      throw new AppError("unprocessable", "validTo is before validFrom", { field: "validTo" });
    }
    if (o.agencyIds.length) {
      const known = new Set((await db.selectFrom("agencies").select("id").where("id", "in", o.agencyIds).execute()).map((r) => r.id));
      const index = o.agencyIds.findIndex((id) => !known.has(id));
      if (index >= 0) throw new AppError("unprocessable", `unknown agency ${o.agencyIds[index]}`, { field: `agencyIds.${index}` });
    }
  }

  return {
    async list(actor: Actor): Promise<Obligation[]> {
      readScope(actor);
      return (await db.selectFrom("obligations").selectAll().orderBy("task_code").execute()).map(toObligation);
    },

    async get(actor: Actor, taskCode: string): Promise<Obligation> {
      readScope(actor);
      return obligationByTask(db, taskCode, "taskCode");
    },

    async create(actor: Actor, input: NewObligation): Promise<Obligation> {
      assertAdmin(actor);
      const exists = await db.selectFrom("obligations").select("id").where("task_code", "=", input.taskCode).executeTakeFirst();
      if (exists) throw new AppError("conflict", `task ${input.taskCode} already has an obligation`, { field: "taskCode" });
      const o: Obligation = { id: `task-${input.taskCode}`, ...input };
      await check(o);
      const now = clock.now();
      await db.insertInto("obligations").values(obligationRow(o)).execute();
      await audit(db, actor, "obligation.create", "obligation", o.id, now, { ...input });
      return o;
    },

    async update(actor: Actor, taskCode: string, patch: ObligationPatch): Promise<Obligation> {
      assertAdmin(actor);
      const before = await obligationByTask(db, taskCode, "taskCode");
      const after: Obligation = { ...before, ...patch };
      await check(after);
      const now = clock.now();
      const { id: _id, ...values } = obligationRow(after);
      await db.updateTable("obligations").set(values).where("id", "=", before.id).execute();
      await audit(db, actor, "obligation.update", "obligation", before.id, now, { before, patch });
      return after;
    },
  };
}
export type ObligationService = ReturnType<typeof createObligationService>;
