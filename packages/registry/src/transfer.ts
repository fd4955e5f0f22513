import * as z from "zod";
import type { LawfulIssue } from "@lawful/core";
import { AdequacySubsetSchema, classifyDestination, type AdequacyList, type ExporterRegime } from "./adequacy.js";

const Ref = z.string().min(1).max(500);
const DateLike = z.coerce.date();

/**
 * A DPF (or UK Extension) listing check of a US recipient: listed on the Department of
 * Commerce's DPF List when last checked (DOMAIN.md D5). Re-check periodically.
 *
 * @example
 * ```ts
 * import { DpfCertificationSchema } from "@lawful/registry";
 * DpfCertificationSchema.parse({ listed: true, ukExtension: false, checkedAt: "2026-01-10" });
 * ```
 */
export const DpfCertificationSchema = z.object({
  listed: z.literal(true, "must be true: a DPF-based transfer needs a current listing on the DPF List"),
  ukExtension: z.boolean().optional(),
  checkedAt: DateLike,
});
/** A DPF listing check; see {@link DpfCertificationSchema}. */
export type DpfCertification = z.infer<typeof DpfCertificationSchema>;

/**
 * The Art. 49(1) derogation grounds: `49.1.a`–`49.1.g`, and `49.1.2` for the last-resort
 * compelling-legitimate-interest ground of the second subparagraph.
 *
 * @example
 * ```ts
 * import { DEROGATION_GROUNDS } from "@lawful/registry";
 * DEROGATION_GROUNDS.includes("49.1.2"); // true
 * ```
 */
export const DEROGATION_GROUNDS = ["49.1.a", "49.1.b", "49.1.c", "49.1.d", "49.1.e", "49.1.f", "49.1.g", "49.1.2"] as const;

const AdequacyMechanism = z.object({
  kind: z.literal("adequacy"),
  /** The decision or regulation, e.g. `(EU) 2023/1795`. */
  decisionId: Ref,
  coversSubset: AdequacySubsetSchema.optional(),
  dpfCertification: DpfCertificationSchema.optional(),
  /** When the decision (and listing) was last checked. */
  lastCheckedAt: DateLike,
});

const SccMechanism = z.object({
  kind: z.literal("scc"),
  instrument: z.literal("2021/914", "must be '2021/914': the old SCCs may not be used after 27 Dec 2022"),
  module: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], "must be module 1, 2, 3 or 4"),
  /** Reference of the transfer impact assessment (EDPB Recommendations 01/2020). */
  tiaRef: Ref,
  supplementaryMeasures: z.string().min(1).max(2000).optional(),
  signedAt: DateLike.optional(),
});

const BcrMechanism = z.object({
  kind: z.literal("bcr"),
  approvalRef: Ref,
  tiaRef: Ref.optional(),
});

const IdtaMechanism = z.object({
  kind: z.literal("idta"),
  reference: Ref,
  /** Transfer risk assessment reference. */
  traRef: Ref.optional(),
  signedAt: DateLike.optional(),
});

const UkAddendumMechanism = z.object({
  kind: z.literal("uk_addendum"),
  reference: Ref,
  sccModule: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
  traRef: Ref.optional(),
  signedAt: DateLike.optional(),
});

const DerogationMechanism = z
  .object({
    kind: z.literal("derogation"),
    ground: z.enum(DEROGATION_GROUNDS),
    /** What makes the transfer occasional and specific. */
    justification: z.string().min(1).max(2000),
    /** 49(1) second subparagraph: the documented suitable safeguards. */
    safeguards: z.string().min(1).max(2000).optional(),
    /** 49(1) second subparagraph: when the supervisory authority was informed. */
    saNotifiedAt: DateLike.optional(),
    /** 49(1) second subparagraph: when the data subject was informed. */
    subjectInformedAt: DateLike.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.ground !== "49.1.2") return;
    const need = "is required for a transfer on the 49(1) second-subparagraph ground";
    if (m.safeguards === undefined) ctx.addIssue({ code: "custom", path: ["safeguards"], message: need });
    if (m.saNotifiedAt === undefined) ctx.addIssue({ code: "custom", path: ["saNotifiedAt"], message: need });
    if (m.subjectInformedAt === undefined) ctx.addIssue({ code: "custom", path: ["subjectInformedAt"], message: need });
  });

