/**
 * Public-holiday calendars backed by `date-holidays`, for the deadline functions of `@lawful/core`.
 *
 * This is the optional entry point `@lawful/core/holidays`; it is the only
 * module that imports `date-holidays` (an optional peer dependency), so the
 * main entry stays small.
 *
 * @example
 * ```ts
 * import { addCalendarMonths } from "@lawful/core";
 * import { createHolidayCalendar } from "@lawful/core/holidays";
 * const calendar = createHolidayCalendar("DE");
 * addCalendarMonths(new Date("2025-03-21T10:00:00Z"), 1, { timeZone: "Europe/Berlin", calendar }).dueDate; // "2025-04-22" (Easter Monday rolls)
 * ```
 * @module
 */
import Holidays from "date-holidays";
import type { HolidayCalendar } from "../periods/calendar.js";
import type { LocalDate } from "../periods/local-date.js";
import { assertLocalDate, invalidPeriod, isSaturdayOrSunday, splitLocalDate, wrapForeignError } from "../periods/internal.js";

/** How one curated calendar id maps onto date-holidays. */
interface CalendarSource {
  readonly country: string;
  readonly state?: string | undefined;
  readonly description: string;
  /** Extra public-holiday rules (date-holidays grammar) added on top of the country data. */
  readonly extraRules?: readonly { readonly rule: string; readonly name: string }[] | undefined;
}

/**
 * The curated holiday calendars, by id, with the `date-holidays` country/state each is built from.
 *
 * Only holidays of type `public` are used (not `bank`, `optional`, `school` or
 * `observance`), including date-holidays' substitute days (UK "substitute day"
 * bank holidays, US federal "observed" days). Notes per id:
 *
 * - `UK`: England and Wales bank holidays (date-holidays `GB`/`ENG`). For
 *   Scotland or Northern Ireland use `GB-SCT` / `GB-NIR`.
 * - `US`: the US federal holidays (date-holidays `US` national), with observed
 *   days when a holiday falls on a weekend (Friday before / Monday after).
 * - `US-CA`: California state holidays (date-holidays `US`/`CA`), which include
 *   César Chávez Day and the day after Thanksgiving.
 * - `CA`: Canada **federal**: the general holidays of the Canada Labour Code
 *   s. 166 (New Year's Day, Good Friday, Victoria Day, Canada Day, Labour Day,
 *   National Day for Truth and Reconciliation from 2021, Thanksgiving,
 *   Remembrance Day, Christmas Day, Boxing Day). date-holidays' `CA` national
 *   data has only the five nationwide days (and the Truth and Reconciliation
 *   day as an observance), so the other federal ones are added as date-holidays
 *   rules, plus Canada Day moving to 2 July when 1 July is a Sunday (Holidays Act).
 *   No other weekend substitutes are added. For a province use e.g. `CA-ON`.
 * - `BR`: Brazil national holidays; Carnival and Corpus Christi are optional
 *   ("ponto facultativo") in date-holidays and are therefore not holidays here.
 * - `DE`, `FR`, `IE`, `NL`: nationwide public holidays. German Länder holidays
 *   need `DE-BY`, `DE-NW`, …; Irish Good Friday is a bank holiday, not public.
 *
 * Any other date-holidays country (`"AT"`) or country-state (`"ES-MD"`) code
 * also works with {@link createHolidayCalendar}.
 *
 * @example
 * ```ts
 * import { SUPPORTED_HOLIDAY_CALENDARS } from "@lawful/core/holidays";
 * Object.keys(SUPPORTED_HOLIDAY_CALENDARS); // ["DE", "FR", "IE", "NL", "UK", "US", "US-CA", "CA", "BR"]
 * SUPPORTED_HOLIDAY_CALENDARS.UK.state; // "ENG"
 * ```
 */
export const SUPPORTED_HOLIDAY_CALENDARS = Object.freeze({
  DE: { country: "DE", description: "Germany, nationwide public holidays" },
  FR: { country: "FR", description: "France, public holidays (jours fériés)" },
  IE: { country: "IE", description: "Ireland, public holidays" },
  NL: { country: "NL", description: "Netherlands, public holidays" },
  UK: { country: "GB", state: "ENG", description: "United Kingdom, England and Wales bank holidays" },
  US: { country: "US", description: "United States, federal holidays with observed days" },
  "US-CA": { country: "US", state: "CA", description: "California state holidays" },
  CA: {
    country: "CA",
    description: "Canada, federal general holidays (Canada Labour Code s. 166)",
    extraRules: [
      { rule: "monday before 05-25", name: "Victoria Day" },
      { rule: "07-01 if sunday then next monday", name: "Canada Day" },
      { rule: "09-30 since 2021", name: "National Day for Truth and Reconciliation" },
      { rule: "2nd monday in October", name: "Thanksgiving" },
      { rule: "11-11", name: "Remembrance Day" },
      { rule: "12-26", name: "Boxing Day" },
    ],
  },
  BR: { country: "BR", description: "Brazil, national holidays" },
} as const satisfies Record<string, CalendarSource>);

