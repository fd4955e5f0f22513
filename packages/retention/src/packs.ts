import type { RetentionRuleInput } from "./rules.js";
import { loadRules } from "./rules.js";

/**
 * A named set of retention rules with citations — data, not code. Use as is, combine with
 * {@link combinePacks}, or copy and adapt (`pack.rules.map(...)`). Packs are starting points drawn
 * from DOMAIN.md E2–E3; have counsel confirm them for your organisation.
 *
 * @example
 * ```ts
 * import { GERMAN_COMMERCIAL_TAX_PACK, type RetentionPolicyPack } from "@lawful/retention";
 * const pack: RetentionPolicyPack = GERMAN_COMMERCIAL_TAX_PACK;
 * pack.rules.length; // 4
 * ```
 */
export interface RetentionPolicyPack {
  readonly id: string;
  readonly title: string;
  /** Where it applies, in words (e.g. "Germany (HGB/AO)"). */
  readonly jurisdiction: string;
  readonly description: string;
  readonly rules: readonly RetentionRuleInput[];
  /** Secondary sources the periods were checked against. */
  readonly sources: readonly string[];
}

const freezePack = (pack: RetentionPolicyPack): RetentionPolicyPack =>
  Object.freeze({ ...pack, rules: Object.freeze(pack.rules.map((r) => Object.freeze(r))), sources: Object.freeze([...pack.sources]) });

const DE_SOURCES = [
  "https://muchowitsch.de/?p=2245",
  "https://www.haufe.de/finance/buchfuehrung-kontierung/buerokratieentlastungsgesetz-aufbewahrungspflichten-verkuerzt_186_634670.html",
  "https://www.akanthus-wpg.de/verkuerzung-von-aufbewahrungsfristen/",
];

/**
 * Options of {@link germanCommercialTaxPack}.
 *
 * @example
 * ```ts
 * import type { GermanPackOptions } from "@lawful/retention";
 * const o: GermanPackOptions = { bafinSupervised: true };
 * ```
 */
export interface GermanPackOptions {
  /** BaFin-supervised entities (credit and financial services institutions, insurers) apply the 8-year voucher period from 2026-01-01 instead of 2025-01-01. @default false */
  bafinSupervised?: boolean | undefined;
}

/**
 * The German commercial and tax retention periods (§ 257 HGB, § 147 AO; DOMAIN.md E2), counted from the
 * end of the calendar year of the record's `createdAt` (the year of the last entry, the document or the
 * letter). All are statutory minimums that end in deletion; `extendWhile: "taxAssessmentOpen"` keeps
 * them running while the record's `flags.taxAssessmentOpen` is true (§ 147(3) AO).
 *
 * - books and records, inventories, opening balance sheets, annual statements, management reports and
 *   the organisational documents needed to understand them: 10 years;
 * - accounting vouchers incl. invoices: 8 years for documents whose period had not ended by 2025-01-01
 *   (BEG IV; 2026-01-01 for BaFin-supervised entities), 10 years before;
 * - commercial and business letters received and sent, other tax-relevant documents: 6 years.
 *
 * Rules select by record type (`ledger`, `journal`, `inventory`, `balance_sheet`, `annual_statement`,
 * `management_report`, `organisational_document`; `invoice`, `voucher`, `receipt`, `credit_note`;
 * `business_letter`, `tax_document`); map your own types onto these or adapt the selectors.
 *
 * @example
 * ```ts
 * import { compileRules, germanCommercialTaxPack } from "@lawful/retention";
 * const rules = compileRules(germanCommercialTaxPack({ bafinSupervised: false }).rules);
 * ```
 */
