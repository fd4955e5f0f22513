import type { LawfulIssue } from "@lawful/core";
import type { AdequacyList } from "./adequacy.js";
import type { ChangeNotice } from "./change-notice.js";
import { checkDpaComplete } from "./dpa.js";
import type { PartyRecord } from "./party.js";
import { checkTransfer } from "./transfer.js";

/**
 * The answer of an activation check: allowed, or not allowed with every reason (each issue's
 * `code` names the rule, e.g. `dpa_clause_missing`, `objection_open`, `objection_deadline_not_reached`).
 *
 * @example
 * ```ts
 * import type { ActivationCheck } from "@lawful/registry";
 * const r: ActivationCheck = { allowed: false, issues: [{ path: ["dpa"], message: "missing", code: "dpa_required" }] };
 * ```
 */
export type ActivationCheck = { readonly allowed: true; readonly issues: readonly [] } | { readonly allowed: false; readonly issues: readonly LawfulIssue[] };

/**
 * What the activation rules look at besides the party itself.
 *
 * @example
 * ```ts
 * import type { ActivationContext } from "@lawful/registry";
 * // built by the registry: parent, notices, adequacy list, time
 * ```
 */
export interface ActivationContext {
  readonly now: Date;
  readonly adequacy: AdequacyList;
  /** The parent's latest version (sub-processors only). */
  readonly parent?: PartyRecord | undefined;
  /** Every change notice of the party. */
  readonly notices: readonly ChangeNotice[];
  /** Maximum age of a DPF listing check, in days. */
  readonly dpfMaxAgeDays: number;
}

/**
 * The static rules an active party must keep at all times (checked on activation and on every
 * update of an active party): a complete DPA for processors (and for sub-processors that
 * record one) whose types of personal data cover the party's data categories, a lawful transfer mechanism for third-country recipients, a fresh DPF listing
 * check, and for sub-processors under specific authorisation the recorded authorisation.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, checkStandingRules } from "@lawful/registry";
 * // checkStandingRules(record, { now: new Date(), adequacy: EU_ADEQUACY_LIST, notices: [], dpfMaxAgeDays: 365 })
 * ```
 */
export function checkStandingRules(record: PartyRecord, ctx: ActivationContext): LawfulIssue[] {
  const p = record.party;
  const issues: LawfulIssue[] = [];
  if (p.role === "processor") {
    if (!p.dpa) issues.push({ path: ["dpa"], code: "dpa_required", message: "a processor needs a DPA record with the Art. 28(3) checklist before it can be active" });
    else issues.push(...checkDpaComplete(p.dpa).map((i) => ({ ...i, path: ["dpa", ...i.path] })));
  }
  const dpa = p.role === "processor" || p.role === "subprocessor" ? p.dpa : undefined;
  if (dpa?.dataTypes?.length) {
    const types = dpa.dataTypes;
    p.dataCategories.forEach((c, i) => {
      if (!types.some((t) => c === t || c.startsWith(`${t}.`))) {
        issues.push({ path: ["dataCategories", i], code: "dpa_scope_missing", message: `${c} is not among the types of personal data the DPA covers` });
      }
    });
  }
  if (p.role === "subprocessor") {
    if (p.dpa) issues.push(...checkDpaComplete(p.dpa).map((i) => ({ ...i, path: ["dpa", ...i.path] })));
    if (p.authorisationType === "specific" && !p.specificAuthorisation) {
      issues.push({
        path: ["specificAuthorisation"],
        code: "specific_authorisation_required",
        message: "a sub-processor under specific authorisation needs the controller's recorded prior written authorisation (silence is not approval)",
      });
    }
  }
  if (p.role !== "source") issues.push(...checkTransfer([p.country, ...(p.processingLocations ?? [])], p.transfer, ctx.adequacy));
  const cert = p.transfer?.kind === "adequacy" ? p.transfer.dpfCertification : undefined;
  if (cert && ctx.now.getTime() - cert.checkedAt.getTime() > ctx.dpfMaxAgeDays * 86_400_000) {
    issues.push({
      path: ["transfer", "dpfCertification", "checkedAt"],
      code: "dpf_check_stale",
      message: `the DPF List check is older than ${ctx.dpfMaxAgeDays} days; check the listing again`,
    });
  }
  return issues;
}

/**
 * Every reason `record` may not become active now (DOMAIN.md D1, D2): it must be `proposed`,
 * keep the standing rules ({@link checkStandingRules}), have an active parent (sub-processors),
 * and — when a change notice applies (always for sub-processors under general authorisation) —
 * the objection deadline and effective date must have passed with no objection open or upheld.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, checkActivationRules } from "@lawful/registry";
 * // const r = checkActivationRules(record, { now, adequacy: EU_ADEQUACY_LIST, notices, dpfMaxAgeDays: 365 });
 * // if (!r.allowed) console.warn(r.issues.map((i) => i.code));
 * ```
 */
export function checkActivationRules(record: PartyRecord, ctx: ActivationContext): ActivationCheck {
  const p = record.party;
  const issues: LawfulIssue[] = [];
  if (record.status !== "proposed") {
    issues.push({ path: ["status"], code: "not_proposed", message: `only a proposed party can be activated; this one is ${record.status}` });
  }
  issues.push(...checkStandingRules(record, ctx));
  if (p.role === "subprocessor") {
    if (!ctx.parent) issues.push({ path: ["parentId"], code: "parent_missing", message: "the engaging processor is not in the registry" });
    else if (ctx.parent.status !== "active") {
      issues.push({ path: ["parentId"], code: "parent_not_active", message: `the engaging processor is ${ctx.parent.status}, not active` });
    }
  }
  const open = ctx.notices.filter((n) => n.status === "open");
  const rejected = ctx.notices.some((n) => n.status === "rejected");
  const needsNotice = p.role === "subprocessor" && p.authorisationType === "general";
  if (open.length === 0) {
    if (rejected) issues.push({ path: ["notice"], code: "objection_upheld", message: "an objection to this party was upheld; it may not be engaged" });
    else if (needsNotice) {
      issues.push({
        path: ["notice"],
        code: "change_notice_required",
        message: "a sub-processor under general authorisation needs a change notice with an objection window before activation",
      });
    }
  }
  for (const n of open) {
    if (ctx.now.getTime() < n.objectionDeadline.getTime()) {
      issues.push({ path: ["notice", n.id, "objectionDeadline"], code: "objection_deadline_not_reached", message: `the objection deadline ${n.objectionDeadline.toISOString()} has not passed` });
    }
    if (ctx.now.getTime() < n.effectiveAt.getTime()) {
      issues.push({ path: ["notice", n.id, "effectiveAt"], code: "effective_date_not_reached", message: `the announced effective date ${n.effectiveAt.toISOString()} has not been reached` });
    }
    for (const o of n.objections) {
      if (o.status === "open") issues.push({ path: ["notice", n.id, "objections", o.id], code: "objection_open", message: "an objection is open; resolve it before activation" });
      if (o.status === "upheld") issues.push({ path: ["notice", n.id, "objections", o.id], code: "objection_upheld", message: "an objection was upheld; the party may not be engaged" });
    }
  }
  return issues.length === 0 ? { allowed: true, issues: [] } : { allowed: false, issues };
}
