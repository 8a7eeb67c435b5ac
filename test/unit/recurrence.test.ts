import { describe, expect, it } from "vitest";
import { occurrenceAt } from "../../content/publishing/recurrence.js";
import { isoWeek, toLocalIso } from "../../content/time.js";

const rule = (over: Partial<Parameters<typeof occurrenceAt>[0]>) => ({
  every: "week",
  interval: 1,
  first_at: new Date("2026-12-27T23:30:00+07:00"),
  until_date: null,
  count: null,
  ...over,
});
const all = (r: Parameters<typeof occurrenceAt>[0], max = 20) => {
  const out: Date[] = [];
  for (let n = 0; n < max; n++) {
    const at = occurrenceAt(r, n);
    if (!at) break;
    out.push(at);
  }
  return out;
};

describe("recurrence occurrences in Asia/Ho_Chi_Minh", () => {
  it("keeps the local Sunday 23:30 through 2026-W53 into 2027-W01, though UTC sees the same day", () => {
    const at = all(rule({ count: 4 }));
    expect(at.map(toLocalIso)).toEqual([
      "2026-12-27T23:30:00+07:00",
      "2027-01-03T23:30:00+07:00",
      "2027-01-10T23:30:00+07:00",
      "2027-01-17T23:30:00+07:00",
    ]);
    expect(at.map(isoWeek)).toEqual(["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
  });

  it("puts a Monday 00:15 local occurrence in the next ISO week although it is still Sunday in UTC", () => {
    const at = all(rule({ first_at: new Date("2026-12-28T00:15:00+07:00"), until_date: "2027-01-04" }));
    expect(at.map((d) => d.toISOString())).toEqual(["2026-12-27T17:15:00.000Z", "2027-01-03T17:15:00.000Z"]);
    expect(at.map(isoWeek)).toEqual(["2026-W53", "2027-W01"]);
  });

  it("ends on the until date inclusive, and every other week with interval 2", () => {
    const at = all(rule({ interval: 2, until_date: "2027-01-24" }));
    expect(at.map(toLocalIso)).toEqual(["2026-12-27T23:30:00+07:00", "2027-01-10T23:30:00+07:00", "2027-01-24T23:30:00+07:00"]);
  });

  it("monthly: the same day and time, on the last day of shorter months, across the year end", () => {
    const at = all(rule({ every: "month", first_at: new Date("2026-10-31T08:00:00+07:00"), count: 6 }));
    expect(at.map(toLocalIso)).toEqual([
      "2026-10-31T08:00:00+07:00",
      "2026-11-30T08:00:00+07:00",
      "2026-12-31T08:00:00+07:00",
      "2027-01-31T08:00:00+07:00",
      "2027-02-28T08:00:00+07:00",
      "2027-03-31T08:00:00+07:00",
    ]);
  });

  it("monthly at 06:30 local on the 1st, which is the evening before in UTC", () => {
    const at = all(rule({ every: "month", interval: 3, first_at: new Date("2026-10-01T06:30:00+07:00"), until_date: "2027-07-01" }));
    expect(at.map(toLocalIso)).toEqual([
      "2026-10-01T06:30:00+07:00",
      "2027-01-01T06:30:00+07:00",
      "2027-04-01T06:30:00+07:00",
      "2027-07-01T06:30:00+07:00",
    ]);
    expect(at[1]?.toISOString()).toBe("2026-12-31T23:30:00.000Z");
  });
});
