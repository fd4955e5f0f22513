import { weekendOnlyCalendar, type HolidayCalendar } from "./calendar.js";
import type { LocalDate } from "./local-date.js";
import {
  addMonthsClamped,
  assertCount,
  assertInstant,
  assertLocalDate,
  assertTimeZone,
  endOfDayDeadline,
  firstWorkingDayFrom,
  instantDeadline,
  invalidPeriod,
  localDateIn,
  nthWorkingDayAfter,
  resolveCalendar,
  shiftDays,
  toDayNumber,
  workingDay,
  assertHolidayCalendar,
} from "./internal.js";

/**
 * A computed legal deadline: the instant it expires plus everything needed to explain and audit it.
 *
 * Day-based deadlines (`kind: "end-of-day"`) expire at 23:59:59.999 local time
 * of `dueDate` in `timeZone`. Hour-based clocks (`kind: "instant"`, e.g. the
 * 72-hour breach clock) expire at an exact instant and never roll over.
 * Deadline objects are frozen.
 *
 * @example
 * ```ts
 * import { addCalendarMonths, type Deadline } from "@lawful/core";
 * const d: Deadline = addCalendarMonths(new Date("2025-03-05T10:00:00Z"), 1, { timeZone: "Europe/Dublin" });
 * d.dueDate; // "2025-04-07" (2025-04-05 is a Saturday)
 * d.unadjustedDate; // "2025-04-05"
 * d.rolledOver; // true
 * d.dueAt.toISOString(); // "2025-04-07T22:59:59.999Z"
 * ```
 */
export interface Deadline {
  /** The instant the deadline expires: end of `dueDate` in `timeZone` (23:59:59.999 local), or the exact instant for hour clocks. */
  readonly dueAt: Date;
  /** The local calendar date the deadline falls on, after any rollover. */
  readonly dueDate: LocalDate;
  /** Canonical IANA time zone the period was computed in. */
  readonly timeZone: string;
  /** The instant the period was counted from (receipt, awareness, sending…). */
  readonly startedAt: Date;
  /** The local date the period ends on before the weekend/holiday rollover. Equal to `dueDate` when nothing rolled. */
  readonly unadjustedDate: LocalDate;
  /** True when the end fell on a weekend day or holiday and moved to the next working day. */
  readonly rolledOver: boolean;
  /** True when the rule moves an end that falls on a non-working day to the next working day. */
  readonly rollsToWorkingDay: boolean;
  /** Id of the {@link HolidayCalendar} used (`"none"` for hour clocks). */
  readonly calendarId: string;
  /** `"end-of-day"` for day, business-day and month periods; `"instant"` for exact clocks. */
  readonly kind: "end-of-day" | "instant";
  /** Human-readable description of how the deadline was computed. */
  readonly rule: string;
  /** The DOMAIN.md rule the deadline implements (e.g. `"A2"`), set by the regime functions. */
  readonly source?: string | undefined;
}

/**
 * Options shared by the day-based period functions.
 *
 * @example
 * ```ts
 * import { weekendOnlyCalendar, type PeriodOptions } from "@lawful/core";
 * const options: PeriodOptions = { timeZone: "Europe/Berlin", calendar: weekendOnlyCalendar };
 * ```
 */
export interface PeriodOptions {
  /** The controller's IANA time zone; local dates and "end of day" are taken in it. */
  timeZone: string;
  /** Weekend and public holidays. Use `createHolidayCalendar()` from `@lawful/core/holidays` for real ones. @default weekendOnlyCalendar */
  calendar?: HolidayCalendar | undefined;
}

/**
 * Options of {@link addCalendarMonths}.
 *
 * @example
 * ```ts
 * import type { CalendarMonthsOptions } from "@lawful/core";
 * const options: CalendarMonthsOptions = { timeZone: "Europe/Paris", rollover: true };
 * ```
 */
export interface CalendarMonthsOptions extends PeriodOptions {
  /** Move an end that falls on a weekend day or holiday to the next working day (Reg. 1182/71 Art. 3(4)). @default true */
  rollover?: boolean | undefined;
}

/**
 * Options of {@link addCalendarDays}.
 *
 * @example
 * ```ts
 * import type { CalendarDaysOptions } from "@lawful/core";
 * const ccpa: CalendarDaysOptions = { timeZone: "America/Los_Angeles", countStartDay: true };
 * ```
 */
