import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHolidayCalendar } from "../holidays/index.js";
import { createFixedHolidayCalendar, isWorkingDay, weekendOnlyCalendar, type HolidayCalendar } from "./calendar.js";
import { addLocalDays, toLocalDate } from "./local-date.js";
import {
  addBusinessDays,
  addCalendarDays,
  addCalendarMonths,
  addHours,
  addMonthsToLocalDate,
  countWorkingDays,
  rollToNextWorkingDay,
} from "./periods.js";

const BERLIN = "Europe/Berlin";
const LA = "America/Los_Angeles";

function expectInvalidPeriod(fn: () => unknown, messagePart?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an INVALID_PERIOD error").toMatchObject({ code: "INVALID_PERIOD", name: "LawfulError" });
  if (messagePart) expect((caught as Error).message).toMatch(messagePart);
}

/** Noon local time on a date in Berlin (CET/CEST), as an instant. */
function berlinNoon(date: string): Date {
  return new Date(`${date}T10:00:00Z`);
}

describe("addCalendarMonths (Reg. 1182/71, DOMAIN A2)", () => {
  it("A2 example - 2025-03-05 → 2025-04-05 (Sat) rolls over to 2025-04-07", () => {
    const d = addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: BERLIN });
    expect(d.unadjustedDate).toBe("2025-04-05");
    expect(d.dueDate).toBe("2025-04-07");
    expect(d.rolledOver).toBe(true);
    expect(d.rollsToWorkingDay).toBe(true);
    expect(d.dueAt.toISOString()).toBe("2025-04-07T21:59:59.999Z"); // end of day CEST (DST began 30 March)
    expect(d.timeZone).toBe(BERLIN);
    expect(d.kind).toBe("end-of-day");
    expect(d.calendarId).toBe("weekend-only");
    expect(d.startedAt.toISOString()).toBe("2025-03-05T10:00:00.000Z");
    expect(d.rule).toMatch(/1182\/71/);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it("A2 example - 2025-01-31 → 2025-02-28 (clamped to the last day of February)", () => {
    const d = addCalendarMonths(berlinNoon("2025-01-31"), 1, { timeZone: BERLIN });
    expect(d.dueDate).toBe("2025-02-28");
    expect(d.rolledOver).toBe(false);
    expect(d.dueAt.toISOString()).toBe("2025-02-28T22:59:59.999Z");
  });

  it("A2 example - 2024-01-31 → 2024-02-29 (leap year)", () => {
    expect(addCalendarMonths(berlinNoon("2024-01-31"), 1, { timeZone: BERLIN }).dueDate).toBe("2024-02-29");
  });

  it("A2 example - extension 2025-03-05 → 2025-06-05 (3 months from receipt)", () => {
    const d = addCalendarMonths(berlinNoon("2025-03-05"), 3, { timeZone: BERLIN });
    expect(d.dueDate).toBe("2025-06-05");
    expect(d.rolledOver).toBe(false);
  });

  it("A2 - never JavaScript month overflow and never 30 days", () => {
    expect(addCalendarMonths(berlinNoon("2025-01-30"), 1, { timeZone: BERLIN }).dueDate).toBe("2025-02-28");
    expect(addCalendarMonths(berlinNoon("2025-03-31"), 1, { timeZone: BERLIN }).dueDate).toBe("2025-04-30");
    expect(addCalendarMonths(berlinNoon("2025-02-01"), 1, { timeZone: BERLIN }).unadjustedDate).toBe("2025-03-01"); // not 03-03
    expect(addCalendarMonths(berlinNoon("2025-12-15"), 1, { timeZone: BERLIN }).dueDate).toBe("2026-01-15");
  });

  it("A2 - an end on a public holiday rolls to the next working day (DE Easter Monday → Tuesday)", () => {
    const de = createHolidayCalendar("DE");
    const d = addCalendarMonths(berlinNoon("2025-03-21"), 1, { timeZone: BERLIN, calendar: de });
    expect(d.unadjustedDate).toBe("2025-04-21");
    expect(d.dueDate).toBe("2025-04-22");
    expect(d.calendarId).toBe("DE");
    // Without the holiday calendar Easter Monday is an ordinary Monday.
    expect(addCalendarMonths(berlinNoon("2025-03-21"), 1, { timeZone: BERLIN }).dueDate).toBe("2025-04-21");
  });

  it("A2 - an end on a Saturday before Easter rolls over the whole Easter weekend (DE)", () => {
    // 2025-04-19 is Holy Saturday; Sunday 20 and Easter Monday 21 follow.
    const d = addCalendarMonths(berlinNoon("2025-03-19"), 1, { timeZone: BERLIN, calendar: createHolidayCalendar("DE") });
    expect(d.dueDate).toBe("2025-04-22");
  });

  it("A2 - ICO practice: a UK deadline on a bank holiday rolls over, past substitute days too", () => {
    const uk = createHolidayCalendar("UK");
    const london = "Europe/London";
    expect(addCalendarMonths(new Date("2025-04-05T09:00:00Z"), 1, { timeZone: london, calendar: uk }).dueDate).toBe("2025-05-06");
    // 2027-12-25 Sat, 26 Sun, 27 and 28 substitute bank holidays → Wednesday 29th.
    expect(addCalendarMonths(new Date("2027-11-25T09:00:00Z"), 1, { timeZone: london, calendar: uk }).dueDate).toBe("2027-12-29");
  });

  it("rollover: false - keeps the unadjusted end", () => {
    const d = addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: BERLIN, rollover: false });
    expect(d.dueDate).toBe("2025-04-05");
    expect(d.rolledOver).toBe(false);
    expect(d.rollsToWorkingDay).toBe(false);
  });

  it("time zone - receipt at 23:30 local on the last day of the month counts from that local day", () => {
    // 2025-01-31 23:30 in Los Angeles is already 1 February in UTC.
    const receivedAt = new Date("2025-02-01T07:30:00Z");
    const d = addCalendarMonths(receivedAt, 1, { timeZone: LA });
    expect(d.dueDate).toBe("2025-02-28");
    expect(d.dueAt.toISOString()).toBe("2025-03-01T07:59:59.999Z");
    // In UTC the same instant is 1 February, giving 1 March (Saturday) → 3 March.
    expect(addCalendarMonths(receivedAt, 1, { timeZone: "UTC" }).dueDate).toBe("2025-03-03");
  });

  it("time zone - receipt at 00:30 local on 1 February in Berlin is still 31 January in UTC", () => {
    const receivedAt = new Date("2025-01-31T23:30:00Z");
    expect(addCalendarMonths(receivedAt, 1, { timeZone: BERLIN }).dueDate).toBe("2025-03-03");
    expect(addCalendarMonths(receivedAt, 1, { timeZone: "UTC" }).dueDate).toBe("2025-02-28");
  });

  it("time zone - a deadline on the DST change day ends at local midnight", () => {
    const d = addCalendarMonths(new Date("2025-09-26T10:00:00Z"), 1, { timeZone: BERLIN, rollover: false });
    expect(d.dueDate).toBe("2025-10-26"); // 25-hour day
    expect(d.dueAt.toISOString()).toBe("2025-10-26T22:59:59.999Z");
  });

  it("months = 0 - ends at the end of the receipt day", () => {
    expect(addCalendarMonths(berlinNoon("2025-03-05"), 0, { timeZone: BERLIN }).dueDate).toBe("2025-03-05");
  });

  it("invalid input - INVALID_PERIOD with a clear message", () => {
    expectInvalidPeriod(() => addCalendarMonths(new Date("x"), 1, { timeZone: BERLIN }), /receivedAt/);
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), -1, { timeZone: BERLIN }), /months/);
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), 1.5, { timeZone: BERLIN }), /months/);
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: "Europe/Berln" }), /Europe\/Berln.*IANA/);
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: "" }));
    expectInvalidPeriod(
      () => addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: BERLIN, calendar: {} as HolidayCalendar }),
      /not a holiday calendar/,
    );
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), 1, undefined as unknown as { timeZone: string }), /timeZone/);
  });

  it("a calendar with no working days - INVALID_PERIOD instead of looping", () => {
    const never: HolidayCalendar = { id: "never", isHoliday: () => true };
    expectInvalidPeriod(() => addCalendarMonths(berlinNoon("2025-03-05"), 1, { timeZone: BERLIN, calendar: never }), /no working day/);
    expectInvalidPeriod(() => addBusinessDays(berlinNoon("2025-03-05"), 1, { timeZone: BERLIN, calendar: never }), /no working day/);
  });
});

