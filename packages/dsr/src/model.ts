import * as z from "zod";
import { ActorSchema, DataCategorySchema, PauseReasonSchema, PurposeIdSchema, SubjectRefSchema, TenantIdSchema } from "@lawful/core";

/**
 * Every request type the engine handles: the GDPR rights of Art. 15–22 (also used for the UK and
 * the LGPD) and the CCPA requests to know (categories or specific pieces), delete, correct,
 * opt out of sale/sharing and limit the use of sensitive personal information.
 *
 * @example
 * ```ts
 * import { DSR_REQUEST_TYPES } from "@lawful/dsr";
 * DSR_REQUEST_TYPES.includes("erasure"); // true
 * ```
 */
export const DSR_REQUEST_TYPES = [
  "access",
  "rectification",
  "erasure",
  "restriction",
  "restriction_lift",
  "portability",
  "objection",
  "automated_decision_contest",
  "ccpa_know_categories",
  "ccpa_know_specific",
  "ccpa_delete",
  "ccpa_correct",
  "ccpa_opt_out",
  "ccpa_limit",
] as const;

/**
 * Schema of a {@link DsrRequestType}.
 *
 * @example
 * ```ts
 * import { DsrRequestTypeSchema } from "@lawful/dsr";
 * DsrRequestTypeSchema.parse("access");
 * ```
 */
export const DsrRequestTypeSchema = z.enum(DSR_REQUEST_TYPES);

/**
 * A data-subject request type, see {@link DSR_REQUEST_TYPES}.
 *
 * @example
 * ```ts
 * import type { DsrRequestType } from "@lawful/dsr";
 * const t: DsrRequestType = "portability";
 * ```
 */
export type DsrRequestType = z.infer<typeof DsrRequestTypeSchema>;

/**
 * The CCPA request types; they are only accepted under the `US-CA` regime, and the GDPR types only
 * under `EU`, `UK` and `BR`.
 *
 * @example
 * ```ts
 * import { CCPA_REQUEST_TYPES } from "@lawful/dsr";
 * CCPA_REQUEST_TYPES.includes("ccpa_delete"); // true
 * ```
 */
export const CCPA_REQUEST_TYPES: readonly DsrRequestType[] = Object.freeze([
  "ccpa_know_categories",
  "ccpa_know_specific",
  "ccpa_delete",
  "ccpa_correct",
  "ccpa_opt_out",
  "ccpa_limit",
]);

/**
 * The regimes with data-subject request deadlines in core's regime table.
 *
 * @example
 * ```ts
 * import { DSR_REGIMES } from "@lawful/dsr";
 * DSR_REGIMES; // ["EU", "UK", "US-CA", "BR"]
 * ```
 */
export const DSR_REGIMES = ["EU", "UK", "US-CA", "BR"] as const;

/**
 * Schema of a {@link DsrRegime}.
 *
 * @example
 * ```ts
 * import { DsrRegimeSchema } from "@lawful/dsr";
 * DsrRegimeSchema.parse("UK");
 * ```
 */
export const DsrRegimeSchema = z.enum(DSR_REGIMES);

/**
 * A regime whose data-subject request rules apply to a request.
 *
 * @example
 * ```ts
 * import type { DsrRegime } from "@lawful/dsr";
 * const r: DsrRegime = "US-CA";
 * ```
 */
export type DsrRegime = z.infer<typeof DsrRegimeSchema>;

/**
 * The states of a request. `completed`, `partially_completed`, `denied`, `cancelled` and
 * `withdrawn` are terminal.
 *
 * @example
 * ```ts
 * import { DSR_STATES } from "@lawful/dsr";
 * DSR_STATES[0]; // "received"
 * ```
 */
export const DSR_STATES = [
  "received",
  "awaiting_verification",
  "verified",
  "in_progress",
  "completed",
  "partially_completed",
  "denied",
  "cancelled",
  "withdrawn",
] as const;

/**
 * Schema of a {@link DsrState}.
 *
 * @example
 * ```ts
 * import { DsrStateSchema } from "@lawful/dsr";
 * DsrStateSchema.parse("verified");
 * ```
 */
