import crypto from "node:crypto";
import { z } from "zod";
import { inDost } from "../directory/agencies.js";
import { AppError, notFound } from "../errors.js";
import type { Actor } from "../model.js";
import { emailNotice, notifyUsers } from "../notify/notifications.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { Mailer } from "../ports/mailer.js";
import type { Db } from "../store/db.js";
import { localDate } from "../time.js";

export const NewComment = z.strictObject({
  body: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(10_000)),
  /** The comment this one answers (of the same item). */
  parentId: z.string().min(1).optional(),
});
export type NewComment = z.infer<typeof NewComment>;

export interface Comment {
  id: string;
  itemId: string;
  parentId: string | null;
  authorId: string;
  authorName: string | null;
  body: string;
  mentions: string[];
  createdAt: Date;
  replies: Comment[];
}

/** `@<user id>` or `@<login>`, the login being the part of the user's e-mail before `@` (`@dung` for dung@cantho.gov.vn). */
const MENTION = /(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})/gu;

/**
 * Threaded comments on an item, for the agency's officers and approvers, DOST's users and admins
 * (auditors read them). A mention of someone who may read the item notifies them (in the app, and by
 * e-mail when SMTP is configured); a mention of anyone else notifies no one.
 */
export function createComments(db: Db, clock: Clock, log: Log, mailer: Mailer | undefined) {
  async function access(actor: Actor, itemId: string, write: boolean) {
    const item = await db.selectFrom("items").select(["id", "agency_id", "title"]).where("id", "=", itemId).executeTakeFirst();
    if (!item) throw notFound("item");
    if (actor.role === "admin" || actor.role === "system") return item;
    if (actor.role === "auditor") {
      if (write) throw new AppError("forbidden", "auditors read comments and write none");
      return item;
    }
    if (actor.role === "broadcaster") throw new AppError("forbidden", "broadcasters read their station's scripts only");
    if (actor.agencyId === item.agency_id) return item;
    // DOST follows every agency's work (plan tasks 6.1, 6.2): its officers and approvers comment on any item.
    if (await inDost(db, actor)) return item;
    throw notFound("item");
  }

  /** Who may be mentioned on this item: its agency's officers and approvers, DOST's, and admins (active users). */
  async function mentionable(agencyId: string) {
    return db
      .selectFrom("users")
      .leftJoin("agencies", "agencies.id", "users.agency_id")
      .select(["users.id", "users.email", "users.role"])
      .where("users.deactivated_at", "is", null)
      .where((eb) =>
        eb.or([
          eb("users.role", "=", "admin"),
          eb.and([
            eb("users.role", "in", ["officer", "approver"]),
            eb.or([eb("users.agency_id", "=", agencyId), eb("agencies.kind", "=", "dost")]),
          ]),
        ]),
      )
      .execute();
  }

  function tree(rows: Omit<Comment, "replies">[]): Comment[] {
    const byId = new Map<string, Comment>(rows.map((r) => [r.id, { ...r, replies: [] }]));
    const roots: Comment[] = [];
    for (const c of byId.values()) {
      const parent = c.parentId ? byId.get(c.parentId) : undefined;
      if (parent) parent.replies.push(c);
      else roots.push(c);
    }
    return roots;
  }

  return {
    async list(actor: Actor, itemId: string): Promise<Comment[]> {
      await access(actor, itemId, false);
      const rows = await db
        .selectFrom("item_comments")
        .leftJoin("users", "users.id", "item_comments.author_id")
        .selectAll("item_comments")
        .select("users.name as author_name")
        .where("item_id", "=", itemId)
        .orderBy("item_comments.created_at")
        .orderBy("item_comments.id")
        .execute();
      return tree(
        rows.map((r) => ({
          id: r.id,
          itemId: r.item_id,
          parentId: r.parent_id,
          authorId: r.author_id,
          authorName: r.author_name,
          body: r.body,
          mentions: JSON.parse(r.mentions) as string[],
          createdAt: r.created_at,
        })),
      );
    },

    async create(actor: Actor, itemId: string, input: NewComment): Promise<Omit<Comment, "replies">> {
      const item = await access(actor, itemId, true);
      if (input.parentId) {
        const parent = await db.selectFrom("item_comments").select("item_id").where("id", "=", input.parentId).executeTakeFirst();
        if (parent?.item_id !== itemId) throw new AppError("unprocessable", "no comment of this item with this id", { field: "parentId" });
      }
      const candidates = await mentionable(item.agency_id);
      const handles = new Set([...input.body.matchAll(MENTION)].map((m) => (m[1] ?? "").toLowerCase()));
      const mentioned = candidates
        .filter((u) => handles.has(u.id.toLowerCase()) || (u.email && handles.has(u.email.split("@")[0]?.toLowerCase() ?? "")))
        .filter((u) => u.id !== actor.id);
      const now = clock.now();
      const row = {
        id: crypto.randomUUID(),
        item_id: itemId,
        agency_id: item.agency_id,
        parent_id: input.parentId ?? null,
        author_id: actor.id,
        body: input.body,
        mentions: JSON.stringify(mentioned.map((u) => u.id)),
        created_at: now,
      };
      await db.insertInto("item_comments").values(row).execute();
      const title = `${actor.name} nhắc đến bạn trong bình luận về "${item.title}"`;
      const fresh = await notifyUsers(db, {
        agencyId: item.agency_id,
        userIds: mentioned.map((u) => u.id),
        kind: "mention",
        key: `mention:${row.id}`,
        period: localDate(now),
        title,
        body: input.body,
        data: { itemId, commentId: row.id },
        at: now,
      });
      await emailNotice(
        db,
        log,
        mailer,
        mentioned.filter((u) => fresh.includes(u.id)),
        title,
        input.body,
        fresh.map((id) => `mention:${row.id}:${id}`),
        { commentId: row.id },
      );
      return {
        id: row.id,
        itemId,
        parentId: row.parent_id,
        authorId: actor.id,
        authorName: actor.name,
        body: row.body,
        mentions: mentioned.map((u) => u.id),
        createdAt: now,
      };
    },
  };
}
export type Comments = ReturnType<typeof createComments>;
