import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/** Per-channel text overrides on items; token expiry and reconnection on channels; OAuth connect states. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema
    .alterTable("items")
    .addColumn("variants", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await db.schema.alterTable("channels").addColumn("token_expires_at", ts).execute();
  await db.schema.alterTable("channels").addColumn("reconnect_reason", "text").execute();
  await db.schema.alterTable("channels").addColumn("reconnect_flagged_at", ts).execute();
  await db.schema
    .createTable("oauth_states")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addColumn("verifier", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("oauth_states").ifExists().execute();
  await db.schema.alterTable("channels").dropColumn("reconnect_flagged_at").execute();
  await db.schema.alterTable("channels").dropColumn("reconnect_reason").execute();
  await db.schema.alterTable("channels").dropColumn("token_expires_at").execute();
  await db.schema.alterTable("items").dropColumn("variants").execute();
}
