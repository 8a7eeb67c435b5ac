import crypto from "node:crypto";
import type { ItemVariants } from "../model.js";
import type { Db } from "../store/db.js";

/** What an approver approves: the text, its tasks and per-channel variants, the media in order, the read-aloud text. */
export interface ItemContent {
  title: string;
  body: string;
  tasks: string[];
  variants: ItemVariants;
  mediaIds: string[];
  readAloud: string | null;
}

/** JSON with object keys sorted, so the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the content: the approved version is frozen by it. */
export function contentHash(c: ItemContent): string {
  return crypto
    .createHash("sha256")
    .update(canonical({ ...c, tasks: [...c.tasks].sort() }))
    .digest("hex");
}

export async function readContent(db: Db, itemId: string): Promise<ItemContent> {
  const item = await db.selectFrom("items").select(["title", "body", "variants"]).where("id", "=", itemId).executeTakeFirstOrThrow();
  const tasks = await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", itemId).orderBy("task_code").execute();
  const media = await db.selectFrom("item_media").select("media_id").where("item_id", "=", itemId).orderBy("position").execute();
  const broadcast = await db.selectFrom("broadcast_items").select("read_aloud").where("item_id", "=", itemId).executeTakeFirst();
  return {
    title: item.title,
    body: item.body,
    tasks: tasks.map((t) => t.task_code),
    variants: JSON.parse(item.variants) as ItemVariants,
    mediaIds: media.map((m) => m.media_id),
    readAloud: broadcast?.read_aloud ?? null,
  };
}

/** Writes an item's whole content (inside the caller's transaction); the item row itself is updated by the caller. */
export async function writeContent(tx: Db, itemId: string, c: ItemContent, actorId: string, now: Date): Promise<void> {
  await tx
    .updateTable("items")
    .set({ title: c.title, body: c.body, variants: JSON.stringify(c.variants), updated_at: now })
    .where("id", "=", itemId)
    .execute();
  await tx.deleteFrom("item_tasks").where("item_id", "=", itemId).execute();
  if (c.tasks.length)
    await tx
      .insertInto("item_tasks")
      .values(c.tasks.map((task_code) => ({ item_id: itemId, task_code })))
      .execute();
  await tx.deleteFrom("item_media").where("item_id", "=", itemId).execute();
  if (c.mediaIds.length)
    await tx
      .insertInto("item_media")
      .values(c.mediaIds.map((media_id, position) => ({ item_id: itemId, media_id, position })))
      .execute();
  const broadcast = await tx.selectFrom("broadcast_items").select("read_aloud").where("item_id", "=", itemId).executeTakeFirst();
  if (broadcast && broadcast.read_aloud !== c.readAloud) {
    await tx
      .updateTable("broadcast_items")
      .set({ read_aloud: c.readAloud, updated_by: actorId, updated_at: now })
      .where("item_id", "=", itemId)
      .execute();
  } else if (!broadcast && c.readAloud !== null) {
    await tx
      .insertInto("broadcast_items")
      .values({
        item_id: itemId,
        priority: "thuong",
        valid_from: null,
        valid_until: null,
        read_aloud: c.readAloud,
        updated_by: actorId,
        updated_at: now,
      })
      .execute();
  }
}
