import * as z from "zod";
import { ERROR_CODES, parseOrThrow } from "@lawful/core";
import { addDuration, addDurationFromYearEnd, parseDuration, type IsoDuration } from "./duration.js";
import { RetentionError } from "./errors.js";
import { loadHolds, type LegalHold, type LegalHoldInput } from "./holds.js";
import type { DateInput, RetentionRecord } from "./record.js";
import { ACTION_STRICTNESS, TRIGGER_FIELDS, loadRules, type RetentionAction, type RetentionKind, type RetentionRule, type RetentionRuleInput } from "./rules.js";

/**
 * The outcome of evaluating one record: `hold` (kept and restricted by a legal hold), `keep`
 * (until `keepUntil`), or the action to take now (`delete`, `anonymise`, `archive`, `review`).
 *
 * @example
 * ```ts
 * import type { RetentionOutcome } from "@lawful/retention";
 * const o: RetentionOutcome = "keep";
 * ```
 */
export type RetentionOutcome = "hold" | "keep" | RetentionAction;

/**
 * Every outcome, in a stable order (used for plan counters).
 *
 * @example
 * ```ts
 * import { RETENTION_OUTCOMES } from "@lawful/retention";
 * RETENTION_OUTCOMES.length; // 6
 * ```
 */
export const RETENTION_OUTCOMES: readonly RetentionOutcome[] = Object.freeze(["hold", "keep", "delete", "anonymise", "archive", "review"]);

/**
 * Why the winner won:
 * - `legal-hold`: an active hold covers the record;
 * - `minimum-running`: a statutory minimum has not ended (or not started) — nothing may be deleted;
 * - `maximum-expired`: a maximum (or a minimum with an action) has expired: act now;
 * - `maximum-running`: keep until the earliest maximum expires;
 * - `trigger-pending`: a maximum matched but its trigger date is not known yet (e.g. contract still running);
 * - `minimum-ended`: only minimums without an action matched and all ended — nothing demands action;
 * - `no-matching-rule`: no rule in force matched the record.
 *
 * @example
 * ```ts
 * import type { DecisionReason } from "@lawful/retention";
 * const r: DecisionReason = "minimum-running";
 * ```
 */
export type DecisionReason =
  | "legal-hold"
  | "minimum-running"
  | "maximum-expired"
  | "maximum-running"
  | "trigger-pending"
  | "minimum-ended"
  | "no-matching-rule";

/**
 * One rule that matched the record, with its computed period.
 *
 * @example
 * ```ts
 * import type { RuleMatch } from "@lawful/retention";
 * const m: RuleMatch = { ruleId: "r1", kind: "maximum", action: "delete", status: "running", expiresAt: new Date("2030-01-01") };
 * ```
 */
export interface RuleMatch {
  readonly ruleId: string;
  readonly kind: RetentionKind;
  readonly action?: RetentionAction | undefined;
  /**
   * `not-started`: the trigger date is missing; `extended`: the rule's `extendWhile` flag is set on the
   * record, so the period cannot end yet; `running`: now < expiresAt; `expired`: now ≥ expiresAt.
   */
  readonly status: "not-started" | "extended" | "running" | "expired";
  /** The first instant the period is over (e.g. 2034-01-01T00:00Z for an 8-year period from the end of 2025). */
  readonly expiresAt?: Date | undefined;
}

/**
 * The decision for one record: the outcome, the deciding rule (or holds), every rule that matched
 * (sorted by rule id) and why the winner won.
 *
 * @example
 * ```ts
 * import type { RetentionDecision } from "@lawful/retention";
 * function log(d: RetentionDecision) { console.log(d.outcome, d.decidingRuleId, d.explanation); }
 * ```
 */
