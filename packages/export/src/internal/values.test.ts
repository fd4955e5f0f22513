import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoInstant } from "./values.js";

describe("isoInstant", () => {
  it("format - equals Date#toISOString for every instant (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (t) => {
        expect(isoInstant(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const t of [0, -1, Date.UTC(1000, 0, 1), Date.UTC(1000, 0, 1) - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 23, 59, 59, 999)]) {
      expect(isoInstant(t)).toBe(new Date(t).toISOString());
    }
  });
});
