import * as z from "zod";
import {
  ActorSchema,
  DataCategorySchema,
  LawfulBasisSchema,
  PurposeIdSchema,
  RegimeIdSchema,
  SubjectRefSchema,
  TenantIdSchema,
} from "@lawful/core";

/**
 * Channels a purpose reaches the subject through.
 *
 * @example
 * ```ts
 * import { CHANNELS } from "@lawful/consent";
 * CHANNELS.includes("sms"); // true
 * ```
 */
export const CHANNELS = ["email", "sms", "phone", "post", "web", "other"] as const;

/**
 * Schema of a {@link Channel}.
 *
 * @example
 * ```ts
 * import { ChannelSchema } from "@lawful/consent";
 * ChannelSchema.parse("email");
 * ```
 */
export const ChannelSchema = z.enum(CHANNELS);
/** A channel; see {@link CHANNELS}. */
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * A purpose of a tenant: what the subject's data is used for, through which channel, on which basis and under which regime.
 *
 * `model` decides what `decide()` answers when nothing was recorded: `opt_in` (consent needed, the default when
 * `lawfulBasis` is `consent`) or `opt_out` (allowed until the subject opts out: CAN-SPAM e-mail, CCPA sale/sharing,
 * or a non-consent lawful basis such as legitimate interests).
 *
 * @example
 * ```ts
 * import { PurposeSchema } from "@lawful/consent";
 * PurposeSchema.parse({ tenantId: "acme", id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
 * ```
 */
export const PurposeSchema = z
  .object({
    tenantId: TenantIdSchema,
    id: PurposeIdSchema,
    name: z.string().min(1).max(256),
    description: z.string().max(4000).optional(),
    channel: ChannelSchema,
    lawfulBasis: LawfulBasisSchema,
    regime: RegimeIdSchema,
    model: z.enum(["opt_in", "opt_out"]).optional(),
    /** Direct marketing: an objection is absolute and suppresses the subject (GDPR Art. 21(2)–(3)). @default true for e-mail, SMS, phone and post */
    directMarketing: z.boolean().optional(),
    /** Sale or sharing of personal information (CCPA): a GPC signal opts out under `US-CA`. @default false */
    saleOrSharing: z.boolean().optional(),
    /** Send a double opt-in confirmation before the consent counts. @default false */
    doubleOptIn: z.boolean().optional(),
  })
  .transform((p) => ({
    ...p,
    model: p.model ?? (p.lawfulBasis === "consent" ? ("opt_in" as const) : ("opt_out" as const)),
    directMarketing: p.directMarketing ?? (p.channel !== "web" && p.channel !== "other"),
    saleOrSharing: p.saleOrSharing ?? false,
    doubleOptIn: p.doubleOptIn ?? false,
  }));
/** Input of a purpose definition; see {@link PurposeSchema}. */
export type PurposeInput = z.input<typeof PurposeSchema>;
/** A purpose with defaults applied; see {@link PurposeSchema}. */
export type Purpose = z.output<typeof PurposeSchema>;

/**
 * A controller named in a notice (EDPB 05/2020 §3.3.1: the identity of every controller relying on the consent).
 *
 * @example
 * ```ts
 * import { ControllerSchema } from "@lawful/consent";
 * ControllerSchema.parse({ name: "Acme GmbH", contact: "privacy@acme.example" });
 * ```
 */
export const ControllerSchema = z.object({
  name: z.string().min(1).max(256),
  contact: z.string().min(1).max(512).optional(),
  address: z.string().min(1).max(1024).optional(),
});
/** A controller; see {@link ControllerSchema}. */
export type Controller = z.infer<typeof ControllerSchema>;

/**
 * The CASL express-consent request content (SOR/2012-36 s. 4, DOMAIN B12): who asks, for whom, how to reach them, and the withdrawal statement.
 *
 * @example
 * ```ts
 * import { CaslRequestSchema } from "@lawful/consent";
 * CaslRequestSchema.parse({ requesterName: "Acme Inc.", mailingAddress: "1 Main St, Toronto", contact: "https://acme.example", withdrawalStatement: "You can unsubscribe at any time." });
 * ```
 */
export const CaslRequestSchema = z.object({
  requesterName: z.string().min(1).max(256),
  onBehalfOf: z.string().min(1).max(256).optional(),
  mailingAddress: z.string().min(1).max(1024),
  /** A telephone number, e-mail address or web address. */
  contact: z.string().min(1).max(512),
  withdrawalStatement: z.string().min(1).max(2000),
});
/** CASL request content; see {@link CaslRequestSchema}. */
export type CaslRequest = z.infer<typeof CaslRequestSchema>;

