import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Config } from "../../content/config.js";

export type DbKind = "sqlite" | "postgres";
export const DB_KINDS: DbKind[] = ["sqlite", "postgres"];

/** Tests talk to the machine's PostgreSQL (trust auth, database `test`) unless told otherwise. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const uniqueName = (prefix: string) => `${prefix}_${crypto.randomBytes(5).toString("hex")}`;

/** A fresh, empty database of the given kind, and how to throw it away. */
export function testDatabase(kind: DbKind): {
  database: Config["database"];
  env: Record<string, string>;
  dataDir: string;
  drop(): Promise<void>;
} {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-test-"));
  if (kind === "sqlite") {
    return {
      database: { kind: "sqlite", file: path.join(dataDir, "loa.db") },
      env: { DATA_DIR: dataDir },
      dataDir,
      async drop() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueName("t");
  return {
    database: { kind: "postgres", url: TEST_PG_URL, schema },
    env: { DATA_DIR: dataDir, DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: schema },
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
