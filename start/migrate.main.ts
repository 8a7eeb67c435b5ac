// `npm run migrate`: applies pending migrations to the configured database and exits.

import { seedPlan } from "../content/compliance/plan-seed.js";
import { loadConfig } from "../content/config.js";
import { openDb } from "../content/store/db.js";
import { migrate } from "../content/store/migrate.js";

const config = loadConfig(process.env);
const { db, close } = await openDb(config.database);
try {
  const applied = await migrate(db, config.database.kind === "postgres" ? config.database.schema : undefined);
  const seeded = await seedPlan(db);
  process.stdout.write(`migrations applied: ${applied.length ? applied.join(", ") : "none pending"}${seeded ? "; plan seeded" : ""}\n`);
} finally {
  await close();
}
