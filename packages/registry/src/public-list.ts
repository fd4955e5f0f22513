import * as z from "zod";
import { parseOrThrow } from "@lawful/core";
import { checkDpaComplete } from "./dpa.js";
import { describeTransferMechanism } from "./describe.js";
import { RegistryError } from "./errors.js";
import { escapeXml } from "./internal/escape.js";
import type { PartyRecord } from "./party.js";
import { httpUrl } from "./internal/url.js";

/**
 * One organisation on a public list: identity, contact, where it processes data, what it does
 * and with which data, who engaged it (sub-processors), and the agreements behind it. Internal
 * notes, contract references and DPA details beyond the signing date are never published.
 *
 * @example
 * ```ts
 * import type { PublicPartyEntry } from "@lawful/registry";
 * // buildPublicSubprocessorList(parties, { generatedAt }).entries[0]?.name
 * ```
 */
export interface PublicPartyEntry {
  readonly id: string;
  readonly name: string;
  readonly tradingName?: string | undefined;
  readonly role: "processor" | "subprocessor" | "source";
  readonly address: { readonly lines: readonly string[]; readonly locality: string; readonly postalCode?: string | undefined; readonly region?: string | undefined; readonly country: string };
  readonly contact: { readonly email: string; readonly url?: string | undefined; readonly phone?: string | undefined };
  readonly dpo?: { readonly email: string; readonly url?: string | undefined } | undefined;
  readonly country: string;
  readonly processingCountries: readonly string[];
  readonly services: readonly string[];
  readonly purposes: readonly string[];
  readonly dataCategories: readonly { readonly key: string; readonly label: string }[];
  /** For sub-processors: the chain of engaging processors, nearest first. */
  readonly engagedBy?: readonly { readonly id: string; readonly name: string }[] | undefined;
  readonly agreements: {
    /** A complete Art. 28 agreement is on file (processors and sub-processors). */
    readonly dpa?: { readonly signedAt?: string | undefined } | undefined;
    /** The Chapter V transfer mechanism, described. */
    readonly transfer?: string | undefined;
  };
  /** For sources: whether the data came from a publicly accessible source. */
  readonly publiclyAccessible?: boolean | undefined;
  readonly effectiveFrom: string;
}

/**
 * A public list as plain JSON: which list, when it was generated, and its active entries.
 *
 * @example
 * ```ts
 * import type { PublicList } from "@lawful/registry";
 * const empty: PublicList = { kind: "subprocessors", generatedAt: "2026-01-01T00:00:00.000Z", entries: [] };
 * ```
 */
export interface PublicList {
  readonly kind: "subprocessors" | "sources";
  readonly generatedAt: string;
  readonly entries: readonly PublicPartyEntry[];
}

/**
 * Options of the public list builders: the generation time and an optional data-category labeller.
 *
 * @example
 * ```ts
 * import { createDataCategoryTaxonomy } from "@lawful/core";
 * import type { PublicListOptions } from "@lawful/registry";
 * const o: PublicListOptions = { generatedAt: new Date(), describeCategory: createDataCategoryTaxonomy().describe };
 * ```
 */
export interface PublicListOptions {
  generatedAt: Date;
  /** Human label of a data category. @default the key itself */
  describeCategory?: ((key: string) => string) | undefined;
}

const date = (d: Date | undefined) => (d ? d.toISOString() : undefined);

function entryOf(p: PartyRecord, byId: ReadonlyMap<string, PartyRecord>, describe: (k: string) => string): PublicPartyEntry {
  const d = p.party;
  const chain: { id: string; name: string }[] = [];
  if (d.role === "subprocessor") {
    let parentId: string | undefined = d.parentId;
    const seen = new Set<string>();
    while (parentId !== undefined && !seen.has(parentId)) {
      seen.add(parentId);
      const parent = byId.get(parentId);
      if (!parent) break;
      chain.push({ id: parent.id, name: parent.party.legalName });
      parentId = parent.party.role === "subprocessor" ? parent.party.parentId : undefined;
    }
  }
  const dpa = d.role === "processor" || d.role === "subprocessor" ? d.dpa : undefined;
  const dpaComplete = dpa !== undefined && checkDpaComplete(dpa).length === 0;
  const role = d.role === "processor" || d.role === "subprocessor" ? d.role : "source";
  return {
    id: p.id,
    name: d.legalName,
    ...(d.tradingName ? { tradingName: d.tradingName } : {}),
    role,
    address: { ...d.address },
    contact: { email: d.contact.email, ...(d.contact.url ? { url: d.contact.url } : {}), ...(d.contact.phone ? { phone: d.contact.phone } : {}) },
    ...(d.dpo ? { dpo: { email: d.dpo.email, ...(d.dpo.url ? { url: d.dpo.url } : {}) } } : {}),
    country: d.country,
    processingCountries: [...new Set([d.country, ...(d.processingLocations ?? [])])],
    services: [...d.services],
    purposes: [...d.purposes],
    dataCategories: d.dataCategories.map((key) => ({ key, label: describe(key) })),
    ...(chain.length ? { engagedBy: chain } : {}),
    agreements: {
      ...(dpaComplete ? { dpa: { ...(dpa.signedAt ? { signedAt: date(dpa.signedAt) } : {}) } } : {}),
      ...(d.transfer && d.role !== "source" ? { transfer: describeTransferMechanism(d.transfer) } : {}),
    },
    ...(d.role === "source" ? { publiclyAccessible: d.publiclyAccessible } : {}),
    effectiveFrom: (p.effectiveFrom ?? p.recordedAt).toISOString(),
  };
}