export const DsrStateSchema = z.enum(DSR_STATES);

/**
 * A state of the request state machine.
 *
 * @example
 * ```ts
 * import type { DsrState } from "@lawful/dsr";
 * const s: DsrState = "in_progress";
 * ```
 */
export type DsrState = z.infer<typeof DsrStateSchema>;

/**
 * The terminal states: no action leaves them.
 *
 * @example
 * ```ts
 * import { TERMINAL_STATES } from "@lawful/dsr";
 * TERMINAL_STATES.includes("denied"); // true
 * ```
 */
export const TERMINAL_STATES: readonly DsrState[] = Object.freeze(["completed", "partially_completed", "denied", "cancelled", "withdrawn"]);

/**
 * The fixed taxonomy of reasons to deny a request (GDPR Art. 11(2), 12(5), 17(3), 23; CCPA §7021,
 * §7026, Civ. Code §1798.130(b)). `manifestly_unfounded` and `excessive` require evidence, because
 * the controller bears the burden of proof (DOMAIN C2).
 *
 * @example
 * ```ts
 * import { DENIAL_REASONS } from "@lawful/dsr";
 * DENIAL_REASONS.includes("identity_not_verified"); // true
 * ```
 */
export const DENIAL_REASONS = [
  "identity_not_verified",
  "manifestly_unfounded",
  "excessive",
  "exemption",
  "no_data",
  "outside_jurisdiction",
  "request_limit_reached",
  "suspected_fraud",
] as const;

/**
 * Schema of a {@link DenialReason}.
 *
 * @example
 * ```ts
 * import { DenialReasonSchema } from "@lawful/dsr";
 * DenialReasonSchema.parse("no_data");
 * ```
 */
export const DenialReasonSchema = z.enum(DENIAL_REASONS);

/**
 * A reason from the fixed denial taxonomy.
 *
 * @example
 * ```ts
 * import type { DenialReason } from "@lawful/dsr";
 * const r: DenialReason = "excessive";
 * ```
 */
export type DenialReason = z.infer<typeof DenialReasonSchema>;

/**
 * The ways a request can reach the controller (CCPA §7101 "manner in which the request was made").
 *
 * @example
 * ```ts
 * import { REQUEST_CHANNELS } from "@lawful/dsr";
 * REQUEST_CHANNELS.includes("gpc_signal"); // true
 * ```
 */
export const REQUEST_CHANNELS = [
  "web_form",
  "email",
  "phone",
  "toll_free_number",
  "postal_mail",
  "in_person",
  "api",
  "gpc_signal",
  "authorized_agent",
] as const;

/**
 * Schema of a {@link RequestChannel}.
 *
 * @example
 * ```ts
 * import { RequestChannelSchema } from "@lawful/dsr";
 * RequestChannelSchema.parse("web_form");
 * ```
 */
export const RequestChannelSchema = z.enum(REQUEST_CHANNELS);

/**
 * A channel through which a request arrived.
 *
 * @example
 * ```ts
 * import type { RequestChannel } from "@lawful/dsr";
 * const c: RequestChannel = "email";
 * ```
 */
export type RequestChannel = z.infer<typeof RequestChannelSchema>;

/**
 * Verification levels (DOMAIN C10): `none`, `low` (a reasonable degree of certainty, e.g. two data
 * points) and `high` (a reasonably high degree: three data points plus a signed declaration).
 *
 * @example
 * ```ts
 * import { VERIFICATION_LEVELS } from "@lawful/dsr";
 * VERIFICATION_LEVELS; // ["none", "low", "high"]
 * ```
 */
export const VERIFICATION_LEVELS = ["none", "low", "high"] as const;

/**
 * Schema of a {@link VerificationLevel}.
 *
 * @example
 * ```ts
 * import { VerificationLevelSchema } from "@lawful/dsr";
 * VerificationLevelSchema.parse("high");
 * ```
 */
export const VerificationLevelSchema = z.enum(VERIFICATION_LEVELS);

