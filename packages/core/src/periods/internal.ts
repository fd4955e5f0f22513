/**
 * Helpers shared by the period modules. Not exported from the package.
 *
 * @internal
 * @module
 */
import { TZDate } from "@date-fns/tz";
import type * as z from "zod";
import { ERROR_CODES, LawfulError, isLawfulError, issuesFromZod } from "../errors.js";

/** Build an `INVALID_PERIOD` {@link LawfulError}. */
export function invalidPeriod(message: string, options: { path?: readonly (string | number)[]; cause?: unknown } = {}): LawfulError {
  return new LawfulError(ERROR_CODES.INVALID_PERIOD, message, {
    issues: [{ path: options.path ?? [], message, code: "invalid_period" }],
    cause: options.cause,
  });
}

/** Parse with a zod schema, throwing `INVALID_PERIOD` with zod-shaped issues on failure. */
export function parsePeriodInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error.issues);
  const detail = issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
  throw new LawfulError(ERROR_CODES.INVALID_PERIOD, `Invalid ${what}: ${detail}.`, { issues, cause: result.error });
}

/** Throw `INVALID_PERIOD` unless `value` is a `Date` holding a real instant. */
export function assertInstant(value: unknown, name: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidPeriod(`${name} must be a valid Date instant; got ${describe(value)}. Pass a Date such as new Date("2025-03-05T10:00:00Z").`, {
      path: [name],
    });
  }
}

/** Throw `INVALID_PERIOD` unless `value` is an integer within [min, max]. */
export function assertCount(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidPeriod(`${name} must be a whole number between ${min} and ${max}; got ${describe(value)}.`, { path: [name] });
  }
}

/** Re-throw Lawful errors as they are; wrap anything else in `INVALID_PERIOD`. */
export function wrapForeignError(error: unknown, message: string): never {
  if (isLawfulError(error)) throw error;
  throw invalidPeriod(message, { cause: error });
}

function describe(value: unknown): string {
  if (value instanceof Date) return "an invalid Date";
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return typeof value;
}

