import * as z from "zod";
import {
  AUDIT_ACTIONS,
  ActorSchema,
  ERROR_CODES,
  SubjectRefSchema,
  TenantIdSchema,
  createUuidV7Generator,
  isLawfulError,
  parseOrThrow,
  resolveTimeZone,
  systemClock,
  type Actor,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type IdGenerator,
  type Pseudonymizer,
  type SubjectRef,
} from "@lawful/core";
import type { DataSource, DataSourceContext, ExportedRecord } from "./data-source.js";
import { computeRequestDeadlines, defaultCalendarResolver, DEFAULT_CALENDAR_IDS, type CalendarResolver, type RequestDeadlineOptions } from "./deadlines.js";
import { DsrError } from "./errors.js";
import {
  CCPA_REQUEST_TYPES,
  DenialReasonSchema,
  DsrRegimeSchema,
  DsrRequestDetailsSchema,
  DsrRequestTypeSchema,
  RequestChannelSchema,
  TERMINAL_STATES,
  type DsrRequest,
  type DsrState,
  type RecipientNotification,
  type VerificationChallenge,
} from "./model.js";
import type { RecipientNotifier } from "./notifier.js";
import type {
  ConsentHistorySource,
  ObjectionRecorder,
  ProcessingInformation,
  RecipientDirectory,
  RetentionExemption,
  RetentionExemptions,
  SubjectKeyShredder,
  SuppressionList,
} from "./ports.js";
import { computeDsrMetrics, toRequestRecord, type DsrMetrics, type DsrRequestRecord } from "./records.js";
import {
  defaultComplaintRight,
  defaultRights,
  exemptionArticle,
  type AccessResult,
  type ErasureCategoryResult,
  type ErasureResult,
  type OperationResult,
} from "./results.js";
import { transition, nextState, type DsrAction } from "./state-machine.js";
import type { DsrStore, DsrTask, DsrTaskPayload } from "./store.js";
import {
  hashSecret,
  levelFromDataPoints,
  newSecret,
  requiredVerificationLevel,
  secretMatches,
  type VerificationAttemptResult,
  type VerificationLevelOverrides,
} from "./verification.js";