/**
 * Input of a notice version: the exact content shown, its locale, and the information DOMAIN B4 requires
 * (controllers, purposes, data categories, withdrawal information; optional automated-decision and transfer-risk statements).
 *
 * @example
 * ```ts
 * import { NoticeInputSchema } from "@lawful/consent";
 * NoticeInputSchema.parse({
 *   tenantId: "acme", noticeId: "signup", version: 1, locale: "en", contentType: "text/plain",
 *   content: "Acme GmbH sends you its newsletter. You can withdraw at any time.",
 *   controllers: [{ name: "Acme GmbH" }], purposes: ["newsletter"], dataCategories: ["contact.email"],
 *   withdrawalInfo: "Use the link in every e-mail.",
 * });
 * ```
 */
export const NoticeInputSchema = z.object({
  tenantId: TenantIdSchema,
  noticeId: PurposeIdSchema,
  version: z.number().int().min(1).max(1_000_000),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a BCP 47 language tag such as 'en' or 'de-DE'"),
  contentType: z.enum(["text/plain", "text/html"]),
  content: z.string().min(1).max(1_000_000),
  controllers: z.array(ControllerSchema).min(1, "at least one controller must be named (EDPB 05/2020 §3.3.1)").max(32),
  purposes: z.array(PurposeIdSchema).min(1, "at least one purpose must be stated").max(64),
  dataCategories: z.array(DataCategorySchema).min(1, "the data categories collected must be stated").max(128),
  withdrawalInfo: z.string().min(1, "the right to withdraw must be stated").max(4000),
  automatedDecision: z.string().min(1).max(4000).optional(),
  transferRisk: z.string().min(1).max(4000).optional(),
  casl: CaslRequestSchema.optional(),
});
/** Input of a notice version; see {@link NoticeInputSchema}. */
export type NoticeInput = z.input<typeof NoticeInputSchema>;

/**
 * A stored notice version: the input plus the SHA-256 of its content, its status and publication time.
 * Immutable once `status` is `published`.
 *
 * @example
 * ```ts
 * import type { Notice } from "@lawful/consent";
 * function label(n: Notice) { return `${n.noticeId} v${n.version} (${n.contentSha256.slice(0, 8)})`; }
 * ```
 */
export interface Notice {
  readonly tenantId: string;
  readonly noticeId: string;
  readonly version: number;
  readonly locale: string;
  readonly contentType: "text/plain" | "text/html";
  readonly content: string;
  /** Lower-case hex SHA-256 of the UTF-8 content. */
  readonly contentSha256: string;
  readonly controllers: readonly Controller[];
  readonly purposes: readonly string[];
  readonly dataCategories: readonly string[];
  readonly withdrawalInfo: string;
  readonly automatedDecision?: string | undefined;
  readonly transferRisk?: string | undefined;
  readonly casl?: CaslRequest | undefined;
  readonly status: "draft" | "published";
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
}

/**
 * Consent event types. `requested` is a double opt-in waiting for confirmation; `objected` is an Art. 21 objection.
 *
 * @example
 * ```ts
 * import { CONSENT_EVENT_TYPES } from "@lawful/consent";
 * CONSENT_EVENT_TYPES.includes("withdrawn"); // true
 * ```
 */
export const CONSENT_EVENT_TYPES = ["given", "refused", "withdrawn", "expired", "renewed", "requested", "objected"] as const;

/**
 * Schema of a {@link ConsentEventType}.
 *
 * @example
 * ```ts
 * import { ConsentEventTypeSchema } from "@lawful/consent";
 * ConsentEventTypeSchema.parse("given");
 * ```
 */
export const ConsentEventTypeSchema = z.enum(CONSENT_EVENT_TYPES);
/** A consent event type; see {@link CONSENT_EVENT_TYPES}. */
export type ConsentEventType = z.infer<typeof ConsentEventTypeSchema>;

/**
 * How an event was expressed. Positive acts (DOMAIN B1): `checkbox_checked`, `button_clicked`, `double_opt_in_confirmed`,
 * `signed`, `oral_recorded`. Others record imports, signals, unsubscribes and system actions.
 *
 * @example
 * ```ts
 * import { CONSENT_METHODS } from "@lawful/consent";
 * CONSENT_METHODS.includes("gpc_signal"); // true
 * ```
 */
export const CONSENT_METHODS = [
  "checkbox_checked",
  "checkbox_unchecked",
  "button_clicked",
  "double_opt_in_confirmed",
  "signed",
  "oral_recorded",
  "import",
  "gpc_signal",
  "unsubscribe_link",
  "one_click_unsubscribe",
  "preference_center",
  "transaction",
  "system",
] as const;

/**
 * Schema of a {@link ConsentMethod}.
 *
 * @example
 * ```ts
 * import { ConsentMethodSchema } from "@lawful/consent";
 * ConsentMethodSchema.parse("signed");
 * ```
 */
