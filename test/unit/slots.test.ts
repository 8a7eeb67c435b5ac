import { describe, expect, it } from "vitest";
import { localInstant, nextSlot, slotsBetween, WeeklySlots, weekdayOf } from "../../content/publishing/slots.js";
import { isoWeek } from "../../content/time.js";

const TUE_THU_8 = WeeklySlots.parse([{ days: ["tue", "thu"], time: "08:00" }]);

describe("weekly slots in Asia/Ho_Chi_Minh", () => {
  it("reads a local wall time as UTC+7", () => {
    expect(localInstant("2026-12-08", "08:00").toISOString()).toBe("2026-12-08T01:00:00.000Z");
    expect(weekdayOf(new Date("2026-12-06T17:30:00Z"))).toBe("mon"); // 00:30 Monday local, still Sunday in UTC
  });

  it("lists the slots of a week in order", () => {
    const slots = slotsBetween(TUE_THU_8, new Date("2026-12-07T00:00:00+07:00"), new Date("2026-12-14T00:00:00+07:00"));
    expect(slots.map((d) => d.toISOString())).toEqual(["2026-12-08T01:00:00.000Z", "2026-12-10T01:00:00.000Z"]);
  });

  it("takes the next slot, skipping the taken ones, across a week boundary", () => {
    const friday = new Date("2026-12-11T09:00:00+07:00");
    expect(nextSlot(TUE_THU_8, friday)?.toISOString()).toBe("2026-12-15T01:00:00.000Z");
    const taken = new Set(["2026-12-15T01:00:00.000Z"]);
    expect(nextSlot(TUE_THU_8, friday, (at) => taken.has(at.toISOString()))?.toISOString()).toBe("2026-12-17T01:00:00.000Z");
  });

  it("counts a slot at the very instant as free", () => {
    const at = new Date("2026-12-08T08:00:00+07:00");
    expect(nextSlot(TUE_THU_8, at)?.getTime()).toBe(at.getTime());
  });

  it("crosses the 2026-W53 year end into 2027-W01", () => {
    const daily6 = WeeklySlots.parse([{ days: ["mon", "tue", "wed", "thu", "fri", "sat"], time: "06:00" }]);
    const slots = slotsBetween(daily6, new Date("2026-12-31T00:00:00+07:00"), new Date("2027-01-06T00:00:00+07:00"));
    expect(slots.map((d) => `${isoWeek(d)} ${weekdayOf(d)}`)).toEqual([
      "2026-W53 thu",
      "2026-W53 fri",
      "2026-W53 sat",
      "2027-W01 mon",
      "2027-W01 tue",
    ]);
  });

  it("refuses a malformed slot naming the field", () => {
    const bad = WeeklySlots.safeParse([{ days: ["mon"], time: "6:00" }]);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual([0, "time"]);
    expect(WeeklySlots.safeParse([{ days: ["monday"], time: "06:00" }]).success).toBe(false);
  });

  it("has no next slot without slots", () => {
    expect(nextSlot([], new Date())).toBeUndefined();
  });
});
