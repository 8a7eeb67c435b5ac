// The calendar's range query: a month (December 2026) of one agency with 2,000 deliveries on five
// channels (two with weekly slots), among BACKGROUND deliveries of 60 other agencies over a year.
// Times the use case the API calls (`GET /api/calendar`) as that agency's officer, on SQLite and PostgreSQL.
// Usage: npm run bench calendar   (BACKGROUND=200000 RUNS=30; BENCH_DB=sqlite|postgres for one)
import type { Insertable } from "kysely";
import { seedPlan } from "../../content/compliance/plan-seed.js";
import type { Actor } from "../../content/model.js";
import { createCalendar } from "../../content/publishing/calendar.js";
import { type OpenedDb, openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import type { DeliveryTable, ItemTable } from "../../content/store/schema.js";
import { type DbKind, testDatabase } from "../helpers/db.js";
import { random } from "../helpers/fuzz.js";

const BACKGROUND = Number(process.env.BACKGROUND ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 30);
const MONTH = 2_000;
const AGENCY = "so-khcn";
const FROM = new Date("2026-12-01T00:00:00+07:00");
const TO = new Date("2027-01-01T00:00:00+07:00");
const YEAR_START = Date.parse("2026-06-01T00:00:00+07:00");
const YEAR_MS = 365 * 86_400_000;
const NOW = new Date("2026-11-30T09:00:00+07:00");
const STATUSES = ["scheduled", "published", "published", "published", "failed", "cancelled"];
const SLOTS = JSON.stringify({
  url: "https://cms.example.vn/loa",
  slots: [
    { days: ["tue", "thu"], time: "08:00" },
    { days: ["mon", "wed", "fri"], time: "17:30" },
  ],
});

async function load(opened: OpenedDb) {
  const db = opened.db;
  const rnd = random(20261201);
  const now = NOW;
  const others = Array.from({ length: 60 }, (_, i) => `co-quan-${i}`);
  await db
    .insertInto("agencies")
    .values(
      others.map((id) => ({
        id,
        code: id,
        name: `Cơ quan ${id}`,
        kind: "department",
        parent_id: null,
        valid_from: "2025-07-01",
        valid_to: null,
      })),
    )
    .execute();
  const channels = [AGENCY, ...others].flatMap((agency) =>
    Array.from({ length: 5 }, (_, c) => ({
      id: `${agency}:${c}`,
      agency_id: agency,
      kind: "webhook",
      name: `Kênh ${c}`,
      settings: c < 2 ? SLOTS : JSON.stringify({ url: "https://cms.example.vn/loa" }),
      secret: null,
      created_at: now,
      updated_at: now,
    })),
  );
  for (let i = 0; i < channels.length; i += 100)
    await db
      .insertInto("channels")
      .values(channels.slice(i, i + 100))
      .execute();
  let n = 0;
  const batch: Insertable<DeliveryTable>[] = [];
  const items: Insertable<ItemTable>[] = [];
  const flush = async () => {
    if (items.length) await db.insertInto("items").values(items.splice(0)).execute();
    if (batch.length) await db.insertInto("deliveries").values(batch.splice(0)).execute();
  };
  const add = async (agency: string, at: Date) => {
    const id = `d${n++}`;
    const status = STATUSES[Math.floor(rnd() * STATUSES.length)] as string;
    items.push({
      id: `i${id}`,
      agency_id: agency,
      kind: "news",
      title: `Tin dịch vụ công ${id}`,
      body: "…",
      status: "approved",
      variants: "{}",
      created_by: null,
      created_at: now,
      updated_at: now,
    });
    batch.push({
      id,
      item_id: `i${id}`,
      channel_id: `${agency}:${Math.floor(rnd() * 5)}`,
      agency_id: agency,
      status,
      scheduled_at: at,
      run_at: at,
      attempts: 1,
      last_error: null,
      external_id: null,
      url: null,
      published_at: status === "published" ? at : null,
      claimed_at: null,
      created_at: now,
      updated_at: now,
    });
    if (batch.length >= 200) await flush();
  };
  for (let i = 0; i < MONTH; i++) await add(AGENCY, new Date(FROM.getTime() + Math.floor(rnd() * (TO.getTime() - FROM.getTime()))));
  for (let i = 0; i < BACKGROUND; i++) {
    const agency = rnd() < 0.05 ? AGENCY : (others[Math.floor(rnd() * others.length)] as string);
    let at = new Date(YEAR_START + Math.floor(rnd() * YEAR_MS));
    // The agency's December is exactly MONTH deliveries: its background falls outside it.
    if (agency === AGENCY && at >= FROM && at < TO) at = new Date(at.getTime() + 62 * 86_400_000);
    await add(agency, at);
  }
  await flush();
}

async function bench(kind: DbKind) {
  const t = testDatabase(kind);
  const opened = await openDb(t.database);
  try {
    await migrate(opened.db, t.database.kind === "postgres" ? t.database.schema : undefined);
    await seedPlan(opened.db);
    const t0 = performance.now();
    await load(opened);
    const loadMs = performance.now() - t0;
    const calendar = createCalendar(opened.db, { now: () => NOW });
    const officer: Actor = { id: "can-bo", role: "officer", agencyId: AGENCY, name: "Cán bộ", email: null, active: true } as Actor;
    const times: number[] = [];
    let shown = 0;
    let free = 0;
    for (let i = 0; i <= RUNS; i++) {
      const t1 = performance.now();
      const c = await calendar(officer, { from: FROM, to: TO });
      JSON.stringify(c);
      const ms = performance.now() - t1;
      if (i > 0) times.push(ms);
      shown = c.deliveries.length;
      free = c.freeSlots.length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
    console.log(
      `${kind.padEnd(8)} ${MONTH + BACKGROUND} deliveries loaded in ${(loadMs / 1000).toFixed(1)} s; December 2026 of ${AGENCY}: ` +
        `${shown} deliveries, ${free} free slots — median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${RUNS} runs ` +
        `${median <= 50 ? "✓ ≤ 50 ms" : "✗ > 50 ms"}`,
    );
    if (shown !== MONTH) throw new Error(`expected ${MONTH} deliveries, got ${shown}`);
    if (median > 50) process.exitCode = 1;
  } finally {
    await opened.close();
    await t.drop();
  }
}

const only = process.env.BENCH_DB as DbKind | undefined;
for (const kind of ["sqlite", "postgres"] as DbKind[]) if (!only || only === kind) await bench(kind);
