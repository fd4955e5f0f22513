import * as z from "zod";
import {
  assertInstant,
  assertLocalDate,
  assertTimeZone,
  canonicalTimeZone,
  checkLocalDate,
  dayOfWeek,
  endOfLocalDayMs,
  localDateIn,
  shiftDays,
  startOfLocalDayMs,
  invalidPeriod,
} from "./internal.js";

/**
 * A calendar date with no time and no time zone, written as ISO 8601 `YYYY-MM-DD` (e.g. `"2025-04-07"`).
 *
 * Lawful uses plain strings for local dates because they compare correctly with
 * `<` and `>`, work as `Set`/`Map` keys, survive JSON unchanged and cannot drift
 * between time zones. Every function that accepts one validates it (month
 * 01–12, a day that exists in that month) and throws `INVALID_PERIOD` otherwise.
 * Turn an instant into one with {@link toLocalDate}.
 *
 * @example
 * ```ts
 * import type { LocalDate } from "@lawful/core";
 * const easterMonday: LocalDate = "2025-04-21";
 * ```
 */
export type LocalDate = string;

/**
 * Zod schema of a {@link LocalDate}: a calendar date that exists, written `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * import { LocalDateSchema } from "@lawful/core";
 * LocalDateSchema.parse("2024-02-29"); // "2024-02-29"
 * LocalDateSchema.safeParse("2025-02-29").success; // false
 * ```
 */
export const LocalDateSchema = z.string().refine(checkLocalDate, {
  message: "Expected a calendar date that exists, written YYYY-MM-DD (e.g. 2025-04-07)",
});

/**
 * True when `value` is a string holding a calendar date that exists, written `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * import { isLocalDate } from "@lawful/core";
 * isLocalDate("2024-02-29"); // true
 * isLocalDate("2025-02-29"); // false
 * ```
 */
export function isLocalDate(value: unknown): value is LocalDate {
  return checkLocalDate(value);
}

/**
 * Add (or, with a negative `days`, subtract) whole calendar days to a local date.
 *
 * @throws LawfulError `INVALID_PERIOD` when `date` is not a valid `YYYY-MM-DD` date or `days` is not a whole number.
 * @example
 * ```ts
 * import { addLocalDays } from "@lawful/core";
 * addLocalDays("2025-02-27", 2); // "2025-03-01"
 * ```
 */
export function addLocalDays(date: LocalDate, days: number): LocalDate {
  assertLocalDate(date);
  if (!Number.isSafeInteger(days)) throw invalidPeriod(`days must be a whole number; got ${String(days)}.`, { path: ["days"] });
  return shiftDays(date, days);
}

/**
 * Day of the week of a local date: 0 = Sunday … 6 = Saturday (like `Date#getDay`).
 *
 * @throws LawfulError `INVALID_PERIOD` when `date` is not a valid `YYYY-MM-DD` date.
 * @example
 * ```ts
 * import { localDayOfWeek } from "@lawful/core";
 * localDayOfWeek("2025-04-05"); // 6 (Saturday)
 * ```
 */
export function localDayOfWeek(date: LocalDate): number {
  assertLocalDate(date);
  return dayOfWeek(date);
}

/**
 * The canonical IANA name of a time zone (`"europe/berlin"` → `"Europe/Berlin"`), or `undefined` when the runtime does not know it.
 *
 * @example
 * ```ts
 * import { resolveTimeZone } from "@lawful/core";
 * resolveTimeZone("europe/berlin"); // "Europe/Berlin"
 * resolveTimeZone("Mars/Olympus"); // undefined
 * ```
 */
export function resolveTimeZone(timeZone: string): string | undefined {
  return canonicalTimeZone(timeZone);
}

/**
 * The local calendar date of an instant in a time zone.
 *
 * @throws LawfulError `INVALID_PERIOD` when `instant` is not a valid Date or `timeZone` is unknown.
 * @example
 * ```ts
 * import { toLocalDate } from "@lawful/core";
 * toLocalDate(new Date("2025-02-01T07:30:00Z"), "America/Los_Angeles"); // "2025-01-31"
 * ```
 */
export function toLocalDate(instant: Date, timeZone: string): LocalDate {
  assertInstant(instant, "instant");
  return localDateIn(instant.getTime(), assertTimeZone(timeZone));
}

/**
 * The first instant of a local date in a time zone (00:00 local, or the first existing time when DST skips midnight).
 *
 * @throws LawfulError `INVALID_PERIOD` when `date` is not a valid `YYYY-MM-DD` date or `timeZone` is unknown.
 * @example
 * ```ts
 * import { startOfLocalDay } from "@lawful/core";
 * startOfLocalDay("2025-04-07", "Europe/Berlin").toISOString(); // "2025-04-06T22:00:00.000Z"
 * ```
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  assertLocalDate(date);
  return new Date(startOfLocalDayMs(date, assertTimeZone(timeZone)));
}

/**
 * The last millisecond (23:59:59.999 local time) of a local date in a time zone, as an instant.
 *
 * Computed as one millisecond before the next local day starts, so days that
 * are 23 or 25 hours long (DST changes) end at the right instant.
 *
 * @throws LawfulError `INVALID_PERIOD` when `date` is not a valid `YYYY-MM-DD` date or `timeZone` is unknown.
 * @example
 * ```ts
 * import { endOfLocalDay } from "@lawful/core";
 * endOfLocalDay("2025-04-07", "Europe/Berlin").toISOString(); // "2025-04-07T21:59:59.999Z"
 * ```
 */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  assertLocalDate(date);
  return new Date(endOfLocalDayMs(date, assertTimeZone(timeZone)));
}
