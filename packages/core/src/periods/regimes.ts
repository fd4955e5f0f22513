import { TZDate } from "@date-fns/tz";
import { addMonths } from "date-fns";
import * as z from "zod";
import { RegimeIdSchema, type RegimeId } from "../vocabulary.js";
import { HolidayCalendarSchema, weekendOnlyCalendar, type HolidayCalendar } from "./calendar.js";
import {
  addMonthsClamped,
  assertInstant,
  assertTimeZone,
  endOfDayDeadline,
  endOfLocalDayMs,
  instantDeadline,
  invalidPeriod,
  localDateIn,
  nthWorkingDayAfter,
  parsePeriodInput,
  resolveCalendar,
  shiftDays,
  toDayNumber,
  type CalendarLike,
} from "./internal.js";
import { addBusinessDays, addCalendarDays, addCalendarMonths, addHours, type Deadline, type PeriodOptions } from "./periods.js";

// ---------------------------------------------------------------------------
// Schemas and the regime table.


/**
 * Regimes with data-subject-request deadlines: `EU`, `UK`, `US-CA`, `BR`.
 *
 * @example
 * ```ts
 * import type { DsrRegimeId } from "@lawful/core";
 * const regime: DsrRegimeId = "UK";
 * ```
 */
export type DsrRegimeId = "EU" | "UK" | "US-CA" | "BR";

/**
 * Regimes with an opt-out / unsubscribe honour-by deadline: `US-CA` (CCPA §7026/§7027), `US` (CAN-SPAM), `CA` (CASL).
 *
 * @example
 * ```ts
 * import type { OptOutRegimeId } from "@lawful/core";
 * const regime: OptOutRegimeId = "US";
 * ```
 */
export type OptOutRegimeId = "US-CA" | "US" | "CA";

/**
 * Regimes with a breach-notification clock: `EU`, `UK` (72 hours) and `BR` (3 business days).
 *
 * @example
 * ```ts
 * import type { BreachRegimeId } from "@lawful/core";
 * const regime: BreachRegimeId = "BR";
 * ```
 */
export type BreachRegimeId = "EU" | "UK" | "BR";

const SourceSchema = z.string().regex(/^[A-H]\d{1,2}$/, "Expected a DOMAIN.md rule id such as A2");
const NoteSchema = z.string().min(1).optional();

/**
 * Zod schema of a {@link PeriodSpec}: one legal period as data (unit, amount, counting flags, DOMAIN.md rule id).
 *
 * @example
 * ```ts
 * import { PeriodSpecSchema } from "@lawful/core";
 * PeriodSpecSchema.parse({ unit: "business-days", amount: 10, source: "A8" });
 * ```
 */
export const PeriodSpecSchema = z.discriminatedUnion("unit", [
  z.object({ unit: z.literal("months"), amount: z.int().min(0).max(1200), rollover: z.boolean(), source: SourceSchema, note: NoteSchema }),
  z.object({
    unit: z.literal("calendar-days"),
    amount: z.int().min(0).max(36_600),
    countStartDay: z.boolean(),
    rollover: z.boolean(),
    source: SourceSchema,
    note: NoteSchema,
  }),
  z.object({ unit: z.literal("business-days"), amount: z.int().min(0).max(10_000), source: SourceSchema, note: NoteSchema }),
  z.object({ unit: z.literal("hours"), amount: z.number().min(0).max(1_000_000), source: SourceSchema, note: NoteSchema }),
]);

/**
 * One legal period as data; evaluate it with {@link computePeriod}.
 *
 * @example
 * ```ts
 * import type { PeriodSpec } from "@lawful/core";
 * const ccpaRespond: PeriodSpec = { unit: "calendar-days", amount: 45, countStartDay: true, rollover: false, source: "A5" };
 * ```
 */
export type PeriodSpec = z.infer<typeof PeriodSpecSchema>;

/**
 * Zod schema of a {@link PauseReason}.
 *
 * @example
 * ```ts
 * import { PauseReasonSchema } from "@lawful/core";
 * PauseReasonSchema.parse("identity");
 * ```
 */
export const PauseReasonSchema = z.enum(["identity", "clarification", "fee", "other"]);

/**
 * Why a DSR clock was paused: waiting for identity information, for clarification of scope, for a fee, or something else.
 *
 * @example
 * ```ts
 * import type { PauseReason } from "@lawful/core";
 * const reason: PauseReason = "clarification";
 * ```
 */
export type PauseReason = z.infer<typeof PauseReasonSchema>;

/**
 * Zod schema of an {@link IdentityPausePolicy}.
 *
 * @example
 * ```ts
 * import { IdentityPausePolicySchema } from "@lawful/core";
 * IdentityPausePolicySchema.parse({ mode: "never", source: "A5" });
 * ```
 */
export const IdentityPausePolicySchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("guarded"),
    enabledByDefault: z.boolean(),
    thresholdWorkingDays: z.int().min(0).max(365),
    reasons: z.array(PauseReasonSchema).min(1),
    source: SourceSchema,
    note: NoteSchema,
  }),
  z.object({ mode: z.literal("clock-start"), reasons: z.array(PauseReasonSchema), source: SourceSchema, note: NoteSchema }),
  z.object({ mode: z.literal("never"), source: SourceSchema, note: NoteSchema }),
]);

/**
 * How a regime lets a DSR clock stop.
 *
 * - `guarded` (EU, A3): pauses for the listed reasons count only when the
 *   request was sent within `thresholdWorkingDays` working days of receipt.
 * - `clock-start` (UK, A4): identity and fee move the clock start
 *   ({@link ukClockStart}); only the listed reasons (clarification) pause it.
 * - `never` (US-CA, A5; BR): the clock never stops.
 *
 * @example
 * ```ts
 * import { REGIMES, type IdentityPausePolicy } from "@lawful/core";
 * const eu: IdentityPausePolicy | undefined = REGIMES.EU.dsr?.identityPause;
 * ```
 */
export type IdentityPausePolicy = z.infer<typeof IdentityPausePolicySchema>;

/**
 * Zod schema of a {@link RegimeConfig}.
 *
 * @example
 * ```ts
 * import { RegimeConfigSchema, REGIMES } from "@lawful/core";
 * RegimeConfigSchema.parse(REGIMES.US);
 * ```
 */
