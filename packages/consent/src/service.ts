import { createHmac } from "node:crypto";
import * as z from "zod";
import {
  ActorSchema,
  ERROR_CODES,
  PurposeIdSchema,
  SubjectRefSchema,
  TenantIdSchema,
  caslImpliedConsentExpiry,
  createUuidV7Generator,
  normalizeSubjectValue,
  optOutHonourBy,
  reOptInAllowedAfter,
  systemClock,
  unsubscribeLinkMinLifetime,
  type Actor,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type HolidayCalendar,
  type IdGenerator,
  type LawfulIssue,
  type RegimeId,
  type SubjectIdKind,
} from "@lawful/core";
import {
  SUBJECT_STATE_KEYS,
  applyConsentEvent,
  decideFromState,
  projectConsentState,
  type ConsentState,
  type ConsentStateStatus,
} from "./decision.js";
import { ConsentError } from "./errors.js";
import { sha256Hex, truncateIp, zodIssues } from "./internal/util.js";
import {
  ConsentBasisSchema,
  EvidenceSchema,
  IpPolicySchema,
  NoticeInputSchema,
  POSITIVE_ACT_METHODS,
  PurposeSchema,
  RecordEventInputSchema,
  type ConsentBasis,
  type ConsentEvent,
  type ConsentMethod,
  type Decision,
  type Evidence,
  type EvidenceInput,
  type IpPolicy,
  type Notice,
  type NoticeInput,
  type Purpose,
  type PurposeInput,
  type RecordEventInput,
} from "./model.js";
import type { ConsentStore, SuppressionEntry } from "./store.js";
import { buildIso27560Record, buildKantaraReceipt } from "./receipts.js";
import { createTokenSigner, type TokenClaims } from "./tokens.js";

/**
 * Computes subject pseudonyms; `createPseudonymizer()` from `@lawful/core` fits.
 *
 * @example
 * ```ts
 * import { createPseudonymizer } from "@lawful/core";
 * import type { SubjectPseudonymizer } from "@lawful/consent";
 * const p: SubjectPseudonymizer = createPseudonymizer({ key: new Uint8Array(32).fill(7) });
 * ```
 */
export interface SubjectPseudonymizer {
  /** The pseudonym of a normalised identifier. */
  pseudonym(subject: { readonly kind: string; readonly value: string }): string;
}

/**
 * The part of core's `Keyring` the service uses to encrypt evidence per subject (subject key id = pseudonym).
 *
 * @example
 * ```ts
 * import { createKeyring, createMemoryKeyStore } from "@lawful/core";
 * import type { EvidenceKeyring } from "@lawful/consent";
 * const k: EvidenceKeyring = createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: new Uint8Array(32).fill(1) }], currentKekId: "k1" });
 * ```
 */
export interface EvidenceKeyring {
  /** Encrypt a JSON value for a subject key. */
  encryptJson(tenantId: string, subjectKeyId: string, value: unknown, aad?: string): Promise<string>;
  /** Decrypt a value made by `encryptJson`. */
  decryptJson(tenantId: string, subjectKeyId: string, ciphertext: string, aad?: string): Promise<unknown>;
  /** Destroy a subject key for good. */
  shred(tenantId: string, subjectKeyId: string): Promise<void>;
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === "function", { message: `must be a function (${what})` });
const obj = <T>(what: string, methods: string[]) =>
  z.custom<T>((v) => typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"), {
    message: `must be ${what} with ${methods.join(", ")}`,
  });
const keyBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength >= 32, { message: "must be a Uint8Array of at least 32 bytes" });

/**
 * Options of {@link createConsentService}.
 *
 * @example
 * ```ts
 * import type { ConsentServiceOptions } from "@lawful/consent";
 * const partial: Partial<ConsentServiceOptions> = { ipPolicy: "truncated", timeZone: "Europe/Berlin" };
 * ```
 */
export const ConsentServiceOptionsSchema = z.object({
  store: obj<ConsentStore>("a ConsentStore", ["commit", "readStates", "transaction"]),
  audit: obj<AuditSink>("an AuditSink", ["record", "recordMany"]),
  /** One pseudonymizer for every tenant, or a function returning the tenant's (keys derived per tenant). */
  pseudonymizer: z.union([obj<SubjectPseudonymizer>("a pseudonymizer", ["pseudonym"]), fn<(tenantId: string) => SubjectPseudonymizer>("tenantId → pseudonymizer")]),
  keyring: obj<EvidenceKeyring>("a keyring", ["encryptJson", "decryptJson", "shred"]),
  /** HMAC key of the suppression list (≥ 32 bytes), or a function returning the tenant's key. */
  suppressionKey: z.union([keyBytes, fn<(tenantId: string) => Uint8Array>("tenantId → key")]),
  /** HMAC key for double opt-in and unsubscribe tokens (≥ 32 bytes). */
  tokenKey: keyBytes,
  clock: obj<Clock>("a Clock", ["now"]).optional(),
  ids: fn<IdGenerator>("id generator").optional(),
  /** @default "truncated" */
  ipPolicy: IpPolicySchema.optional(),
  /** IANA zone deadlines are computed in. @default "UTC" */
  timeZone: z.string().min(1).optional(),
  /** Holiday calendars per opt-out regime (`US`, `CA`, `US-CA`). @default weekends only */
  calendars: z.record(z.string(), obj<HolidayCalendar>("a HolidayCalendar", ["isHoliday"])).optional(),
  /** How long purposes are cached. @default 30000 */
  purposeCacheTtlMs: z.number().int().min(0).optional(),
  /** Lifetime of a double opt-in confirmation link. @default 7 days */
  doubleOptInTtlMs: z.number().int().min(60_000).optional(),
  /** Lifetime of an unsubscribe link, never less than the legal minimum. @default 365 days */
  unsubscribeTtlMs: z.number().int().min(0).optional(),
  /** Regimes where a GPC signal opts out of sale/sharing. @default ["US-CA"] */
  gpcRegimes: z.array(z.enum(["EU", "UK", "US-CA", "US", "CA", "BR"])).optional(),
});
/** Options of {@link createConsentService}; see {@link ConsentServiceOptionsSchema}. */
export type ConsentServiceOptions = z.input<typeof ConsentServiceOptionsSchema>;

/**
 * A subject given by identifier (normalised like core's `SubjectRefSchema`) or by its pseudonym.
 *
 * @example
 * ```ts
 * import type { SubjectInput } from "@lawful/consent";
 * const a: SubjectInput = { kind: "email", value: "ada@example.com" };
 * const b: SubjectInput = { pseudonym: "ps1_…" };
 * ```
 */
export type SubjectInput = { readonly kind: SubjectIdKind; readonly value: string } | { readonly pseudonym: string };

/**
 * Request metadata of a submission: IP address, user agent and when it was received.
 *
 * @example
 * ```ts
 * import type { RequestMeta } from "@lawful/consent";
 * const meta: RequestMeta = { ip: "203.0.113.7", userAgent: "Mozilla/5.0", receivedAt: new Date() };
 * ```
 */
export interface RequestMeta {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly receivedAt?: Date | string | undefined;
}

/**
 * A web form submission for {@link ConsentService.captureForm}: the subject's identifier, the notice shown,
 * one choice per consent checkbox (its state and its default state) and the request metadata.
 *
 * @example
 * ```ts
 * import { FormSubmissionSchema } from "@lawful/consent";
 * FormSubmissionSchema.parse({
 *   tenantId: "acme", formId: "signup", subject: { kind: "email", value: "ada@example.com" },
 *   notice: { noticeId: "signup", version: 1 },
 *   choices: [{ purposeId: "newsletter", fieldName: "nl", checked: true, defaultChecked: false }],
 * });
 * ```
 */
export const FormSubmissionSchema = z.object({
  tenantId: TenantIdSchema,
  formId: z.string().min(1).max(256),
  pageUrl: z.url().max(2048).optional(),
  subject: z.object({ kind: z.enum(["email", "phone", "customer_id", "device_id"]), value: z.string().max(1024) }),
  notice: z.object({ noticeId: PurposeIdSchema, version: z.number().int().min(1) }),
  locale: z.string().min(2).max(35).optional(),
  choices: z
    .array(
      z.object({
        purposeId: PurposeIdSchema,
        fieldName: z.string().min(1).max(256),
        checked: z.boolean(),
        defaultChecked: z.boolean(),
        basis: z.any().optional(),
      }),
    )
    .min(1)
    .max(64),
  /** `button` when each choice is a button press rather than a checkbox. @default "checkbox" */
  control: z.enum(["checkbox", "button"]).optional(),
  request: z
    .object({ ip: z.union([z.ipv4(), z.ipv6()]).optional(), userAgent: z.string().max(1024).optional(), receivedAt: z.coerce.date().optional() })
    .optional(),
  sessionRef: z.string().min(1).max(256).optional(),
  uiSnapshotRef: z.string().min(1).max(1024).optional(),
  actor: ActorSchema.optional(),
});
/** Input of {@link FormSubmissionSchema}. */
export type FormSubmission = z.input<typeof FormSubmissionSchema>;