// ---------------------------------------------------------------------------
// Local dates ("YYYY-MM-DD"), time-zone free arithmetic.

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Number of days in `month` (1–12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function checkLocalDate(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Throw `INVALID_PERIOD` unless `value` is a valid local date. */
export function assertLocalDate(value: unknown, name = "date"): asserts value is string {
  if (!checkLocalDate(value)) {
    throw invalidPeriod(`${name} must be a calendar date written YYYY-MM-DD that exists (e.g. "2025-04-07"); got ${describe(value)}.`, {
      path: [name],
    });
  }
}

/** Split a valid local date into numbers (month 1–12). */
export function splitLocalDate(date: string): { year: number; month: number; day: number } {
  const m = LOCAL_DATE.exec(date);
  if (!m) throw invalidPeriod(`Not a YYYY-MM-DD date: ${describe(date)}.`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** Format numbers (month 1–12) as a local date. */
export function formatLocalDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Days since 1970-01-01 of a valid local date. */
export function toDayNumber(date: string): number {
  const { year, month, day } = splitLocalDate(date);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / DAY_MS);
}

/** Inverse of {@link toDayNumber}. */
export function fromDayNumber(dayNumber: number): string {
  const d = new Date(dayNumber * DAY_MS);
  return formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Shift a valid local date by whole days. */
export function shiftDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Day of week of a valid local date, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------
// Time zones.

const zoneCache = new Map<string, string | null>();

/** Canonical IANA name of a zone, or `undefined` when unknown to the runtime. */
export function canonicalTimeZone(timeZone: unknown): string | undefined {
  if (typeof timeZone !== "string" || timeZone.trim() === "") return undefined;
  let resolved = zoneCache.get(timeZone);
  if (resolved === undefined) {
    try {
      resolved = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
    } catch {
      resolved = null;
    }
    if (zoneCache.size > 1000) zoneCache.clear();
    zoneCache.set(timeZone, resolved);
  }
  return resolved ?? undefined;
}

/** Canonical time zone name, or throw `INVALID_PERIOD`. */
export function assertTimeZone(timeZone: unknown, name = "timeZone"): string {
  const resolved = canonicalTimeZone(timeZone);
  if (resolved === undefined) {
    throw invalidPeriod(
      `${name} ${describe(timeZone)} is not an IANA time zone this runtime knows. Pass the controller's zone, e.g. "Europe/Berlin" or "America/Los_Angeles" (see Intl.supportedValuesOf("timeZone")).`,
      { path: [name] },
    );
  }
  return resolved;
}

/** Local date of an instant (ms) in a canonical zone. */
export function localDateIn(ms: number, zone: string): string {
  const t = new TZDate(ms, zone);
  return formatLocalDate(t.getFullYear(), t.getMonth() + 1, t.getDate());
}

/** First instant (ms) of a local date in a zone; where midnight does not exist (DST at 00:00) it is the first existing time. */
export function startOfLocalDayMs(date: string, zone: string): number {
  const { year, month, day } = splitLocalDate(date);
  return new TZDate(year, month - 1, day, 0, 0, 0, 0, zone).getTime();
}

/** Last millisecond (23:59:59.999 local) of a local date, as ms: one ms before the next local day starts. */
export function endOfLocalDayMs(date: string, zone: string): number {
  return startOfLocalDayMs(shiftDays(date, 1), zone) - 1;
}

// ---------------------------------------------------------------------------
// Holiday calendars.

/** Structural shape of a holiday calendar (mirrors `HolidayCalendar` in calendar.ts). */
export interface CalendarLike {
  readonly id: string;
  isHoliday(date: string): boolean;
  readonly isWeekend?: ((date: string) => boolean) | undefined;
}

/** True when `value` has the shape of a holiday calendar (the functions are not called). */
export function isCalendarShape(value: unknown): value is CalendarLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { id?: unknown; isHoliday?: unknown; isWeekend?: unknown };
  return (
    typeof v.id === "string" &&
    v.id.trim().length > 0 &&
    typeof v.isHoliday === "function" &&
    (v.isWeekend === undefined || typeof v.isWeekend === "function")
  );
}

/** Throw `INVALID_PERIOD` unless `calendar` has the shape of a holiday calendar. */
export function assertHolidayCalendar(calendar: unknown, name = "calendar"): asserts calendar is CalendarLike {
  if (!isCalendarShape(calendar)) {
    throw invalidPeriod(
      `${name} is not a holiday calendar: expected { id: non-empty string, isHoliday(date): boolean, isWeekend?(date): boolean }. Use weekendOnlyCalendar, createFixedHolidayCalendar() or createHolidayCalendar() from "@lawful/core/holidays".`,
      { path: [name] },
    );
  }
}

/** Saturday or Sunday. */
export function isSaturdayOrSunday(date: string): boolean {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
}

/** Working-day test without input validation; wraps calendar failures in `INVALID_PERIOD`. */
export function workingDay(date: string, calendar: CalendarLike): boolean {
  try {
    const weekend = calendar.isWeekend ? calendar.isWeekend(date) === true : isSaturdayOrSunday(date);
    return !weekend && calendar.isHoliday(date) !== true;
  } catch (error) {
    return wrapForeignError(error, `Holiday calendar "${calendar.id}" failed while checking ${date}; see cause.`);
  }
}

/** How many consecutive non-working days a calendar may have before it is declared unusable. */
export const MAX_NON_WORKING_RUN = 366;

/** The first working day on or after `date`; throws `INVALID_PERIOD` if none within {@link MAX_NON_WORKING_RUN} days. */
export function firstWorkingDayFrom(date: string, calendar: CalendarLike): string {
  let d = date;
  for (let i = 0; i <= MAX_NON_WORKING_RUN; i++) {
    if (workingDay(d, calendar)) return d;
    d = shiftDays(d, 1);
  }
  throw invalidPeriod(`Holiday calendar "${calendar.id}" has no working day in the ${MAX_NON_WORKING_RUN} days from ${date}; check its holidays and weekend.`, {
    path: ["calendar"],
  });
}

// ---------------------------------------------------------------------------
// Deadlines.

/** Fields of a deadline (mirrors `Deadline` in periods.ts, which re-exports this shape). */
export interface DeadlineShape {
  readonly dueAt: Date;
  readonly dueDate: string;
  readonly timeZone: string;
  readonly startedAt: Date;
  readonly unadjustedDate: string;
  readonly rolledOver: boolean;
  readonly rollsToWorkingDay: boolean;
  readonly calendarId: string;
  readonly kind: "end-of-day" | "instant";
  readonly rule: string;
  readonly source?: string | undefined;
}

/** Build a frozen end-of-day deadline from its unadjusted local date, rolling forward when `roll` is set. */
export function endOfDayDeadline(args: {
  startedAtMs: number;
  zone: string;
  calendar: CalendarLike;
  unadjusted: string;
  roll: boolean;
  rule: string;
  source?: string | undefined;
}): DeadlineShape {
  const due = args.roll ? firstWorkingDayFrom(args.unadjusted, args.calendar) : args.unadjusted;
  const deadline: DeadlineShape = {
    dueAt: new Date(endOfLocalDayMs(due, args.zone)),
    dueDate: due,
    timeZone: args.zone,
    startedAt: new Date(args.startedAtMs),
    unadjustedDate: args.unadjusted,
    rolledOver: due !== args.unadjusted,
    rollsToWorkingDay: args.roll,
    calendarId: args.calendar.id,
    kind: "end-of-day",
    rule: args.rule,
    ...(args.source === undefined ? {} : { source: args.source }),
  };
  return Object.freeze(deadline);
}

/** Build a frozen exact-instant deadline. */
export function instantDeadline(args: { startedAtMs: number; dueAtMs: number; zone: string; rule: string; source?: string | undefined }): DeadlineShape {
  const date = localDateIn(args.dueAtMs, args.zone);
  const deadline: DeadlineShape = {
    dueAt: new Date(args.dueAtMs),
    dueDate: date,
    timeZone: args.zone,
    startedAt: new Date(args.startedAtMs),
    unadjustedDate: date,
    rolledOver: false,
    rollsToWorkingDay: false,
    calendarId: "none",
    kind: "instant",
    rule: args.rule,
    ...(args.source === undefined ? {} : { source: args.source }),
  };
  return Object.freeze(deadline);
}

/** Same date `months` later, clamped to the last day of the target month. */
export function addMonthsClamped(date: string, months: number): string {
  const { year, month, day } = splitLocalDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatLocalDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** The `n`th working day after `date` (the start date itself never counts). */
export function nthWorkingDayAfter(date: string, n: number, calendar: CalendarLike): string {
  let d = date;
  let run = 0;
  for (let counted = 0; counted < n; ) {
    d = shiftDays(d, 1);
    if (workingDay(d, calendar)) {
      counted++;
      run = 0;
    } else if (++run > MAX_NON_WORKING_RUN) {
      throw invalidPeriod(`Holiday calendar "${calendar.id}" has no working day in the ${MAX_NON_WORKING_RUN} days after ${date}; check its holidays and weekend.`, {
        path: ["calendar"],
      });
    }
  }
  return d;
}

/** Resolve the calendar option: validate it, defaulting to the given fallback. */
export function resolveCalendar(calendar: unknown, fallback: CalendarLike): CalendarLike {
  if (calendar === undefined) return fallback;
  assertHolidayCalendar(calendar);
  return calendar;
}