const SYSTEM: Actor = Object.freeze({ type: "system", id: "lawful-dsr" });
const OPEN_STATES: readonly DsrState[] = ["received", "awaiting_verification", "verified", "in_progress"];
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Options of {@link createDsrService}. Only `store`, `audit` and `pseudonymizer` are required;
 * the ports (`suppression`, `objections`, `exemptions`, `recipients`, …) are needed by the
 * request types that use them.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createMemoryAuditSink, createPseudonymizer } from "@lawful/core";
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * import type { DsrServiceOptions } from "@lawful/dsr";
 * const o: DsrServiceOptions = {
 *   store: createMemoryDsrStore(),
 *   audit: createMemoryAuditSink(),
 *   pseudonymizer: createPseudonymizer({ key: randomBytes(32) }),
 *   verificationKey: randomBytes(32),
 * };
 * ```
 */
export interface DsrServiceOptions {
  store: DsrStore;
  audit: AuditSink;
  /**
   * Turns subjects into the pseudonyms used for duplicate detection and audit events: one for all tenants,
   * or a function returning the tenant's (so the pseudonyms match those of the audit log and consent store).
   */
  pseudonymizer: Pseudonymizer | ((tenantId: string) => Pseudonymizer);
  /** @default systemClock */
  clock?: Clock | undefined;
  /** @default createUuidV7Generator({ clock }) */
  ids?: IdGenerator | undefined;
  /** @default defaultCalendarResolver */
  calendars?: CalendarResolver | undefined;
  /** Counting choices for deadlines (CCPA day count, extension origin, EU identity-pause flag). @default {} */
  deadlines?: Omit<RequestDeadlineOptions, "calendar" | "now"> | undefined;
  /** HMAC key (≥ 32 bytes) for one-time codes and link tokens; required for e-mail verification. */
  verificationKey?: Uint8Array | undefined;
  /** Lifetime of a one-time code or link. @default 15 minutes */
  verificationLifetimeMs?: number | undefined;
  /** Failed attempts before the challenge locks. @default 5 */
  verificationMaxAttempts?: number | undefined;
  /** Overrides of the verification level per regime and type. @default {} */
  verificationLevels?: VerificationLevelOverrides | undefined;
  /** Requests of the same type by the same subject within this many days are linked, not run twice. @default 30 */
  duplicateWindowDays?: number | undefined;
  /** Request records are kept at least this many months (minimum 24, CCPA §7101). @default 24 */
  recordRetentionMonths?: number | undefined;
  dataSources?: readonly DataSource[] | undefined;
  suppression?: SuppressionList | undefined;
  objections?: ObjectionRecorder | undefined;
  exemptions?: RetentionExemptions | undefined;
  recipients?: RecipientDirectory | undefined;
  notifier?: RecipientNotifier | undefined;
  shredder?: SubjectKeyShredder | undefined;
  consentHistory?: ConsentHistorySource | undefined;
  processingInfo?: ProcessingInformation | undefined;
  /** Retries per task before it is dead. @default 5 */
  taskMaxAttempts?: number | undefined;
  /** First retry delay; doubles per attempt. @default 30 seconds */
  taskBackoffMs?: number | undefined;
  /** Longest retry delay. @default 1 hour */
  taskBackoffMaxMs?: number | undefined;
}

/**
 * Schema of the input of {@link DsrService.submit}.
 *
 * @example
 * ```ts
 * import { SubmitRequestInputSchema } from "@lawful/dsr";
 * SubmitRequestInputSchema.parse({ tenantId: "acme", type: "access", regime: "EU", subject: { kind: "email", value: "a@example.com" }, channel: "web_form", timeZone: "Europe/Berlin" });
 * ```
 */
export const SubmitRequestInputSchema = z
  .object({
    tenantId: TenantIdSchema,
    type: DsrRequestTypeSchema,
    regime: DsrRegimeSchema,
    subject: SubjectRefSchema,
    channel: RequestChannelSchema,
    /** When the request reached any channel of the controller. @default clock.now() */
    receivedAt: z.coerce.date().optional(),
    /** The controller's IANA time zone. */
    timeZone: z.string().refine((tz) => resolveTimeZone(tz) !== undefined, "must be an IANA time zone such as Europe/Berlin"),
    /** Holiday calendar id (EU: the Member State, e.g. "DE"). @default DEFAULT_CALENDAR_IDS[regime] */
    calendarId: z.string().min(1).max(64).optional(),
    details: DsrRequestDetailsSchema.optional(),
    actor: ActorSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const ccpa = CCPA_REQUEST_TYPES.includes(input.type);
    if (ccpa !== (input.regime === "US-CA")) {
      ctx.addIssue({ code: "custom", path: ["type"], message: ccpa ? "CCPA request types need regime US-CA" : "regime US-CA takes only the ccpa_* request types" });
    }
    if (input.type === "objection" && !input.details?.objectionScope) {
      ctx.addIssue({ code: "custom", path: ["details", "objectionScope"], message: "an objection needs its scope (direct_marketing, legitimate_interests or public_task)" });
    }
    if ((input.type === "rectification" || input.type === "ccpa_correct") && !(input.details?.rectifications?.length)) {
      ctx.addIssue({ code: "custom", path: ["details", "rectifications"], message: "a rectification needs at least one change" });
    }
  });

/**
 * Input of {@link DsrService.submit}.
 *
 * @example
 * ```ts
 * import type { SubmitRequestInput } from "@lawful/dsr";
 * const i: SubmitRequestInput = { tenantId: "acme", type: "erasure", regime: "EU", subject: { kind: "email", value: "a@example.com" }, channel: "email", timeZone: "Europe/Berlin", calendarId: "DE" };
 * ```
 */
export type SubmitRequestInput = z.input<typeof SubmitRequestInputSchema>;

/**
 * What {@link DsrService.work} did in one round.
 *
 * @example
 * ```ts
 * import type { WorkReport } from "@lawful/dsr";
 * const idle = (r: WorkReport) => r.claimed === 0;
 * ```
 */
export interface WorkReport {
  claimed: number;
  completed: number;
  retried: number;
  dead: number;
  /** Tasks whose lease was lost to another worker before completion (their result was discarded). */
  lost: number;
  finalized: string[];
}

/**
 * The data-subject request workflow: submit, verify, extend, pause, deny, start the fan-out, work
 * the queue, complete, and query deadlines, records and metrics. Every state change writes one
 * audit event (`request.transitioned`) with the subject's pseudonym, never the subject in clear.
 *
 * @example
 * ```ts
 * import type { DsrService } from "@lawful/dsr";
 * declare const dsr: DsrService;
 * const { request } = await dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: { kind: "email", value: "a@example.com" }, channel: "web_form", timeZone: "Europe/Berlin" });
 * ```
 */
export interface DsrService {
  /** Record a new request (any channel), compute its deadlines, link duplicates, and run requests that need no verification and no fan-out (opt-outs, objections to direct marketing) at once. */
  submit(input: SubmitRequestInput): Promise<{ request: DsrRequest; duplicateOf?: string | undefined }>;
  /** The request. @throws DsrError `NOT_FOUND` */
  get(tenantId: string, id: string): Promise<DsrRequest>;
  /** Requests matching the query, by receipt. */
  list(tenantId: string, query?: Parameters<DsrStore["listRequests"]>[1]): Promise<DsrRequest[]>;
  /** Record that receipt was confirmed to the person (CCPA: within 10 business days). */
  acknowledge(tenantId: string, id: string, actor?: Actor): Promise<DsrRequest>;
  /** Issue an e-mail one-time code (or link token); returns the secret to deliver. A new secret replaces a live one but keeps its failed attempts (and its lock). EU: pauses the clock unless `pauseClock: false` (guarded, A3). */
  requestVerification(
    tenantId: string,
    id: string,
    options?: { kind?: "code" | "link" | undefined; pauseClock?: boolean | undefined; actor?: Actor | undefined },
  ): Promise<{ request: DsrRequest; secret: string; expiresAt: Date }>;
  /** Check a one-time code or link token: constant-time, 15-minute lifetime, locked after 5 failures. */
  submitVerificationSecret(tenantId: string, id: string, secret: string): Promise<VerificationAttemptResult>;
  /** Verify through an already-authenticated session of the same subject; re-authentication within 15 minutes gives level high. */
  verifySession(
    tenantId: string,
    id: string,
    session: { subject: SubjectRef; authenticatedAt: Date; reauthenticatedAt?: Date | undefined },
    actor?: Actor,
  ): Promise<DsrRequest>;
  /** Verify by manual review: matched data points, signed declaration and evidence decide the level. */
  verifyManually(
    tenantId: string,
    id: string,
    review: { dataPointsMatched: number; declarationSigned: boolean; evidence: readonly string[]; reviewer: string },
    actor?: Actor,
  ): Promise<DsrRequest>;
  /** Move a verified request to in_progress and enqueue one task per data source and per recipient. */
  start(tenantId: string, id: string, actor?: Actor): Promise<DsrRequest>;
  /** Extend once, with a reason, notified before the original deadline (A1/A5). */
  extend(tenantId: string, id: string, extension: { reason: string; notifiedAt: Date }, actor?: Actor): Promise<DsrRequest>;
  /** Pause the clock (EU identity, UK clarification; never CCPA/LGPD). */
  pause(tenantId: string, id: string, reason: "identity" | "clarification" | "fee" | "other", actor?: Actor): Promise<DsrRequest>;
  /** Close the open pause. */
  resume(tenantId: string, id: string, actor?: Actor): Promise<DsrRequest>;
  /** Record receipt of a fee (UK: moves the clock start, A4). */
  receiveFee(tenantId: string, id: string, actor?: Actor): Promise<DsrRequest>;
  /** Deny with a reason from the fixed taxonomy and an explanation; complaint information is recorded as given. */
  deny(tenantId: string, id: string, denial: { reason: string; explanation: string; evidence?: readonly string[] | undefined }, actor?: Actor): Promise<DsrRequest>;
  /** Cancel before processing starts (e.g. a duplicate). */
  cancel(tenantId: string, id: string, reason: string, actor?: Actor): Promise<DsrRequest>;
  /** The person withdrew the request. */
  withdraw(tenantId: string, id: string, actor?: Actor): Promise<DsrRequest>;
  /** Complete by hand (e.g. an automated-decision contest after human review). */
  complete(tenantId: string, id: string, outcome: { nature: string; result?: unknown; partial?: boolean | undefined }, actor?: Actor): Promise<DsrRequest>;
  /** Claim and run up to `limit` queued tasks; finalizes requests whose tasks are all finished. */
  work(options: { workerId: string; limit?: number | undefined; leaseMs?: number | undefined }): Promise<WorkReport>;
  /** Record a recipient's confirmation, or why it was skipped. */
  confirmRecipientNotification(
    tenantId: string,
    id: string,
    recipientId: string,
    outcome: { status: "confirmed" } | { status: "skipped"; reason: "impossible" | "disproportionate" },
    actor?: Actor,
  ): Promise<DsrRequest>;
  /** Open requests past their binding deadline (paused requests excluded). */
  overdue(tenantId: string, now?: Date): Promise<DsrRequest[]>;
  /** Open requests due within `withinDays` (not yet overdue). */
  dueSoon(tenantId: string, withinDays?: number, now?: Date): Promise<DsrRequest[]>;
  /** Open requests whose acknowledgement (CCPA 10 business days) is not yet recorded, earliest due first. */
  acknowledgementsDue(tenantId: string): Promise<DsrRequest[]>;
  /**
   * How many requests of the subject (optionally of some types) were received in the last `months`
   * months, for Art. 12(5) "excessive" and the CCPA twice-in-12-months limit (C2). Cancelled
   * duplicates are not counted.
   */
  countRecentRequests(
    tenantId: string,
    subject: SubjectRef,
    options?: { months?: number | undefined; types?: readonly DsrRequest["type"][] | undefined; now?: Date | undefined },
  ): Promise<number>;
  /**
   * Delete a closed request and its tasks for good once its record may go: not before the record's
   * `retainUntil` (24 months after the response, CCPA §7101, or `recordRetentionMonths`). For a
   * retention rule over request records. Audited as `request.deleted`.
   * @throws DsrError `NOT_FOUND`; `ILLEGAL_TRANSITION` while the request is open; `POLICY_VIOLATION`
   * before `retainUntil`; `UNSUPPORTED` when the store cannot delete requests
   */
  purge(tenantId: string, id: string, actor?: Actor): Promise<void>;
  /** CCPA §7101 records of the requests received in [from, to). */
  records(tenantId: string, range?: { from?: Date | undefined; to?: Date | undefined }): Promise<DsrRequestRecord[]>;
  /** Metrics by type and outcome for the requests received in [from, to). */
  metrics(tenantId: string, range?: { from?: Date | undefined; to?: Date | undefined }): Promise<DsrMetrics>;
}

const OptionsSchema = z.object({
  store: z.custom<DsrStore>((v) => typeof v === "object" && v !== null && typeof (v as DsrStore).insertRequest === "function", {
    message: "must be a DsrStore",
  }),
  audit: z.custom<AuditSink>((v) => typeof v === "object" && v !== null && typeof (v as AuditSink).record === "function", { message: "must be an AuditSink" }),
  pseudonymizer: z.custom<Pseudonymizer | ((tenantId: string) => Pseudonymizer)>(
    (v) => typeof v === "function" || (typeof v === "object" && v !== null && typeof (v as Pseudonymizer).pseudonym === "function"),
    { message: "must be a Pseudonymizer (core's createPseudonymizer) or a function of the tenant id returning one" },
  ),
  verificationKey: z
    .custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength >= 32, { message: "must be a Uint8Array of at least 32 bytes" })
    .optional(),
  verificationLifetimeMs: z.int().min(MINUTE).max(24 * 60 * MINUTE).optional(),
  verificationMaxAttempts: z.int().min(1).max(20).optional(),
  duplicateWindowDays: z.int().min(0).max(366).optional(),
  recordRetentionMonths: z.int().min(24).max(1200).optional(),
  taskMaxAttempts: z.int().min(1).max(100).optional(),
  taskBackoffMs: z.int().min(0).optional(),
  taskBackoffMaxMs: z.int().min(0).optional(),
  dataSources: z
    .array(
      z.custom<DataSource>((v) => typeof v === "object" && v !== null && typeof (v as DataSource).id === "string" && typeof (v as DataSource).erase === "function", {
        message: "must be a DataSource",
      }),
    )
    .optional(),
});

function errorText(e: unknown): string {
  if (isLawfulError(e)) return `${e.code}: ${e.message}`.slice(0, 2000);
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 2000);
  return "unknown error";
}

function missingPort(port: string, type: string): DsrError {
  return new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `Request type ${type} needs the "${port}" option of createDsrService().`);
}

/**
 * Create the data-subject request service.
 *
 * @throws DsrError `INVALID_CONFIGURATION` for bad options.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createMemoryAuditSink, createPseudonymizer } from "@lawful/core";
 * import { createDsrService } from "@lawful/dsr";
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * const dsr = createDsrService({ store: createMemoryDsrStore(), audit: createMemoryAuditSink(), pseudonymizer: createPseudonymizer({ key: randomBytes(32) }) });
 * ```
 */
