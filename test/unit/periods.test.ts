import { describe, expect, it } from "vitest";
import {
  lastFinished,
  nextPeriod,
  parsePeriod,
  periodDates,
  periodEnd,
  periodOf,
  periodStart,
  periodsBetween,
  periodsOfYear,
  weeksInYear,
} from "../../content/compliance/periods.js";

const at = (iso: string) => new Date(iso);

describe("ISO weeks in Asia/Ho_Chi_Minh", () => {
  it("puts 2026-12-28 00:30 +07:00 in 2026-W53 although it is still 27 December (W52) in UTC", () => {
    const t = at("2026-12-28T00:30:00+07:00");
    expect(t.toISOString()).toBe("2026-12-27T17:30:00.000Z");
    expect(periodOf("week", t)).toBe("2026-W53");
  });

  it("puts 2027-01-01 in 2026-W53, and 2027-01-04 in 2027-W01", () => {
    expect(periodOf("week", at("2027-01-01T10:00:00+07:00"))).toBe("2026-W53");
    expect(periodOf("week", at("2027-01-03T23:59:59+07:00"))).toBe("2026-W53");
    expect(periodOf("week", at("2027-01-04T00:00:00+07:00"))).toBe("2027-W01");
  });

  it("puts 2025-12-29 (Monday) in 2026-W01, and Sunday 2025-12-28 23:30 +07:00 in 2025-W52", () => {
    expect(periodOf("week", at("2025-12-29T00:00:00+07:00"))).toBe("2026-W01");
    expect(periodOf("week", at("2025-12-28T23:30:00+07:00"))).toBe("2025-W52");
    // 17:00 UTC on Sunday is already Monday in Cần Thơ
    expect(periodOf("week", at("2025-12-28T17:00:00Z"))).toBe("2026-W01");
  });

  it("takes month and year from the local calendar date, not UTC's", () => {
    const newYear = at("2026-12-31T17:30:00Z"); // 00:30 on 1 January 2027 in Cần Thơ
    expect(periodOf("month", newYear)).toBe("2027-01");
    expect(periodOf("year", newYear)).toBe("2027");
    expect(periodOf("week", newYear)).toBe("2026-W53");
  });

  it("knows which years have 53 weeks", () => {
    expect(weeksInYear(2025)).toBe(52);
    expect(weeksInYear(2026)).toBe(53);
    expect(weeksInYear(2027)).toBe(52);
    expect(weeksInYear(2020)).toBe(53);
  });

  it("gives the dates and instants a week covers", () => {
    expect(periodDates("2026-W53")).toEqual({ first: "2026-12-28", last: "2027-01-03" });
    expect(periodDates("2026-W01")).toEqual({ first: "2025-12-29", last: "2026-01-04" });
    expect(periodStart("2026-W53").toISOString()).toBe("2026-12-27T17:00:00.000Z");
    expect(periodEnd("2026-W53").toISOString()).toBe("2027-01-03T17:00:00.000Z");
    expect(periodDates("2026-02")).toEqual({ first: "2026-02-01", last: "2026-02-28" });
    expect(periodDates("2028-02").last).toBe("2028-02-29");
  });

  it("steps across year ends, including week 53", () => {
    expect(nextPeriod("2025-W52")).toBe("2026-W01");
    expect(nextPeriod("2026-W52")).toBe("2026-W53");
    expect(nextPeriod("2026-W53")).toBe("2027-W01");
    expect(nextPeriod("2026-12")).toBe("2027-01");
    expect(periodsBetween("2026-W52", "2027-W02")).toEqual(["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
    expect(periodsOfYear("week", 2026)).toHaveLength(53);
    expect(periodsOfYear("month", 2026)).toHaveLength(12);
  });

  it("knows the last finished period at an instant", () => {
    expect(lastFinished("week", at("2026-11-30T00:10:00+07:00"))).toBe("2026-W48");
    expect(lastFinished("week", at("2026-11-29T23:59:00+07:00"))).toBe("2026-W47");
    expect(lastFinished("year", at("2027-01-01T00:00:00+07:00"))).toBe("2026");
  });

  it("refuses periods that do not exist, naming the field", () => {
    expect(parsePeriod("2026-W53", "to")).toEqual({ kind: "week", key: "2026-W53" });
    expect(() => parsePeriod("2025-W53", "to")).toThrow(/to: 2025 has weeks W01 to W52/);
    expect(() => parsePeriod("2026-13", "from")).toThrow(/from:/);
    expect(() => parsePeriod("tuần 40", "from")).toThrow(/from: a period such as/);
    try {
      parsePeriod("2026-W00", "from");
    } catch (err) {
      expect(err).toMatchObject({ code: "invalid_input", field: "from" });
    }
  });
});
