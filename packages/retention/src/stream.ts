import { ERROR_CODES } from "@lawful/core";
import { RetentionError } from "./errors.js";
import { createRetentionEvaluator, transientDecider, type DecisionReason, type DecisionState, type EvaluatorOptions, type RetentionDecision, type RetentionOutcome } from "./evaluate.js";
import type { RetentionRecord } from "./record.js";
import type { RetentionAction } from "./rules.js";

/**
 * Any source of records: an async iterable (a database cursor, a paginated API, a file reader) or a
 * plain iterable. It is consumed once, one record at a time.
 *
 * @example
 * ```ts
 * import type { RecordSource, RetentionRecord } from "@lawful/retention";
 * async function* fromDb(): AsyncGenerator<RetentionRecord> { yield { id: "a", recordType: "lead", createdAt: 0 }; }
 * const source: RecordSource = fromDb();
 * ```
 */
export type RecordSource<R extends RetentionRecord = RetentionRecord> = AsyncIterable<R> | Iterable<R>;

/**
 * Progress reported while streaming: records processed so far and the counts per outcome.
 *
 * @example
 * ```ts
 * import type { RetentionProgress } from "@lawful/retention";
 * const onProgress = (p: RetentionProgress) => console.log(p.processed, p.byOutcome.delete);
 * ```
 */
export interface RetentionProgress {
  readonly processed: number;
  readonly byOutcome: Readonly<Record<RetentionOutcome, number>>;
}

/**
 * Options of {@link evaluateStream} and {@link planRetention}.
 *
 * @example
 * ```ts
 * import type { StreamOptions } from "@lawful/retention";
 * const o: StreamOptions = { rules: [], now: new Date(), progressEvery: 50_000, onProgress: (p) => console.log(p.processed) };
 * ```
 */
export interface StreamOptions extends EvaluatorOptions {
  /** The evaluation instant, fixed for the whole run (so a long run is consistent). */
  now: Date;
  /** Called every `progressEvery` records and once at the end. */
  onProgress?: ((progress: RetentionProgress) => void) | undefined;
  /** @default 10000 */
  progressEvery?: number | undefined;
  /** Stops the run between records: the signal's reason is thrown (`signal.throwIfAborted()`). */
  signal?: AbortSignal | undefined;
}

/**
 * One evaluated record.
 *
 * @example
 * ```ts
 * import type { EvaluatedRecord } from "@lawful/retention";
 * const show = (e: EvaluatedRecord) => `${e.record.id}: ${e.decision.outcome}`;
 * ```
 */
export interface EvaluatedRecord<R extends RetentionRecord = RetentionRecord> {
  readonly record: R;
  readonly decision: RetentionDecision;
}

function emptyCounts(): Record<RetentionOutcome, number> {
  return { hold: 0, keep: 0, delete: 0, anonymise: 0, archive: 0, review: 0 };
}

/** Plain iterables are consumed with `for…of`: `for await` would allocate a promise per record. */
function isSyncIterable<R>(source: RecordSource<R & RetentionRecord>): source is Iterable<R & RetentionRecord> {
  return typeof (source as Partial<AsyncIterable<R>>)[Symbol.asyncIterator] !== "function" && typeof (source as Partial<Iterable<R>>)[Symbol.iterator] === "function";
}

function checkAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/**
 * Evaluate any number of records as a stream with bounded memory: records are pulled one at a
 * time and yielded with their decision; nothing is buffered. Rules and holds are compiled once.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid rules, holds, options or record dates;
 *   the signal's reason when it is aborted.
 * @example
 * ```ts
 * import { evaluateStream, type RetentionRecord } from "@lawful/retention";
 * async function* records(): AsyncGenerator<RetentionRecord> {
 *   yield { id: "l1", recordType: "lead", createdAt: "2020-01-01T00:00:00Z", lastActivityAt: "2021-01-01T00:00:00Z" };
 * }
 * const rules = [{ id: "leads-2y", title: "Inactive leads", kind: "maximum" as const, action: "delete" as const, duration: "P2Y", trigger: { type: "lastActivity" as const } }];
 * for await (const { record, decision } of evaluateStream(records(), { rules, now: new Date() })) {
 *   console.log(record.id, decision.outcome);
 * }
 * ```
 */
export async function* evaluateStream<R extends RetentionRecord>(source: RecordSource<R>, options: StreamOptions): AsyncGenerator<EvaluatedRecord<R>, RetentionProgress> {
  const { evaluate, now, report, counts, tick } = prepare(options);
  let processed = 0;
  if (isSyncIterable(source)) {
    // a plain iterable: no promise per record from `for await` (the generator's own yield remains)
    for (const record of source) {
      checkAborted(options.signal);
      const decision = evaluate(record, now);
      counts[decision.outcome]++;
      processed++;
      if (processed % tick === 0) report(processed);
      yield { record, decision };
    }
  } else {
    for await (const record of source) {
      checkAborted(options.signal);
      const decision = evaluate(record, now);
      counts[decision.outcome]++;
      processed++;
      if (processed % tick === 0) report(processed);
      yield { record, decision };
    }
  }
  report(processed);
  return { processed, byOutcome: { ...counts } };
}

