import * as z from "zod";
import { ActorSchema, ERROR_CODES, TenantIdSchema, isLawfulError, parseOrThrow, systemClock, type Actor, type Clock, type AuditEventInput, type AuditSink } from "@lawful/core";
import { RetentionError } from "./errors.js";
import type { RetentionDecision, RetentionOutcome } from "./evaluate.js";
import type { RetentionRecord } from "./record.js";
import type { RetentionAction } from "./rules.js";
import { evaluateStream, type RecordSource, type StreamOptions } from "./stream.js";

/**
 * Audit actions written by `@lawful/retention` (namespace `retention.`).
 *
 * @example
 * ```ts
 * import { RETENTION_AUDIT_ACTIONS } from "@lawful/retention";
 * RETENTION_AUDIT_ACTIONS.delete; // "retention.deleted"
 * ```
 */
export const RETENTION_AUDIT_ACTIONS = Object.freeze({
  delete: "retention.deleted",
  anonymise: "retention.anonymised",
  archive: "retention.archived",
  review: "retention.review_requested",
  runStarted: "retention.run_started",
  runCompleted: "retention.run_completed",
  holdIssued: "retention.hold_issued",
  holdReleased: "retention.hold_released",
} as const);

/**
 * One action that was carried out, remembered so a re-run after a crash skips it.
 *
 * @example
 * ```ts
 * import type { RetentionCheckpoint } from "@lawful/retention";
 * const c: RetentionCheckpoint = { key: "delete|leads-2y|l1", runId: "run-1", recordId: "l1", ruleId: "leads-2y", action: "delete", doneAt: new Date() };
 * ```
 */
export interface RetentionCheckpoint {
  /** `${action}|${ruleId}|${recordId}` — see {@link retentionActionKey}. */
  readonly key: string;
  readonly runId: string;
  readonly recordId: string;
  readonly ruleId: string;
  readonly action: RetentionAction;
  readonly doneAt: Date;
}

/**
 * Where the executor remembers finished actions. Every `RetentionStore` implements it.
 * `markDone` is idempotent (a second mark of the same key keeps the first).
 *
 * @example
 * ```ts
 * import type { RetentionCheckpointStore } from "@lawful/retention";
 * const done = new Set<string>();
 * const store: RetentionCheckpointStore = {
 *   isDone: async (tenantId, key) => done.has(`${tenantId}/${key}`),
 *   markDone: async (tenantId, c) => { done.add(`${tenantId}/${c.key}`); },
 * };
 * ```
 */
export interface RetentionCheckpointStore {
  /** True when the action with this key was finished for the tenant. */
  isDone(tenantId: string, key: string): Promise<boolean>;
  /** Remember a finished action; idempotent (a second mark keeps the first). */
  markDone(tenantId: string, checkpoint: RetentionCheckpoint): Promise<void>;
}

/**
 * The idempotency key of one action on one record under one rule: `${action}|${ruleId}|${recordId}`.
 * Handlers receive it and should use it to make repeated calls harmless.
 *
 * @example
 * ```ts
 * import { retentionActionKey } from "@lawful/retention";
 * retentionActionKey("delete", "leads-2y", "l1"); // "delete|leads-2y|l1"
 * ```
 */
export function retentionActionKey(action: RetentionAction, ruleId: string, recordId: string): string {
  return `${action}|${ruleId}|${recordId}`;
}

/**
 * What a handler is told besides the record.
 *
 * @example
 * ```ts
 * import type { RetentionHandlerContext } from "@lawful/retention";
 * const log = (c: RetentionHandlerContext) => console.log(c.action, c.ruleId, c.idempotencyKey);
 * ```
 */
export interface RetentionHandlerContext {
  readonly action: RetentionAction;
  readonly ruleId: string;
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly decision: RetentionDecision;
}

/**
 * Carries out one action on one record in the controller's system (delete the row, anonymise it,
 * move it to the archive, open a review task). It must be idempotent for its `idempotencyKey`: after
 * a crash between the handler and the checkpoint it is called again for the same record.
 *
 * @example
 * ```ts
 * import type { RetentionHandler } from "@lawful/retention";
 * const rows = new Map<string, unknown>();
 * const deleteRow: RetentionHandler = async (record) => { rows.delete(record.id); };
 * ```
 */
