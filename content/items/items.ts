// content/items/: what officers write — items, their tasks and per-channel variants (here), their
// lifecycle (lifecycle.ts: edit, delete, duplicate, archive), approval (approval.ts, content.ts: the
// frozen approved version) and threaded comments (comments.ts).
import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import { attachMedia, checkAttachable, MediaIds } from "../media/attachments.js";
import { type Actor, type Item, ItemKind, ItemStatus, ItemVariants, TaskCode } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toItem } from "../store/rows.js";
import { recordTransition } from "./approval.js";
import { contentHash } from "./content.js";

/** Officers type Vietnamese on many keyboards; NFC makes "ế" one code point whatever produced it. */
const VietText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(max));

export { VietText };

export const NewItem = z.strictObject({
  agencyId: z.string().min(1),
  kind: ItemKind,
  title: VietText(500),
  body: VietText(100_000),
  tasks: z.array(TaskCode).max(20).default([]),
  /** Uploaded media to carry, in order; deliveries wait until they are processed. */
  mediaIds: MediaIds.default([]),
  /** Per channel kind, the item's own title/body for that channel (e.g. a shorter Facebook text). */
  variants: ItemVariants.default({}),
});
export type NewItem = z.infer<typeof NewItem>;

export const ItemFilter = z.strictObject({
  agencyId: z.string().optional(),
  kind: ItemKind.optional(),
  status: ItemStatus.optional(),
  task: TaskCode.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ItemFilter = z.infer<typeof ItemFilter>;

export function normalizeVariants(variants: ItemVariants): ItemVariants {
  const out: ItemVariants = {};
  for (const [kind, v] of Object.entries(variants) as [keyof ItemVariants, NonNullable<ItemVariants[keyof ItemVariants]>][]) {
    out[kind] = {
      ...(v.title ? { title: v.title.normalize("NFC") } : {}),
      ...(v.body ? { body: v.body.normalize("NFC") } : {}),
    };
  }
  return out;
}

/** The task codes, each once, each in the plan's appendix (422 naming `<field>.<i>` otherwise). */
export async function checkTasks(db: Db, input: string[], field = "tasks"): Promise<string[]> {
  const tasks = [...new Set(input)];
  if (tasks.length === 0) return tasks;
  const known = new Set(
    (await db.selectFrom("obligations").select("task_code").where("task_code", "in", tasks).execute()).map((r) => r.task_code),
  );
  const index = tasks.findIndex((t) => !known.has(t));
  if (index >= 0) throw new AppError("unprocessable", `task ${tasks[index]} is not in the plan's appendix`, { field: `${field}.${index}` });
  return tasks;
}

export function createItemService(db: Db, clock: Clock) {
  async function tasksOf(ids: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return map;
    const rows = await db.selectFrom("item_tasks").selectAll().where("item_id", "in", ids).orderBy("task_code").execute();
    for (const r of rows) map.get(r.item_id)?.push(r.task_code);
    return map;
  }

  return {
    async create(actor: Actor, input: NewItem): Promise<Item> {
      assertCanWrite(actor, input.agencyId);
      const now = clock.now();
      await activeAgency(db, input.agencyId, now);
      const tasks = await checkTasks(db, input.tasks);
      await checkAttachable(db, input.agencyId, input.mediaIds);
      // An admin's item is approved at creation: the admin is accountable for it.
      const approved = actor.role === "admin" || actor.role === "system";
      const variants = normalizeVariants(input.variants);
      const hash = contentHash({
        title: input.title,
        body: input.body,
        tasks,
        variants,
        mediaIds: [...new Set(input.mediaIds)],
        readAloud: null,
      });
      const row = {
        id: crypto.randomUUID(),
        agency_id: input.agencyId,
        kind: input.kind,
        title: input.title,
        body: input.body,
        status: approved ? "approved" : "draft",
        variants: JSON.stringify(variants),
        created_by: actor.role === "system" ? null : actor.id,
        created_at: now,
        updated_at: now,
        approved_hash: approved ? hash : null,
        archived_from: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("items").values(row).execute();
        if (tasks.length)
          await tx
            .insertInto("item_tasks")
            .values(tasks.map((t) => ({ item_id: row.id, task_code: t })))
            .execute();
        await attachMedia(tx, row.id, input.mediaIds);
        await recordTransition(tx, row, null, row.status, "create", actor, now, null, approved ? hash : null, {
          kind: row.kind,
          tasks,
          mediaIds: input.mediaIds,
        });
      });
      return toItem(row, tasks.sort());
    },

    async get(actor: Actor, id: string): Promise<Item> {
      const row = visible(actor, await db.selectFrom("items").selectAll().where("id", "=", id).executeTakeFirst(), "item");
      return toItem(row, (await tasksOf([id])).get(id) ?? []);
    },

    async list(actor: Actor, f: ItemFilter): Promise<Item[]> {
      let q = visibleOnly(actor, db.selectFrom("items").selectAll());
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      if (f.kind) q = q.where("kind", "=", f.kind);
      if (f.status) q = q.where("status", "=", f.status);
      if (f.task) {
        const task = f.task;
        q = q.where("id", "in", (sub) => sub.selectFrom("item_tasks").select("item_id").where("task_code", "=", task));
      }
      const rows = await q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).offset(f.offset).execute();
      const tasks = await tasksOf(rows.map((r) => r.id));
      return rows.map((r) => toItem(r, tasks.get(r.id) ?? []));
    },
  };
}
export type ItemService = ReturnType<typeof createItemService>;