describe("addCalendarDays (DOMAIN A5, A7)", () => {
  const received = new Date("2025-03-05T17:00:00Z"); // 09:00 in Los Angeles

  it("A5 - conservative CCPA count: receipt day is day 1, 45 days end on receipt + 44", () => {
    const d = addCalendarDays(received, 45, { timeZone: LA, countStartDay: true });
    expect(d.dueDate).toBe("2025-04-18");
    expect(d.dueAt.toISOString()).toBe("2025-04-19T06:59:59.999Z");
    expect(addCalendarDays(received, 90, { timeZone: LA, countStartDay: true }).dueDate).toBe("2025-06-02");
  });

  it("A5 - Civil Code §10 count: receipt + 45, no rollover onto Monday", () => {
    const d = addCalendarDays(received, 45, { timeZone: LA });
    expect(d.dueDate).toBe("2025-04-19"); // a Saturday, kept
    expect(d.rolledOver).toBe(false);
    expect(d.rollsToWorkingDay).toBe(false);
    expect(addCalendarDays(received, 90, { timeZone: LA }).dueDate).toBe("2025-06-03");
  });

  it("rollover: true - moves a weekend end to the next working day", () => {
    const d = addCalendarDays(received, 45, { timeZone: LA, rollover: true });
    expect(d.unadjustedDate).toBe("2025-04-19");
    expect(d.dueDate).toBe("2025-04-21");
    expect(d.rolledOver).toBe(true);
  });

  it("A7 - LGPD 15 days from the request", () => {
    expect(addCalendarDays(new Date("2025-03-05T13:00:00Z"), 15, { timeZone: "America/Sao_Paulo" }).dueDate).toBe("2025-03-20");
  });

  it("countStartDay with 1 day - ends the same day; 0 days is rejected", () => {
    expect(addCalendarDays(received, 1, { timeZone: LA, countStartDay: true }).dueDate).toBe("2025-03-05");
    expect(addCalendarDays(received, 0, { timeZone: LA }).dueDate).toBe("2025-03-05");
    expectInvalidPeriod(() => addCalendarDays(received, 0, { timeZone: LA, countStartDay: true }), /days/);
    expectInvalidPeriod(() => addCalendarDays(received, 1, { timeZone: LA, countStartDay: "yes" as unknown as boolean }), /countStartDay/);
  });

  it("DST - a day-based deadline on the 23-hour day still ends at local 23:59:59.999", () => {
    const d = addCalendarDays(new Date("2025-03-20T10:00:00Z"), 10, { timeZone: BERLIN });
    expect(d.dueDate).toBe("2025-03-30");
    expect(d.dueAt.toISOString()).toBe("2025-03-30T21:59:59.999Z");
  });
});