export type RetentionHandler<R extends RetentionRecord = RetentionRecord> = (record: R, context: RetentionHandlerContext) => Promise<void> | void;

/**
 * Options of {@link applyRetention}.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import type { ApplyRetentionOptions } from "@lawful/retention";
 * const o: ApplyRetentionOptions = {
 *   source: [], rules: [], now: new Date(), tenantId: "acme", audit: createMemoryAuditSink(),
 *   handlers: { delete: async () => {} },
 * };
 * ```
 */
export interface ApplyRetentionOptions<R extends RetentionRecord = RetentionRecord> extends StreamOptions {
  source: RecordSource<R>;
  /** The tenant whose audit log receives the events. */
  tenantId: string;
  /** Handlers per action; a record whose action has no handler is counted in `skippedNoHandler` and left alone. */
  handlers: Partial<Record<RetentionAction, RetentionHandler<R>>>;
  audit: AuditSink;
  /** Remembers finished actions so a re-run skips them. Without it, re-runs repeat the handlers (which must then be idempotent). */
  checkpointStore?: RetentionCheckpointStore | undefined;
  /** Who runs the job. @default { type: "system", id: "lawful-retention" } */
  actor?: Actor | undefined;
  /** Correlates the audit events of one run. @default `retention-${now.toISOString()}` */
  runId?: string | undefined;
  /** Stop at the first failing handler (after auditing the failure). @default false */
  stopOnError?: boolean | undefined;
  /** The audit target system when a record has no `system`. @default "unknown" */
  defaultSystem?: string | undefined;
  /** Clock for checkpoint times. @default systemClock */
  clock?: Clock | undefined;
}

/**
 * What a run did.
 *
 * @example
 * ```ts
 * import type { ApplyRetentionResult } from "@lawful/retention";
 * const done = (r: ApplyRetentionResult) => r.applied.delete + r.applied.anonymise;
 * ```
 */
export interface ApplyRetentionResult {
  readonly runId: string;
  readonly processed: number;
  readonly byOutcome: Readonly<Record<RetentionOutcome, number>>;
  readonly applied: Readonly<Record<RetentionAction, number>>;
  /** Actions skipped because the checkpoint store says they were already done. */
  readonly skippedAlreadyDone: number;
  readonly skippedNoHandler: Readonly<Record<RetentionAction, number>>;
  readonly failed: number;
}

const OptionsSchema = z.object({
  tenantId: TenantIdSchema,
  actor: ActorSchema.default({ type: "system", id: "lawful-retention" }),
  runId: z.string().min(1).max(256).optional(),
  stopOnError: z.boolean().default(false),
  defaultSystem: z.string().min(1).max(128).default("unknown"),
  handlers: z.record(
    z.enum(["delete", "anonymise", "archive", "review"]),
    z.custom<RetentionHandler>((v) => typeof v === "function", { message: "must be a function" }).optional(),
  ),
  audit: z.custom<AuditSink>((v) => typeof v === "object" && v !== null && typeof (v as AuditSink).record === "function", { message: "must be an AuditSink" }),
  clock: z.custom<Clock>((v) => typeof v === "object" && v !== null && typeof (v as Clock).now === "function", { message: "must be a Clock" }).default(systemClock),
  checkpointStore: z
    .custom<RetentionCheckpointStore>(
      (v) => typeof v === "object" && v !== null && typeof (v as RetentionCheckpointStore).isDone === "function" && typeof (v as RetentionCheckpointStore).markDone === "function",
      { message: "must have isDone and markDone" },
    )
    .optional(),
});

const zero = (): Record<RetentionAction, number> => ({ delete: 0, anonymise: 0, archive: 0, review: 0 });