export interface RetentionDecision {
  readonly recordId: string;
  readonly outcome: RetentionOutcome;
  readonly reason: DecisionReason;
  /** True for held records: keep, but use for nothing else and limit access (GDPR Art. 18(1)(c)). */
  readonly restricted: boolean;
  /** For `keep`: the first instant an action may be taken; `undefined` when indefinite or unknown. */
  readonly keepUntil?: Date | undefined;
  /** For `keep`: the action due at `keepUntil`, when known. */
  readonly nextAction?: RetentionAction | undefined;
  /** The rule whose period decided (absent for holds and when nothing matched). */
  readonly decidingRuleId?: string | undefined;
  /** The active holds covering the record, sorted by id. */
  readonly holdIds: readonly string[];
  /** Built on first access and cached; read-only by type (not frozen at runtime, for speed). */
  readonly matches: readonly RuleMatch[];
  /** One sentence, without personal data, saying why. */
  readonly explanation: string;
  /** A plain JSON-ready copy (the decision computes `keepUntil`, `matches` and `explanation` lazily; spread `{...d}` would miss them). */
  toJSON(): Omit<RetentionDecision, "toJSON">;
}

/**
 * A precompiled string selector: a linear scan of a few interned strings beats hashing them, so
 * small selectors (the common case) are scanned and only large ones use a `Set`.
 */
class StringMatcher {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string> | undefined;
  constructor(values: readonly string[]) {
    this.list = [...new Set(values)];
    this.set = this.list.length > 8 ? new Set(this.list) : undefined;
  }
  has(value: string): boolean {
    if (this.set !== undefined) return this.set.has(value);
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
    return false;
  }
}

function matcher(values: readonly string[] | undefined): StringMatcher | undefined {
  return values ? new StringMatcher(values) : undefined;
}

interface CompiledRule {
  readonly rule: RetentionRule;
  readonly id: string;
  readonly kind: RetentionKind;
  readonly action: RetentionAction | undefined;
  readonly actionRank: number;
  readonly duration: IsoDuration;
  /** Top-level record field holding the trigger date, or undefined for custom fields. */
  readonly topField: string | undefined;
  readonly customField: string | undefined;
  readonly endOfYear: boolean;
  readonly categories: StringMatcher | undefined;
  readonly purposes: StringMatcher | undefined;
  readonly regimes: StringMatcher | undefined;
  readonly tenants: StringMatcher | undefined;
  readonly from: number;
  readonly until: number;
  readonly extendWhile: string | undefined;
  /** 0–4: createdAt, lastActivityAt, contractEndedAt, consentWithdrawnAt, accountClosedAt; 5: custom date. */
  readonly fieldCode: number;
}

const FIELD_CODES: readonly string[] = ["createdAt", "lastActivityAt", "contractEndedAt", "consentWithdrawnAt", "accountClosedAt"];

const COMPILED = Symbol("lawful.retention.compiledRules");

/**
 * A validated, precompiled rule set: durations parsed, selectors turned into sets, rules indexed
 * by record type. Build once with {@link compileRules}; evaluating is then allocation-light.
 *
 * @example
 * ```ts
 * import { compileRules, type CompiledRules } from "@lawful/retention";
 * const compiled: CompiledRules = compileRules([]);
 * compiled.rules.length; // 0
 * ```
 */
export interface CompiledRules {
  /** The parsed rules, sorted by id. */
  readonly rules: readonly RetentionRule[];
  /** @internal */
  readonly [COMPILED]: {
    readonly byType: ReadonlyMap<string, readonly CompiledRule[]>;
    readonly wildcard: readonly CompiledRule[];
  };
}

function compileOne(rule: RetentionRule): CompiledRule {
  const t = rule.trigger;
  let topField: string | undefined;
  let customField: string | undefined;
  if (t.type === "field") customField = t.field;
  else if (t.type === "endOfCalendarYear") {
    if (t.field in TRIGGER_FIELDS) topField = TRIGGER_FIELDS[t.field as keyof typeof TRIGGER_FIELDS];
    else customField = t.field;
  } else topField = TRIGGER_FIELDS[t.type];
  const set = matcher;
  return {
    rule,
    id: rule.id,
    kind: rule.kind,
    action: rule.action,
    actionRank: rule.action ? ACTION_STRICTNESS.indexOf(rule.action) : 99,
    duration: parseDuration(rule.duration),
    topField,
    customField,
    endOfYear: t.type === "endOfCalendarYear",
    categories: set(rule.selectors.categories),
    purposes: set(rule.selectors.purposes),
    regimes: set(rule.selectors.regimes),
    tenants: set(rule.selectors.tenants),
    from: rule.effectiveFrom?.getTime() ?? -Infinity,
    until: rule.effectiveUntil?.getTime() ?? Infinity,
    extendWhile: rule.extendWhile,
    fieldCode: topField === undefined ? 5 : FIELD_CODES.indexOf(topField),
  };
}

