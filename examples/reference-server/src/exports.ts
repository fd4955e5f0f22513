// Exports of the reference server: a subject's access package (live, or the stored result of a
// completed access/portability request) and the tenant's records of processing (Art. 30), rendered
// as JSON, CSV, HTML or a verifiable ZIP bundle. Every surface (API routes, CLI, privacy center) uses this module.
import * as z from "zod";
import { AUDIT_ACTIONS, ERROR_CODES, LawfulError, createDataCategoryTaxonomy, systemClock, type Actor, type Clock, type SubjectRef } from "@lawful/core";
import {
  createAccessPackage,
  createExportDocument,
  createPortabilityPackage,
  createRecordsOfProcessingExport,
  toWebReadableStream,
  validateExportDocument,
  writeCsv,
  writeExportBundle,
  writeHtml,
  writeJson,
  type AccessInformationInput,
  type ColumnInput,
  type ColumnType,
  type ConsentHistoryEntryInput,
  type Controller,
  type ExportDocument,
  type ExportEntityInput,
  type ExportRow,
  type RopaExportRowInput,
} from "@lawful/export";
import { buildControllerRopa, classifyDestination, type Registry } from "@lawful/registry";
import { buildRetentionSchedule } from "@lawful/retention";
import { defaultComplaintRight, type ExportedRecord } from "@lawful/dsr";
import { t, type Language } from "./i18n.js";
import type { Services } from "./services.js";
import type { ControllerDetails, Tenant } from "./tenants.js";

/**
 * The formats an export can be rendered in; `zip` is the bundle (JSON, CSV, HTML and a checksummed manifest).
 *
 * @example
 * ```ts
 * import { EXPORT_FORMATS } from "./exports.js";
 * EXPORT_FORMATS.includes("zip"); // true
 * ```
 */
export const EXPORT_FORMATS = ["json", "csv", "html", "zip"] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/**
 * Schema of an export format (query parameters, CLI flags).
 *
 * @example
 * ```ts
 * import { ExportFormatSchema } from "./exports.js";
 * ExportFormatSchema.safeParse("xlsx").success; // false
 * ```
 */
export const ExportFormatSchema = z.enum(EXPORT_FORMATS);

/**
 * A rendered export: what to send as `Content-Type`, a safe file name, and the bytes as a stream.
 *
 * @example
 * ```ts
 * import type { RenderedExport } from "./exports.js";
 * const toResponse = (f: RenderedExport) => new Response(f.body, { headers: { "content-type": f.contentType, "content-disposition": `attachment; filename="${f.filename}"` } });
 * ```
 */
export interface RenderedExport {
  contentType: string;
  /** Only letters, digits, `.`, `_` and `-`: safe in a `Content-Disposition` header and as a file name. */
  filename: string;
  body: ReadableStream<Uint8Array>;
}

/**
 * Options of the document builders.
 *
 * @example
 * ```ts
 * import { createManualClock } from "@lawful/core";
 * import type { ExportOptions } from "./exports.js";
 * const fixed: ExportOptions = { clock: createManualClock("2026-01-01T00:00:00Z") };
 * ```
 */
export interface ExportOptions {
  /** Where "now" (the generation time) comes from. @default systemClock */
  clock?: Clock | undefined;
}

type SourceRecord = ExportedRecord & { sourceId: string };
type Recipient = AccessInformationInput["recipients"][number];

const HISTORY_ACTIONS = new Set(["given", "refused", "withdrawn", "renewed", "expired"]);

// a consent event as the consent service returns it, or as the request engine stored it (dates as ISO strings)
const ConsentEventSchema = z.looseObject({
  id: z.string(),
  purposeId: z.string(),
  type: z.string(),
  method: z.string(),
  notice: z.object({ noticeId: z.string(), version: z.number(), contentSha256: z.string() }).nullable().optional(),
  evidence: z.looseObject({ pageUrl: z.string().optional() }).optional(),
  occurredAt: z.union([z.date(), z.string()]),
});

