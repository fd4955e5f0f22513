import { DEFAULT_DATA_CATEGORIES } from "@lawful/core";
import { describeDuration, parseDuration } from "./duration.js";
import { loadRules, type TRIGGER_FIELDS, type RetentionAction, type RetentionKind, type RetentionRule, type RetentionRuleInput, type RetentionTrigger } from "./rules.js";

/**
 * One line of a published retention schedule: for one data category, how long, from when, what then, and why.
 * JSON-safe (dates are ISO strings).
 *
 * @example
 * ```ts
 * import type { ScheduleEntry } from "@lawful/retention";
 * const howLong = (e: ScheduleEntry) => `${e.category}: ${e.period}`;
 * ```
 */
export interface ScheduleEntry {
  readonly ruleId: string;
  readonly title: string;
  /** The data category key, or `"*"` when the rule does not select by category. */
  readonly category: string;
  readonly recordTypes: readonly string[];
  readonly purposes: readonly string[];
  readonly regimes: readonly string[];
  readonly kind: RetentionKind;
  /** ISO 8601 duration, e.g. `"P8Y"`. */
  readonly duration: string;
  /** In words: `"at least 8 years"` (minimum) or `"at most 2 years"` (maximum). */
  readonly period: string;
  /** In words: `"from the end of the calendar year of the creation date"`. */
  readonly from: string;
  readonly action?: RetentionAction | undefined;
  /** In words: `"then deleted"`, or `"then kept only if another rule requires it"`. */
  readonly then: string;
  /** Legal citation and description. */
  readonly why: string;
  readonly effectiveFrom?: string | undefined;
  readonly effectiveUntil?: string | undefined;
  readonly sources: readonly string[];
}

/**
 * Entries of one data category.
 *
 * @example
 * ```ts
 * import type { ScheduleGroup } from "@lawful/retention";
 * const count = (g: ScheduleGroup) => g.entries.length;
 * ```
 */
export interface ScheduleGroup {
  readonly category: string;
  readonly label: string;
  readonly entries: readonly ScheduleEntry[];
}

/**
 * A published retention schedule (GDPR Art. 13(2)(a), 14(2)(a), 30(1)(f)): JSON-safe; render it with
 * {@link renderScheduleMarkdown} or {@link renderScheduleHtml}.
 *
 * @example
 * ```ts
 * import { buildRetentionSchedule, type RetentionSchedule } from "@lawful/retention";
 * const s: RetentionSchedule = buildRetentionSchedule([], { title: "Retention at Acme" });
 * JSON.stringify(s);
 * ```
 */
export interface RetentionSchedule {
  readonly title: string;
  /** The instant the in-force filter used, if any (ISO string). */
  readonly asOf?: string | undefined;
  readonly groups: readonly ScheduleGroup[];
}

/**
 * Options of {@link buildRetentionSchedule}.
 *
 * @example
 * ```ts
 * import type { ScheduleOptions } from "@lawful/retention";
 * const o: ScheduleOptions = { title: "How long we keep your data", asOf: new Date(), categoryLabels: { "finance.voucher": "Invoices and receipts" } };
 * ```
 */
export interface ScheduleOptions {
  /** @default "Retention schedule" */
  title?: string | undefined;
  /** Only rules in force at this instant; all rules when omitted. */
  asOf?: Date | undefined;
  /** Labels for category keys; merged over core's `DEFAULT_DATA_CATEGORIES`. */
  categoryLabels?: Readonly<Record<string, string>> | undefined;
}

const EVENT_WORDS: Record<keyof typeof TRIGGER_FIELDS, string> = {
  created: "the creation date",
  lastActivity: "the last activity",
  contractEnd: "the end of the contract",
  consentWithdrawn: "the withdrawal of consent",
  accountClosed: "the closure of the account",
};

function triggerWords(t: RetentionTrigger): string {
  switch (t.type) {
    case "field":
      return `from the date "${t.field}"`;
    case "endOfCalendarYear":
      return `from the end of the calendar year of ${t.field in EVENT_WORDS ? EVENT_WORDS[t.field as keyof typeof EVENT_WORDS] : `the date "${t.field}"`}`;
    default:
      return `from ${EVENT_WORDS[t.type]}`;
  }
}

