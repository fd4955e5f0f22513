/**
 * `@lawful/retention`: retention rules, legal holds, a pure streaming evaluator, a dry-run plan,
 * a crash-safe executor, policy packs with citations and a published retention schedule.
 * @packageDocumentation
 */
export { RetentionError } from "./errors.js";
export { IsoDurationSchema, addDuration, describeDuration, endOfCalendarYear, parseDuration, type IsoDuration } from "./duration.js";
export {
  ACTION_STRICTNESS,
  RetentionActionSchema,
  RetentionKindSchema,
  RetentionRuleSchema,
  RetentionSelectorsSchema,
  RetentionTriggerSchema,
  TRIGGER_EVENTS,
  TRIGGER_FIELDS,
  loadRules,
  type RetentionAction,
  type RetentionKind,
  type RetentionRule,
  type RetentionRuleInput,
  type RetentionSelectors,
  type RetentionTrigger,
} from "./rules.js";
export { RetentionRecordSchema, type DateInput, type ParsedRetentionRecord, type RetentionRecord } from "./record.js";
export {
  LegalHoldSchema,
  LegalHoldScopeSchema,
  isHoldActive,
  loadHolds,
  nextHoldReview,
  type LegalHold,
  type LegalHoldInput,
  type LegalHoldScope,
} from "./holds.js";
export {
  RETENTION_OUTCOMES,
  compileHolds,
  compileRules,
  createRetentionEvaluator,
  evaluateRecord,
  type CompiledHolds,
  type CompiledRules,
  type DecisionReason,
  type EvaluatorOptions,
  type RetentionDecision,
  type RetentionEvaluator,
  type RetentionOutcome,
  type RuleMatch,
} from "./evaluate.js";
export {
  evaluateStream,
  planRetention,
  type EvaluatedRecord,
  type RecordSource,
  type RetentionPlan,
  type RetentionProgress,
  type RulePlanCounts,
  type StreamOptions,
} from "./stream.js";
export {
  RETENTION_AUDIT_ACTIONS,
  applyRetention,
  retentionActionKey,
  type ApplyRetentionOptions,
  type ApplyRetentionResult,
  type RetentionCheckpoint,
  type RetentionCheckpointStore,
  type RetentionHandler,
  type RetentionHandlerContext,
} from "./executor.js";
export {
  CASL_EVIDENCE_PACK,
  CCPA_REQUEST_RECORDS_PACK,
  CONSENT_PROOF_PACK,
  GERMAN_COMMERCIAL_TAX_PACK,
  LGPD_INCIDENT_REGISTER_PACK,
  POLICY_PACKS,
  combinePacks,
  germanCommercialTaxPack,
  type GermanPackOptions,
  type RetentionPolicyPack,
} from "./packs.js";
export {
  buildRetentionSchedule,
  renderScheduleHtml,
  renderScheduleMarkdown,
  type RetentionSchedule,
  type ScheduleEntry,
  type ScheduleGroup,
  type ScheduleHtmlOptions,
  type ScheduleOptions,
} from "./schedule.js";
export type { ListHoldsQuery, RetentionStore, RetentionStoreCapabilities } from "./store.js";
export { issueLegalHold, releaseLegalHold, type IssueLegalHoldOptions, type ReleaseLegalHoldOptions } from "./hold-actions.js";