// the parts of a stored AccessResult (packages/dsr results.ts) an export reads
const StoredAccessResultSchema = z.object({
  kind: z.enum(["access", "portability", "ccpa_know_categories", "ccpa_know_specific"]),
  regime: z.string(),
  generatedAt: z.string(),
  sections: z.object({
    recipients: z.array(z.object({ name: z.string(), id: z.string().optional(), country: z.string().optional(), thirdCountry: z.boolean().optional() })),
  }),
  data: z.array(z.object({ category: z.string(), provenance: z.enum(["provided", "observed", "derived", "inferred"]), recordId: z.string().optional(), fields: z.record(z.string(), z.unknown()), sourceId: z.string() })),
  consentHistory: z.array(z.unknown()),
});

/** What the server found about one subject, before it becomes a document. */
interface Gathered {
  kind: "access" | "portability";
  pseudonym: string;
  regime: string;
  generatedAt: Date | string;
  records: SourceRecord[];
  consentEvents: unknown[];
  recipients: Recipient[];
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : d);

/** The entity name of a data source id (`lawful.consent` → `lawful_consent`). */
function entityName(sourceId: string): string {
  const slug = sourceId.toLowerCase().replace(/[^a-z0-9_]+/g, "_").slice(0, 60);
  return /^[a-z]/.test(slug) ? slug : `source_${slug}`;
}

function columnType(values: unknown[]): ColumnType {
  const kinds = new Set(values.filter((v) => v !== null && v !== undefined).map((v) => (v instanceof Date ? "datetime" : typeof v)));
  if (kinds.size !== 1) return kinds.size === 0 ? "string" : "json";
  const [only] = kinds;
  return only === "number" ? "number" : only === "boolean" ? "boolean" : only === "datetime" ? "datetime" : only === "string" ? "string" : "json";
}

/** One entity per data source: record id, category, provenance and every field the source exported. */
function sourceEntities(records: readonly SourceRecord[], lang: Language): ExportEntityInput[] {
  const bySource = new Map<string, SourceRecord[]>();
  for (const r of records) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
  return [...bySource].map(([sourceId, recs]) => {
    const fields = [...new Set(recs.flatMap((r) => Object.keys(r.fields)))];
    const categories = new Set(recs.map((r) => r.category));
    const category = categories.size === 1 ? [...categories][0] : undefined;
    const columns: ColumnInput[] = [
      { name: "record_id" },
      { name: "category", description: "Data category of the record" },
      { name: "provenance", description: "provided, observed, derived or inferred" },
      ...fields.map((name) => ({ name, type: columnType(recs.map((r) => r.fields[name])), ...(category ? { category } : {}) })),
    ];
    const rows: ExportRow[] = recs.map((r) => ({ record_id: r.recordId ?? null, category: r.category, provenance: r.provenance, ...r.fields }));
    return { name: entityName(sourceId), title: t(lang, "exports.entity.title", { source: sourceId }), sourceSystem: sourceId, columns, rows };
  });
}

/** Consent events as history entries with their proof; IP address and user agent come from the consent records exported with them. */
function consentHistory(events: readonly unknown[], records: readonly SourceRecord[]): ConsentHistoryEntryInput[] {
  const evidence = new Map(records.filter((r) => r.recordId).map((r) => [r.recordId!, r.fields]));
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return events.flatMap((raw) => {
    const parsed = ConsentEventSchema.safeParse(raw);
    if (!parsed.success || !HISTORY_ACTIONS.has(parsed.data.type)) return [];
    const e = parsed.data;
    const at = iso(e.occurredAt);
    const seen = evidence.get(e.id);
    const entry: ConsentHistoryEntryInput = {
      purpose: e.purposeId,
      action: e.type as ConsentHistoryEntryInput["action"],
      occurredAt: at,
      method: e.method,
      proofId: e.id,
      ...(e.notice ? { noticeId: e.notice.noticeId, noticeVersion: String(e.notice.version), noticeHash: e.notice.contentSha256 } : {}),
      ...(e.evidence?.pageUrl ? { formUrl: e.evidence.pageUrl } : {}),
      ...(text(seen?.ip) ? { ipAddress: text(seen?.ip) } : {}),
      ...(text(seen?.userAgent) ? { userAgent: text(seen?.userAgent) } : {}),
      ...(e.method === "double_opt_in_confirmed" ? { doubleOptInConfirmedAt: at } : {}),
    };
    return [entry];
  });
}

