import * as z from "zod";
import { parseOrThrow } from "@lawful/core";
import type { ChangeNotice } from "./change-notice.js";
import { RegistryError } from "./errors.js";
import { escapeXml } from "./internal/escape.js";
import type { PartyRecord, PartyRole } from "./party.js";
import { httpUrl } from "./internal/url.js";

/**
 * One public change in the registry: an intended sub-processor change (with its objection
 * deadline), an activation, a retirement, or a withdrawn or rejected change, with its effective date.
 *
 * @example
 * ```ts
 * import type { ChangeFeedEntry } from "@lawful/registry";
 * // (await registry.changeFeed("acme"))[0]?.effectiveAt
 * ```
 */
export interface ChangeFeedEntry {
  /** Stable key of the entry, unique in the tenant (`party/<id>/v<version>` or `notice/<id>/<event>`). */
  readonly key: string;
  readonly kind: "intended" | "activated" | "retired" | "withdrawn" | "rejected";
  readonly partyId: string;
  readonly partyName: string;
  readonly role: PartyRole;
  readonly country: string;
  readonly services: readonly string[];
  /** When the change takes or took effect. */
  readonly effectiveAt: Date;
  /** When the change was recorded. */
  readonly updatedAt: Date;
  readonly objectionDeadline?: Date | undefined;
  readonly replacesPartyName?: string | undefined;
  readonly description?: string | undefined;
}

/** The roles a change feed shows by default. */
const PUBLIC_ROLES: readonly PartyRole[] = ["processor", "subprocessor", "source"];

/**
 * Build the change feed from party versions and change notices, newest first. Proposed parties
 * appear only through their change notice ("intended"), never as list members.
 *
 * @example
 * ```ts
 * import { buildChangeFeed } from "@lawful/registry";
 * const entries = buildChangeFeed({ versions: [], notices: [], parties: [] }); // []
 * ```
 */
