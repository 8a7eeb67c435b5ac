import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * Planning (issue 12, second half): the calendar's range query by agency and time, recurring
 * deliveries with one row per occurrence created, private iCal feeds, the shared library and communication events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  // The calendar reads one agency's deliveries by scheduled time (and a channel's, for free slots).
  await db.schema.createIndex("deliveries_agency_scheduled").on("deliveries").columns(["agency_id", "scheduled_at", "id"]).execute();
  await db.schema.createIndex("deliveries_channel_scheduled").on("deliveries").columns(["channel_id", "scheduled_at"]).execute();

  await db.schema
    .createTable("recurrences")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("every", "text", (c) => c.notNull())
    .addColumn("interval", "integer", (c) => c.notNull())
    .addColumn("first_at", ts, (c) => c.notNull())
    .addColumn("until_date", "text")
    .addColumn("count", "integer")
    .addColumn("next_index", "integer", (c) => c.notNull())
    .addColumn("next_at", ts)
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("stopped_at", ts)
    .execute();
  await db.schema.createIndex("recurrences_next").on("recurrences").column("next_at").execute();
  await db.schema.createIndex("recurrences_item").on("recurrences").column("item_id").execute();

  await db.schema
    .createTable("recurrence_deliveries")
    .addColumn("recurrence_id", "text", (c) => c.notNull().references("recurrences.id").onDelete("cascade"))
    .addColumn("occurrence", "integer", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull().references("deliveries.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("recurrence_deliveries_pk", ["recurrence_id", "occurrence"])
    .execute();

  await db.schema
    .createTable("calendar_feeds")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("revoked_at", ts)
    .execute();

  // The shared library (plan tasks 6.1, 6.2): materials DOST and the city office publish, and the copies agencies make.
  await db.schema
    .createTable("library_materials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("summary", "text")
    .addColumn("topics", "text", (c) => c.notNull())
    .addColumn("valid_from", "text", (c) => c.notNull())
    .addColumn("valid_to", "text")
    .addColumn("search_text", "text", (c) => c.notNull())
    .addColumn("published_by", "text", (c) => c.notNull())
    .addColumn("published_at", ts, (c) => c.notNull())
    .addColumn("withdrawn_at", ts)
    .execute();
  await db.schema.createIndex("library_materials_valid").on("library_materials").columns(["valid_from", "valid_to"]).execute();
  await db.schema
    .createTable("library_copies")
    .addColumn("item_id", "text", (c) => c.primaryKey().references("items.id").onDelete("cascade"))
    .addColumn("material_id", "text", (c) => c.notNull().references("library_materials.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("copied_by", "text", (c) => c.notNull())
    .addColumn("copied_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("library_copies_material").on("library_copies").columns(["material_id", "agency_id"]).execute();

  // Communication events (plan tasks 3.1, 3.2): a window, targets, and the items agencies publish for it.
  await db.schema
    .createTable("events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("starts_on", "text", (c) => c.notNull())
    .addColumn("ends_on", "text", (c) => c.notNull())
    .addColumn("targets", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("event_items")
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("added_by", "text", (c) => c.notNull())
    .addColumn("added_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("event_items_pk", ["event_id", "item_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("event_items").execute();
  await db.schema.dropTable("events").execute();
  await db.schema.dropTable("library_copies").execute();
  await db.schema.dropTable("library_materials").execute();
  await db.schema.dropTable("calendar_feeds").execute();
  await db.schema.dropTable("recurrence_deliveries").execute();
  await db.schema.dropTable("recurrences").execute();
  await db.schema.dropIndex("deliveries_channel_scheduled").execute();
  await db.schema.dropIndex("deliveries_agency_scheduled").execute();
}
