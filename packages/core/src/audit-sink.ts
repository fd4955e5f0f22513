import * as z from "zod";
import { lawfulErrorFromZod } from "./errors.js";
import { ActorSchema, LawfulBasisSchema, PurposeIdSchema, SubjectRefSchema, TenantIdSchema } from "./vocabulary.js";

/**
 * An audit action: a namespaced, lower-case dotted name such as `data.accessed`,
 * `consent.withdrawn`, `request.verified`, `retention.deleted` or `registry.party_activated`.
 * The registry is open: packages and users add their own namespaces.
 *
 * @example
 * ```ts
 * import { AuditActionSchema } from "@lawful/core";
 * AuditActionSchema.parse("data.transferred");
 * ```
 */
export const AuditActionSchema = z
  .string()
  .max(128)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must be a namespaced action such as 'data.accessed'");
/** An audit action name; see {@link AuditActionSchema}. */
export type AuditAction = z.infer<typeof AuditActionSchema>;

/**
 * Well-known audit actions used by the Lawful packages. Extensible: any {@link AuditAction} is accepted.
 *
 * @example
 * ```ts
 * import { AUDIT_ACTIONS } from "@lawful/core";
 * AUDIT_ACTIONS.DATA_EXPORTED; // "data.exported"
 * ```
 */
export const AUDIT_ACTIONS = Object.freeze({
  DATA_ACCESSED: "data.accessed",
  DATA_UPDATED: "data.updated",
  DATA_DELETED: "data.deleted",
  DATA_TRANSFERRED: "data.transferred",
  DATA_EXPORTED: "data.exported",
  DATA_RESTRICTED: "data.restricted",
  DATA_ANONYMISED: "data.anonymised",
  CONSENT_GIVEN: "consent.given",
  CONSENT_REFUSED: "consent.refused",
  CONSENT_WITHDRAWN: "consent.withdrawn",
  CONSENT_EXPIRED: "consent.expired",
  CONSENT_RENEWED: "consent.renewed",
  SUBJECT_SUPPRESSED: "consent.suppressed",
  REQUEST_TRANSITIONED: "request.transitioned",
  RETENTION_APPLIED: "retention.applied",
  REGISTRY_CHANGED: "registry.changed",
  KEY_SHREDDED: "keyring.shredded",
} as const);

/**
 * Audit event outcomes.
 *
 * @example
 * ```ts
 * import { AuditOutcomeSchema } from "@lawful/core";
 * AuditOutcomeSchema.parse("denied");
 * ```
 */
export const AuditOutcomeSchema = z.enum(["succeeded", "failed", "denied"]);
/** One of `succeeded`, `failed`, `denied`. */
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

/**
 * What an audit event is about: the system, the record type, the record id and the fields touched.
 * Record ids must not be personal data (use internal ids, not e-mail addresses).
 *
 * @example
 * ```ts
 * import { AuditTargetSchema } from "@lawful/core";
 * AuditTargetSchema.parse({ system: "crm", recordType: "contact", recordId: "c_1", fields: ["email"] });
 * ```
 */
export const AuditTargetSchema = z.object({
  system: z.string().min(1).max(128),
  recordType: z.string().min(1).max(128),
  recordId: z.string().min(1).max(256).optional(),
  fields: z.array(z.string().min(1).max(128)).max(256).optional(),
});
/** An audit target; see {@link AuditTargetSchema}. */
export type AuditTarget = z.infer<typeof AuditTargetSchema>;

/**
 * A recipient of a transfer (`data.transferred`): a registry party id and, optionally, the country and categories sent.
 *
 * @example
 * ```ts
 * import { AuditRecipientSchema } from "@lawful/core";
 * AuditRecipientSchema.parse({ partyId: "mailer", country: "US", categories: ["contact.email"] });
 * ```
 */
export const AuditRecipientSchema = z.object({
  partyId: z.string().min(1).max(256),
  country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code").optional(),
  categories: z.array(z.string().min(1).max(128)).max(256).optional(),
});
/** An audit recipient; see {@link AuditRecipientSchema}. */
export type AuditRecipient = z.infer<typeof AuditRecipientSchema>;

/**
 * The event a package hands to an {@link AuditSink}. The sink pseudonymises `subject`
 * and encrypts `details` and `requestMeta` with the subject's key, so personal
 * data may go there — and only there.
 *
 * @example
 * ```ts
 * import { AuditEventInputSchema } from "@lawful/core";
 * AuditEventInputSchema.parse({
 *   tenantId: "acme", action: "data.accessed", actor: { type: "staff", id: "u1" },
 *   subject: { kind: "email", value: "ada@example.com" }, outcome: "succeeded",
 * });
 * ```
 */