/**
 * What {@link ConsentService.captureForm} returns: the events written and, when a purpose needs double opt-in,
 * the confirmation token to e-mail.
 *
 * @example
 * ```ts
 * import type { CaptureResult } from "@lawful/consent";
 * const ids = (r: CaptureResult) => r.events.map((e) => e.id);
 * ```
 */
export interface CaptureResult {
  readonly submissionId: string;
  readonly subjectPseudonym: string;
  readonly events: readonly ConsentEvent[];
  readonly confirmation: { readonly token: string; readonly expiresAt: Date } | null;
}

/**
 * What {@link ConsentService.handleUnsubscribe} returns.
 *
 * @example
 * ```ts
 * import type { UnsubscribeOutcome } from "@lawful/consent";
 * const done = (o: UnsubscribeOutcome) => o.status === "unsubscribed";
 * ```
 */
export type UnsubscribeOutcome =
  | { readonly status: "confirm"; readonly purposes: readonly string[] }
  | {
      readonly status: "unsubscribed";
      readonly events: readonly ConsentEvent[];
      readonly honouredAt: Date;
      /** The legal honour-by deadline per regime the message was sent under (CAN-SPAM from receipt, CASL from sending of the indication). */
      readonly honourBy: Readonly<Partial<Record<"US" | "CA" | "US-CA", Date>>>;
      readonly suppressed: boolean;
    };

/**
 * What {@link ConsentService.recordGpcSignal} returns.
 *
 * @example
 * ```ts
 * import type { GpcOutcome } from "@lawful/consent";
 * const n = (o: GpcOutcome) => o.events.length;
 * ```
 */
export interface GpcOutcome {
  readonly applied: boolean;
  readonly events: readonly ConsentEvent[];
  /** CCPA §7026: the opt-out must be complied with by this deadline (15 business days). */
  readonly honourBy: Date | null;
  /** CCPA: do not ask to opt back in before this instant (12 months). */
  readonly reOptInAllowedAfter: Date | null;
}

/**
 * Where {@link ConsentService.listEndedConsents} continues: the last subject pseudonym and purpose of a page.
 *
 * @example
 * ```ts
 * import type { EndedConsentCursor } from "@lawful/consent";
 * const after: EndedConsentCursor = { subjectPseudonym: "ps1_x", purposeId: "newsletter" };
 * ```
 */
export interface EndedConsentCursor {
  readonly subjectPseudonym: string;
  readonly purposeId: string;
}

/**
 * A subject's ended consent for one purpose (withdrawn, refused, expired, or a double opt-in never
 * confirmed) and since when: a record for retention, its history deletable with `purgeHistory`.
 *
 * @example
 * ```ts
 * import type { EndedConsent } from "@lawful/consent";
 * const ended: EndedConsent = { subjectPseudonym: "ps1_x", purposeId: "newsletter", status: "withdrawn", since: new Date("2024-01-01") };
 * ```
 */
export interface EndedConsent extends EndedConsentCursor {
  readonly status: "withdrawn" | "refused" | "expired" | "pending";
  readonly since: Date;
}

/**
 * The consent engine: purposes, notices, events with proof, decisions, form capture, double opt-in, unsubscribe,
 * suppression, GPC, expiry and erasure. Built by {@link createConsentService}.
 *
 * @example
 * ```ts
 * import type { ConsentService } from "@lawful/consent";
 * async function mayMail(c: ConsentService, email: string) {
 *   return (await c.decide("acme", { kind: "email", value: email }, "newsletter")).allowed;
 * }
 * ```
 */
export interface ConsentService {
  /** Define or replace a purpose. @throws ConsentError `VALIDATION_FAILED` */
  definePurpose(input: PurposeInput): Promise<Purpose>;
  /** Every purpose of a tenant. */
  listPurposes(tenantId: string): Promise<Purpose[]>;
  /**
   * Store a notice version, validated per DOMAIN B4 (and B12 for CASL purposes), and publish it unless `draft`.
   * @throws ConsentError `VALIDATION_FAILED`, `CONFLICT` (version exists)
   */
  publishNotice(input: NoticeInput, options?: { draft?: boolean | undefined }): Promise<Notice>;
  /** Publish a draft. @throws ConsentError `NOT_FOUND`, `CONFLICT` */
  publishDraft(tenantId: string, noticeId: string, version: number): Promise<Notice>;
  /** One notice version, or undefined. */
  getNotice(tenantId: string, noticeId: string, version: number): Promise<Notice | undefined>;
  /** Every version of every notice of the tenant (or of one notice), drafts included, ordered by id then version. */
  listNotices(tenantId: string, noticeId?: string): Promise<Notice[]>;
  /** Record one event. @throws ConsentError `VALIDATION_FAILED` (every problem listed, nothing stored) */
  record(input: RecordEventInput): Promise<ConsentEvent>;
  /** Record several events atomically. @throws ConsentError `VALIDATION_FAILED` */
  recordMany(inputs: readonly RecordEventInput[]): Promise<ConsentEvent[]>;
  /** Turn a form submission into events for every purpose, or refuse it whole. @throws ConsentError `VALIDATION_FAILED` */
  captureForm(submission: FormSubmission): Promise<CaptureResult>;
  /** Confirm a double opt-in: one `given` event per pending purpose, with the confirmation's own evidence. @throws ConsentError `INVALID_SIGNATURE`, `EXPIRED` */
  confirmDoubleOptIn(token: string, request?: RequestMeta): Promise<ConsentEvent[]>;
  /** Withdraw consent for a purpose in one call. */
  withdraw(tenantId: string, subject: SubjectInput, purposeId: string, options: { evidence: EvidenceInput; method?: ConsentMethod | undefined; actor?: Actor | undefined }): Promise<ConsentEvent>;
  /** Record an Art. 21 objection; for direct-marketing purposes the subject is also suppressed (absolute, no review). */
  object(tenantId: string, subject: SubjectInput, purposeId: string, options: { evidence: EvidenceInput; actor?: Actor | undefined }): Promise<ConsentEvent>;
  /** Restrict processing of a subject (Art. 18): every purpose is denied with `restricted`. */
  restrict(tenantId: string, subject: SubjectInput, options?: { reason?: string | undefined; actor?: Actor | undefined }): Promise<void>;
  /** Lift a restriction; the subject must have been told first (Art. 18(3)). @throws ConsentError `VALIDATION_FAILED` without `notifiedAt` */
  liftRestriction(tenantId: string, subject: SubjectInput, options: { notifiedAt: Date; actor?: Actor | undefined }): Promise<void>;
  /** Decide whether a purpose is allowed for a subject at `at` (default now): one indexed read of the projection. @throws ConsentError `NOT_FOUND` (unknown purpose), `VALIDATION_FAILED` */
  decide(tenantId: string, subject: SubjectInput, purposeId: string, at?: Date): Promise<Decision>;
  /** Decisions for every purpose of the tenant. */
  decideAll(tenantId: string, subject: SubjectInput, at?: Date): Promise<Decision[]>;
  /** The subject's events (proof of consent), optionally for one purpose. */
  history(tenantId: string, subject: SubjectInput, purposeId?: string): Promise<ConsentEvent[]>;
  /**
   * The consent receipts of one event: the ISO/IEC TS 27560 record (W3C DPV JSON-LD) and the Kantara v1.1 receipt.
   * Sign either with `signReceipt()`. @throws ConsentError `NOT_FOUND` when the event does not exist
   */
  receiptFor(tenantId: string, eventId: string, options?: { policyUrl?: string | undefined }): Promise<{ iso27560: Record<string, unknown>; kantara: Record<string, unknown> }>;
  /** Decrypt an event's IP address and user agent. @throws LawfulError `KEY_SHREDDED` after erasure */
  evidenceOf(event: ConsentEvent): Promise<{ ip?: string | undefined; userAgent?: string | undefined }>;
  /** The subject's pseudonym in a tenant. */
  pseudonymOf(tenantId: string, subject: SubjectInput): string;
  /** The suppression-list hash of a subject (keyed HMAC over the pseudonym). */
  suppressionHash(tenantId: string, subject: SubjectInput): string;
  /** Put a subject on the suppression list; idempotent. Returns false when already there. */
  suppress(tenantId: string, subject: SubjectInput, options: { reason: string; channel?: string | undefined; actor?: Actor | undefined }): Promise<boolean>;
  /** Remove a subject from the suppression list (a deliberate operator action). */
  unsuppress(tenantId: string, subject: SubjectInput, options?: { actor?: Actor | undefined }): Promise<boolean>;
  /** Whether the subject is on the suppression list. */
  isSuppressed(tenantId: string, subject: SubjectInput): Promise<boolean>;
  /** Make a double opt-in confirmation token for pending events. */
  createConfirmationToken(tenantId: string, subjectPseudonym: string, eventIds: readonly string[], purposeIds: readonly string[]): { token: string; expiresAt: Date };
  /**
   * Make an unsubscribe link token for a message sent at `sentAt` under `regimes`; it lives at least as long as the
   * law requires (CAN-SPAM 30 days, CASL 60 days). Returns the token, its expiry and the RFC 8058 headers for `url`.
   */
  createUnsubscribeToken(input: {
    tenantId: string;
    subject: SubjectInput;
    purposeIds: readonly string[] | "all";
    sentAt?: Date | undefined;
    regimes?: readonly RegimeId[] | undefined;
    url?: string | undefined;
  }): { token: string; expiresAt: Date; headers: Record<string, string> | null };
  /**
   * Handle a request to an unsubscribe link. A POST is honoured at once (RFC 8058: body `List-Unsubscribe=One-Click`
   * from mail clients, or any POST from the confirmation page); a GET changes nothing (link scanners prefetch) and asks
   * the caller to show a one-button confirmation page.
   * @throws ConsentError `INVALID_SIGNATURE`, `EXPIRED`
   */
  handleUnsubscribe(request: {
    token: string;
    httpMethod: string;
    body?: string | undefined;
    request?: RequestMeta | undefined;
    indicationSentAt?: Date | undefined;
  }): Promise<UnsubscribeOutcome>;
  /** Record a Global Privacy Control signal as an opt-out of sale/sharing where the purpose's regime gives it that effect. */
  recordGpcSignal(input: { tenantId: string; subject: SubjectInput; signal: boolean; evidence: EvidenceInput }): Promise<GpcOutcome>;
  /** Append `expired` events for grants whose time ran out (CASL implied consent); returns them. */
  expireDue(tenantId: string, at?: Date, limit?: number): Promise<ConsentEvent[]>;
  /**
   * Ended consent histories, for retention runs: one per subject and purpose whose state is withdrawn,
   * refused, expired or pending (a double opt-in never confirmed), of opt-in purposes outside CASL (whose
   * unsubscribe log is kept permanently, DOMAIN B12). Paged by (subject pseudonym, purpose); pass `next` as
   * `after` to continue (undefined when the last page was read).
   */
  listEndedConsents(
    tenantId: string,
    options?: { after?: EndedConsentCursor | undefined; limit?: number | undefined },
  ): Promise<{ items: EndedConsent[]; next?: EndedConsentCursor | undefined }>;
  /**
   * Delete one subject's consent history of one purpose (its events and state), once a retention period
   * for the proof ended. Only an ended consent of an opt-in purpose outside CASL qualifies: deleting it
   * leaves the decision at "never given", so nothing becomes allowed. Audited as `consent.history_deleted`.
   * @throws ConsentError `NOT_FOUND` (nothing recorded), `POLICY_VIOLATION` (the consent is in force, an
   * objection or GPC signal, an opt-out or CASL purpose), `UNSUPPORTED` (the store cannot delete)
   */
  purgeHistory(tenantId: string, subjectPseudonym: string, purposeId: string, options?: { actor?: Actor | undefined }): Promise<{ events: number }>;
  /** Erase a subject: delete events and projection, shred the evidence keys. The suppression list entry stays; a later event starts a new evidence key. */
  eraseSubject(tenantId: string, subject: SubjectInput, options?: { actor?: Actor | undefined }): Promise<{ events: number; states: number }>;
}

