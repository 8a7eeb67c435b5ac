import type { Kysely } from "kysely";
import { timestampType } from "./column-types.js";

/**
 * Claim leases (issue 9, reliability): a claimed delivery carries the worker that holds it
 * (`lease_owner`) and until when (`lease_until`), renewed by that worker's heartbeat while the
 * provider call runs. The reconciler finds a dead worker's claims by their expired lease, within
 * seconds, instead of waiting for the channel's timeout and a grace.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const ts = timestampType(db);
  await db.schema.alterTable("deliveries").addColumn("lease_until", ts).execute();
  await db.schema.alterTable("deliveries").addColumn("lease_owner", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("deliveries").dropColumn("lease_owner").execute();
  await db.schema.alterTable("deliveries").dropColumn("lease_until").execute();
}
