import * as z from "zod";
import { ActorSchema, DataCategorySchema, LawfulBasisSchema, PurposeIdSchema, TenantIdSchema } from "@lawful/core";
import { CountryCodeSchema } from "./adequacy.js";
import { DpaSchema } from "./dpa.js";
import { TransferMechanismSchema } from "./transfer.js";
import { httpUrl } from "./internal/url.js";

/**
 * A party id: a stable slug chosen by the controller, e.g. `mailer` or `aws-eu-west-1`.
 *
 * @example
 * ```ts
 * import { PartyIdSchema } from "@lawful/registry";
 * PartyIdSchema.parse("mailer");
 * ```
 */
export const PartyIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, "must be 1-128 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
/** A party id; see {@link PartyIdSchema}. */
export type PartyId = z.infer<typeof PartyIdSchema>;

/**
 * The roles a party can have: processor, sub-processor (engaged by a processor, down the chain),
 * joint controller (Art. 26), independent controller receiving data, and third-party source
 * (data received from, Art. 14).
 *
 * @example
 * ```ts
 * import { PARTY_ROLES } from "@lawful/registry";
 * PARTY_ROLES.includes("source"); // true
 * ```
 */
export const PARTY_ROLES = ["processor", "subprocessor", "joint_controller", "independent_controller", "source"] as const;
/** One of {@link PARTY_ROLES}. */
export type PartyRole = (typeof PARTY_ROLES)[number];

/**
 * The lifecycle of a party: `proposed` → `active` → `retired` (or `proposed` → `retired`).
 *
 * @example
 * ```ts
 * import { PartyStatusSchema } from "@lawful/registry";
 * PartyStatusSchema.parse("active");
 * ```
 */
export const PartyStatusSchema = z.enum(["proposed", "active", "retired"]);
/** One of `proposed`, `active`, `retired`. */
export type PartyStatus = z.infer<typeof PartyStatusSchema>;

const Name = z.string().trim().min(1).max(300);
const Email = z.email().max(254);

/**
 * A postal address; `country` is an ISO 3166-1 alpha-2 code.
 *
 * @example
 * ```ts
 * import { AddressSchema } from "@lawful/registry";
 * AddressSchema.parse({ lines: ["1 Main Street"], locality: "Dublin", postalCode: "D01 X2Y3", country: "IE" });
 * ```
 */
export const AddressSchema = z.object({
  lines: z.array(z.string().trim().min(1).max(300)).min(1).max(6),
  locality: z.string().trim().min(1).max(200),
  postalCode: z.string().trim().min(1).max(32).optional(),
  region: z.string().trim().min(1).max(200).optional(),
  country: CountryCodeSchema,
});
/** A postal address; see {@link AddressSchema}. */
export type Address = z.infer<typeof AddressSchema>;

/**
 * Contact details of an organisation or its DPO: an e-mail address and optionally a contact name, phone and URL.
 *
 * @example
 * ```ts
 * import { ContactSchema } from "@lawful/registry";
 * ContactSchema.parse({ email: "privacy@mailer.example", url: "https://mailer.example/privacy" });
 * ```
 */
export const ContactSchema = z.object({
  name: Name.optional(),
  email: Email,
  phone: z.string().trim().min(3).max(40).optional(),
  url: httpUrl().max(2000).optional(),
});
/** Contact details; see {@link ContactSchema}. */
export type Contact = z.infer<typeof ContactSchema>;

/**
 * An Art. 27 representative in the Union (or UK) of an organisation established outside it.
 *
 * @example
 * ```ts
 * import { RepresentativeSchema } from "@lawful/registry";
 * RepresentativeSchema.parse({ name: "Rep Ltd", contact: { email: "rep@example.eu" }, country: "IE" });
 * ```
 */
export const RepresentativeSchema = z.object({
  name: Name,
  contact: ContactSchema,
  country: CountryCodeSchema,
});
/** An Art. 27 representative; see {@link RepresentativeSchema}. */
export type Representative = z.infer<typeof RepresentativeSchema>;

/**
 * A recorded specific prior written authorisation of a sub-processor (Art. 28(2)). Silence at the
 * end of a window is not approval (EDPB Opinion 22/2024), so a specific authorisation must be recorded.
 *
 * @example
 * ```ts
 * import { SpecificAuthorisationSchema } from "@lawful/registry";
 * SpecificAuthorisationSchema.parse({ authorisedAt: "2026-02-01", reference: "AUTH-17" });
 * ```
 */
export const SpecificAuthorisationSchema = z.object({
  authorisedAt: z.coerce.date(),
  reference: z.string().trim().min(1).max(200),
});
/** A specific authorisation; see {@link SpecificAuthorisationSchema}. */
export type SpecificAuthorisation = z.infer<typeof SpecificAuthorisationSchema>;

const common = {
  id: PartyIdSchema,
  legalName: Name,
  tradingName: Name.optional(),
  address: AddressSchema,
  contact: ContactSchema,
  dpo: ContactSchema.optional(),
  representative: RepresentativeSchema.optional(),
  /** Country of establishment (where the recipient is for Chapter V purposes). */
  country: CountryCodeSchema,
  /** Further countries where the party processes or stores the data (each is checked for transfers). */
  processingLocations: z.array(CountryCodeSchema).max(64).optional(),
  services: z.array(z.string().trim().min(1).max(300)).min(1).max(64),
  dataCategories: z.array(DataCategorySchema).min(1).max(256),
  purposes: z.array(PurposeIdSchema).min(1).max(128),
  subjectCategories: z.array(z.string().trim().min(1).max(200)).min(1).max(64),
  /** General description of the Art. 32 technical and organisational measures. */
  securityMeasures: z.string().trim().min(1).max(4000).optional(),
  transfer: TransferMechanismSchema.optional(),
  website: httpUrl().max(2000).optional(),
  /** Internal notes; never published. */
  notes: z.string().max(4000).optional(),
};

