import type { Kysely } from "kysely";
import { seedCommunes } from "../../directory/communes-seed.js";
import type { Db } from "../db.js";
import { timestampType } from "./column-types.js";

/**
 * Grassroots broadcasting (issue 11): the communes and wards of July 2025 on databases seeded before
 * them; broadcasters' stations; the items' broadcast attributes (priority, validity, the officer's
 * read-aloud text); frozen weekly scripts; airings; synthesised audio; programme rundowns; and the
 * source of each publication.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  // A fresh database gets them from the plan's seed, which runs after the migrations; an existing one here.
  const seeded = await (db as unknown as Db).selectFrom("agencies").select("id").limit(1).executeTakeFirst();
  if (seeded) await seedCommunes(db as unknown as Db);

  await db.schema
    .createTable("user_stations")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("user_stations_pk", ["user_id", "channel_id"])
    .execute();

  await db.schema
    .createTable("broadcast_items")
    .addColumn("item_id", "text", (c) => c.primaryKey().references("items.id").onDelete("cascade"))
    .addColumn("priority", "text", (c) => c.notNull())
    .addColumn("valid_from", ts)
    .addColumn("valid_until", ts)
    .addColumn("read_aloud", "text")
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();

  // Written once when the week starts and never changed: what was on the script then.
  await db.schema
    .createTable("broadcast_scripts")
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("frozen_at", ts, (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("broadcast_scripts_pk", ["channel_id", "week"])
    .execute();

  await db.schema
    .createTable("broadcast_airings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("channel_id", "text", (c) => c.notNull().references("channels.id").onDelete("cascade"))
    .addColumn("week", "text", (c) => c.notNull())
    .addColumn("item_id", "text", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull())
    .addColumn("aired_at", ts, (c) => c.notNull())
    .addColumn("confirmed_by", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addUniqueConstraint("broadcast_airings_once", ["delivery_id", "aired_at"])
    .execute();
  await db.schema.createIndex("broadcast_airings_week").on("broadcast_airings").columns(["channel_id", "week"]).execute();

  // Rendered audio by the hash of what went into it (text, voice, engine; or the recording): made once.
  await db.schema
    .createTable("broadcast_audio")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("storage_key", "text", (c) => c.notNull())
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("synthetic", "integer", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("programme_rundowns")
    .addColumn("item_id", "text", (c) => c.primaryKey().references("items.id").onDelete("cascade"))
    .addColumn("segments", "text", (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();

  // Who stands behind a publication: Loa's delivery, self-reported evidence, a broadcaster's confirmation, a board.
  await db.schema.alterTable("publications").addColumn("source", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("publications").dropColumn("source").execute();
  for (const t of ["programme_rundowns", "broadcast_audio", "broadcast_airings", "broadcast_scripts", "broadcast_items", "user_stations"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
