import fs from "node:fs";
import { z } from "zod";
import { seedCommunes } from "../directory/communes-seed.js";
import { AgencyKind, ChannelKind, ItemKind, PeriodKind, TaskCode } from "../model.js";
import type { Db } from "../store/db.js";
import { obligationRow } from "./obligations.js";

const CalendarDate = z.iso.date();

/** The shape of `content/data/can-tho-plan.json`: the plan's agencies and obligations, as data. */
export const PlanData = z.object({
  $comment: z.string().optional(),
  validFrom: CalendarDate,
  agencies: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]+$/),
      name: z.string().min(1),
      kind: AgencyKind,
      parentId: z.string().optional(),
      validFrom: CalendarDate.optional(),
      validTo: CalendarDate.optional(),
    }),
  ),
  obligations: z.array(
    z.strictObject({
      taskCode: TaskCode,
      description: z.string().min(1),
      agencyKinds: z.array(AgencyKind).default([]),
      agencyIds: z.array(z.string()).default([]),
      itemKinds: z.array(ItemKind).default([]),
      channelKinds: z.array(ChannelKind).default([]),
      period: PeriodKind,
      minCount: z.number().int().min(1),
      validFrom: CalendarDate.optional(),
      validTo: CalendarDate.optional(),
    }),
  ),
});
export type PlanData = z.infer<typeof PlanData>;

export const DEFAULT_PLAN_FILE = new URL("./data/can-tho-plan.json", import.meta.url);

export function readPlan(file: URL | string = DEFAULT_PLAN_FILE): PlanData {
  return PlanData.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

/**
 * First start only: when there are no agencies yet, loads the plan's agencies and obligations, and the
 * communes and wards that took over from the districts on 1 July 2025 (`directory/data/`).
 */
export async function seedPlan(db: Db, plan: PlanData = readPlan()): Promise<boolean> {
  const existing = await db.selectFrom("agencies").select("id").limit(1).executeTakeFirst();
  if (existing) return false;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("agencies")
      .values(
        plan.agencies.map((a) => ({
          id: a.id,
          code: a.id,
          name: a.name.normalize("NFC"),
          kind: a.kind,
          parent_id: a.parentId ?? null,
          valid_from: a.validFrom ?? plan.validFrom,
          valid_to: a.validTo ?? null,
        })),
      )
      .execute();
    await tx
      .insertInto("obligations")
      .values(
        plan.obligations.map((o) =>
          obligationRow({
            ...o,
            id: `task-${o.taskCode}`,
            description: o.description.normalize("NFC"),
            validFrom: o.validFrom ?? plan.validFrom,
            validTo: o.validTo ?? null,
          }),
        ),
      )
      .execute();
    await seedCommunes(tx);
  });
  return true;
}
