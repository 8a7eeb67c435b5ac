import { type Migration, type MigrationProvider, Migrator } from "kysely";
import type { Db } from "./db.js";
import * as m001 from "./migrations/001-init.js";
import * as m002 from "./migrations/002-compliance.js";
import * as m003 from "./migrations/003-media.js";
import * as m004 from "./migrations/004-channels.js";
import * as m005 from "./migrations/005-credentials.js";
import * as m007 from "./migrations/007-provider-endpoints.js";
import * as m009 from "./migrations/009-broadcast.js";
import * as m010 from "./migrations/010-claim-lease.js";
import * as m011 from "./migrations/011-campaigns.js";
import * as m012 from "./migrations/012-workflow.js";
import * as m013 from "./migrations/013-planning.js";
import * as m014 from "./migrations/014-web-sessions.js";
import * as m015 from "./migrations/015-delivery-calendar.js";

/** Migrations are listed here rather than read from disk, so they work the same from source and bundles. */
const migrations: Record<string, Migration> = {
  "001-init": m001,
  "002-compliance": m002,
  "003-media": m003,
  "004-channels": m004,
  "005-credentials": m005,
  // 006 was reserved for issue 9's claim leases, which landed as 010.
  "007-provider-endpoints": m007,
  // 008 was reserved for issue 10 (SMS campaigns), which landed as 011.
  "009-broadcast": m009,
  "010-claim-lease": m010,
  "011-campaigns": m011,
  "012-workflow": m012,
  "013-planning": m013,
  "014-web-sessions": m014,
  "015-delivery-calendar": m015,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies every pending migration (or those up to `target`, for tests of upgrades); run at every start and by `npm run migrate`. */
export async function migrate(db: Db, schema?: string, target?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "loa_migrations",
    migrationLockTableName: "loa_migrations_lock",
    // Kysely looks for its own tables across every schema unless told which one is ours.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
    if (error && attempt < 20 && schemaVanished(error)) {
      await new Promise((r) => setTimeout(r, 20 * attempt));
      continue;
    }
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  }
}

/**
 * Kysely's migrator first lists the tables of every schema, looking each one up by name
 * (`has_schema_privilege`, `pg_get_serial_sequence`); a schema another client drops during that scan
 * (another tenant, a test tearing down its own) fails the scan with 3F000 although ours is intact.
 * Nothing has been applied then, so the scan is simply run again.
 */
const schemaVanished = (error: unknown) => (error as { code?: string } | null)?.code === "3F000";
