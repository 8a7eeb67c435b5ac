import { type Kysely, PostgresAdapter, sql } from "kysely";

/** Instants: `timestamptz` in PostgreSQL, ISO 8601 UTC text in SQLite (see `db.ts`'s plugin). */
export function timestampType(db: Kysely<unknown>) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? sql`timestamptz` : sql`text`;
}