export interface CalendarDaysOptions extends PeriodOptions {
  /**
   * Count the start day itself as day 1 (due = start + days − 1), the conservative reading of
   * "the period begins on the day of receipt" (CCPA, DOMAIN A5). When false the start day is
   * not counted (due = start + days), as in Cal. Civ. Code §10 and Reg. 1182/71.
   * @default false
   */
  countStartDay?: boolean | undefined;
  /** Move an end that falls on a weekend day or holiday to the next working day. Calendar-day rules (CCPA, LGPD) do not. @default false */
  rollover?: boolean | undefined;
}

/**
 * Options of {@link addHours}.
 *
 * @example
 * ```ts
 * import type { HoursOptions } from "@lawful/core";
 * const options: HoursOptions = { timeZone: "Europe/Madrid" };
 * ```
 */
export interface HoursOptions {
  /** Time zone used only to report `dueDate`; the instant itself is exact. @default "UTC" */
  timeZone?: string | undefined;
}

const MAX_MONTHS = 1200;
const MAX_DAYS = 36_600;
const MAX_BUSINESS_DAYS = 10_000;
const MAX_HOURS = 1_000_000;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function optionsOf(options: unknown): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw invalidPeriod("options must be an object with at least { timeZone }, e.g. { timeZone: \"Europe/Berlin\" }.", { path: ["options"] });
  }
  return options as Record<string, unknown>;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidPeriod(`${name} must be true or false.`, { path: [name] });
  return value;
}

/**
 * Add calendar months the way EU law counts them (Reg. 1182/71 Art. 3; GDPR Art. 12(3) "one month", DOMAIN A1/A2).
 *
 * - The day of receipt is not counted; the period ends at the end
 *   (23:59:59.999 local) of the day with the same date in the final month.
 * - If that date does not exist (31 Jan + 1 month), it ends on the last day of that month.
 * - If the last day is a Saturday, Sunday or public holiday of `calendar`, it
 *   ends at the end of the next working day (unless `rollover: false`).
 *
 * The receipt date is the local date of `receivedAt` in `timeZone`: a request
 * received at 23:30 local on 31 January counts from 31 January even if it is
 * already 1 February in UTC.
 *
 * @param receivedAt - the instant the period starts from (e.g. receipt of the request).
 * @param months - whole months, 0–1200.
 * @throws LawfulError `INVALID_PERIOD` for an invalid Date, a negative or fractional `months`, an unknown time zone or an invalid calendar.
 * @example
 * ```ts
 * import { addCalendarMonths } from "@lawful/core";
 * addCalendarMonths(new Date("2025-03-05T09:00:00Z"), 1, { timeZone: "Europe/Berlin" }).dueDate; // "2025-04-07"
 * addCalendarMonths(new Date("2025-01-31T09:00:00Z"), 1, { timeZone: "Europe/Berlin" }).dueDate; // "2025-02-28"
 * addCalendarMonths(new Date("2025-03-05T09:00:00Z"), 3, { timeZone: "Europe/Berlin" }).dueDate; // "2025-06-05"
 * ```
 */
export function addCalendarMonths(receivedAt: Date, months: number, options: CalendarMonthsOptions): Deadline {
  assertInstant(receivedAt, "receivedAt");
  assertCount(months, "months", 0, MAX_MONTHS);
  const o = optionsOf(options);
  const zone = assertTimeZone(o.timeZone);
  const calendar = resolveCalendar(o.calendar, weekendOnlyCalendar);
  const roll = flag(o.rollover, "rollover", true);
  const start = localDateIn(receivedAt.getTime(), zone);
  return endOfDayDeadline({
    startedAtMs: receivedAt.getTime(),
    zone,
    calendar,
    unadjusted: addMonthsClamped(start, months),
    roll,
    rule: `${plural(months, "calendar month")} after ${start}, same date or last day of the month (Reg. 1182/71 Art. 3)${roll ? `; a weekend or holiday end moves to the next working day (${calendar.id})` : ""}`,
  });
}