export function createDsrService(options: DsrServiceOptions): DsrService {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, "Invalid createDsrService() options; see issues.", {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message, code: i.code })),
    });
  }
  const o = Object.freeze({ ...options });
  const pseudonymOf = (tenantId: string, subject: SubjectRef): string =>
    (typeof o.pseudonymizer === "function" ? o.pseudonymizer(tenantId) : o.pseudonymizer).pseudonym(subject);
  const store = o.store;
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? createUuidV7Generator({ clock });
  const calendars = o.calendars ?? defaultCalendarResolver;
  const lifetime = o.verificationLifetimeMs ?? 15 * MINUTE;
  const maxAttempts = o.verificationMaxAttempts ?? 5;
  const windowDays = o.duplicateWindowDays ?? 30;
  const sources = new Map((o.dataSources ?? []).map((s) => [s.id, s] as const));
  const taskMax = o.taskMaxAttempts ?? 5;
  const backoff = o.taskBackoffMs ?? 30_000;
  const backoffMax = o.taskBackoffMaxMs ?? 3_600_000;

  const refresh = (r: DsrRequest, at: Date): DsrRequest => ({
    ...r,
    deadlines: computeRequestDeadlines(r, { ...(o.deadlines ?? {}), calendar: calendars(r.calendarId), now: at }),
  });

  const auditEvent = (r: DsrRequest, at: Date, actor: Actor, details: Record<string, unknown>, action: string = AUDIT_ACTIONS.REQUEST_TRANSITIONED): AuditEventInput => ({
    tenantId: r.tenantId,
    action,
    actor,
    occurredAt: at,
    subjectPseudonym: r.subjectKey,
    correlationId: r.id,
    outcome: r.state === "denied" ? "denied" : "succeeded",
    details: { requestId: r.id, type: r.type, regime: r.regime, state: r.state, dueDate: r.deadlines.dueDate, ...details },
  });

  async function load(tenantId: string, id: string): Promise<DsrRequest> {
    const r = await store.getRequest(tenantId, id);
    if (!r) throw new DsrError(ERROR_CODES.NOT_FOUND, `Request ${id} does not exist in tenant ${tenantId}.`);
    return r;
  }

  /** Load, transform, store with optimistic concurrency (retrying on conflicts), then audit. */
  async function mutate(
    tenantId: string,
    id: string,
    fn: (current: DsrRequest, at: Date) => { next: DsrRequest; audit: Record<string, unknown>; actor: Actor; auditAction?: string | undefined },
  ): Promise<DsrRequest> {
    for (let attempt = 0; ; attempt++) {
      const at = clock.now();
      const current = refresh(await load(tenantId, id), at);
      const { next, audit, actor, auditAction } = fn(current, at);
      if (next === current) return current;
      const saved = refresh(next, at);
      try {
        await store.updateRequest(saved);
      } catch (e) {
        if (isLawfulError(e) && e.code === ERROR_CODES.CONFLICT && attempt < 8) continue;
        throw e;
      }
      await o.audit.record(auditEvent(saved, at, actor, audit, auditAction));
      return saved;
    }
  }

  const apply = (tenantId: string, id: string, action: DsrAction, extra: Record<string, unknown> = {}) =>
    mutate(tenantId, id, (current, at) => ({
      next: transition(current, action, at),
      actor: action.actor,
      audit: { action: action.type, from: current.state, to: nextState(current.state, action.type), ...extra },
    }));

  async function submit(input: SubmitRequestInput): Promise<{ request: DsrRequest; duplicateOf?: string | undefined }> {
    const i = parseOrThrow(SubmitRequestInputSchema, input, "data-subject request", DsrError);
    const now = clock.now();
    const receivedAt = i.receivedAt ?? now;
    const actor = i.actor ?? SYSTEM;
    const subjectKey = pseudonymOf(i.tenantId, i.subject);
    const base: DsrRequest = {
      id: ids(),
      tenantId: i.tenantId,
      type: i.type,
      regime: i.regime,
      state: "received",
      subject: i.subject,
      subjectKey,
      channel: i.channel,
      receivedAt,
      timeZone: i.timeZone,
      calendarId: i.calendarId ?? DEFAULT_CALENDAR_IDS[i.regime],
      details: i.details ?? {},
      verification: { requiredLevel: requiredVerificationLevel(i.regime, i.type, o.verificationLevels) },
      pauses: [],
      notifications: [],
      history: [{ action: "submit", from: "received", to: "received", at: now, actor }],
      // placeholder, replaced by refresh() below
      deadlines: { clockStartedAt: receivedAt, respondBy: receivedAt, respondByDate: "", dueAt: receivedAt, dueDate: "", pausedDays: 0, paused: false, ignoredPauses: [], rule: "" },
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    calendars(base.calendarId); // fail early on an unknown calendar
    const request = refresh(base, now);
    const earlier = windowDays === 0
      ? []
      : (await store.listRequests(i.tenantId, { subjectKey, types: [i.type], states: OPEN_STATES, receivedFrom: new Date(receivedAt.getTime() - windowDays * DAY) })).filter(
          (r) => r.receivedAt.getTime() <= receivedAt.getTime(),
        );
    await store.insertRequest(request);
    await o.audit.record(auditEvent(request, now, actor, { action: "submit", from: null, to: "received", channel: i.channel }));
    const original = earlier[0];
    if (original) {
      const cancelled = await apply(i.tenantId, request.id, { type: "cancel", actor: SYSTEM, reason: "duplicate of an open request", duplicateOf: original.id }, { duplicateOf: original.id });
      return { request: cancelled, duplicateOf: original.id };
    }
    if (request.verification.requiredLevel === "none") {
      let r = await apply(i.tenantId, request.id, { type: "verify", actor: SYSTEM, method: "not_required", level: "none" });
      if (isImmediate(r)) r = await start(i.tenantId, r.id, SYSTEM);
      return { request: r };
    }
    return { request };
  }

  function isImmediate(r: DsrRequest): boolean {
    return r.type === "ccpa_opt_out" || r.type === "ccpa_limit" || (r.type === "objection" && r.details.objectionScope === "direct_marketing");
  }

  function scopeCategories(r: DsrRequest, source: DataSource): string[] {
    const wanted = r.details.categories;
    if (!wanted || wanted.length === 0) return [...source.categories];
    return source.categories.filter((c) => wanted.some((w) => c === w || c.startsWith(`${w}.`) || w.startsWith(`${c}.`)));
  }

  async function planTasks(r: DsrRequest, at: Date): Promise<DsrTask[]> {
    const tasks: DsrTask[] = [];
    const task = (payload: DsrTaskPayload, key: string): DsrTask => ({
      id: ids(),
      tenantId: r.tenantId,
      requestId: r.id,
      idempotencyKey: `${r.tenantId}:${r.id}:${key}`,
      payload,
      status: "pending",
      attempts: 0,
      maxAttempts: taskMax,
      availableAt: at,
      createdAt: at,
      updatedAt: at,
    });
    const op = ((): Extract<DsrTaskPayload, { kind: "source" }>["operation"] | undefined => {
      switch (r.type) {
        case "access":
        case "portability":
        case "ccpa_know_specific":
          return "export";
        case "ccpa_know_categories":
          return "locate";
        case "rectification":
        case "ccpa_correct":
          return "rectify";
        case "erasure":
        case "ccpa_delete":
          return "erase";
        case "restriction":
        case "objection":
          return "restrict";
        case "restriction_lift":
          return "lift_restriction";
        default:
          return undefined;
      }
    })();
    if (op === undefined) return tasks;
    const all = new Set<string>();
    for (const source of sources.values()) {
      const categories = op === "rectify" ? (r.details.rectifications ?? []).map((x) => x.category).filter((c) => source.categories.includes(c)) : scopeCategories(r, source);
      if (op === "rectify" && categories.length === 0) continue;
      categories.forEach((c) => all.add(c));
      tasks.push(task({ kind: "source", sourceId: source.id, operation: op, categories }, `source:${source.id}:${op}`));
    }
    const event = ({ erase: "erasure", rectify: "rectification", restrict: "restriction", lift_restriction: "restriction_lift" } as const)[op as "erase"];
    if (event && r.type !== "objection") {
      if (!o.recipients) return tasks;
      const list = await o.recipients.recipientsFor(r.tenantId, r.subject, [...all]);
      for (const rec of list) {
        tasks.push(
          task(
            {
              kind: "notify_recipient",
              event,
              categories: rec.categories.filter((c) => all.size === 0 || all.has(c) || [...all].some((a) => a.startsWith(`${c}.`) || c.startsWith(`${a}.`))),
              recipient: {
                id: rec.id,
                name: rec.name,
                channel: rec.channel,
                categories: [...rec.categories],
                ...(rec.endpoint ? { endpoint: rec.endpoint } : {}),
                ...(rec.country ? { country: rec.country } : {}),
                ...(rec.role ? { role: rec.role } : {}),
              },
            },
            `notify:${rec.id}:${event}`,
          ),
        );
      }
    }
    return tasks;
  }

  async function start(tenantId: string, id: string, actor: Actor = SYSTEM): Promise<DsrRequest> {
    const current = await load(tenantId, id);
    if (nextState(current.state, "start") === undefined) {
      return apply(tenantId, id, { type: "start", actor }); // throws ILLEGAL_TRANSITION
    }
    const at = clock.now();
    if (isImmediate(current)) {
      await runImmediate(current, at);
      const started = await apply(tenantId, id, { type: "start", actor });
      return apply(tenantId, started.id, { type: "complete", actor: SYSTEM, nature: immediateNature(current) });
    }
    if (current.type === "objection") {
      if (!o.objections) throw missingPort("objections", current.type);
      await o.objections.record({
        tenantId,
        subject: current.subject,
        kind: current.details.objectionScope ?? "legitimate_interests",
        purpose: current.details.purpose,
        requestId: id,
        at,
      });
    }
    if (current.type === "restriction_lift" && current.details.subjectNotifiedAt === undefined) {
      throw new DsrError(ERROR_CODES.POLICY_VIOLATION, "A restriction may only be lifted after the person was told (GDPR Art. 18(3)); set details.subjectNotifiedAt.", {
        issues: [{ path: ["details", "subjectNotifiedAt"], message: "required before lifting a restriction", code: "policy" }],
      });
    }
    const tasks = await planTasks(current, at);
    await store.enqueueTasks(tasks);
    const started = await apply(tenantId, id, { type: "start", actor }, { tasks: tasks.length });
    if (tasks.length === 0 && started.type !== "automated_decision_contest") return finalize(tenantId, id);
    return started;
  }

  function immediateNature(r: DsrRequest): string {
    if (r.type === "ccpa_opt_out") return "opted out of sale and sharing (11 CCR §7026)";
    if (r.type === "ccpa_limit") return "use of sensitive personal information limited (11 CCR §7027)";
    return "objection to direct marketing honoured immediately; subject suppressed (GDPR Art. 21(2)-(3))";
  }

  async function runImmediate(r: DsrRequest, at: Date): Promise<void> {
    if (!o.objections) throw missingPort("objections", r.type);
    const kind = r.type === "ccpa_opt_out" ? "ccpa_opt_out_sale_sharing" : r.type === "ccpa_limit" ? "ccpa_limit_sensitive" : "direct_marketing";
    await o.objections.record({ tenantId: r.tenantId, subject: r.subject, kind, purpose: r.details.purpose, requestId: r.id, at });
    if (r.type === "objection") {
      if (!o.suppression) throw missingPort("suppression", r.type);
      await o.suppression.suppress(r.tenantId, r.subject, "objection");
    }
  }

  async function runTask(task: DsrTask, r: DsrRequest): Promise<unknown> {
    const ctx: DataSourceContext = { tenantId: r.tenantId, subject: r.subject, requestId: r.id, idempotencyKey: task.idempotencyKey, attempt: task.attempts };
    const p = task.payload;
    if (p.kind === "notify_recipient") {
      if (!o.notifier) throw missingPort("notifier", r.type);
      const res = await o.notifier.notify({
        tenantId: r.tenantId,
        requestId: r.id,
        recipient: p.recipient,
        event: p.event,
        categories: p.categories,
        subject: r.subject,
        idempotencyKey: task.idempotencyKey,
      });
      return res;
    }
    const source = sources.get(p.sourceId);
    if (!source) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `No data source "${p.sourceId}" is configured in this worker.`);
    const categories = p.categories ?? [...source.categories];
    switch (p.operation) {
      case "locate":
        return source.locate(ctx);
      case "export":
        return { records: await source.export(ctx, { categories }) };
      case "rectify":
        return source.rectify(ctx, { rectifications: (r.details.rectifications ?? []).filter((x) => source.categories.includes(x.category)) });
      case "restrict":
        return { restricted: await source.restrict(ctx, { categories, lift: false }) };
      case "lift_restriction":
        return { lifted: await source.restrict(ctx, { categories, lift: true }) };
      case "erase": {
        // exemptions are evaluated when the data are about to be erased (a hold placed after start counts)
        const exemptions: Record<string, RetentionExemption[]> = {};
        for (const c of categories) {
          const list = o.exemptions ? await o.exemptions.exemptionsFor(r.tenantId, r.subject, c) : [];
          if (list.length > 0) exemptions[c] = list.map((e) => ({ ...e }));
        }
        const keep = categories.filter((c) => exemptions[c]);
        const erase = categories.filter((c) => !exemptions[c]);
        // restrict first: erasing may hash the column the subject is found by
        const restricted = keep.length > 0 ? await source.restrict(ctx, { categories: keep, lift: false }) : {};
        const erased = erase.length > 0 ? await source.erase(ctx, { categories: erase }) : {};
        return {
          erased,
          restricted,
          exemptions: Object.fromEntries(
            Object.entries(exemptions).map(([c, list]) => [c, list.map((e) => ({ ...e, ...(e.until ? { until: e.until.toISOString() } : {}) }))]),
          ),
        };
      }
    }
  }

  const auditForTask = (task: DsrTask, r: DsrRequest, at: Date, workerId: string): AuditEventInput | undefined => {
    const p = task.payload;
    const actor: Actor = { type: "system", id: workerId.slice(0, 256) };
    if (p.kind === "notify_recipient") {
      return { ...auditEvent(r, at, actor, { taskId: task.id, recipientId: p.recipient.id, event: p.event }, "request.recipient_notified"), recipient: { partyId: p.recipient.id } };
    }
    const action =
      p.operation === "erase"
        ? AUDIT_ACTIONS.DATA_DELETED
        : p.operation === "restrict" || p.operation === "lift_restriction"
          ? AUDIT_ACTIONS.DATA_RESTRICTED
          : p.operation === "rectify"
            ? AUDIT_ACTIONS.DATA_UPDATED
            : AUDIT_ACTIONS.DATA_ACCESSED;
    return {
      ...auditEvent(r, at, actor, { taskId: task.id, operation: p.operation, sourceId: p.sourceId }, action),
      target: { system: p.sourceId, recordType: "subject", ...(p.categories ? { fields: p.categories.slice(0, 256) } : {}) },
    };
  };

  async function work(opts: { workerId: string; limit?: number | undefined; leaseMs?: number | undefined }): Promise<WorkReport> {
    const report: WorkReport = { claimed: 0, completed: 0, retried: 0, dead: 0, lost: 0, finalized: [] };
    const claimed = await store.claimTasks({ workerId: opts.workerId, limit: opts.limit ?? 10, now: clock.now(), leaseMs: opts.leaseMs ?? 5 * MINUTE });
    report.claimed = claimed.length;
    const touched = new Map<string, { tenantId: string; id: string }>();
    for (const task of claimed) {
      const r = await store.getRequest(task.tenantId, task.requestId);
      if (!r || r.state !== "in_progress") {
        if (await store.completeTask({ taskId: task.id, workerId: opts.workerId, now: clock.now(), result: { skipped: `request is ${r?.state ?? "missing"}` } })) report.completed++;
        else report.lost++;
        continue;
      }
      touched.set(`${r.tenantId}\u0000${r.id}`, { tenantId: r.tenantId, id: r.id });
      try {
        const result = await runTask(task, r);
        const ok = await store.completeTask({ taskId: task.id, workerId: opts.workerId, now: clock.now(), result: result ?? null });
        if (ok) {
          report.completed++;
          const ev = auditForTask(task, r, clock.now(), opts.workerId);
          if (ev) await o.audit.record(ev);
        } else report.lost++;
      } catch (e) {
        const now = clock.now();
        const retry = task.attempts < task.maxAttempts;
        const delay = Math.min(backoffMax, backoff * 2 ** Math.max(0, task.attempts - 1));
        const ok = await store.failTask({ taskId: task.id, workerId: opts.workerId, now, error: errorText(e), retryAt: retry ? new Date(now.getTime() + delay) : undefined });
        if (!ok) report.lost++;
        else if (retry) report.retried++;
        else report.dead++;
      }
    }
    for (const { tenantId, id } of touched.values()) {
      const tasks = await store.listTasks(tenantId, id);
      if (tasks.every((t) => t.status === "done" || t.status === "dead")) {
        const r = await finalize(tenantId, id);
        if (TERMINAL_STATES.includes(r.state)) report.finalized.push(id);
      }
    }
    return report;
  }

  async function finalize(tenantId: string, id: string): Promise<DsrRequest> {
    const r = await load(tenantId, id);
    if (r.state !== "in_progress") return r;
    const tasks = await store.listTasks(tenantId, id);
    const sourceTasks = tasks.filter((t): t is DsrTask & { payload: Extract<DsrTaskPayload, { kind: "source" }> } => t.payload.kind === "source");
    const notifications: RecipientNotification[] = tasks.flatMap((t): RecipientNotification[] => {
      if (t.payload.kind !== "notify_recipient") return [];
      const base = { recipientId: t.payload.recipient.id, recipientName: t.payload.recipient.name, event: t.payload.event };
      if (t.status === "dead") return [{ ...base, status: "failed" as const, reason: (t.lastError ?? "failed").slice(0, 2000) }];
      const res = t.result as { status: "confirmed" | "pending_confirmation" | "skipped"; reason?: string; explanation?: string; reference?: string };
      return [
        {
          ...base,
          status: res.status,
          ...(t.completedAt ? { notifiedAt: t.completedAt } : {}),
          ...(res.status === "confirmed" && t.completedAt ? { confirmedAt: t.completedAt } : {}),
          ...(res.status === "skipped" ? { reason: `${res.reason ?? "skipped"}: ${res.explanation ?? ""}`.slice(0, 2000) } : {}),
          ...(res.reference ? { reference: res.reference.slice(0, 512) } : {}),
        },
      ];
    });
    const failed = sourceTasks.filter((t) => t.status === "dead").map((t) => ({ sourceId: t.payload.sourceId, error: t.lastError ?? "failed" }));
    let result: ErasureResult | AccessResult | OperationResult | Record<string, unknown>;
    let partial = failed.length > 0;
    let nature: string;
    if (r.type === "erasure" || r.type === "ccpa_delete") {
      const byCategory = new Map<string, ErasureCategoryResult>();
      const entry = (c: string) => {
        let e = byCategory.get(c);
        if (!e) byCategory.set(c, (e = { category: c, outcome: "not_found", records: 0, sources: [], exemptions: [] }));
        return e;
      };
      for (const t of sourceTasks) {
        if (t.status === "dead") {
          for (const c of t.payload.categories ?? []) {
            const e = entry(c);
            e.outcome = "failed";
            e.sources.push(t.payload.sourceId);
          }
          continue;
        }
        const res = t.result as { erased: Record<string, number>; restricted: Record<string, number>; exemptions: Record<string, ErasureCategoryResult["exemptions"]> };
        for (const c of t.payload.categories ?? []) {
          const e = entry(c);
          const held = res.exemptions[c];
          if (held) {
            const n = res.restricted[c] ?? 0;
            e.records += n;
            if (n > 0 && e.outcome !== "failed") e.outcome = "kept_restricted";
            for (const x of held) if (!e.exemptions.some((y) => y.ruleId === x.ruleId)) e.exemptions.push({ ...x, article: exemptionArticle(x.kind) });
          } else {
            const n = res.erased[c] ?? 0;
            e.records += n;
            if (n > 0 && e.outcome === "not_found") e.outcome = "erased";
          }
          if (!e.sources.includes(t.payload.sourceId)) e.sources.push(t.payload.sourceId);
        }
      }
      if (o.shredder) await o.shredder.shred(tenantId, r.subjectKey);
      if (o.suppression) await o.suppression.suppress(tenantId, r.subject, "erasure");
      if (o.shredder) {
        await o.audit.record(auditEvent(r, clock.now(), SYSTEM, { reason: "erasure" }, AUDIT_ACTIONS.KEY_SHREDDED));
      }
      const categories = [...byCategory.values()].sort((a, b) => (a.category < b.category ? -1 : 1));
      partial ||= categories.some((c) => c.outcome === "kept_restricted");
      result = { kind: "erasure", categories, failedSources: failed, keyShredded: o.shredder !== undefined, suppressed: o.suppression !== undefined } satisfies ErasureResult;
      nature = partial ? "erased except data under a retention duty or legal hold, which are restricted (GDPR Art. 17(3)(b), (e))" : "all personal data erased";
    } else if (r.type === "access" || r.type === "portability" || r.type === "ccpa_know_categories" || r.type === "ccpa_know_specific") {
      result = await buildAccess(r, sourceTasks);
      nature = r.type === "portability" ? "data provided and observed, in a structured machine-readable form" : "confirmation, information and copy of the data";
    } else {
      const kind = r.type === "rectification" || r.type === "ccpa_correct" ? "rectification" : r.type === "restriction_lift" ? "restriction_lift" : r.type === "objection" ? "objection" : "restriction";
      result = {
        kind,
        sources: sourceTasks.map((t) =>
          t.status === "dead" ? { sourceId: t.payload.sourceId, status: "failed" as const, error: t.lastError } : { sourceId: t.payload.sourceId, status: "ok" as const, detail: t.result },
        ),
      } satisfies OperationResult;
      nature = `${kind.replace("_", " ")} applied`;
    }
    const at = clock.now();
    return mutate(tenantId, id, (current, now) => {
      if (current.state !== "in_progress") return { next: current, actor: SYSTEM, audit: {} };
      const action: DsrAction = { type: partial ? "complete_partially" : "complete", actor: SYSTEM, nature, result };
      const next = transition({ ...current, notifications }, action, now);
      return { next, actor: SYSTEM, audit: { action: action.type, from: current.state, to: next.state, failedSources: failed.length, finalizedAt: at.toISOString() } };
    }).catch(async (e: unknown) => {
      // another worker finalized first
      if (isLawfulError(e) && e.code === ERROR_CODES.CONFLICT) return load(tenantId, id);
      throw e;
    });
  }

  async function buildAccess(r: DsrRequest, sourceTasks: (DsrTask & { payload: Extract<DsrTaskPayload, { kind: "source" }> })[]): Promise<AccessResult> {
    const data: AccessResult["data"] = [];
    const found = new Set<string>();
    for (const t of sourceTasks) {
      if (t.status !== "done") continue;
      if (t.payload.operation === "locate") {
        for (const c of (t.result as { categories: string[] }).categories) found.add(c);
        continue;
      }
      for (const rec of (t.result as { records: ExportedRecord[] }).records) {
        if (r.type === "portability" && rec.provenance !== "provided" && rec.provenance !== "observed") continue;
        found.add(rec.category);
        data.push({ ...rec, sourceId: t.payload.sourceId });
      }
    }
    const categories = [...found].sort();
    const info = o.processingInfo ? await o.processingInfo.describe(r.tenantId, r.subject, categories) : {};
    const named = o.recipients ? await o.recipients.recipientsFor(r.tenantId, r.subject, categories) : [];
    const recipients = [...(info.recipients ?? [])];
    for (const n of named) {
      if (!recipients.some((x) => x.id === n.id)) {
        recipients.push({ name: n.name, id: n.id, ...(n.country ? { country: n.country } : {}), categories: [...n.categories] });
      }
    }
    const history = o.consentHistory && r.type !== "ccpa_know_categories" ? await o.consentHistory.historyFor(r.tenantId, r.subject) : [];
    return {
      kind: r.type as AccessResult["kind"],
      requestId: r.id,
      regime: r.regime,
      generatedAt: clock.now().toISOString(),
      subject: r.subject,
      confirmation: categories.length > 0 || history.length > 0,
      sections: {
        purposes: info.purposes ?? [],
        categories: info.categories ?? categories.map((key) => ({ key })),
        recipients,
        retention: info.retention ?? [],
        rights: info.rights ?? defaultRights(r.regime),
        complaintRight: info.complaintRight ?? defaultComplaintRight(r.regime),
        sources: info.sources ?? [],
        automatedDecisions: info.automatedDecisions ?? [],
        transferSafeguards: info.transferSafeguards ?? [],
      },
      data: r.type === "ccpa_know_categories" ? [] : data,
      consentHistory: history.map((h) => ({ ...h })),
      sources: sourceTasks.map((t) => (t.status === "done" ? { sourceId: t.payload.sourceId, status: "ok" as const } : { sourceId: t.payload.sourceId, status: "failed" as const, error: t.lastError })),
    };
  }

  async function submitVerificationSecret(tenantId: string, id: string, secret: string): Promise<VerificationAttemptResult> {
    const key = o.verificationKey;
    if (!key) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, "E-mail verification needs the verificationKey option of createDsrService().");
    for (let attempt = 0; attempt < 8; attempt++) {
      const at = clock.now();
      const r = await load(tenantId, id);
      if (r.state !== "awaiting_verification") return { ok: false, reason: "not_awaiting_verification" };
      const c = r.verification.challenge;
      if (!c) return { ok: false, reason: "no_challenge" };
      if (c.lockedAt) return { ok: false, reason: "locked" };
      if (at.getTime() > c.expiresAt.getTime()) return { ok: false, reason: "expired" };
      if (typeof secret === "string" && secret.length <= 256 && secretMatches(c, key, r.id, secret)) {
        await apply(tenantId, id, { type: "verify", actor: { type: "subject", id: r.subjectKey }, method: c.kind === "code" ? "email_code" : "email_link", level: "low" });
        return { ok: true, requestId: id };
      }
      const attempts = c.attempts + 1;
      const locked = attempts >= c.maxAttempts;
      const next: DsrRequest = {
        ...r,
        verification: { ...r.verification, challenge: { ...c, attempts, ...(locked ? { lockedAt: at } : {}) } },
        version: r.version + 1,
        updatedAt: at,
      };
      try {
        await store.updateRequest(next);
      } catch (e) {
        if (isLawfulError(e) && e.code === ERROR_CODES.CONFLICT) continue;
        throw e;
      }
      await o.audit.record({
        ...auditEvent(next, at, { type: "subject", id: r.subjectKey }, { attempts, locked }, "request.verification_failed"),
        outcome: "failed",
      });
      return locked ? { ok: false, reason: "locked" } : { ok: false, reason: "mismatch", attemptsLeft: c.maxAttempts - attempts };
    }
    throw new DsrError(ERROR_CODES.CONFLICT, `Request ${id} kept changing while checking the code; try again.`);
  }

  const dateRange = (range: { from?: Date | undefined; to?: Date | undefined } = {}) => ({
    ...(range.from ? { receivedFrom: range.from } : {}),
    ...(range.to ? { receivedBefore: range.to } : {}),
  });

  const service: DsrService = {
    submit,
    get: load,
    list: (tenantId, query) => store.listRequests(tenantId, query),
    acknowledge: (tenantId, id, actor = SYSTEM) => apply(tenantId, id, { type: "acknowledge", actor }),
    async requestVerification(tenantId, id, options = {}) {
      const key = o.verificationKey;
      if (!key) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, "E-mail verification needs the verificationKey option of createDsrService().");
      const kind = options.kind ?? "code";
      const secret = newSecret(kind);
      let challenge: VerificationChallenge | undefined;
      const request = await mutate(tenantId, id, (current, at) => {
        // a new secret replaces a live one without resetting its attempts (re-sending is no way around the
        // attempt limit); a locked live challenge stays locked until it would have expired
        const live = current.verification.challenge && current.verification.challenge.expiresAt.getTime() >= at.getTime() ? current.verification.challenge : undefined;
        challenge = {
          kind,
          hash: hashSecret(key, id, secret),
          issuedAt: at,
          expiresAt: live?.lockedAt ? live.expiresAt : new Date(at.getTime() + lifetime),
          attempts: live?.attempts ?? 0,
          maxAttempts,
          ...(live?.lockedAt ? { lockedAt: live.lockedAt } : {}),
        };
        const action: DsrAction = { type: "request_verification", actor: options.actor ?? SYSTEM, challenge, pauseClock: options.pauseClock ?? true };
        return {
          next: transition(current, action, at),
          actor: action.actor,
          audit: { action: action.type, from: current.state, to: nextState(current.state, action.type), method: kind === "code" ? "email_code" : "email_link" },
        };
      });
      return { request, secret, expiresAt: challenge!.expiresAt };
    },
    submitVerificationSecret,
    async verifySession(tenantId, id, session, actor) {
      const r = await load(tenantId, id);
      const subject = parseOrThrow(SubjectRefSchema, session.subject, "session subject", DsrError);
      if (subject.kind !== r.subject.kind || subject.value !== r.subject.value) {
        throw new DsrError(ERROR_CODES.POLICY_VIOLATION, "The authenticated session belongs to a different person than the request.", {
          issues: [{ path: ["subject"], message: "does not match the request's subject", code: "policy" }],
        });
      }
      const now = clock.now();
      const fresh = session.reauthenticatedAt !== undefined && now.getTime() - session.reauthenticatedAt.getTime() <= 15 * MINUTE;
      return apply(tenantId, id, { type: "verify", actor: actor ?? { type: "subject", id: r.subjectKey }, method: "session", level: fresh ? "high" : "low" });
    },
    async verifyManually(tenantId, id, review, actor = SYSTEM) {
      const rv = parseOrThrow(
        z.object({ dataPointsMatched: z.int().min(0).max(100), declarationSigned: z.boolean(), evidence: z.array(z.string().min(1).max(2000)).min(1).max(64), reviewer: z.string().min(1).max(256) }),
        review,
        "manual verification",
        DsrError,
      );
      return apply(tenantId, id, {
        type: "verify",
        actor,
        method: "manual_review",
        level: levelFromDataPoints(rv.dataPointsMatched, rv.declarationSigned),
        dataPointsMatched: rv.dataPointsMatched,
        declarationSigned: rv.declarationSigned,
        evidence: rv.evidence,
        reviewer: rv.reviewer,
      });
    },
    start,
    async extend(tenantId, id, ext, actor = SYSTEM) {
      const e = parseOrThrow(z.object({ reason: z.string().trim().min(1).max(2000), notifiedAt: z.date() }), ext, "extension", DsrError);
      return await apply(tenantId, id, { type: "extend", actor, reason: e.reason, notifiedAt: e.notifiedAt });
    },
    pause: (tenantId, id, reason, actor = SYSTEM) => apply(tenantId, id, { type: "pause", actor, reason }, { reason }),
    resume: (tenantId, id, actor = SYSTEM) => apply(tenantId, id, { type: "resume", actor }),
    receiveFee: (tenantId, id, actor = SYSTEM) => apply(tenantId, id, { type: "receive_fee", actor }),
    async deny(tenantId, id, denial, actor = SYSTEM) {
      const d = parseOrThrow(
        z.object({ reason: DenialReasonSchema, explanation: z.string().trim().min(1).max(4000), evidence: z.array(z.string().min(1).max(2000)).max(64).optional() }),
        denial,
        "denial",
        DsrError,
      );
      return await apply(tenantId, id, { type: "deny", actor, reason: d.reason, explanation: d.explanation, evidence: d.evidence }, { reason: d.reason });
    },
    cancel: (tenantId, id, reason, actor = SYSTEM) => apply(tenantId, id, { type: "cancel", actor, reason }),
    withdraw: (tenantId, id, actor = SYSTEM) => apply(tenantId, id, { type: "withdraw", actor }),
    complete: (tenantId, id, outcome, actor = SYSTEM) =>
      apply(tenantId, id, { type: outcome.partial === true ? "complete_partially" : "complete", actor, nature: outcome.nature, result: outcome.result }),
    work,
    confirmRecipientNotification: (tenantId, id, recipientId, outcome, actor = SYSTEM) =>
      mutate(tenantId, id, (current, at) => {
        if (!current.notifications.some((n) => n.recipientId === recipientId)) {
          throw new DsrError(ERROR_CODES.NOT_FOUND, `Request ${id} has no notification to recipient ${recipientId}.`);
        }
        return {
          next: {
            ...current,
            notifications: current.notifications.map((n) =>
              n.recipientId !== recipientId
                ? n
                : outcome.status === "confirmed"
                  ? { ...n, status: "confirmed" as const, confirmedAt: at }
                  : { ...n, status: "skipped" as const, reason: outcome.reason },
            ),
            version: current.version + 1,
            updatedAt: at,
          },
          actor,
          audit: { recipientId, status: outcome.status },
          auditAction: "request.recipient_confirmed",
        };
      }),
    async overdue(tenantId, now = clock.now()) {
      const list = await store.listRequests(tenantId, { states: OPEN_STATES, dueBefore: now });
      return list.map((r) => refresh(r, now)).filter((r) => !r.deadlines.paused && r.deadlines.dueAt.getTime() < now.getTime());
    },
    async dueSoon(tenantId, withinDays = 7, now = clock.now()) {
      const list = await store.listRequests(tenantId, { states: OPEN_STATES, dueBefore: new Date(now.getTime() + withinDays * DAY) });
      return list.filter((r) => r.deadlines.dueAt.getTime() >= now.getTime());
    },
    async acknowledgementsDue(tenantId) {
      const list = await store.listRequests(tenantId, { states: OPEN_STATES });
      return list
        .filter((r) => r.acknowledgedAt === undefined && r.deadlines.acknowledgeBy !== undefined)
        .sort((a, b) => a.deadlines.acknowledgeBy!.getTime() - b.deadlines.acknowledgeBy!.getTime());
    },
    async countRecentRequests(tenantId, subject, options = {}) {
      const ref = parseOrThrow(SubjectRefSchema, subject, "subject", DsrError);
      const now = options.now ?? clock.now();
      const from = new Date(now.getTime());
      from.setUTCMonth(from.getUTCMonth() - (options.months ?? 12));
      const list = await store.listRequests(tenantId, {
        subjectKey: pseudonymOf(tenantId, ref),
        receivedFrom: from,
        ...(options.types ? { types: options.types } : {}),
      });
      return list.filter((r) => r.receivedAt.getTime() <= now.getTime() && r.cancellation?.duplicateOf === undefined).length;
    },
    async purge(tenantId, id, actor = SYSTEM) {
      const r = await load(tenantId, id);
      if (!TERMINAL_STATES.includes(r.state)) {
        throw new DsrError(ERROR_CODES.ILLEGAL_TRANSITION, `Request ${id} is still open (${r.state}); only a closed request can be deleted.`);
      }
      const deleteRequest = store.deleteRequest?.bind(store);
      if (!deleteRequest) throw new DsrError(ERROR_CODES.UNSUPPORTED, "This request store cannot delete requests.");
      const at = clock.now();
      const { retainUntil } = toRequestRecord(r, o.recordRetentionMonths);
      if (at.getTime() < Date.parse(retainUntil)) {
        throw new DsrError(ERROR_CODES.POLICY_VIOLATION, `Request ${id} must be kept until ${retainUntil} (request records are kept at least 24 months, CCPA §7101).`);
      }
      if (!(await deleteRequest(tenantId, id))) throw new DsrError(ERROR_CODES.NOT_FOUND, `Request ${id} does not exist in tenant ${tenantId}.`);
      await o.audit.record(auditEvent(r, at, actor, { retainUntil }, "request.deleted"));
    },
    async records(tenantId, range) {
      const list = await store.listRequests(tenantId, dateRange(range));
      return list.map((r) => toRequestRecord(r, o.recordRetentionMonths));
    },
    async metrics(tenantId, range) {
      return computeDsrMetrics(await store.listRequests(tenantId, dateRange(range)));
    },
  };
  return Object.freeze(service);
}
