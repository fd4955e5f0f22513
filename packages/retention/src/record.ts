import * as z from "zod";
import { DataCategorySchema, PurposeIdSchema, RegimeIdSchema, TenantIdSchema, type RegimeId } from "@lawful/core";

/**
 * A date as records carry it: a `Date`, epoch milliseconds, or an ISO 8601 string.
 *
 * @example
 * ```ts
 * import type { DateInput } from "@lawful/retention";
 * const d: DateInput = "2025-03-15T00:00:00Z";
 * ```
 */
export type DateInput = Date | number | string;

/**
 * What the evaluator needs to know about one record of the controller's systems. Ids must be
 * internal ids, not personal data. The evaluator reads these fields without re-validating them
 * (it is on the hot path); parse untrusted input with {@link RetentionRecordSchema} first.
 *
 * @example
 * ```ts
 * import type { RetentionRecord } from "@lawful/retention";
 * const invoice: RetentionRecord = {
 *   id: "inv_1", recordType: "invoice", categories: ["finance.voucher"], regimes: ["EU"],
 *   createdAt: new Date("2025-03-15T00:00:00Z"),
 * };
 * ```
 */
export interface RetentionRecord {
  /** Internal record id (never an e-mail address or name). */
  readonly id: string;
  /** Record type, e.g. `contact`, `invoice`, `consent_event`. */
  readonly recordType: string;
  readonly tenantId?: string | undefined;
  /** Data categories held in the record (core's dotted keys). */
  readonly categories?: readonly string[] | undefined;
  readonly purposes?: readonly string[] | undefined;
  readonly regimes?: readonly RegimeId[] | undefined;
  /** The system the record lives in; legal holds may be scoped to systems. */
  readonly system?: string | undefined;
  /** An opaque subject id (pseudonym or internal id); legal holds may be scoped to subjects. */
  readonly subjectId?: string | undefined;
  readonly createdAt: DateInput;
  readonly lastActivityAt?: DateInput | undefined;
  readonly contractEndedAt?: DateInput | undefined;
  readonly consentWithdrawnAt?: DateInput | undefined;
  readonly accountClosedAt?: DateInput | undefined;
  /** Custom dates read by `field` and `endOfCalendarYear` triggers (e.g. `invoiceDate`). */
  readonly dates?: Readonly<Record<string, DateInput | undefined>> | undefined;
  /** Flags read by a rule's `extendWhile` (e.g. `taxAssessmentOpen: true` keeps § 147 AO periods running). */
  readonly flags?: Readonly<Record<string, boolean | undefined>> | undefined;
}

const DateInputSchema = z.union([z.date(), z.number().finite(), z.iso.datetime({ offset: true }), z.iso.date()]).transform((v, ctx) => {
  const d = v instanceof Date ? v : new Date(typeof v === "string" && v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "must be a valid date" });
    return z.NEVER;
  }
  return d;
});

/**
 * Schema of a {@link RetentionRecord} for untrusted input (an HTTP body, a CSV row): dates may be
 * `Date`s, epoch milliseconds, ISO date-times or `YYYY-MM-DD` (UTC midnight) and parse to `Date`s.
 *
 * @example
 * ```ts
 * import { RetentionRecordSchema } from "@lawful/retention";
 * const r = RetentionRecordSchema.parse({ id: "inv_1", recordType: "invoice", createdAt: "2025-03-15" });
 * r.createdAt.toISOString(); // "2025-03-15T00:00:00.000Z"
 * ```
 */
export const RetentionRecordSchema = z
  .object({
    id: z.string().min(1).max(256),
    recordType: z.string().min(1).max(128),
    tenantId: TenantIdSchema.optional(),
    categories: z.array(DataCategorySchema).max(256).optional(),
    purposes: z.array(PurposeIdSchema).max(256).optional(),
    regimes: z.array(RegimeIdSchema).max(16).optional(),
    system: z.string().min(1).max(128).optional(),
    subjectId: z.string().min(1).max(256).optional(),
    createdAt: DateInputSchema,
    lastActivityAt: DateInputSchema.optional(),
    contractEndedAt: DateInputSchema.optional(),
    consentWithdrawnAt: DateInputSchema.optional(),
    accountClosedAt: DateInputSchema.optional(),
    dates: z.record(z.string().min(1).max(64), DateInputSchema).optional(),
    flags: z.record(z.string().min(1).max(64), z.boolean()).optional(),
  })
  .strict();
/** A parsed retention record (dates are `Date`s). */
export type ParsedRetentionRecord = z.output<typeof RetentionRecordSchema>;