/**
 * How a transfer to a third country is made lawful (GDPR Chapter V, DOMAIN.md D5): an adequacy
 * decision (optionally limited to the DPF-certified subset or the UK Extension), the 2021 SCCs
 * with module and TIA reference, BCRs, the UK IDTA or UK Addendum, or an Art. 49 derogation
 * (the `49.1.2` ground also needs `safeguards`, `saNotifiedAt` and `subjectInformedAt`).
 *
 * @example
 * ```ts
 * import { TransferMechanismSchema } from "@lawful/registry";
 * TransferMechanismSchema.parse({ kind: "scc", instrument: "2021/914", module: 2, tiaRef: "TIA-2026-004" });
 * ```
 */
export const TransferMechanismSchema = z.discriminatedUnion("kind", [
  AdequacyMechanism,
  SccMechanism,
  BcrMechanism,
  IdtaMechanism,
  UkAddendumMechanism,
  DerogationMechanism,
]);
/** A parsed transfer mechanism; see {@link TransferMechanismSchema}. */
export type TransferMechanism = z.output<typeof TransferMechanismSchema>;
/** Input of a transfer mechanism (dates as strings or `Date`). */
export type TransferMechanismInput = z.input<typeof TransferMechanismSchema>;

/**
 * Check that the mechanism given for recipients in `countries` fits the exporter's adequacy list:
 * every third country needs a mechanism, an adequacy mechanism needs a matching list entry, a
 * subset decision (DPF) needs the subset and a current listing, and IDTA / UK Addendum only
 * serve UK exporters. `countries` are the recipient's country and processing locations. Returns every
 * problem, with paths relative to the party.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, checkTransfer } from "@lawful/registry";
 * checkTransfer(["IN"], undefined, EU_ADEQUACY_LIST); // [{ path: ["transfer"], code: "transfer_mechanism_required", ... }]
 * ```
 */
export function checkTransfer(countries: readonly string[], mechanism: TransferMechanism | undefined, list: AdequacyList): LawfulIssue[] {
  const issues: LawfulIssue[] = [];
  const regime: ExporterRegime = list.regime;
  const outside = [...new Set(countries)].map((country) => ({ country, cls: classifyDestination(country, list) })).filter((d) => d.cls.status !== "domestic");
  if (outside.length === 0) return issues;
  const needsMechanism = outside.filter((d) => d.cls.status !== "adequate");
  if (!mechanism) {
    for (const d of needsMechanism) {
      issues.push({
        path: ["transfer"],
        code: "transfer_mechanism_required",
        message: `a recipient in third country ${d.country} needs a transfer mechanism (${regime} exporter; ${d.cls.status === "adequate_subset" ? "adequacy covers only a certified subset" : "no adequacy decision"})`,
      });
    }
    return issues;
  }
  switch (mechanism.kind) {
    case "adequacy":
      for (const d of outside) {
        if (d.cls.status === "third_country") {
          issues.push({ path: ["transfer", "kind"], code: "not_adequate", message: `${d.country} has no ${regime} adequacy decision in the list of ${list.asOf}` });
          continue;
        }
        if (d.cls.status !== "adequate" && d.cls.status !== "adequate_subset") continue;
        const entry = d.cls.entry;
        if (entry.requiresSubset) {
          if (mechanism.coversSubset !== entry.requiresSubset) {
            issues.push({ path: ["transfer", "coversSubset"], code: "subset_required", message: `must be '${entry.requiresSubset}': the decision for ${d.country} covers only that subset` });
          }
          if (!mechanism.dpfCertification) {
            issues.push({ path: ["transfer", "dpfCertification"], code: "dpf_certification_required", message: `is required: record the DPF List check of the recipient` });
          } else if (entry.requiresSubset === "UK-Extension" && mechanism.dpfCertification.ukExtension !== true) {
            issues.push({ path: ["transfer", "dpfCertification", "ukExtension"], code: "uk_extension_required", message: "must be true: UK exports rely on the UK Extension" });
          }
        }
      }
      if (mechanism.coversSubset && !mechanism.dpfCertification && !issues.some((i) => i.code === "dpf_certification_required")) {
        issues.push({ path: ["transfer", "dpfCertification"], code: "dpf_certification_required", message: "is required when the adequacy covers only the DPF subset" });
      }
      break;
    case "idta":
    case "uk_addendum":
      if (regime !== "UK") {
        issues.push({ path: ["transfer", "kind"], code: "wrong_regime", message: `'${mechanism.kind}' is a UK instrument; an EU exporter needs SCCs, BCRs, adequacy or a derogation` });
      }
      break;
    default:
      break;
  }
  return issues;
}
