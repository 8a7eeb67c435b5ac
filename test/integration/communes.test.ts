// The 103 communes and wards of Cần Thơ from 1 July 2025: seeded at first start from the data file,
// added by migration 009 to a database seeded before them (leaving an admin's own entries alone),
// never twice; task 2.2 is owed by them from then on.
import { afterAll, describe, expect, it } from "vitest";
import { obligationRow } from "../../content/compliance/obligations.js";
import { readPlan } from "../../content/compliance/plan-seed.js";
import { communeId, communeRows, readCommunes } from "../../content/directory/communes-seed.js";
import { openDb } from "../../content/store/db.js";
import { migrate } from "../../content/store/migrate.js";
import { DB_KINDS, testDatabase } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";

describe("the communes and wards data", () => {
  it("has 31 wards and 72 communes with distinct, readable ids", () => {
    const data = readCommunes();
    expect(data.units.filter((u) => u.kind === "ward")).toHaveLength(31);
    expect(data.units.filter((u) => u.kind === "commune")).toHaveLength(72);
    const rows = communeRows(data);
    expect(new Set(rows.map((r) => r.id)).size).toBe(103);
    expect(communeId("Phường Ninh Kiều")).toBe("phuong-ninh-kieu");
    expect(communeId("Phường Long Phú 1")).toBe("phuong-long-phu-1");
    expect(communeId("Xã Đại Hải")).toBe("xa-dai-hai");
    expect(rows.every((r) => /^(phuong|xa)-[a-z0-9-]+$/.test(r.id) && r.valid_from === "2025-07-01")).toBe(true);
  });
});

describe.each(DB_KINDS)("seeding the communes and wards on %s", (kind) => {
  const hubs: TestHub[] = [];
  afterAll(async () => {
    for (const h of hubs.reverse()) await h.stop();
  });

  it("seeds the 103 at first start, once: a second start adds none, and 2.2 in 2026 has 103 rows", async () => {
    const first = await startHub(kind, { roles: ["web"] });
    hubs.push(first);
    const communes = async (hub: TestHub) =>
      ((await hub.api("GET", "/api/agencies")).body.data as { id: string; kind: string; validFrom: string }[]).filter(
        (a) => a.kind === "commune",
      );
    const seeded = await communes(first);
    expect(seeded).toHaveLength(103);
    expect(seeded.find((a) => a.id === "phuong-ninh-kieu")).toMatchObject({ validFrom: "2025-07-01" });
    // A second start on the same database (both running: the second start is what matters).
    const second = await startHub(kind, { roles: ["web"], shareWith: first });
    hubs.push(second);
    expect(await communes(second)).toHaveLength(103);

    const matrix = await second.api("GET", "/api/compliance?task=2.2&from=2026-W01&to=2026-W53");
    expect(matrix.status).toBe(200);
    expect(matrix.body.rows).toHaveLength(103);
    expect(matrix.body.rows.every((r: { agency: { kind: string } }) => r.agency.kind === "commune")).toBe(true);
    // In the first half of 2025 the districts owed it, and the communes did not exist yet.
    const early = await second.api("GET", "/api/compliance?task=2.2&from=2025-W10&to=2025-W12");
    expect(early.body.rows.map((r: { agency: { kind: string } }) => r.agency.kind)).toEqual(Array(9).fill("district"));
  });

  it("adds the missing ones to a database seeded before them, leaving an admin's own entries as they are", async () => {
    const t = testDatabase(kind);
    const opened = await openDb(t.database);
    const schema = t.database.kind === "postgres" ? t.database.schema : undefined;
    try {
      await migrate(opened.db, schema, "007-provider-endpoints");
      // The seed as it was before July 2025's units, and two units an admin added by hand.
      const plan = readPlan();
      await opened.db
        .insertInto("agencies")
        .values([
          ...plan.agencies.map((a) => ({
            id: a.id,
            code: a.id,
            name: a.name,
            kind: a.kind,
            parent_id: null,
            valid_from: a.validFrom ?? plan.validFrom,
            valid_to: a.validTo ?? null,
          })),
          {
            id: "phuong-ninh-kieu",
            code: "pnk",
            name: "UBND phường Ninh Kiều",
            kind: "commune",
            parent_id: null,
            valid_from: "2025-07-15",
            valid_to: null,
          },
          {
            id: "xa-phong-dien-moi",
            code: "xpd",
            name: "Xã Phong Điền",
            kind: "commune",
            parent_id: null,
            valid_from: "2025-07-01",
            valid_to: null,
          },
        ])
        .execute();
      await opened.db
        .insertInto("obligations")
        .values(plan.obligations.map((o) => obligationRow({ ...o, id: `task-${o.taskCode}`, validFrom: plan.validFrom, validTo: null })))
        .execute();
      expect(await migrate(opened.db, schema)).toContain("009-broadcast");
      const agencies = await opened.db.selectFrom("agencies").selectAll().where("kind", "=", "commune").execute();
      expect(agencies).toHaveLength(103);
      expect(agencies.find((a) => a.id === "phuong-ninh-kieu")).toMatchObject({
        code: "pnk",
        name: "UBND phường Ninh Kiều",
        valid_from: "2025-07-15",
      });
      expect(agencies.find((a) => a.id === "xa-phong-dien")).toBeUndefined();
      expect(await migrate(opened.db, schema)).toEqual([]);
    } finally {
      await opened.close();
      await t.drop();
    }
  });
});