export const RegimeConfigSchema = z.object({
  id: RegimeIdSchema,
  name: z.string().min(1),
  holidayCalendar: z.string().min(1).nullable(),
  dsr: z
    .object({
      acknowledge: PeriodSpecSchema.optional(),
      respond: PeriodSpecSchema,
      extendedTotal: PeriodSpecSchema.optional(),
      extensionNoticeWithinBasePeriod: z.boolean(),
      simplifiedResponseImmediate: z.boolean(),
      smallAgentMultiplier: z.int().min(1).max(10),
      identityPause: IdentityPausePolicySchema,
    })
    .optional(),
  optOut: z
    .object({
      honour: PeriodSpecSchema,
      limitRequest: PeriodSpecSchema.optional(),
      countFrom: z.enum(["receipt", "indication-sent"]),
    })
    .optional(),
  unsubscribeLinkMinLifetime: PeriodSpecSchema.optional(),
  reOptInWait: PeriodSpecSchema.optional(),
  impliedConsent: z
    .object({
      purchase: PeriodSpecSchema,
      contract: PeriodSpecSchema,
      "business-opportunity": PeriodSpecSchema,
      "non-business": PeriodSpecSchema,
      inquiry: PeriodSpecSchema,
    })
    .optional(),
  breach: z
    .object({
      notifyAuthority: PeriodSpecSchema,
      supplement: PeriodSpecSchema.optional(),
      smallAgentMultiplier: z.int().min(1).max(10),
    })
    .optional(),
});

/**
 * The deadlines of one legal regime as validated data, each tagged with its DOMAIN.md rule id.
 *
 * `holidayCalendar` names the `@lawful/core/holidays` calendar that fits the
 * regime (`null` for the EU: use the Member State's, e.g. `"DE"`).
 *
 * @example
 * ```ts
 * import { REGIMES, type RegimeConfig } from "@lawful/core";
 * const ccpa: RegimeConfig = REGIMES["US-CA"];
 * ccpa.dsr?.respond.amount; // 45
 * ```
 */
export type RegimeConfig = z.infer<typeof RegimeConfigSchema>;

/**
 * Zod schema of the whole regime table: one {@link RegimeConfig} per {@link RegimeId}, keyed by its id.
 *
 * @example
 * ```ts
 * import { REGIMES, RegimeTableSchema } from "@lawful/core";
 * RegimeTableSchema.parse(REGIMES);
 * ```
 */
export const RegimeTableSchema = z
  .record(RegimeIdSchema, RegimeConfigSchema)
  .refine((table) => Object.entries(table).every(([key, config]) => config.id === key), "Each regime must be stored under its own id");

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const months = (amount: number, source: string, note?: string) =>
  ({ unit: "months", amount, rollover: false, source, ...(note ? { note } : {}) }) as const;

/**
 * The regime table: every deadline figure Lawful encodes, from DOMAIN.md sections A, F and G, validated with {@link RegimeTableSchema} and deeply frozen.
 *
 * | Regime | Deadlines |
 * |---|---|
 * | `EU` | DSR 1 month (Reg. 1182/71, rollover), extension to 3 months from receipt, identity pause guarded by 3 working days; breach 72 h |
 * | `UK` | as EU, clock starts at max(receipt, ID, fee), clarification pauses; breach 72 h |
 * | `US-CA` | acknowledge 10 business days; respond 45 days (receipt = day 1), extension to 90; never paused; opt-out/limit 15 business days; re-opt-in after 12 months |
 * | `US` | CAN-SPAM opt-out 10 business days from receipt; link live ≥ 30 days |
 * | `CA` | CASL unsubscribe 10 business days from sending of the indication; link live ≥ 60 days; implied consent 2 years (6 months for inquiries) |
 * | `BR` | access 15 days (×2 small agents), simplified answer immediately; breach 3 business days (+20 supplement, ×2 small agents) |
 *
 * @example
 * ```ts
 * import { REGIMES } from "@lawful/core";
 * REGIMES.CA.unsubscribeLinkMinLifetime?.amount; // 60
 * REGIMES.EU.dsr?.respond.source; // "A1"
 * ```
 */
export const REGIMES: Readonly<Record<RegimeId, RegimeConfig>> = deepFreeze<Record<RegimeId, RegimeConfig>>(
  parsePeriodInput(
    RegimeTableSchema,
    {
      EU: {
        id: "EU",
        name: "EU GDPR (Regulation 2016/679)",
        holidayCalendar: null,
        dsr: {
          respond: { unit: "months", amount: 1, rollover: true, source: "A1", note: "Counted per Reg. 1182/71 Art. 3 (A2)" },
          extendedTotal: { unit: "months", amount: 3, rollover: true, source: "A1", note: "+2 months, 3 in total, counted from receipt (A2)" },
          extensionNoticeWithinBasePeriod: true,
          simplifiedResponseImmediate: false,
          smallAgentMultiplier: 1,
          identityPause: { mode: "guarded", enabledByDefault: true, thresholdWorkingDays: 3, reasons: ["identity"], source: "A3" },
        },
        breach: { notifyAuthority: { unit: "hours", amount: 72, source: "A11" }, smallAgentMultiplier: 1 },
      },
      UK: {
        id: "UK",
        name: "UK GDPR and Data (Use and Access) Act 2025",
        holidayCalendar: "UK",
        dsr: {
          respond: { unit: "months", amount: 1, rollover: true, source: "A4", note: "From max(receipt, ID, fee); counted per A2" },
          extendedTotal: { unit: "months", amount: 3, rollover: true, source: "A4", note: "+2 months for complexity, counted from the clock start" },
          extensionNoticeWithinBasePeriod: true,
          simplifiedResponseImmediate: false,
          smallAgentMultiplier: 1,
          identityPause: { mode: "clock-start", reasons: ["clarification"], source: "A4" },
        },
        breach: { notifyAuthority: { unit: "hours", amount: 72, source: "A11" }, smallAgentMultiplier: 1 },
      },
      "US-CA": {
        id: "US-CA",
        name: "California CCPA/CPRA (11 CCR §7021, §7026, §7027)",
        holidayCalendar: "US-CA",
        dsr: {
          acknowledge: { unit: "business-days", amount: 10, source: "A5" },
          respond: { unit: "calendar-days", amount: 45, countStartDay: true, rollover: false, source: "A5", note: "Conservative: receipt day is day 1" },
          extendedTotal: { unit: "calendar-days", amount: 90, countStartDay: true, rollover: false, source: "A5" },
          extensionNoticeWithinBasePeriod: true,
          simplifiedResponseImmediate: false,
          smallAgentMultiplier: 1,
          identityPause: { mode: "never", source: "A5" },
        },
        optOut: {
          honour: { unit: "business-days", amount: 15, source: "A6" },
          limitRequest: { unit: "business-days", amount: 15, source: "A6", note: "§7027 figure is [M] in DOMAIN.md" },
          countFrom: "receipt",
        },
        reOptInWait: months(12, "A6"),
      },
      US: {
        id: "US",
        name: "US CAN-SPAM Act (15 U.S.C. §7704, 16 CFR §316.5)",
        holidayCalendar: "US",
        optOut: { honour: { unit: "business-days", amount: 10, source: "A8" }, countFrom: "receipt" },
        unsubscribeLinkMinLifetime: { unit: "calendar-days", amount: 30, countStartDay: false, rollover: false, source: "A8" },
      },
      CA: {
        id: "CA",
        name: "Canada CASL (S.C. 2010, c. 23)",
        holidayCalendar: "CA",
        optOut: { honour: { unit: "business-days", amount: 10, source: "A9" }, countFrom: "indication-sent" },
        unsubscribeLinkMinLifetime: { unit: "calendar-days", amount: 60, countStartDay: false, rollover: false, source: "A9" },
        impliedConsent: {
          purchase: months(24, "A10", "Purchase, lease or barter"),
          contract: months(24, "A10", "After the written contract expires"),
          "business-opportunity": months(24, "A10", "Acceptance of a business, investment or gaming opportunity"),
          "non-business": months(24, "A10", "Donation, gift, volunteer work, meeting or membership"),
          inquiry: months(6, "A10", "Inquiry or application"),
        },
      },
      BR: {
        id: "BR",
        name: "Brazil LGPD (Lei 13.709/2018)",
        holidayCalendar: "BR",
        dsr: {
          respond: { unit: "calendar-days", amount: 15, countStartDay: false, rollover: false, source: "A7", note: "Art. 19 II complete declaration" },
          extensionNoticeWithinBasePeriod: false,
          simplifiedResponseImmediate: true,
          smallAgentMultiplier: 2,
          identityPause: { mode: "never", source: "A7", note: "DOMAIN.md records no pause rule for the LGPD; the clock is not paused (conservative)" },
        },
        breach: {
          notifyAuthority: { unit: "business-days", amount: 3, source: "F4" },
          supplement: { unit: "business-days", amount: 20, source: "F4" },
          smallAgentMultiplier: 2,
        },
      },
    } satisfies z.input<typeof RegimeTableSchema>,
    "regime table",
  ),
);