/**
 * Apply retention to a stream of records: evaluate each one, call the handler for its action
 * (delete, anonymise, archive, review), write a `retention.*` audit event per action, and remember it
 * in the checkpoint store. Held and kept records are never passed to a handler.
 *
 * **Crash safety.** Per record the order is handler → audit event → checkpoint. A re-run after a
 * crash re-evaluates everything: actions already checkpointed are **skipped**; an action whose
 * handler ran but whose checkpoint was not written is **repeated** with the same `idempotencyKey`
 * (so handlers must be idempotent, and the audit log may then show the action twice with the same
 * key in `details.idempotencyKey`). Deleted records normally vanish from the source, so they are not
 * seen again at all. Run start and completion are audited as `retention.run_started` / `retention.run_completed`.
 * A failing handler is audited with outcome `failed` and not checkpointed, so the next run retries it.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid options, rules, holds or record dates; errors of the audit sink
 *   or checkpoint store propagate (the run stops; re-run it).
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { applyRetention } from "@lawful/retention";
 * const rows = new Map([["l1", { id: "l1", recordType: "lead", createdAt: "2020-01-01T00:00:00Z", lastActivityAt: "2020-06-01T00:00:00Z" }]]);
 * const result = await applyRetention({
 *   source: [...rows.values()], tenantId: "acme", audit: createMemoryAuditSink(), now: new Date("2026-01-01T00:00:00Z"),
 *   rules: [{ id: "leads-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" } }],
 *   handlers: { delete: (record) => { rows.delete(record.id); } },
 * });
 * result.applied.delete; // 1
 * ```
 */
export async function applyRetention<R extends RetentionRecord>(options: ApplyRetentionOptions<R>): Promise<ApplyRetentionResult> {
  const o = parseOrThrow(OptionsSchema, options, "applyRetention options", RetentionError);
  const runId = o.runId ?? `retention-${options.now instanceof Date && !Number.isNaN(options.now.getTime()) ? options.now.toISOString() : "invalid"}`;
  const handlers = options.handlers;
  const store = o.checkpointStore;
  const applied = zero();
  const skippedNoHandler = zero();
  let skippedAlreadyDone = 0;
  let failed = 0;
  const stream = evaluateStream(options.source, options);
  const event = (action: string, extra: Partial<AuditEventInput>): AuditEventInput => ({
    tenantId: o.tenantId,
    action,
    actor: o.actor,
    correlationId: runId,
    ...extra,
  });
  await o.audit.record(event(RETENTION_AUDIT_ACTIONS.runStarted, { details: { runId, now: options.now.toISOString() } }));
  let summary: { processed: number; byOutcome: Record<RetentionOutcome, number> } | undefined;
  for (;;) {
    const step = await stream.next();
    if (step.done) {
      summary = { processed: step.value.processed, byOutcome: { ...step.value.byOutcome } };
      break;
    }
    const { record, decision } = step.value;
    const action = decision.outcome;
    if (action === "keep" || action === "hold") continue;
    const ruleId = decision.decidingRuleId!;
    const key = retentionActionKey(action, ruleId, record.id);
    if (store && (await store.isDone(o.tenantId, key))) {
      skippedAlreadyDone++;
      continue;
    }
    const handler = handlers[action];
    if (!handler) {
      skippedNoHandler[action]++;
      continue;
    }
    const target = { system: record.system ?? o.defaultSystem, recordType: record.recordType, recordId: record.id };
    const details = { ruleId, runId, idempotencyKey: key, reason: decision.reason };
    try {
      await handler(record, { action, ruleId, idempotencyKey: key, runId, decision });
    } catch (error) {
      failed++;
      await o.audit.record(
        event(RETENTION_AUDIT_ACTIONS[action], {
          target,
          outcome: "failed",
          details: { ...details, error: isLawfulError(error) ? error.code : error instanceof Error ? error.name : "Error" },
        }),
      );
      if (o.stopOnError) {
        throw new RetentionError(ERROR_CODES.STORE_FAILED, `The ${action} handler failed for a record under rule ${ruleId}; the run stopped (stopOnError). Re-run it after fixing the cause.`, { cause: error });
      }
      continue;
    }
    await o.audit.record(event(RETENTION_AUDIT_ACTIONS[action], { target, outcome: "succeeded", details }));
    if (store) await store.markDone(o.tenantId, { key, runId, recordId: record.id, ruleId, action, doneAt: o.clock.now() });
    applied[action]++;
  }
  const result: ApplyRetentionResult = { runId, processed: summary.processed, byOutcome: summary.byOutcome, applied, skippedAlreadyDone, skippedNoHandler, failed };
  await o.audit.record(
    event(RETENTION_AUDIT_ACTIONS.runCompleted, {
      outcome: failed ? "failed" : "succeeded",
      details: { runId, processed: result.processed, byOutcome: result.byOutcome, applied, skippedAlreadyDone, skippedNoHandler, failed },
    }),
  );
  return result;
}
