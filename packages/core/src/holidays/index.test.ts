import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isWorkingDay } from "../periods/calendar.js";
import { SUPPORTED_HOLIDAY_CALENDARS, createHolidayCalendar } from "./index.js";

function dates(id: string, year: number): string[] {
  return createHolidayCalendar(id).holidays(year).map((h) => h.date);
}

function expectInvalidPeriod(fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ code: "INVALID_PERIOD" }));
}

describe("createHolidayCalendar", () => {
  it("SUPPORTED_HOLIDAY_CALENDARS - lists the curated ids and each one loads", () => {
    expect(Object.keys(SUPPORTED_HOLIDAY_CALENDARS)).toEqual(["DE", "FR", "IE", "NL", "UK", "US", "US-CA", "CA", "BR"]);
    for (const id of Object.keys(SUPPORTED_HOLIDAY_CALENDARS)) {
      const cal = createHolidayCalendar(id);
      expect(cal.id).toBe(id);
      expect(cal.holidays(2025).length).toBeGreaterThanOrEqual(5);
      expect(cal.holidays(2025).every((h) => h.date.startsWith("2025-"))).toBe(true);
    }
  });

  it("DE - nationwide public holidays only (no bank half-days, no Länder holidays)", () => {
    const de = createHolidayCalendar("DE");
    expect(de.isHoliday("2025-04-21")).toBe(true); // Easter Monday
    expect(de.isHoliday("2025-04-18")).toBe(true); // Good Friday
    expect(de.isHoliday("2025-10-03")).toBe(true);
    expect(de.isHoliday("2025-12-24")).toBe(false); // Christmas Eve is a "bank" half-day
    expect(de.isHoliday("2025-06-19")).toBe(false); // Corpus Christi is regional
    expect(createHolidayCalendar("DE-BY").isHoliday("2025-06-19")).toBe(true);
  });

  it("FR, IE, NL - public type only", () => {
    expect(createHolidayCalendar("FR").isHoliday("2025-05-08")).toBe(true);
    expect(createHolidayCalendar("IE").isHoliday("2025-04-18")).toBe(false); // Good Friday: bank holiday in Ireland
    expect(createHolidayCalendar("IE", { types: ["public", "bank"] }).isHoliday("2025-04-18")).toBe(true);
    expect(createHolidayCalendar("IE").isHoliday("2025-02-03")).toBe(true); // St Brigid's Day (first Monday of Feb)
    expect(createHolidayCalendar("NL").isHoliday("2025-04-26")).toBe(true); // King's Day moved off Sunday
    expect(createHolidayCalendar("NL").isHoliday("2025-05-05")).toBe(false); // Liberation Day is not a public day off
  });

  it("UK - England and Wales bank holidays including substitute days", () => {
    const uk = createHolidayCalendar("UK");
    expect(uk.country).toBe("GB");
    expect(uk.state).toBe("ENG");
    expect(dates("UK", 2027)).toEqual([
      "2027-01-01",
      "2027-03-26",
      "2027-03-29",
      "2027-05-03",
      "2027-05-31",
      "2027-08-30",
      "2027-12-25",
      "2027-12-26",
      "2027-12-27",
      "2027-12-28",
    ]);
    expect(uk.holidays(2027).filter((h) => h.substitute).map((h) => h.date)).toEqual(["2027-12-27", "2027-12-28"]);
    expect(uk.isHoliday("2020-12-28")).toBe(true); // Boxing Day substitute
    expect(uk.isHoliday("2022-01-03")).toBe(true); // New Year's Day substitute
    expect(uk.isHoliday("2022-09-19")).toBe(true); // one-off: State Funeral
    expect(createHolidayCalendar("GB-SCT").isHoliday("2025-01-02")).toBe(true);
    expect(uk.isHoliday("2025-01-02")).toBe(false);
  });

  it("US - federal holidays with observed days, also across the year boundary", () => {
    const us = createHolidayCalendar("US");
    expect(us.isHoliday("2026-07-03")).toBe(true); // Independence Day observed (4 July is a Saturday)
    expect(us.isHoliday("2021-12-31")).toBe(true); // New Year's Day 2022 observed on Friday
    expect(us.isHoliday("2025-10-13")).toBe(true); // Columbus Day
    expect(us.isHoliday("2025-11-27")).toBe(true); // Thanksgiving
    expect(us.isHoliday("2025-11-28")).toBe(false); // day after Thanksgiving is not federal
    expect(us.isHoliday("2025-12-24")).toBe(false); // Christmas Eve is optional
    expect(dates("US", 2025)).toHaveLength(11);
  });

  it("US-CA - California state holidays", () => {
    const ca = createHolidayCalendar("US-CA");
    expect(ca.isHoliday("2025-11-28")).toBe(true); // day after Thanksgiving
    expect(ca.isHoliday("2025-03-31")).toBe(true); // César Chávez Day
    expect(ca.isHoliday("2025-10-13")).toBe(false); // Columbus Day is not a California holiday
  });

  it("CA - the ten federal general holidays of the Canada Labour Code", () => {
    expect(dates("CA", 2025)).toEqual([
      "2025-01-01",
      "2025-04-18",
      "2025-05-19",
      "2025-07-01",
      "2025-09-01",
      "2025-09-30",
      "2025-10-13",
      "2025-11-11",
      "2025-12-25",
      "2025-12-26",
    ]);
    const ca = createHolidayCalendar("CA");
    expect(ca.isHoliday("2020-09-30")).toBe(false); // Truth and Reconciliation day only since 2021
    expect(ca.isHoliday("2018-07-02")).toBe(true); // Canada Day moved off Sunday
    expect(ca.isHoliday("2027-05-24")).toBe(true); // Victoria Day: Monday before 25 May
    expect(ca.isHoliday("2025-04-21")).toBe(false); // Easter Monday is not a general holiday
  });

  it("BR - national holidays; Carnival and Corpus Christi are optional", () => {
    const br = createHolidayCalendar("BR");
    expect(br.isHoliday("2025-04-21")).toBe(true); // Tiradentes
    expect(br.isHoliday("2025-03-04")).toBe(false); // Carnival
    expect(br.isHoliday("2025-06-19")).toBe(false); // Corpus Christi
    expect(br.isHoliday("2024-11-20")).toBe(true); // Black Awareness Day, national since 2024
    expect(br.isHoliday("2023-11-20")).toBe(false);
  });

  it("isHoliday - agrees with isWorkingDay and treats weekends separately", () => {
    const uk = createHolidayCalendar("UK");
    expect(isWorkingDay("2027-12-25", uk)).toBe(false);
    expect(isWorkingDay("2027-12-29", uk)).toBe(true);
    expect(uk.isWeekend?.("2027-12-25")).toBe(true);
  });

  it("createHolidayCalendar - memoises calendars and years", () => {
    const a = createHolidayCalendar("DE");
    expect(createHolidayCalendar("DE")).toBe(a);
    expect(a.holidays(2025)).toBe(a.holidays(2025));
    expect(createHolidayCalendar("DE", { types: ["public", "bank"] })).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.holidays(2025))).toBe(true);
  });

  it("createHolidayCalendar - dates do not depend on the process time zone", () => {
    const previous = process.env.TZ;
    try {
      process.env.TZ = "Pacific/Kiritimati";
      const east = createHolidayCalendar("GB-ENG").holidays(2027).map((h) => h.date);
      process.env.TZ = "Pacific/Pago_Pago";
      const west = createHolidayCalendar("GB-WLS").holidays(2027).map((h) => h.date);
      expect(east).toEqual(dates("UK", 2027));
      expect(west).toEqual(dates("UK", 2027));
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it("createHolidayCalendar - passes other date-holidays codes through", () => {
    expect(createHolidayCalendar("AT").isHoliday("2025-12-08")).toBe(true);
    expect(createHolidayCalendar("ES-MD").isHoliday("2025-05-02")).toBe(true);
    expect(createHolidayCalendar("es-md").id).toBe("es-md");
  });

  it("createHolidayCalendar - rejects unknown ids, types and years with INVALID_PERIOD", () => {
    expectInvalidPeriod(() => createHolidayCalendar("XX"));
    expectInvalidPeriod(() => createHolidayCalendar("US-ZZ"));
    expectInvalidPeriod(() => createHolidayCalendar("not a code"));
    expectInvalidPeriod(() => createHolidayCalendar(""));
    expectInvalidPeriod(() => createHolidayCalendar("DE", { types: [] }));
    expectInvalidPeriod(() => createHolidayCalendar("DE").isHoliday("2025-02-30"));
    expectInvalidPeriod(() => createHolidayCalendar("DE").holidays(1500));
  });
});

describe("entry points", () => {
  it("the main entry never imports date-holidays", () => {
    // walk the import graph of src/index.ts: date-holidays is an optional peer, only ./holidays may load it
    const srcDir = join(dirname(fileURLToPath(import.meta.url)), "..");
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/from\s+["']date-holidays/);
      for (const m of text.matchAll(/from\s+["'](\.{1,2}\/[^"']+)\.js["']/g)) visit(join(dirname(file), `${m[1]}.ts`));
    };
    visit(join(srcDir, "index.ts"));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].some((f) => f.includes("holidays"))).toBe(false);
  });
});