/**
 * How sure the controller must be (or became) of the requester's identity.
 *
 * @example
 * ```ts
 * import type { VerificationLevel } from "@lawful/dsr";
 * const l: VerificationLevel = "low";
 * ```
 */
export type VerificationLevel = z.infer<typeof VerificationLevelSchema>;

/**
 * The verification methods: none needed, an e-mailed one-time code or link, an
 * already-authenticated session, or manual review with evidence.
 *
 * @example
 * ```ts
 * import { VERIFICATION_METHODS } from "@lawful/dsr";
 * VERIFICATION_METHODS.includes("manual_review"); // true
 * ```
 */
export const VERIFICATION_METHODS = ["not_required", "email_code", "email_link", "session", "manual_review"] as const;

/**
 * Schema of a {@link VerificationMethod}.
 *
 * @example
 * ```ts
 * import { VerificationMethodSchema } from "@lawful/dsr";
 * VerificationMethodSchema.parse("session");
 * ```
 */
export const VerificationMethodSchema = z.enum(VERIFICATION_METHODS);

/**
 * A way identity was verified.
 *
 * @example
 * ```ts
 * import type { VerificationMethod } from "@lawful/dsr";
 * const m: VerificationMethod = "email_code";
 * ```
 */
export type VerificationMethod = z.infer<typeof VerificationMethodSchema>;

const date = z.coerce.date();
const text = (max: number) => z.string().min(1).max(max);

/**
 * Schema of the request-type-specific details a requester gives.
 *
 * @example
 * ```ts
 * import { DsrRequestDetailsSchema } from "@lawful/dsr";
 * DsrRequestDetailsSchema.parse({ objectionScope: "direct_marketing" });
 * ```
 */
export const DsrRequestDetailsSchema = z.object({
  /** Limit the request to these data categories (default: all). */
  categories: z.array(DataCategorySchema).max(256).optional(),
  /** Rectification / correction: what is wrong and what it should say. */
  rectifications: z
    .array(z.object({ category: DataCategorySchema, field: text(128).optional(), value: z.string().max(10_000), note: text(2000).optional() }))
    .max(256)
    .optional(),
  /** Objection: direct marketing (absolute, Art. 21(2)) or processing on legitimate interests / public task (Art. 21(1)). */
  objectionScope: z.enum(["direct_marketing", "legitimate_interests", "public_task"]).optional(),
  /** The purpose objected to, when known. */
  purpose: PurposeIdSchema.optional(),
  /** Restriction lift: when the person was told that the restriction will be lifted (Art. 18(3)). */
  subjectNotifiedAt: date.optional(),
  /** Automated-decision contest: a reference to the decision. */
  decisionRef: text(256).optional(),
  /** Free text from the requester (kept in the request record only). */
  description: z.string().max(10_000).optional(),
  /** Data were made public (Art. 17(2)): other controllers must be told. */
  madePublic: z.boolean().optional(),
});

/**
 * Request-type-specific details, see {@link DsrRequestDetailsSchema}.
 *
 * @example
 * ```ts
 * import type { DsrRequestDetails } from "@lawful/dsr";
 * const d: DsrRequestDetails = { categories: ["contact.email"] };
 * ```
 */
export type DsrRequestDetails = z.infer<typeof DsrRequestDetailsSchema>;

/**
 * Schema of a clock pause interval (DOMAIN A3/A4).
 *
 * @example
 * ```ts
 * import { DsrPauseSchema } from "@lawful/dsr";
 * DsrPauseSchema.parse({ pausedAt: "2025-03-06T10:00:00Z", reason: "identity" });
 * ```
 */
export const DsrPauseSchema = z.object({ pausedAt: date, resumedAt: date.optional(), reason: PauseReasonSchema });

/**
 * A clock pause interval; open while `resumedAt` is missing.
 *
 * @example
 * ```ts
 * import type { DsrPause } from "@lawful/dsr";
 * const p: DsrPause = { pausedAt: new Date(), reason: "clarification" };
 * ```
 */
