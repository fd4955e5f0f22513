/**
 * `@lawful/dsr`: data-subject request workflows to the legal deadline — an explicit state
 * machine, deadlines from core's regime table with pauses and extensions, pluggable identity
 * verification, fan-out to data sources and recipients through a durable queue, erasure with
 * retention and legal-hold exemptions, access/portability results, request records and metrics.
 * @packageDocumentation
 */
export { DsrError } from "./errors.js";
export {
  CCPA_REQUEST_TYPES,
  DENIAL_REASONS,
  DSR_REGIMES,
  DSR_REQUEST_TYPES,
  DSR_STATES,
  DenialReasonSchema,
  DsrDeadlineSnapshotSchema,
  DsrHistoryEntrySchema,
  DsrPauseSchema,
  DsrRegimeSchema,
  DsrRequestDetailsSchema,
  DsrRequestSchema,
  DsrRequestTypeSchema,
  DsrStateSchema,
  DsrVerificationSchema,
  REQUEST_CHANNELS,
  RecipientNotificationSchema,
  RequestChannelSchema,
  TERMINAL_STATES,
  VERIFICATION_LEVELS,
  VERIFICATION_METHODS,
  VerificationChallengeSchema,
  VerificationLevelSchema,
  VerificationMethodSchema,
  type DenialReason,
  type DsrDeadlineSnapshot,
  type DsrHistoryEntry,
  type DsrPause,
  type DsrRegime,
  type DsrRequest,
  type DsrRequestDetails,
  type DsrRequestType,
  type DsrState,
  type DsrVerification,
  type RecipientNotification,
  type RequestChannel,
  type VerificationChallenge,
  type VerificationLevel,
  type VerificationMethod,
} from "./model.js";
export {
  DSR_ACTIONS,
  DSR_TRANSITIONS,
  isTerminalState,
  levelSatisfies,
  nextState,
  transition,
  type DsrAction,
  type DsrActionType,
} from "./state-machine.js";
export {
  DEFAULT_CALENDAR_IDS,
  computeRequestDeadlines,
  defaultCalendarResolver,
  type CalendarResolver,
  type RequestDeadlineOptions,
} from "./deadlines.js";
export {
  DEFAULT_VERIFICATION_LEVELS,
  levelFromDataPoints,
  requiredVerificationLevel,
  type VerificationAttemptResult,
  type VerificationLevelOverrides,
} from "./verification.js";
export type {
  Art15Sections,
  ConsentHistorySource,
  ObjectionKind,
  ObjectionRecorder,
  ProcessingInformation,
  Recipient,
  RecipientDirectory,
  RetentionExemption,
  RetentionExemptions,
  SubjectKeyShredder,
  SuppressionList,
} from "./ports.js";
export type { CategoryCounts, DataSource, DataSourceContext, ExportedRecord, Provenance, Rectification } from "./data-source.js";
export {
  createRecipientNotifier,
  signWebhookBody,
  type RecipientNotice,
  type RecipientNotifier,
  type RecipientNotifierOptions,
  type RecipientNotifyResult,
} from "./notifier.js";
export {
  DsrTaskPayloadSchema,
  type DsrRequestQuery,
  type DsrStore,
  type DsrStoreCapabilities,
  type DsrTask,
  type DsrTaskPayload,
  type DsrTaskStatus,
} from "./store.js";
export {
  defaultComplaintRight,
  defaultRights,
  type AccessResult,
  type ErasureCategoryResult,
  type ErasureResult,
  type OperationResult,
} from "./results.js";
export {
  RECORD_RETENTION_MONTHS,
  computeDsrMetrics,
  toRequestRecord,
  type DsrMetrics,
  type DsrRequestRecord,
  type DsrTypeMetrics,
} from "./records.js";
export {
  SubmitRequestInputSchema,
  createDsrService,
  type DsrService,
  type DsrServiceOptions,
  type SubmitRequestInput,
  type WorkReport,
} from "./service.js";
