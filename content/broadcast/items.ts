import { z } from "zod";
import { assertCanWrite, visible } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Dialect, Priority as PriorityType, ReadAloudTools } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { BroadcastItemRow } from "../store/broadcast.schema.js";
import type { Db } from "../store/db.js";
import { Instant } from "../time.js";

export const Priority = z.enum(["thuong", "uu_tien", "khan_cap"]);
/** How the script names each priority. */
export const PRIORITY_LABEL: Record<PriorityType, string> = { thuong: "Thường", uu_tien: "Ưu tiên", khan_cap: "Khẩn cấp" };

const ReadAloudText = z
  .string()
  .transform((s) => s.normalize("NFC").trim())
  .pipe(z.string().min(1, "must not be empty").max(100_000));

/** `PUT /api/items/:id/broadcast`: fields not named stay as they are; `readAloud: null` goes back to the automatic text. */
export const BroadcastChange = z.strictObject({
  priority: Priority.optional(),
  validFrom: Instant.nullable().optional(),
  validUntil: Instant.nullable().optional(),
  readAloud: ReadAloudText.nullable().optional(),
});
export type BroadcastChange = z.infer<typeof BroadcastChange>;

export const BroadcastQuery = z.strictObject({ dialect: z.enum(["south", "north"]).default("south") });

/** An item's broadcast attributes as the script uses them. */
export interface BroadcastAttributes {
  priority: PriorityType;
  validFrom: Date | null;
  validUntil: Date | null;
  /** The officer's read-aloud text, if they wrote one: it wins over the automatic one. */
  readAloud: string | null;
}

export const DEFAULT_ATTRIBUTES: BroadcastAttributes = { priority: "thuong", validFrom: null, validUntil: null, readAloud: null };

export const toAttributes = (r: BroadcastItemRow | undefined): BroadcastAttributes =>
  r
    ? { priority: r.priority as PriorityType, validFrom: r.valid_from, validUntil: r.valid_until, readAloud: r.read_aloud }
    : DEFAULT_ATTRIBUTES;

/** The attributes of several items (those without a row have the defaults). */
export async function attributesOf(db: Db, itemIds: string[]): Promise<Map<string, BroadcastAttributes>> {
  const rows = itemIds.length ? await db.selectFrom("broadcast_items").selectAll().where("item_id", "in", itemIds).execute() : [];
  const byId = new Map(rows.map((r) => [r.item_id, toAttributes(r)]));
  return new Map(itemIds.map((id) => [id, byId.get(id) ?? DEFAULT_ATTRIBUTES]));
}

/** The text a station reads for an item: the officer's own, else the title and body made ready to read aloud. */
export function readAloudOf(
  tools: ReadAloudTools,
  item: { title: string; body: string },
  attrs: BroadcastAttributes,
  dialect: Dialect,
): { text: string; edited: boolean } {
  if (attrs.readAloud) return { text: attrs.readAloud, edited: true };
  const title = item.title.trim();
  const sep = /[.!?…:]$/.test(title) ? " " : ". ";
  return { text: tools.readAloud(`${title}${sep}${item.body.trim()}`, { dialect }), edited: false };
}

/** Officers see and edit how their items go on the loudspeakers: priority, validity, the read-aloud text. */
export function createBroadcastItems(db: Db, clock: Clock, tools: ReadAloudTools) {
  async function load(actor: Actor, itemId: string) {
    return visible(actor, await db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirst(), "item");
  }
  async function view(item: { id: string; title: string; body: string }, dialect: Dialect) {
    const attrs = (await attributesOf(db, [item.id])).get(item.id) ?? DEFAULT_ATTRIBUTES;
    const read = readAloudOf(tools, item, attrs, dialect);
    const automatic = readAloudOf(tools, item, DEFAULT_ATTRIBUTES, dialect).text;
    return {
      itemId: item.id,
      priority: attrs.priority,
      priorityLabel: PRIORITY_LABEL[attrs.priority],
      validFrom: attrs.validFrom,
      validUntil: attrs.validUntil,
      readAloud: { text: read.text, edited: read.edited, automatic },
      readingSeconds: tools.readingSeconds(read.text, 160),
    };
  }
  return {
    async get(actor: Actor, itemId: string, dialect: Dialect) {
      return view(await load(actor, itemId), dialect);
    },
    async update(actor: Actor, itemId: string, change: BroadcastChange) {
      const item = await load(actor, itemId);
      assertCanWrite(actor, item.agency_id);
      const now = clock.now();
      const current = (await attributesOf(db, [item.id])).get(item.id) ?? DEFAULT_ATTRIBUTES;
      const next = {
        priority: change.priority ?? current.priority,
        valid_from: change.validFrom === undefined ? current.validFrom : change.validFrom,
        valid_until: change.validUntil === undefined ? current.validUntil : change.validUntil,
        read_aloud: change.readAloud === undefined ? current.readAloud : change.readAloud,
      };
      if (next.valid_from && next.valid_until && next.valid_until <= next.valid_from) {
        throw new AppError("unprocessable", "validUntil must be after validFrom", { field: "validUntil" });
      }
      await db
        .insertInto("broadcast_items")
        .values({ item_id: item.id, ...next, updated_by: actor.id, updated_at: now })
        .onConflict((oc) => oc.column("item_id").doUpdateSet({ ...next, updated_by: actor.id, updated_at: now }))
        .execute();
      await audit(db, actor, "item.broadcast", "item", item.id, now, {
        priority: next.priority,
        readAloudEdited: next.read_aloud !== null,
      });
      return view(item, "south");
    },
  };
}
export type BroadcastItems = ReturnType<typeof createBroadcastItems>;
