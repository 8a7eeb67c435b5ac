import crypto from "node:crypto";
import { z } from "zod";
import { assertAdmin, readScope } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, TaskCode } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { obligationByTask } from "./obligations.js";
import { parsePeriod } from "./periods.js";
import type { Exemption } from "./rules.js";

export const NewExemption = z.strictObject({
  period: z.string().min(1),
  reason: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(500)),
  /** Omitted: every obligation of that period kind. */
  task: TaskCode.optional(),
  /** Omitted: every agency. */
  agencyId: z.string().min(1).optional(),
});
export type NewExemption = z.infer<typeof NewExemption>;

export interface ExemptionView extends Exemption {
  task: string | null;
  createdBy: string;
  createdAt: Date;
}

/** Periods DOST declares exempt (Tết week, a storm): the cells become `exempt` with the reason. Only admins declare them. */
export function createExemptionService(db: Db, clock: Clock) {
  async function view(id: string): Promise<ExemptionView> {
    const r = await db
      .selectFrom("exemptions")
      .leftJoin("obligations", "obligations.id", "exemptions.obligation_id")
      .selectAll("exemptions")
      .select("obligations.task_code")
      .where("exemptions.id", "=", id)
      .executeTakeFirst();
    if (!r) throw notFound("exemption");
    return {
      id: r.id,
      obligationId: r.obligation_id,
      task: r.task_code,
      agencyId: r.agency_id,
      period: r.period,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: r.created_at,
    };
  }

  return {
    async create(actor: Actor, input: NewExemption): Promise<ExemptionView> {
      assertAdmin(actor);
      const period = parsePeriod(input.period, "period");
      const obligation = input.task === undefined ? undefined : await obligationByTask(db, input.task);
      if (obligation && obligation.period !== period.kind) {
        throw new AppError("unprocessable", `task ${obligation.taskCode} is counted per ${obligation.period}, not per ${period.kind}`, {
          field: "period",
        });
      }
      if (input.agencyId) {
        const agency = await db.selectFrom("agencies").select("id").where("id", "=", input.agencyId).executeTakeFirst();
        if (!agency) throw new AppError("unprocessable", `unknown agency ${input.agencyId}`, { field: "agencyId" });
      }
      const now = clock.now();
      const id = crypto.randomUUID();
      await db
        .insertInto("exemptions")
        .values({
          id,
          obligation_id: obligation?.id ?? null,
          agency_id: input.agencyId ?? null,
          period: period.key,
          reason: input.reason,
          created_by: actor.id,
          created_at: now,
        })
        .execute();
      await audit(db, actor, "exemption.create", "exemption", id, now, { ...input });
      return view(id);
    },

    /** Admins and auditors see every exemption; an officer those of their agency and those for all agencies. */
    async list(actor: Actor): Promise<ExemptionView[]> {
      const scope = readScope(actor);
      let q = db.selectFrom("exemptions").select("id");
      if (scope !== "all") q = q.where((eb) => eb.or([eb("agency_id", "is", null), eb("agency_id", "=", scope.agencyId)]));
      const ids = await q.orderBy("period").orderBy("id").execute();
      return Promise.all(ids.map((r) => view(r.id)));
    },

    async remove(actor: Actor, id: string): Promise<void> {
      assertAdmin(actor);
      const before = await view(id);
      const now = clock.now();
      await db.deleteFrom("exemptions").where("id", "=", id).execute();
      await audit(db, actor, "exemption.delete", "exemption", id, now, { ...before });
    },
  };
}
export type ExemptionService = ReturnType<typeof createExemptionService>;
