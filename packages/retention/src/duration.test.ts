import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { addDuration, addDurationFromYearEnd, describeDuration, endOfCalendarYear, parseDuration } from "./duration.js";
import { RetentionError } from "./errors.js";

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe("parseDuration", () => {
  it("parses years, months, weeks, days and time parts", () => {
    expect(parseDuration("P10Y")).toMatchObject({ years: 10, totalMonths: 120, totalDays: 0, timeMs: 0 });
    expect(parseDuration("P2Y6M").totalMonths).toBe(30);
    expect(parseDuration("P24M").totalMonths).toBe(24);
    expect(parseDuration("P30D").totalDays).toBe(30);
    expect(parseDuration("P2W").totalDays).toBe(14);
    expect(parseDuration("PT72H").timeMs).toBe(72 * 3600_000);
    expect(parseDuration("P1Y2M3DT4H5M6S")).toMatchObject({ years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6 });
  });

  it.each(["", "P", "PT", "10Y", "P1.5Y", "P-1Y", "p1y", "P1Y2Y", "P0D", "PT0S", "P1001Y", "P1YT", "8 years", "P1H"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(RetentionError);
  });

  it("describes durations in words", () => {
    expect(describeDuration(parseDuration("P2Y6M"))).toBe("2 years 6 months");
    expect(describeDuration(parseDuration("P1Y"))).toBe("1 year");
    expect(describeDuration(parseDuration("PT72H"))).toBe("72 hours");
  });
});

describe("addDuration", () => {
  it("clamps to the end of the month", () => {
    expect(iso(addDuration(at("2025-01-31T10:00:00Z"), parseDuration("P1M")))).toBe("2025-02-28T10:00:00.000Z");
    expect(iso(addDuration(at("2024-01-31T00:00:00Z"), parseDuration("P1M")))).toBe("2024-02-29T00:00:00.000Z");
    expect(iso(addDuration(at("2024-02-29T00:00:00Z"), parseDuration("P1Y")))).toBe("2025-02-28T00:00:00.000Z");
    expect(iso(addDuration(at("2024-02-29T00:00:00Z"), parseDuration("P4Y")))).toBe("2028-02-29T00:00:00.000Z");
    expect(iso(addDuration(at("2025-08-31T00:00:00Z"), parseDuration("P6M")))).toBe("2026-02-28T00:00:00.000Z");
    expect(iso(addDuration(at("2023-03-31T00:00:00Z"), parseDuration("P24M")))).toBe("2025-03-31T00:00:00.000Z");
  });

  it("adds months, then days, then time", () => {
    expect(iso(addDuration(at("2025-01-31T00:00:00Z"), parseDuration("P1M1D")))).toBe("2025-03-01T00:00:00.000Z");
    expect(iso(addDuration(at("2025-03-29T12:00:00Z"), parseDuration("PT72H")))).toBe("2025-04-01T12:00:00.000Z");
    expect(iso(addDuration(at("2024-12-31T00:00:00Z"), parseDuration("P30D")))).toBe("2025-01-30T00:00:00.000Z");
  });

  it("takes calendar dates in a fixed UTC offset", () => {
    // 2025-01-31T23:30 UTC is 2025-02-01 00:30 at +01:00, so one month later is 2025-03-01 00:30 local
    expect(iso(addDuration(at("2025-01-31T23:30:00Z"), parseDuration("P1M"), 60))).toBe("2025-02-28T23:30:00.000Z");
    expect(iso(addDuration(at("2025-01-31T23:30:00Z"), parseDuration("P1M"), 0))).toBe("2025-02-28T23:30:00.000Z");
    // 2025-01-30T23:30Z is 2025-01-31 00:30 at +01:00, clamped to 2025-02-28 00:30 local
    expect(iso(addDuration(at("2025-01-30T23:30:00Z"), parseDuration("P1M"), 60))).toBe("2025-02-27T23:30:00.000Z");
  });

  it("agrees with Date arithmetic for whole years from non-leap days (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 60_000 }), fc.integer({ min: 1, max: 50 }), (day, years) => {
        const start = day * 86_400_000;
        const d = new Date(start);
        if (d.getUTCMonth() === 1 && d.getUTCDate() === 29) return;
        const expected = Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate());
        expect(addDuration(start, parseDuration(`P${years}Y`))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("never leaves the target month when adding months (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -20_000, max: 60_000 }), fc.integer({ min: 1, max: 400 }), (day, months) => {
        const start = new Date(day * 86_400_000);
        const end = new Date(addDuration(start.getTime(), parseDuration(`P${months}M`)));
        const monthIndex = start.getUTCFullYear() * 12 + start.getUTCMonth() + months;
        expect(end.getUTCFullYear() * 12 + end.getUTCMonth()).toBe(monthIndex);
        expect(end.getUTCDate()).toBeLessThanOrEqual(start.getUTCDate());
      }),
      { numRuns: 300 },
    );
  });
});

