// The compliance matrix on a large history: 1,000,000 deliveries of 60 agencies over three years
// (2023-W48 … 2026-W47), counted for the three weekly obligations (1.3, 1.4, 2.2). Times one year of
// weeks (2025-W01 … 2025-W52) per task through the use case the API calls, on SQLite and PostgreSQL.
// Usage: npm run bench compliance   (DELIVERIES=1000000 RUNS=7 by default; BENCH_DB=sqlite|postgres for one;
// KEEP=1 keeps the database for EXPLAIN)
import SQLite from "better-sqlite3";
import pg from "pg";
import { deliveryPublicationId, NO_EVIDENCE, tallyRows, weekRows } from "../../content/compliance/ledger.js";
import { createComplianceService } from "../../content/compliance/matrix.js";
import { obligationByTask } from "../../content/compliance/obligations.js";
import { seedPlan } from "../../content/compliance/plan-seed.js";
import { countDistinct, countTally } from "../../content/compliance/tallies.js";
import { SYSTEM } from "../../content/model.js";
import { type OpenedDb, openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import { type DbKind, testDatabase } from "../helpers/db.js";

const DELIVERIES = Number(process.env.DELIVERIES ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 7);
const BATCH = 5_000;
const START = Date.parse("2023-11-27T00:00:00+07:00"); // Monday of 2023-W48
const SPAN = 156 * 7 * 86_400_000; // three years of weeks
const NOW = new Date("2026-11-26T10:00:00+07:00");

/** A small deterministic generator, so that both databases get the same history. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Row = Record<string, string | number | null>;
interface Batch {
  items: Row[];
  item_tasks: Row[];
  deliveries: Row[];
  publications: Row[];
  publication_tasks: Row[];
  publication_weeks: Row[];
}

/** The 36 agencies added to the plan's 24: communes (2.2 and 1.3), departments (1.3) and press (1.4). */
function extraAgencies() {
  const out: { id: string; kind: string }[] = [];
  for (let i = 0; i < 24; i++) out.push({ id: `xa-${i}`, kind: "commune" });
  for (let i = 0; i < 8; i++) out.push({ id: `so-${i}`, kind: "department" });
  for (let i = 0; i < 4; i++) out.push({ id: `bao-${i}`, kind: "press" });
  return out;
}

const PLAN: Record<string, { task: string; items: string[]; channels: string[] }[]> = {
  department: [
    { task: "1.3", items: ["news", "photo", "infographic", "video"], channels: ["webhook", "facebook_page", "zalo_oa", "youtube"] },
  ],
  dost: [{ task: "1.3", items: ["news", "infographic"], channels: ["webhook", "facebook_page", "zalo_oa", "youtube"] }],
  city_office: [{ task: "1.3", items: ["news", "video"], channels: ["webhook", "facebook_page", "zalo_oa", "youtube"] }],
  press: [{ task: "1.4", items: ["programme", "radio", "video"], channels: ["radio_tv", "youtube", "facebook_page", "webhook"] }],
  commune: [
    { task: "2.2", items: ["news", "radio"], channels: ["loudspeaker", "bulletin_board", "zalo_oa", "webhook"] },
    { task: "1.3", items: ["news", "photo"], channels: ["loudspeaker", "bulletin_board", "zalo_oa", "webhook"] },
  ],
};

/** Generates the history in batches: each item goes out on one to three of its agency's channels. */
function* history(agencies: { id: string; kind: string }[]): Generator<Batch> {
  const rnd = mulberry32(20261126);
  const active = agencies.filter((a) => PLAN[a.kind]);
  let delivered = 0;
  let n = 0;
  let batch: Batch = { items: [], item_tasks: [], deliveries: [], publications: [], publication_tasks: [], publication_weeks: [] };
  while (delivered < DELIVERIES) {
    const agency = active[Math.floor(rnd() * active.length)] as { id: string; kind: string };
    const plans = PLAN[agency.kind] ?? [];
    const plan = plans[Math.floor(rnd() * plans.length)] as { task: string; items: string[]; channels: string[] };
    const itemId = `i${n++}`;
    const kind = plan.items[Math.floor(rnd() * plan.items.length)] as string;
    const at = START + Math.floor(rnd() * SPAN);
    const created = new Date(at - 3_600_000).toISOString();
    batch.items.push({
      id: itemId,
      agency_id: agency.id,
      kind,
      title: `Tin ${itemId}`,
      body: "…",
      status: "approved",
      created_by: null,
      created_at: created,
      updated_at: created,
    });
    batch.item_tasks.push({ item_id: itemId, task_code: plan.task });
    const copies = Math.min(DELIVERIES - delivered, 1 + Math.floor(rnd() * 3));
    const itemTally: ReturnType<typeof tallyRows> = [];
    for (let c = 0; c < copies; c++) {
      const channelKind = plan.channels[c] as string;
      const id = `d${delivered++}`;
      const publishedAt = new Date(at + c * 600_000);
      const published = rnd() < 0.92;
      batch.deliveries.push({
        id,
        item_id: itemId,
        channel_id: `${agency.id}:${channelKind}`,
        agency_id: agency.id,
        status: published ? "published" : "failed",
        scheduled_at: publishedAt.toISOString(),
        run_at: publishedAt.toISOString(),
        attempts: 1,
        last_error: published ? null : "rejected",
        external_id: published ? `x${id}` : null,
        url: published ? `https://example.vn/${id}` : null,
        published_at: published ? publishedAt.toISOString() : null,
        claimed_at: publishedAt.toISOString(),
        created_at: created,
        updated_at: publishedAt.toISOString(),
      });
      if (!published) continue;
      const pub = {
        id: deliveryPublicationId(id),
        agency_id: agency.id,
        item_id: itemId,
        channel_kind: channelKind,
        published_at: publishedAt,
        self_reported: 0,
      };
      batch.publications.push({
        ...pub,
        channel_id: `${agency.id}:${channelKind}`,
        delivery_id: id,
        published_at: publishedAt.toISOString(),
        url: `https://example.vn/${id}`,
        ...NO_EVIDENCE,
        recorded_by: "system",
        created_at: publishedAt.toISOString(),
      });
      itemTally.push(...tallyRows(pub, kind, [plan.task]));
    }
    batch.publication_tasks.push(...itemTally);
    batch.publication_weeks.push(...weekRows(itemTally));
    if (batch.deliveries.length >= BATCH) {
      yield batch;
      batch = { items: [], item_tasks: [], deliveries: [], publications: [], publication_tasks: [], publication_weeks: [] };
    }
  }
  if (batch.deliveries.length) yield batch;
}

const TABLES = ["items", "item_tasks", "deliveries", "publications", "publication_tasks", "publication_weeks"] as const;

function loadSqlite(file: string, agencies: { id: string; kind: string }[]): void {
  const raw = new SQLite(file);
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = OFF");
  const statements = new Map<string, SQLite.Statement>();
  const insert = (table: string, rows: Row[]) => {
    const first = rows[0];
    if (!first) return;
    const cols = Object.keys(first);
    let st = statements.get(table);
    if (!st) {
      st = raw.prepare(`insert into ${table} (${cols.join(",")}) values (${cols.map((c) => `@${c}`).join(",")})`);
      statements.set(table, st);
    }
    for (const r of rows) st.run(r);
  };
  raw.transaction(() => insert("channels", channelRows(agencies)))();
  for (const b of history(agencies)) {
    raw.transaction(() => {
      for (const t of TABLES) insert(t, b[t]);
    })();
  }
  raw.exec("analyze");
  raw.close();
}

async function loadPostgres(url: string, schema: string, agencies: { id: string; kind: string }[]): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path="${schema}"` });
  await client.connect();
  const types = new Map<string, Map<string, string>>();
  const insert = async (table: string, rows: Row[]) => {
    const first = rows[0];
    if (!first) return;
    if (!types.has(table)) {
      const r = await client.query(
        "select column_name, udt_name from information_schema.columns where table_schema = $1 and table_name = $2",
        [schema, table],
      );
      types.set(table, new Map(r.rows.map((c) => [c.column_name, c.udt_name])));
    }
    const cols = Object.keys(first);
    const t = types.get(table) as Map<string, string>;
    const arrays = cols.map((c) => rows.map((r) => r[c] ?? null));
    const select = cols.map((c, i) => `$${i + 1}::${t.get(c)}[]`).join(", ");
    await client.query(`insert into ${table} (${cols.join(",")}) select * from unnest(${select})`, arrays);
  };
  await client.query("set synchronous_commit = off");
  await insert("channels", channelRows(agencies));
  for (const b of history(agencies)) for (const table of TABLES) await insert(table, b[table]);
  // What autovacuum does to an insert-only table soon after a bulk load: statistics and the visibility map.
  await client.query("vacuum analyze");
  await client.end();
}

function channelRows(agencies: { id: string; kind: string }[]): Row[] {
  const now = NOW.toISOString();
  return agencies.flatMap((a) =>
    [...new Set((PLAN[a.kind] ?? []).flatMap((p) => p.channels))].map((kind) => ({
      id: `${a.id}:${kind}`,
      agency_id: a.id,
      kind,
      name: kind,
      settings: "{}",
      secret: null,
      created_at: now,
      updated_at: now,
    })),
  );
}

async function prepare(kind: DbKind) {
  const t = testDatabase(kind);
  let opened: OpenedDb = await openDb(t.database);
  await migrate(opened.db, t.database.kind === "postgres" ? t.database.schema : undefined);
  await seedPlan(opened.db);
  await opened.db
    .insertInto("agencies")
    .values(
      extraAgencies().map((a) => ({
        id: a.id,
        code: a.id,
        name: `Cơ quan ${a.id}`,
        kind: a.kind,
        parent_id: null,
        valid_from: "2023-01-01",
        valid_to: null,
      })),
    )
    .execute();
  const agencies = (await opened.db.selectFrom("agencies").select(["id", "kind"]).execute()).filter((a) => a.kind !== "district");
  await opened.close();
  const t0 = performance.now();
  if (t.database.kind === "sqlite") loadSqlite(t.database.file, agencies);
  else await loadPostgres(t.database.url, t.database.schema, agencies);
  const loadMs = performance.now() - t0;
  opened = await openDb(t.database);
  return { t, opened, loadMs, agencyCount: agencies.length };
}

async function bench(kind: DbKind) {
  const { t, opened, loadMs } = await prepare(kind);
  try {
    const db = opened.db;
    const count = async (table: "deliveries" | "publication_tasks" | "agencies") =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    console.log(
      `${kind}: loaded ${await count("deliveries")} deliveries (${await count("publication_tasks")} counted publications, ` +
        `${await count("agencies")} agencies incl. 9 dissolved districts) in ${(loadMs / 1000).toFixed(1)} s`,
    );
    // the week rows must agree with the per-publication tally they summarise
    for (const task of ["1.3", "2.2"]) {
      const o = await obligationByTask(db, task);
      const [fast, slow] = await Promise.all([countTally(db, o, "2025-W01", "2025-W52"), countDistinct(db, o, "2025-W01", "2025-W52")]);
      const same = fast.size === slow.size && [...slow].every(([k, v]) => JSON.stringify(fast.get(k)) === JSON.stringify(v));
      if (!same) throw new Error(`task ${task}: publication_weeks disagrees with publication_tasks`);
    }
    const compliance = createComplianceService(db, { now: () => NOW });
    for (const task of ["1.3", "1.4", "2.2"]) {
      const times: number[] = [];
      let cells = 0;
      let met = 0;
      for (let i = 0; i <= RUNS; i++) {
        const t0 = performance.now();
        const m = await compliance.matrix(SYSTEM, { task, from: "2025-W01", to: "2025-W52" });
        const ms = performance.now() - t0;
        JSON.stringify(m);
        if (i > 0) times.push(ms); // the first run warms caches
        cells = m.rows.length * m.periods.length;
        met = m.summary.met;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      const max = times[times.length - 1] ?? 0;
      console.log(
        `${kind.padEnd(8)} task ${task}: matrix 2025-W01..W52 (${cells} cells, ${met} met) median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${RUNS} runs ${max <= 200 ? "✓ ≤ 200 ms" : "✗ > 200 ms"}`,
      );
    }
  } finally {
    await opened.close();
    if (process.env.KEEP) console.log(`kept ${JSON.stringify(t.database)}`);
    else await t.drop();
  }
}

const only = process.env.BENCH_DB as DbKind | undefined;
for (const kind of ["sqlite", "postgres"] as DbKind[]) if (!only || only === kind) await bench(kind);
process.exit(0);
