import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import { checkAttachable, MediaIds } from "../media/attachments.js";
import { type Actor, ItemVariants } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { DeliveryService, PublishableCheck } from "../publishing/deliveries.js";
import type { DeliveryState } from "../publishing/delivery-state.js";
import type { Db } from "../store/db.js";
import type { ItemRow } from "../store/schema.js";
import { type Approval, recordTransition } from "./approval.js";
import { contentHash, type ItemContent, readContent, writeContent } from "./content.js";
import { checkTasks, normalizeVariants, VietText } from "./items.js";

/** `PATCH /api/items/:id`: the fields named replace the item's (`variants`, `tasks`, `mediaIds` whole); `readAloud: null` restores the automatic text. */
export const ItemChange = z
  .strictObject({
    title: VietText(500).optional(),
    body: VietText(100_000).optional(),
    tasks: z
      .array(z.string().regex(/^\d\.\d{1,2}$/, "a task code of the plan, such as 1.3"))
      .max(20)
      .optional(),
    variants: ItemVariants.optional(),
    mediaIds: MediaIds.optional(),
    readAloud: VietText(100_000).nullable().optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: "name at least one field to change" });
export type ItemChange = z.infer<typeof ItemChange>;

/** Deliveries an edit still reaches: not yet publishing or done. */
const PENDING = ["scheduled", "held"];
/** Deliveries that may have reached a provider: the item can only be archived then. */
const OUT = ["publishing", "published", "unconfirmed"];