// ---------------------------------------------------------------------------
// Generic evaluation.

/**
 * Options of {@link computePeriod}.
 *
 * @example
 * ```ts
 * import type { ComputePeriodOptions } from "@lawful/core";
 * const options: ComputePeriodOptions = { timeZone: "America/Sao_Paulo", multiplier: 2 };
 * ```
 */
export interface ComputePeriodOptions extends PeriodOptions {
  /** Multiply the amount (e.g. 2 for LGPD small processing agents). @default 1 */
  multiplier?: number | undefined;
  /** Override the spec's `countStartDay` (calendar-day periods only). @default the spec's value */
  countStartDay?: boolean | undefined;
  /** Override the spec's `rollover` (month and calendar-day periods only). @default the spec's value */
  rollover?: boolean | undefined;
}

function withSource(deadline: Deadline, source: string): Deadline {
  return Object.freeze({ ...deadline, source });
}

/**
 * Evaluate a {@link PeriodSpec} from a start instant, returning a {@link Deadline} tagged with the spec's DOMAIN.md rule id.
 *
 * @throws LawfulError `INVALID_PERIOD` for an invalid spec, Date, multiplier, time zone or calendar.
 * @example
 * ```ts
 * import { computePeriod, type PeriodSpec } from "@lawful/core";
 * const canSpam: PeriodSpec = { unit: "business-days", amount: 10, source: "A8" };
 * computePeriod(canSpam, new Date("2025-03-05T15:00:00Z"), { timeZone: "America/New_York" }).dueDate; // "2025-03-19"
 * ```
 */
export function computePeriod(spec: PeriodSpec, from: Date, options: ComputePeriodOptions): Deadline {
  const s = parsePeriodInput(PeriodSpecSchema, spec, "period spec");
  const multiplier = options.multiplier ?? 1;
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > 10) {
    throw invalidPeriod(`multiplier must be a whole number between 1 and 10; got ${String(multiplier)}.`, { path: ["multiplier"] });
  }
  const base = { timeZone: options.timeZone, calendar: options.calendar };
  switch (s.unit) {
    case "months":
      return withSource(addCalendarMonths(from, s.amount * multiplier, { ...base, rollover: options.rollover ?? s.rollover }), s.source);
    case "calendar-days":
      return withSource(
        addCalendarDays(from, s.amount * multiplier, {
          ...base,
          countStartDay: options.countStartDay ?? s.countStartDay,
          rollover: options.rollover ?? s.rollover,
        }),
        s.source,
      );
    case "business-days":
      return withSource(addBusinessDays(from, s.amount * multiplier, base), s.source);
    case "hours":
      return withSource(addHours(from, s.amount * multiplier, { timeZone: options.timeZone }), s.source);
  }
}

// ---------------------------------------------------------------------------
// Data-subject requests.

/**
 * Options of {@link computeDsrDeadlines}.
 *
 * @example
 * ```ts
 * import type { DsrDeadlineOptions } from "@lawful/core";
 * const options: DsrDeadlineOptions = { ccpaDayCount: "civilCode10", extensionFrom: "receipt" };
 * ```
 */
export interface DsrDeadlineOptions {
  /**
   * Where the extended deadline is counted from: `"receipt"` (receipt + 3 months, DOMAIN A2's
   * interpretation choice) or `"base-deadline"` (the rolled-over first deadline + the extension).
   * @default "receipt"
   */
  extensionFrom?: "receipt" | "base-deadline" | undefined;
  /**
   * CCPA day counting (A5): `"conservative"` counts the receipt day as day 1 (due = receipt + 44 days);
   * `"civilCode10"` excludes the first day (Cal. Civ. Code §10, due = receipt + 45 days).
   * @default "conservative"
   */
  ccpaDayCount?: "conservative" | "civilCode10" | undefined;
  /** Roll calendar-day deadlines (US-CA, BR) that end on a weekend or holiday to the next working day. @default false */
  rollover?: boolean | undefined;
  /** LGPD small processing agent: doubles the BR deadlines (ANPD Res. CD/ANPD 2/2022). @default false */
  smallAgent?: boolean | undefined;
  /** UK: when identity information the controller reasonably asked for arrived (A4). */
  idReceivedAt?: Date | undefined;
  /** UK: when a fee for a manifestly unfounded or excessive request arrived (A4). */
  feeReceivedAt?: Date | undefined;
}

/**
 * Input of {@link computeDsrDeadlines}.
 *
 * @example
 * ```ts
 * import type { DsrDeadlineInput } from "@lawful/core";
 * const input: DsrDeadlineInput = { regime: "EU", receivedAt: new Date("2025-03-05T10:00:00Z"), timeZone: "Europe/Berlin" };
 * ```
 */
export interface DsrDeadlineInput {
  /** The regime whose rules apply. */
  regime: DsrRegimeId;
  /** When the request reached any of the controller's channels (not when it was verified). */
  receivedAt: Date;
  /** The controller's IANA time zone. */
  timeZone: string;
  /** Weekend and holidays for rollover and business days; see `REGIMES[regime].holidayCalendar`. @default weekendOnlyCalendar */
  calendar?: HolidayCalendar | undefined;
  /** Counting choices. @default {} */
  options?: DsrDeadlineOptions | undefined;
}