describe("addBusinessDays", () => {
  it("counts Monday–Friday after the receipt day", () => {
    // Wednesday 2025-03-05 + 10 business days.
    expect(addBusinessDays(new Date("2025-03-05T15:00:00Z"), 10, { timeZone: "America/New_York" }).dueDate).toBe("2025-03-19");
    // Friday + 1 → Monday.
    expect(addBusinessDays(berlinNoon("2025-04-04"), 1, { timeZone: BERLIN }).dueDate).toBe("2025-04-07");
  });

  it("a request received on a Saturday counts Monday as day 1", () => {
    expect(addBusinessDays(berlinNoon("2025-04-05"), 1, { timeZone: BERLIN }).dueDate).toBe("2025-04-07");
    expect(addBusinessDays(berlinNoon("2025-04-05"), 5, { timeZone: BERLIN }).dueDate).toBe("2025-04-11");
  });

  it("n = 0 - ends at the end of the start day", () => {
    const d = addBusinessDays(berlinNoon("2025-04-05"), 0, { timeZone: BERLIN });
    expect(d.dueDate).toBe("2025-04-05");
  });

  it("A5 - US-CA acknowledgement skips Thanksgiving and the day after", () => {
    const calendar = createHolidayCalendar("US-CA");
    const from = new Date("2025-11-20T18:00:00Z"); // Thursday 10:00 in Los Angeles
    const d = addBusinessDays(from, 10, { timeZone: LA, calendar });
    expect(d.dueDate).toBe("2025-12-08");
    expect(d.dueAt.toISOString()).toBe("2025-12-09T07:59:59.999Z");
    expect(d.rule).toMatch(/US-CA/);
    expect(addBusinessDays(from, 10, { timeZone: LA }).dueDate).toBe("2025-12-04");
  });

  it("uses the local receipt date: 23:30 Friday local is Saturday in UTC", () => {
    const from = new Date("2025-04-05T06:30:00Z"); // Friday 2025-04-04 23:30 in Los Angeles
    expect(addBusinessDays(from, 1, { timeZone: LA }).dueDate).toBe("2025-04-07");
    expect(addBusinessDays(from, 1, { timeZone: "UTC" }).dueDate).toBe("2025-04-07");
    expect(addBusinessDays(new Date("2025-04-04T06:30:00Z"), 1, { timeZone: LA }).dueDate).toBe("2025-04-04"); // Thu 23:30 local
  });

  it("invalid input - INVALID_PERIOD", () => {
    expectInvalidPeriod(() => addBusinessDays(berlinNoon("2025-04-05"), -1, { timeZone: BERLIN }));
    expectInvalidPeriod(() => addBusinessDays(berlinNoon("2025-04-05"), 2.5, { timeZone: BERLIN }));
    expectInvalidPeriod(() => addBusinessDays(berlinNoon("2025-04-05"), 1, { timeZone: "Nowhere/Town" }), /Nowhere\/Town/);
  });
});

