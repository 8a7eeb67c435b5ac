import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComplianceService } from "../../content/compliance/matrix.js";
import { lastFinished } from "../../content/compliance/periods.js";
import { createWeeklyClose } from "../../content/compliance/weekly-close.js";
import { SYSTEM } from "../../content/model.js";
import { evidence, fixedClock, item, rowOf, user } from "../helpers/compliance.js";
import { DB_KINDS } from "../helpers/db.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";

const silent = { info() {}, warn() {}, error() {} };
/** Monday 00:10 in Cần Thơ, as the default cron fires. */
const MONDAY_W45 = "2026-11-02T00:10:00+07:00";
const MONDAY_W48 = "2026-11-23T00:10:00+07:00";

describe.each(DB_KINDS)("closing finished weeks into frozen records (%s)", (kind) => {
  let hub: TestHub;
  let officer: string;
  let withdrawn: string;

  beforeAll(async () => {
    hub = await startHub(kind, { roles: ["web"] });
    officer = await user(hub.api, "officer", "so-tu-phap");
    const a = await item(hub.api, "so-tu-phap", "news", ["1.3"], "Cấp phiếu lý lịch tư pháp trực tuyến");
    const b = await item(hub.api, "so-tu-phap", "video", ["1.3"], "Video hướng dẫn chứng thực điện tử");
    await evidence(hub.api, a, "webhook", "2026-10-20T08:00:00+07:00", officer); // 2026-W43
    withdrawn = await evidence(hub.api, b, "youtube", "2026-10-27T08:00:00+07:00", officer); // 2026-W44
    await evidence(hub.api, a, "facebook_page", "2026-11-03T08:00:00+07:00", officer); // 2026-W45
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const db = () => hub.running.runtime.services.db;
  const records = (period: string) =>
    db()
      .selectFrom("closed_periods")
      .selectAll()
      .where("task_code", "=", "1.3")
      .where("period", "=", period)
      .orderBy("agency_id")
      .execute();

  it("closes every finished week since the obligation began, one record per agency × obligation", async () => {
    const close = createWeeklyClose(db(), fixedClock(MONDAY_W45), silent);
    const result = await close();
    expect(result.ranges).toContainEqual({ task: "1.3", from: "2025-W01", to: "2026-W44" });
    expect(result.closed).toBeGreaterThan(0);
    const w44 = await records("2026-W44");
    const tuPhap = w44.find((r) => r.agency_id === "so-tu-phap");
    expect(tuPhap).toMatchObject({ count: 1, status: "met", min_count: 1, self_reported: 1 });
    expect(JSON.parse(tuPhap?.publication_ids ?? "[]")).toEqual([withdrawn]);
    expect(tuPhap?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(w44.find((r) => r.agency_id === "so-y-te")).toMatchObject({ count: 0, status: "missed" });
    expect(await records("2026-W45")).toHaveLength(0); // W45 has only just begun
    // the districts get records only while they existed (dissolved 2025-06-30)
    const ninhKieu = await db()
      .selectFrom("closed_periods")
      .select("period")
      .where("agency_id", "=", "ubnd-ninh-kieu")
      .where("task_code", "=", "2.2")
      .orderBy("period", "desc")
      .executeTakeFirst();
    expect(ninhKieu?.period).toBe("2025-W27");
  });

  it("is idempotent: closing again changes nothing", async () => {
    const before = await records("2026-W44");
    const again = await createWeeklyClose(db(), fixedClock("2026-11-02T09:00:00+07:00"), silent)();
    expect(again.closed).toBe(0);
    expect(await records("2026-W44")).toEqual(before);
  });

  it("keeps a closed week as it was when evidence is withdrawn, and flags that a recomputation now differs", async () => {
    expect((await hub.api("DELETE", `/api/publications/${withdrawn}`, undefined, officer)).status).toBe(204);
    const m = await hub.api("GET", "/api/compliance?task=1.3&from=2026-W43&to=2026-W44&agencyId=so-tu-phap");
    const w44 = rowOf(m.body, "so-tu-phap")?.["2026-W44"];
    expect(w44).toMatchObject({ count: 1, status: "met", closed: true, differs: true, live: { count: 0, status: "missed" } });
    expect(rowOf(m.body, "so-tu-phap")?.["2026-W43"]).toMatchObject({ count: 1, status: "met", closed: true });
    expect(rowOf(m.body, "so-tu-phap")?.["2026-W43"].differs).toBeUndefined();

    const drill = await hub.api("GET", "/api/compliance/agencies/so-tu-phap?task=1.3&from=2026-W44&to=2026-W44", undefined, officer);
    expect(drill.status).toBe(200);
    const p = drill.body.periods[0];
    expect(p.items).toEqual([]);
    expect(p.closed).toMatchObject({ count: 1, status: "met", publicationIds: [withdrawn], intact: true, differs: true });
    expect(await records("2026-W44")).toContainEqual(expect.objectContaining({ agency_id: "so-tu-phap", count: 1, status: "met" }));
  });

  it("shows a tampered record as no longer intact", async () => {
    await db()
      .updateTable("closed_periods")
      .set({ count: 5 })
      .where("agency_id", "=", "so-tu-phap")
      .where("period", "=", "2026-W43")
      .execute();
    const drill = await hub.api("GET", "/api/compliance/agencies/so-tu-phap?task=1.3&from=2026-W43&to=2026-W43");
    expect(drill.body.periods[0].closed).toMatchObject({ count: 5, intact: false });
  });

  it("catches up on the weeks that finished while the clock was down", async () => {
    const result = await createWeeklyClose(db(), fixedClock(MONDAY_W48), silent)();
    expect(result.ranges).toContainEqual({ task: "1.3", from: "2026-W44", to: "2026-W47" });
    for (const week of ["2026-W45", "2026-W46", "2026-W47"]) expect((await records(week)).length).toBeGreaterThan(10);
    expect((await records("2026-W45")).find((r) => r.agency_id === "so-tu-phap")).toMatchObject({ count: 1, status: "met" });
    expect(await records("2026-W48")).toHaveLength(0);
  });

  it("leaves closed weeks alone when an obligation's minimum changes afterwards", async () => {
    const clock = fixedClock("2026-11-24T10:00:00+07:00");
    expect((await hub.api("PATCH", "/api/obligations/1.3", { minCount: 2 })).status).toBe(200);
    const m = await createComplianceService(db(), clock).matrix(SYSTEM, {
      task: "1.3",
      from: "2026-W45",
      to: "2026-W45",
      agencyId: "so-tu-phap",
    });
    expect(m.rows[0]?.cells[0]).toMatchObject({
      count: 1,
      status: "met",
      closed: true,
      differs: true,
      live: { count: 1, status: "missed" },
    });
    expect((await hub.api("PATCH", "/api/obligations/1.3", { minCount: 1 })).status).toBe(200);
  });
});

describe.each(DB_KINDS)("the clock's compliance duties (%s)", (kind) => {
  let hub: TestHub;
  afterAll(async () => {
    await hub?.stop();
  });

  it("closes the weeks that finished while it was down as soon as it starts", async () => {
    hub = await startHub(kind, { roles: ["web", "clock"] });
    const db = hub.running.runtime.services.db;
    const lastWeek = lastFinished("week", new Date());
    const row = await eventually(
      () =>
        db.selectFrom("closed_periods").select("period").where("task_code", "=", "1.3").where("period", "=", lastWeek).executeTakeFirst(),
      20_000,
      `the record of ${lastWeek}`,
    );
    expect(row.period).toBe(lastWeek);
  });
});