/**
 * Validate ({@link loadRules}) and precompile a rule set for fast evaluation. Rule order does not
 * matter: rules are sorted by id. Passing an already compiled set returns it unchanged.
 *
 * @throws RetentionError `VALIDATION_FAILED` listing every bad rule, duplicate id and contradiction with the rule ids involved.
 * @example
 * ```ts
 * import { compileRules } from "@lawful/retention";
 * const rules = compileRules([
 *   { id: "leads-2y", title: "Inactive leads", kind: "maximum", duration: "P2Y", trigger: { type: "lastActivity" }, action: "delete", selectors: { recordTypes: ["lead"] } },
 * ]);
 * ```
 */
export function compileRules(rules: readonly RetentionRuleInput[] | CompiledRules): CompiledRules {
  if (isCompiledRules(rules)) return rules;
  const parsed = loadRules(rules);
  const compiled = parsed.map(compileOne);
  const wildcard = compiled.filter((c) => c.rule.selectors.recordTypes === undefined);
  const types = new Set(compiled.flatMap((c) => c.rule.selectors.recordTypes ?? []));
  const byType = new Map<string, readonly CompiledRule[]>();
  for (const type of types) {
    byType.set(
      type,
      compiled.filter((c) => c.rule.selectors.recordTypes === undefined || c.rule.selectors.recordTypes.includes(type)),
    );
  }
  return Object.freeze({ rules: Object.freeze(parsed), [COMPILED]: Object.freeze({ byType, wildcard }) });
}

function isCompiledRules(value: unknown): value is CompiledRules {
  return typeof value === "object" && value !== null && COMPILED in value;
}

interface CompiledHold {
  readonly id: string;
  readonly tenantId: string | undefined;
  readonly issuedAt: number;
  readonly releasedAt: number;
  readonly subjects: StringMatcher | undefined;
  readonly systems: StringMatcher | undefined;
  readonly categories: StringMatcher | undefined;
  readonly recordTypes: StringMatcher | undefined;
  readonly from: number;
  readonly to: number;
}

const COMPILED_HOLDS = Symbol("lawful.retention.compiledHolds");

/**
 * Validated, precompiled legal holds (scopes turned into sets), built by {@link compileHolds}.
 *
 * @example
 * ```ts
 * import { compileHolds, type CompiledHolds } from "@lawful/retention";
 * const holds: CompiledHolds = compileHolds([]);
 * holds.holds.length; // 0
 * ```
 */
export interface CompiledHolds {
  readonly holds: readonly LegalHold[];
  /** @internal */
  readonly [COMPILED_HOLDS]: readonly CompiledHold[];
}

/**
 * Validate ({@link loadHolds}) and precompile legal holds. Passing compiled holds returns them unchanged.
 *
 * @throws RetentionError `VALIDATION_FAILED` naming every bad hold.
 * @example
 * ```ts
 * import { compileHolds } from "@lawful/retention";
 * const holds = compileHolds([{ id: "h1", matter: "Claim 17", scope: { subjectIds: ["cust_9"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" }]);
 * ```
 */
export function compileHolds(holds: readonly LegalHoldInput[] | readonly LegalHold[] | CompiledHolds): CompiledHolds {
  if (typeof holds === "object" && COMPILED_HOLDS in holds) return holds;
  const parsed = loadHolds(holds);
  const set = matcher;
  const compiled = parsed.map(
    (h): CompiledHold => ({
      id: h.id,
      tenantId: h.tenantId,
      issuedAt: h.issuedAt.getTime(),
      releasedAt: h.releasedAt?.getTime() ?? Infinity,
      subjects: set(h.scope.subjectIds),
      systems: set(h.scope.systems),
      categories: set(h.scope.categories),
      recordTypes: set(h.scope.recordTypes),
      from: h.scope.dateRange?.from?.getTime() ?? -Infinity,
      to: h.scope.dateRange?.to?.getTime() ?? Infinity,
    }),
  );
  return Object.freeze({ holds: Object.freeze(parsed), [COMPILED_HOLDS]: Object.freeze(compiled) });
}

const EMPTY_HOLDS = compileHolds([]);
const NO_IDS: readonly string[] = Object.freeze([]);

