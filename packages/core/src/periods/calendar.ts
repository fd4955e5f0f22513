import * as z from "zod";
import type { LocalDate } from "./local-date.js";
import {
  assertHolidayCalendar,
  assertLocalDate,
  checkLocalDate,
  dayOfWeek,
  invalidPeriod,
  isCalendarShape,
  isSaturdayOrSunday,
  parsePeriodInput,
  workingDay,
} from "./internal.js";

/**
 * The public holidays and weekend of one jurisdiction, asked about local calendar dates.
 *
 * Dates are {@link LocalDate} strings (`"2025-04-21"`), already in the
 * jurisdiction's calendar, so an implementation never has to think about time
 * zones. `isWeekend` is optional; when it is missing, Saturday and Sunday are
 * the weekend. Implementations must be pure and fast: deadline functions call
 * them once per day they walk over.
 *
 * `@lawful/core` ships {@link weekendOnlyCalendar} and
 * {@link createFixedHolidayCalendar}; real public-holiday calendars (DE, FR, IE,
 * NL, UK, US, US-CA, CA, BR, …) come from the optional entry point
 * `@lawful/core/holidays` (`createHolidayCalendar("DE")`).
 *
 * @example
 * ```ts
 * import type { HolidayCalendar } from "@lawful/core";
 * const companyClosures: HolidayCalendar = {
 *   id: "acme-closures",
 *   isHoliday: (date) => date >= "2025-12-24" && date <= "2025-12-31",
 * };
 * ```
 */
export interface HolidayCalendar {
  /** Stable identifier recorded in every deadline computed with this calendar (e.g. `"DE"`, `"US-CA"`). */
  readonly id: string;
  /** True when `date` is a public holiday (a non-working day that is not a weekend day). */
  isHoliday(date: LocalDate): boolean;
  /** True when `date` falls on the weekend. @default Saturday or Sunday */
  readonly isWeekend?: ((date: LocalDate) => boolean) | undefined;
}

/**
 * Zod schema that checks a value has the shape of a {@link HolidayCalendar} (id and functions; the functions are not called).
 *
 * @example
 * ```ts
 * import { HolidayCalendarSchema, weekendOnlyCalendar } from "@lawful/core";
 * HolidayCalendarSchema.parse(weekendOnlyCalendar);
 * ```
 */
export const HolidayCalendarSchema = z.custom<HolidayCalendar>((value) => isCalendarShape(value), { message: "Expected a holiday calendar: { id: non-empty string, isHoliday(date): boolean, isWeekend?(date): boolean }" },
);

/**
 * A calendar with no public holidays and a Saturday–Sunday weekend: the default everywhere a calendar is optional.
 *
 * Deadlines computed with it ignore public holidays, so they can only be
 * earlier (never later) than with the jurisdiction's real calendar. Use
 * `createHolidayCalendar(id)` from `@lawful/core/holidays` for real holidays.
 *
 * @example
 * ```ts
 * import { isWorkingDay, weekendOnlyCalendar } from "@lawful/core";
 * isWorkingDay("2025-12-25", weekendOnlyCalendar); // true (Thursday; no holidays known)
 * ```
 */
export const weekendOnlyCalendar: HolidayCalendar = Object.freeze({
  id: "weekend-only",
  isHoliday: (_date: LocalDate) => false,
  isWeekend: isSaturdayOrSunday,
});

/**
 * True when `date` is neither a weekend day nor a public holiday of `calendar`.
 *
 * @param calendar - @default weekendOnlyCalendar
 * @throws LawfulError `INVALID_PERIOD` when `date` is not a valid `YYYY-MM-DD` date, `calendar` is not a calendar, or the calendar throws.
 * @example
 * ```ts
 * import { createFixedHolidayCalendar, isWorkingDay } from "@lawful/core";
 * const cal = createFixedHolidayCalendar("acme", ["2025-04-21"]);
 * isWorkingDay("2025-04-21", cal); // false (holiday)
 * isWorkingDay("2025-04-19", cal); // false (Saturday)
 * isWorkingDay("2025-04-22", cal); // true
 * ```
 */
export function isWorkingDay(date: LocalDate, calendar: HolidayCalendar = weekendOnlyCalendar): boolean {
  assertLocalDate(date);
  assertHolidayCalendar(calendar);
  return workingDay(date, calendar);
}