const OptionsSchema = z.object({ generatedAt: z.date(), describeCategory: z.custom<(k: string) => string>((v) => typeof v === "function").optional() });

function build(kind: PublicList["kind"], parties: readonly PartyRecord[], options: PublicListOptions): PublicList {
  const o = parseOrThrow(OptionsSchema, options, "public list options", RegistryError);
  const describe = o.describeCategory ?? ((k: string) => k);
  const byId = new Map(parties.map((p) => [p.id, p]));
  const roles = kind === "subprocessors" ? ["processor", "subprocessor"] : ["source"];
  const entries = parties
    // only active parties already in effect — never proposed or retired ones
    .filter((p) => p.status === "active" && roles.includes(p.party.role) && (p.effectiveFrom ?? p.recordedAt).getTime() <= o.generatedAt.getTime())
    .map((p) => entryOf(p, byId, describe))
    .sort((a, b) => a.name.localeCompare(b.name, "en") || (a.id < b.id ? -1 : 1));
  return { kind, generatedAt: o.generatedAt.toISOString(), entries };
}

/**
 * Build the public list of processors and sub-processors (with their chain) from the latest
 * party versions. Only `active` parties in effect at `generatedAt` appear.
 *
 * @example
 * ```ts
 * import { buildPublicSubprocessorList } from "@lawful/registry";
 * // const list = buildPublicSubprocessorList(await registry.listParties("acme"), { generatedAt: new Date() });
 * buildPublicSubprocessorList([], { generatedAt: new Date("2026-01-01") }).entries.length; // 0
 * ```
 */
export function buildPublicSubprocessorList(parties: readonly PartyRecord[], options: PublicListOptions): PublicList {
  return build("subprocessors", parties, options);
}

/**
 * Build the public list of third-party sources (where personal data were obtained from,
 * Art. 14(2)(f)). Only `active` sources in effect at `generatedAt` appear.
 *
 * @example
 * ```ts
 * import { buildPublicSourceList } from "@lawful/registry";
 * buildPublicSourceList([], { generatedAt: new Date("2026-01-01") }).kind; // "sources"
 * ```
 */
export function buildPublicSourceList(parties: readonly PartyRecord[], options: PublicListOptions): PublicList {
  return build("sources", parties, options);
}

/**
 * Options of {@link renderPublicListHtml}.
 *
 * @example
 * ```ts
 * import type { PublicListHtmlOptions } from "@lawful/registry";
 * const o: PublicListHtmlOptions = { title: "Our sub-processors", organisation: "Acme GmbH", feedUrl: "/subprocessors.atom" };
 * ```
 */
export interface PublicListHtmlOptions {
  /** @default "Sub-processors" or "Sources of personal data" */
  title?: string | undefined;
  organisation?: string | undefined;
  /** Link to the Atom feed of changes (also announced with `<link rel="alternate">`). */
  feedUrl?: string | undefined;
  /** Document language. @default "en" */
  lang?: string | undefined;
  /** Return only the `<section>` element instead of a full document. @default false */
  fragment?: boolean | undefined;
}

const HtmlOptionsSchema = z.object({
  title: z.string().min(1).max(300).optional(),
  organisation: z.string().min(1).max(300).optional(),
  feedUrl: z.union([httpUrl(), z.string().max(2000).regex(/^\/(?!\/)\S*$/, "must be an http(s) URL or a path starting with '/'")]).optional(),
  lang: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a BCP 47 language tag").optional(),
  fragment: z.boolean().optional(),
});