function toMs(value: DateInput | undefined, field: string): number {
  if (value === undefined) return NaN;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else if (typeof value === "string") ms = Date.parse(value);
  else ms = NaN;
  if (Number.isNaN(ms)) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, `Invalid retention record: ${field} is not a valid date.`, {
      issues: [{ path: field.split("."), message: "must be a valid date", code: "invalid_date" }],
    });
  }
  return ms;
}

function anyIn(set: StringMatcher, values: readonly string[] | undefined): boolean {
  if (values === undefined) return false;
  for (let i = 0; i < values.length; i++) if (set.has(values[i]!)) return true;
  return false;
}

function holdMatches(h: CompiledHold, record: RetentionRecord, now: number): boolean {
  if (now < h.issuedAt || now >= h.releasedAt) return false;
  // a record without tenantId is held by any matching hold: holding too much is the safe error
  if (h.tenantId !== undefined && record.tenantId !== undefined && record.tenantId !== h.tenantId) return false;
  if (h.subjects !== undefined && (record.subjectId === undefined || !h.subjects.has(record.subjectId))) return false;
  if (h.systems !== undefined && (record.system === undefined || !h.systems.has(record.system))) return false;
  if (h.recordTypes !== undefined && !h.recordTypes.has(record.recordType)) return false;
  if (h.categories !== undefined && !anyIn(h.categories, record.categories)) return false;
  if (h.from !== -Infinity || h.to !== Infinity) {
    const created = toMs(record.createdAt, "createdAt");
    if (created < h.from || created >= h.to) return false;
  }
  return true;
}

function readTrigger(record: RetentionRecord, c: CompiledRule): DateInput | undefined {
  switch (c.fieldCode) {
    case 0:
      return record.createdAt;
    case 1:
      return record.lastActivityAt;
    case 2:
      return record.contractEndedAt;
    case 3:
      return record.consentWithdrawnAt;
    case 4:
      return record.accountClosedAt;
    default:
      return record.dates?.[c.customField!];
  }
}

/**
 * One matched rule: own, read-only (by type) data fields. Not frozen at runtime: freezing every
 * match and the `matches` array cost about 25–30% of the evaluator's throughput when `matches` is
 * read for every record.
 */
class Match implements RuleMatch {
  readonly ruleId: string;
  readonly kind: RetentionKind;
  readonly action: RetentionAction | undefined;
  readonly status: RuleMatch["status"];
  readonly expiresAt: Date | undefined;
  constructor(c: CompiledRule, status: RuleMatch["status"], expiresAt: Date | undefined) {
    this.ruleId = c.id;
    this.kind = c.kind;
    this.action = c.action;
    this.status = status;
    this.expiresAt = expiresAt;
  }
}

const NO_MATCHES: readonly CompiledRule[] = Object.freeze([]);
const NO_EXPIRIES: readonly number[] = Object.freeze([]);

/**
 * The decision object: plain fields for the outcome, and `keepUntil`, `matches` and `explanation`
 * computed on first access (so bulk evaluation does not pay for dates and strings it never reads).
 * `toJSON()` returns a plain object with every field.
 */
class Decision implements RetentionDecision {
  readonly recordId: string;
  readonly outcome: RetentionOutcome;
  readonly reason: DecisionReason;
  readonly restricted: boolean;
  readonly nextAction: RetentionAction | undefined;
  readonly decidingRuleId: string | undefined;
  readonly holdIds: readonly string[];
  readonly #keepUntil: number | undefined;
  readonly #matched: readonly CompiledRule[];
  readonly #expiries: readonly number[];
  readonly #extended: ReadonlySet<string> | undefined;
  readonly #now: number;
  readonly #expiredAt: number;
  #matches: readonly RuleMatch[] | undefined;

  constructor(
    recordId: string,
    outcome: RetentionOutcome,
    reason: DecisionReason,
    restricted: boolean,
    keepUntil: number | undefined,
    nextAction: RetentionAction | undefined,
    decidingRuleId: string | undefined,
    holdIds: readonly string[],
    matched: readonly CompiledRule[],
    expiries: readonly number[],
    extended: ReadonlySet<string> | undefined,
    now: number,
    expiredAt: number,
  ) {
    this.recordId = recordId;
    this.outcome = outcome;
    this.reason = reason;
    this.restricted = restricted;
    this.nextAction = nextAction;
    this.decidingRuleId = decidingRuleId;
    this.holdIds = holdIds;
    this.#keepUntil = keepUntil;
    this.#matched = matched;
    this.#expiries = expiries;
    this.#extended = extended;
    this.#now = now;
    this.#expiredAt = expiredAt;
  }