export const ConsentMethodSchema = z.enum(CONSENT_METHODS);
/** A consent method; see {@link CONSENT_METHODS}. */
export type ConsentMethod = z.infer<typeof ConsentMethodSchema>;

/**
 * Methods that are a positive act by the subject and so can carry consent (GDPR Art. 4(11), Recital 32).
 *
 * @example
 * ```ts
 * import { POSITIVE_ACT_METHODS } from "@lawful/consent";
 * POSITIVE_ACT_METHODS.has("checkbox_checked"); // true
 * ```
 */
export const POSITIVE_ACT_METHODS: ReadonlySet<ConsentMethod> = new Set<ConsentMethod>([
  "checkbox_checked",
  "button_clicked",
  "double_opt_in_confirmed",
  "signed",
  "oral_recorded",
  "preference_center",
]);

/**
 * The kind of relationship a CASL implied consent rests on (DOMAIN A10).
 *
 * @example
 * ```ts
 * import { CaslImpliedKindSchema } from "@lawful/consent";
 * CaslImpliedKindSchema.parse("inquiry");
 * ```
 */
export const CaslImpliedKindSchema = z.enum(["purchase", "contract", "business-opportunity", "non-business", "inquiry"]);

/**
 * The regime basis of an event that grants: GDPR consent, ePrivacy soft opt-in (needs the originating sale and the
 * objection offered at collection), CASL express or implied (with its kind), CAN-SPAM affirmative consent, or a
 * non-consent lawful basis.
 *
 * @example
 * ```ts
 * import { ConsentBasisSchema } from "@lawful/consent";
 * ConsentBasisSchema.parse({ type: "eprivacy_soft_opt_in", originTransactionId: "order-77", objectionOfferedAtCollection: true });
 * ConsentBasisSchema.parse({ type: "casl_implied", kind: "purchase" });
 * ```
 */
export const ConsentBasisSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("gdpr_consent") }),
  z.object({
    type: z.literal("eprivacy_soft_opt_in"),
    originTransactionId: z.string().min(1).max(256),
    objectionOfferedAtCollection: z.literal(true, "the chance to object must have been offered at collection (ePrivacy Art. 13(2))"),
  }),
  z.object({ type: z.literal("casl_express") }),
  z.object({ type: z.literal("casl_implied"), kind: CaslImpliedKindSchema, evidenceRef: z.string().min(1).max(512).optional() }),
  z.object({ type: z.literal("can_spam") }),
  z.object({ type: z.literal("lawful_basis"), lawfulBasis: LawfulBasisSchema }),
]);
/** A consent basis; see {@link ConsentBasisSchema}. */
export type ConsentBasis = z.infer<typeof ConsentBasisSchema>;

/**
 * How an IP address is kept in the evidence: in full, truncated (IPv4 /24, IPv6 /48), or not at all.
 *
 * @example
 * ```ts
 * import { IpPolicySchema } from "@lawful/consent";
 * IpPolicySchema.parse("truncated");
 * ```
 */
export const IpPolicySchema = z.enum(["full", "truncated", "none"]);
/** An IP policy; see {@link IpPolicySchema}. */
export type IpPolicy = z.infer<typeof IpPolicySchema>;

/**
 * Evidence of how an event was collected (DOMAIN B6): collection point, page, field, the checkbox's default state,
 * locale, session and snapshot references, and the request's IP and user agent (personal data: encrypted at rest).
 *
 * @example
 * ```ts
 * import { EvidenceSchema } from "@lawful/consent";
 * EvidenceSchema.parse({ collectionPoint: "signup-form", pageUrl: "https://acme.example/signup", fieldName: "newsletter", defaultState: "unchecked" });
 * ```
 */
export const EvidenceSchema = z.object({
  collectionPoint: z.string().min(1).max(256),
  formId: z.string().min(1).max(256).optional(),
  pageUrl: z.url().max(2048).optional(),
  fieldName: z.string().min(1).max(256).optional(),
  defaultState: z.enum(["unchecked", "checked", "none"]).optional(),
  locale: z.string().min(2).max(35).optional(),
  sessionRef: z.string().min(1).max(256).optional(),
  uiSnapshotRef: z.string().min(1).max(1024).optional(),
  evidenceRef: z.string().min(1).max(1024).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  userAgent: z.string().max(1024).optional(),
  timeZone: z.string().min(1).max(64).optional(),
  /** Result of an age gate (GDPR Art. 8, CCPA under-16 opt-in): `adult`, `minor_with_parental_consent` or `not_checked`. */
  ageGateResult: z.enum(["adult", "minor_with_parental_consent", "not_checked"]).optional(),
  /** Reference to the verified parental consent when `ageGateResult` is `minor_with_parental_consent`. */
  parentalConsentRef: z.string().min(1).max(512).optional(),
});
/** Evidence input; see {@link EvidenceSchema}. */
export type EvidenceInput = z.input<typeof EvidenceSchema>;
/** Evidence; see {@link EvidenceSchema}. */
export type Evidence = z.output<typeof EvidenceSchema>;