const SYSTEM_ACTOR: Actor = { type: "system", id: "@lawful/consent" };
/** States whose history may go once a retention period ended (see `purgeHistory`). */
const ENDED: readonly ConsentStateStatus[] = ["withdrawn", "refused", "expired", "pending"];
/** Deleting a history must leave the decision where it is: only opt-in purposes, and not CASL's permanent unsubscribe log. */
const purgeable = (p: Purpose): boolean => p.model === "opt_in" && p.regime !== "CA";
const DEFAULT_BASIS: Record<RegimeId, ConsentBasis> = {
  EU: { type: "gdpr_consent" },
  UK: { type: "gdpr_consent" },
  BR: { type: "gdpr_consent" },
  "US-CA": { type: "gdpr_consent" },
  US: { type: "can_spam" },
  CA: { type: "casl_express" },
};
const BASIS_REGIMES: Record<ConsentBasis["type"], readonly RegimeId[] | null> = {
  gdpr_consent: ["EU", "UK", "BR", "US-CA"],
  eprivacy_soft_opt_in: ["EU", "UK"],
  casl_express: ["CA"],
  casl_implied: ["CA"],
  can_spam: ["US"],
  lawful_basis: null,
};
const CONSENT_LIKE = new Set<ConsentBasis["type"]>(["gdpr_consent", "casl_express", "can_spam"]);
const AUDIT_ACTION: Record<ConsentEvent["type"], string> = {
  given: "consent.given",
  refused: "consent.refused",
  withdrawn: "consent.withdrawn",
  expired: "consent.expired",
  renewed: "consent.renewed",
  requested: "consent.requested",
  objected: "consent.objected",
};

function fail(what: string, issues: LawfulIssue[]): never {
  const fields = [...new Set(issues.map((i) => (i.path.length ? i.path.join(".") : "(root)")))];
  throw new ConsentError(
    ERROR_CODES.VALIDATION_FAILED,
    `Invalid ${what}: ${issues.length} problem${issues.length === 1 ? "" : "s"} at ${fields.join(", ")}; nothing was stored. ${issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ")}`,
    { issues },
  );
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) fail(what, zodIssues(r.error));
  return r.data;
}

interface PreparedEvent {
  readonly input: z.output<typeof RecordEventInputSchema> | null;
  readonly event: ConsentEvent;
  readonly evidence: { ip?: string | undefined; userAgent?: string | undefined } | null;
  readonly purpose: Purpose;
}

/**
 * Create the consent engine over a {@link ConsentStore}, writing audit events through the injected `AuditSink`.
 * Subjects are stored by pseudonym only; IP address and user agent are encrypted with the subject's key
 * (`keyring`), so erasure shreds them.
 *
 * @throws ConsentError `INVALID_CONFIGURATION` when an option is missing or malformed.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createKeyring, createMemoryAuditSink, createMemoryKeyStore, createPseudonymizer } from "@lawful/core";
 * import { createConsentService } from "@lawful/consent";
 * import { createMemoryConsentStore } from "@lawful/consent/memory";
 * const consent = createConsentService({
 *   store: createMemoryConsentStore(),
 *   audit: createMemoryAuditSink(),
 *   pseudonymizer: createPseudonymizer({ key: randomBytes(32) }),
 *   keyring: createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1" }),
 *   suppressionKey: randomBytes(32),
 *   tokenKey: randomBytes(32),
 * });
 * ```
 */