/**
 * Add calendar days, ending at the end (23:59:59.999 local) of the last day.
 *
 * By default the start day is not counted (due = start + `days`) and there is
 * no weekend/holiday rollover, which is how the CCPA (45 days) and the LGPD
 * (15 days) are applied in DOMAIN A5/A7. Set `countStartDay: true` for the
 * conservative CCPA count (the day of receipt is day 1, so 45 days end on
 * receipt + 44) and `rollover: true` where a rule moves a non-working end day.
 *
 * @param from - the instant the period starts from.
 * @param days - whole days, 0–36600 (at least 1 with `countStartDay`).
 * @throws LawfulError `INVALID_PERIOD` for an invalid Date, a bad `days`, an unknown time zone or an invalid calendar.
 * @example
 * ```ts
 * import { addCalendarDays } from "@lawful/core";
 * const received = new Date("2025-03-05T17:00:00Z");
 * addCalendarDays(received, 45, { timeZone: "America/Los_Angeles", countStartDay: true }).dueDate; // "2025-04-18"
 * addCalendarDays(received, 45, { timeZone: "America/Los_Angeles" }).dueDate; // "2025-04-19"
 * ```
 */
export function addCalendarDays(from: Date, days: number, options: CalendarDaysOptions): Deadline {
  assertInstant(from, "from");
  const o = optionsOf(options);
  const countStartDay = flag(o.countStartDay, "countStartDay", false);
  assertCount(days, "days", countStartDay ? 1 : 0, MAX_DAYS);
  const zone = assertTimeZone(o.timeZone);
  const calendar = resolveCalendar(o.calendar, weekendOnlyCalendar);
  const roll = flag(o.rollover, "rollover", false);
  const start = localDateIn(from.getTime(), zone);
  return endOfDayDeadline({
    startedAtMs: from.getTime(),
    zone,
    calendar,
    unadjusted: shiftDays(start, countStartDay ? days - 1 : days),
    roll,
    rule: `${plural(days, "calendar day")} from ${start} (${countStartDay ? "start day counted as day 1" : "start day not counted"})${
      roll ? `; a weekend or holiday end moves to the next working day (${calendar.id})` : "; no weekend or holiday rollover"
    }`,
  });
}

/**
 * Add business days: Monday–Friday minus the public holidays of `calendar`; the start day is never counted.
 *
 * The deadline is the end (23:59:59.999 local) of the `n`th working day after
 * the local date of `from`. A request received on a Saturday therefore counts
 * from the following Monday as day 1. `n = 0` gives the end of the start day.
 * Used for the CCPA acknowledgement (10) and opt-out (15), CAN-SPAM (10), CASL
 * (10) and the LGPD breach clock (3).
 *
 * @param from - the instant the period starts from.
 * @param n - whole working days, 0–10000.
 * @throws LawfulError `INVALID_PERIOD` for an invalid Date, a bad `n`, an unknown time zone, an invalid calendar or one with no working days.
 * @example
 * ```ts
 * import { addBusinessDays } from "@lawful/core";
 * // Thursday 2025-11-20; Friday 21 is day 1 … Thursday 4 Dec is day 10 (no holidays known).
 * addBusinessDays(new Date("2025-11-20T18:00:00Z"), 10, { timeZone: "America/Los_Angeles" }).dueDate; // "2025-12-04"
 * ```
 */
export function addBusinessDays(from: Date, n: number, options: PeriodOptions): Deadline {
  assertInstant(from, "from");
  assertCount(n, "n", 0, MAX_BUSINESS_DAYS);
  const o = optionsOf(options);
  const zone = assertTimeZone(o.timeZone);
  const calendar = resolveCalendar(o.calendar, weekendOnlyCalendar);
  const start = localDateIn(from.getTime(), zone);
  const due = nthWorkingDayAfter(start, n, calendar);
  return endOfDayDeadline({
    startedAtMs: from.getTime(),
    zone,
    calendar,
    unadjusted: due,
    roll: false,
    rule: `${plural(n, "business day")} after ${start} (Mon–Fri minus holidays of ${calendar.id}; start day not counted)`,
  });
}

/**
 * Add an exact number of hours, for clocks such as the 72-hour breach notification (GDPR Art. 33, DOMAIN A11/F1).
 *
 * No end-of-day rounding and no weekend or holiday rollover: the deadline is
 * `from + hours` to the millisecond. `timeZone` only decides the reported `dueDate`.
 *
 * @param hours - a finite number of hours, 0–1,000,000 (fractions allowed).
 * @throws LawfulError `INVALID_PERIOD` for an invalid Date, a negative or non-finite `hours` or an unknown time zone.
 * @example
 * ```ts
 * import { addHours } from "@lawful/core";
 * addHours(new Date("2025-04-18T16:00:00Z"), 72).dueAt.toISOString(); // "2025-04-21T16:00:00.000Z"
 * ```
 */
