import type { SubjectRef } from "@lawful/core";
import type { ExportedRecord } from "./data-source.js";
import type { Art15Sections, RetentionExemption } from "./ports.js";

/**
 * The per-category outcome of an erasure: erased, kept and restricted because of a statutory
 * retention duty (GDPR Art. 17(3)(b)) or a legal hold (Art. 17(3)(e)), not found, or failed.
 *
 * @example
 * ```ts
 * import type { ErasureCategoryResult } from "@lawful/dsr";
 * const r: ErasureCategoryResult = { category: "contact.email", outcome: "erased", records: 1, sources: ["crm"], exemptions: [] };
 * ```
 */
export interface ErasureCategoryResult {
  category: string;
  outcome: "erased" | "kept_restricted" | "not_found" | "failed";
  records: number;
  sources: string[];
  /** Why the data were kept, with the GDPR article that allows it. */
  exemptions: (Omit<RetentionExemption, "until"> & { until?: string | undefined; article: string })[];
}

/**
 * The result of an erasure (or CCPA delete) request.
 *
 * @example
 * ```ts
 * import type { ErasureResult } from "@lawful/dsr";
 * const kept = (r: ErasureResult) => r.categories.filter((c) => c.outcome === "kept_restricted");
 * ```
 */
export interface ErasureResult {
  kind: "erasure";
  categories: ErasureCategoryResult[];
  failedSources: { sourceId: string; error: string }[];
  keyShredded: boolean;
  suppressed: boolean;
}

/**
 * The result of an access, portability or CCPA know request: a neutral structure to hand to
 * `@lawful/export`. Portability keeps only provided and observed data (Art. 20, WP242).
 *
 * @example
 * ```ts
 * import type { AccessResult } from "@lawful/dsr";
 * const count = (r: AccessResult) => r.data.length;
 * ```
 */
export interface AccessResult {
  kind: "access" | "portability" | "ccpa_know_categories" | "ccpa_know_specific";
  requestId: string;
  regime: string;
  generatedAt: string;
  subject: SubjectRef;
  /** Art. 15(1): whether personal data are processed. */
  confirmation: boolean;
  sections: Art15Sections;
  data: (ExportedRecord & { sourceId: string })[];
  consentHistory: Record<string, unknown>[];
  sources: { sourceId: string; status: "ok" | "failed"; error?: string | undefined }[];
}

/**
 * The result of rectification, restriction, restriction lifting and objection requests: what each
 * source did.
 *
 * @example
 * ```ts
 * import type { OperationResult } from "@lawful/dsr";
 * const failed = (r: OperationResult) => r.sources.filter((s) => s.status === "failed");
 * ```
 */
export interface OperationResult {
  kind: "rectification" | "restriction" | "restriction_lift" | "objection";
  sources: { sourceId: string; status: "ok" | "failed"; detail?: unknown; error?: string | undefined }[];
}

/** @internal */
export function exemptionArticle(kind: RetentionExemption["kind"]): string {
  return kind === "statutory" ? "GDPR Art. 17(3)(b)" : "GDPR Art. 17(3)(e)";
}

/**
 * The rights listed in an access response by default (Art. 15(1)(e)) per regime family.
 *
 * @example
 * ```ts
 * import { defaultRights } from "@lawful/dsr";
 * defaultRights("EU").length > 0; // true
 * ```
 */
export function defaultRights(regime: string): string[] {
  if (regime === "US-CA") {
    return [
      "Right to know (Cal. Civ. Code §1798.110)",
      "Right to delete (§1798.105)",
      "Right to correct (§1798.106)",
      "Right to opt out of sale or sharing (§1798.120)",
      "Right to limit use of sensitive personal information (§1798.121)",
      "Right to non-discrimination (§1798.125)",
    ];
  }
  return [
    "Right to rectification (GDPR Art. 16)",
    "Right to erasure (Art. 17)",
    "Right to restriction of processing (Art. 18)",
    "Right to data portability (Art. 20)",
    "Right to object (Art. 21)",
  ];
}

/**
 * The default complaint-right statement per regime (Art. 15(1)(f), Art. 77).
 *
 * @example
 * ```ts
 * import { defaultComplaintRight } from "@lawful/dsr";
 * defaultComplaintRight("UK"); // mentions the ICO
 * ```
 */
export function defaultComplaintRight(regime: string): string {
  switch (regime) {
    case "UK":
      return "You have the right to complain to the Information Commissioner's Office (ICO) and to seek a judicial remedy.";
    case "US-CA":
      return "You may contact the California Privacy Protection Agency or the California Attorney General.";
    case "BR":
      return "You may petition the Autoridade Nacional de Proteção de Dados (ANPD) (LGPD Art. 18 §1).";
    default:
      return "You have the right to lodge a complaint with a supervisory authority (GDPR Art. 77) and to seek a judicial remedy (Art. 79).";
  }
}