export function createConsentService(options: ConsentServiceOptions): ConsentService {
  const parsed = ConsentServiceOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConsentError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid consent service options: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, {
      issues: zodIssues(parsed.error),
    });
  }
  const o = parsed.data;
  const store = o.store;
  const audit = o.audit;
  const clock = o.clock ?? systemClock;
  const nextId = o.ids ?? createUuidV7Generator({ clock });
  const ipPolicy: IpPolicy = o.ipPolicy ?? "truncated";
  const timeZone = o.timeZone ?? "UTC";
  const cacheTtl = o.purposeCacheTtlMs ?? 30_000;
  const doiTtl = o.doubleOptInTtlMs ?? 7 * 86_400_000;
  const unsubTtl = o.unsubscribeTtlMs ?? 365 * 86_400_000;
  const gpcRegimes = new Set<string>(o.gpcRegimes ?? ["US-CA"]);
  const signer = createTokenSigner({ key: o.tokenKey });
  const pseudonymizerOf = typeof o.pseudonymizer === "function" ? o.pseudonymizer : () => o.pseudonymizer as SubjectPseudonymizer;
  const pseudonymizers = new Map<string, SubjectPseudonymizer>();
  const suppressionKeyOf = typeof o.suppressionKey === "function" ? o.suppressionKey : () => o.suppressionKey as Uint8Array;
  const suppressionKeys = new Map<string, Buffer>();
  const purposeCache = new Map<string, { loadedAt: number; byId: Map<string, Purpose> }>();

  const knownTenants = new Set<string>();
  function tenantOf(tenantId: unknown): string {
    if (typeof tenantId === "string" && knownTenants.has(tenantId)) return tenantId;
    if (typeof tenantId !== "string" || !TenantIdSchema.safeParse(tenantId).success) {
      fail("tenant id", [{ path: ["tenantId"], message: "must be a tenant id (letters, digits, '.', '_', '-')", code: "invalid_format" }]);
    }
    if (knownTenants.size < 10_000) knownTenants.add(tenantId);
    return tenantId;
  }

  function pseudonymOf(tenantId: string, subject: SubjectInput, path: (string | number)[] = ["subject"]): string {
    if (subject && typeof subject === "object" && "pseudonym" in subject) {
      if (typeof subject.pseudonym !== "string" || subject.pseudonym.length < 8 || subject.pseudonym.length > 128) {
        fail("subject", [{ path: [...path, "pseudonym"], message: "must be a pseudonym string", code: "invalid_format" }]);
      }
      return subject.pseudonym;
    }
    const s = subject as { kind?: unknown; value?: unknown } | null;
    const kindOk = s !== null && typeof s === "object" && ["email", "phone", "customer_id", "device_id"].includes(s.kind as string);
    if (!kindOk) fail("subject", [{ path: [...path, "kind"], message: "must be email, phone, customer_id or device_id", code: "invalid_value" }]);
    const value = typeof s.value === "string" ? normalizeSubjectValue(s.kind as SubjectIdKind, s.value) : undefined;
    if (value === undefined) fail("subject", [{ path: [...path, "value"], message: `is not a valid ${String(s.kind).replace("_", " ")}`, code: "custom" }]);
    let p = pseudonymizers.get(tenantId);
    if (!p) {
      p = pseudonymizerOf(tenantId);
      pseudonymizers.set(tenantId, p);
    }
    return p.pseudonym({ kind: s.kind as string, value });
  }

  function suppressionHashOf(tenantId: string, pseudonym: string): string {
    let key = suppressionKeys.get(tenantId);
    if (!key) {
      key = Buffer.from(suppressionKeyOf(tenantId));
      suppressionKeys.set(tenantId, key);
    }
    return `sh1_${createHmac("sha256", key).update(`lawful-suppression-v1\u0000${tenantId}\u0000${pseudonym}`).digest("base64url")}`;
  }

  async function purposesOf(tenantId: string, fresh = false): Promise<Map<string, Purpose>> {
    const now = clock.now().getTime();
    const cached = purposeCache.get(tenantId);
    if (!fresh && cached && now - cached.loadedAt <= cacheTtl) return cached.byId;
    const byId = new Map((await store.listPurposes(tenantId)).map((p) => [p.id, p]));
    purposeCache.set(tenantId, { loadedAt: now, byId });
    return byId;
  }

  async function purposeOf(tenantId: string, purposeId: string): Promise<Purpose> {
    const cached = purposeCache.get(tenantId);
    const hit = cached && clock.now().getTime() - cached.loadedAt <= cacheTtl ? cached.byId.get(purposeId) : undefined;
    if (hit) return hit;
    let p = (await purposesOf(tenantId)).get(purposeId);
    p ??= (await purposesOf(tenantId, true)).get(purposeId);
    if (!p) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Purpose ${purposeId} is not defined for tenant ${tenantId}; define it with definePurpose().`);
    return p;
  }

  function minimiseEvidence(e: Evidence): { plain: ConsentEvent["evidence"]; sealed: { ip?: string | undefined; userAgent?: string | undefined } | null } {
    const { ip, userAgent, ...plain } = e;
    const keptIp = ip === undefined || ipPolicy === "none" ? undefined : ipPolicy === "truncated" ? truncateIp(ip) : ip;
    const sealed: { ip?: string; userAgent?: string } = {};
    if (keptIp !== undefined) sealed.ip = keptIp;
    if (userAgent !== undefined) sealed.userAgent = userAgent;
    return { plain, sealed: Object.keys(sealed).length ? sealed : null };
  }

  function auditOf(e: ConsentEvent, purpose: Purpose): AuditEventInput {
    return {
      tenantId: e.tenantId,
      action: AUDIT_ACTION[e.type],
      actor: e.actor.type === "subject" ? { type: "subject", id: e.subjectPseudonym } : (e.actor as Actor),
      occurredAt: e.occurredAt,
      subjectPseudonym: e.subjectPseudonym,
      target: { system: "consent", recordType: "consent_event", recordId: e.id },
      purpose: e.purposeId,
      lawfulBasis: purpose.lawfulBasis,
      correlationId: e.correlationId ?? undefined,
      details: {
        eventId: e.id,
        type: e.type,
        method: e.method,
        basis: e.basis?.type ?? null,
        notice: e.notice ? `${e.notice.noticeId}@${e.notice.version}` : null,
        noticeSha256: e.notice?.contentSha256 ?? null,
        expiresAt: e.expiresAt?.toISOString() ?? null,
      },
    };
  }

  /** Validate semantic rules of one event, pushing issues; returns the notice snapshot and expiry. */
  function checkEvent(
    input: z.output<typeof RecordEventInputSchema>,
    purpose: Purpose | undefined,
    notice: Notice | undefined,
    at: Date,
    issues: LawfulIssue[],
    prefix: (string | number)[],
  ): { basis: ConsentBasis | null; expiresAt: Date | null } {
    const result = { basis: null as ConsentBasis | null, expiresAt: null as Date | null };
    if (!purpose) {
      issues.push({ path: [...prefix, "purposeId"], message: "is not a purpose defined for this tenant", code: "unknown_purpose" });
      return result;
    }
    const grants = input.type === "given" || input.type === "renewed" || input.type === "requested";
    if (!grants) {
      if (input.basis) result.basis = input.basis;
      return result;
    }
    const basis: ConsentBasis =
      input.basis ?? (purpose.lawfulBasis === "consent" ? DEFAULT_BASIS[purpose.regime] : { type: "lawful_basis", lawfulBasis: purpose.lawfulBasis });
    result.basis = basis;
    const allowedRegimes = BASIS_REGIMES[basis.type];
    if (allowedRegimes && !allowedRegimes.includes(purpose.regime)) {
      issues.push({ path: [...prefix, "basis", "type"], message: `basis ${basis.type} does not apply under regime ${purpose.regime}`, code: "basis_regime_mismatch" });
    }
    if (input.evidence.defaultState === "checked") {
      issues.push({
        path: [...prefix, "evidence", "defaultState"],
        message: "a pre-ticked box is not consent (GDPR Recital 32, CJEU Planet49, CASL); the box must start unchecked",
        code: "pre_ticked",
      });
    }
    if (CONSENT_LIKE.has(basis.type)) {
      const importOk = input.method === "import" && input.evidence.evidenceRef !== undefined;
      if (!POSITIVE_ACT_METHODS.has(input.method) && !importOk) {
        issues.push({
          path: [...prefix, "method"],
          message: "consent needs a positive act (checkbox_checked, button_clicked, double_opt_in_confirmed, signed, oral_recorded, preference_center) or an import with evidenceRef",
          code: "not_positive_act",
        });
      }
      if (input.method === "oral_recorded" && input.evidence.evidenceRef === undefined) {
        issues.push({ path: [...prefix, "evidence", "evidenceRef"], message: "oral consent needs a reference to the recording", code: "missing_recording" });
      }
      if (!input.notice) {
        issues.push({ path: [...prefix, "notice"], message: "consent must reference the notice shown", code: "missing_notice" });
      } else if (!notice) {
        issues.push({ path: [...prefix, "notice"], message: "the notice version does not exist", code: "missing_notice" });
      } else if (notice.status !== "published") {
        issues.push({ path: [...prefix, "notice"], message: "the notice version is not published", code: "unpublished_notice" });
      } else {
        if (!notice.purposes.includes(purpose.id)) {
          issues.push({ path: [...prefix, "notice"], message: "the notice does not state this purpose", code: "purpose_not_in_notice" });
        }
        if (basis.type === "casl_express" && !notice.casl) {
          issues.push({ path: [...prefix, "notice", "casl"], message: "CASL express consent needs a notice with the request content of SOR/2012-36 s. 4", code: "casl_request_missing" });
        }
      }
    } else if (input.notice && notice && notice.status !== "published") {
      issues.push({ path: [...prefix, "notice"], message: "the notice version is not published", code: "unpublished_notice" });
    }
    if (basis.type === "casl_implied") result.expiresAt = caslImpliedConsentExpiry(basis.kind, at, { timeZone });
    return result;
  }

  async function prepare(
    inputs: readonly RecordEventInput[],
    what: string,
    knownNotices: readonly [string, Notice | undefined][] = [],
    alreadyParsed?: readonly z.output<typeof RecordEventInputSchema>[],
  ): Promise<PreparedEvent[]> {
    const issues: LawfulIssue[] = [];
    const parsedInputs: (z.output<typeof RecordEventInputSchema> | null)[] = alreadyParsed ? [...alreadyParsed] : inputs.map((input, i) => {
      const r = RecordEventInputSchema.safeParse(input);
      if (!r.success) {
        issues.push(...zodIssues(r.error, inputs.length === 1 ? [] : [i]));
        return null;
      }
      return r.data;
    });
    const now = clock.now();
    const prepared: PreparedEvent[] = [];
    const notices = new Map<string, Notice | undefined>(knownNotices);
    for (const [i, input] of parsedInputs.entries()) {
      if (!input) continue;
      const prefix = inputs.length === 1 ? [] : [i];
      const purposes = await purposesOf(input.tenantId);
      const purpose = purposes.get(input.purposeId) ?? (await purposesOf(input.tenantId, true)).get(input.purposeId);
      let notice: Notice | undefined;
      if (input.notice) {
        const nk = `${input.tenantId}\u0000${input.notice.noticeId}\u0000${input.notice.version}`;
        if (!notices.has(nk)) notices.set(nk, await store.getNotice(input.tenantId, input.notice.noticeId, input.notice.version));
        notice = notices.get(nk);
      }
      const occurredAt = input.occurredAt ?? now;
      const { basis, expiresAt } = checkEvent(input, purpose, notice, occurredAt, issues, prefix);
      if (!purpose) continue;
      const pseudonym = pseudonymOf(input.tenantId, input.subject);
      const { plain, sealed } = minimiseEvidence(input.evidence);
      const event: ConsentEvent = {
        id: nextId(),
        tenantId: input.tenantId,
        subjectPseudonym: pseudonym,
        purposeId: input.purposeId,
        type: input.type,
        method: input.method,
        basis,
        regime: purpose.regime,
        notice: notice ? { noticeId: notice.noticeId, version: notice.version, contentSha256: notice.contentSha256, locale: notice.locale } : null,
        evidence: plain,
        sealedEvidence: null,
        evidenceKeyId: null,
        occurredAt,
        recordedAt: now,
        expiresAt,
        actor: input.actor ? { type: input.actor.type, id: input.actor.id } : { type: "subject", id: pseudonym },
        correlationId: input.correlationId ?? null,
        relatedEventId: input.relatedEventId ?? null,
      };
      prepared.push({ input, event, evidence: sealed, purpose });
    }
    if (issues.length) fail(what, issues);
    return prepared;
  }

  /** Seal evidence, compute projection rows, commit events + states + audit events in one transaction. */
  async function write(prepared: readonly PreparedEvent[], extra: { suppressed?: boolean } = {}): Promise<ConsentEvent[]> {
    return store.transaction(async () => {
      const upserts: ConsentState[] = [];
      const subjects = new Map<string, { tenantId: string; pseudonym: string; keyId?: string; purposes: Set<string> }>();
      for (const p of prepared) {
        const sk = `${p.event.tenantId}\u0000${p.event.subjectPseudonym}`;
        let entry = subjects.get(sk);
        if (!entry) {
          entry = { tenantId: p.event.tenantId, pseudonym: p.event.subjectPseudonym, purposes: new Set() };
          subjects.set(sk, entry);
        }
        entry.purposes.add(p.event.purposeId);
      }
      const now = clock.now();
      const current = new Map<string, ConsentState>();
      const order = [...subjects.values()].sort((a, b) => (a.pseudonym < b.pseudonym ? -1 : 1));
      for (const s of order) await store.lockSubject(s.tenantId, s.pseudonym);
      for (const s of subjects.values()) {
        // one read per subject: its purposes in this write plus the subject-wide rows
        const have = await store.readStates(s.tenantId, s.pseudonym, [...s.purposes, SUBJECT_STATE_KEYS.suppressed, SUBJECT_STATE_KEYS.evidenceKey]);
        for (const r of have) current.set(`${r.tenantId}\u0000${r.subjectPseudonym}\u0000${r.purposeKey}`, r);
        const keyRow = have.find((r) => r.purposeKey === SUBJECT_STATE_KEYS.evidenceKey);
        if (keyRow) s.keyId = keyRow.eventId;
        else if (prepared.some((p) => p.evidence && p.event.subjectPseudonym === s.pseudonym && p.event.tenantId === s.tenantId)) {
          s.keyId = `${s.pseudonym}~${nextId()}`;
          upserts.push({ tenantId: s.tenantId, subjectPseudonym: s.pseudonym, purposeKey: SUBJECT_STATE_KEYS.evidenceKey, status: "evidence_key", basis: null, eventId: s.keyId, since: now, until: null, asOf: now });
        }
        if (extra.suppressed || have.some((r) => r.purposeKey === SUBJECT_STATE_KEYS.suppressed)) continue;
        const entry = await store.getSuppression(s.tenantId, suppressionHashOf(s.tenantId, s.pseudonym));
        if (entry) upserts.push(suppressedRow(s.tenantId, s.pseudonym, entry));
      }
      const events: ConsentEvent[] = [];
      const sealedCache = new Map<string, string>();
      for (const p of prepared) {
        const keyId = subjects.get(`${p.event.tenantId}\u0000${p.event.subjectPseudonym}`)?.keyId;
        let sealedEvidence: string | null = null;
        if (p.evidence && keyId) {
          // events of one submission share the request's evidence: encrypt it once (AAD binds it to the key id)
          const ck = `${keyId}\u0000${p.evidence.ip ?? ""}\u0000${p.evidence.userAgent ?? ""}`;
          sealedEvidence = sealedCache.get(ck) ?? (await o.keyring.encryptJson(p.event.tenantId, keyId, p.evidence, `consent-evidence:${keyId}`));
          sealedCache.set(ck, sealedEvidence);
        }
        events.push({ ...p.event, sealedEvidence, evidenceKeyId: sealedEvidence ? keyId! : null });
      }
      const states = new Map<string, ConsentState>();
      for (const e of events) {
        const key = `${e.tenantId}\u0000${e.subjectPseudonym}\u0000${e.purposeId}`;
        const prev = states.get(key) ?? current.get(key);
        let next: ConsentState | undefined;
        if (prev && e.occurredAt.getTime() <= prev.asOf.getTime()) {
          // back-dated (or same-instant) event: replay the purpose's history with it, so the order is (occurredAt, id)
          const history = await store.listEvents(e.tenantId, e.subjectPseudonym, e.purposeId);
          const pending = events.filter((x) => x.tenantId === e.tenantId && x.subjectPseudonym === e.subjectPseudonym && x.purposeId === e.purposeId);
          next = projectConsentState([...history, ...pending.slice(0, pending.indexOf(e) + 1)]);
        } else {
          next = applyConsentEvent(prev, e);
        }
        if (next) states.set(key, next);
      }
      upserts.push(...states.values());
      await store.commit({ events, upsertStates: upserts, deleteStates: [] });
      const purposes = new Map(prepared.map((p) => [p.event.id, p.purpose]));
      await audit.recordMany(events.map((e) => auditOf(e, purposes.get(e.id)!)));
      return events;
    });
  }

  function suppressedRow(tenantId: string, pseudonym: string, entry: SuppressionEntry): ConsentState {
    return { tenantId, subjectPseudonym: pseudonym, purposeKey: SUBJECT_STATE_KEYS.suppressed, status: "suppressed", basis: entry.channel, eventId: entry.id, since: entry.createdAt, until: null, asOf: entry.createdAt };
  }

  async function recordMany(inputs: readonly RecordEventInput[]): Promise<ConsentEvent[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) fail("consent events", [{ path: [], message: "give at least one event", code: "too_small" }]);
    return write(await prepare(inputs, inputs.length === 1 ? "consent event" : "consent events"));
  }

  /** Record events for a subject known by pseudonym only (tokens, signals, sweeps). */
  async function recordByPseudonym(
    tenantId: string,
    pseudonym: string,
    items: readonly { purpose: Purpose; type: ConsentEvent["type"]; method: ConsentMethod; basis?: ConsentBasis | null | undefined; notice?: ConsentEvent["notice"] | undefined; expiresAt?: Date | null | undefined; relatedEventId?: string | undefined }[],
    evidenceInput: EvidenceInput,
    actor: Actor | undefined,
    occurredAt: Date,
    extra: { suppressed?: boolean } = {},
  ): Promise<ConsentEvent[]> {
    const evidence = parse(EvidenceSchema, evidenceInput, "evidence");
    const { plain, sealed } = minimiseEvidence(evidence);
    const now = clock.now();
    const prepared: PreparedEvent[] = items.map((it) => ({
      input: null,
      purpose: it.purpose,
      evidence: sealed,
      event: {
        id: nextId(),
        tenantId,
        subjectPseudonym: pseudonym,
        purposeId: it.purpose.id,
        type: it.type,
        method: it.method,
        basis: it.basis ?? null,
        regime: it.purpose.regime,
        notice: it.notice ?? null,
        evidence: plain,
        sealedEvidence: null,
        evidenceKeyId: null,
        occurredAt,
        recordedAt: now,
        expiresAt: it.expiresAt ?? null,
        actor: actor ? { type: actor.type, id: actor.id } : { type: "subject", id: pseudonym },
        correlationId: null,
        relatedEventId: it.relatedEventId ?? null,
      },
    }));
    return prepared.length ? write(prepared, extra) : [];
  }

  function decideFor(tenantId: string, pseudonym: string, purpose: Purpose, at: Date): Promise<Decision> {
    // one projection read; replay and suppression-list lookups only on the rare paths
    return store.readStates(tenantId, pseudonym, [purpose.id, SUBJECT_STATE_KEYS.restricted, SUBJECT_STATE_KEYS.suppressed]).then((rows) => {
      let purposeState: ConsentState | undefined;
      let restricted: ConsentState | undefined;
      let suppressed: ConsentState | undefined;
      for (const r of rows) {
        if (r.purposeKey === purpose.id) purposeState = r;
        else if (r.purposeKey === SUBJECT_STATE_KEYS.restricted) restricted = r;
        else if (r.purposeKey === SUBJECT_STATE_KEYS.suppressed) suppressed = r;
      }
      const t = at.getTime();
      if (restricted && t < restricted.since.getTime()) restricted = undefined;
      if (suppressed && t < suppressed.since.getTime()) suppressed = undefined;
      const replay = purposeState !== undefined && t < purposeState.asOf.getTime();
      const checkList = !purposeState && !suppressed && purpose.model === "opt_out" && purpose.directMarketing;
      if (!replay && !checkList) return decideFromState(purpose, { purposeState, restricted, suppressed }, at);
      return (async () => {
        if (replay) purposeState = projectConsentState(await store.listEvents(tenantId, pseudonym, purpose.id), at);
        if (!purposeState && !suppressed && purpose.model === "opt_out" && purpose.directMarketing) {
          const entry = await store.getSuppression(tenantId, suppressionHashOf(tenantId, pseudonym));
          if (entry && entry.createdAt.getTime() <= t) suppressed = suppressedRow(tenantId, pseudonym, entry);
        }
        return decideFromState(purpose, { purposeState, restricted, suppressed }, at);
      })();
    });
  }

  function subjectAudit(tenantId: string, pseudonym: string, action: string, actor: Actor | undefined, details: Record<string, unknown>, at: Date): AuditEventInput {
    return { tenantId, action, actor: actor ?? SYSTEM_ACTOR, occurredAt: at, subjectPseudonym: pseudonym, target: { system: "consent", recordType: "subject" }, details };
  }

  async function suppressPseudonym(tenantId: string, pseudonym: string, reason: string, channel: string | null, actor: Actor | undefined): Promise<boolean> {
    const at = clock.now();
    const entry: SuppressionEntry = { tenantId, hash: suppressionHashOf(tenantId, pseudonym), reason, channel, id: nextId(), createdAt: at };
    return store.transaction(async () => {
      await store.lockSubject(tenantId, pseudonym);
      const added = await store.addSuppression(entry);
      if (!added) return false;
      await store.commit({ events: [], upsertStates: [suppressedRow(tenantId, pseudonym, entry)], deleteStates: [] });
      await audit.record(subjectAudit(tenantId, pseudonym, "consent.suppressed", actor, { reason, channel, entryId: entry.id }, at));
      return true;
    });
  }

  const service: ConsentService = {
    async definePurpose(input) {
      const purpose = parse(PurposeSchema, input, "purpose");
      await store.transaction(async () => {
        await store.putPurpose(purpose);
        await audit.record({
          tenantId: purpose.tenantId,
          action: "consent.purpose_defined",
          actor: SYSTEM_ACTOR,
          target: { system: "consent", recordType: "purpose", recordId: purpose.id },
          purpose: purpose.id,
          lawfulBasis: purpose.lawfulBasis,
          details: { channel: purpose.channel, regime: purpose.regime, model: purpose.model },
        });
      });
      purposeCache.delete(purpose.tenantId);
      return purpose;
    },
    async listPurposes(tenantId) {
      return store.listPurposes(tenantOf(tenantId));
    },
    async publishNotice(input, opts = {}) {
      const n = parse(NoticeInputSchema, input, "notice");
      const purposes = await purposesOf(n.tenantId, true);
      const issues: LawfulIssue[] = [];
      n.purposes.forEach((id, i) => {
        if (!purposes.has(id)) issues.push({ path: ["purposes", i], message: "is not a purpose defined for this tenant", code: "unknown_purpose" });
      });
      const needsCasl = n.purposes.some((id) => purposes.get(id)?.regime === "CA");
      if (needsCasl && !n.casl) {
        issues.push({ path: ["casl"], message: "a notice for CASL purposes must state requester, on whose behalf, mailing address, contact and withdrawal statement (SOR/2012-36 s. 4)", code: "casl_request_missing" });
      }
      if (issues.length) fail("notice", issues);
      const at = clock.now();
      const notice: Notice = {
        ...n,
        contentSha256: sha256Hex(n.content),
        status: opts.draft ? "draft" : "published",
        createdAt: at,
        publishedAt: opts.draft ? null : at,
      };
      await store.transaction(async () => {
        await store.insertNotice(notice);
        await audit.record({
          tenantId: n.tenantId,
          action: opts.draft ? "consent.notice_drafted" : "consent.notice_published",
          actor: SYSTEM_ACTOR,
          occurredAt: at,
          target: { system: "consent", recordType: "notice", recordId: `${n.noticeId}@${n.version}` },
          details: { sha256: notice.contentSha256, locale: n.locale },
        });
      });
      return notice;
    },
    async publishDraft(tenantId, noticeId, version) {
      const at = clock.now();
      return store.transaction(async () => {
        const n = await store.publishNotice(tenantOf(tenantId), noticeId, version, at);
        await audit.record({
          tenantId,
          action: "consent.notice_published",
          actor: SYSTEM_ACTOR,
          occurredAt: at,
          target: { system: "consent", recordType: "notice", recordId: `${noticeId}@${version}` },
          details: { sha256: n.contentSha256, locale: n.locale },
        });
        return n;
      });
    },
    async listNotices(tenantId, noticeId) {
      return store.listNotices(tenantOf(tenantId), noticeId);
    },
    async getNotice(tenantId, noticeId, version) {
      return store.getNotice(tenantOf(tenantId), noticeId, version);
    },
    async record(input) {
      return (await recordMany([input]))[0]!;
    },
    recordMany,
    async captureForm(submission) {
      const s = parse(FormSubmissionSchema, submission, "form submission");
      const issues: LawfulIssue[] = [];
      const subject = SubjectRefSchema.safeParse(s.subject);
      if (!subject.success) issues.push(...zodIssues(subject.error, ["subject"]));
      let purposes = await purposesOf(s.tenantId);
      if (s.choices.some((c) => !purposes.has(c.purposeId))) purposes = await purposesOf(s.tenantId, true);
      const notice = await store.getNotice(s.tenantId, s.notice.noticeId, s.notice.version);
      if (!notice) issues.push({ path: ["notice"], message: "the notice version does not exist", code: "missing_notice" });
      else if (notice.status !== "published") issues.push({ path: ["notice"], message: "the notice version is not published", code: "unpublished_notice" });
      const seen = new Set<string>();
      const bases = new Map<number, ConsentBasis>();
      s.choices.forEach((c, i) => {
        const purpose = purposes.get(c.purposeId);
        if (!purpose) issues.push({ path: ["choices", i, "purposeId"], message: "is not a purpose defined for this tenant", code: "unknown_purpose" });
        if (seen.has(c.purposeId)) issues.push({ path: ["choices", i, "purposeId"], message: "appears twice in the submission", code: "duplicate_purpose" });
        seen.add(c.purposeId);
        if (c.defaultChecked) {
          issues.push({
            path: ["choices", i, "defaultChecked"],
            message: "a pre-ticked box is not consent (GDPR Recital 32, CJEU Planet49, CASL); render the box unchecked",
            code: "pre_ticked",
          });
        }
        if (notice?.status === "published" && purpose && !notice.purposes.includes(purpose.id)) {
          issues.push({ path: ["choices", i, "purposeId"], message: "is not stated in the notice shown", code: "purpose_not_in_notice" });
        }
        if (c.basis !== undefined) {
          const b = ConsentBasisSchema.safeParse(c.basis);
          if (!b.success) issues.push(...zodIssues(b.error, ["choices", i, "basis"]));
          else bases.set(i, b.data);
        }
      });
      if (issues.length || !subject.success) fail("form submission", issues);
      const submissionId = nextId();
      const occurredAt = s.request?.receivedAt ?? clock.now();
      const method: ConsentMethod = s.control === "button" ? "button_clicked" : "checkbox_checked";
      const inputs: RecordEventInput[] = s.choices.map((c, i) => {
        const purpose = purposes.get(c.purposeId)!;
        const type = c.checked ? (purpose.doubleOptIn ? "requested" : "given") : "refused";
        const evidence: EvidenceInput = {
          collectionPoint: s.formId,
          formId: s.formId,
          fieldName: c.fieldName,
          defaultState: "unchecked",
          ...(s.pageUrl !== undefined ? { pageUrl: s.pageUrl } : {}),
          ...(s.locale !== undefined ? { locale: s.locale } : {}),
          ...(s.sessionRef !== undefined ? { sessionRef: s.sessionRef } : {}),
          ...(s.uiSnapshotRef !== undefined ? { uiSnapshotRef: s.uiSnapshotRef } : {}),
          ...(s.request?.ip !== undefined ? { ip: s.request.ip } : {}),
          ...(s.request?.userAgent !== undefined ? { userAgent: s.request.userAgent } : {}),
        };
        return {
          tenantId: s.tenantId,
          subject: subject.data,
          purposeId: c.purposeId,
          type,
          method: c.checked ? method : "checkbox_unchecked",
          ...(bases.has(i) ? { basis: bases.get(i)! } : {}),
          notice: s.notice,
          evidence,
          occurredAt,
          correlationId: submissionId,
          ...(s.actor ? { actor: s.actor } : {}),
        };
      });
      // the submission is validated already: build the parsed event inputs without a second schema pass
      const parsedEvents = inputs.map((input) => {
        const evidence = input.evidence;
        return { ...input, subject: subject.data, evidence, occurredAt } as z.output<typeof RecordEventInputSchema>;
      });
      const events = await write(
        await prepare(inputs, "form submission", [[`${s.tenantId}\u0000${s.notice.noticeId}\u0000${s.notice.version}`, notice]], parsedEvents),
      );
      const pending = events.filter((e) => e.type === "requested");
      const pseudonym = events[0]!.subjectPseudonym;
      const confirmation = pending.length
        ? service.createConfirmationToken(s.tenantId, pseudonym, pending.map((e) => e.id), pending.map((e) => e.purposeId))
        : null;
      return { submissionId, subjectPseudonym: pseudonym, events, confirmation };
    },
    createConfirmationToken(tenantId, subjectPseudonym, eventIds, purposeIds) {
      const iat = clock.now().getTime();
      const exp = iat + doiTtl;
      const token = signer.sign({ typ: "doi", ten: tenantId, sub: subjectPseudonym, pur: [...purposeIds], evt: [...eventIds], iat, exp });
      return { token, expiresAt: new Date(exp) };
    },
    async confirmDoubleOptIn(token, request = {}) {
      const now = clock.now();
      const claims = signer.verify(token, "doi", now);
      const existing = await store.listEvents(claims.ten, claims.sub);
      const items: Parameters<typeof recordByPseudonym>[2][number][] = [];
      const already: ConsentEvent[] = [];
      for (const id of claims.evt ?? []) {
        const done = existing.find((e) => e.relatedEventId === id && e.method === "double_opt_in_confirmed");
        if (done) {
          already.push(done);
          continue;
        }
        const req = existing.find((e) => e.id === id && e.type === "requested");
        if (!req) continue;
        items.push({ purpose: await purposeOf(claims.ten, req.purposeId), type: "given", method: "double_opt_in_confirmed", basis: req.basis, notice: req.notice, relatedEventId: req.id });
      }
      const evidence: EvidenceInput = {
        collectionPoint: "double-opt-in",
        ...(request.ip !== undefined ? { ip: request.ip } : {}),
        ...(request.userAgent !== undefined ? { userAgent: request.userAgent } : {}),
      };
      const at = request.receivedAt !== undefined ? new Date(request.receivedAt) : now;
      const written = await recordByPseudonym(claims.ten, claims.sub, items, evidence, undefined, at);
      return [...already, ...written];
    },
    async withdraw(tenantId, subject, purposeId, opts) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const purpose = await purposeOf(t, purposeId);
      const [e] = await recordByPseudonym(t, pseudonym, [{ purpose, type: "withdrawn", method: opts.method ?? "preference_center" }], opts.evidence, opts.actor, clock.now());
      return e!;
    },
    async object(tenantId, subject, purposeId, opts) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const purpose = await purposeOf(t, purposeId);
      return store.transaction(async () => {
        const [e] = await recordByPseudonym(t, pseudonym, [{ purpose, type: "objected", method: "preference_center" }], opts.evidence, opts.actor, clock.now());
        if (purpose.directMarketing) await suppressPseudonym(t, pseudonym, "objection_direct_marketing", null, opts.actor);
        return e!;
      });
    },
    async restrict(tenantId, subject, opts = {}) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const at = clock.now();
      const id = nextId();
      await store.transaction(async () => {
        await store.commit({
          events: [],
          upsertStates: [{ tenantId: t, subjectPseudonym: pseudonym, purposeKey: SUBJECT_STATE_KEYS.restricted, status: "restricted", basis: null, eventId: id, since: at, until: null, asOf: at }],
          deleteStates: [],
        });
        await audit.record(subjectAudit(t, pseudonym, "data.restricted", opts.actor, { restrictionId: id, reason: opts.reason ?? null }, at));
      });
    },
    async liftRestriction(tenantId, subject, opts) {
      const t = tenantOf(tenantId);
      if (!(opts?.notifiedAt instanceof Date) || Number.isNaN(opts.notifiedAt.getTime())) {
        fail("restriction lift", [{ path: ["notifiedAt"], message: "the subject must be told before a restriction is lifted (GDPR Art. 18(3))", code: "required" }]);
      }
      const pseudonym = pseudonymOf(t, subject);
      const at = clock.now();
      await store.transaction(async () => {
        await store.commit({ events: [], upsertStates: [], deleteStates: [{ tenantId: t, subjectPseudonym: pseudonym, purposeKey: SUBJECT_STATE_KEYS.restricted }] });
        await audit.record(subjectAudit(t, pseudonym, "consent.restriction_lifted", opts.actor, { notifiedAt: opts.notifiedAt.toISOString() }, at));
      });
    },
    decide(tenantId, subject, purposeId, at) {
      // hot path: no await when the purpose is cached, one store read
      try {
        const t = tenantOf(tenantId);
        const cached = purposeCache.get(t);
        const purpose = cached && clock.now().getTime() - cached.loadedAt <= cacheTtl ? cached.byId.get(purposeId) : undefined;
        const pseudonym = pseudonymOf(t, subject);
        if (purpose) return decideFor(t, pseudonym, purpose, at ?? clock.now());
        return purposeOf(t, purposeId).then((p) => decideFor(t, pseudonym, p, at ?? clock.now()));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    async decideAll(tenantId, subject, at) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const when = at ?? clock.now();
      const out: Decision[] = [];
      for (const p of (await purposesOf(t, true)).values()) out.push(await decideFor(t, pseudonym, p, when));
      return out;
    },
    async history(tenantId, subject, purposeId) {
      const t = tenantOf(tenantId);
      return store.listEvents(t, pseudonymOf(t, subject), purposeId);
    },
    async receiptFor(tenantId, eventId, opts = {}) {
      const t = tenantOf(tenantId);
      const event = await store.getEvent(t, eventId);
      if (!event) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Consent event ${eventId} does not exist in tenant ${t}.`);
      const purpose = await purposeOf(t, event.purposeId);
      const notice = event.notice ? await store.getNotice(t, event.notice.noticeId, event.notice.version) : undefined;
      const input = { event, purpose, notice, policyUrl: opts.policyUrl };
      return { iso27560: buildIso27560Record(input), kantara: buildKantaraReceipt(input) };
    },
    async evidenceOf(event) {
      if (!event.sealedEvidence || !event.evidenceKeyId) return {};
      return (await o.keyring.decryptJson(event.tenantId, event.evidenceKeyId, event.sealedEvidence, `consent-evidence:${event.evidenceKeyId}`)) as {
        ip?: string;
        userAgent?: string;
      };
    },
    pseudonymOf(tenantId, subject) {
      return pseudonymOf(tenantOf(tenantId), subject);
    },
    suppressionHash(tenantId, subject) {
      const t = tenantOf(tenantId);
      return suppressionHashOf(t, pseudonymOf(t, subject));
    },
    async suppress(tenantId, subject, opts) {
      const t = tenantOf(tenantId);
      return suppressPseudonym(t, pseudonymOf(t, subject), opts.reason, opts.channel ?? null, opts.actor);
    },
    async unsuppress(tenantId, subject, opts = {}) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const at = clock.now();
      return store.transaction(async () => {
        const removed = await store.removeSuppression(t, suppressionHashOf(t, pseudonym));
        await store.commit({ events: [], upsertStates: [], deleteStates: [{ tenantId: t, subjectPseudonym: pseudonym, purposeKey: SUBJECT_STATE_KEYS.suppressed }] });
        if (removed) await audit.record(subjectAudit(t, pseudonym, "consent.unsuppressed", opts.actor, {}, at));
        return removed;
      });
    },
    async isSuppressed(tenantId, subject) {
      const t = tenantOf(tenantId);
      return (await store.getSuppression(t, suppressionHashOf(t, pseudonymOf(t, subject)))) !== undefined;
    },
    createUnsubscribeToken(input) {
      const t = tenantOf(input.tenantId);
      const pseudonym = pseudonymOf(t, input.subject);
      const sentAt = input.sentAt ?? clock.now();
      const regimes = input.regimes ?? ["US", "CA"];
      const minLife = unsubscribeLinkMinLifetime(sentAt, regimes, { timeZone });
      const exp = Math.max(minLife.getTime() + 1, sentAt.getTime() + unsubTtl);
      const pur = input.purposeIds === "all" ? ["*"] : input.purposeIds.map((p) => parse(PurposeIdSchema, p, "purpose id"));
      const token = signer.sign({ typ: "unsubscribe", ten: t, sub: pseudonym, pur, iat: clock.now().getTime(), exp, snt: sentAt.getTime(), reg: [...regimes] });
      let headers: Record<string, string> | null = null;
      if (input.url !== undefined) {
        const url = new URL(input.url);
        url.searchParams.set("token", token);
        headers = { "List-Unsubscribe": `<${url.toString()}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
      }
      return { token, expiresAt: new Date(exp), headers };
    },
    async handleUnsubscribe(req) {
      const now = clock.now();
      const claims: TokenClaims = signer.verify(req.token, "unsubscribe", now);
      const all = claims.pur.includes("*");
      // "all" on an e-mail link: every direct-marketing e-mail purpose (CAN-SPAM: opt-out of all commercial messages)
      const purposes = [...(await purposesOf(claims.ten, true)).values()].filter((p) => (all ? p.directMarketing && p.channel === "email" : claims.pur.includes(p.id)));
      if (req.httpMethod.toUpperCase() !== "POST") return { status: "confirm", purposes: purposes.map((p) => p.id) };
      const oneClick = /(^|&)List-Unsubscribe=One-Click(&|$)/.test((req.body ?? "").trim());
      const receivedAt = req.request?.receivedAt !== undefined ? new Date(req.request.receivedAt) : now;
      const evidence: EvidenceInput = {
        collectionPoint: oneClick ? "list-unsubscribe-post" : "unsubscribe-page",
        ...(req.request?.ip !== undefined ? { ip: req.request.ip } : {}),
        ...(req.request?.userAgent !== undefined ? { userAgent: req.request.userAgent } : {}),
      };
      const current = new Map((await store.listStates(claims.ten, claims.sub)).map((s) => [s.purposeKey, s]));
      const items = purposes
        .filter((p) => {
          const s = current.get(p.id);
          return !(s && (s.status === "withdrawn" || s.status === "refused"));
        })
        .map((p) => ({ purpose: p, type: "withdrawn" as const, method: oneClick ? ("one_click_unsubscribe" as const) : ("unsubscribe_link" as const) }));
      const events = await store.transaction(async () => {
        const written = await recordByPseudonym(claims.ten, claims.sub, items, evidence, undefined, receivedAt);
        if (all) await suppressPseudonym(claims.ten, claims.sub, "unsubscribe", "email", undefined);
        return written;
      });
      const honourBy: Partial<Record<"US" | "CA" | "US-CA", Date>> = {};
      for (const r of claims.reg ?? []) {
        if (r === "US" || r === "CA" || r === "US-CA") {
          const from = r === "CA" ? (req.indicationSentAt ?? receivedAt) : receivedAt;
          honourBy[r] = optOutHonourBy(r, from, { timeZone, calendar: o.calendars?.[r] }).dueAt;
        }
      }
      return { status: "unsubscribed", events, honouredAt: now, honourBy, suppressed: all };
    },
    async recordGpcSignal(input) {
      const t = tenantOf(input.tenantId);
      const now = clock.now();
      if (!input.signal) return { applied: false, events: [], honourBy: null, reOptInAllowedAfter: null };
      const pseudonym = pseudonymOf(t, input.subject);
      const purposes = [...(await purposesOf(t, true)).values()].filter((p) => p.saleOrSharing && gpcRegimes.has(p.regime));
      const current = new Map((await store.listStates(t, pseudonym)).map((s) => [s.purposeKey, s]));
      const items = purposes
        .filter((p) => {
          const s = current.get(p.id);
          return !(s && (s.status === "gpc" || s.status === "withdrawn" || s.status === "refused"));
        })
        .map((p) => ({ purpose: p, type: current.get(p.id)?.status === "granted" ? ("withdrawn" as const) : ("refused" as const), method: "gpc_signal" as const }));
      const events = await recordByPseudonym(t, pseudonym, items, input.evidence, undefined, now);
      const applied = purposes.length > 0;
      const caPurpose = purposes.some((p) => p.regime === "US-CA");
      return {
        applied,
        events,
        honourBy: caPurpose ? optOutHonourBy("US-CA", now, { timeZone, calendar: o.calendars?.["US-CA"] }).dueAt : null,
        reOptInAllowedAfter: caPurpose ? (reOptInAllowedAfter("US-CA", now, { timeZone }) ?? null) : null,
      };
    },
    async expireDue(tenantId, at, limit = 1000) {
      const t = tenantOf(tenantId);
      const when = at ?? clock.now();
      const due = await store.listExpiring(t, when, limit);
      const out: ConsentEvent[] = [];
      for (const s of due) {
        const purpose = await purposeOf(t, s.purposeKey);
        out.push(...(await recordByPseudonym(t, s.subjectPseudonym, [{ purpose, type: "expired", method: "system" }], { collectionPoint: "expiry-sweep" }, SYSTEM_ACTOR, s.until!)));
      }
      return out;
    },
    async listEndedConsents(tenantId, opts = {}) {
      const t = tenantOf(tenantId);
      const limit = Math.max(1, Math.min(10_000, Math.trunc(opts.limit ?? 500)));
      if (!store.listStatesByStatus) return { items: [] };
      const purposes = await purposesOf(t, true);
      const after = opts.after && { subjectPseudonym: opts.after.subjectPseudonym, purposeKey: opts.after.purposeId };
      const page = await store.listStatesByStatus(t, ENDED, after, limit);
      const items = page
        .filter((s) => {
          const p = purposes.get(s.purposeKey);
          return p !== undefined && purgeable(p);
        })
        .map((s) => ({ subjectPseudonym: s.subjectPseudonym, purposeId: s.purposeKey, status: s.status as EndedConsent["status"], since: s.since }));
      const last = page[page.length - 1];
      return { items, next: page.length === limit && last ? { subjectPseudonym: last.subjectPseudonym, purposeId: last.purposeKey } : undefined };
    },
    async purgeHistory(tenantId, subjectPseudonym, purposeId, opts = {}) {
      const t = tenantOf(tenantId);
      const deleteHistory = store.deletePurposeHistory?.bind(store);
      if (!deleteHistory) throw new ConsentError(ERROR_CODES.UNSUPPORTED, "This consent store cannot delete a purpose's history.");
      const purpose = await purposeOf(t, purposeId);
      if (!purgeable(purpose)) {
        throw new ConsentError(ERROR_CODES.POLICY_VIOLATION, `The consent history of purpose ${purposeId} is kept: ${purpose.regime === "CA" ? "CASL keeps the unsubscribe log permanently" : "for an opt-out purpose it records the opt-out itself"}.`);
      }
      const at = clock.now();
      return store.transaction(async () => {
        await store.lockSubject(t, subjectPseudonym);
        const [s] = await store.readStates(t, subjectPseudonym, [purposeId]);
        if (!s) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Nothing is recorded for this subject and purpose ${purposeId}.`);
        if (!ENDED.includes(s.status)) throw new ConsentError(ERROR_CODES.POLICY_VIOLATION, `The consent history of purpose ${purposeId} is kept while its state is ${s.status}.`);
        const r = await deleteHistory(t, subjectPseudonym, purposeId);
        await audit.record(subjectAudit(t, subjectPseudonym, "consent.history_deleted", opts.actor, { purposeId, status: s.status, events: r.events }, at));
        return { events: r.events };
      });
    },
    async eraseSubject(tenantId, subject, opts = {}) {
      const t = tenantOf(tenantId);
      const pseudonym = pseudonymOf(t, subject);
      const at = clock.now();
      const keyIds = new Set<string>();
      const result = await store.transaction(async () => {
        for (const e of await store.listEvents(t, pseudonym)) if (e.evidenceKeyId) keyIds.add(e.evidenceKeyId);
        for (const s of await store.readStates(t, pseudonym, [SUBJECT_STATE_KEYS.evidenceKey])) keyIds.add(s.eventId);
        const r = await store.eraseSubject(t, pseudonym);
        await audit.record(subjectAudit(t, pseudonym, "data.deleted", opts.actor, { component: "consent", events: r.events, states: r.states }, at));
        return r;
      });
      for (const keyId of keyIds) await o.keyring.shred(t, keyId);
      return result;
    },
  };
  return Object.freeze(service);
}

