// Kysely's migrator scans every schema's tables by name; a schema another client drops during the scan
// (another tenant of the server, a test tearing down) must not fail Loa's start.
import pg from "pg";
import { expect, it } from "vitest";
import { openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import { TEST_PG_URL, uniqueName } from "../helpers/db.js";

it("migrates while other schemas are created and dropped around it", async () => {
  const churn = new pg.Client({ connectionString: TEST_PG_URL });
  await churn.connect();
  let stop = false;
  const churning = (async () => {
    while (!stop) {
      const other = uniqueName("churn");
      await churn.query(`CREATE SCHEMA "${other}"; CREATE TABLE "${other}".t (id serial primary key, a text, b text, c text)`);
      await churn.query(`DROP SCHEMA "${other}" CASCADE`);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const schemas: string[] = [];
  try {
    for (let k = 0; k < 8; k++) {
      const schema = uniqueName("t");
      schemas.push(schema);
      const opened = await openDb({ kind: "postgres", url: TEST_PG_URL, schema });
      try {
        expect((await migrate(opened.db, schema)).length).toBeGreaterThan(10);
      } finally {
        await opened.close();
      }
    }
  } finally {
    stop = true;
    await churning;
    for (const schema of schemas) await churn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await churn.end();
  }
}, 120_000);