/**
 * An id of a curated calendar in {@link SUPPORTED_HOLIDAY_CALENDARS}.
 *
 * @example
 * ```ts
 * import type { SupportedHolidayCalendarId } from "@lawful/core/holidays";
 * const id: SupportedHolidayCalendarId = "US-CA";
 * ```
 */
export type SupportedHolidayCalendarId = keyof typeof SUPPORTED_HOLIDAY_CALENDARS;

/**
 * One public holiday as listed by {@link PublicHolidayCalendar.holidays}.
 *
 * @example
 * ```ts
 * import { createHolidayCalendar, type PublicHoliday } from "@lawful/core/holidays";
 * const first: PublicHoliday | undefined = createHolidayCalendar("UK").holidays(2027)[0];
 * ```
 */
export interface PublicHoliday {
  /** Local date of the holiday. */
  readonly date: LocalDate;
  /** English name from date-holidays. */
  readonly name: string;
  /** True for a substitute or observed day (e.g. a bank holiday moved off a weekend). */
  readonly substitute: boolean;
}

/**
 * A {@link HolidayCalendar} backed by date-holidays that can also list its holidays.
 *
 * @example
 * ```ts
 * import { createHolidayCalendar, type PublicHolidayCalendar } from "@lawful/core/holidays";
 * const uk: PublicHolidayCalendar = createHolidayCalendar("UK");
 * uk.isHoliday("2027-12-28"); // true (Boxing Day substitute)
 * ```
 */
export interface PublicHolidayCalendar extends HolidayCalendar {
  /** date-holidays country code (e.g. `"GB"`). */
  readonly country: string;
  /** date-holidays state code (e.g. `"ENG"`), when the calendar is sub-national. */
  readonly state?: string | undefined;
  /** Public holidays in a calendar year, sorted by date. */
  holidays(year: number): readonly PublicHoliday[];
}

/**
 * Options of {@link createHolidayCalendar}.
 *
 * @example
 * ```ts
 * import { createHolidayCalendar, type HolidayCalendarOptions } from "@lawful/core/holidays";
 * const options: HolidayCalendarOptions = { types: ["public", "bank"] };
 * const ie = createHolidayCalendar("IE", options); // Good Friday counts too
 * ```
 */
export interface HolidayCalendarOptions {
  /** date-holidays holiday types that count as non-working days. @default ["public"] */
  types?: readonly ("public" | "bank" | "optional" | "school" | "observance")[] | undefined;
}

const ID_PATTERN = /^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,3}))?$/;
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;
const cache = new Map<string, PublicHolidayCalendar>();
let directory: Holidays | undefined;

function resolveSource(id: string): CalendarSource {
  const curated = (SUPPORTED_HOLIDAY_CALENDARS as Record<string, CalendarSource>)[id];
  if (curated) return curated;
  const m = ID_PATTERN.exec(id);
  const unknown = () =>
    invalidPeriod(
      `Unknown holiday calendar "${id}". Use one of ${Object.keys(SUPPORTED_HOLIDAY_CALENDARS).join(", ")}, or a date-holidays country ("AT") or country-state ("ES-MD") code.`,
      { path: ["id"] },
    );
  if (!m) throw unknown();
  const country = (m[1] ?? "").toUpperCase();
  const state = m[2]?.toUpperCase();
  directory ??= new Holidays();
  const countries = directory.getCountries("en");
  if (!countries[country]) throw unknown();
  if (state !== undefined) {
    const states = directory.getStates(country, "en") ?? {};
    if (!states[state]) throw unknown();
    return { country, state, description: `${countries[country]}, ${states[state]}` };
  }
  return { country, description: `${countries[country]}, national` };
}