/** Whether retention key `ruleKey` covers category `key` (a key covers its sub-keys). */
const covers = (ruleKey: string, key: string) => ruleKey === "*" || key === ruleKey || key.startsWith(`${ruleKey}.`);

/** The active parties (processors, sub-processors, independent controllers) that work for one of `purposes`. */
async function purposeRecipients(registry: Registry, tenantId: string, purposes: ReadonlySet<string>): Promise<Recipient[]> {
  const parties = await registry.listParties(tenantId, { status: "active" });
  return parties
    .filter((p) => (p.party.role === "processor" || p.party.role === "subprocessor" || p.party.role === "independent_controller") && p.party.purposes.some((x) => purposes.has(x)))
    .map((p) => ({
      name: p.party.legalName,
      type: "named" as const,
      role: p.party.role === "independent_controller" ? ("controller" as const) : ("processor" as const),
      country: p.party.country,
      thirdCountry: classifyDestination(p.party.country, registry.adequacy).status !== "domestic",
      purposes: p.party.purposes.filter((x) => purposes.has(x)),
    }));
}

type Contact = ControllerDetails["contact"];
const contactText = (c: Contact): string => [c.name, c.email, c.phone, c.url].filter(Boolean).join(", ");

/**
 * The tenant as the controller of an export: name, and the contact details, address, representative and DPO it has set.
 *
 * @example
 * ```ts
 * import { exportController } from "./exports.js";
 * import type { Tenant } from "./tenants.js";
 * declare const tenant: Tenant;
 * exportController(tenant).contact; // e.g. "privacy@acme.example, +49 30 1234567"
 * ```
 */
export function exportController(tenant: Tenant): Controller {
  const d = tenant.controllerDetails;
  if (d === null) return { id: tenant.slug, name: tenant.name };
  const a = d.address;
  return {
    id: tenant.slug,
    name: tenant.name,
    contact: contactText(d.contact),
    ...(a ? { address: [...a.lines, [a.postalCode, a.locality].filter(Boolean).join(" "), a.region, a.country].filter(Boolean).join(", ") } : {}),
    ...(d.representative ? { representative: `${d.representative.name}, ${contactText(d.representative.contact)}, ${d.representative.country}` } : {}),
    ...(d.dpo ? { dpoContact: contactText(d.dpo) } : {}),
  };
}

/** Turn what was found about a subject into an access (Art. 15) or portability (Art. 20) package. */
async function subjectDocument(services: Services, tenant: Tenant, lang: Language, g: Gathered): Promise<ExportDocument> {
  const controller = exportController(tenant);
  const entities = sourceEntities(g.records, lang);
  if (g.kind === "portability") return createPortabilityPackage({ controller, subjectPseudonym: g.pseudonym, generatedAt: g.generatedAt, language: lang, entities });
  const history = consentHistory(g.consentEvents, g.records);
  const purposeIds = new Set([...history.map((h) => h.purpose), ...g.records.map((r) => r.fields.purpose).filter((p): p is string => typeof p === "string")]);
  const purposes = (await services.consent.listPurposes(tenant.id)).filter((p) => purposeIds.has(p.id));
  const found = [...new Set(g.records.map((r) => r.category))].sort();
  const describe = createDataCategoryTaxonomy().describe;
  const schedule = buildRetentionSchedule(await services.retention.listRules(tenant.id), { asOf: new Date(g.generatedAt) });
  const rules = schedule.groups.flatMap((group) => group.entries);
  const retention = found.flatMap((category): AccessInformationInput["retention"] => {
    const applying = rules.filter((r) => covers(r.category, category) && (r.purposes.length === 0 || r.purposes.some((p) => purposeIds.has(p))));
    if (applying.length === 0) return [{ scope: category, criteria: t(lang, "exports.retention.unset") }];
    return applying.map((r) => ({ scope: category, period: `${r.period} ${r.from}, ${r.then}`.slice(0, 300) }));
  });
  const recipients = [...g.recipients];
  for (const r of await purposeRecipients(services.registry, tenant.id, purposeIds)) if (!recipients.some((x) => x.name === r.name)) recipients.push(r);
  return createAccessPackage({
    controller,
    subjectPseudonym: g.pseudonym,
    generatedAt: g.generatedAt,
    language: lang,
    information: {
      processing: found.length > 0 || history.length > 0,
      purposes: purposes.map((p) => ({ id: p.id, name: p.name, lawfulBasis: p.lawfulBasis, ...(p.description ? { description: p.description } : {}) })),
      categories: found.map((key) => ({ key, description: describe(key) })),
      recipients,
      retention,
      complaintRight: { authority: defaultComplaintRight(g.regime) },
    },
    entities,
    consentHistory: history,
  });
}

