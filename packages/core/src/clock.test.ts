import { describe, expect, it } from "vitest";
import { createFixedClock, createManualClock, systemClock } from "./clock.js";
import { isLawfulError } from "./errors.js";

describe("clocks", () => {
  it("systemClock - follows the wall clock", () => {
    const before = Date.now();
    const t = systemClock.now().getTime();
    expect(t).toBeGreaterThanOrEqual(before);
  });

  it("createFixedClock - always answers the same instant, as fresh Date objects", () => {
    const c = createFixedClock("2025-03-05T10:00:00Z");
    const a = c.now();
    a.setFullYear(1999);
    expect(c.now().toISOString()).toBe("2025-03-05T10:00:00.000Z");
  });

  it("createManualClock - moves only when told", () => {
    const c = createManualClock("2025-01-01T00:00:00Z");
    c.advance({ days: 30, hours: 1 });
    expect(c.now().toISOString()).toBe("2025-01-31T01:00:00.000Z");
    c.advance(500);
    expect(c.now().getUTCMilliseconds()).toBe(500);
    c.set("2026-01-01T00:00:00Z");
    expect(c.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("createManualClock - rejects invalid dates and durations", () => {
    expect(() => createManualClock("not a date")).toThrow(/not a valid date/);
    const c = createManualClock(0);
    try {
      c.advance(Number.NaN);
      expect.unreachable();
    } catch (e) {
      expect(isLawfulError(e) && e.code).toBe("INVALID_CONFIGURATION");
    }
  });
});
