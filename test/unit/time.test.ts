import { describe, expect, it } from "vitest";
import { isoWeek, localDate, toLocalIso } from "../../content/time.js";

describe("ISO weeks in Asia/Ho_Chi_Minh", () => {
  it.each([
    ["2026-12-28T00:30:00+07:00", "2026-W53"],
    ["2026-12-27T23:59:59+07:00", "2026-W52"],
    ["2027-01-01T08:00:00+07:00", "2026-W53"],
    ["2027-01-03T23:59:00+07:00", "2026-W53"],
    ["2027-01-04T00:00:00+07:00", "2027-W01"],
    ["2025-12-29T00:00:00+07:00", "2026-W01"],
    ["2025-12-28T23:00:00+07:00", "2025-W52"],
    ["2026-01-01T00:00:00+07:00", "2026-W01"],
  ])("puts %s in %s", (at, week) => {
    expect(isoWeek(new Date(at))).toBe(week);
  });

  it("uses the local date, not the UTC one", () => {
    // 17:30 UTC on Sunday 27 December is already Monday 28 December in Cần Thơ.
    const at = new Date("2026-12-27T17:30:00Z");
    expect(localDate(at)).toBe("2026-12-28");
    expect(isoWeek(at)).toBe("2026-W53");
  });

  it("renders an instant with the +07:00 offset", () => {
    expect(toLocalIso(new Date("2026-12-01T01:00:00Z"))).toBe("2026-12-01T08:00:00+07:00");
  });
});
