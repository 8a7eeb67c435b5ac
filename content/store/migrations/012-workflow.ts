import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * The editorial workflow (issue 12, first half): each agency's approval setting; the approved
 * version's content hash and the status an archived item had; every status transition of an item
 * (who, when, comment); threaded comments; notifications addressed to one user and who read what;
 * outgoing webhooks, their events and each attempt; the agency of an audit line.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema
    .alterTable("agencies")
    .addColumn("approval", "text", (c) => c.notNull().defaultTo("required"))
    .execute();
  await db.schema.alterTable("items").addColumn("approved_hash", "text").execute();
  await db.schema.alterTable("items").addColumn("archived_from", "text").execute();
  await db.schema
    .createTable("item_transitions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("actor_id", "text", (c) => c.notNull())
    .addColumn("comment", "text")
    .addColumn("content_hash", "text")
    .addColumn("occurred_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("item_transitions_item").on("item_transitions").columns(["item_id", "occurred_at"]).execute();

  await db.schema
    .createTable("item_comments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("parent_id", "text")
    .addColumn("author_id", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("mentions", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("item_comments_item").on("item_comments").columns(["item_id", "created_at"]).execute();

  // A notification for one user (an alert to an item's author, a mention); null: the whole agency.
  await db.schema.alterTable("notifications").addColumn("user_id", "text").execute();
  await db.schema
    .createTable("notification_reads")
    .addColumn("notification_id", "text", (c) => c.notNull().references("notifications.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("read_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("notification_reads_pk", ["notification_id", "user_id"])
    .execute();

  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text")
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("paused_at", ts)
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  // One row per event per subscriber: the idempotency key makes a repeated event a no-op.
  await db.schema
    .createTable("webhook_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("event_key", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_at", ts, (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addUniqueConstraint("webhook_events_once", ["webhook_id", "event_key"])
    .execute();
  await db.schema.createIndex("webhook_events_due").on("webhook_events").columns(["status", "next_at"]).execute();
  await db.schema
    .createTable("webhook_attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull().references("webhook_events.id").onDelete("cascade"))
    .addColumn("webhook_id", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("attempted_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhook_attempts_hook").on("webhook_attempts").columns(["webhook_id", "attempted_at"]).execute();
  // The agency a line concerns, written when known (an item deleted since keeps its agency here).
  await db.schema.alterTable("audit_log").addColumn("agency_id", "text").execute();
  await db.schema.createIndex("audit_log_time").on("audit_log").columns(["occurred_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("audit_log_time").execute();
  await db.schema.alterTable("audit_log").dropColumn("agency_id").execute();
  for (const t of ["webhook_attempts", "webhook_events", "webhooks", "notification_reads", "item_comments", "item_transitions"])
    await db.schema.dropTable(t).execute();
  await db.schema.alterTable("notifications").dropColumn("user_id").execute();
  await db.schema.alterTable("items").dropColumn("archived_from").execute();
  await db.schema.alterTable("items").dropColumn("approved_hash").execute();
  await db.schema.alterTable("agencies").dropColumn("approval").execute();
}
