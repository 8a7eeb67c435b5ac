import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime } from "../../web/src/i18n.js";
import { monthGridRange } from "../../web/src/pages/officer/prefetch.js";
import { fromInput, fromWall, isoWeek, toInput, toWall } from "../../web/src/vn-time.js";

describe("the web app's times (Asia/Ho_Chi_Minh)", () => {
  it("shows a date and time as `Thứ Hai, 07/12/2026 08:00`, in Vietnam whatever the machine's zone", () => {
    expect(formatDateTime("2026-12-07T01:00:00Z")).toBe("Thứ Hai, 07/12/2026 08:00");
    expect(formatDateTime(new Date("2026-12-06T17:30:00Z"))).toBe("Thứ Hai, 07/12/2026 00:30");
    expect(formatDateTime("2026-12-13T16:59:00Z")).toBe("Chủ Nhật, 13/12/2026 23:59");
    expect(formatDate("2026-12-31T18:00:00Z")).toBe("01/01/2027");
  });

  it("converts instants to Vietnamese wall-clock times and back, for the calendar and the date-time fields", () => {
    expect(toWall("2026-12-06T17:30:00Z")).toBe("2026-12-07T00:30:00");
    expect(fromWall(new Date("2026-12-07T00:30:00Z"))).toBe("2026-12-06T17:30:00.000Z");
    expect(toInput("2026-12-07T01:00:00Z")).toBe("2026-12-07T08:00");
    expect(fromInput("2026-12-07T08:00")).toBe("2026-12-07T08:00:00+07:00");
    expect(fromInput("2026-12-07T08:00:30")).toBe("2026-12-07T08:00:30+07:00");
    expect(fromInput("")).toBe("");
  });

  it("counts ISO weeks in Vietnam: 2026 has 53, and a week's last day has 0 days left", () => {
    expect(isoWeek(new Date("2026-12-03T03:00:00Z"))).toEqual({ key: "2026-W49", week: 49, daysLeft: 3 });
    expect(isoWeek(new Date("2026-12-28T00:00:00+07:00"))).toEqual({ key: "2026-W53", week: 53, daysLeft: 6 });
    expect(isoWeek(new Date("2027-01-03T23:59:00+07:00"))).toEqual({ key: "2026-W53", week: 53, daysLeft: 0 });
    expect(isoWeek(new Date("2027-01-04T00:00:00+07:00")).key).toBe("2027-W01");
    // Sunday 23:30 UTC is already Monday in Vietnam.
    expect(isoWeek(new Date("2026-12-06T23:30:00Z")).key).toBe("2026-W50");
  });

  it("asks for the same range as FullCalendar's month grid: six weeks from the Monday on or before the 1st", () => {
    const { start, end } = monthGridRange(new Date("2026-12-15T05:00:00Z"));
    expect(start.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(end.toISOString()).toBe("2027-01-11T00:00:00.000Z");
    // 1 February 2027 is a Monday: the grid starts on it.
    expect(monthGridRange(new Date("2027-02-10T05:00:00Z")).start.toISOString()).toBe("2027-02-01T00:00:00.000Z");
  });
});