/**
 * The access package (Art. 15) of a subject as the server holds it now: every record of its data
 * sources (consent records with their proof, outbox messages), the consent history with proof
 * metadata (when, how, notice id/version/hash, form URL, IP address, user agent), and the Art. 15
 * information (purposes, categories, named recipients from the disclosure log and the parties
 * working for those purposes, retention from the tenant's rules, the complaint right).
 * Records nothing: the caller audits the export (`data.exported`).
 *
 * @example
 * ```ts
 * import type { Services } from "./services.js";
 * import type { Tenant } from "./tenants.js";
 * import { renderExport, subjectExportDocument } from "./exports.js";
 * declare const services: Services, tenant: Tenant;
 * const doc = await subjectExportDocument(services, tenant, { kind: "email", value: "ada@example.com" }, "en");
 * const file = await renderExport(doc, "zip", "en");
 * ```
 */
export async function subjectExportDocument(services: Services, tenant: Tenant, subject: SubjectRef, lang: Language, options: ExportOptions = {}): Promise<ExportDocument> {
  const now = (options.clock ?? systemClock).now();
  const records: SourceRecord[] = [];
  for (const source of services.dataSources) {
    const ctx = { tenantId: tenant.id, subject, requestId: "subject-export", idempotencyKey: `subject-export:${source.id}`, attempt: 1 };
    for (const r of await source.export(ctx, {})) records.push({ ...r, sourceId: source.id });
  }
  const pseudonym = services.consent.pseudonymOf(tenant.id, subject);
  const named = await services.registry.recipientsForSubject(tenant.id, { subjectPseudonym: pseudonym });
  const purposes = await services.consent.listPurposes(tenant.id);
  const events = await services.consent.history(tenant.id, subject);
  const regime = purposes.find((p) => events.some((e) => e.purposeId === p.id))?.regime ?? "EU";
  return subjectDocument(services, tenant, lang, {
    kind: "access",
    pseudonym,
    regime,
    generatedAt: now,
    records,
    consentEvents: events,
    recipients: named.map((r) => ({
      name: r.recipient.legalName,
      type: "named" as const,
      role: r.recipient.role === "independent_controller" ? ("controller" as const) : r.recipient.role === "joint_controller" ? ("joint_controller" as const) : ("processor" as const),
      country: r.recipient.country,
      thirdCountry: classifyDestination(r.recipient.country, services.registry.adequacy).status !== "domestic",
    })),
  });
}

/**
 * The export of a completed access or portability request, built from the result the request
 * engine stored when it completed (`request.outcome.result`): the copy of the data as it was then,
 * with the consent history and Art. 15 information. A portability request gives the Art. 20
 * package (provided and observed data only).
 *
 * @throws LawfulError `NOT_FOUND` for an id unknown in the tenant; `ILLEGAL_TRANSITION` (409) when the
 *   request is not an access/portability request or not completed yet.
 * @example
 * ```ts
 * import type { Services } from "./services.js";
 * import type { Tenant } from "./tenants.js";
 * import { accessRequestExportDocument, renderExport } from "./exports.js";
 * declare const services: Services, tenant: Tenant;
 * const doc = await accessRequestExportDocument(services, tenant, "0192f0c4-0000-7000-8000-000000000000", "de");
 * const { body, filename } = await renderExport(doc, "zip", "de");
 * ```
 */
