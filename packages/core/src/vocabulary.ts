import * as z from "zod";
import { lawfulErrorFromZod } from "./errors.js";

/**
 * A tenant (controller) id: 1–128 characters of letters, digits, `.`, `_` or `-`, starting with a letter or digit.
 *
 * @example
 * ```ts
 * import { TenantIdSchema } from "@lawful/core";
 * TenantIdSchema.parse("acme-gmbh"); // "acme-gmbh"
 * ```
 */
export const TenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
/** A tenant id; see {@link TenantIdSchema}. */
export type TenantId = z.infer<typeof TenantIdSchema>;

/**
 * The kinds of identifier a data subject can be referred to by.
 *
 * @example
 * ```ts
 * import { SUBJECT_ID_KINDS } from "@lawful/core";
 * SUBJECT_ID_KINDS.includes("email"); // true
 * ```
 */
export const SUBJECT_ID_KINDS = ["email", "phone", "customer_id", "device_id"] as const;

/**
 * Schema of a subject identifier kind.
 *
 * @example
 * ```ts
 * import { SubjectIdKindSchema } from "@lawful/core";
 * SubjectIdKindSchema.parse("phone");
 * ```
 */
export const SubjectIdKindSchema = z.enum(SUBJECT_ID_KINDS);
/** One of {@link SUBJECT_ID_KINDS}. */
export type SubjectIdKind = z.infer<typeof SubjectIdKindSchema>;

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:.]+$/;

/**
 * Normalise an identifier value for its kind, or return `undefined` when it is not valid.
 *
 * - `email`: trimmed, lower-cased, must look like `local@domain.tld` (at most 254 characters);
 * - `phone`: spaces, dots, dashes and brackets removed, `00` prefix turned into `+`; must be E.164 (`+` and 8–15 digits);
 * - `customer_id`, `device_id`: trimmed, 1–256 characters, no control characters.
 *
 * @example
 * ```ts
 * import { normalizeSubjectValue } from "@lawful/core";
 * normalizeSubjectValue("email", "  Ada@Example.COM "); // "ada@example.com"
 * normalizeSubjectValue("phone", "+49 (30) 123-4567"); // "+49301234567"
 * ```
 */
export function normalizeSubjectValue(kind: SubjectIdKind, value: string): string | undefined {
  switch (kind) {
    case "email": {
      const v = value.trim().toLowerCase();
      return v.length <= 254 && EMAIL.test(v) ? v : undefined;
    }
    case "phone": {
      let v = value.trim().replace(/[\s.\-()/]/g, "");
      if (v.startsWith("00")) v = `+${v.slice(2)}`;
      return /^\+[1-9]\d{7,14}$/.test(v) ? v : undefined;
    }
    case "customer_id":
    case "device_id": {
      const v = value.trim();
      // eslint-disable-next-line no-control-regex
      return v.length >= 1 && v.length <= 256 && !/[\u0000-\u001f\u007f]/.test(v) ? v : undefined;
    }
  }
}

/**
 * A reference to a data subject by one identifier, normalised on parse
 * (e-mail lower-cased and trimmed, phone in E.164). Invalid values fail with
 * an issue at `value` that does not repeat the value.
 *
 * @example
 * ```ts
 * import { SubjectRefSchema } from "@lawful/core";
 * SubjectRefSchema.parse({ kind: "email", value: " Ada@Example.com" }); // { kind: "email", value: "ada@example.com" }
 * ```
 */
export const SubjectRefSchema = z
  .object({ kind: SubjectIdKindSchema, value: z.string().max(1024) })
  .transform((ref, ctx) => {
    const value = normalizeSubjectValue(ref.kind, ref.value);
    if (value === undefined) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `is not a valid ${ref.kind.replace("_", " ")}` });
      return z.NEVER;
    }
    return { kind: ref.kind, value };
  });
/** A normalised subject reference; see {@link SubjectRefSchema}. */
export type SubjectRef = z.output<typeof SubjectRefSchema>;

/**
 * A purpose id: lower-case slug such as `newsletter` or `marketing.email`.
 *
 * @example
 * ```ts
 * import { PurposeIdSchema } from "@lawful/core";
 * PurposeIdSchema.parse("newsletter");
 * ```
 */
export const PurposeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/, "must be a lower-case slug such as 'newsletter' or 'marketing.email'")
  .max(128);
/** A purpose id; see {@link PurposeIdSchema}. */
export type PurposeId = z.infer<typeof PurposeIdSchema>;

/**
 * The six lawful bases of GDPR Art. 6(1)(a)–(f).
 *
 * @example
 * ```ts
 * import { LAWFUL_BASES } from "@lawful/core";
 * LAWFUL_BASES[0]; // "consent"
 * ```
 */
export const LAWFUL_BASES = [
  "consent",
  "contract",
  "legal_obligation",
  "vital_interests",
  "public_task",
  "legitimate_interests",
] as const;