export function addHours(from: Date, hours: number, options: HoursOptions = {}): Deadline {
  assertInstant(from, "from");
  if (typeof hours !== "number" || !Number.isFinite(hours) || hours < 0 || hours > MAX_HOURS) {
    throw invalidPeriod(`hours must be a finite number between 0 and ${MAX_HOURS}; got ${String(hours)}.`, { path: ["hours"] });
  }
  const o = optionsOf(options);
  const zone = assertTimeZone(o.timeZone ?? "UTC");
  return instantDeadline({
    startedAtMs: from.getTime(),
    dueAtMs: from.getTime() + Math.round(hours * 3_600_000),
    zone,
    rule: `${plural(hours, "hour")} after the start instant, exact (no rollover)`,
  });
}

/**
 * The first working day on or after `date`: `date` itself when it is a working day, otherwise the next one (Reg. 1182/71 Art. 3(4)).
 *
 * @param calendar - @default weekendOnlyCalendar
 * @throws LawfulError `INVALID_PERIOD` for an invalid date or calendar, or a calendar with no working day within 366 days.
 * @example
 * ```ts
 * import { rollToNextWorkingDay } from "@lawful/core";
 * rollToNextWorkingDay("2025-04-05"); // "2025-04-07" (Saturday → Monday)
 * rollToNextWorkingDay("2025-04-07"); // "2025-04-07"
 * ```
 */
export function rollToNextWorkingDay(date: LocalDate, calendar: HolidayCalendar = weekendOnlyCalendar): LocalDate {
  assertLocalDate(date);
  assertHolidayCalendar(calendar);
  return firstWorkingDayFrom(date, calendar);
}

/**
 * Add calendar months to a local date, clamping to the last day of the target month (never JavaScript's overflow into the next month).
 *
 * This is the pure date arithmetic behind {@link addCalendarMonths}, with no rollover.
 *
 * @param months - whole months; negative values go back.
 * @throws LawfulError `INVALID_PERIOD` for an invalid date or a fractional `months`.
 * @example
 * ```ts
 * import { addMonthsToLocalDate } from "@lawful/core";
 * addMonthsToLocalDate("2025-01-31", 1); // "2025-02-28"
 * addMonthsToLocalDate("2024-01-31", 1); // "2024-02-29"
 * ```
 */
export function addMonthsToLocalDate(date: LocalDate, months: number): LocalDate {
  assertLocalDate(date);
  assertCount(months, "months", -MAX_MONTHS, MAX_MONTHS);
  return addMonthsClamped(date, months);
}

/**
 * Count the working days after `fromExclusive` up to and including `toInclusive` (0 when `toInclusive` is not after `fromExclusive`).
 *
 * `countWorkingDays(start, addBusinessDays(…, n, …).dueDate)` is `n` by construction.
 *
 * @param calendar - @default weekendOnlyCalendar
 * @throws LawfulError `INVALID_PERIOD` for invalid dates or calendar, or a span longer than 100 years.
 * @example
 * ```ts
 * import { countWorkingDays } from "@lawful/core";
 * countWorkingDays("2025-04-04", "2025-04-11"); // 5 (Mon 7 … Fri 11)
 * ```
 */
export function countWorkingDays(fromExclusive: LocalDate, toInclusive: LocalDate, calendar: HolidayCalendar = weekendOnlyCalendar): number {
  assertLocalDate(fromExclusive, "fromExclusive");
  assertLocalDate(toInclusive, "toInclusive");
  assertHolidayCalendar(calendar);
  const span = toDayNumber(toInclusive) - toDayNumber(fromExclusive);
  if (span > MAX_DAYS) throw invalidPeriod(`countWorkingDays spans ${span} days; the limit is ${MAX_DAYS}.`, { path: ["toInclusive"] });
  let count = 0;
  for (let i = 1; i <= span; i++) if (workingDay(shiftDays(fromExclusive, i), calendar)) count++;
  return count;
}