export function createItemLifecycle(
  db: Db,
  clock: Clock,
  approval: Approval,
  state: DeliveryState,
  deliveries: DeliveryService,
  checkPublishable: PublishableCheck,
) {
  async function load(actor: Actor, id: string): Promise<ItemRow> {
    const item = visible(actor, await db.selectFrom("items").selectAll().where("id", "=", id).executeTakeFirst(), "item");
    assertCanWrite(actor, item.agency_id);
    return item;
  }
  const notArchived = (item: ItemRow) => {
    if (item.status === "archived") throw new AppError("conflict", "the item is archived: unarchive it first", { field: "status" });
  };

  /** The channels' checks on every pending delivery, against the item as it now is in the database. */
  async function problemsOfPending(itemId: string): Promise<AppError | undefined> {
    const pending = await db
      .selectFrom("deliveries")
      .select(["id", "channel_id", "scheduled_at"])
      .where("item_id", "=", itemId)
      .where("status", "in", PENDING)
      .orderBy("scheduled_at")
      .execute();
    if (pending.length === 0) return undefined;
    try {
      await checkPublishable(
        itemId,
        pending.map((d) => ({ channelId: d.channel_id, at: d.scheduled_at })),
      );
      return undefined;
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "unprocessable") throw err;
      const problems = ((err.details?.problems ?? []) as { field: string; channelId: string }[]).map((p) => {
        const index = Number(/^deliveries\.(\d+)/.exec(p.field)?.[1] ?? -1);
        return { ...p, deliveryId: pending[index]?.id ?? null };
      });
      return new AppError("unprocessable", `this change makes scheduled deliveries impossible: ${err.message}`, {
        field: "body",
        details: { problems },
      });
    }
  }

  return {
    /**
     * Edits an item. Scheduled deliveries are rendered from the item when they go out, so they carry the
     * change; the channels' checks run again on them, and a change that makes one impossible is undone
     * and answered 422 with the problems. An approved item whose content changed needs approval again.
     */
    async update(actor: Actor, id: string, change: ItemChange) {
      const item = await load(actor, id);
      notArchived(item);
      const before = await readContent(db, id);
      const after: ItemContent = {
        title: change.title ?? before.title,
        body: change.body ?? before.body,
        tasks: change.tasks ? await checkTasks(db, change.tasks) : before.tasks,
        variants: change.variants ? normalizeVariants(change.variants) : before.variants,
        mediaIds: change.mediaIds ? [...new Set(change.mediaIds)] : before.mediaIds,
        readAloud: change.readAloud === undefined ? before.readAloud : change.readAloud,
      };
      if (change.mediaIds) await checkAttachable(db, item.agency_id, after.mediaIds);
      const hash = contentHash(after);
      const now = clock.now();
      await db.transaction().execute((tx) => writeContent(tx, id, after, actor.id, now));
      const problem = await problemsOfPending(id);
      if (problem) {
        // Undone before anything was decided on it; a worker picking the delivery up meanwhile rendered one or the other version whole.
        await db.transaction().execute((tx) => writeContent(tx, id, before, actor.id, item.updated_at));
        throw problem;
      }
      const outcome = await db.transaction().execute(async (tx) => {
        const o = await approval.afterChange(tx, actor, item, hash, now);
        await audit(
          tx,
          actor,
          "item.update",
          "item",
          id,
          now,
          { before, after, status: { from: item.status, to: o.status } },
          item.agency_id,
        );
        return o;
      });
      await deliveries.withdrawn(outcome.held);
      if (outcome.status === "submitted" && item.status === "approved") await approval.announceChanged(item, actor, now);
      return { id, status: outcome.status, contentHash: hash, held: outcome.held.length };
    },

    /** Deletes an item nothing of which may have been published; otherwise 409: archive it instead. */
    async remove(actor: Actor, id: string): Promise<void> {
      const item = await load(actor, id);
      const out = await db
        .selectFrom("deliveries")
        .select(["id", "status"])
        .where("item_id", "=", id)
        .where("status", "in", OUT)
        .executeTakeFirst();
      const reported = await db.selectFrom("publications").select("id").where("item_id", "=", id).executeTakeFirst();
      if (out || reported) {
        throw new AppError(
          "conflict",
          out
            ? `a delivery of this item is ${out.status}: archive the item instead of deleting it`
            : "the item has a recorded publication: archive it instead of deleting it",
          { field: "id" },
        );
      }
      const now = clock.now();
      const before = await readContent(db, id);
      const gone = await db.transaction().execute(async (tx) => {
        // A claim between the check and here would have made a delivery `publishing`: this delete then removes nothing and says so.
        const rows = await tx.selectFrom("deliveries").select(["id", "status"]).where("item_id", "=", id).execute();
        if (rows.some((r) => OUT.includes(r.status)))
          throw new AppError("conflict", "a delivery of this item is publishing: archive the item instead", { field: "id" });
        await tx.deleteFrom("deliveries").where("item_id", "=", id).execute();
        await tx.deleteFrom("items").where("id", "=", id).execute();
        await audit(
          tx,
          actor,
          "item.delete",
          "item",
          id,
          now,
          { before: { ...before, status: item.status }, deliveries: rows.map((r) => r.id) },
          item.agency_id,
        );
        return rows.map((r) => r.id);
      });
      await deliveries.withdrawn(gone);
    },

    /** A new draft with the same content, media and read-aloud text, and no deliveries (an admin's is approved at once). */
    async duplicate(actor: Actor, id: string) {
      const item = await load(actor, id);
      const content = await readContent(db, id);
      const now = clock.now();
      const approved = actor.role === "admin" || actor.role === "system";
      const hash = contentHash(content);
      const copy: ItemRow = {
        ...item,
        id: crypto.randomUUID(),
        status: approved ? "approved" : "draft",
        created_by: actor.role === "system" ? null : actor.id,
        created_at: now,
        updated_at: now,
        approved_hash: approved ? hash : null,
        archived_from: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto("items").values(copy).execute();
        await writeContent(tx, copy.id, content, actor.id, now);
        await recordTransition(tx, copy, null, copy.status, "create", actor, now, null, approved ? hash : null, { duplicatedFrom: id });
        await audit(tx, actor, "item.duplicate", "item", id, now, { copy: copy.id }, item.agency_id);
      });
      return { id: copy.id, duplicatedFrom: id, status: copy.status };
    },

    /** Retires an item: its pending deliveries are cancelled; what was published stays counted. */
    async archive(actor: Actor, id: string) {
      const item = await load(actor, id);
      notArchived(item);
      const now = clock.now();
      const pending = await db.selectFrom("deliveries").select("id").where("item_id", "=", id).where("status", "in", PENDING).execute();
      const cancelled: string[] = [];
      for (const d of pending) if (await state.cancel(d.id)) cancelled.push(d.id);
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("items")
          .set({ status: "archived", archived_from: item.status, updated_at: now })
          .where("id", "=", id)
          .execute();
        await recordTransition(tx, item, item.status, "archived", "archive", actor, now, null, null, { cancelled });
      });
      await deliveries.withdrawn(cancelled);
      return { id, status: "archived" as const, cancelled: cancelled.length };
    },

    /** Back to the status it had (an approved item whose content is still the approved one stays approved). */
    async unarchive(actor: Actor, id: string) {
      const item = await load(actor, id);
      if (item.status !== "archived") throw new AppError("conflict", `the item is ${item.status}, not archived`, { field: "status" });
      const back = item.archived_from ?? "draft";
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        await tx.updateTable("items").set({ status: back, archived_from: null, updated_at: now }).where("id", "=", id).execute();
        await recordTransition(tx, item, "archived", back, "unarchive", actor, now);
      });
      return { id, status: back };
    },
  };
}
export type ItemLifecycle = ReturnType<typeof createItemLifecycle>;