export async function accessRequestExportDocument(services: Services, tenant: Tenant, requestId: string, lang: Language): Promise<ExportDocument> {
  const r = await services.dsr.get(tenant.id, requestId);
  if (r.state !== "completed" && r.state !== "partially_completed") {
    throw new LawfulError(ERROR_CODES.ILLEGAL_TRANSITION, `Request ${requestId} is ${r.state}: its export exists once the request is completed.`);
  }
  const stored = StoredAccessResultSchema.safeParse(r.outcome?.result);
  if (!stored.success) throw new LawfulError(ERROR_CODES.ILLEGAL_TRANSITION, `Request ${requestId} is a ${r.type} request, which has no data export.`);
  const result = stored.data;
  const adequacy = services.registry.adequacy;
  return subjectDocument(services, tenant, lang, {
    kind: result.kind === "portability" ? "portability" : "access",
    pseudonym: r.subjectKey,
    regime: result.regime,
    generatedAt: result.generatedAt,
    records: result.data.map((d) => ({ category: d.category, provenance: d.provenance, fields: d.fields, sourceId: d.sourceId, ...(d.recordId ? { recordId: d.recordId } : {}) })),
    consentEvents: result.consentHistory,
    recipients: result.sections.recipients.map((x) => ({
      name: x.name,
      type: "named" as const,
      ...(x.country ? { country: x.country } : {}),
      thirdCountry: x.thirdCountry ?? (x.country ? classifyDestination(x.country, adequacy).status !== "domestic" : false),
    })),
  });
}

const CHANNEL_CATEGORIES: Record<string, string> = { email: "contact.email", sms: "contact.phone", phone: "contact.phone", post: "contact.postal", web: "online.device_id" };

/**
 * The tenant's records of processing (Art. 30(1)) as an export document: one activity per purpose
 * with its lawful basis, data categories (from the notices that name it, its channel, and the
 * consent proof the server keeps), recipients and third-country transfers from the registry's
 * active parties (`buildControllerRopa`), erasure time limits from the retention rules and the
 * server's security measures.
 *
 * @throws LawfulError `CONFLICT` while the tenant has no controller details (Art. 30(1)(a) needs them).
 * @example
 * ```ts
 * import type { Services } from "./services.js";
 * import type { Tenant } from "./tenants.js";
 * import { recordsOfProcessingDocument, renderExport } from "./exports.js";
 * declare const services: Services, tenant: Tenant;
 * const csv = await renderExport(await recordsOfProcessingDocument(services, tenant, "en"), "csv", "en");
 * ```
 */