/**
 * The deadlines of one data-subject request.
 *
 * @example
 * ```ts
 * import { computeDsrDeadlines, type DsrDeadlines } from "@lawful/core";
 * const d: DsrDeadlines = computeDsrDeadlines({ regime: "US-CA", receivedAt: new Date("2025-03-05T17:00:00Z"), timeZone: "America/Los_Angeles" });
 * d.acknowledgeBy?.dueDate; // "2025-03-19"
 * ```
 */
export interface DsrDeadlines {
  /** The regime applied. */
  readonly regime: DsrRegimeId;
  /** The instant the clock started: receipt, or for the UK the latest of receipt, ID and fee. */
  readonly clockStartedAt: Date;
  /** Confirm receipt by (US-CA: 10 business days). */
  readonly acknowledgeBy?: Deadline | undefined;
  /** Give the simplified answer by (BR: immediately, i.e. at receipt). */
  readonly simplifiedResponseBy?: Deadline | undefined;
  /** Respond by (EU/UK 1 month, US-CA 45 days, BR 15 days). */
  readonly respondBy: Deadline;
  /** The latest deadline after an extension (EU/UK 3 months, US-CA 90 days). */
  readonly extendedBy?: Deadline | undefined;
  /** Tell the data subject about an extension, with reasons, by this deadline (= `respondBy`). */
  readonly extensionNoticeBy?: Deadline | undefined;
  /** Whether and how the clock may be paused; apply pauses with {@link effectiveDueAt}. */
  readonly identityPause: IdentityPausePolicy;
}

const DsrInputSchema = z.object({
  regime: z.enum(["EU", "UK", "US-CA", "BR"]),
  receivedAt: z.date(),
  timeZone: z.string(),
  calendar: HolidayCalendarSchema.optional(),
  options: z
    .object({
      extensionFrom: z.enum(["receipt", "base-deadline"]).optional(),
      ccpaDayCount: z.enum(["conservative", "civilCode10"]).optional(),
      rollover: z.boolean().optional(),
      smallAgent: z.boolean().optional(),
      idReceivedAt: z.date().optional(),
      feeReceivedAt: z.date().optional(),
    })
    .optional(),
});

/**
 * Compute the deadlines of a data-subject request under one regime (DOMAIN A1–A7).
 *
 * - `EU`: respond within 1 month (Reg. 1182/71 counting with weekend/holiday
 *   rollover); extended deadline 3 months **from receipt** by default (not
 *   chained from the rolled-over first deadline; set `extensionFrom`).
 * - `UK`: as EU, but counted from {@link ukClockStart} (max of receipt, ID, fee).
 * - `US-CA`: acknowledge within 10 business days; respond within 45 calendar
 *   days (receipt day counted as day 1 unless `ccpaDayCount: "civilCode10"`);
 *   extended 90 days. No rollover unless `rollover: true`.
 * - `BR`: complete declaration within 15 calendar days (30 for small agents);
 *   simplified answer immediately.
 *
 * Pass the jurisdiction's holiday calendar (e.g. `createHolidayCalendar("DE")`
 * from `@lawful/core/holidays`); the default knows only weekends.
 *
 * @throws LawfulError `INVALID_PERIOD` for an unknown regime, invalid dates or options, an unknown time zone or an invalid calendar.
 * @example
 * ```ts
 * import { computeDsrDeadlines } from "@lawful/core";
 * const d = computeDsrDeadlines({ regime: "EU", receivedAt: new Date("2025-03-05T10:00:00Z"), timeZone: "Europe/Berlin" });
 * d.respondBy.dueDate; // "2025-04-07"
 * d.extendedBy?.dueDate; // "2025-06-05"
 * ```
 */
export function computeDsrDeadlines(input: DsrDeadlineInput): DsrDeadlines {
  const parsed = parsePeriodInput(DsrInputSchema, input, "DSR deadline input");
  const zone = assertTimeZone(parsed.timeZone);
  const calendar: CalendarLike = resolveCalendar(parsed.calendar, weekendOnlyCalendar);
  const o = parsed.options ?? {};
  const regime = parsed.regime;
  const rules = REGIMES[regime].dsr;
  if (!rules) throw invalidPeriod(`Regime ${regime} has no data-subject-request deadlines.`, { path: ["regime"] });

  const clockStartedAt =
    regime === "UK" ? ukClockStart({ receivedAt: parsed.receivedAt, idReceivedAt: o.idReceivedAt, feeReceivedAt: o.feeReceivedAt }) : parsed.receivedAt;
  const multiplier = o.smallAgent === true ? rules.smallAgentMultiplier : 1;
  const countStartDay = regime === "US-CA" ? (o.ccpaDayCount ?? "conservative") === "conservative" : undefined;
  const periodOptions: ComputePeriodOptions = {
    timeZone: zone,
    calendar,
    multiplier,
    ...(countStartDay === undefined ? {} : { countStartDay }),
    ...(o.rollover === undefined || rules.respond.unit !== "calendar-days" ? {} : { rollover: o.rollover }),
  };

  const respondBy = computePeriod(rules.respond, clockStartedAt, periodOptions);
  let extendedBy: Deadline | undefined;
  if (rules.extendedTotal) {
    extendedBy =
      (o.extensionFrom ?? "receipt") === "receipt"
        ? computePeriod(rules.extendedTotal, clockStartedAt, periodOptions)
        : chainExtension(rules.respond, rules.extendedTotal, respondBy, clockStartedAt, calendar, periodOptions);
  }
  const startMs = clockStartedAt.getTime();
  return Object.freeze({
    regime,
    clockStartedAt: new Date(startMs),
    ...(rules.acknowledge ? { acknowledgeBy: computePeriod(rules.acknowledge, clockStartedAt, { timeZone: zone, calendar }) } : {}),
    ...(rules.simplifiedResponseImmediate
      ? {
          simplifiedResponseBy: Object.freeze({
            ...instantDeadline({ startedAtMs: startMs, dueAtMs: startMs, zone, rule: "Immediately, in simplified form (LGPD Art. 19 I)" }),
            source: rules.respond.source,
          }),
        }
      : {}),
    respondBy,
    ...(extendedBy ? { extendedBy } : {}),
    ...(extendedBy && rules.extensionNoticeWithinBasePeriod ? { extensionNoticeBy: respondBy } : {}),
    identityPause: rules.identityPause,
  });
}