describe("addHours (DOMAIN A11)", () => {
  it("is exact to the millisecond and never rolls over, across DST and holidays", () => {
    const d = addHours(new Date("2025-04-18T16:00:00Z"), 72, { timeZone: BERLIN }); // Good Friday
    expect(d.dueAt.toISOString()).toBe("2025-04-21T16:00:00.000Z");
    expect(d.dueDate).toBe("2025-04-21");
    expect(d.kind).toBe("instant");
    expect(d.rolledOver).toBe(false);
    const dst = addHours(new Date("2025-03-29T12:00:00Z"), 72);
    expect(dst.dueAt.toISOString()).toBe("2025-04-01T12:00:00.000Z");
    expect(dst.timeZone).toBe("UTC");
  });

  it("rejects negative or non-finite hours", () => {
    expectInvalidPeriod(() => addHours(new Date(), -1));
    expectInvalidPeriod(() => addHours(new Date(), Number.NaN));
    expectInvalidPeriod(() => addHours(new Date(), 1, { timeZone: "Bad/Zone" }));
  });
});

describe("local-date helpers", () => {
  it("rollToNextWorkingDay - Saturday → Monday, working days unchanged, holidays skipped", () => {
    expect(rollToNextWorkingDay("2025-04-05")).toBe("2025-04-07");
    expect(rollToNextWorkingDay("2025-04-07")).toBe("2025-04-07");
    expect(rollToNextWorkingDay("2025-04-19", createHolidayCalendar("DE"))).toBe("2025-04-22");
    expectInvalidPeriod(() => rollToNextWorkingDay("2025-04-31"));
  });

  it("addMonthsToLocalDate - clamps instead of overflowing", () => {
    expect(addMonthsToLocalDate("2025-01-31", 1)).toBe("2025-02-28");
    expect(addMonthsToLocalDate("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonthsToLocalDate("2024-02-29", 12)).toBe("2025-02-28");
    expect(addMonthsToLocalDate("2025-03-31", -1)).toBe("2025-02-28");
    expect(addMonthsToLocalDate("2025-11-30", 3)).toBe("2026-02-28");
  });

  it("countWorkingDays - counts after the first date up to and including the second", () => {
    expect(countWorkingDays("2025-04-04", "2025-04-11")).toBe(5);
    expect(countWorkingDays("2025-04-11", "2025-04-04")).toBe(0);
    expect(countWorkingDays("2025-04-17", "2025-04-25", createHolidayCalendar("DE"))).toBe(4);
  });
});

// ---------------------------------------------------------------------------
// Properties.

const ZONES = ["Europe/Berlin", "Europe/London", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Auckland", "UTC"];
const CALENDARS: HolidayCalendar[] = [
  weekendOnlyCalendar,
  createHolidayCalendar("DE"),
  createHolidayCalendar("UK"),
  createHolidayCalendar("US-CA"),
  createHolidayCalendar("BR"),
  createFixedHolidayCalendar("dense", ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-29", "2025-12-30", "2025-12-31", "2026-01-02"]),
];
const instantArb = fc.date({ min: new Date("2019-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:59Z"), noInvalidDate: true });
const zoneArb = fc.constantFrom(...ZONES);
const calendarArb = fc.constantFrom(...CALENDARS);
const twoInstants = fc.tuple(instantArb, instantArb).map(([a, b]): [Date, Date] => (a.getTime() <= b.getTime() ? [a, b] : [b, a]));

describe("properties", () => {
  it("monotonicity - a later receipt never gives an earlier deadline", () => {
    fc.assert(
      fc.property(twoInstants, zoneArb, calendarArb, fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 95 }), ([a, b], timeZone, calendar, months, n) => {
        const o = { timeZone, calendar };
        expect(addCalendarMonths(a, months, o).dueAt.getTime()).toBeLessThanOrEqual(addCalendarMonths(b, months, o).dueAt.getTime());
        expect(addBusinessDays(a, n, o).dueAt.getTime()).toBeLessThanOrEqual(addBusinessDays(b, n, o).dueAt.getTime());
        const c = { ...o, countStartDay: n > 0, rollover: n % 2 === 0 };
        expect(addCalendarDays(a, Math.max(n, 1), c).dueAt.getTime()).toBeLessThanOrEqual(addCalendarDays(b, Math.max(n, 1), c).dueAt.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it("monotonicity - a longer period never gives an earlier deadline", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, calendarArb, fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), (at, timeZone, calendar, m, n) => {
        const o = { timeZone, calendar };
        expect(addCalendarMonths(at, m, o).dueAt.getTime()).toBeLessThanOrEqual(addCalendarMonths(at, m + 1, o).dueAt.getTime());
        expect(addBusinessDays(at, n, o).dueAt.getTime()).toBeLessThan(addBusinessDays(at, n + 1, o).dueAt.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it("rolled deadlines never land on a weekend or holiday of their calendar", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, calendarArb, fc.integer({ min: 0, max: 36 }), fc.integer({ min: 1, max: 120 }), (at, timeZone, calendar, months, days) => {
        const o = { timeZone, calendar };
        const m = addCalendarMonths(at, months, o);
        expect(isWorkingDay(m.dueDate, calendar)).toBe(true);
        expect(m.dueDate >= m.unadjustedDate).toBe(true);
        expect(m.rolledOver).toBe(m.dueDate !== m.unadjustedDate);
        const d = addCalendarDays(at, days, { ...o, rollover: true });
        expect(isWorkingDay(d.dueDate, calendar)).toBe(true);
        // Every day skipped by the rollover was a non-working day.
        for (let x = d.unadjustedDate; x < d.dueDate; x = addLocalDays(x, 1)) expect(isWorkingDay(x, calendar)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("addBusinessDays(n) lands on a working day with exactly n working days after the start date", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, calendarArb, fc.integer({ min: 1, max: 60 }), (at, timeZone, calendar, n) => {
        const d = addBusinessDays(at, n, { timeZone, calendar });
        const start = toLocalDate(at, timeZone);
        expect(isWorkingDay(d.dueDate, calendar)).toBe(true);
        expect(countWorkingDays(start, d.dueDate, calendar)).toBe(n);
        expect(countWorkingDays(start, addLocalDays(d.dueDate, -1), calendar)).toBe(n - 1);
      }),
      { numRuns: 300 },
    );
  });

  it("day-based deadlines end at the last millisecond of the local due date", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, fc.integer({ min: 0, max: 400 }), (at, timeZone, days) => {
        const d = addCalendarDays(at, days, { timeZone });
        expect(toLocalDate(d.dueAt, timeZone)).toBe(d.dueDate);
        expect(toLocalDate(new Date(d.dueAt.getTime() + 1), timeZone)).toBe(addLocalDays(d.dueDate, 1));
        expect(d.dueAt.getTime()).toBeGreaterThan(at.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it("addCalendarMonths keeps the day of month unless the month is shorter", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, fc.integer({ min: 0, max: 36 }), (at, timeZone, months) => {
        const start = toLocalDate(at, timeZone);
        const end = addCalendarMonths(at, months, { timeZone, rollover: false }).dueDate;
        const startDay = Number(start.slice(8));
        const endDay = Number(end.slice(8));
        expect(endDay).toBeLessThanOrEqual(startDay);
        if (endDay < startDay) expect(addLocalDays(end, 1).slice(8)).toBe("01");
      }),
      { numRuns: 300 },
    );
  });
});
