import { describe, expect, it } from "vitest";
import { isLawfulError } from "../errors.js";
import {
  HolidayCalendarSchema,
  combineHolidayCalendars,
  createFixedHolidayCalendar,
  isWorkingDay,
  weekendOnlyCalendar,
  type HolidayCalendar,
} from "./calendar.js";
import {
  LocalDateSchema,
  addLocalDays,
  endOfLocalDay,
  isLocalDate,
  localDayOfWeek,
  resolveTimeZone,
  startOfLocalDay,
  toLocalDate,
} from "./local-date.js";

function expectInvalidPeriod(fn: () => unknown, messagePart?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isLawfulError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("INVALID_PERIOD");
    if (messagePart) expect((error as Error).message).toMatch(messagePart);
    return;
  }
  throw new Error("expected an INVALID_PERIOD error");
}

describe("LocalDate", () => {
  it("isLocalDate - accepts real YYYY-MM-DD dates only", () => {
    expect(isLocalDate("2024-02-29")).toBe(true);
    expect(isLocalDate("2025-02-29")).toBe(false);
    expect(isLocalDate("2025-04-31")).toBe(false);
    expect(isLocalDate("2025-4-01")).toBe(false);
    expect(isLocalDate("2025-04-01T00:00:00Z")).toBe(false);
    expect(isLocalDate(20250401)).toBe(false);
    expect(LocalDateSchema.safeParse("2025-13-01").success).toBe(false);
    expect(LocalDateSchema.parse("2025-12-31")).toBe("2025-12-31");
  });

  it("addLocalDays - crosses month, year and leap day boundaries", () => {
    expect(addLocalDays("2025-02-27", 2)).toBe("2025-03-01");
    expect(addLocalDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addLocalDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(addLocalDays("2025-01-01", -1)).toBe("2024-12-31");
    expectInvalidPeriod(() => addLocalDays("2025-02-30", 1));
    expectInvalidPeriod(() => addLocalDays("2025-02-01", 1.5));
  });

  it("localDayOfWeek - matches Date#getDay", () => {
    expect(localDayOfWeek("2025-04-05")).toBe(6);
    expect(localDayOfWeek("2025-04-06")).toBe(0);
    expect(localDayOfWeek("2025-04-07")).toBe(1);
    expect(localDayOfWeek("1970-01-01")).toBe(4);
    expect(localDayOfWeek("1969-12-31")).toBe(3);
  });

  it("toLocalDate - takes the date in the given zone, not UTC", () => {
    const instant = new Date("2025-02-01T07:30:00Z");
    expect(toLocalDate(instant, "America/Los_Angeles")).toBe("2025-01-31");
    expect(toLocalDate(instant, "UTC")).toBe("2025-02-01");
    expect(toLocalDate(new Date("2025-01-31T23:30:00Z"), "Europe/Berlin")).toBe("2025-02-01");
    expectInvalidPeriod(() => toLocalDate(new Date("nope"), "UTC"));
    expectInvalidPeriod(() => toLocalDate(instant, "Mars/Olympus"), /Mars\/Olympus/);
  });

  it("endOfLocalDay - is 23:59:59.999 local, also on 23- and 25-hour DST days", () => {
    expect(endOfLocalDay("2025-04-07", "Europe/Berlin").toISOString()).toBe("2025-04-07T21:59:59.999Z");
    expect(endOfLocalDay("2025-03-30", "Europe/Berlin").toISOString()).toBe("2025-03-30T21:59:59.999Z"); // spring forward
    expect(endOfLocalDay("2025-10-26", "Europe/Berlin").toISOString()).toBe("2025-10-26T22:59:59.999Z"); // fall back
    expect(endOfLocalDay("2025-11-02", "America/Los_Angeles").toISOString()).toBe("2025-11-03T07:59:59.999Z");
    // 2018-11-04 00:00 did not exist in São Paulo (DST began at midnight): the 3rd ends at 23:59:59.999 -03:00.
    expect(endOfLocalDay("2018-11-03", "America/Sao_Paulo").toISOString()).toBe("2018-11-04T02:59:59.999Z");
    expect(startOfLocalDay("2018-11-04", "America/Sao_Paulo").toISOString()).toBe("2018-11-04T03:00:00.000Z");
    expect(startOfLocalDay("2025-04-07", "Europe/Berlin").toISOString()).toBe("2025-04-06T22:00:00.000Z");
  });

  it("resolveTimeZone - canonicalises known zones and rejects unknown ones", () => {
    expect(resolveTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(resolveTimeZone("UTC")).toBe("UTC");
    expect(resolveTimeZone("Mars/Olympus")).toBeUndefined();
    expect(resolveTimeZone("")).toBeUndefined();
  });
});

describe("HolidayCalendar", () => {
  it("weekendOnlyCalendar - Saturday and Sunday are not working days, nothing is a holiday", () => {
    expect(isWorkingDay("2025-04-05", weekendOnlyCalendar)).toBe(false);
    expect(isWorkingDay("2025-04-06", weekendOnlyCalendar)).toBe(false);
    expect(isWorkingDay("2025-04-07", weekendOnlyCalendar)).toBe(true);
    expect(isWorkingDay("2025-12-25")).toBe(true);
    expect(weekendOnlyCalendar.isHoliday("2025-12-25")).toBe(false);
    expect(Object.isFrozen(weekendOnlyCalendar)).toBe(true);
  });

  it("createFixedHolidayCalendar - listed dates are holidays", () => {
    const cal = createFixedHolidayCalendar("acme", ["2025-04-21", "2025-04-21", "2025-12-24"]);
    expect(cal.id).toBe("acme");
    expect(isWorkingDay("2025-04-21", cal)).toBe(false);
    expect(isWorkingDay("2025-04-22", cal)).toBe(true);
    expect(isWorkingDay("2025-12-24", cal)).toBe(false);
    expect(isWorkingDay("2025-04-19", cal)).toBe(false);
    expect(HolidayCalendarSchema.safeParse(cal).success).toBe(true);
  });

  it("createFixedHolidayCalendar - supports another weekend", () => {
    const cal = createFixedHolidayCalendar("fri-sat", [], { weekendDays: [5, 6] });
    expect(isWorkingDay("2025-04-04", cal)).toBe(false); // Friday
    expect(isWorkingDay("2025-04-06", cal)).toBe(true); // Sunday
  });

  it("createFixedHolidayCalendar - rejects bad input with INVALID_PERIOD and issues", () => {
    expectInvalidPeriod(() => createFixedHolidayCalendar("x", ["2025-02-30"]), /dates\.0/);
    expectInvalidPeriod(() => createFixedHolidayCalendar("", []));
    expectInvalidPeriod(() => createFixedHolidayCalendar("x", [], { weekendDays: [0, 1, 2, 3, 4, 5, 6] }));
    expectInvalidPeriod(() => createFixedHolidayCalendar("x", [], { weekendDays: [7] }));
    try {
      createFixedHolidayCalendar("x", ["2025-01-01", "nope"]);
    } catch (error) {
      expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual(["dates", 1]);
    }
  });

  it("isWorkingDay - rejects invalid dates and calendars", () => {
    expectInvalidPeriod(() => isWorkingDay("2025-02-29"), /YYYY-MM-DD/);
    expectInvalidPeriod(() => isWorkingDay("2025-02-28", { id: "x" } as unknown as HolidayCalendar), /holiday calendar/);
    expectInvalidPeriod(() => isWorkingDay("2025-02-28", { id: "", isHoliday: () => false }));
  });

  it("isWorkingDay - wraps a failing calendar in INVALID_PERIOD with the cause", () => {
    const boom = new Error("boom");
    const broken: HolidayCalendar = {
      id: "broken",
      isHoliday: () => {
        throw boom;
      },
    };
    try {
      isWorkingDay("2025-03-03", broken);
      throw new Error("should have thrown");
    } catch (error) {
      expect((error as { code: string }).code).toBe("INVALID_PERIOD");
      expect((error as Error).message).toContain("broken");
      expect((error as Error).cause).toBe(boom);
    }
  });

  it("combineHolidayCalendars - a day is off when any calendar says so", () => {
    const a = createFixedHolidayCalendar("a", ["2025-04-21"]);
    const b = createFixedHolidayCalendar("b", ["2025-04-22"], { weekendDays: [5, 6] });
    const both = combineHolidayCalendars([a, b]);
    expect(both.id).toBe("a+b");
    expect(isWorkingDay("2025-04-21", both)).toBe(false);
    expect(isWorkingDay("2025-04-22", both)).toBe(false);
    expect(isWorkingDay("2025-04-25", both)).toBe(false); // Friday weekend of b
    expect(isWorkingDay("2025-04-27", both)).toBe(false); // Sunday weekend of a
    expect(isWorkingDay("2025-04-23", both)).toBe(true);
    expect(combineHolidayCalendars([a], "custom").id).toBe("custom");
    expectInvalidPeriod(() => combineHolidayCalendars([]));
  });
});