/** The extended deadline counted from the (rolled-over) base deadline instead of from receipt. */
function chainExtension(
  respond: PeriodSpec,
  total: PeriodSpec,
  respondBy: Deadline,
  startedAt: Date,
  calendar: CalendarLike,
  options: ComputePeriodOptions,
): Deadline {
  const multiplier = options.multiplier ?? 1;
  const extra = (total.amount - respond.amount) * multiplier;
  let unadjusted: string;
  let roll: boolean;
  if (total.unit === "months") {
    unadjusted = addMonthsClamped(respondBy.dueDate, extra);
    roll = options.rollover ?? total.rollover;
  } else if (total.unit === "calendar-days") {
    unadjusted = shiftDays(respondBy.dueDate, extra);
    roll = options.rollover ?? total.rollover;
  } else if (total.unit === "business-days") {
    unadjusted = nthWorkingDayAfter(respondBy.dueDate, extra, calendar);
    roll = false;
  } else {
    return withSource(addHours(respondBy.dueAt, extra, { timeZone: respondBy.timeZone }), total.source);
  }
  return endOfDayDeadline({
    startedAtMs: startedAt.getTime(),
    zone: respondBy.timeZone,
    calendar,
    unadjusted,
    roll,
    rule: `extension of ${extra} ${total.unit} chained from the base deadline ${respondBy.dueDate}${roll ? `; a weekend or holiday end moves to the next working day (${calendar.id})` : ""}`,
    source: total.source,
  });
}

/**
 * Input of {@link ukClockStart}.
 *
 * @example
 * ```ts
 * import type { UkClockStartInput } from "@lawful/core";
 * const input: UkClockStartInput = { receivedAt: new Date("2025-07-01T09:00:00Z"), idReceivedAt: new Date("2025-07-04T12:00:00Z") };
 * ```
 */
export interface UkClockStartInput {
  /** When the request was received. */
  receivedAt: Date;
  /** When identity information the controller reasonably requested was received. */
  idReceivedAt?: Date | undefined;
  /** When a fee (manifestly unfounded or excessive request) was received. */
  feeReceivedAt?: Date | undefined;
}

/**
 * The UK "applicable time period" start: the latest of receipt, receipt of requested identity information and receipt of a fee (UK GDPR Art. 12A, DOMAIN A4).
 *
 * @throws LawfulError `INVALID_PERIOD` when any given value is not a valid Date.
 * @example
 * ```ts
 * import { ukClockStart } from "@lawful/core";
 * const start = ukClockStart({ receivedAt: new Date("2025-07-01T09:00:00Z"), idReceivedAt: new Date("2025-07-04T12:00:00Z") });
 * start.toISOString(); // "2025-07-04T12:00:00.000Z"
 * ```
 */
export function ukClockStart(input: UkClockStartInput): Date {
  if (typeof input !== "object" || input === null) throw invalidPeriod("ukClockStart needs { receivedAt, idReceivedAt?, feeReceivedAt? }.");
  assertInstant(input.receivedAt, "receivedAt");
  let latest = input.receivedAt.getTime();
  for (const key of ["idReceivedAt", "feeReceivedAt"] as const) {
    const value = input[key];
    if (value === undefined) continue;
    assertInstant(value, key);
    latest = Math.max(latest, value.getTime());
  }
  return new Date(latest);
}

// ---------------------------------------------------------------------------
// Pauses.

/**
 * Zod schema of a {@link ClockPause}.
 *
 * @example
 * ```ts
 * import { ClockPauseSchema } from "@lawful/core";
 * ClockPauseSchema.parse({ pausedAt: new Date("2025-03-06T10:00:00Z"), reason: "identity" });
 * ```
 */
export const ClockPauseSchema = z.object({
  pausedAt: z.date(),
  resumedAt: z.date().optional(),
  reason: PauseReasonSchema,
});

/**
 * An interval during which a DSR clock was stopped: from when the controller asked (for ID, clarification, a fee) until the answer arrived.
 *
 * @example
 * ```ts
 * import type { ClockPause } from "@lawful/core";
 * const pause: ClockPause = { pausedAt: new Date("2025-03-06T10:00:00Z"), resumedAt: new Date("2025-03-10T15:00:00Z"), reason: "identity" };
 * ```
 */
export interface ClockPause {
  /** When the clock stopped (the request for information was sent). */
  pausedAt: Date;
  /** When the clock restarted (the information arrived); missing while still paused. */
  resumedAt?: Date | undefined;
  /** Why the clock stopped. */
  reason: PauseReason;
}

/**
 * Options of {@link effectiveDueAt}.
 *
 * @example
 * ```ts
 * import type { EffectiveDueOptions } from "@lawful/core";
 * const options: EffectiveDueOptions = { regime: "EU", identityPauseThresholdWorkingDays: 5 };
 * ```
 */
export interface EffectiveDueOptions {
  /** Apply this regime's pause policy; without it every pause counts. @default undefined */
  regime?: DsrRegimeId | undefined;
  /** The calendar the deadline was computed with (its id must match `deadline.calendarId`). @default weekendOnlyCalendar */
  calendar?: HolidayCalendar | undefined;
  /** Count a pause with no `resumedAt` up to this instant; without it an open pause adds nothing yet. @default undefined */
  now?: Date | undefined;
  /** Receipt instant for the EU "requested without undue delay" guard. @default deadline.startedAt */
  receivedAt?: Date | undefined;
  /** EU policy flag `eu.identityPausesClock`; false means identity checks never pause the clock. @default true */
  identityPausesClock?: boolean | undefined;
  /** EU: the identity request must be sent within this many working days of receipt for the pause to count. @default 3 */
  identityPauseThresholdWorkingDays?: number | undefined;
}

/**
 * A pause that did not extend the deadline, and why.
 *
 * @example
 * ```ts
 * import type { IgnoredPause } from "@lawful/core";
 * const ignored: IgnoredPause = { pause: { pausedAt: new Date(), reason: "other" }, reason: "EU pauses only for identity checks (A3)" };
 * ```
 */
export interface IgnoredPause {
  /** The pause as given. */
  readonly pause: ClockPause;
  /** Why it does not count. */
  readonly reason: string;
}

/**
 * A deadline extended by the whole days its clock was paused.
 *
 * @example
 * ```ts
 * import { computeDsrDeadlines, effectiveDueAt, type EffectiveDeadline } from "@lawful/core";
 * const { respondBy } = computeDsrDeadlines({ regime: "EU", receivedAt: new Date("2025-03-05T10:00:00Z"), timeZone: "Europe/Berlin" });
 * const effective: EffectiveDeadline = effectiveDueAt(respondBy, []);
 * effective.pausedDays; // 0
 * ```
 */
export interface EffectiveDeadline extends Deadline {
  /** The deadline before pauses. */
  readonly base: Deadline;
  /** Distinct local calendar days during which the clock was paused. */
  readonly pausedDays: number;
  /** Pauses that extended the deadline. */
  readonly appliedPauses: readonly ClockPause[];
  /** Pauses that did not, with reasons (record them in the audit trail). */
  readonly ignoredPauses: readonly IgnoredPause[];
  /** True while a counted pause has no `resumedAt`: the deadline will move further once it resumes. */
  readonly clockPaused: boolean;
}