const THEN_WORDS: Record<RetentionAction, string> = {
  delete: "then deleted",
  anonymise: "then anonymised",
  archive: "then archived",
  review: "then reviewed by a person",
};

/**
 * Build the published retention schedule from rules: per data category, how long, from when, what
 * then, and why. Rules without a category selector are listed under `"*"` ("Other records"). Sorted by
 * category, then rule id.
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid rules (see {@link loadRules}).
 * @example
 * ```ts
 * import { GERMAN_COMMERCIAL_TAX_PACK, buildRetentionSchedule, renderScheduleMarkdown } from "@lawful/retention";
 * const schedule = buildRetentionSchedule(GERMAN_COMMERCIAL_TAX_PACK.rules, { asOf: new Date("2026-01-01T00:00:00Z") });
 * console.log(renderScheduleMarkdown(schedule));
 * ```
 */
export function buildRetentionSchedule(rules: readonly RetentionRuleInput[] | readonly RetentionRule[], options: ScheduleOptions = {}): RetentionSchedule {
  const parsed = loadRules(rules);
  const labels: Record<string, string> = { ...DEFAULT_DATA_CATEGORIES, ...options.categoryLabels };
  const at = options.asOf?.getTime();
  const groups = new Map<string, ScheduleEntry[]>();
  for (const r of parsed) {
    if (at !== undefined && ((r.effectiveFrom && r.effectiveFrom.getTime() > at) || (r.effectiveUntil && r.effectiveUntil.getTime() <= at))) continue;
    const text = describeDuration(parseDuration(r.duration));
    for (const category of r.selectors.categories ?? ["*"]) {
      const entry: ScheduleEntry = {
        ruleId: r.id,
        title: r.title,
        category,
        recordTypes: r.selectors.recordTypes ?? [],
        purposes: r.selectors.purposes ?? [],
        regimes: r.selectors.regimes ?? [],
        kind: r.kind,
        duration: r.duration,
        period: `${r.kind === "minimum" ? "at least" : "at most"} ${text}`,
        from: triggerWords(r.trigger) + (r.extendWhile ? ` (longer while "${r.extendWhile}" applies)` : ""),
        action: r.action,
        then: r.action ? THEN_WORDS[r.action] : "then kept only if another rule requires it",
        why: [r.citation, r.description].filter(Boolean).join(" — ") || "No citation given.",
        effectiveFrom: r.effectiveFrom?.toISOString(),
        effectiveUntil: r.effectiveUntil?.toISOString(),
        sources: r.sources ?? [],
      };
      const list = groups.get(category);
      if (list) list.push(entry);
      else groups.set(category, [entry]);
    }
  }
  const keys = [...groups.keys()].sort((a, b) => (a === "*" ? 1 : b === "*" ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    title: options.title ?? "Retention schedule",
    asOf: options.asOf?.toISOString(),
    groups: keys.map((category) => ({ category, label: category === "*" ? "Other records" : (labels[category] ?? category), entries: groups.get(category)! })),
  };
}

const MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>&~]/g;

function md(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, " ")
    .replace(MD_SPECIAL, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`));
}

function scope(e: ScheduleEntry): string {
  const parts = [e.title];
  if (e.recordTypes.length) parts.push(`record types: ${e.recordTypes.join(", ")}`);
  if (e.purposes.length) parts.push(`purposes: ${e.purposes.join(", ")}`);
  if (e.regimes.length) parts.push(`regimes: ${e.regimes.join(", ")}`);
  return parts.join("; ");
}

function validity(e: ScheduleEntry): string {
  if (e.effectiveFrom && e.effectiveUntil) return ` (in force ${e.effectiveFrom.slice(0, 10)} to ${e.effectiveUntil.slice(0, 10)})`;
  if (e.effectiveFrom) return ` (in force from ${e.effectiveFrom.slice(0, 10)})`;
  if (e.effectiveUntil) return ` (in force until ${e.effectiveUntil.slice(0, 10)})`;
  return "";
}

/**
 * Render a schedule as Markdown: one section per category with a table (records, how long, from when,
 * then, why). Every value is escaped (Markdown syntax, table pipes, HTML characters, line breaks).
 *
 * @example
 * ```ts
 * import { buildRetentionSchedule, renderScheduleMarkdown, CCPA_REQUEST_RECORDS_PACK } from "@lawful/retention";
 * const markdown = renderScheduleMarkdown(buildRetentionSchedule(CCPA_REQUEST_RECORDS_PACK.rules));
 * ```
 */
export function renderScheduleMarkdown(schedule: RetentionSchedule): string {
  const out: string[] = [`# ${md(schedule.title)}`, ""];
  if (schedule.asOf) out.push(`As of ${md(schedule.asOf.slice(0, 10))}\\.`, "");
  if (!schedule.groups.length) out.push("No retention rules are defined.", "");
  for (const g of schedule.groups) {
    out.push(`## ${md(g.label)}${g.category === "*" ? "" : ` \\(${md(g.category)}\\)`}`, "");
    out.push("| Records | How long | From when | Then | Why |", "| --- | --- | --- | --- | --- |");
    for (const e of g.entries) {
      out.push(`| ${md(scope(e))} | ${md(e.period + validity(e))} | ${md(e.from)} | ${md(e.then)} | ${md(e.why)} \\[${md(e.ruleId)}\\] |`);
    }
    out.push("");
  }
  return out.join("\n");
}