export type DsrPause = z.infer<typeof DsrPauseSchema>;

/**
 * Schema of a hashed one-time verification secret (code or link token) kept in the request.
 *
 * @example
 * ```ts
 * import { VerificationChallengeSchema } from "@lawful/dsr";
 * VerificationChallengeSchema.shape.maxAttempts;
 * ```
 */
export const VerificationChallengeSchema = z.object({
  kind: z.enum(["code", "link"]),
  /** HMAC-SHA256 of the secret, hex. The secret itself is never stored. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  issuedAt: date,
  expiresAt: date,
  attempts: z.int().min(0),
  maxAttempts: z.int().min(1),
  lockedAt: date.optional(),
});

/**
 * A hashed one-time verification secret.
 *
 * @example
 * ```ts
 * import type { VerificationChallenge } from "@lawful/dsr";
 * const locked = (c: VerificationChallenge) => c.lockedAt !== undefined;
 * ```
 */
export type VerificationChallenge = z.infer<typeof VerificationChallengeSchema>;

/**
 * Schema of the verification part of a request.
 *
 * @example
 * ```ts
 * import { DsrVerificationSchema } from "@lawful/dsr";
 * DsrVerificationSchema.parse({ requiredLevel: "low" });
 * ```
 */
export const DsrVerificationSchema = z.object({
  requiredLevel: VerificationLevelSchema,
  achievedLevel: VerificationLevelSchema.optional(),
  method: VerificationMethodSchema.optional(),
  verifiedAt: date.optional(),
  dataPointsMatched: z.int().min(0).max(100).optional(),
  declarationSigned: z.boolean().optional(),
  evidence: z.array(text(2000)).max(64).optional(),
  reviewer: text(256).optional(),
  requestedAt: date.optional(),
  challenge: VerificationChallengeSchema.optional(),
});

/**
 * What identity verification was required and what was achieved, and how.
 *
 * @example
 * ```ts
 * import type { DsrVerification } from "@lawful/dsr";
 * const v: DsrVerification = { requiredLevel: "none", achievedLevel: "none", method: "not_required" };
 * ```
 */
export type DsrVerification = z.infer<typeof DsrVerificationSchema>;

/**
 * Schema of a deadline snapshot, recomputed after every transition.
 *
 * @example
 * ```ts
 * import { DsrDeadlineSnapshotSchema } from "@lawful/dsr";
 * DsrDeadlineSnapshotSchema.shape.dueAt;
 * ```
 */
export const DsrDeadlineSnapshotSchema = z.object({
  clockStartedAt: date,
  acknowledgeBy: date.optional(),
  /** The base response deadline, moved by lawful pauses. */
  respondBy: date,
  respondByDate: z.string(),
  /** The latest deadline an extension can give, moved by lawful pauses. */
  extendedBy: date.optional(),
  /** Tell the person about an extension by this instant (= the base deadline). */
  extensionNoticeBy: date.optional(),
  /** The binding deadline now: `extendedBy` once extended, else `respondBy`. */
  dueAt: date,
  dueDate: z.string(),
  pausedDays: z.int().min(0),
  /** The clock is paused right now (an open lawful pause). */
  paused: z.boolean(),
  /** Why recorded pauses did not move the deadline. */
  ignoredPauses: z.array(z.string()),
  rule: z.string(),
});

/**
 * The deadlines of a request at its last change.
 *
 * @example
 * ```ts
 * import type { DsrDeadlineSnapshot } from "@lawful/dsr";
 * const overdue = (d: DsrDeadlineSnapshot, now: Date) => !d.paused && d.dueAt < now;
 * ```
 */
export type DsrDeadlineSnapshot = z.infer<typeof DsrDeadlineSnapshotSchema>;

/**
 * Schema of one entry of a request's transition history.
 *
 * @example
 * ```ts
 * import { DsrHistoryEntrySchema } from "@lawful/dsr";
 * DsrHistoryEntrySchema.shape.action;
 * ```
 */
export const DsrHistoryEntrySchema = z.object({
  action: z.string(),
  from: DsrStateSchema,
  to: DsrStateSchema,
  at: date,
  actor: ActorSchema,
});

/**
 * One transition of a request.
 *
 * @example
 * ```ts
 * import type { DsrHistoryEntry } from "@lawful/dsr";
 * const e: DsrHistoryEntry = { action: "verify", from: "received", to: "verified", at: new Date(), actor: { type: "system", id: "dsr" } };
 * ```
 */
export type DsrHistoryEntry = z.infer<typeof DsrHistoryEntrySchema>;

/**
 * Schema of the tracking record of one recipient notification (Art. 19).
 *
 * @example
 * ```ts
 * import { RecipientNotificationSchema } from "@lawful/dsr";
 * RecipientNotificationSchema.parse({ recipientId: "mailer", recipientName: "Mailer Inc.", event: "erasure", status: "pending_confirmation" });
 * ```
 */
export const RecipientNotificationSchema = z.object({
  recipientId: text(256),
  recipientName: text(512),
  event: z.enum(["erasure", "rectification", "restriction", "restriction_lift"]),
  status: z.enum(["confirmed", "pending_confirmation", "skipped", "failed"]),
  reason: z.string().max(2000).optional(),
  reference: z.string().max(512).optional(),
  notifiedAt: date.optional(),
  confirmedAt: date.optional(),
});

/**
 * The tracking record of one recipient notification.
 *
 * @example
 * ```ts
 * import type { RecipientNotification } from "@lawful/dsr";
 * const open = (n: RecipientNotification) => n.status === "pending_confirmation";
 * ```
 */
export type RecipientNotification = z.infer<typeof RecipientNotificationSchema>;

/**
 * Schema of a stored data-subject request.
 *
 * @example
 * ```ts
 * import { DsrRequestSchema } from "@lawful/dsr";
 * const revive = (json: unknown) => DsrRequestSchema.parse(json);
 * ```
 */
export const DsrRequestSchema = z.object({
  id: text(128),
  tenantId: TenantIdSchema,
  type: DsrRequestTypeSchema,
  regime: DsrRegimeSchema,
  state: DsrStateSchema,
  subject: SubjectRefSchema,
  /** The subject's pseudonym: used for duplicate detection and in audit events. */
  subjectKey: text(128),
  channel: RequestChannelSchema,
  receivedAt: date,
  timeZone: text(64),
  calendarId: text(64),
  details: DsrRequestDetailsSchema,
  verification: DsrVerificationSchema,
  acknowledgedAt: date.optional(),
  idReceivedAt: date.optional(),
  feeReceivedAt: date.optional(),
  pauses: z.array(DsrPauseSchema),
  extension: z.object({ reason: text(2000), notifiedAt: date, extendedAt: date }).optional(),
  denial: z
    .object({
      reason: DenialReasonSchema,
      explanation: text(4000),
      evidence: z.array(text(2000)).max(64).optional(),
      complaintInfoProvided: z.literal(true),
    })
    .optional(),
  cancellation: z.object({ reason: text(2000), duplicateOf: text(128).optional() }).optional(),
  outcome: z
    .object({
      respondedAt: date,
      nature: text(4000),
      result: z.unknown().optional(),
    })
    .optional(),
  /** Art. 19 / CCPA recipient notifications, each tracked to confirmation or a recorded reason. */
  notifications: z.array(RecipientNotificationSchema),
  history: z.array(DsrHistoryEntrySchema),
  deadlines: DsrDeadlineSnapshotSchema,
  version: z.int().min(1),
  createdAt: date,
  updatedAt: date,
});

/**
 * A data-subject request as stored: its state, deadlines, verification, pauses, extension,
 * outcome and full transition history.
 *
 * @example
 * ```ts
 * import type { DsrRequest } from "@lawful/dsr";
 * const isOpen = (r: DsrRequest) => !["completed", "partially_completed", "denied", "cancelled", "withdrawn"].includes(r.state);
 * ```
 */
export type DsrRequest = z.infer<typeof DsrRequestSchema>;