const EffectiveOptionsSchema = z.object({
  regime: z.enum(["EU", "UK", "US-CA", "BR"]).optional(),
  calendar: HolidayCalendarSchema.optional(),
  now: z.date().optional(),
  receivedAt: z.date().optional(),
  identityPausesClock: z.boolean().optional(),
  identityPauseThresholdWorkingDays: z.int().min(0).max(365).optional(),
});

/**
 * Extend a day-based deadline by the whole days its clock was paused (DOMAIN A3/A4), applying a regime's pause policy.
 *
 * A pause covers the local dates from the day it started up to (not
 * including) the day it ended, in the deadline's time zone; overlapping pauses
 * count each day once. The pause days are added to the unadjusted end date
 * and the weekend/holiday rollover is applied again. A pause that starts after
 * the (already extended) deadline has passed, or before the period started,
 * does not count. With `regime`:
 *
 * - `EU`: only `identity` pauses count, only if `identityPausesClock` is not
 *   false and the pause started within `identityPauseThresholdWorkingDays`
 *   working days (default 3) of receipt.
 * - `UK`: only `clarification` pauses count; ID and fee move the clock start instead ({@link ukClockStart}).
 * - `US-CA` and `BR`: nothing pauses the clock.
 *
 * @throws LawfulError `INVALID_PERIOD` for an instant (hour-based) deadline, invalid pauses (e.g. `resumedAt` before `pausedAt`), a calendar whose id differs from `deadline.calendarId`, or invalid options.
 * @example
 * ```ts
 * import { computeDsrDeadlines, effectiveDueAt } from "@lawful/core";
 * const { respondBy } = computeDsrDeadlines({ regime: "EU", receivedAt: new Date("2025-03-05T10:00:00Z"), timeZone: "Europe/Berlin" });
 * const effective = effectiveDueAt(
 *   respondBy,
 *   [{ pausedAt: new Date("2025-03-06T10:00:00Z"), resumedAt: new Date("2025-03-10T15:00:00Z"), reason: "identity" }],
 *   { regime: "EU" },
 * );
 * effective.pausedDays; // 4
 * effective.dueDate; // "2025-04-09" (2025-04-05 + 4 days)
 * ```
 */
export function effectiveDueAt(deadline: Deadline, pauses: readonly ClockPause[], options: EffectiveDueOptions = {}): EffectiveDeadline {
  if (typeof deadline !== "object" || deadline === null || !(deadline.dueAt instanceof Date)) {
    throw invalidPeriod("deadline must be a Deadline returned by a Lawful period function.", { path: ["deadline"] });
  }
  if (deadline.kind !== "end-of-day") {
    throw invalidPeriod(`Only day-based deadlines can be paused; "${deadline.rule}" is an exact-instant clock.`, { path: ["deadline", "kind"] });
  }
  const list = parsePeriodInput(z.array(ClockPauseSchema), pauses, "clock pauses");
  const o = parsePeriodInput(EffectiveOptionsSchema, options, "effectiveDueAt options");
  const zone = assertTimeZone(deadline.timeZone, "deadline.timeZone");
  const calendar: CalendarLike = resolveCalendar(o.calendar, weekendOnlyCalendar);
  if (calendar.id !== deadline.calendarId) {
    throw invalidPeriod(
      `The deadline was computed with holiday calendar "${deadline.calendarId}" but "${calendar.id}" was given; pass the same calendar in options.calendar.`,
      { path: ["calendar"] },
    );
  }
  list.forEach((p, i) => {
    if (p.resumedAt !== undefined && p.resumedAt.getTime() < p.pausedAt.getTime()) {
      throw invalidPeriod(`pauses[${i}].resumedAt is before its pausedAt.`, { path: ["pauses", i, "resumedAt"] });
    }
  });

  const ignored: IgnoredPause[] = [];
  const candidates: ClockPause[] = [];
  const receivedAt = o.receivedAt ?? deadline.startedAt;
  let guardEndMs: number | undefined;
  const regime = o.regime;
  for (const [i, pause] of list.entries()) {
    const original = pauses[i] ?? pause;
    const reason = policyRejection(regime, pause, () => {
      if (guardEndMs === undefined) {
        const threshold = o.identityPauseThresholdWorkingDays ?? euThreshold();
        guardEndMs = addBusinessDays(receivedAt, threshold, { timeZone: zone, calendar }).dueAt.getTime();
      }
      return guardEndMs;
    }, o.identityPausesClock ?? euEnabledByDefault());
    if (reason) ignored.push(Object.freeze({ pause: original, reason }));
    else if (pause.pausedAt.getTime() < deadline.startedAt.getTime()) {
      ignored.push(Object.freeze({ pause: original, reason: "The pause starts before the period started." }));
    } else candidates.push(original);
  }

  candidates.sort((a, b) => a.pausedAt.getTime() - b.pausedAt.getTime());
  const pausedDates = new Set<string>();
  const applied: ClockPause[] = [];
  let clockPaused = false;
  let current: Deadline = deadline;
  const rebuild = (): Deadline =>
    endOfDayDeadline({
      startedAtMs: deadline.startedAt.getTime(),
      zone,
      calendar,
      unadjusted: shiftDays(deadline.unadjustedDate, pausedDates.size),
      roll: deadline.rollsToWorkingDay,
      rule: deadline.rule,
      source: deadline.source,
    });
  for (const pause of candidates) {
    if (pause.pausedAt.getTime() > current.dueAt.getTime()) {
      ignored.push(Object.freeze({ pause, reason: "The pause starts after the deadline had already passed." }));
      continue;
    }
    applied.push(pause);
    const endMs = pause.resumedAt?.getTime() ?? o.now?.getTime();
    if (pause.resumedAt === undefined) clockPaused = true;
    if (endMs === undefined || endMs <= pause.pausedAt.getTime()) continue;
    const first = toDayNumber(localDateIn(pause.pausedAt.getTime(), zone));
    const last = toDayNumber(localDateIn(endMs, zone));
    for (let d = first; d < last; d++) pausedDates.add(shiftDays("1970-01-01", d));
    current = rebuild();
  }

  const days = pausedDates.size;
  return Object.freeze({
    ...current,
    rule: days === 0 ? deadline.rule : `${deadline.rule}; extended by ${days} paused day${days === 1 ? "" : "s"}`,
    base: deadline,
    pausedDays: days,
    appliedPauses: Object.freeze(applied),
    ignoredPauses: Object.freeze(ignored),
    clockPaused,
  });
}

function euPolicy(): Extract<IdentityPausePolicy, { mode: "guarded" }> {
  const policy = REGIMES.EU.dsr?.identityPause;
  if (policy?.mode !== "guarded") throw invalidPeriod("The EU regime table entry lost its guarded identity-pause policy.");
  return policy;
}
function euThreshold(): number {
  return euPolicy().thresholdWorkingDays;
}
function euEnabledByDefault(): boolean {
  return euPolicy().enabledByDefault;
}