function html(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Options of {@link renderScheduleHtml}.
 *
 * @example
 * ```ts
 * import type { ScheduleHtmlOptions } from "@lawful/retention";
 * const o: ScheduleHtmlOptions = { lang: "de" };
 * ```
 */
export interface ScheduleHtmlOptions {
  /** The document language. @default "en" */
  lang?: string | undefined;
  /** Return only the `<section>` elements (to embed in your own page) instead of a full document. @default false */
  fragment?: boolean | undefined;
}

/**
 * Render a schedule as an accessible HTML document (or fragment): `lang`, one `<section>` with a
 * heading per category, tables with `<caption>` and `<th scope>`, no scripts, every value escaped.
 *
 * @example
 * ```ts
 * import { buildRetentionSchedule, renderScheduleHtml, POLICY_PACKS, combinePacks } from "@lawful/retention";
 * const page = renderScheduleHtml(buildRetentionSchedule(combinePacks(POLICY_PACKS)), { lang: "en" });
 * ```
 */
export function renderScheduleHtml(schedule: RetentionSchedule, options: ScheduleHtmlOptions = {}): string {
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(options.lang ?? "en") ? (options.lang ?? "en") : "en";
  const sections = schedule.groups.map((g, i) => {
    const id = `retention-${i}`;
    const rows = g.entries
      .map(
        (e) =>
          `<tr><th scope="row">${html(scope(e))}</th><td>${html(e.period + validity(e))}</td><td>${html(e.from)}</td><td>${html(e.then)}</td><td>${html(e.why)} <span class="rule-id">[${html(e.ruleId)}]</span>${
            e.sources.length ? ` ${e.sources.filter((s) => /^https?:\/\//i.test(s)).map((s, k) => `<a href="${html(s)}" rel="noopener noreferrer">source ${k + 1}</a>`).join(" ")}` : ""
          }</td></tr>`,
      )
      .join("\n");
    const heading = `${html(g.label)}${g.category === "*" ? "" : ` <small>(${html(g.category)})</small>`}`;
    return `<section aria-labelledby="${id}">\n<h2 id="${id}">${heading}</h2>\n<table>\n<caption>Retention of ${html(g.label)}</caption>\n<thead><tr><th scope="col">Records</th><th scope="col">How long</th><th scope="col">From when</th><th scope="col">Then</th><th scope="col">Why</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>\n</section>`;
  });
  const body = sections.length ? sections.join("\n") : "<p>No retention rules are defined.</p>";
  if (options.fragment === true) return body;
  return `<!doctype html>
<html lang="${html(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(schedule.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:auto;padding:1rem;line-height:1.5;color:#111;background:#fff}table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.4rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600;padding:.4rem 0}a{color:#0645ad}</style>
</head>
<body>
<main>
<h1>${html(schedule.title)}</h1>
${schedule.asOf ? `<p>As of <time datetime="${html(schedule.asOf)}">${html(schedule.asOf.slice(0, 10))}</time>.</p>\n` : ""}${body}
</main>
</body>
</html>
`;
}