  get keepUntil(): Date | undefined {
    return this.#keepUntil === undefined ? undefined : new Date(this.#keepUntil);
  }

  get matches(): readonly RuleMatch[] {
    if (this.#matches === undefined) {
      const matched = this.#matched;
      const expiries = this.#expiries;
      const n = matched.length;
      const out = new Array<RuleMatch>(n);
      for (let i = 0; i < n; i++) {
        const c = matched[i]!;
        const e = expiries[i]!;
        out[i] =
          e !== e
            ? new Match(c, this.#extended?.has(c.id) ? "extended" : "not-started", undefined)
            : new Match(c, e <= this.#now ? "expired" : "running", new Date(e));
      }
      this.#matches = out;
    }
    return this.#matches;
  }

  get explanation(): string {
    const iso = (ms: number) => new Date(ms).toISOString();
    const id = this.decidingRuleId;
    switch (this.reason) {
      case "legal-hold":
        return `Held by legal hold ${this.holdIds.join(", ")}: keep and restrict; a hold overrides every retention rule.`;
      case "minimum-running":
        return this.#keepUntil === undefined
          ? `Keep: minimum ${id!} has not started or is extended, so it has no end yet; nothing may be deleted before a statutory minimum ends.`
          : `Keep until ${iso(this.#keepUntil)}: minimum ${id!} has not ended; nothing may be deleted before a statutory minimum ends.`;
      case "maximum-expired":
        return `${this.outcome} now: ${id!} expired at ${iso(this.#expiredAt)} and no minimum or hold applies (strictest expired action wins, then earliest expiry, then rule id).`;
      case "maximum-running":
        return `Keep until ${iso(this.#keepUntil!)}, then ${this.nextAction!} (${id!}, the earliest maximum to expire).`;
      case "trigger-pending":
        return "Keep: a maximum applies but its trigger date is not known yet.";
      case "minimum-ended":
        return "Keep: every matching minimum has ended and no maximum applies; consider adding a maximum (storage limitation, Art. 5(1)(e) GDPR).";
      case "no-matching-rule":
        return "Keep: no retention rule in force matches this record; add one (storage limitation, Art. 5(1)(e) GDPR).";
    }
  }

  toJSON(): Omit<RetentionDecision, "toJSON"> {
    return {
      recordId: this.recordId,
      outcome: this.outcome,
      reason: this.reason,
      restricted: this.restricted,
      keepUntil: this.keepUntil,
      nextAction: this.nextAction,
      decidingRuleId: this.decidingRuleId,
      holdIds: this.holdIds,
      matches: this.matches,
      explanation: this.explanation,
    };
  }
}

/**
 * Options of {@link createRetentionEvaluator} and {@link evaluateRecord}.
 *
 * @example
 * ```ts
 * import type { EvaluatorOptions } from "@lawful/retention";
 * const o: EvaluatorOptions = { rules: [], holds: [], utcOffsetMinutes: 60 };
 * ```
 */
export interface EvaluatorOptions {
  /** Rules as data (validated and compiled once) or an already compiled set. */
  rules: readonly RetentionRuleInput[] | CompiledRules;
  /** Legal holds. @default [] */
  holds?: readonly LegalHoldInput[] | readonly LegalHold[] | CompiledHolds | undefined;
  /**
   * Fixed UTC offset, in minutes, in which calendar dates are taken (month arithmetic, end of
   * calendar year). Use the controller's standard offset (e.g. 60 for Germany) or 0; no time-zone
   * database is consulted on the hot path. @default 0
   */
  utcOffsetMinutes?: number | undefined;
}

/**
 * A reusable evaluator over compiled rules and holds; `evaluate` is a pure function of the record and `now`.
 *
 * @example
 * ```ts
 * import { createRetentionEvaluator, type RetentionEvaluator } from "@lawful/retention";
 * const evaluator: RetentionEvaluator = createRetentionEvaluator({ rules: [] });
 * evaluator.evaluate({ id: "r1", recordType: "note", createdAt: 0 }, new Date()).outcome; // "keep"
 * ```
 */
export interface RetentionEvaluator {
  readonly rules: CompiledRules;
  readonly holds: CompiledHolds;
  /** Pure; safe to detach from the evaluator (`const { evaluate } = evaluator`). */
  readonly evaluate: (record: RetentionRecord, now: Date) => RetentionDecision;
}

const OffsetSchema = z.number().int().min(-18 * 60).max(18 * 60).default(0);

/**
 * Compile rules and holds once and return an evaluator.
 *
 * Precedence (deterministic, independent of rule and hold order):
 * 1. an **active legal hold** covering the record ⇒ `hold` (restricted), whatever the rules say;
 * 2. any matching **minimum** in force that has not ended — or whose trigger date is missing — ⇒
 *    `keep` until the latest minimum ends (`keepUntil` undefined if one has not started);
 *    nothing is deleted before a statutory minimum ends;
 * 3. any **expired maximum** (or a minimum with an action that ended) ⇒ its action now; among several,
 *    the strictest action wins (delete > anonymise > archive > review), then the earliest expiry,
 *    then the lowest rule id;
 * 4. otherwise ⇒ `keep` until the earliest running maximum expires (ties: strictest action, then rule id);
 * 5. a maximum whose trigger has not happened ⇒ `keep` (`trigger-pending`); nothing matched ⇒ `keep` (`no-matching-rule`).
 *
 * Periods: the trigger date (or the end of its calendar year) plus the ISO 8601 duration in calendar
 * terms (months with end-of-month clamping, then days, then exact time); a period has ended when
 * `now >= expiresAt`.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid rules or holds (at creation) and for a record date that is not a valid date (at evaluation).
 * @example
 * ```ts
 * import { createRetentionEvaluator } from "@lawful/retention";
 * const evaluator = createRetentionEvaluator({
 *   rules: [{ id: "vouchers-8y", title: "Invoices", kind: "minimum", action: "delete", duration: "P8Y",
 *             trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["invoice"] } }],
 * });
 * const d = evaluator.evaluate({ id: "inv_1", recordType: "invoice", createdAt: new Date("2025-03-15T00:00:00Z") }, new Date("2026-06-01T00:00:00Z"));
 * d.outcome; // "keep"
 * d.keepUntil?.toISOString(); // "2034-01-01T00:00:00.000Z"
 * ```
 */
export function createRetentionEvaluator(options: EvaluatorOptions): RetentionEvaluator {
  if (typeof options !== "object" || options === null) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "createRetentionEvaluator needs { rules }.", {
      issues: [{ path: ["rules"], message: "required", code: "invalid_type" }],
    });
  }
  const rules = compileRules(options.rules);
  const holds = options.holds === undefined ? EMPTY_HOLDS : compileHolds(options.holds);
  const offset = parseOrThrow(OffsetSchema, options.utcOffsetMinutes, "utcOffsetMinutes", RetentionError);
  const { byType, wildcard } = rules[COMPILED];
  const compiledHolds = holds[COMPILED_HOLDS];
  // per-evaluator scratch buffers: decide() is synchronous and only reads record properties, so a call
  // never overlaps another on the same evaluator (a record getter re-entering this evaluator would)
  let maxCandidates = wildcard.length;
  for (const list of byType.values()) if (list.length > maxCandidates) maxCandidates = list.length;
  const scratchRules: CompiledRule[] = [];
  const scratchExpiries: number[] = [];
  for (let i = 0; i < maxCandidates; i++) {
    scratchRules.push(wildcard[0] ?? byType.values().next().value![0]!);
    scratchExpiries.push(0.5);
  }