function policyRejection(regime: DsrRegimeId | undefined, pause: z.infer<typeof ClockPauseSchema>, guardEnd: () => number, euEnabled: boolean): string | undefined {
  switch (regime) {
    case undefined:
      return undefined;
    case "EU":
      if (pause.reason !== "identity") return "EU: only identity checks pause the clock (DOMAIN A3).";
      if (!euEnabled) return "EU: identity pauses are switched off (identityPausesClock: false).";
      if (pause.pausedAt.getTime() > guardEnd()) {
        return "EU: the identity request was not sent without undue delay (after the working-day threshold), so the clock keeps running (DOMAIN A3).";
      }
      return undefined;
    case "UK":
      if (pause.reason === "clarification") return undefined;
      return pause.reason === "identity" || pause.reason === "fee"
        ? "UK: identity information and fees move the clock start (ukClockStart), they do not pause it (DOMAIN A4)."
        : "UK: only clarification of scope pauses the clock (DOMAIN A4).";
    case "US-CA":
      return "CCPA: the 45-day clock is never paused, whatever verification needs (DOMAIN A5).";
    case "BR":
      return "LGPD: no pause rule is recorded; the clock keeps running (DOMAIN A7).";
  }
}

// ---------------------------------------------------------------------------
// Marketing: opt-out, unsubscribe links, implied consent, re-opt-in.

/**
 * Options of {@link optOutHonourBy}.
 *
 * @example
 * ```ts
 * import type { OptOutOptions } from "@lawful/core";
 * const options: OptOutOptions = { timeZone: "America/Los_Angeles", request: "limit" };
 * ```
 */
export interface OptOutOptions extends PeriodOptions {
  /** US-CA only: an opt-out of sale/sharing (§7026) or a request to limit sensitive data use (§7027). @default "opt-out" */
  request?: "opt-out" | "limit" | undefined;
}

/**
 * The deadline to give effect to an opt-out or unsubscribe (DOMAIN A6, A8, A9).
 *
 * - `US-CA`: 15 business days from receipt (opt-out of sale/sharing and request to limit).
 * - `US` (CAN-SPAM): 10 business days from receipt.
 * - `CA` (CASL): 10 business days from when the recipient **sent** the
 *   indication; pass that instant as `at` (fall back to receipt only when the
 *   sending time is unknown).
 *
 * Use the regime's holiday calendar (`REGIMES[regime].holidayCalendar`) from `@lawful/core/holidays`.
 *
 * @param at - receipt (US-CA, US) or sending of the indication (CA).
 * @throws LawfulError `INVALID_PERIOD` for a regime without an opt-out deadline, an invalid Date, time zone or calendar.
 * @example
 * ```ts
 * import { optOutHonourBy } from "@lawful/core";
 * optOutHonourBy("US", new Date("2025-03-05T15:00:00Z"), { timeZone: "America/New_York" }).dueDate; // "2025-03-19"
 * ```
 */
export function optOutHonourBy(regime: OptOutRegimeId, at: Date, options: OptOutOptions): Deadline {
  const parsedRegime = parsePeriodInput(RegimeIdSchema, regime, "regime");
  const rules = REGIMES[parsedRegime].optOut;
  if (!rules) throw invalidPeriod(`Regime ${parsedRegime} has no opt-out deadline; use US-CA, US or CA.`, { path: ["regime"] });
  const request = options.request ?? "opt-out";
  if (request !== "opt-out" && request !== "limit") throw invalidPeriod('request must be "opt-out" or "limit".', { path: ["request"] });
  const spec = request === "limit" ? rules.limitRequest : rules.honour;
  if (!spec) throw invalidPeriod(`Regime ${parsedRegime} has no deadline for requests to limit; only US-CA does.`, { path: ["request"] });
  return computePeriod(spec, at, { timeZone: options.timeZone, calendar: options.calendar });
}

/**
 * Options of {@link unsubscribeLinkMinLifetime}, {@link caslImpliedConsentExpiry} and {@link reOptInAllowedAfter}.
 *
 * @example
 * ```ts
 * import type { ZoneOptions } from "@lawful/core";
 * const options: ZoneOptions = { timeZone: "America/Toronto" };
 * ```
 */
export interface ZoneOptions {
  /** IANA time zone in which calendar days and months are counted. @default "UTC" */
  timeZone?: string | undefined;
}

/**
 * How long an unsubscribe link or address in a message sent at `sentAt` must keep working: the latest requirement across `regimes` (DOMAIN A8, A9).
 *
 * CAN-SPAM requires 30 days and CASL 60 days after sending. For each regime the
 * result is the later of "N × 24 hours after sending" and "the end of the Nth
 * local day after the sending day", so it satisfies both readings. Regimes
 * without a rule are ignored; when none has one, `sentAt` is returned.
 *
 * @throws LawfulError `INVALID_PERIOD` for an invalid Date, an unknown regime or time zone.
 * @example
 * ```ts
 * import { unsubscribeLinkMinLifetime } from "@lawful/core";
 * unsubscribeLinkMinLifetime(new Date("2025-03-05T12:00:00Z"), ["US", "CA"]).toISOString(); // "2025-05-04T23:59:59.999Z"
 * ```
 */
export function unsubscribeLinkMinLifetime(sentAt: Date, regimes: readonly RegimeId[], options: ZoneOptions = {}): Date {
  assertInstant(sentAt, "sentAt");
  const ids = parsePeriodInput(z.array(RegimeIdSchema), regimes, "regimes");
  const zone = assertTimeZone(options.timeZone ?? "UTC");
  const sentDate = localDateIn(sentAt.getTime(), zone);
  let latest = sentAt.getTime();
  for (const id of ids) {
    const spec = REGIMES[id].unsubscribeLinkMinLifetime;
    if (!spec) continue;
    const days = spec.amount;
    latest = Math.max(latest, sentAt.getTime() + days * 86_400_000, endOfLocalDayMs(shiftDays(sentDate, days), zone));
  }
  return new Date(latest);
}

/**
 * The kind of relationship a CASL implied consent rests on (DOMAIN A10).
 *
 * `purchase` (purchase, lease or barter), `contract` (written contract — pass its
 * expiry), `business-opportunity` (acceptance of a business, investment or gaming
 * opportunity), `non-business` (donation, gift, volunteer work, meeting,
 * membership), `inquiry` (inquiry or application).
 *
 * @example
 * ```ts
 * import type { CaslImpliedConsentKind } from "@lawful/core";
 * const kind: CaslImpliedConsentKind = "inquiry";
 * ```
 */
export type CaslImpliedConsentKind = "purchase" | "contract" | "business-opportunity" | "non-business" | "inquiry";

/** Same local wall time `months` later, clamped to the end of the month. */
function addMonthsAtSameLocalTime(at: Date, monthsToAdd: number, zone: string): Date {
  return new Date(addMonths(new TZDate(at.getTime(), zone), monthsToAdd).getTime());
}

