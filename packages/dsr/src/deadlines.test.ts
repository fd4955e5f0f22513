import { describe, expect, it } from "vitest";
import { weekendOnlyCalendar } from "@lawful/core";
import { DEFAULT_CALENDAR_IDS, defaultCalendarResolver } from "./deadlines.js";

describe("calendars", () => {
  it("defaultCalendarResolver - weekend-only, curated calendars by id, and a typed error for unknown ids", () => {
    expect(defaultCalendarResolver("weekend-only")).toBe(weekendOnlyCalendar);
    expect(defaultCalendarResolver(DEFAULT_CALENDAR_IDS.UK).id).toBe("UK");
    expect(defaultCalendarResolver("DE")).toBe(defaultCalendarResolver("DE"));
    expect(() => defaultCalendarResolver("Atlantis")).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION", name: "DsrError" }) as Error);
  });
});