/**
 * Create (or reuse) the public-holiday calendar `id`, backed by date-holidays.
 *
 * `id` is one of {@link SUPPORTED_HOLIDAY_CALENDARS} (`DE`, `FR`, `IE`, `NL`,
 * `UK`, `US`, `US-CA`, `CA`, `BR`) or any date-holidays `country` /
 * `country-state` code. Holidays are computed once per year and kept in a
 * `Set` of `YYYY-MM-DD` strings in the jurisdiction's own calendar, so there is
 * no time-zone drift and lookups are O(1). Calendars are cached per id and
 * options, and are frozen.
 *
 * @throws LawfulError `INVALID_PERIOD` when `id` is not supported by date-holidays, or when a date outside 1900–2200 is asked about.
 * @example
 * ```ts
 * import { addBusinessDays } from "@lawful/core";
 * import { createHolidayCalendar } from "@lawful/core/holidays";
 * const calendar = createHolidayCalendar("US-CA");
 * // 10 business days from Thu 2025-11-20 skip Thanksgiving and the day after:
 * addBusinessDays(new Date("2025-11-20T18:00:00Z"), 10, { timeZone: "America/Los_Angeles", calendar }).dueDate; // "2025-12-08"
 * ```
 */
export function createHolidayCalendar(id: SupportedHolidayCalendarId | (string & {}), options: HolidayCalendarOptions = {}): PublicHolidayCalendar {
  if (typeof id !== "string" || id.trim() === "") throw invalidPeriod("Holiday calendar id must be a non-empty string such as \"DE\".", { path: ["id"] });
  const types = [...new Set(options.types ?? ["public"])].sort();
  const allowed = new Set(["public", "bank", "optional", "school", "observance"]);
  if (types.length === 0 || types.some((t) => !allowed.has(t))) {
    throw invalidPeriod(`types must be a non-empty list of date-holidays types (${[...allowed].join(", ")}).`, { path: ["types"] });
  }
  const key = `${id}|${types.join(",")}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const source = resolveSource(id);
  const calendar = buildCalendar(id, source, new Set(types));
  cache.set(key, calendar);
  return calendar;
}

function buildCalendar(id: string, source: CalendarSource, types: ReadonlySet<string>): PublicHolidayCalendar {
  let hd: Holidays | undefined;
  const engine = (): Holidays => {
    if (hd) return hd;
    try {
      const created = source.state === undefined ? new Holidays(source.country) : new Holidays(source.country, source.state);
      for (const extra of source.extraRules ?? []) {
        if (!created.setHoliday(extra.rule, { name: { en: extra.name }, type: "public" })) {
          throw new Error(`date-holidays rejected rule "${extra.rule}"`);
        }
      }
      hd = created;
      return created;
    } catch (error) {
      return wrapForeignError(error, `date-holidays could not load holidays for "${id}"; see cause.`);
    }
  };

  // Holidays date-holidays lists for one requested year (a substitute may fall into a neighbouring year).
  const raw = new Map<number, readonly PublicHoliday[]>();
  const rawYear = (year: number): readonly PublicHoliday[] => {
    let list = raw.get(year);
    if (!list) {
      const out: PublicHoliday[] = [];
      try {
        for (const h of engine().getHolidays(year, "en")) {
          if (!types.has(h.type)) continue;
          const first = h.date.slice(0, 10);
          // Multi-day holidays: cover every local date up to the end (rare for public holidays).
          const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
          for (let i = 0; i < days; i++) {
            const d = new Date(`${first}T00:00:00Z`);
            d.setUTCDate(d.getUTCDate() + i);
            out.push({ date: d.toISOString().slice(0, 10), name: h.name, substitute: h.substitute === true });
          }
        }
      } catch (error) {
        wrapForeignError(error, `date-holidays failed for "${id}" in ${year}; see cause.`);
      }
      list = out;
      raw.set(year, list);
    }
    return list;
  };

  const byYear = new Map<number, { set: ReadonlySet<string>; list: readonly PublicHoliday[] }>();
  const yearData = (year: number) => {
    let data = byYear.get(year);
    if (!data) {
      if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
        throw invalidPeriod(`Holiday calendar "${id}" covers the years ${MIN_YEAR}–${MAX_YEAR}; got ${String(year)}.`, { path: ["year"] });
      }
      const prefix = `${String(year).padStart(4, "0")}-`;
      const seen = new Map<string, PublicHoliday>();
      for (const y of [year - 1, year, year + 1]) {
        if (y < MIN_YEAR - 1 || y > MAX_YEAR + 1) continue;
        for (const h of rawYear(y)) if (h.date.startsWith(prefix) && !seen.has(h.date)) seen.set(h.date, Object.freeze(h));
      }
      const list = Object.freeze([...seen.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)));
      data = { set: new Set(seen.keys()), list };
      byYear.set(year, data);
    }
    return data;
  };

  return Object.freeze({
    id,
    country: source.country,
    ...(source.state === undefined ? {} : { state: source.state }),
    isHoliday(date: LocalDate): boolean {
      assertLocalDate(date);
      return yearData(splitLocalDate(date).year).set.has(date);
    },
    isWeekend: isSaturdayOrSunday,
    holidays(year: number): readonly PublicHoliday[] {
      return yearData(year).list;
    },
  });
}
