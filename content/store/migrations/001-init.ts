import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);

  await db.schema
    .createTable("agencies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("parent_id", "text", (c) => c.references("agencies.id"))
    .addColumn("valid_from", "text", (c) => c.notNull())
    .addColumn("valid_to", "text")
    .execute();

  await db.schema
    .createTable("obligations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("task_code", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("agency_kinds", "text", (c) => c.notNull())
    .addColumn("agency_ids", "text", (c) => c.notNull())
    .addColumn("item_kinds", "text", (c) => c.notNull())
    .addColumn("channel_kinds", "text", (c) => c.notNull())
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("min_count", "integer", (c) => c.notNull())
    .addColumn("valid_from", "text", (c) => c.notNull())
    .addColumn("valid_to", "text")
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("agency_id", "text", (c) => c.references("agencies.id"))
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("revoked_at", ts)
    .execute();

  await db.schema
    .createTable("channels")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("secret", "text")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("channels_agency").on("channels").column("agency_id").execute();

  await db.schema
    .createTable("items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.references("users.id"))
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("items_agency").on("items").columns(["agency_id", "created_at"]).execute();

  await db.schema
    .createTable("item_tasks")
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("task_code", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("item_tasks_pk", ["item_id", "task_code"])
    .execute();
  await db.schema.createIndex("item_tasks_task").on("item_tasks").columns(["task_code", "item_id"]).execute();

  await db.schema
    .createTable("deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id"))
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id"))
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("scheduled_at", ts, (c) => c.notNull())
    .addColumn("run_at", ts, (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("external_id", "text")
    .addColumn("url", "text")
    .addColumn("published_at", ts)
    .addColumn("claimed_at", ts)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("deliveries_due").on("deliveries").columns(["status", "run_at"]).execute();
  await db.schema.createIndex("deliveries_item").on("deliveries").column("item_id").execute();
  await db.schema.createIndex("deliveries_channel").on("deliveries").column("channel_id").execute();
  await db.schema.createIndex("deliveries_agency_published").on("deliveries").columns(["agency_id", "published_at"]).execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("occurred_at", ts, (c) => c.notNull())
    .addColumn("actor_id", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("entity", "text", (c) => c.notNull())
    .addColumn("entity_id", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_entity").on("audit_log").columns(["entity", "entity_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["audit_log", "deliveries", "item_tasks", "items", "channels", "tokens", "users", "obligations", "agencies"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
