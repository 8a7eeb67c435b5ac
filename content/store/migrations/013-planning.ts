import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * Planning (issue 12, second half): the calendar's range query by agency and time, recurring
 * deliveries with one row per occurrence created, and private iCal feeds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  // The calendar reads one agency's deliveries by scheduled time (and a channel's, for free slots).
  await db.schema.createIndex("deliveries_agency_scheduled").on("deliveries").columns(["agency_id", "scheduled_at"]).execute();
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("calendar_feeds").execute();
  await db.schema.dropTable("recurrence_deliveries").execute();
  await db.schema.dropTable("recurrences").execute();
  await db.schema.dropIndex("deliveries_channel_scheduled").execute();
  await db.schema.dropIndex("deliveries_agency_scheduled").execute();
}