/**
 * Options of {@link createFixedHolidayCalendar}.
 *
 * @example
 * ```ts
 * import { createFixedHolidayCalendar, type FixedHolidayCalendarOptions } from "@lawful/core";
 * const options: FixedHolidayCalendarOptions = { weekendDays: [5, 6] }; // Friday–Saturday weekend
 * const cal = createFixedHolidayCalendar("example", [], options);
 * ```
 */
export interface FixedHolidayCalendarOptions {
  /** Days of the week that are the weekend, 0 = Sunday … 6 = Saturday. At least one weekday must stay a working day. @default [6, 0] */
  weekendDays?: readonly number[] | undefined;
}

const FixedCalendarInputSchema = z.object({
  id: z.string().trim().min(1, "id must be a non-empty string"),
  dates: z.array(z.string().refine(checkLocalDate, "Expected a calendar date that exists, written YYYY-MM-DD")),
  weekendDays: z
    .array(z.int().min(0).max(6))
    .refine((days) => new Set(days).size < 7, "At least one day of the week must be a working day")
    .optional(),
});

/**
 * Create a {@link HolidayCalendar} from an explicit list of holiday dates, for company closures, tests or jurisdictions without built-in data.
 *
 * @param id - identifier recorded in deadlines (e.g. `"acme-DE-2025"`).
 * @param dates - holiday dates written `YYYY-MM-DD`; duplicates are fine.
 * @throws LawfulError `INVALID_PERIOD` when `id` is empty, a date is not a real `YYYY-MM-DD` date, or every day of the week is a weekend day.
 * @example
 * ```ts
 * import { addBusinessDays, createFixedHolidayCalendar } from "@lawful/core";
 * const calendar = createFixedHolidayCalendar("acme", ["2025-12-24", "2025-12-25", "2025-12-26"]);
 * addBusinessDays(new Date("2025-12-22T09:00:00Z"), 2, { timeZone: "Europe/Dublin", calendar }).dueDate; // "2025-12-29"
 * ```
 */
export function createFixedHolidayCalendar(id: string, dates: readonly LocalDate[], options: FixedHolidayCalendarOptions = {}): HolidayCalendar {
  const parsed = parsePeriodInput(FixedCalendarInputSchema, { id, dates, weekendDays: options.weekendDays }, "fixed holiday calendar");
  const holidays = new Set(parsed.dates);
  const weekend = new Set(parsed.weekendDays ?? [6, 0]);
  return Object.freeze({
    id: parsed.id,
    isHoliday: (date: LocalDate) => holidays.has(date),
    isWeekend: (date: LocalDate) => weekend.has(dayOfWeek(date)),
  });
}

/**
 * Combine calendars: a day is a holiday (or weekend day) when any of them says so.
 *
 * Useful for a controller that must respect two jurisdictions, or a national
 * calendar plus company closures.
 *
 * @param id - identifier of the combined calendar. @default the ids joined with "+"
 * @throws LawfulError `INVALID_PERIOD` when `calendars` is empty or holds something that is not a calendar.
 * @example
 * ```ts
 * import { combineHolidayCalendars, createFixedHolidayCalendar, weekendOnlyCalendar } from "@lawful/core";
 * const closures = createFixedHolidayCalendar("acme", ["2025-12-24"]);
 * const calendar = combineHolidayCalendars([weekendOnlyCalendar, closures]);
 * calendar.id; // "weekend-only+acme"
 * ```
 */
export function combineHolidayCalendars(calendars: readonly HolidayCalendar[], id?: string): HolidayCalendar {
  const list: readonly HolidayCalendar[] = Array.isArray(calendars) ? [...(calendars as readonly HolidayCalendar[])] : [];
  if (list.length === 0) throw invalidPeriod("combineHolidayCalendars needs at least one calendar.", { path: ["calendars"] });
  list.forEach((c, i) => assertHolidayCalendar(c, `calendars[${i}]`));
  const combinedId = id ?? list.map((c) => c.id).join("+");
  if (typeof combinedId !== "string" || combinedId.trim() === "") throw invalidPeriod("id must be a non-empty string.", { path: ["id"] });
  return Object.freeze({
    id: combinedId,
    isHoliday: (date: LocalDate) => list.some((c) => c.isHoliday(date) === true),
    isWeekend: (date: LocalDate) => list.some((c) => (c.isWeekend ? c.isWeekend(date) === true : isSaturdayOrSunday(date))),
  });
}
