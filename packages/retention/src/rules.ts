import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, PurposeIdSchema, RegimeIdSchema, TenantIdSchema, issuesFromZod, type LawfulIssue } from "@lawful/core";
import { IsoDurationSchema, addDuration, endOfCalendarYear, parseDuration } from "./duration.js";
import { RetentionError } from "./errors.js";

/**
 * Built-in trigger events a retention period can start from. Each reads a date of the record:
 * `created` → `createdAt`, `lastActivity` → `lastActivityAt`, `contractEnd` → `contractEndedAt`,
 * `consentWithdrawn` → `consentWithdrawnAt`, `accountClosed` → `accountClosedAt`.
 *
 * @example
 * ```ts
 * import { TRIGGER_EVENTS } from "@lawful/retention";
 * TRIGGER_EVENTS.includes("contractEnd"); // true
 * ```
 */
export const TRIGGER_EVENTS = ["created", "lastActivity", "contractEnd", "consentWithdrawn", "accountClosed"] as const;

/**
 * Record date field read by each built-in trigger event.
 *
 * @example
 * ```ts
 * import { TRIGGER_FIELDS } from "@lawful/retention";
 * TRIGGER_FIELDS.contractEnd; // "contractEndedAt"
 * ```
 */
export const TRIGGER_FIELDS = Object.freeze({
  created: "createdAt",
  lastActivity: "lastActivityAt",
  contractEnd: "contractEndedAt",
  consentWithdrawn: "consentWithdrawnAt",
  accountClosed: "accountClosedAt",
} as const);

const FieldNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be a field name of 1-64 letters, digits, '_', '.' or '-'");

/**
 * When a retention period starts:
 * - `{ type: "created" | "lastActivity" | "contractEnd" | "consentWithdrawn" | "accountClosed" }`: the record's date for that event;
 * - `{ type: "field", field }`: a custom date in `record.dates[field]`;
 * - `{ type: "endOfCalendarYear", field }`: the end of the calendar year of a date — `field` is a
 *   trigger event name (e.g. `"created"`) or a custom field in `record.dates` (§ 147(4) AO, § 257(5) HGB).
 *
 * A record without the date has not triggered the period yet.
 *
 * @example
 * ```ts
 * import { RetentionTriggerSchema } from "@lawful/retention";
 * RetentionTriggerSchema.parse({ type: "endOfCalendarYear", field: "invoiceDate" });
 * ```
 */
export const RetentionTriggerSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("created") }).strict(),
    z.object({ type: z.literal("lastActivity") }).strict(),
    z.object({ type: z.literal("contractEnd") }).strict(),
    z.object({ type: z.literal("consentWithdrawn") }).strict(),
    z.object({ type: z.literal("accountClosed") }).strict(),
    z.object({ type: z.literal("field"), field: FieldNameSchema }).strict(),
    z.object({ type: z.literal("endOfCalendarYear"), field: FieldNameSchema }).strict(),
  ],
  { error: "unknown trigger: use created, lastActivity, contractEnd, consentWithdrawn, accountClosed, field or endOfCalendarYear" },
);
/** A retention trigger; see {@link RetentionTriggerSchema}. */
export type RetentionTrigger = z.infer<typeof RetentionTriggerSchema>;

/**
 * What happens when a period expires: `delete`, `anonymise`, `archive` or `review` (a person decides).
 *
 * @example
 * ```ts
 * import { RetentionActionSchema } from "@lawful/retention";
 * RetentionActionSchema.parse("anonymise");
 * ```
 */
export const RetentionActionSchema = z.enum(["delete", "anonymise", "archive", "review"]);
/** A retention action; see {@link RetentionActionSchema}. */
export type RetentionAction = z.infer<typeof RetentionActionSchema>;

/**
 * Strictness of the actions, strictest first. When several maximum periods have expired the
 * strictest action wins (then the earliest expiry, then the lowest rule id).
 *
 * @example
 * ```ts
 * import { ACTION_STRICTNESS } from "@lawful/retention";
 * ACTION_STRICTNESS[0]; // "delete"
 * ```
 */
export const ACTION_STRICTNESS: readonly RetentionAction[] = Object.freeze(["delete", "anonymise", "archive", "review"]);

/**
 * `minimum`: a statutory duty to keep (nothing is deleted before it ends); `maximum`: the data must be gone by then.
 *
 * @example
 * ```ts
 * import { RetentionKindSchema } from "@lawful/retention";
 * RetentionKindSchema.parse("minimum");
 * ```
 */
