import * as z from "zod";
import { ERROR_CODES } from "@lawful/core";
import { RetentionError } from "./errors.js";

const DURATION_PATTERN = /^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,7})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)?$/;
const MAX_TOTAL_MONTHS = 12 * 1000;
const MAX_TOTAL_DAYS = 366 * 1000;
const DAY_MS = 86_400_000;

/**
 * A parsed ISO 8601 duration in calendar terms. Only whole numbers are accepted
 * (no fractions, no negative durations); weeks may be combined with other parts.
 *
 * @example
 * ```ts
 * import { parseDuration, type IsoDuration } from "@lawful/retention";
 * const d: IsoDuration = parseDuration("P2Y6M");
 * d.totalMonths; // 30
 * ```
 */
export interface IsoDuration {
  /** The canonical text, upper-case, as given (e.g. `"P8Y"`). */
  readonly text: string;
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  /** `years * 12 + months`: added first, with end-of-month clamping. */
  readonly totalMonths: number;
  /** `weeks * 7 + days`: added second, as calendar days. */
  readonly totalDays: number;
  /** Hours, minutes and seconds in milliseconds: added last, as exact time. */
  readonly timeMs: number;
}

function parseParts(text: string): IsoDuration | string {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return "must be an ISO 8601 duration of whole numbers such as P10Y, P6M, P2Y6M, P30D or PT72H";
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const years = n(1);
  const months = n(2);
  const weeks = n(3);
  const days = n(4);
  const hours = n(5);
  const minutes = n(6);
  const seconds = n(7);
  const totalMonths = years * 12 + months;
  const totalDays = weeks * 7 + days;
  const timeMs = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (totalMonths > MAX_TOTAL_MONTHS || totalDays + timeMs / DAY_MS > MAX_TOTAL_DAYS) return "must not exceed 1000 years";
  if (totalMonths === 0 && totalDays === 0 && timeMs === 0) return "must be longer than zero";
  return Object.freeze({ text, years, months, weeks, days, hours, minutes, seconds, totalMonths, totalDays, timeMs });
}

/**
 * Schema of an ISO 8601 duration string (`P10Y`, `P6M`, `P2Y6M`, `P30D`, `PT72H`, `P1Y2M3DT4H`).
 * Parses to the string itself; use {@link parseDuration} for the parts.
 *
 * @example
 * ```ts
 * import { IsoDurationSchema } from "@lawful/retention";
 * IsoDurationSchema.parse("P8Y"); // "P8Y"
 * IsoDurationSchema.safeParse("8 years").success; // false
 * ```
 */
export const IsoDurationSchema = z.string().superRefine((value, ctx) => {
  const r = parseParts(value);
  if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
});

/**
 * Parse an ISO 8601 duration into calendar parts.
 *
 * @throws RetentionError `VALIDATION_FAILED` when the text is not a whole-number ISO 8601 duration, is zero or exceeds 1000 years.
 * @example
 * ```ts
 * import { parseDuration } from "@lawful/retention";
 * parseDuration("PT72H").timeMs; // 259200000
 * ```
 */
export function parseDuration(text: string): IsoDuration {
  const r = typeof text === "string" ? parseParts(text) : "must be a string";
  if (typeof r === "string") {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, `Invalid duration: ${r}.`, { issues: [{ path: [], message: r, code: "invalid_duration" }] });
  }
  return r;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The year of a day number (days since 1970-01-01). */
