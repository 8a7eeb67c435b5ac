import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPlan, seedPlan } from "../../content/compliance/plan-seed.js";
import { type OpenedDb, openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import { DB_KINDS, testDatabase } from "../helpers/db.js";

describe.each(DB_KINDS)("the store on %s", (kind) => {
  const t = testDatabase(kind);
  const schema = t.database.kind === "postgres" ? t.database.schema : undefined;
  let opened: OpenedDb;

  beforeAll(async () => {
    opened = await openDb(t.database);
  });
  afterAll(async () => {
    await opened?.close();
    await t.drop();
  });

  it("applies the migrations once; a second run has nothing to do", async () => {
    expect(await migrate(opened.db, schema)).toContain("001-init");
    expect(await migrate(opened.db, schema)).toEqual([]);
  });

  it("seeds the plan's agencies and obligations at first start only", async () => {
    expect(await seedPlan(opened.db)).toBe(true);
    expect(await seedPlan(opened.db)).toBe(false);
    const plan = readPlan();
    const agencies = await opened.db.selectFrom("agencies").selectAll().execute();
    // The plan's agencies and the 103 communes and wards of July 2025.
    expect(agencies).toHaveLength(plan.agencies.length + 103);
    const byId = new Map(agencies.map((a) => [a.id, a]));
    expect(byId.get("so-khcn")).toMatchObject({ kind: "dost", name: "Sở Khoa học và Công nghệ" });
    expect(byId.get("bao-can-tho")?.kind).toBe("press");
    expect(byId.get("dai-ptth-can-tho")?.name).toBe("Đài Phát thanh và Truyền hình Cần Thơ");
    expect(byId.get("ubnd-ninh-kieu")).toMatchObject({ kind: "district", valid_to: "2025-06-30" });
    expect(agencies.filter((a) => a.kind === "district")).toHaveLength(9);

    const obligations = await opened.db.selectFrom("obligations").selectAll().execute();
    const byTask = new Map(obligations.map((o) => [o.task_code, o]));
    for (const task of ["1.3", "1.4", "2.2"]) {
      expect(byTask.get(task)).toMatchObject({ period: "week", min_count: 1 });
    }
    expect(JSON.parse(byTask.get("1.4")?.agency_kinds ?? "[]")).toEqual(["press"]);
    expect(JSON.parse(byTask.get("2.2")?.channel_kinds ?? "[]")).toEqual(["loudspeaker", "bulletin_board"]);
    expect(byTask.get("3.3")).toMatchObject({ period: "year", agency_ids: JSON.stringify(["so-khcn"]) });
  });

  it("stores instants in UTC and gives them back as the same Date", async () => {
    const at = new Date("2026-12-28T00:30:00+07:00");
    await opened.db
      .insertInto("audit_log")
      .values({ id: "a1", occurred_at: at, actor_id: "system", action: "test", entity: "test", entity_id: "1", details: "{}" })
      .execute();
    const row = await opened.db.selectFrom("audit_log").selectAll().where("id", "=", "a1").executeTakeFirstOrThrow();
    expect(row.occurred_at).toBeInstanceOf(Date);
    expect(row.occurred_at.toISOString()).toBe("2026-12-27T17:30:00.000Z");
    const before = await opened.db
      .selectFrom("audit_log")
      .select("id")
      .where("occurred_at", "<", new Date("2026-12-27T17:30:00.001Z"))
      .where("occurred_at", ">", new Date("2026-12-27T17:29:59.999Z"))
      .execute();
    expect(before.map((r) => r.id)).toEqual(["a1"]);
  });
});
