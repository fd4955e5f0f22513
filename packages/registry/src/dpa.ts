import * as z from "zod";
import { DataCategorySchema, type LawfulIssue } from "@lawful/core";

/**
 * The Art. 28(3)(a)–(h) clauses a processing agreement must contain, with the short label of each.
 *
 * @example
 * ```ts
 * import { DPA_CHECKLIST_ITEMS } from "@lawful/registry";
 * DPA_CHECKLIST_ITEMS.g; // "deletion or return of all data at the end of the service"
 * ```
 */
export const DPA_CHECKLIST_ITEMS = Object.freeze({
  a: "processing only on documented instructions, including on transfers",
  b: "confidentiality of authorised personnel",
  c: "Art. 32 security measures",
  d: "sub-processor conditions of Art. 28(2) and (4)",
  e: "assistance with data-subject requests",
  f: "assistance with Arts. 32-36 (security, breach notification, DPIA, prior consultation)",
  g: "deletion or return of all data at the end of the service",
  h: "information to demonstrate compliance, audits and inspections",
} as const);

/**
 * The Art. 28(3) checklist: one boolean per clause (a)–(h), true when the agreement contains it.
 *
 * @example
 * ```ts
 * import { DpaChecklistSchema } from "@lawful/registry";
 * DpaChecklistSchema.parse({ a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: false });
 * ```
 */
export const DpaChecklistSchema = z.object({
  a: z.boolean(),
  b: z.boolean(),
  c: z.boolean(),
  d: z.boolean(),
  e: z.boolean(),
  f: z.boolean(),
  g: z.boolean(),
  h: z.boolean(),
});
/** The Art. 28(3) checklist; see {@link DpaChecklistSchema}. */
export type DpaChecklist = z.infer<typeof DpaChecklistSchema>;

const Text = z.string().trim().min(1).max(2000);

/**
 * A data processing agreement record (DOMAIN.md D2): the Art. 28(3) preamble (subject matter,
 * duration, nature and purpose, types of personal data, categories of data subjects), the
 * (a)–(h) checklist, the contract reference and signing date. Preamble fields, reference and
 * signing date may be missing while the agreement is being negotiated; {@link checkDpaComplete}
 * lists what blocks activation.
 *
 * @example
 * ```ts
 * import { DpaSchema } from "@lawful/registry";
 * DpaSchema.parse({
 *   reference: "DPA-2026-01", signedAt: "2026-01-15", subjectMatter: "E-mail delivery",
 *   duration: "Term of the main agreement", natureAndPurpose: "Sending newsletters",
 *   dataTypes: ["contact.email"], subjectCategories: ["newsletter subscribers"],
 *   checklist: { a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: true },
 * });
 * ```
 */
export const DpaSchema = z.object({
  reference: z.string().trim().min(1).max(200).optional(),
  signedAt: z.coerce.date().optional(),
  /** Where the signed document lives (URL or document-management id). */
  location: z.string().trim().min(1).max(1000).optional(),
  subjectMatter: Text.optional(),
  duration: Text.optional(),
  natureAndPurpose: Text.optional(),
  dataTypes: z.array(DataCategorySchema).max(256).optional(),
  subjectCategories: z.array(z.string().trim().min(1).max(200)).max(64).optional(),
  controllerObligationsAndRights: Text.optional(),
  checklist: DpaChecklistSchema,
});
/** A parsed DPA record; see {@link DpaSchema}. */
export type Dpa = z.output<typeof DpaSchema>;
/** Input of a DPA record (dates as strings or `Date`). */
export type DpaInput = z.input<typeof DpaSchema>;

/**
 * Every reason a DPA record is not yet complete enough for its processor to become active:
 * each false checklist item, each missing preamble field, the reference and the signing date.
 * Paths are relative to the DPA record; an empty array means complete.
 *
 * @example
 * ```ts
 * import { checkDpaComplete } from "@lawful/registry";
 * checkDpaComplete({ checklist: { a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: false } }).length; // 8
 * ```
 */
export function checkDpaComplete(dpa: Dpa): LawfulIssue[] {
  const issues: LawfulIssue[] = [];
  for (const key of Object.keys(DPA_CHECKLIST_ITEMS) as (keyof DpaChecklist)[]) {
    if (!dpa.checklist[key]) {
      issues.push({ path: ["checklist", key], code: "dpa_clause_missing", message: `Art. 28(3)(${key}) is not confirmed: ${DPA_CHECKLIST_ITEMS[key]}` });
    }
  }
  const required: [keyof Dpa, string][] = [
    ["reference", "the contract reference"],
    ["signedAt", "the signing date"],
    ["subjectMatter", "the subject matter"],
    ["duration", "the duration"],
    ["natureAndPurpose", "the nature and purpose"],
  ];
  for (const [key, label] of required) {
    if (dpa[key] === undefined) issues.push({ path: [key], code: "dpa_field_missing", message: `${label} of the processing agreement is missing` });
  }
  if (!dpa.dataTypes?.length) issues.push({ path: ["dataTypes"], code: "dpa_field_missing", message: "the types of personal data are missing" });
  if (!dpa.subjectCategories?.length) issues.push({ path: ["subjectCategories"], code: "dpa_field_missing", message: "the categories of data subjects are missing" });
  return issues;
}