export async function recordsOfProcessingDocument(services: Services, tenant: Tenant, lang: Language, options: ExportOptions = {}): Promise<ExportDocument> {
  const details = tenant.controllerDetails;
  if (details === null) {
    throw new LawfulError(
      "CONFLICT",
      "The records of processing must name the controller's contact details (GDPR Art. 30(1)(a)); set them first with PUT /v1/tenant/controller-details or `lawful tenant contact`.",
    );
  }
  const now = (options.clock ?? systemClock).now();
  const [purposes, notices, rules, parties] = await Promise.all([
    services.consent.listPurposes(tenant.id),
    services.consent.listNotices(tenant.id),
    services.retention.listRules(tenant.id),
    services.registry.listParties(tenant.id),
  ]);
  const schedule = buildRetentionSchedule(rules, { asOf: now });
  const from = new Map(schedule.groups.flatMap((g) => g.entries.map((e) => [e.ruleId, e.from] as const)));
  const security = t(lang, "exports.ropa.security");
  const ropaPurposes = purposes.map((p) => ({
    id: p.id,
    name: p.name,
    lawfulBasis: p.lawfulBasis,
    ...(p.description ? { description: p.description } : {}),
    dataCategories: [...new Set([...notices.filter((n) => n.purposes.includes(p.id)).flatMap((n) => n.dataCategories), ...(CHANNEL_CATEGORIES[p.channel] ? [CHANNEL_CATEGORIES[p.channel]!] : []), "consent.proof"])].sort(),
    subjectCategories: [t(lang, "exports.subjectCategories")],
  }));
  const byId = new Map(ropaPurposes.map((p) => [p.id, p]));
  const activities: RopaExportRowInput[] = [];
  if (ropaPurposes.length > 0) {
    const ropa = buildControllerRopa({
      controller: { name: tenant.name, ...details },
      purposes: ropaPurposes,
      retentionRules: rules.flatMap((r) =>
        r.selectors.categories ? [{ id: r.id, dataCategories: r.selectors.categories, purposes: r.selectors.purposes, period: r.duration, trigger: from.get(r.id), description: r.title }] : [],
      ),
      securityMeasures: security,
      parties,
      adequacy: services.registry.adequacy,
      generatedAt: now,
    });
    if (ropa.kind === "controller") {
      for (const e of ropa.entries) {
        const p = byId.get(e.activity.id)!;
        activities.push({
          id: e.activity.id,
          name: e.activity.name,
          jointControllers: e.controller.jointControllers.map((j) => j.name),
          purposes: [...e.purposes],
          lawfulBases: [p.lawfulBasis],
          dataSubjectCategories: [...e.dataSubjectCategories],
          dataCategories: e.personalDataCategories.map((c) => c.key),
          specialCategories: e.personalDataCategories.some((c) => c.key.startsWith("special")),
          recipients: e.recipientCategories.flatMap((c) => c.recipients.map((r) => `${r.name} (${c.category}, ${r.country})`)),
          thirdCountryTransfers: e.thirdCountryTransfers.map((x) => ({ country: x.country, recipient: x.recipient.name, safeguard: x.mechanism })),
          retention: e.erasureTimeLimits?.length ? e.erasureTimeLimits.map((l) => `${l.dataCategory}: ${l.period}${l.trigger ? ` ${l.trigger}` : ""}`).join("; ").slice(0, 1000) : t(lang, "exports.retention.unset"),
          securityMeasures: e.securityMeasures,
        });
      }
    }
  }
  return createRecordsOfProcessingExport({ controller: exportController(tenant), generatedAt: now, language: lang, activities });
}

function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v) ?? null;
}

/**
 * Every part of a document as one long CSV table (`part, name, row, field, value`): metadata,
 * each section item's fields and each entity row's fields. One file holds a whole access package;
 * the writer keeps RFC 4180 quoting and formula neutralisation.
 */
function longCsv(doc: ExportDocument): AsyncGenerator<Uint8Array, void, undefined> {
  const rows = async function* (): AsyncGenerator<ExportRow> {
    await Promise.resolve();
    for (const [field, value] of Object.entries(doc.meta)) yield { part: "meta", name: "meta", row: null, field, value: Array.isArray(value) ? value.join("; ") : cellText(value) };
    for (const s of doc.sections) {
      for (const [i, item] of s.items.entries()) for (const [field, value] of Object.entries(item)) yield { part: "section", name: s.key, row: i + 1, field, value: Array.isArray(value) ? value.join("; ") : cellText(value) };
    }
    for (const e of doc.entities) {
      let i = 0;
      const source = typeof e.rows === "function" ? e.rows() : e.rows;
      for await (const row of source) {
        i++;
        for (const c of e.columns) yield { part: "entity", name: e.name, row: i, field: c.name, value: cellText(row[c.name]) };
      }
    }
  };
  const table = createExportDocument({
    meta: { controller: doc.meta.controller, generatedAt: doc.meta.generatedAt },
    entities: [{ name: "export", columns: [{ name: "part" }, { name: "name" }, { name: "row", type: "integer" }, { name: "field" }, { name: "value" }], rows }],
  });
  return writeCsv(table.entities[0]!);
}

