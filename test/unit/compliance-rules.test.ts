import { describe, expect, it } from "vitest";
import { applies, cellOf, dueStatus, exemptReason, summarize } from "../../content/compliance/rules.js";
import type { Agency, Obligation } from "../../content/model.js";

const weekly: Obligation = {
  id: "task-2.2",
  taskCode: "2.2",
  description: "Tin/bài trên truyền thanh cơ sở",
  agencyKinds: ["district", "commune"],
  agencyIds: [],
  itemKinds: ["news"],
  channelKinds: ["loudspeaker"],
  period: "week",
  minCount: 1,
  validFrom: "2025-01-01",
  validTo: null,
};
const district: Agency = {
  id: "ubnd-ninh-kieu",
  code: "ubnd-ninh-kieu",
  name: "UBND quận Ninh Kiều",
  kind: "district",
  parentId: null,
  validFrom: "2025-01-01",
  validTo: "2025-06-30",
  approval: "required",
};
const dept: Agency = { ...district, id: "so-y-te", kind: "department", validTo: null };

describe("compliance rules", () => {
  it("applies an obligation by agency kind or explicit id; empty lists apply to everyone", () => {
    expect(applies(weekly, district)).toBe(true);
    expect(applies(weekly, dept)).toBe(false);
    expect(applies({ ...weekly, agencyIds: ["so-y-te"] }, dept)).toBe(true);
    expect(applies({ ...weekly, agencyKinds: [] }, dept)).toBe(true);
  });

  it("grades a due period: met, missed once over, at risk while running, upcoming ahead", () => {
    expect(dueStatus(1, 1, "2026-W40", "2026-W48")).toBe("met");
    expect(dueStatus(0, 1, "2026-W40", "2026-W48")).toBe("missed");
    expect(dueStatus(0, 1, "2026-W48", "2026-W48")).toBe("at_risk");
    expect(dueStatus(1, 2, "2026-W48", "2026-W48")).toBe("at_risk");
    expect(dueStatus(2, 2, "2026-W48", "2026-W48")).toBe("met");
    expect(dueStatus(0, 1, "2026-W49", "2026-W48")).toBe("upcoming");
  });

  it("exempts the weeks of a district dissolved on 30 June 2025 from the week it ended", () => {
    expect(exemptReason(weekly, district, "2025-W26", [])).toBeUndefined();
    expect(exemptReason(weekly, district, "2025-W27", [])).toMatch(/giải thể ngày 2025-06-30/);
    expect(cellOf(weekly, district, "2025-W30", "2026-W48", { count: 0, selfReported: 0 }, []).status).toBe("exempt");
  });

  it("exempts a period DOST declared exempt, for one task or all, one agency or all", () => {
    const tet = { id: "x", obligationId: null, agencyId: null, period: "2025-W05", reason: "Tết Ất Tỵ" };
    expect(exemptReason(weekly, district, "2025-W05", [tet])).toBe("Tết Ất Tỵ");
    const other = { ...tet, obligationId: "task-1.3" };
    expect(exemptReason(weekly, district, "2025-W05", [other])).toBeUndefined();
    const elsewhere = { ...tet, agencyId: "ubnd-cai-rang" };
    expect(exemptReason(weekly, district, "2025-W05", [elsewhere])).toBeUndefined();
  });

  it("rates met over met plus missed, ignoring running, future and exempt periods", () => {
    const s = summarize([
      { status: "met" },
      { status: "met" },
      { status: "missed" },
      { status: "at_risk" },
      { status: "exempt" },
      { status: "upcoming" },
    ]);
    expect(s).toEqual({ rate: 0.6667, met: 2, missed: 1, atRisk: 1, upcoming: 1, exempt: 1 });
    expect(summarize([]).rate).toBeNull();
  });
});
