import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * The web app's sign-in (issue 13): a user name (`login`, unique, case-folded) and an argon2id
 * password hash on users, and the server-side sessions behind the session cookie. A session is stored
 * by the SHA-256 of its cookie value, with the CSRF token the app sends back on every write and its
 * expiry; signing out or changing a password deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema.alterTable("users").addColumn("login", "text").execute();
  await db.schema.alterTable("users").addColumn("password_hash", "text").execute();
  await db.schema.createIndex("users_login").on("users").column("login").unique().execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
  await db.schema.createIndex("sessions_expiry").on("sessions").column("expires_at").execute();
}
