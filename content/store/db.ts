// content/store/: the database — Kysely over SQLite or PostgreSQL, its schema, row mappers and migrations.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresDialect,
  PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type UnknownRow,
  ValueNode,
} from "kysely";
import pg from "pg";
import type { Config } from "../config.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;
export type DbKind = Config["database"]["kind"];

/** SQLite has no timestamp type: `Date` parameters become ISO 8601 UTC text (which sorts in time order). */
class DatesAsIsoText extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const v = node.value;
    return v instanceof Date ? ValueNode.create(v.toISOString()) : super.transformValue(node);
  }
  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return PrimitiveValueListNode.create(node.values.map((v) => (v instanceof Date ? v.toISOString() : v)));
  }
}

/** …and the `*_at` columns (and `lease_until`) come back as `Date`, as they do from PostgreSQL. */
class SqliteDatesPlugin implements KyselyPlugin {
  readonly #transformer = new DatesAsIsoText();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        const v = row[key];
        // `lease_until` is the claim lease's instant (migration 010), named as the reliability issue names it.
        if ((key.endsWith("_at") || key === "lease_until") && typeof v === "string") row[key] = new Date(v);
      }
    }
    return args.result;
  }
}

// PostgreSQL's bigint/numeric (count(*), sum) arrive as strings by default; Loa's counts fit a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface OpenedDb {
  db: Db;
  kind: DbKind;
  /** Statements run so far through `db` (the benchmarks count queries per delivery with it). */
  queries(): number;
  close(): Promise<void>;
}

/**
 * SQLite ends a transaction by itself when a write fails for want of space (`SQLITE_FULL`) or memory;
 * Kysely's ROLLBACK then fails ("no transaction is active") and hides the error that matters. The
 * rollback is skipped when SQLite has already rolled back, so the caller sees `SQLITE_FULL`.
 */
class SqliteRollbackDriver extends SqliteDriver {
  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly sqlite: SQLite.Database,
  ) {
    super(config);
  }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class SqliteRollbackDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: keptStatements(sqlite) });
  }
  override createDriver(): Driver {
    return new SqliteRollbackDriver({ database: keptStatements(this.sqlite) }, this.sqlite);
  }
}

/** How many compiled statements are kept: Loa's queries, with their `IN (…)` lists of a few lengths. */
const STATEMENTS_KEPT = 1_000;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, and compiling the SQL was a tenth of the
 * publish path's time: the compiled statements are kept by their text (the most recently used ones).
 * SQLite recompiles a kept statement by itself after a schema change. Kysely never iterates a
 * statement here (no streamed queries), so a kept one is never busy when used again.
 */
function keptStatements(sqlite: SQLite.Database): SqliteDialectConfig["database"] {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = kept.get(text);
      if (stmt) kept.delete(text);
      else stmt = sqlite.prepare(text);
      kept.set(text, stmt);
      if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
      return stmt;
    },
  } as SqliteDialectConfig["database"];
}

/** Counts the statements Kysely runs (its `log` hook is called once per query, after it ran). */
function queryCounter(): { log: () => void; queries: () => number } {
  let n = 0;
  return {
    log: () => {
      n++;
    },
    queries: () => n,
  };
}

/** Opens the configured database: SQLite in the data dir by default, PostgreSQL when `DATABASE_URL` is set. */
export async function openDb(database: Config["database"]): Promise<OpenedDb> {
  if (database.kind === "sqlite") {
    fs.mkdirSync(path.dirname(database.file), { recursive: true });
    const sqlite = new SQLite(database.file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("synchronous = NORMAL");
    const counter = queryCounter();
    const db = new Kysely<Database>({
      dialect: new SqliteRollbackDialect(sqlite),
      plugins: [new SqliteDatesPlugin()],
      log: counter.log,
    });
    return { db, kind: "sqlite", queries: counter.queries, close: () => db.destroy() };
  }
  const schema = database.schema;
  if (schema !== "public") {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: database.url,
    max: database.poolSize ?? 10,
    options: `-c search_path="${schema}" -c TimeZone=UTC`,
    // A server that is restarting does not keep a query waiting forever for a connection.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection the server dropped (a restart, `pg_terminate_backend`, a cut network) leaves the
  // pool by itself and the next query opens a new one; unheard, the pool's 'error' would stop the process.
  pool.on("error", () => undefined);
  // The same for a connection lost while checked out (between a transaction's statements): its query
  // fails, the pool discards it on release.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const counter = queryCounter();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: counter.log });
  return { db, kind: "postgres", queries: counter.queries, close: () => db.destroy() };
}