describe("endOfCalendarYear", () => {
  it("is 1 January of the next year, 00:00 in the offset", () => {
    expect(iso(endOfCalendarYear(at("2025-03-15T00:00:00Z")))).toBe("2026-01-01T00:00:00.000Z");
    expect(iso(endOfCalendarYear(at("2025-12-31T23:59:59.999Z")))).toBe("2026-01-01T00:00:00.000Z");
    expect(iso(endOfCalendarYear(at("2025-01-01T00:00:00Z")))).toBe("2026-01-01T00:00:00.000Z");
    expect(iso(endOfCalendarYear(at("1999-06-01T00:00:00Z")))).toBe("2000-01-01T00:00:00.000Z");
    // 2025-12-31T23:30Z is already 2026 in Berlin (+01:00)
    expect(iso(endOfCalendarYear(at("2025-12-31T23:30:00Z"), 60))).toBe("2026-12-31T23:00:00.000Z");
  });
});

describe("addDuration — reference", () => {
  it("matches a Date-based month addition with clamping for any instant (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 200_000_000_000_000 }), fc.integer({ min: 1, max: 1200 }), (start, months) => {
        const s = new Date(start);
        const firstOfTarget = new Date(0);
        firstOfTarget.setUTCFullYear(s.getUTCFullYear(), s.getUTCMonth() + months, 1);
        const y = firstOfTarget.getUTCFullYear();
        const m = firstOfTarget.getUTCMonth();
        const end = new Date(0);
        end.setUTCFullYear(y, m + 1, 0);
        const dim = end.getUTCDate();
        const expected = new Date(0);
        expected.setUTCFullYear(y, m, Math.min(s.getUTCDate(), dim));
        expected.setUTCHours(s.getUTCHours(), s.getUTCMinutes(), s.getUTCSeconds(), s.getUTCMilliseconds());
        expect(addDuration(start, parseDuration(`P${months}M`))).toBe(expected.getTime());
      }),
      { numRuns: 1000 },
    );
  });
});

describe("addDurationFromYearEnd — the evaluator's fused year-end path", () => {
  it("equals addDuration(endOfCalendarYear(ms)) for any instant, duration and offset (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -62_000_000_000_000, max: 200_000_000_000_000 }),
        fc.record({ y: fc.integer({ min: 0, max: 30 }), m: fc.integer({ min: 0, max: 30 }), d: fc.integer({ min: 0, max: 400 }), h: fc.integer({ min: 0, max: 100 }) }),
        fc.integer({ min: -18 * 60, max: 18 * 60 }),
        (start, p, offset) => {
          fc.pre(p.y + p.m + p.d + p.h > 0);
          const duration = parseDuration(`P${p.y}Y${p.m}M${p.d}DT${p.h}H`);
          expect(addDurationFromYearEnd(start, duration, offset)).toBe(addDuration(endOfCalendarYear(start, offset), duration, offset));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
