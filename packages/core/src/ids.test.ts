import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFixedClock, createManualClock } from "./clock.js";
import { createUuidV7Generator, uuidV7Timestamp } from "./ids.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("UUIDv7", () => {
  it("createUuidV7Generator - produces RFC 9562 version 7 ids carrying the clock's time", () => {
    const next = createUuidV7Generator({ clock: createFixedClock("2025-03-05T10:00:00.123Z") });
    const id = next();
    expect(id).toMatch(UUID_V7);
    expect(uuidV7Timestamp(id).toISOString()).toBe("2025-03-05T10:00:00.123Z");
  });

  it("createUuidV7Generator - ids are strictly increasing, also within one millisecond", () => {
    const next = createUuidV7Generator({ clock: createFixedClock(1_700_000_000_000) });
    const ids = Array.from({ length: 10_000 }, () => next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it("createUuidV7Generator - stays monotonic when the clock goes backwards", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 1, maxLength: 200 }), (steps) => {
        const clock = createManualClock(1_700_000_000_000);
        const next = createUuidV7Generator({ clock });
        let prev = next();
        for (const s of steps) {
          clock.advance(s);
          const id = next();
          if (!(id > prev)) return false;
          prev = id;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });
});