/**
 * Schema of a GDPR Art. 6(1) lawful basis.
 *
 * @example
 * ```ts
 * import { LawfulBasisSchema } from "@lawful/core";
 * LawfulBasisSchema.parse("legitimate_interests");
 * ```
 */
export const LawfulBasisSchema = z.enum(LAWFUL_BASES);
/** One of {@link LAWFUL_BASES}. */
export type LawfulBasis = z.infer<typeof LawfulBasisSchema>;

/**
 * The article reference of each lawful basis, e.g. `consent` → `GDPR Art. 6(1)(a)`.
 *
 * @example
 * ```ts
 * import { LAWFUL_BASIS_ARTICLES } from "@lawful/core";
 * LAWFUL_BASIS_ARTICLES.contract; // "GDPR Art. 6(1)(b)"
 * ```
 */
export const LAWFUL_BASIS_ARTICLES: Readonly<Record<LawfulBasis, string>> = Object.freeze({
  consent: "GDPR Art. 6(1)(a)",
  contract: "GDPR Art. 6(1)(b)",
  legal_obligation: "GDPR Art. 6(1)(c)",
  vital_interests: "GDPR Art. 6(1)(d)",
  public_task: "GDPR Art. 6(1)(e)",
  legitimate_interests: "GDPR Art. 6(1)(f)",
});

/**
 * The Art. 9(2)(a)–(j) conditions for processing special categories of data.
 *
 * @example
 * ```ts
 * import { SPECIAL_CATEGORY_CONDITIONS } from "@lawful/core";
 * SPECIAL_CATEGORY_CONDITIONS.includes("explicit_consent"); // true
 * ```
 */
export const SPECIAL_CATEGORY_CONDITIONS = [
  "explicit_consent", // (a)
  "employment_social_security", // (b)
  "vital_interests", // (c)
  "not_for_profit_body", // (d)
  "made_public_by_subject", // (e)
  "legal_claims", // (f)
  "substantial_public_interest", // (g)
  "health_or_social_care", // (h)
  "public_health", // (i)
  "archiving_research_statistics", // (j)
] as const;

/**
 * Schema of an Art. 9(2) condition.
 *
 * @example
 * ```ts
 * import { SpecialCategoryConditionSchema } from "@lawful/core";
 * SpecialCategoryConditionSchema.parse("legal_claims");
 * ```
 */
export const SpecialCategoryConditionSchema = z.enum(SPECIAL_CATEGORY_CONDITIONS);
/** One of {@link SPECIAL_CATEGORY_CONDITIONS}. */
export type SpecialCategoryCondition = z.infer<typeof SpecialCategoryConditionSchema>;

/**
 * A data category key in a dotted taxonomy, e.g. `contact.email` or `special.health`.
 *
 * @example
 * ```ts
 * import { DataCategorySchema } from "@lawful/core";
 * DataCategorySchema.parse("contact.email");
 * ```
 */
export const DataCategorySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "must be a dotted lower-case key such as 'contact.email'")
  .max(128);
/** A data category key; see {@link DataCategorySchema}. */
export type DataCategory = z.infer<typeof DataCategorySchema>;

/**
 * The default data category taxonomy: key → human description. Keys under `special.` are GDPR Art. 9 special categories.
 *
 * @example
 * ```ts
 * import { DEFAULT_DATA_CATEGORIES } from "@lawful/core";
 * DEFAULT_DATA_CATEGORIES["contact.email"]; // "E-mail address"
 * ```
 */
export const DEFAULT_DATA_CATEGORIES: Readonly<Record<string, string>> = Object.freeze({
  contact: "Contact details",
  "contact.email": "E-mail address",
  "contact.phone": "Telephone number",
  "contact.postal": "Postal address",
  identity: "Identity data",
  "identity.name": "Name",
  "identity.date_of_birth": "Date of birth",
  "identity.government_id": "Government identifier",
  online: "Online identifiers",
  "online.ip_address": "IP address",
  "online.device_id": "Device or cookie identifier",
  "online.user_agent": "Browser user agent",
  behaviour: "Behavioural data",
  "behaviour.email_engagement": "E-mail opens and clicks",
  "behaviour.web_activity": "Website visits and page views",
  "behaviour.preferences": "Stated preferences and interests",
  financial: "Financial data",
  "financial.transactions": "Purchases and invoices",
  "financial.payment": "Payment details",
  commercial: "Commercial relationship data",
  "commercial.contract": "Contracts and orders",
  "commercial.correspondence": "Business correspondence",
  consent: "Consent and preference records",
  "consent.proof": "Proof of consent",
  special: "Special categories (GDPR Art. 9)",
  "special.health": "Health data",
  "special.racial_ethnic_origin": "Racial or ethnic origin",
  "special.political_opinions": "Political opinions",
  "special.religious_beliefs": "Religious or philosophical beliefs",
  "special.trade_union": "Trade union membership",
  "special.genetic": "Genetic data",
  "special.biometric": "Biometric data for identification",
  "special.sex_life": "Sex life or sexual orientation",
  criminal: "Criminal convictions and offences (GDPR Art. 10)",
});