/**
 * Render a public list as accessible, self-contained HTML: one table with a caption and column
 * headers, `<time>` elements for dates, inline styles only (no scripts, fonts or external assets),
 * and every value HTML-escaped.
 *
 * @throws RegistryError `VALIDATION_FAILED` when the options are invalid.
 * @example
 * ```ts
 * import { buildPublicSubprocessorList, renderPublicListHtml } from "@lawful/registry";
 * const html = renderPublicListHtml(buildPublicSubprocessorList([], { generatedAt: new Date() }), { organisation: "Acme GmbH" });
 * ```
 */
export function renderPublicListHtml(list: PublicList, options: PublicListHtmlOptions = {}): string {
  const o = parseOrThrow(HtmlOptionsSchema, options, "public list HTML options", RegistryError);
  const x = escapeXml;
  const isSources = list.kind === "sources";
  const title = o.title ?? (isSources ? "Sources of personal data" : "Sub-processors");
  const heading = o.organisation ? `${title} of ${o.organisation}` : title;
  const day = (iso: string) => `<time datetime="${x(iso)}">${x(iso.slice(0, 10))}</time>`;
  const cols = isSources
    ? ["Organisation", "Country", "Data provided", "Purposes", "Publicly accessible", "Contact", "Since"]
    : ["Organisation", "Engaged by", "Services", "Processing countries", "Data categories", "Agreements", "Contact", "Since"];
  const rows = list.entries.map((e) => {
    const org = `<strong>${x(e.name)}</strong>${e.tradingName ? ` (${x(e.tradingName)})` : ""}<br>${[...e.address.lines, [e.address.postalCode, e.address.locality].filter(Boolean).join(" "), e.address.region, e.address.country]
      .filter((s): s is string => typeof s === "string" && s.length > 0)
      .map(x)
      .join(", ")}`;
    const contact = [`<a href="mailto:${x(e.contact.email)}">${x(e.contact.email)}</a>`, e.contact.url ? `<a href="${x(e.contact.url)}">${x(e.contact.url)}</a>` : "", e.dpo ? `DPO: <a href="mailto:${x(e.dpo.email)}">${x(e.dpo.email)}</a>` : ""]
      .filter(Boolean)
      .join("<br>");
    const cats = `<ul>${e.dataCategories.map((c) => `<li>${x(c.label)}</li>`).join("")}</ul>`;
    const cells = isSources
      ? [org, x(e.country), cats, x(e.purposes.join(", ")), e.publiclyAccessible ? "Yes" : "No", contact, day(e.effectiveFrom)]
      : [
          org,
          e.engagedBy?.length ? x(e.engagedBy.map((p) => p.name).join(" \u2190 ")) : "Directly",
          `<ul>${e.services.map((s) => `<li>${x(s)}</li>`).join("")}</ul>`,
          x(e.processingCountries.join(", ")),
          cats,
          [e.agreements.dpa ? `Data processing agreement${e.agreements.dpa.signedAt ? ` signed ${day(e.agreements.dpa.signedAt)}` : ""}` : "", e.agreements.transfer ? x(e.agreements.transfer) : ""]
            .filter(Boolean)
            .join("<br>"),
          contact,
          day(e.effectiveFrom),
        ];
    return `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join("")}</tr>`;
  });
  const section = [
    `<section aria-labelledby="lawful-list-title">`,
    `<h1 id="lawful-list-title">${x(heading)}</h1>`,
    `<p>Last updated ${day(list.generatedAt)}.${o.feedUrl ? ` Subscribe to changes: <a href="${x(o.feedUrl)}" type="application/atom+xml">Atom feed</a>.` : ""}</p>`,
    list.entries.length === 0
      ? `<p>There are currently no entries.</p>`
      : `<table><caption>${x(heading)}</caption><thead><tr>${cols.map((c) => `<th scope="col">${x(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
    `</section>`,
  ].join("\n");
  if (o.fragment) return section;
  return [
    `<!doctype html>`,
    `<html lang="${x(o.lang ?? "en")}">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${x(heading)}</title>`,
    o.feedUrl ? `<link rel="alternate" type="application/atom+xml" title="${x(title)} changes" href="${x(o.feedUrl)}">` : "",
    `<style>body{font-family:system-ui,sans-serif;line-height:1.5;margin:1rem;color:#111;background:#fff}table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding:.5rem 0}th,td{border:1px solid #666;padding:.5rem;vertical-align:top;text-align:left}thead th{background:#eee}ul{margin:0;padding-left:1.2rem}a{color:#0645ad}</style>`,
    `</head>`,
    `<body>`,
    `<main>`,
    section,
    `</main>`,
    `</body>`,
    `</html>`,
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
}
