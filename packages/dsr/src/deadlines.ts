import {
  computeDsrDeadlines,
  effectiveDueAt,
  optOutHonourBy,
  weekendOnlyCalendar,
  type Deadline,
  type DsrDeadlineOptions,
  type HolidayCalendar,
} from "@lawful/core";
import { createHolidayCalendar } from "@lawful/core/holidays";
import { ERROR_CODES } from "@lawful/core";
import { DsrError } from "./errors.js";
import type { DsrDeadlineSnapshot, DsrRegime, DsrRequest } from "./model.js";

/**
 * Resolves a holiday calendar id stored on a request (e.g. `"DE"`, `"UK"`, `"US-CA"`,
 * `"weekend-only"`) to a calendar.
 *
 * @example
 * ```ts
 * import { weekendOnlyCalendar } from "@lawful/core";
 * import type { CalendarResolver } from "@lawful/dsr";
 * const resolve: CalendarResolver = () => weekendOnlyCalendar;
 * ```
 */
export type CalendarResolver = (calendarId: string) => HolidayCalendar;

/**
 * The default holiday calendar id per regime: the EU has no single calendar (pass the Member
 * State, e.g. `"DE"`, as `calendarId` when submitting), the others use core's curated calendars.
 *
 * @example
 * ```ts
 * import { DEFAULT_CALENDAR_IDS } from "@lawful/dsr";
 * DEFAULT_CALENDAR_IDS["US-CA"]; // "US-CA"
 * ```
 */
export const DEFAULT_CALENDAR_IDS: Readonly<Record<DsrRegime, string>> = Object.freeze({
  EU: "weekend-only",
  UK: "UK",
  "US-CA": "US-CA",
  BR: "BR",
});

const cache = new Map<string, HolidayCalendar>();

/**
 * The default {@link CalendarResolver}: `"weekend-only"` → core's `weekendOnlyCalendar`, any other
 * id → `createHolidayCalendar(id)` from `@lawful/core/holidays` (memoised).
 *
 * @throws DsrError `INVALID_CONFIGURATION` for an unknown calendar id.
 * @example
 * ```ts
 * import { defaultCalendarResolver } from "@lawful/dsr";
 * defaultCalendarResolver("DE").id; // "DE"
 * ```
 */
export const defaultCalendarResolver: CalendarResolver = (calendarId) => {
  if (calendarId === weekendOnlyCalendar.id) return weekendOnlyCalendar;
  let calendar = cache.get(calendarId);
  if (!calendar) {
    try {
      calendar = createHolidayCalendar(calendarId);
    } catch (cause) {
      throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `Unknown holiday calendar "${calendarId}"; pass a CalendarResolver or a supported id.`, { cause });
    }
    cache.set(calendarId, calendar);
  }
  return calendar;
};

/**
 * Options of {@link computeRequestDeadlines}.
 *
 * @example
 * ```ts
 * import { weekendOnlyCalendar } from "@lawful/core";
 * import type { RequestDeadlineOptions } from "@lawful/dsr";
 * const o: RequestDeadlineOptions = { calendar: weekendOnlyCalendar, now: new Date() };
 * ```
 */
export interface RequestDeadlineOptions {
  /** The calendar named by `request.calendarId`. @default defaultCalendarResolver(request.calendarId) */
  calendar?: HolidayCalendar | undefined;
  /** Open pauses count up to this instant. @default request.updatedAt */
  now?: Date | undefined;
  /** EU policy flag (DOMAIN A3). @default true */
  identityPausesClock?: boolean | undefined;
  /** EU guard: the identity request must be sent within this many working days of receipt. @default 3 */
  identityPauseThresholdWorkingDays?: number | undefined;
  /** Counting choices passed to core's `computeDsrDeadlines` (CCPA day count, extension origin…). @default {} */
  deadlineOptions?: Omit<DsrDeadlineOptions, "idReceivedAt" | "feeReceivedAt"> | undefined;
}

function snapshotDate(d: Deadline): string {
  return d.dueDate;
}

/**
 * Compute the deadlines of a request from core's regime table: acknowledgement (CCPA 10 business
 * days), response (EU/UK one month with rollover, CCPA 45 days, LGPD 15 days, CCPA opt-out/limit
 * 15 business days), the extended deadline, the extension-notice deadline, and the effective
 * deadline after lawful pauses (EU guarded identity pause, UK clock start at the latest of
 * receipt/ID/fee plus clarification pauses, CCPA never paused).
 *
 * @throws LawfulError `INVALID_PERIOD` for a bad time zone or calendar.
 * @example
 * ```ts
 * import { computeRequestDeadlines, type DsrRequest } from "@lawful/dsr";
 * declare const request: DsrRequest;
 * computeRequestDeadlines(request).dueDate; // e.g. "2025-04-07"
 * ```
 */
export function computeRequestDeadlines(request: DsrRequest, options: RequestDeadlineOptions = {}): DsrDeadlineSnapshot {
  const calendar = options.calendar ?? defaultCalendarResolver(request.calendarId);
  const now = options.now ?? request.updatedAt;
  if (request.type === "ccpa_opt_out" || request.type === "ccpa_limit") {
    const due = optOutHonourBy("US-CA", request.receivedAt, {
      timeZone: request.timeZone,
      calendar,
      request: request.type === "ccpa_limit" ? "limit" : "opt-out",
    });
    return {
      clockStartedAt: request.receivedAt,
      respondBy: due.dueAt,
      respondByDate: snapshotDate(due),
      dueAt: due.dueAt,
      dueDate: snapshotDate(due),
      pausedDays: 0,
      paused: false,
      ignoredPauses: [],
      rule: due.rule,
    };
  }
  const d = computeDsrDeadlines({
    regime: request.regime,
    receivedAt: request.receivedAt,
    timeZone: request.timeZone,
    calendar,
    options: {
      ...(options.deadlineOptions ?? {}),
      ...(request.regime === "UK" && request.idReceivedAt ? { idReceivedAt: request.idReceivedAt } : {}),
      ...(request.regime === "UK" && request.feeReceivedAt ? { feeReceivedAt: request.feeReceivedAt } : {}),
    },
  });
  const pauses = request.pauses.map((p) => ({ pausedAt: p.pausedAt, reason: p.reason, ...(p.resumedAt ? { resumedAt: p.resumedAt } : {}) }));
  const effOptions = {
    regime: request.regime,
    calendar,
    now,
    receivedAt: request.receivedAt,
    ...(options.identityPausesClock === undefined ? {} : { identityPausesClock: options.identityPausesClock }),
    ...(options.identityPauseThresholdWorkingDays === undefined ? {} : { identityPauseThresholdWorkingDays: options.identityPauseThresholdWorkingDays }),
  };
  const base = effectiveDueAt(d.respondBy, pauses, effOptions);
  const extended = d.extendedBy ? effectiveDueAt(d.extendedBy, pauses, effOptions) : undefined;
  const binding = request.extension && extended ? extended : base;
  return {
    clockStartedAt: d.clockStartedAt,
    ...(d.acknowledgeBy ? { acknowledgeBy: d.acknowledgeBy.dueAt } : {}),
    respondBy: base.dueAt,
    respondByDate: base.dueDate,
    ...(extended ? { extendedBy: extended.dueAt } : {}),
    ...(d.extensionNoticeBy ? { extensionNoticeBy: base.dueAt } : {}),
    dueAt: binding.dueAt,
    dueDate: binding.dueDate,
    pausedDays: binding.pausedDays,
    paused: binding.clockPaused,
    ignoredPauses: binding.ignoredPauses.map((p) => p.reason),
    rule: binding.rule,
  };
}
