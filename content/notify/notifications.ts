import crypto from "node:crypto";
import { readScope } from "../access.js";
import { notFound } from "../errors.js";
import type { Actor } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { Mailer } from "../ports/mailer.js";
import type { Db } from "../store/db.js";

/** One notification addressed to users (each gets their own row, so each reads it on their own). */
export interface UserNotice {
  agencyId: string;
  userIds: string[];
  kind: string;
  /** Unique per event; each user's row is keyed `<key>:<userId>`, so the same event notifies each user once. */
  key: string;
  period: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  at: Date;
}

/** Inserts one row per user; answers the ids of the users notified now (not those notified of this event before). */
export async function notifyUsers(db: Db, n: UserNotice): Promise<string[]> {
  const fresh: string[] = [];
  for (const userId of [...new Set(n.userIds)]) {
    const inserted = await db
      .insertInto("notifications")
      .values({
        id: crypto.randomUUID(),
        agency_id: n.agencyId,
        user_id: userId,
        kind: n.kind,
        period: n.period,
        dedupe_key: `${n.key}:${userId}`,
        title: n.title,
        body: n.body,
        data: JSON.stringify(n.data),
        webhook_status: null,
        email_status: null,
        created_at: n.at,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) fresh.push(userId);
  }
  return fresh;
}

/**
 * E-mails a notice to the users it notified (those with an address), when SMTP is configured, and
 * records on their rows (`rowKeys`) whether it went; a failure is logged with `context`.
 */
export async function emailNotice(
  db: Db,
  log: Log,
  mailer: Mailer | undefined,
  users: { email: string | null }[],
  subject: string,
  text: string,
  rowKeys: string[],
  context: Record<string, unknown>,
): Promise<void> {
  if (!mailer) return;
  const to = users.flatMap((u) => (u.email ? [u.email] : []));
  if (to.length === 0) return;
  const status = await mailer.send(to, subject, text).then(
    () => "sent",
    (err: Error) => `failed: ${err.message}`.slice(0, 500),
  );
  if (status !== "sent") log.warn({ ...context, status }, "a notification e-mail was not delivered");
  await db.updateTable("notifications").set({ email_status: status }).where("dedupe_key", "in", rowKeys).execute();
}

/** The active users of an agency with one of these roles. */
export async function agencyUsers(db: Db, agencyId: string, roles: string[]): Promise<{ id: string; email: string | null }[]> {
  return db
    .selectFrom("users")
    .select(["id", "email"])
    .where("agency_id", "=", agencyId)
    .where("role", "in", roles)
    .where("deactivated_at", "is", null)
    .orderBy("id")
    .execute();
}

/** Reading notifications: a user's own and their agency's; marking them read, per user. */
export function createNotificationReads(db: Db, clock: Clock) {
  /** Notifications the actor may read: admins and auditors all; others their agency's and their own (none addressed to someone else). */
  async function readable(actor: Actor, id: string) {
    const row = await db.selectFrom("notifications").select(["id", "agency_id", "user_id"]).where("id", "=", id).executeTakeFirst();
    const scope = readScope(actor);
    if (!row) throw notFound("notification");
    if (scope !== "all" && (row.user_id === null ? row.agency_id !== scope.agencyId : row.user_id !== actor.id))
      throw notFound("notification");
    return row;
  }
  return {
    /** `POST /api/notifications/:id/read`. */
    async markRead(actor: Actor, id: string): Promise<{ id: string; readAt: Date }> {
      await readable(actor, id);
      const now = clock.now();
      await db
        .insertInto("notification_reads")
        .values({ notification_id: id, user_id: actor.id, read_at: now })
        .onConflict((oc) => oc.columns(["notification_id", "user_id"]).doNothing())
        .execute();
      const row = await db
        .selectFrom("notification_reads")
        .select("read_at")
        .where("notification_id", "=", id)
        .where("user_id", "=", actor.id)
        .executeTakeFirstOrThrow();
      return { id, readAt: row.read_at };
    },
  };
}
export type NotificationReads = ReturnType<typeof createNotificationReads>;