const ProcessorSchema = z.object({
  ...common,
  role: z.literal("processor"),
  dpa: DpaSchema.optional(),
});

const SubprocessorSchema = z
  .object({
    ...common,
    role: z.literal("subprocessor"),
    /** The processor (or sub-processor) that engages this one. */
    parentId: PartyIdSchema,
    authorisationType: z.enum(["specific", "general"]),
    /** Notice period agreed for changes under a general authorisation, in calendar days. */
    noticePeriodDays: z.number().int().min(0).max(365).optional(),
    specificAuthorisation: SpecificAuthorisationSchema.optional(),
    /** The flow-down agreement between the processor and this sub-processor (Art. 28(4)). */
    dpa: DpaSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.authorisationType === "general" && p.noticePeriodDays === undefined) {
      ctx.addIssue({ code: "custom", path: ["noticePeriodDays"], message: "is required under a general authorisation (Art. 28(2), SCC Clause 9 Option 2)" });
    }
    if (p.parentId === p.id) ctx.addIssue({ code: "custom", path: ["parentId"], message: "must not be the party itself" });
  });

const JointControllerSchema = z.object({
  ...common,
  role: z.literal("joint_controller"),
  /** Reference of the Art. 26 arrangement. */
  arrangementRef: z.string().trim().min(1).max(200),
  /** Where the essence of the arrangement is made available to data subjects (Art. 26(2)). */
  arrangementEssenceUrl: httpUrl().max(2000).optional(),
});

const IndependentControllerSchema = z.object({
  ...common,
  role: z.literal("independent_controller"),
  /** The lawful basis of the disclosure to this controller. */
  disclosureBasis: LawfulBasisSchema.optional(),
});

const SourceSchema = z.object({
  ...common,
  role: z.literal("source"),
  /** Whether the data came from a publicly accessible source (Art. 14(2)(f)). */
  publiclyAccessible: z.boolean().default(false),
});

/**
 * A party of the registry as a discriminated union on `role` (DOMAIN.md D1): legal name,
 * address, contact, DPO, representative, country, processing locations, services, data categories,
 * purposes, data-subject categories, security measures and transfer mechanism, plus the
 * role's own fields — a processor's DPA, a sub-processor's parent, authorisation type and notice
 * period, a joint controller's Art. 26 arrangement, an independent controller's disclosure basis,
 * a source's public accessibility. Status and effective dates are managed by the registry.
 *
 * @example
 * ```ts
 * import { PartyInputSchema } from "@lawful/registry";
 * PartyInputSchema.parse({
 *   id: "hosting", role: "processor", legalName: "Hosting GmbH",
 *   address: { lines: ["Hauptstr. 1"], locality: "Berlin", country: "DE" },
 *   contact: { email: "privacy@hosting.example" }, country: "DE",
 *   services: ["Cloud hosting"], dataCategories: ["contact.email"], purposes: ["crm"],
 *   subjectCategories: ["customers"],
 * });
 * ```
 */
export const PartyInputSchema = z.discriminatedUnion("role", [
  ProcessorSchema,
  SubprocessorSchema,
  JointControllerSchema,
  IndependentControllerSchema,
  SourceSchema,
]);
/** A parsed party; see {@link PartyInputSchema}. */
export type Party = z.output<typeof PartyInputSchema>;
/** Input of a party (before defaults; dates as strings or `Date`). */
export type PartyInput = z.input<typeof PartyInputSchema>;

/**
 * What happened in one party version.
 *
 * @example
 * ```ts
 * import { PartyChangeSchema } from "@lawful/registry";
 * PartyChangeSchema.parse("activated");
 * ```
 */
export const PartyChangeSchema = z.enum(["created", "updated", "activated", "retired"]);
/** One of `created`, `updated`, `activated`, `retired`. */
export type PartyChange = z.infer<typeof PartyChangeSchema>;

/**
 * One immutable version of a party: the party data, its status and effective dates, and who
 * changed what when. Versions start at 1 and are append-only; the latest is the current state.
 *
 * @example
 * ```ts
 * import { PartyRecordSchema } from "@lawful/registry";
 * // PartyRecordSchema.parse(row) revives dates when reading a stored version
 * ```
 */
export const PartyRecordSchema = z.object({
  tenantId: TenantIdSchema,
  id: PartyIdSchema,
  version: z.number().int().positive(),
  status: PartyStatusSchema,
  change: PartyChangeSchema,
  effectiveFrom: z.coerce.date().optional(),
  effectiveUntil: z.coerce.date().optional(),
  recordedAt: z.coerce.date(),
  recordedBy: ActorSchema,
  reason: z.string().max(1000).optional(),
  party: PartyInputSchema,
});
/** One stored party version; see {@link PartyRecordSchema}. */
export type PartyRecord = z.output<typeof PartyRecordSchema>;