  // the result of the last decide() call: plain mutable fields, read before the next call
  const state: DecisionState = {
    outcome: "keep",
    reason: "no-matching-rule",
    keepUntil: undefined,
    nextAction: undefined,
    decidingRuleId: undefined,
    holdIds: NO_IDS,
    count: 0,
    rules: scratchRules,
    expiries: scratchExpiries,
    extended: undefined,
    expiredAt: 0,
  };

  function decide(record: RetentionRecord, now: number): DecisionState {
    const candidates = byType.get(record.recordType) ?? wildcard;
    let minRunning = false;
    let minUntil = -Infinity;
    let minRule: CompiledRule | undefined;
    let expired: CompiledRule | undefined;
    let expiredAt = 0;
    let running: CompiledRule | undefined;
    let runningAt = Infinity;
    let pending = false;
    let count = 0;
    let extended: Set<string> | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (now < c.from || now >= c.until) continue;
      if (c.tenants !== undefined && (record.tenantId === undefined || !c.tenants.has(record.tenantId))) continue;
      if (c.categories !== undefined && !anyIn(c.categories, record.categories)) continue;
      if (c.purposes !== undefined && !anyIn(c.purposes, record.purposes)) continue;
      if (c.regimes !== undefined && !anyIn(c.regimes, record.regimes)) continue;
      const raw = readTrigger(record, c);
      let expiresAt = NaN;
      if (raw !== undefined) {
        const start = toMs(raw, c.topField ?? `dates.${c.customField!}`);
        expiresAt = c.endOfYear ? addDurationFromYearEnd(start, c.duration, offset) : addDuration(start, c.duration, offset);
        // an extension keeps the period open: treated like a period that cannot end yet
        if (c.extendWhile !== undefined && record.flags?.[c.extendWhile] === true) {
          extended ??= new Set();
          extended.add(c.id);
          expiresAt = NaN;
        }
      }
      scratchRules[count] = c;
      scratchExpiries[count++] = expiresAt;
      const notStarted = expiresAt !== expiresAt;
      if (c.kind === "minimum" && (notStarted || expiresAt > now)) {
        minRunning = true;
        const end = notStarted ? Infinity : expiresAt;
        if (minRule === undefined || end > minUntil) {
          minUntil = end;
          minRule = c;
        }
      }
      if (c.action === undefined) continue;
      if (notStarted) {
        pending = true;
      } else if (expiresAt <= now) {
        if (expired === undefined || c.actionRank < expired.actionRank || (c.actionRank === expired.actionRank && expiresAt < expiredAt)) {
          expired = c;
          expiredAt = expiresAt;
        }
      } else if (running === undefined || expiresAt < runningAt || (expiresAt === runningAt && c.actionRank < running.actionRank)) {
        running = c;
        runningAt = expiresAt;
      }
    }
    state.count = count;
    state.extended = extended;
    state.expiredAt = 0;
    state.keepUntil = undefined;
    state.nextAction = undefined;
    state.decidingRuleId = undefined;
    state.holdIds = NO_IDS;

