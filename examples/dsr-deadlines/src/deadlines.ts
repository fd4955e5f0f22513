import { computeDsrDeadlines, type DsrRegimeId } from "@lawful/core";
import { createHolidayCalendar } from "@lawful/core/holidays";

/** Where the controller sits for each regime: its time zone and public-holiday calendar. */
const PLACES: Record<DsrRegimeId, { timeZone: string; calendar: string }> = {
  EU: { timeZone: "Europe/Berlin", calendar: "DE" },
  UK: { timeZone: "Europe/London", calendar: "UK" },
  "US-CA": { timeZone: "America/Los_Angeles", calendar: "US-CA" },
  BR: { timeZone: "America/Sao_Paulo", calendar: "BR" },
};

/** One line per regime: acknowledge-by, respond-by and extended-by dates of a request received at `receivedAt`. */
export function deadlineTable(receivedAt: Date): { regime: DsrRegimeId; acknowledgeBy?: string; respondBy: string; extendedBy?: string }[] {
  return (Object.keys(PLACES) as DsrRegimeId[]).map((regime) => {
    const place = PLACES[regime];
    const d = computeDsrDeadlines({ regime, receivedAt, timeZone: place.timeZone, calendar: createHolidayCalendar(place.calendar) });
    return {
      regime,
      ...(d.acknowledgeBy ? { acknowledgeBy: d.acknowledgeBy.dueDate } : {}),
      respondBy: d.respondBy.dueDate,
      ...(d.extendedBy ? { extendedBy: d.extendedBy.dueDate } : {}),
    };
  });
}
