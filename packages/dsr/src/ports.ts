import type { SubjectRef } from "@lawful/core";

/**
 * What dsr needs of a suppression list (e.g. `@lawful/consent`'s): put a subject on it so it is
 * never marketed to again. Must be idempotent.
 *
 * @example
 * ```ts
 * import type { SuppressionList } from "@lawful/dsr";
 * const list: SuppressionList = { suppress: async () => {} };
 * ```
 */
export interface SuppressionList {
  /** Put the subject on the tenant's suppression list (idempotent). */
  suppress(tenantId: string, subject: SubjectRef, reason: "erasure" | "objection" | "opt_out"): Promise<void>;
}

/**
 * The kinds of objection / opt-out an {@link ObjectionRecorder} records.
 *
 * @example
 * ```ts
 * import type { ObjectionKind } from "@lawful/dsr";
 * const k: ObjectionKind = "direct_marketing";
 * ```
 */
export type ObjectionKind = "direct_marketing" | "legitimate_interests" | "public_task" | "ccpa_opt_out_sale_sharing" | "ccpa_limit_sensitive";

/**
 * What dsr needs of the consent package for objections and CCPA opt-outs: record them so that the
 * consent decision refuses the processing from now on. Must be idempotent per `requestId`.
 *
 * @example
 * ```ts
 * import type { ObjectionRecorder } from "@lawful/dsr";
 * const r: ObjectionRecorder = { record: async () => {} };
 * ```
 */
export interface ObjectionRecorder {
  /** Record the objection or opt-out so processing stops (idempotent per request). */
  record(input: { tenantId: string; subject: SubjectRef; kind: ObjectionKind; purpose?: string | undefined; requestId: string; at: Date }): Promise<void>;
}

/**
 * Why data must be kept despite an erasure request: a statutory retention duty (Art. 17(3)(b)) or
 * a legal hold (Art. 17(3)(e)).
 *
 * @example
 * ```ts
 * import type { RetentionExemption } from "@lawful/dsr";
 * const e: RetentionExemption = { kind: "legal_hold", ruleId: "hold-42", citation: "Litigation hold, case 2025-17" };
 * ```
 */
export interface RetentionExemption {
  kind: "statutory" | "legal_hold";
  ruleId: string;
  citation: string;
  until?: Date | undefined;
}

/**
 * What dsr needs of `@lawful/retention`: the exemptions that keep a subject's data of one
 * category from being erased.
 *
 * @example
 * ```ts
 * import type { RetentionExemptions } from "@lawful/dsr";
 * const none: RetentionExemptions = { exemptionsFor: async () => [] };
 * ```
 */
export interface RetentionExemptions {
  /** The exemptions that apply to the subject's data of `category` now (empty: erase it). */
  exemptionsFor(tenantId: string, subject: SubjectRef, category: string): Promise<readonly RetentionExemption[]>;
}

/**
 * A recipient to whom a subject's data were disclosed (from the registry's disclosure log).
 *
 * @example
 * ```ts
 * import type { Recipient } from "@lawful/dsr";
 * const r: Recipient = { id: "mailer", name: "Mailer Inc.", channel: "webhook", endpoint: "https://mailer.example/dsr", categories: ["contact.email"] };
 * ```
 */
export interface Recipient {
  id: string;
  name: string;
  /** How the recipient is told. */
  channel: "webhook" | "email" | "manual";
  /** Webhook URL or e-mail address of the recipient's privacy contact. */
  endpoint?: string | undefined;
  categories: readonly string[];
  country?: string | undefined;
  role?: "processor" | "sub_processor" | "controller" | "third_party" | "service_provider" | "contractor" | undefined;
}

/**
 * What dsr needs of `@lawful/registry`: the recipients of a subject's data (Art. 19; CCPA service
 * providers, contractors and third parties).
 *
 * @example
 * ```ts
 * import type { RecipientDirectory } from "@lawful/dsr";
 * const d: RecipientDirectory = { recipientsFor: async () => [] };
 * ```
 */
export interface RecipientDirectory {
  /** The recipients that received the subject's data of any of `categories`. */
  recipientsFor(tenantId: string, subject: SubjectRef, categories: readonly string[]): Promise<readonly Recipient[]>;
}

/**
 * What dsr needs of the audit log's keyring: shred the subject's key so their encrypted audit
 * details become unreadable while the log still verifies. Must be idempotent.
 *
 * @example
 * ```ts
 * import type { SubjectKeyShredder } from "@lawful/dsr";
 * const s: SubjectKeyShredder = { shred: async () => {} };
 * ```
 */
export interface SubjectKeyShredder {
  /** Shred the subject's key (idempotent). */
  shred(tenantId: string, subjectPseudonym: string): Promise<void>;
}

/**
 * What dsr needs of `@lawful/consent` for access requests: the subject's consent history as
 * plain JSON-serialisable entries.
 *
 * @example
 * ```ts
 * import type { ConsentHistorySource } from "@lawful/dsr";
 * const c: ConsentHistorySource = { historyFor: async () => [] };
 * ```
 */
export interface ConsentHistorySource {
  /** The subject's consent events, oldest first. */
  historyFor(tenantId: string, subject: SubjectRef): Promise<readonly Record<string, unknown>[]>;
}

/**
 * The Art. 15(1)(a)–(h) and 15(2) information sections of an access response.
 *
 * @example
 * ```ts
 * import type { Art15Sections } from "@lawful/dsr";
 * const s: Partial<Art15Sections> = { purposes: [{ id: "newsletter", description: "Monthly newsletter", lawfulBasis: "consent" }] };
 * ```
 */
export interface Art15Sections {
  purposes: { id: string; description?: string | undefined; lawfulBasis?: string | undefined }[];
  categories: { key: string; description?: string | undefined }[];
  /** Recipients named where known (CJEU C-154/21), third-country ones flagged. */
  recipients: { name: string; id?: string | undefined; country?: string | undefined; thirdCountry?: boolean | undefined; categories?: string[] | undefined }[];
  retention: { category?: string | undefined; period: string }[];
  rights: string[];
  complaintRight: string;
  sources: string[];
  automatedDecisions: { description: string; logic?: string | undefined; significance?: string | undefined }[];
  transferSafeguards: { country: string; mechanism: string; recipient?: string | undefined }[];
}

/**
 * What dsr needs of `@lawful/registry` (ROPA) for access requests: the Art. 15 sections for a
 * subject and the categories found.
 *
 * @example
 * ```ts
 * import type { ProcessingInformation } from "@lawful/dsr";
 * const p: ProcessingInformation = { describe: async () => ({}) };
 * ```
 */
export interface ProcessingInformation {
  /** The Art. 15 sections known for the subject and the categories found. */
  describe(tenantId: string, subject: SubjectRef, categories: readonly string[]): Promise<Partial<Art15Sections>>;
}