/**
 * A taxonomy of data categories: the defaults plus the user's own keys.
 *
 * @example
 * ```ts
 * import { createDataCategoryTaxonomy } from "@lawful/core";
 * const tax = createDataCategoryTaxonomy({ "behaviour.lead_score": "Lead score" });
 * tax.isKnown("behaviour.lead_score"); // true
 * tax.isSpecial("special.health"); // true
 * ```
 */
export interface DataCategoryTaxonomy {
  /** Every key with its description. */
  readonly categories: Readonly<Record<string, string>>;
  /** True when the key is in the taxonomy. */
  isKnown(key: string): boolean;
  /** True for GDPR Art. 9 special categories (`special.*`). */
  isSpecial(key: string): boolean;
  /** The ancestors of a key, nearest first: `contact.email` → `["contact"]`. */
  ancestors(key: string): string[];
  /** True when `key` equals `ancestor` or lies beneath it. */
  isWithin(key: string, ancestor: string): boolean;
  /** Human description, or the key itself when unknown. */
  describe(key: string): string;
}

/**
 * Create a {@link DataCategoryTaxonomy} from the defaults plus `extra` keys (validated dotted keys).
 *
 * @throws LawfulError `VALIDATION_FAILED` when an extra key is not a dotted lower-case key.
 * @example
 * ```ts
 * import { createDataCategoryTaxonomy } from "@lawful/core";
 * const tax = createDataCategoryTaxonomy({ "behaviour.lead_score": "Lead score" });
 * tax.ancestors("behaviour.lead_score"); // ["behaviour"]
 * ```
 */
export function createDataCategoryTaxonomy(extra: Readonly<Record<string, string>> = {}): DataCategoryTaxonomy {
  const keys = z.record(DataCategorySchema, z.string().min(1)).safeParse(extra);
  if (!keys.success) {
    throw lawfulErrorFromZod(keys.error, "data category taxonomy");
  }
  const categories: Record<string, string> = Object.freeze({ ...DEFAULT_DATA_CATEGORIES, ...keys.data });
  const ancestors = (key: string): string[] => {
    const parts = key.split(".");
    const out: string[] = [];
    for (let i = parts.length - 1; i > 0; i--) out.push(parts.slice(0, i).join("."));
    return out;
  };
  return Object.freeze({
    categories,
    isKnown: (key: string) => Object.hasOwn(categories, key),
    isSpecial: (key: string) => key === "special" || key.startsWith("special."),
    ancestors,
    isWithin: (key: string, ancestor: string) => key === ancestor || key.startsWith(`${ancestor}.`),
    describe: (key: string) => categories[key] ?? key,
  });
}

/**
 * Ids of the legal regimes Lawful knows: `EU` (GDPR), `UK` (UK GDPR), `US-CA` (CCPA/CPRA),
 * `US` (federal: CAN-SPAM), `CA` (Canada: CASL) and `BR` (LGPD).
 *
 * @example
 * ```ts
 * import { REGIME_IDS } from "@lawful/core";
 * REGIME_IDS.includes("US-CA"); // true
 * ```
 */
export const REGIME_IDS = ["EU", "UK", "US-CA", "US", "CA", "BR"] as const;

/**
 * Schema of a regime id.
 *
 * @example
 * ```ts
 * import { RegimeIdSchema } from "@lawful/core";
 * RegimeIdSchema.parse("EU");
 * ```
 */
export const RegimeIdSchema = z.enum(REGIME_IDS);
/** One of {@link REGIME_IDS}. */
export type RegimeId = z.infer<typeof RegimeIdSchema>;

/**
 * Kinds of actor that cause an event.
 *
 * @example
 * ```ts
 * import { ACTOR_TYPES } from "@lawful/core";
 * ACTOR_TYPES; // ["subject", "staff", "system", "processor", "agent"]
 * ```
 */
export const ACTOR_TYPES = ["subject", "staff", "system", "processor", "agent"] as const;

/**
 * Who did something: the data subject, a staff member, a system process, a processor or an authorised agent.
 * `id` is an opaque id (a staff user id, a service name, an agent id) — for `subject` actors use a pseudonym, never an e-mail.
 *
 * @example
 * ```ts
 * import { ActorSchema } from "@lawful/core";
 * ActorSchema.parse({ type: "staff", id: "u_42", roles: ["dpo"] });
 * ```
 */
export const ActorSchema = z.object({
  type: z.enum(ACTOR_TYPES),
  id: z.string().min(1).max(256),
  roles: z.array(z.string().min(1).max(64)).max(32).optional(),
});
/** An actor; see {@link ActorSchema}. */
export type Actor = z.infer<typeof ActorSchema>;