/**
 * When a CASL implied consent expires: 2 years after the qualifying event, 6 months after an inquiry (s. 10(10)–(14), DOMAIN A10).
 *
 * The result is the same local time 24 (or 6) months later, clamped to the
 * month's last day (29 Feb → 28 Feb). The send gate is `now < expiresAt`.
 * Each new purchase restarts the window: call it again with the latest event.
 * Express consent does not expire and has no expiry here.
 *
 * @param at - the qualifying event (purchase, acceptance, inquiry…); for `contract`, when the written contract expired.
 * @throws LawfulError `INVALID_PERIOD` for an unknown kind, an invalid Date or time zone.
 * @example
 * ```ts
 * import { caslImpliedConsentExpiry } from "@lawful/core";
 * caslImpliedConsentExpiry("purchase", new Date("2025-03-05T10:00:00Z")).toISOString(); // "2027-03-05T10:00:00.000Z"
 * caslImpliedConsentExpiry("inquiry", new Date("2025-03-05T10:00:00Z")).toISOString(); // "2025-09-05T10:00:00.000Z"
 * ```
 */
export function caslImpliedConsentExpiry(kind: CaslImpliedConsentKind, at: Date, options: ZoneOptions = {}): Date {
  assertInstant(at, "at");
  const table = REGIMES.CA.impliedConsent;
  const spec = table && Object.hasOwn(table, kind) ? table[kind] : undefined;
  if (!spec || spec.unit !== "months") {
    throw invalidPeriod(`Unknown CASL implied-consent kind ${JSON.stringify(kind)}; use purchase, contract, business-opportunity, non-business or inquiry.`, {
      path: ["kind"],
    });
  }
  return addMonthsAtSameLocalTime(at, spec.amount, assertTimeZone(options.timeZone ?? "UTC"));
}

/**
 * The earliest instant a business may ask a consumer to opt back in after an opt-out (US-CA: 12 months, DOMAIN A6), or `undefined` when the regime sets no wait.
 *
 * The result is the same local time 12 months later, clamped to the month's last day.
 *
 * @throws LawfulError `INVALID_PERIOD` for an unknown regime, an invalid Date or time zone.
 * @example
 * ```ts
 * import { reOptInAllowedAfter } from "@lawful/core";
 * reOptInAllowedAfter("US-CA", new Date("2025-03-05T10:00:00Z"))?.toISOString(); // "2026-03-05T10:00:00.000Z"
 * reOptInAllowedAfter("US", new Date("2025-03-05T10:00:00Z")); // undefined
 * ```
 */
export function reOptInAllowedAfter(regime: RegimeId, optOutAt: Date, options: ZoneOptions = {}): Date | undefined {
  const id = parsePeriodInput(RegimeIdSchema, regime, "regime");
  assertInstant(optOutAt, "optOutAt");
  const zone = assertTimeZone(options.timeZone ?? "UTC");
  const spec = REGIMES[id].reOptInWait;
  if (!spec) return undefined;
  if (spec.unit !== "months") throw invalidPeriod(`Regime ${id} re-opt-in wait must be in months.`);
  return addMonthsAtSameLocalTime(optOutAt, spec.amount, zone);
}

// ---------------------------------------------------------------------------
// Breach clocks.

/**
 * Input of {@link computeBreachDeadlines}.
 *
 * @example
 * ```ts
 * import type { BreachDeadlineInput } from "@lawful/core";
 * const input: BreachDeadlineInput = { regime: "BR", awareAt: new Date("2025-04-17T13:00:00Z"), timeZone: "America/Sao_Paulo" };
 * ```
 */
export interface BreachDeadlineInput {
  /** The regime whose clock applies. */
  regime: BreachRegimeId;
  /** When the controller became aware (EU/UK) or learned that personal data were affected (BR). */
  awareAt: Date;
  /** The controller's IANA time zone (reporting only for hour clocks). */
  timeZone: string;
  /** Weekend and holidays for business-day clocks (BR). @default weekendOnlyCalendar */
  calendar?: HolidayCalendar | undefined;
  /** LGPD small processing agent: doubles the BR deadlines. @default false */
  smallAgent?: boolean | undefined;
}

/**
 * Breach-notification deadlines.
 *
 * @example
 * ```ts
 * import { computeBreachDeadlines, type BreachDeadlines } from "@lawful/core";
 * const b: BreachDeadlines = computeBreachDeadlines({ regime: "EU", awareAt: new Date("2025-04-18T16:00:00Z"), timeZone: "Europe/Berlin" });
 * ```
 */
export interface BreachDeadlines {
  /** The regime applied. */
  readonly regime: BreachRegimeId;
  /** Notify the supervisory authority (ANPD for BR) by. */
  readonly notifyAuthorityBy: Deadline;
  /** BR: send the supplementary information by. */
  readonly supplementBy?: Deadline | undefined;
}

const BreachInputSchema = z.object({
  regime: z.enum(["EU", "UK", "BR"]),
  awareAt: z.date(),
  timeZone: z.string(),
  calendar: HolidayCalendarSchema.optional(),
  smallAgent: z.boolean().optional(),
});

/**
 * Compute breach-notification deadlines (DOMAIN A11, F1, F4).
 *
 * - `EU`/`UK`: 72 hours from awareness, exact to the millisecond, no rollover.
 * - `BR`: 3 business days from knowledge, supplement within 20 business days;
 *   both doubled for small agents. Pass `createHolidayCalendar("BR")`.
 *
 * @throws LawfulError `INVALID_PERIOD` for an unknown regime, an invalid Date, time zone or calendar.
 * @example
 * ```ts
 * import { computeBreachDeadlines } from "@lawful/core";
 * const b = computeBreachDeadlines({ regime: "EU", awareAt: new Date("2025-04-18T16:00:00Z"), timeZone: "Europe/Berlin" });
 * b.notifyAuthorityBy.dueAt.toISOString(); // "2025-04-21T16:00:00.000Z"
 * ```
 */
export function computeBreachDeadlines(input: BreachDeadlineInput): BreachDeadlines {
  const parsed = parsePeriodInput(BreachInputSchema, input, "breach deadline input");
  const rules = REGIMES[parsed.regime].breach;
  if (!rules) throw invalidPeriod(`Regime ${parsed.regime} has no breach clock.`, { path: ["regime"] });
  const options: ComputePeriodOptions = {
    timeZone: parsed.timeZone,
    calendar: parsed.calendar,
    multiplier: parsed.smallAgent === true ? rules.smallAgentMultiplier : 1,
  };
  return Object.freeze({
    regime: parsed.regime,
    notifyAuthorityBy: computePeriod(rules.notifyAuthority, parsed.awareAt, options),
    ...(rules.supplement ? { supplementBy: computePeriod(rules.supplement, parsed.awareAt, options) } : {}),
  });
}
