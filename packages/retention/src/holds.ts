import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, TenantIdSchema, issuesFromZod } from "@lawful/core";
import { IsoDurationSchema, addDuration, parseDuration } from "./duration.js";
import { RetentionError } from "./errors.js";

const ids = z.array(z.string().min(1).max(256)).min(1).max(100_000).optional();

/**
 * What a legal hold covers. Every dimension that is present must match (AND); within one any listed
 * value matches (OR). `dateRange` applies to the record's `createdAt` (`from` inclusive, `to` exclusive).
 * An empty scope holds every record of the tenant — holding too much is the safe error. A hold with a
 * `tenantId` covers records of that tenant and records without a `tenantId`.
 *
 * @example
 * ```ts
 * import { LegalHoldScopeSchema } from "@lawful/retention";
 * LegalHoldScopeSchema.parse({ subjectIds: ["cust_9"], systems: ["crm"], dateRange: { from: "2022-01-01T00:00:00Z" } });
 * ```
 */
export const LegalHoldScopeSchema = z
  .object({
    subjectIds: ids,
    systems: ids,
    categories: z.array(DataCategorySchema).min(1).max(1000).optional(),
    recordTypes: ids,
    dateRange: z
      .object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() })
      .strict()
      .refine((r) => !(r.from && r.to) || r.from.getTime() < r.to.getTime(), { message: "from must be before to", path: ["to"] })
      .optional(),
  })
  .strict();
/** A legal hold scope; see {@link LegalHoldScopeSchema}. */
export type LegalHoldScope = z.infer<typeof LegalHoldScopeSchema>;

/**
 * A legal hold (DOMAIN.md E4, Sedona Conference): the duty to preserve that overrides routine
 * retention while litigation is reasonably anticipated. Held records are kept and restricted
 * (GDPR Art. 17(3)(e), 18(1)(c)); the hold is active from `issuedAt` until `releasedAt`.
 *
 * @example
 * ```ts
 * import { LegalHoldSchema } from "@lawful/retention";
 * LegalHoldSchema.parse({
 *   id: "hold-2026-01", matter: "Claim 2026/17", scope: { subjectIds: ["cust_9"] },
 *   issuedBy: "legal@acme", issuedAt: "2026-01-10T09:00:00Z", reviewEvery: "P3M",
 * });
 * ```
 */
export const LegalHoldSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 letters, digits, '.', '_', ':' or '-'"),
    tenantId: TenantIdSchema.optional(),
    matter: z.string().min(1).max(500),
    scope: LegalHoldScopeSchema,
    issuedBy: z.string().min(1).max(256),
    issuedAt: z.coerce.date(),
    releasedAt: z.coerce.date().optional(),
    reviewEvery: IsoDurationSchema.optional(),
    notes: z.string().max(4000).optional(),
  })
  .strict()
  .refine((h) => !h.releasedAt || h.releasedAt.getTime() >= h.issuedAt.getTime(), { message: "must not be before issuedAt", path: ["releasedAt"] });
/** A parsed legal hold; see {@link LegalHoldSchema}. */
export type LegalHold = z.output<typeof LegalHoldSchema>;
/** Input of a legal hold (dates may be ISO strings); see {@link LegalHoldSchema}. */
export type LegalHoldInput = z.input<typeof LegalHoldSchema>;

/**
 * Validate legal holds, reporting every problem with the hold index; duplicate ids are an error.
 *
 * @throws RetentionError `VALIDATION_FAILED` naming every bad hold and field.
 * @example
 * ```ts
 * import { loadHolds } from "@lawful/retention";
 * const holds = loadHolds([{ id: "h1", matter: "Audit 2026", scope: { systems: ["erp"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" }]);
 * ```
 */
export function loadHolds(input: unknown): LegalHold[] {
  if (!Array.isArray(input)) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "Invalid legal holds: expected an array.", {
      issues: [{ path: [], message: "expected an array of legal holds", code: "invalid_type" }],
    });
  }
  const issues: ReturnType<typeof issuesFromZod> = [];
  const out: LegalHold[] = [];
  const seen = new Set<string>();
  input.forEach((raw: unknown, index) => {
    const r = LegalHoldSchema.safeParse(raw);
    if (!r.success) issues.push(...issuesFromZod(r.error.issues, [index]));
    else if (seen.has(r.data.id)) issues.push({ path: [index, "id"], message: `duplicate legal hold id ${r.data.id}`, code: "duplicate_hold_id" });
    else {
      seen.add(r.data.id);
      out.push(r.data);
    }
  });
  if (issues.length) {
    throw new RetentionError(
      ERROR_CODES.VALIDATION_FAILED,
      `Invalid legal holds: ${issues.length} problem${issues.length === 1 ? "" : "s"}. ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      { issues },
    );
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * True when a hold is in force at `now`: issued at or before `now` and not yet released.
 *
 * @example
 * ```ts
 * import { isHoldActive } from "@lawful/retention";
 * isHoldActive({ issuedAt: new Date("2026-01-01"), releasedAt: undefined }, new Date("2026-02-01")); // true
 * ```
 */
export function isHoldActive(hold: Pick<LegalHold, "issuedAt" | "releasedAt">, now: Date): boolean {
  const t = now.getTime();
  return hold.issuedAt.getTime() <= t && (hold.releasedAt === undefined || hold.releasedAt.getTime() > t);
}

/**
 * When an active hold is next due for review: the first `issuedAt + k × reviewEvery` after `now`
 * (`undefined` for released holds or holds without a review interval). Holds must be reviewed and
 * released when the duty to preserve ends (Sedona Commentary on Legal Holds).
 *
 * @example
 * ```ts
 * import { nextHoldReview } from "@lawful/retention";
 * nextHoldReview({ issuedAt: new Date("2026-01-10T00:00:00Z"), releasedAt: undefined, reviewEvery: "P3M" }, new Date("2026-05-01T00:00:00Z"))?.toISOString(); // "2026-07-10T00:00:00.000Z"
 * ```
 */
export function nextHoldReview(hold: Pick<LegalHold, "issuedAt" | "releasedAt" | "reviewEvery">, now: Date): Date | undefined {
  if (!hold.reviewEvery || hold.releasedAt !== undefined) return undefined;
  const d = parseDuration(hold.reviewEvery);
  const start = hold.issuedAt.getTime();
  const t = now.getTime();
  // count periods from the issue date (never chain, so month-end clamping does not drift)
  for (let k = 1; k < 100_000; k++) {
    const next = addDuration(start, { ...d, totalMonths: d.totalMonths * k, totalDays: d.totalDays * k, timeMs: d.timeMs * k });
    if (next > t) return new Date(next);
  }
  return undefined;
}
