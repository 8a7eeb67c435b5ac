import { z } from "zod";
import { assertCanWrite, visible } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { type Media, type PublishMedia, toMedia } from "./model.js";

export const MediaIds = z.array(z.string().min(1)).max(20);
export const AttachRequest = z.strictObject({ mediaIds: MediaIds.min(1) });
export type AttachRequest = z.infer<typeof AttachRequest>;

/** Throws 422 naming `<field>.<i>` unless every media belongs to the agency and has not failed or been cancelled. */
export async function checkAttachable(db: Db, agencyId: string, mediaIds: string[], field = "mediaIds"): Promise<void> {
  if (mediaIds.length === 0) return;
  const rows = new Map(
    (await db.selectFrom("media").select(["id", "agency_id", "status"]).where("id", "in", mediaIds).execute()).map((r) => [r.id, r]),
  );
  for (const [i, id] of mediaIds.entries()) {
    const m = rows.get(id);
    if (!m || m.agency_id !== agencyId) {
      throw new AppError("unprocessable", `no media ${id} of this agency`, { field: `${field}.${i}` });
    }
    if (m.status === "failed" || m.status === "cancelled") {
      throw new AppError("unprocessable", `media ${id} is ${m.status} and cannot be attached`, { field: `${field}.${i}` });
    }
  }
}

/** Attaches media to an item after those it already has (inside the caller's transaction). */
export async function attachMedia(db: Db, itemId: string, mediaIds: string[]): Promise<void> {
  const ids = [...new Set(mediaIds)];
  if (ids.length === 0) return;
  const have = await db.selectFrom("item_media").select(["media_id", "position"]).where("item_id", "=", itemId).execute();
  const known = new Set(have.map((r) => r.media_id));
  let position = have.reduce((max, r) => Math.max(max, r.position), -1);
  const rows = ids.filter((id) => !known.has(id)).map((media_id) => ({ item_id: itemId, media_id, position: ++position }));
  if (rows.length) await db.insertInto("item_media").values(rows).execute();
}

async function mediaOfItem(db: Db, itemId: string): Promise<Media[]> {
  return (await mediaOfItems(db, [itemId])).get(itemId) ?? [];
}

/** The media of many items in two statements (scheduling in bulk checks them all). */
export async function mediaOfItems(db: Db, itemIds: string[]): Promise<Map<string, Media[]>> {
  const out = new Map<string, Media[]>();
  if (itemIds.length === 0) return out;
  const rows = await db
    .selectFrom("item_media")
    .innerJoin("media", "media.id", "item_media.media_id")
    .selectAll("media")
    .select("item_media.item_id as attached_to")
    .where("item_media.item_id", "in", itemIds)
    .orderBy("item_media.item_id")
    .orderBy("item_media.position")
    .execute();
  if (rows.length === 0) return out;
  const variants = await db
    .selectFrom("media_variants")
    .selectAll()
    .where("media_id", "in", [...new Set(rows.map((r) => r.id))])
    .orderBy("name")
    .execute();
  for (const { attached_to, ...r } of rows) {
    const list = out.get(attached_to) ?? [];
    list.push(
      toMedia(
        r,
        variants.filter((v) => v.media_id === r.id),
      ),
    );
    out.set(attached_to, list);
  }
  return out;
}

/** What the publisher does with an item's media: publish with them, wait for them, or fail the delivery. */
export type ItemMediaState =
  | { state: "ready"; media: PublishMedia[] }
  | { state: "waiting"; reason: string }
  | { state: "failed"; reason: string };

export async function itemMediaState(db: Db, itemId: string): Promise<ItemMediaState> {
  return mediaState(await mediaOfItem(db, itemId));
}

/** The media states of many items, in two statements. */
export async function itemMediaStates(db: Db, itemIds: string[]): Promise<Map<string, ItemMediaState>> {
  const media = await mediaOfItems(db, itemIds);
  return new Map(itemIds.map((id) => [id, mediaState(media.get(id) ?? [])]));
}

/** Whether an item with these media can be published: failed (a broken attachment), waiting (one still processing) or ready. */
export function mediaState(media: Media[]): ItemMediaState {
  const broken = media.find((m) => m.status === "failed" || m.status === "cancelled");
  if (broken) {
    return { state: "failed", reason: `media ${broken.id} (${broken.name}) ${broken.status}${broken.error ? `: ${broken.error}` : ""}` };
  }
  const pending = media.find((m) => m.status === "processing");
  if (pending) return { state: "waiting", reason: `waiting for media ${pending.id} (${pending.name}, ${pending.progress}% processed)` };
  return {
    state: "ready",
    media: media.map(({ id, kind, mime, name, probe, variants }) => ({ id, kind, mime, name, probe, variants })),
  };
}

/** Attaching media to items and listing them: `POST/GET /api/items/:id/media`. */
export function createItemMediaService(db: Db, clock: Clock) {
  async function item(actor: Actor, itemId: string) {
    const row = visible(
      actor,
      await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst(),
      "item",
    );
    return row;
  }
  return {
    async list(actor: Actor, itemId: string): Promise<Media[]> {
      await item(actor, itemId);
      return mediaOfItem(db, itemId);
    },
    async attach(actor: Actor, itemId: string, req: AttachRequest): Promise<Media[]> {
      const row = await item(actor, itemId);
      assertCanWrite(actor, row.agency_id);
      await checkAttachable(db, row.agency_id, req.mediaIds);
      const now = clock.now();
      await db.transaction().execute(async (tx) => {
        await attachMedia(tx, itemId, req.mediaIds);
        await audit(tx, actor, "item.media", "item", itemId, now, { mediaIds: req.mediaIds });
      });
      return mediaOfItem(db, itemId);
    },
  };
}