export function buildChangeFeed(input: {
  versions: readonly PartyRecord[];
  notices: readonly ChangeNotice[];
  parties: readonly PartyRecord[];
  roles?: readonly PartyRole[] | undefined;
}): ChangeFeedEntry[] {
  const roles = input.roles ?? PUBLIC_ROLES;
  const latest = new Map(input.parties.map((p) => [p.id, p]));
  const out: ChangeFeedEntry[] = [];
  const base = (p: PartyRecord) => ({
    partyId: p.id,
    partyName: p.party.tradingName ? `${p.party.legalName} (${p.party.tradingName})` : p.party.legalName,
    role: p.party.role,
    country: p.party.country,
    services: p.party.services,
  });
  for (const v of input.versions) {
    if (!roles.includes(v.party.role)) continue;
    if (v.change === "activated") out.push({ key: `party/${v.id}/v${v.version}`, kind: "activated", ...base(v), effectiveAt: v.effectiveFrom ?? v.recordedAt, updatedAt: v.recordedAt });
    if (v.change === "retired") out.push({ key: `party/${v.id}/v${v.version}`, kind: "retired", ...base(v), effectiveAt: v.effectiveUntil ?? v.recordedAt, updatedAt: v.recordedAt });
  }
  for (const n of input.notices) {
    const p = latest.get(n.partyId);
    if (!p || !roles.includes(p.party.role)) continue;
    const replaced = n.replacesPartyId === undefined ? undefined : latest.get(n.replacesPartyId);
    const common = {
      ...base(p),
      objectionDeadline: n.objectionDeadline,
      replacesPartyName: replaced?.party.legalName,
      description: n.description,
    };
    out.push({ key: `notice/${n.id}/proposed`, kind: "intended", ...common, effectiveAt: n.effectiveAt, updatedAt: n.proposedAt });
    if ((n.status === "withdrawn" || n.status === "rejected") && n.closedAt) {
      out.push({ key: `notice/${n.id}/${n.status}`, kind: n.status, ...common, effectiveAt: n.closedAt, updatedAt: n.closedAt });
    }
  }
  return out.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Options of {@link renderAtomFeed}: the feed's permanent IRI, title, the URL the feed is served
 * at (`rel="self"`), the public list page (`rel="alternate"`), and the author.
 *
 * @example
 * ```ts
 * import type { AtomFeedOptions } from "@lawful/registry";
 * const o: AtomFeedOptions = { id: "https://acme.example/subprocessors.atom", title: "Acme sub-processor changes",
 *   selfUrl: "https://acme.example/subprocessors.atom", author: { name: "Acme GmbH" } };
 * ```
 */
export interface AtomFeedOptions {
  id: string;
  title: string;
  selfUrl: string;
  alternateUrl?: string | undefined;
  subtitle?: string | undefined;
  author: { name: string; email?: string | undefined; uri?: string | undefined };
  /** Prefix of entry ids. @default the feed id followed by `#` */
  entryIdPrefix?: string | undefined;
  /** `<updated>` of an empty feed. @default 1970-01-01T00:00:00Z */
  emptyUpdated?: Date | undefined;
}

const AtomOptionsSchema = z.object({
  id: z.string().min(1).max(2000).regex(/^[a-z][a-z0-9+.-]*:\S+$/i, "must be an absolute IRI"),
  title: z.string().min(1).max(500),
  selfUrl: httpUrl(),
  alternateUrl: httpUrl().optional(),
  subtitle: z.string().min(1).max(1000).optional(),
  author: z.object({ name: z.string().min(1).max(300), email: z.email().optional(), uri: httpUrl().optional() }),
  entryIdPrefix: z.string().min(1).max(500).regex(/^[a-z][a-z0-9+.-]*:/i, "must start with a URI scheme").optional(),
  emptyUpdated: z.date().optional(),
});

const KIND_TITLES: Record<ChangeFeedEntry["kind"], string> = {
  intended: "Intended change",
  activated: "Now in use",
  retired: "No longer in use",
  withdrawn: "Intended change withdrawn",
  rejected: "Intended change rejected after objection",
};

/**
 * The XML namespace of the registry's Atom extension elements (effective date, objection deadline).
 *
 * @example
 * ```ts
 * import { ATOM_EXTENSION_NAMESPACE } from "@lawful/registry";
 * const ns = ATOM_EXTENSION_NAMESPACE; // "urn:lawful:registry:atom", bound to the prefix "lawful" in the feed
 * ```
 */
export const ATOM_EXTENSION_NAMESPACE = "urn:lawful:registry:atom";

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Render change-feed entries as an Atom 1.0 document (RFC 4287): feed `id`, `title`, `updated`,
 * `author` and `link rel="self"`; per entry `id`, `title`, `updated`, `summary`, a `category` per
 * kind and the effective date (and objection deadline) in the registry's extension namespace.
 * Every text is XML-escaped.
 *
 * @throws RegistryError `VALIDATION_FAILED` when the options are invalid.
 * @example
 * ```ts
 * import { renderAtomFeed } from "@lawful/registry";
 * const xml = renderAtomFeed([], { id: "https://acme.example/changes.atom", title: "Acme changes",
 *   selfUrl: "https://acme.example/changes.atom", author: { name: "Acme GmbH" } });
 * ```
 */
export function renderAtomFeed(entries: readonly ChangeFeedEntry[], options: AtomFeedOptions): string {
  const o = parseOrThrow(AtomOptionsSchema, options, "Atom feed options", RegistryError);
  const prefix = o.entryIdPrefix ?? `${o.id.split("#")[0]!}#`;
  const updated = entries.reduce<Date | undefined>((max, e) => (!max || e.updatedAt > max ? e.updatedAt : max), undefined) ?? o.emptyUpdated ?? new Date(0);
  const x = escapeXml;
  const lines: string[] = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:lawful="${ATOM_EXTENSION_NAMESPACE}">`,
    `  <id>${x(o.id)}</id>`,
    `  <title type="text">${x(o.title)}</title>`,
  ];
  if (o.subtitle) lines.push(`  <subtitle type="text">${x(o.subtitle)}</subtitle>`);
  lines.push(`  <updated>${iso(updated)}</updated>`);
  lines.push(`  <link rel="self" type="application/atom+xml" href="${x(o.selfUrl)}"/>`);
  if (o.alternateUrl) lines.push(`  <link rel="alternate" type="text/html" href="${x(o.alternateUrl)}"/>`);
  lines.push(`  <author>`, `    <name>${x(o.author.name)}</name>`);
  if (o.author.email) lines.push(`    <email>${x(o.author.email)}</email>`);
  if (o.author.uri) lines.push(`    <uri>${x(o.author.uri)}</uri>`);
  lines.push(`  </author>`, `  <generator>@lawful/registry</generator>`);
  for (const e of entries) {
    const title = `${KIND_TITLES[e.kind]}: ${e.partyName} (effective ${day(e.effectiveAt)})`;
    const parts = [
      `${KIND_TITLES[e.kind]}: ${e.partyName}, ${e.country}, ${e.role}.`,
      `Services: ${e.services.join(", ")}.`,
      `Effective date: ${day(e.effectiveAt)}.`,
    ];
    if (e.replacesPartyName) parts.push(`Replaces: ${e.replacesPartyName}.`);
    if (e.kind === "intended" && e.objectionDeadline) parts.push(`Objections may be raised until ${day(e.objectionDeadline)}.`);
    if (e.description) parts.push(e.description);
    lines.push(
      `  <entry>`,
      `    <id>${x(prefix + e.key)}</id>`,
      `    <title type="text">${x(title)}</title>`,
      `    <updated>${iso(e.updatedAt)}</updated>`,
      `    <published>${iso(e.updatedAt)}</published>`,
      `    <category term="${x(e.kind)}" label="${x(KIND_TITLES[e.kind])}"/>`,
      `    <summary type="text">${x(parts.join(" "))}</summary>`,
    );
    if (o.alternateUrl) lines.push(`    <link rel="alternate" type="text/html" href="${x(o.alternateUrl)}"/>`);
    lines.push(`    <lawful:effective>${iso(e.effectiveAt)}</lawful:effective>`);
    if (e.objectionDeadline && e.kind === "intended") lines.push(`    <lawful:objectionDeadline>${iso(e.objectionDeadline)}</lawful:objectionDeadline>`);
    lines.push(`    <lawful:party role="${x(e.role)}" country="${x(e.country)}">${x(e.partyId)}</lawful:party>`, `  </entry>`);
  }
  lines.push(`</feed>`, "");
  return lines.join("\n");
}
