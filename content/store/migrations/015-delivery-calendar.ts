import type { Kysely } from "kysely";

/**
 * An agency's deliveries by time (issue 14, performance): the calendar and `GET /api/deliveries`
 * read one agency's deliveries ordered by `run_at`; without this index they scan every agency's
 * deliveries of a status (the `deliveries_due` index) at national scale.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("deliveries_agency_run").on("deliveries").columns(["agency_id", "run_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("deliveries_agency_run").execute();
}