    // 1. legal hold
    let holdIds: string[] | undefined;
    for (let i = 0; i < compiledHolds.length; i++) {
      const h = compiledHolds[i]!;
      if (holdMatches(h, record, now)) (holdIds ??= []).push(h.id);
    }
    if (holdIds !== undefined) {
      state.outcome = "hold";
      state.reason = "legal-hold";
      state.holdIds = holdIds;
      return state;
    }
    // 2. statutory minimum
    if (minRunning) {
      const until = minUntil === Infinity ? undefined : minUntil;
      let nextAction: RetentionAction | undefined;
      if (until !== undefined) {
        let rank = 99;
        for (let i = 0; i < count; i++) {
          const c = scratchRules[i]!;
          if (c.action !== undefined && scratchExpiries[i]! <= until && c.actionRank < rank) {
            rank = c.actionRank;
            nextAction = c.action;
          }
        }
      }
      state.outcome = "keep";
      state.reason = "minimum-running";
      state.keepUntil = until;
      state.nextAction = nextAction;
      state.decidingRuleId = minRule!.id;
      return state;
    }
    // 3. expired maximum
    if (expired !== undefined) {
      state.outcome = expired.action!;
      state.reason = "maximum-expired";
      state.decidingRuleId = expired.id;
      state.expiredAt = expiredAt;
      return state;
    }
    // 4. running maximum
    if (running !== undefined) {
      state.outcome = "keep";
      state.reason = "maximum-running";
      state.keepUntil = runningAt;
      state.nextAction = running.action;
      state.decidingRuleId = running.id;
      return state;
    }
    state.outcome = "keep";
    state.reason = pending ? "trigger-pending" : count ? "minimum-ended" : "no-matching-rule";
    return state;
  }

  function checkNow(nowDate: Date): number {
    const now = nowDate.getTime();
    if (Number.isNaN(now)) {
      throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "now must be a valid Date.", { issues: [{ path: ["now"], message: "must be a valid date", code: "invalid_date" }] });
    }
    return now;
  }

  function evaluate(record: RetentionRecord, nowDate: Date): RetentionDecision {
    const now = checkNow(nowDate);
    const s = decide(record, now);
    // exact-size copies for the decision (the scratch buffers are reused by the next call)
    const n = s.count;
    const matched = n === 0 ? NO_MATCHES : scratchRules.slice(0, n);
    const expiries = n === 0 ? NO_EXPIRIES : scratchExpiries.slice(0, n);
    return new Decision(record.id, s.outcome, s.reason, s.outcome === "hold", s.keepUntil, s.nextAction, s.decidingRuleId, s.holdIds, matched, expiries, s.extended, now, s.expiredAt);
  }

  const evaluator: RetentionEvaluator = Object.freeze({ rules, holds, evaluate });
  transientDeciders.set(evaluator, (record, nowDate) => decide(record, checkNow(nowDate)));
  return evaluator;
}

