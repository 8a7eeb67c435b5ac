import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * Compliance: the publications that count (delivered by Loa or self-reported as evidence), their
 * per-task tally with the Asia/Ho_Chi_Minh week, month and year precomputed, declared exemptions,
 * frozen period records, notifications, and an e-mail address for users.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);

  await db.schema
    .createTable("publications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id"))
    .addColumn("channel_kind", "text", (c) => c.notNull())
    .addColumn("channel_id", "text")
    .addColumn("delivery_id", "text", (c) => c.unique())
    .addColumn("published_at", ts, (c) => c.notNull())
    .addColumn("url", "text")
    .addColumn("self_reported", "integer", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("evidence_name", "text")
    .addColumn("evidence_type", "text")
    .addColumn("evidence_sha256", "text")
    .addColumn("evidence_bytes", "integer")
    .addColumn("recorded_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("publications_item").on("publications").columns(["item_id", "published_at"]).execute();
  await db.schema.createIndex("publications_agency").on("publications").columns(["agency_id", "published_at"]).execute();

  // One row per publication × task code of its item: what the matrix counts, read from its index alone.
  await db.schema
    .createTable("publication_tasks")
    .addColumn("publication_id", "text", (c) => c.notNull().references("publications.id").onDelete("cascade"))
    .addColumn("task_code", "text", (c) => c.notNull())
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("item_kind", "text", (c) => c.notNull())
    .addColumn("channel_kind", "text", (c) => c.notNull())
    .addColumn("self_reported", "integer", (c) => c.notNull())
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("year", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("publication_tasks_pk", ["publication_id", "task_code"])
    .execute();
  const covering = ["agency_id", "item_id", "item_kind", "channel_kind", "self_reported"];
  await db.schema
    .createIndex("publication_tasks_week")
    .on("publication_tasks")
    .columns(["task_code", "week", ...covering])
    .execute();
  await db.schema
    .createIndex("publication_tasks_month")
    .on("publication_tasks")
    .columns(["task_code", "month", ...covering])
    .execute();

  // One row per task × ISO week × item, with bit masks of the channel kinds it went out on (by Loa and
  // self-reported): weekly matrices count rows instead of distinct items, reading this index alone.
  await db.schema
    .createTable("publication_weeks")
    .addColumn("task_code", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("item_kind", "text", (c) => c.notNull())
    .addColumn("loa_mask", "integer", (c) => c.notNull())
    .addColumn("self_mask", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("publication_weeks_pk", ["task_code", "item_id", "week"])
    .execute();
  await db.schema
    .createIndex("publication_weeks_matrix")
    .on("publication_weeks")
    .columns(["task_code", "week", "agency_id", "item_kind", "loa_mask", "self_mask"])
    .execute();

  await db.schema
    .createTable("exemptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("obligation_id", "text", (c) => c.references("obligations.id"))
    .addColumn("agency_id", "text", (c) => c.references("agencies.id"))
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("exemptions_period").on("exemptions").column("period").execute();

  // Frozen, never updated: the primary key makes closing a period twice a no-op.
  await db.schema
    .createTable("closed_periods")
    .addColumn("obligation_id", "text", (c) => c.notNull().references("obligations.id"))
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("task_code", "text", (c) => c.notNull())
    .addColumn("min_count", "integer", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("self_reported", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("item_ids", "text", (c) => c.notNull())
    .addColumn("publication_ids", "text", (c) => c.notNull())
    .addColumn("computed_at", ts, (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("closed_periods_pk", ["obligation_id", "period", "agency_id"])
    .execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("webhook_status", "text")
    .addColumn("email_status", "text")
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notifications_agency").on("notifications").columns(["agency_id", "created_at"]).execute();

  await db.schema.alterTable("users").addColumn("email", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("email").execute();
  for (const table of ["notifications", "closed_periods", "exemptions", "publication_weeks", "publication_tasks", "publications"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