export const RetentionKindSchema = z.enum(["minimum", "maximum"]);
/** A rule kind; see {@link RetentionKindSchema}. */
export type RetentionKind = z.infer<typeof RetentionKindSchema>;

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(1000).optional();

/**
 * Which records a rule applies to. Every selector that is present must match (AND); within one
 * selector any listed value matches (OR); an absent selector matches everything. Matching is exact
 * (no category prefixes).
 *
 * @example
 * ```ts
 * import { RetentionSelectorsSchema } from "@lawful/retention";
 * RetentionSelectorsSchema.parse({ categories: ["finance.invoice"], regimes: ["EU"] });
 * ```
 */
export const RetentionSelectorsSchema = z
  .object({
    categories: list(DataCategorySchema),
    recordTypes: list(z.string().min(1).max(128)),
    purposes: list(PurposeIdSchema),
    regimes: list(RegimeIdSchema),
    tenants: list(TenantIdSchema),
  })
  .strict();
/** Rule selectors; see {@link RetentionSelectorsSchema}. */
export type RetentionSelectors = z.infer<typeof RetentionSelectorsSchema>;

const RuleIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 letters, digits, '.', '_', ':' or '-'");

/**
 * A retention rule (DOMAIN.md E1): which records, from when, how long, minimum or maximum, what
 * happens at expiry, and why. A `minimum` may also carry an `action`: once it ends, the rule acts
 * like a maximum of the same length ("keep exactly 10 years, then delete").
 * `effectiveFrom`/`effectiveUntil` are compared with the evaluation time (`now`): a rule is in force
 * when `effectiveFrom <= now < effectiveUntil`. `extendWhile` names a record flag (`record.flags[name]`):
 * while it is `true` the period does not end (e.g. § 147(3) AO: not before the tax assessment period ends).
 *
 * @example
 * ```ts
 * import { RetentionRuleSchema } from "@lawful/retention";
 * RetentionRuleSchema.parse({
 *   id: "DE-HGB-257-vouchers-8y", title: "Accounting vouchers", kind: "minimum", duration: "P8Y",
 *   trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { categories: ["finance.voucher"] },
 *   action: "delete", citation: "§ 257(4) HGB, § 147(3) AO", effectiveFrom: "2025-01-01T00:00:00Z",
 * });
 * ```
 */
export const RetentionRuleSchema = z
  .object({
    id: RuleIdSchema,
    title: z.string().min(1).max(300),
    description: z.string().max(4000).optional(),
    selectors: RetentionSelectorsSchema.default({}),
    trigger: RetentionTriggerSchema,
    duration: IsoDurationSchema,
    kind: RetentionKindSchema,
    action: RetentionActionSchema.optional(),
    citation: z.string().min(1).max(1000).optional(),
    sources: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).max(20).optional(),
    effectiveFrom: z.coerce.date().optional(),
    effectiveUntil: z.coerce.date().optional(),
    extendWhile: FieldNameSchema.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.kind === "maximum" && rule.action === undefined) {
      ctx.addIssue({ code: "custom", path: ["action"], message: "a maximum rule needs an action (delete, anonymise, archive or review)" });
    }
    if (rule.effectiveFrom && rule.effectiveUntil && rule.effectiveFrom.getTime() >= rule.effectiveUntil.getTime()) {
      ctx.addIssue({ code: "custom", path: ["effectiveUntil"], message: "must be after effectiveFrom" });
    }
    for (const k of ["effectiveFrom", "effectiveUntil"] as const) {
      const d = rule[k];
      if (d && Number.isNaN(d.getTime())) ctx.addIssue({ code: "custom", path: [k], message: "must be a valid date" });
    }
  });
/** A parsed retention rule; see {@link RetentionRuleSchema}. */
export type RetentionRule = z.output<typeof RetentionRuleSchema>;
/** Input of a retention rule (dates may be ISO strings); see {@link RetentionRuleSchema}. */
export type RetentionRuleInput = z.input<typeof RetentionRuleSchema>;

function selectorKey(s: RetentionSelectors): string {
  const norm = (a: readonly string[] | undefined) => (a ? [...new Set(a)].sort().join(",") : "*");
  return [norm(s.categories), norm(s.recordTypes), norm(s.purposes), norm(s.regimes), norm(s.tenants)].join("|");
}

function triggerKey(t: RetentionTrigger): string {
  return "field" in t ? `${t.type}:${t.field}` : t.type;
}

