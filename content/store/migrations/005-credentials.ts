import { type Kysely, sql } from "kysely";
import { timestampType } from "./column-types.js";

/** Tokens issued before this migration get the default lifetime from now on (the configured admin token excepted). */
const EXISTING_TOKEN_LIFETIME_MS = 90 * 86_400_000;

/** Token names and expiry, deactivated users, and the user who started each OAuth connect flow. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema.alterTable("tokens").addColumn("name", "text").execute();
  await db.schema.alterTable("tokens").addColumn("expires_at", ts).execute();
  await db.schema.createIndex("tokens_user").on("tokens").column("user_id").execute();
  await db.schema.alterTable("users").addColumn("deactivated_at", ts).execute();
  await db.schema.alterTable("oauth_states").addColumn("user_id", "text").execute();
  const expires = new Date(Date.now() + EXISTING_TOKEN_LIFETIME_MS);
  await sql`update tokens set expires_at = ${expires} where id <> 'admin-env' and revoked_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("oauth_states").dropColumn("user_id").execute();
  await db.schema.alterTable("users").dropColumn("deactivated_at").execute();
  await db.schema.dropIndex("tokens_user").execute();
  await db.schema.alterTable("tokens").dropColumn("expires_at").execute();
  await db.schema.alterTable("tokens").dropColumn("name").execute();
}