export function germanCommercialTaxPack(options: GermanPackOptions = {}): RetentionPolicyPack {
  const switchAt = options.bafinSupervised === true ? "2026-01-01T00:00:00Z" : "2025-01-01T00:00:00Z";
  const common = { kind: "minimum", action: "delete", trigger: { type: "endOfCalendarYear", field: "created" }, extendWhile: "taxAssessmentOpen", sources: DE_SOURCES } as const;
  const voucherTypes = ["invoice", "voucher", "receipt", "credit_note"];
  return freezePack({
    id: options.bafinSupervised === true ? "de-hgb-ao-bafin" : "de-hgb-ao",
    title: "German commercial and tax retention (HGB/AO)",
    jurisdiction: "Germany",
    description:
      "Statutory minimum retention of books (10 years), accounting vouchers (8 years since BEG IV, previously 10) and business letters (6 years), each from the end of the calendar year.",
    sources: DE_SOURCES,
    rules: [
      {
        ...common,
        id: "DE-HGB-257-books-10y",
        title: "Books, inventories, balance sheets, annual statements, management reports",
        duration: "P10Y",
        selectors: { recordTypes: ["ledger", "journal", "inventory", "balance_sheet", "annual_statement", "management_report", "organisational_document"] },
        citation: "§ 257(1) Nr. 1, (4), (5) HGB; § 147(1) Nr. 1, (3), (4) AO",
      },
      {
        ...common,
        id: "DE-HGB-257-vouchers-10y",
        title: "Accounting vouchers incl. invoices (before BEG IV)",
        duration: "P10Y",
        selectors: { recordTypes: voucherTypes },
        citation: "§ 257(1) Nr. 4, (4), (5) HGB; § 147(1) Nr. 4, (3), (4) AO (version before BEG IV)",
        effectiveUntil: switchAt,
      },
      {
        ...common,
        id: "DE-HGB-257-vouchers-8y",
        title: "Accounting vouchers incl. invoices",
        duration: "P8Y",
        selectors: { recordTypes: voucherTypes },
        citation: "§ 257(1) Nr. 4, (4), (5) HGB; § 147(1) Nr. 4, (3), (4) AO; § 14b(1) UStG — as amended by BEG IV (8 years for documents whose period had not ended by the switch date)",
        effectiveFrom: switchAt,
      },
      {
        ...common,
        id: "DE-HGB-257-letters-6y",
        title: "Business letters received and sent, other tax-relevant documents",
        duration: "P6Y",
        selectors: { recordTypes: ["business_letter", "tax_document"] },
        citation: "§ 257(1) Nr. 2, 3, (4), (5) HGB; § 147(1) Nr. 2, 3, 5, (3), (4) AO",
      },
    ],
  });
}

/**
 * {@link germanCommercialTaxPack} for entities that are not BaFin-supervised (vouchers: 8 years from 2025-01-01).
 *
 * @example
 * ```ts
 * import { GERMAN_COMMERCIAL_TAX_PACK } from "@lawful/retention";
 * GERMAN_COMMERCIAL_TAX_PACK.rules.map((r) => r.id);
 * ```
 */
export const GERMAN_COMMERCIAL_TAX_PACK: RetentionPolicyPack = germanCommercialTaxPack();

/**
 * CCPA request records (DOMAIN.md C11): records of consumer requests and responses kept at least
 * 24 months, then reviewed (a longer GDPR accountability period may apply). Selects record type
 * `privacy_request_record` under regime `US-CA`.
 *
 * @example
 * ```ts
 * import { CCPA_REQUEST_RECORDS_PACK } from "@lawful/retention";
 * CCPA_REQUEST_RECORDS_PACK.rules[0]?.duration; // "P24M"
 * ```
 */
export const CCPA_REQUEST_RECORDS_PACK: RetentionPolicyPack = freezePack({
  id: "us-ca-ccpa-records",
  title: "CCPA consumer request records",
  jurisdiction: "California, USA",
  description: "Records of consumer requests and how they were answered, kept for at least 24 months and used for nothing else.",
  sources: ["https://advisori.com/cpra/%C2%A7-7101-record-keeping/"],
  rules: [
    {
      id: "US-CA-CCPA-7101-request-records-24m",
      title: "Consumer request records",
      kind: "minimum",
      action: "review",
      duration: "P24M",
      trigger: { type: "created" },
      selectors: { recordTypes: ["privacy_request_record"], regimes: ["US-CA"] },
      citation: "Cal. Code Regs. tit. 11, § 7101(a)",
    },
  ],
});

/**
 * GDPR proof of consent (DOMAIN.md B6): kept while the processing lasts (the period only starts when
 * consent is withdrawn) and afterwards only for the legal-claims period — here 3 years from the end of
 * the year of withdrawal, the German regular limitation period; adapt it to yours. Category `consent.proof`.
 *
 * @example
 * ```ts
 * import { CONSENT_PROOF_PACK } from "@lawful/retention";
 * CONSENT_PROOF_PACK.rules[0]?.trigger; // { type: "endOfCalendarYear", field: "consentWithdrawn" }
 * ```
 */
export const CONSENT_PROOF_PACK: RetentionPolicyPack = freezePack({
  id: "gdpr-consent-proof",
  title: "Proof of consent (GDPR)",
  jurisdiction: "EU / UK",
  description: "Proof of consent is kept while the processing lasts and afterwards only as long as needed to defend legal claims.",
  sources: ["https://www.privacad.com/privacy-guidelines-on-consent-under-regulation-2016-679-gdpr-19/"],
  rules: [
    {
      id: "GDPR-7-consent-proof-claims-3y",
      title: "Proof of consent after withdrawal",
      kind: "maximum",
      action: "delete",
      duration: "P3Y",
      trigger: { type: "endOfCalendarYear", field: "consentWithdrawn" },
      selectors: { categories: ["consent.proof"], regimes: ["EU", "UK"] },
      citation: "Art. 7(1), 17(3)(e) GDPR; EDPB Guidelines 05/2020 paras 104–111; §§ 195, 199 BGB (example limitation period)",
    },
  ],
});