function prepare(options: StreamOptions) {
  if (typeof options !== "object" || options === null || !(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "Streaming evaluation needs { rules, now } with now a valid Date.", {
      issues: [{ path: ["now"], message: "must be a valid Date", code: "invalid_date" }],
    });
  }
  const tick = options.progressEvery ?? 10_000;
  if (!Number.isSafeInteger(tick) || tick < 1) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "progressEvery must be a positive whole number.", {
      issues: [{ path: ["progressEvery"], message: "must be a positive whole number", code: "too_small" }],
    });
  }
  const evaluator = createRetentionEvaluator(options);
  const counts = emptyCounts();
  const onProgress = options.onProgress;
  const report = (processed: number) => onProgress?.({ processed, byOutcome: { ...counts } });
  return { evaluate: evaluator.evaluate, evaluator, now: options.now, report, counts, tick };
}

/**
 * Counters of one rule in a plan: how many records it matched, how many it decided, and the outcomes it decided.
 *
 * @example
 * ```ts
 * import type { RulePlanCounts } from "@lawful/retention";
 * const c: RulePlanCounts = { matched: 10, decided: 4, byOutcome: { delete: 3, keep: 1 } };
 * ```
 */
export interface RulePlanCounts {
  readonly matched: number;
  readonly decided: number;
  readonly byOutcome: Readonly<Partial<Record<RetentionOutcome, number>>>;
}

/**
 * A dry-run retention plan: what a run would do at `now`, as counts only (no records are kept).
 *
 * @example
 * ```ts
 * import type { RetentionPlan } from "@lawful/retention";
 * const summary = (p: RetentionPlan) => `${p.byOutcome.delete} to delete of ${p.records}`;
 * ```
 */
export interface RetentionPlan {
  readonly now: Date;
  readonly records: number;
  readonly byOutcome: Readonly<Record<RetentionOutcome, number>>;
  readonly byReason: Readonly<Partial<Record<DecisionReason, number>>>;
  /** Per rule id, sorted by id. */
  readonly byRule: Readonly<Record<string, RulePlanCounts>>;
  /** Records held per legal hold id. */
  readonly byHold: Readonly<Record<string, number>>;
  /** The earliest `keepUntil` among kept records: when the next action falls due. */
  readonly earliestNextExpiry?: { readonly at: Date; readonly ruleId: string; readonly action?: RetentionAction | undefined } | undefined;
}

/**
 * Dry-run: evaluate a whole source and count what would happen — per outcome, per reason, per rule
 * and per hold — plus the earliest next expiry. Memory is bounded by the number of rules and holds,
 * not records. Nothing is changed and nothing is audited.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid rules, holds, options or record dates.
 * @example
 * ```ts
 * import { planRetention } from "@lawful/retention";
 * const rules = [{ id: "leads-2y", title: "Inactive leads", kind: "maximum" as const, action: "delete" as const, duration: "P2Y", trigger: { type: "lastActivity" as const } }];
 * const plan = await planRetention([{ id: "l1", recordType: "lead", createdAt: 0, lastActivityAt: 0 }], { rules, now: new Date() });
 * plan.byOutcome.delete; // 1
 * ```
 */
export async function planRetention(source: RecordSource, options: StreamOptions): Promise<RetentionPlan> {
  const { evaluator, now, report, counts, tick } = prepare(options);
  const byReason: Partial<Record<DecisionReason, number>> = {};
  const byRule = new Map<string, { matched: number; decided: number; byOutcome: Partial<Record<RetentionOutcome, number>> }>();
  for (const r of evaluator.rules.rules) byRule.set(r.id, { matched: 0, decided: 0, byOutcome: {} });
  const byHold = new Map<string, number>();
  let earliest: { at: number; ruleId: string; action?: RetentionAction | undefined } | undefined;
  let processed = 0;
  const decide = transientDecider(evaluator)!;
  // the decider reuses one state object and the evaluator's scratch buffers: nothing is allocated per record
  const step = (record: RetentionRecord) => {
    checkAborted(options.signal);
    const d: DecisionState = decide(record, now);
    counts[d.outcome]++;
    byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
    for (let i = 0; i < d.count; i++) byRule.get(d.rules[i]!.id)!.matched++;
    const ruleId = d.decidingRuleId;
    if (ruleId !== undefined) {
      const c = byRule.get(ruleId)!;
      c.decided++;
      c.byOutcome[d.outcome] = (c.byOutcome[d.outcome] ?? 0) + 1;
    }
    for (let i = 0; i < d.holdIds.length; i++) {
      const h = d.holdIds[i]!;
      byHold.set(h, (byHold.get(h) ?? 0) + 1);
    }
    const at = d.keepUntil;
    if (d.outcome === "keep" && ruleId !== undefined && at !== undefined) {
      if (earliest === undefined || at < earliest.at || (at === earliest.at && ruleId < earliest.ruleId)) {
        earliest = { at, ruleId, action: d.nextAction };
      }
    }
    processed++;
    if (processed % tick === 0) report(processed);
  };
  if (isSyncIterable(source)) {
    for (const record of source) step(record);
  } else {
    for await (const record of source) step(record);
  }
  report(processed);
  const ruleCounts: Record<string, RulePlanCounts> = {};
  for (const [id, c] of byRule) ruleCounts[id] = c;
  return {
    now,
    records: processed,
    byOutcome: { ...counts },
    byReason,
    byRule: ruleCounts,
    byHold: Object.fromEntries([...byHold].sort(([a], [b]) => (a < b ? -1 : 1))),
    earliestNextExpiry: earliest && { at: new Date(earliest.at), ruleId: earliest.ruleId, action: earliest.action },
  };
}

