import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/** Uploaded files, their derived variants, which items carry them, and each agency's watermark logo. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);

  await db.schema
    .createTable("media")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("agency_id", "text", (c) => c.notNull().references("agencies.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("storage_key", "text", (c) => c.notNull())
    .addColumn("probe", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("progress", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("created_by", "text", (c) => c.references("users.id"))
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  // An identical file uploaded twice by the same agency is stored once.
  await db.schema.createIndex("media_agency_sha256").on("media").columns(["agency_id", "sha256"]).unique().execute();
  await db.schema.createIndex("media_status").on("media").columns(["status", "updated_at"]).execute();

  await db.schema
    .createTable("media_variants")
    .addColumn("media_id", "text", (c) => c.notNull().references("media.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("storage_key", "text", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    .addColumn("duration_ms", "integer")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("media_variants_pk", ["media_id", "name"])
    .execute();

  await db.schema
    .createTable("item_media")
    .addColumn("item_id", "text", (c) => c.notNull().references("items.id").onDelete("cascade"))
    .addColumn("media_id", "text", (c) => c.notNull().references("media.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("item_media_pk", ["item_id", "media_id"])
    .execute();
  await db.schema.createIndex("item_media_media").on("item_media").column("media_id").execute();

  await db.schema
    .createTable("agency_logos")
    .addColumn("agency_id", "text", (c) => c.primaryKey().references("agencies.id"))
    .addColumn("media_id", "text", (c) => c.notNull().references("media.id"))
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["agency_logos", "item_media", "media_variants", "media"]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