function windowsOverlap(a: RetentionRule, b: RetentionRule): boolean {
  const af = a.effectiveFrom?.getTime() ?? -Infinity;
  const au = a.effectiveUntil?.getTime() ?? Infinity;
  const bf = b.effectiveFrom?.getTime() ?? -Infinity;
  const bu = b.effectiveUntil?.getTime() ?? Infinity;
  return af < bu && bf < au;
}

// Anchors chosen to expose month-end clamping and leap years when comparing durations.
const REFERENCE_ANCHORS = ["2023-01-31", "2024-02-29", "2023-12-31", "2024-06-30", "2025-03-15"].map((d) => Date.parse(`${d}T00:00:00Z`));

function endsBefore(max: RetentionRule, min: RetentionRule): boolean {
  const dMax = parseDuration(max.duration);
  const dMin = parseDuration(min.duration);
  return REFERENCE_ANCHORS.some((a) => {
    const start = max.trigger.type === "endOfCalendarYear" ? endOfCalendarYear(a) : a;
    return addDuration(start, dMax) < addDuration(start, dMin);
  });
}

/**
 * Validate a rule set as a whole and return the parsed rules, sorted by id. Reports every problem
 * at once, each issue naming the rule index and id: schema errors (unparseable durations, unknown
 * triggers, a maximum without an action…), duplicate ids, and contradictions — a `maximum` with the
 * same selectors and trigger as a `minimum`, in force at the same time, that ends earlier.
 *
 * @throws RetentionError `VALIDATION_FAILED` listing every problem and the rule ids involved.
 * @example
 * ```ts
 * import { loadRules } from "@lawful/retention";
 * const rules = loadRules([
 *   { id: "crm-leads-2y", title: "Inactive leads", kind: "maximum", duration: "P2Y", trigger: { type: "lastActivity" }, action: "delete", selectors: { recordTypes: ["lead"] } },
 * ]);
 * rules[0]?.id; // "crm-leads-2y"
 * ```
 */
export function loadRules(input: unknown): RetentionRule[] {
  if (!Array.isArray(input)) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "Invalid retention rules: expected an array of rules.", {
      issues: [{ path: [], message: "expected an array of rules", code: "invalid_type" }],
    });
  }
  const issues: LawfulIssue[] = [];
  const involved = new Set<string>();
  const parsed: { index: number; rule: RetentionRule }[] = [];
  input.forEach((raw: unknown, index) => {
    const r = RetentionRuleSchema.safeParse(raw);
    const rawId = typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : undefined;
    if (!r.success) {
      const label = rawId === undefined ? `rule #${index}` : `rule ${rawId}`;
      if (rawId !== undefined) involved.add(rawId);
      for (const issue of issuesFromZod(r.error.issues, [index])) issues.push({ ...issue, message: `${label}: ${issue.message}` });
    } else parsed.push({ index, rule: r.data });
  });
  const byId = new Map<string, number>();
  for (const { index, rule } of parsed) {
    const first = byId.get(rule.id);
    if (first !== undefined) {
      involved.add(rule.id);
      issues.push({ path: [index, "id"], message: `rule ${rule.id}: duplicate id (also rule #${first})`, code: "duplicate_rule_id" });
    } else byId.set(rule.id, index);
  }
  const groups = new Map<string, { index: number; rule: RetentionRule }[]>();
  for (const p of parsed) {
    const key = `${selectorKey(p.rule.selectors)}#${triggerKey(p.rule.trigger)}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  for (const group of groups.values()) {
    for (const max of group) {
      if (max.rule.kind !== "maximum") continue;
      for (const min of group) {
        if (min.rule.kind !== "minimum" || !windowsOverlap(max.rule, min.rule)) continue;
        if (endsBefore(max.rule, min.rule)) {
          involved.add(max.rule.id).add(min.rule.id);
          issues.push({
            path: [max.index, "duration"],
            message: `rule ${max.rule.id} (maximum ${max.rule.duration}) ends before rule ${min.rule.id} (minimum ${min.rule.duration}) for the same records and trigger`,
            code: "contradictory_rules",
          });
        }
      }
    }
  }
  if (issues.length) {
    const ids = [...involved].sort();
    throw new RetentionError(
      ERROR_CODES.VALIDATION_FAILED,
      `Invalid retention rules: ${issues.length} problem${issues.length === 1 ? "" : "s"}${ids.length ? ` (rules ${ids.join(", ")})` : ""}. ${issues
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("; ")}`,
      { issues },
    );
  }
  return parsed.map((p) => p.rule).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