export function yearOfDay(dayNumber: number): number {
  const z0 = dayNumber + 719468;
  const era = Math.floor(z0 / 146097);
  const doe = z0 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Add a duration to an instant in calendar terms: months (with end-of-month clamping:
 * 31 Jan + P1M = 28/29 Feb), then calendar days, then exact time. Calendar parts are
 * taken in a fixed UTC offset (`offsetMinutes`, default 0 = UTC), so there is no
 * time-zone lookup on the hot path. Returns epoch milliseconds.
 *
 * @example
 * ```ts
 * import { addDuration, parseDuration } from "@lawful/retention";
 * new Date(addDuration(Date.parse("2024-01-31T00:00:00Z"), parseDuration("P1M"))).toISOString(); // "2024-02-29T00:00:00.000Z"
 * ```
 */
export function addDuration(startMs: number, duration: IsoDuration, offsetMinutes = 0): number {
  const offsetMs = offsetMinutes * 60_000;
  const local = startMs + offsetMs;
  let dayNumber = Math.floor(local / DAY_MS);
  const msOfDay = local - dayNumber * DAY_MS;
  const tm = duration.totalMonths;
  if (tm !== 0 && dayNumber > -719468 && dayNumber < 2_000_000) {
    // int32 fast path for years 0..7400 (same algorithm, truncating divisions of non-negative values)
    const z0 = (dayNumber + 719468) | 0;
    const era = (z0 / 146097) | 0;
    const doe = z0 - era * 146097;
    const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
    const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
    const mp = ((5 * doy + 2) / 153) | 0;
    const d = doy - (((153 * mp + 2) / 5) | 0) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    const monthIndex = y * 12 + (m - 1) + tm;
    const ny = (monthIndex / 12) | 0;
    const nm = monthIndex - ny * 12 + 1;
    const dim = daysInMonth(ny, nm);
    const dd = d > dim ? dim : d;
    const yy = nm <= 2 ? ny - 1 : ny;
    const era2 = (yy / 400) | 0;
    const yoe2 = yy - era2 * 400;
    const doy2 = (((153 * (nm + (nm > 2 ? -3 : 9)) + 2) / 5) | 0) + dd - 1;
    dayNumber = era2 * 146097 + yoe2 * 365 + ((yoe2 / 4) | 0) - ((yoe2 / 100) | 0) + doy2 - 719468;
  } else if (tm !== 0) {
    const z0 = dayNumber + 719468;
    const era = Math.floor(z0 / 146097);
    const doe = z0 - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    const monthIndex = y * 12 + (m - 1) + duration.totalMonths;
    const ny = Math.floor(monthIndex / 12);
    const nm = monthIndex - ny * 12 + 1;
    const dim = daysInMonth(ny, nm);
    dayNumber = daysFromCivil(ny, nm, d > dim ? dim : d);
  }
  return (dayNumber + duration.totalDays) * DAY_MS + msOfDay + duration.timeMs - offsetMs;
}

/**
 * The instant the calendar year of `ms` ends, in a fixed UTC offset: 1 January of the next
 * year, 00:00 local. A period "from the end of the calendar year" (§ 147(4) AO, § 257(5) HGB)
 * is counted from here: an invoice of 2025-03-15 with 8 years is deletable from 2034-01-01.
 *
 * @example
 * ```ts
 * import { endOfCalendarYear } from "@lawful/retention";
 * new Date(endOfCalendarYear(Date.parse("2025-03-15T00:00:00Z"))).toISOString(); // "2026-01-01T00:00:00.000Z"
 * ```
 */
export function endOfCalendarYear(ms: number, offsetMinutes = 0): number {
  const offsetMs = offsetMinutes * 60_000;
  const year = yearOfDay(Math.floor((ms + offsetMs) / DAY_MS));
  return daysFromCivil(year + 1, 1, 1) * DAY_MS - offsetMs;
}

/**
 * `addDuration(endOfCalendarYear(ms, offset), duration, offset)` in one step, for the evaluator's hot
 * path: the year end is 1 January 00:00 local, so month arithmetic never clamps and reduces to a
 * month index. Returns epoch milliseconds.
 *
 * For example, 2025-03-15 with P8Y gives 2034-01-01T00:00:00.000Z. Internal: not exported from the package.
 */
export function addDurationFromYearEnd(ms: number, duration: IsoDuration, offsetMinutes: number): number {
  const offsetMs = offsetMinutes * 60_000;
  const year = yearOfDay(Math.floor((ms + offsetMs) / DAY_MS));
  const monthIndex = (year + 1) * 12 + duration.totalMonths;
  const ny = Math.floor(monthIndex / 12);
  const nm = monthIndex - ny * 12 + 1;
  return (daysFromCivil(ny, nm, 1) + duration.totalDays) * DAY_MS + duration.timeMs - offsetMs;
}

/**
 * A short English description of a duration, for schedules: `"8 years"`, `"2 years 6 months"`, `"72 hours"`.
 *
 * @example
 * ```ts
 * import { describeDuration, parseDuration } from "@lawful/retention";
 * describeDuration(parseDuration("P2Y6M")); // "2 years 6 months"
 * ```
 */
export function describeDuration(duration: IsoDuration): string {
  const parts: string[] = [];
  const add = (n: number, unit: string) => {
    if (n) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  };
  add(duration.years, "year");
  add(duration.months, "month");
  add(duration.weeks, "week");
  add(duration.days, "day");
  add(duration.hours, "hour");
  add(duration.minutes, "minute");
  add(duration.seconds, "second");
  return parts.join(" ");
}
