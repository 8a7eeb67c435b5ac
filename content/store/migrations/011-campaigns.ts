import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/** SMS and Zalo ZNS campaigns (issue 10): recipient lists, opt-outs, campaigns, per-recipient rows, gateway message ids. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema
    .createTable("recipient_lists")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("accepted", "integer", (c) => c.notNull())
    .addColumn("converted", "integer", (c) => c.notNull())
    .addColumn("duplicates", "integer", (c) => c.notNull())
    .addColumn("refused", "integer", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("recipient_entries")
    .addColumn("list_id", "text", (c) => c.notNull().references("recipient_lists.id").onDelete("cascade"))
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("commune", "text")
    .addColumn("row_number", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("recipient_entries_pk", ["list_id", "phone"])
    .execute();
  await db.schema.createIndex("recipient_entries_row").on("recipient_entries").columns(["list_id", "row_number"]).execute();
  await db.schema
    .createTable("sms_opt_outs")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("sms_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("campaigns")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull().unique())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("fallback_channel_id", "text")
    .addColumn("list_id", "text", (c) => c.notNull())
    .addColumn("commune", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("encoding", "text", (c) => c.notNull())
    .addColumn("segments", "integer", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("totals", "text")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("started_at", ts)
    .addColumn("finished_at", ts)
    .addColumn("purged_at", ts)
    .execute();
  await db.schema
    .createTable("campaign_recipients")
    .addColumn("campaign_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("via", "text")
    .addColumn("parts", "integer", (c) => c.notNull())
    .addColumn("parts_done", "integer", (c) => c.notNull())
    .addColumn("parts_delivered", "integer", (c) => c.notNull())
    .addColumn("sent_day", "text")
    .addColumn("sent_at", ts)
    .addColumn("done_at", ts)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("campaign_recipients_pk", ["campaign_id", "seq"])
    .execute();
  await db.schema.createIndex("campaign_recipients_status").on("campaign_recipients").columns(["campaign_id", "status"]).execute();
  await db.schema.createIndex("campaign_recipients_day").on("campaign_recipients").columns(["phone", "sent_day"]).execute();
  await db.schema
    .createTable("sms_message_ids")
    .addColumn("channel_id", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("campaign_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("part", "integer", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("sms_message_ids_pk", ["channel_id", "key", "campaign_id", "seq", "part"])
    .execute();
  // A receipt takes every form of its part's id at once.
  await db.schema.createIndex("sms_message_ids_part").on("sms_message_ids").columns(["campaign_id", "seq", "part"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    "sms_message_ids",
    "campaign_recipients",
    "campaigns",
    "sms_keys",
    "sms_opt_outs",
    "recipient_entries",
    "recipient_lists",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