/**
 * Input of one consent event recorded through `ConsentService.record()`.
 *
 * @example
 * ```ts
 * import { RecordEventInputSchema } from "@lawful/consent";
 * RecordEventInputSchema.parse({
 *   tenantId: "acme", subject: { kind: "email", value: "ada@example.com" }, purposeId: "newsletter",
 *   type: "given", method: "checkbox_checked", basis: { type: "gdpr_consent" },
 *   notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "signup-form", defaultState: "unchecked" },
 * });
 * ```
 */
export const RecordEventInputSchema = z.object({
  tenantId: TenantIdSchema,
  subject: SubjectRefSchema,
  purposeId: PurposeIdSchema,
  type: ConsentEventTypeSchema,
  method: ConsentMethodSchema,
  basis: ConsentBasisSchema.optional(),
  notice: z.object({ noticeId: PurposeIdSchema, version: z.number().int().min(1) }).optional(),
  evidence: EvidenceSchema,
  occurredAt: z.coerce.date().optional(),
  /** For a withdrawal through a CASL unsubscribe: when the subject sent the indication. */
  indicationSentAt: z.coerce.date().optional(),
  actor: ActorSchema.optional(),
  correlationId: z.string().min(1).max(256).optional(),
  relatedEventId: z.string().min(1).max(128).optional(),
});
/** Input of {@link RecordEventInputSchema}. */
export type RecordEventInput = z.input<typeof RecordEventInputSchema>;

/**
 * A stored consent event. It carries the subject's pseudonym, never the identifier; IP address and user agent live
 * only inside `sealedEvidence`, encrypted with the subject's key (so erasure shreds them).
 *
 * @example
 * ```ts
 * import type { ConsentEvent } from "@lawful/consent";
 * const summary = (e: ConsentEvent) => `${e.type} ${e.purposeId} at ${e.occurredAt.toISOString()}`;
 * ```
 */
export interface ConsentEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly subjectPseudonym: string;
  readonly purposeId: string;
  readonly type: ConsentEventType;
  readonly method: ConsentMethod;
  readonly basis: ConsentBasis | null;
  readonly regime: string;
  readonly notice: { readonly noticeId: string; readonly version: number; readonly contentSha256: string; readonly locale: string } | null;
  /** Evidence without IP address and user agent. */
  readonly evidence: Omit<Evidence, "ip" | "userAgent">;
  /** Encrypted `{ ip, userAgent }` (keyring ciphertext), or null when there was none. */
  readonly sealedEvidence: string | null;
  /** The keyring subject key id that encrypts `sealedEvidence` (a fresh one per subject after each erasure), or null. */
  readonly evidenceKeyId: string | null;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  /** When a granted state ends by itself (CASL implied consent), else null. */
  readonly expiresAt: Date | null;
  readonly actor: { readonly type: string; readonly id: string };
  readonly correlationId: string | null;
  readonly relatedEventId: string | null;
}

/**
 * Why a purpose is not allowed.
 *
 * @example
 * ```ts
 * import { DENIAL_REASONS } from "@lawful/consent";
 * DENIAL_REASONS.includes("gpc"); // true
 * ```
 */
export const DENIAL_REASONS = [
  "withdrawn",
  "expired",
  "never_given",
  "refused",
  "pending_confirmation",
  "suppressed",
  "objected",
  "restricted",
  "gpc",
] as const;
/** A denial reason; see {@link DENIAL_REASONS}. */
export type DenialReason = (typeof DENIAL_REASONS)[number];

/**
 * The answer of `decide()`: allowed or not, on which basis, which event decides it, since and until when, and why not.
 *
 * @example
 * ```ts
 * import type { Decision } from "@lawful/consent";
 * const send = (d: Decision) => d.allowed && d.basis !== null;
 * ```
 */
export interface Decision {
  readonly allowed: boolean;
  readonly purposeId: string;
  /** The basis the answer rests on: an event basis type, `opt_out_model`, or a lawful basis. Null when denied without a basis. */
  readonly basis: string | null;
  readonly reason: DenialReason | null;
  /** The id of the event (or suppression entry) that decides, or null when nothing was recorded. */
  readonly decidingEventId: string | null;
  readonly since: Date | null;
  readonly until: Date | null;
  /** The instant the decision was taken for. */
  readonly at: Date;
}