/**
 * CASL consent evidence (DOMAIN.md E3): no fixed period; the sender bears the onus of proving consent
 * (s. 13), so evidence is kept while relied on and then reviewed after a defence period (3 years after
 * withdrawal here; adjust). Category `consent.proof`, regime `CA`.
 *
 * @example
 * ```ts
 * import { CASL_EVIDENCE_PACK } from "@lawful/retention";
 * CASL_EVIDENCE_PACK.rules[0]?.action; // "review"
 * ```
 */
export const CASL_EVIDENCE_PACK: RetentionPolicyPack = freezePack({
  id: "ca-casl-evidence",
  title: "CASL consent evidence",
  jurisdiction: "Canada",
  description: "Evidence of express or implied consent to send commercial electronic messages, reviewed 3 years after consent ends.",
  sources: ["https://crtc.gc.ca/eng/com500/faq500.htm"],
  rules: [
    {
      id: "CA-CASL-13-consent-evidence-review",
      title: "Consent evidence for commercial electronic messages",
      kind: "maximum",
      action: "review",
      duration: "P3Y",
      trigger: { type: "consentWithdrawn" },
      selectors: { categories: ["consent.proof"], regimes: ["CA"] },
      citation: "CASL (S.C. 2010, c. 23) s. 13 — onus of proving consent on the person relying on it; no fixed retention period",
    },
  ],
});

/**
 * LGPD security-incident register (DOMAIN.md F4): every incident, notified or not, kept at least 5 years.
 * Record type `security_incident`, regime `BR`.
 *
 * @example
 * ```ts
 * import { LGPD_INCIDENT_REGISTER_PACK } from "@lawful/retention";
 * LGPD_INCIDENT_REGISTER_PACK.rules[0]?.duration; // "P5Y"
 * ```
 */
export const LGPD_INCIDENT_REGISTER_PACK: RetentionPolicyPack = freezePack({
  id: "br-lgpd-incident-register",
  title: "LGPD security-incident register",
  jurisdiction: "Brazil",
  description: "The register of security incidents, including those not notified, kept for at least 5 years.",
  sources: ["https://www.lhlaw.com.br/?p=10881", "https://bastilhocoelho.com.br/?p=5679"],
  rules: [
    {
      id: "BR-ANPD-15-2024-incident-register-5y",
      title: "Security-incident register entries",
      kind: "minimum",
      action: "review",
      duration: "P5Y",
      trigger: { type: "created" },
      selectors: { recordTypes: ["security_incident"], regimes: ["BR"] },
      citation: "Resolução CD/ANPD nº 15/2024 (Regulamento de Comunicação de Incidente de Segurança), Art. 10",
    },
  ],
});

/**
 * Every built-in policy pack.
 *
 * @example
 * ```ts
 * import { POLICY_PACKS } from "@lawful/retention";
 * POLICY_PACKS.map((p) => p.id);
 * ```
 */
export const POLICY_PACKS: readonly RetentionPolicyPack[] = Object.freeze([
  GERMAN_COMMERCIAL_TAX_PACK,
  CCPA_REQUEST_RECORDS_PACK,
  CONSENT_PROOF_PACK,
  CASL_EVIDENCE_PACK,
  LGPD_INCIDENT_REGISTER_PACK,
]);

/**
 * Merge packs and your own rules into one validated rule list (sorted by id). Duplicate ids and
 * contradictions across packs are reported like in {@link loadRules}.
 *
 * @throws RetentionError `VALIDATION_FAILED` listing every problem and the rule ids involved.
 * @example
 * ```ts
 * import { CCPA_REQUEST_RECORDS_PACK, GERMAN_COMMERCIAL_TAX_PACK, combinePacks } from "@lawful/retention";
 * const rules = combinePacks([GERMAN_COMMERCIAL_TAX_PACK, CCPA_REQUEST_RECORDS_PACK], [
 *   { id: "crm-leads-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"] } },
 * ]);
 * ```
 */
export function combinePacks(packs: readonly RetentionPolicyPack[], extraRules: readonly RetentionRuleInput[] = []): ReturnType<typeof loadRules> {
  return loadRules([...packs.flatMap((p) => p.rules), ...extraRules]);
}