/**
 * Render a document for download: `json` (the document with its published JSON Schema shape),
 * `csv` (the single table of a one-table document such as the records of processing, else every
 * part of the document as one long table), `html` (the accessible report in `lang`) or `zip`
 * (the bundle with JSON, CSV files, the HTML report and a checksummed `manifest.json`). Every row is
 * validated before the first byte, so a download never ends half-written; the bytes then stream.
 *
 * @throws ExportError `VALIDATION_FAILED` / `NOT_JSON_SERIALIZABLE` for a value the writers cannot represent.
 * @example
 * ```ts
 * import { createExportDocument } from "@lawful/export";
 * import { renderExport } from "./exports.js";
 * const doc = createExportDocument({ meta: { kind: "access", controller: { id: "acme", name: "Acme" }, generatedAt: new Date() } });
 * const { contentType, filename, body } = await renderExport(doc, "html", "en");
 * const response = new Response(body, { headers: { "content-type": contentType, "content-disposition": `attachment; filename="${filename}"` } });
 * ```
 */
export async function renderExport(doc: ExportDocument, format: ExportFormat, lang: Language): Promise<RenderedExport> {
  await validateExportDocument(doc);
  const stem = `${doc.meta.kind.replace(/_/g, "-")}-${doc.meta.controller.id ?? "export"}-${doc.meta.generatedAt.slice(0, 10)}`.replace(/[^A-Za-z0-9._-]/g, "_");
  const single = doc.entities.length === 1 && doc.sections.length === 0;
  switch (format) {
    case "json":
      return { contentType: "application/json; charset=utf-8", filename: `${stem}.json`, body: toWebReadableStream(writeJson(doc)) };
    case "csv":
      return { contentType: "text/csv; charset=utf-8; header=present", filename: `${stem}.csv`, body: toWebReadableStream(single ? writeCsv(doc.entities[0]!) : longCsv(doc)) };
    case "html":
      return { contentType: "text/html; charset=utf-8", filename: `${stem}.html`, body: toWebReadableStream(writeHtml(doc, { language: lang })) };
    case "zip":
      return { contentType: "application/zip", filename: `${stem}.zip`, body: toWebReadableStream(writeExportBundle(doc, { formats: ["json", "csv", "html"], html: { language: lang } })) };
  }
}

/**
 * Export a subject's access package now ({@link subjectExportDocument} + {@link renderExport}) and
 * record it in the audit log as `data.exported`: the subject by pseudonym only, the actor, and
 * details without personal data (format, channel, categories and source systems).
 *
 * @example
 * ```ts
 * import type { Services } from "./services.js";
 * import type { Tenant } from "./tenants.js";
 * import { exportSubject } from "./exports.js";
 * declare const services: Services, tenant: Tenant;
 * const file = await exportSubject(services, tenant, { kind: "email", value: "ada@example.com" }, "csv", "en", { actor: { type: "system", id: "lawful-cli" }, channel: "cli" });
 * ```
 */
export async function exportSubject(
  services: Services,
  tenant: Tenant,
  subject: SubjectRef,
  format: ExportFormat,
  lang: Language,
  options: ExportOptions & { actor: Actor; channel: string },
): Promise<RenderedExport> {
  const clock = options.clock ?? systemClock;
  const doc = await subjectExportDocument(services, tenant, subject, lang, { clock });
  const file = await renderExport(doc, format, lang);
  await services.audit.record({
    tenantId: tenant.id,
    action: AUDIT_ACTIONS.DATA_EXPORTED,
    actor: options.actor,
    occurredAt: clock.now(),
    subjectPseudonym: doc.meta.subjectPseudonym ?? services.consent.pseudonymOf(tenant.id, subject),
    target: { system: "lawful-export", recordType: `export.${doc.meta.kind}` },
    details: { format, channel: options.channel, categories: [...doc.meta.categories], sourceSystems: [...doc.meta.sourceSystems] },
  });
  return file;
}