/**
 * Internal: the decision of the last call as plain mutable fields over the evaluator's scratch
 * buffers. Valid only until the next call on the same evaluator; used by `planRetention`, which
 * keeps nothing per record, so bulk planning allocates no decision objects.
 */
export interface DecisionState {
  outcome: RetentionOutcome;
  reason: DecisionReason;
  keepUntil: number | undefined;
  nextAction: RetentionAction | undefined;
  decidingRuleId: string | undefined;
  holdIds: readonly string[];
  /** Number of matched rules: `rules[0..count)` with `expiries[0..count)` (NaN: not started / extended). */
  count: number;
  readonly rules: readonly { readonly id: string }[];
  readonly expiries: readonly number[];
  extended: ReadonlySet<string> | undefined;
  expiredAt: number;
}

const transientDeciders = new WeakMap<RetentionEvaluator, (record: RetentionRecord, now: Date) => DecisionState>();

/** Internal: the allocation-free decider behind an evaluator (see {@link DecisionState}). */
export function transientDecider(evaluator: RetentionEvaluator): ((record: RetentionRecord, now: Date) => DecisionState) | undefined {
  return transientDeciders.get(evaluator);
}

const evaluatorCache = new WeakMap<object, WeakMap<object, Map<number, RetentionEvaluator>>>();

/**
 * Evaluate one record: a pure function of (record, rules, holds, now) returning the decision.
 * Rule and hold arrays are compiled once and cached by identity, so calling it in a loop with the
 * same arrays is fast. See {@link createRetentionEvaluator} for the precedence.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid rules, holds or record dates.
 * @example
 * ```ts
 * import { evaluateRecord } from "@lawful/retention";
 * const rules = [{ id: "leads-2y", title: "Inactive leads", kind: "maximum" as const, duration: "P2Y",
 *   trigger: { type: "lastActivity" as const }, action: "delete" as const, selectors: { recordTypes: ["lead"] } }];
 * const d = evaluateRecord({ id: "l1", recordType: "lead", createdAt: "2020-01-01T00:00:00Z", lastActivityAt: "2021-01-01T00:00:00Z" },
 *   { rules, now: new Date("2024-01-01T00:00:00Z") });
 * d.outcome; // "delete"
 * ```
 */
export function evaluateRecord(record: RetentionRecord, options: EvaluatorOptions & { now: Date }): RetentionDecision {
  const holdsKey: object = options.holds ?? EMPTY_HOLDS;
  const offset = options.utcOffsetMinutes ?? 0;
  let byHolds = evaluatorCache.get(options.rules);
  if (!byHolds) evaluatorCache.set(options.rules, (byHolds = new WeakMap<object, Map<number, RetentionEvaluator>>()));
  let byOffset = byHolds.get(holdsKey);
  if (!byOffset) byHolds.set(holdsKey, (byOffset = new Map<number, RetentionEvaluator>()));
  let evaluator = byOffset.get(offset);
  if (!evaluator) {
    evaluator = createRetentionEvaluator(options);
    byOffset.set(offset, evaluator);
  }
  return evaluator.evaluate(record, options.now);
}