export const AuditEventInputSchema = z
  .object({
    tenantId: TenantIdSchema,
    action: AuditActionSchema,
    actor: ActorSchema,
    /** When it happened; the sink's clock when omitted. */
    occurredAt: z.coerce.date().optional(),
    /** The data subject in clear; the sink stores only its pseudonym. */
    subject: SubjectRefSchema.optional(),
    /** A pseudonym already computed by the caller, when the clear identifier is no longer known. */
    subjectPseudonym: z.string().min(1).max(128).optional(),
    target: AuditTargetSchema.optional(),
    purpose: PurposeIdSchema.optional(),
    lawfulBasis: LawfulBasisSchema.optional(),
    recipient: AuditRecipientSchema.optional(),
    outcome: AuditOutcomeSchema.default("succeeded"),
    correlationId: z.string().min(1).max(256).optional(),
    /** Free-form details; encrypted with the subject key when a subject is given, else stored as is (must then hold no personal data). */
    details: z.record(z.string(), z.unknown()).optional(),
    /** Request metadata (IP address, user agent); always encrypted with the subject key, dropped when there is no subject. */
    requestMeta: z.object({ ip: z.string().max(64).optional(), userAgent: z.string().max(1024).optional() }).optional(),
  })
  .refine((e) => !(e.subject && e.subjectPseudonym), {
    message: "give either subject or subjectPseudonym, not both",
    path: ["subjectPseudonym"],
  });
/** Input of an audit event (before defaults); see {@link AuditEventInputSchema}. */
export type AuditEventInput = z.input<typeof AuditEventInputSchema>;
/** A parsed audit event input (defaults applied). */
export type ParsedAuditEventInput = z.output<typeof AuditEventInputSchema>;

/**
 * What a sink returns for each recorded event: its id and its position in the tenant's log.
 *
 * @example
 * ```ts
 * import type { AuditReceipt } from "@lawful/core";
 * const r: AuditReceipt = { id: "0192...", sequence: 0 };
 * ```
 */
export interface AuditReceipt {
  readonly id: string;
  readonly sequence: number;
}

/**
 * The small interface every package writes audit events through, so no package depends on `@lawful/audit`.
 * `@lawful/audit` implements it; {@link createMemoryAuditSink} collects events for tests and prototypes.
 * `recordMany` writes all events or none.
 *
 * @example
 * ```ts
 * import type { AuditSink } from "@lawful/core";
 * async function logAccess(sink: AuditSink) {
 *   await sink.record({ tenantId: "acme", action: "data.accessed", actor: { type: "system", id: "crm" } });
 * }
 * ```
 */
export interface AuditSink {
  record(event: AuditEventInput): Promise<AuditReceipt>;
  recordMany(events: readonly AuditEventInput[]): Promise<AuditReceipt[]>;
}

/**
 * An {@link AuditSink} that validates and keeps events in memory, in order, per tenant.
 * For tests and prototypes; it neither pseudonymises nor encrypts, so do not use it in production.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * const sink = createMemoryAuditSink();
 * await sink.record({ tenantId: "acme", action: "data.accessed", actor: { type: "system", id: "crm" } });
 * sink.events.length; // 1
 * ```
 */
export function createMemoryAuditSink(): AuditSink & { readonly events: readonly ParsedAuditEventInput[] } {
  const events: ParsedAuditEventInput[] = [];
  const counters = new Map<string, number>();
  const parseAll = (inputs: readonly AuditEventInput[]): ParsedAuditEventInput[] =>
    inputs.map((input, i) => {
      const r = AuditEventInputSchema.safeParse(input);
      if (!r.success) throw lawfulErrorFromZod(r.error, inputs.length === 1 ? "audit event" : `audit event #${i}`);
      return r.data;
    });
  const append = (parsed: ParsedAuditEventInput[]): AuditReceipt[] =>
    parsed.map((e) => {
      const sequence = counters.get(e.tenantId) ?? 0;
      counters.set(e.tenantId, sequence + 1);
      events.push(e);
      return { id: `${e.tenantId}:${sequence}`, sequence };
    });
  return {
    events,
    record: (event) => Promise.resolve().then(() => append(parseAll([event]))[0]!),
    recordMany: (batch) => Promise.resolve().then(() => append(parseAll(batch))),
  };
}

