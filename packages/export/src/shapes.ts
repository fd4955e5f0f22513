import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, LawfulBasisSchema, issuesFromZod, type LawfulIssue } from "@lawful/core";
import { ExportError } from "./errors.js";
import {
  createExportDocument,
  type ColumnInput,
  type Controller,
  type ExportDocument,
  type ExportEntityInput,
  type ExportRow,
  type Provenance,
  type RowSource,
  type Section,
} from "./model.js";
import { openRows } from "./internal/rows.js";

function fail(what: string, issues: LawfulIssue[]): never {
  const fields = [...new Set(issues.map((i) => (i.path.length ? i.path.join(".") : "(root)")))];
  throw new ExportError(ERROR_CODES.VALIDATION_FAILED, `Invalid ${what}: ${issues.length} problem(s) at ${fields.join(", ")}.`, { issues });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix: (string | number)[] = []): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) fail(what, issuesFromZod(r.error.issues, prefix));
  return r.data;
}

/** Map a row source lazily, keeping it re-iterable when the input is (arrays, functions). */
function mapRows(source: RowSource, entity: string, fn: (row: unknown, index: number) => ExportRow): RowSource {
  return () => {
    const opened = openRows(source, entity);
    if (opened.sync) {
      return (function* () {
        let i = 0;
        for (const row of opened.rows) yield fn(row, i++);
      })();
    }
    return (async function* () {
      let i = 0;
      for await (const row of opened.rows) yield fn(row, i++);
    })();
  };
}

const instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((d) => (d instanceof Date ? d.toISOString() : d));

// ---------------------------------------------------------------- Art. 15 access package

/**
 * The Art. 15(1)(a)–(h) and 15(2) information of an access response, tailored to the subject
 * (EDPB 01/2022: not the privacy policy). Recipients are named where known (CJEU C-154/21).
 *
 * @example
 * ```ts
 * import { AccessInformationSchema } from "@lawful/export";
 * AccessInformationSchema.parse({
 *   purposes: [{ name: "Newsletter", lawfulBasis: "consent" }],
 *   categories: [{ key: "contact.email" }],
 *   recipients: [{ name: "Mailer Ltd", type: "named", role: "processor", country: "IE", thirdCountry: false }],
 *   retention: [{ scope: "contact.email", period: "until you unsubscribe" }],
 *   complaintRight: { authority: "BfDI", url: "https://www.bfdi.bund.de" },
 * });
 * ```
 */
export const AccessInformationSchema = z.object({
  processing: z.boolean().default(true),
  purposes: z.array(
    z.object({
      id: z.string().min(1).max(128).optional(),
      name: z.string().min(1).max(300),
      description: z.string().max(4000).optional(),
      lawfulBasis: LawfulBasisSchema,
      legitimateInterests: z.string().max(4000).optional(),
    }),
  ),
  categories: z.array(z.object({ key: DataCategorySchema, description: z.string().max(1000).optional() })),
  recipients: z.array(
    z.object({
      name: z.string().min(1).max(300),
      type: z.enum(["named", "category"]),
      role: z.enum(["processor", "controller", "joint_controller", "public_authority", "other"]).optional(),
      country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code").optional(),
      thirdCountry: z.boolean(),
      purposes: z.array(z.string().min(1).max(300)).optional(),
    }),
  ),
  retention: z.array(
    z
      .object({ scope: z.string().min(1).max(300), period: z.string().min(1).max(300).optional(), criteria: z.string().min(1).max(2000).optional() })
      .refine((r) => r.period !== undefined || r.criteria !== undefined, { message: "give a period or the criteria used to set it (Art. 15(1)(d))", path: ["period"] }),
  ),
  rights: z
    .array(z.object({ right: z.enum(["rectification", "erasure", "restriction", "objection", "portability", "withdraw_consent"]), howToExercise: z.string().max(2000).optional() }))
    .optional(),
  complaintRight: z.object({ authority: z.string().min(1).max(300), url: z.string().max(500).optional(), contact: z.string().max(500).optional() }),
  sources: z.array(z.object({ source: z.string().min(1).max(300), publiclyAvailable: z.boolean().optional(), categories: z.array(DataCategorySchema).optional() })).default([]),
  automatedDecisions: z
    .array(z.object({ name: z.string().min(1).max(300), logic: z.string().min(1).max(4000), significance: z.string().min(1).max(4000), consequences: z.string().min(1).max(4000) }))
    .default([]),
  transferSafeguards: z
    .array(z.object({ country: z.string().regex(/^[A-Z]{2}$/), mechanism: z.string().min(1).max(300), recipients: z.array(z.string().min(1).max(300)).optional(), copyAvailableAt: z.string().max(500).optional() }))
    .default([]),
});
/** Art. 15 information as callers give it; see {@link AccessInformationSchema}. */
export type AccessInformationInput = z.input<typeof AccessInformationSchema>;

const RIGHT_TEXT: Record<"en" | "de", Record<string, string>> = {
  en: {
    rectification: "Have inaccurate data corrected and incomplete data completed (Art. 16).",
    erasure: "Have your data erased (Art. 17).",
    restriction: "Have processing restricted (Art. 18).",
    objection: "Object to processing based on legitimate interests or public task, and at any time to direct marketing (Art. 21).",
    portability: "Receive data you provided in a machine-readable format or have it sent to another controller (Art. 20).",
    withdraw_consent: "Withdraw consent at any time, without affecting earlier processing (Art. 7(3)).",
  },
  de: {
    rectification: "Berichtigung unrichtiger und Vervollständigung unvollständiger Daten (Art. 16).",
    erasure: "Löschung Ihrer Daten (Art. 17).",
    restriction: "Einschränkung der Verarbeitung (Art. 18).",
    objection: "Widerspruch gegen Verarbeitungen auf Grundlage berechtigter Interessen oder öffentlicher Aufgaben, gegen Direktwerbung jederzeit (Art. 21).",
    portability: "Erhalt der von Ihnen bereitgestellten Daten in einem maschinenlesbaren Format oder Übermittlung an einen anderen Verantwortlichen (Art. 20).",
    withdraw_consent: "Jederzeitiger Widerruf einer Einwilligung, ohne dass die frühere Verarbeitung unrechtmäßig wird (Art. 7 Abs. 3).",
  },
};

/**
 * One consent event of the subject's history with its proof: what was agreed to, when, how,
 * which notice was shown (id, version, content hash), from where (IP, user agent, form URL) and
 * the id/hash of the stored evidence.
 *
 * @example
 * ```ts
 * import { ConsentHistoryEntrySchema } from "@lawful/export";
 * ConsentHistoryEntrySchema.parse({ purpose: "newsletter", action: "given", occurredAt: "2026-01-01T10:00:00Z", method: "double_opt_in", noticeVersion: "3" });
 * ```
 */
export const ConsentHistoryEntrySchema = z.object({
  purpose: z.string().min(1).max(128),
  action: z.enum(["given", "refused", "withdrawn", "renewed", "expired"]),
  occurredAt: instant,
  method: z.string().min(1).max(64).optional(),
  noticeId: z.string().min(1).max(128).optional(),
  noticeVersion: z.string().min(1).max(64).optional(),
  noticeHash: z.string().min(1).max(128).optional(),
  formUrl: z.string().max(2000).optional(),
  ipAddress: z.string().max(64).optional(),
  userAgent: z.string().max(1024).optional(),
  doubleOptInConfirmedAt: instant.optional(),
  proofId: z.string().min(1).max(256).optional(),
  proofHash: z.string().min(1).max(256).optional(),
});
/** A consent history entry as callers give it; see {@link ConsentHistoryEntrySchema}. */
export type ConsentHistoryEntryInput = z.input<typeof ConsentHistoryEntrySchema>;

const CONSENT_COLUMNS: ColumnInput[] = [
  { name: "purpose", description: "Purpose the decision is about" },
  { name: "action", description: "given, refused, withdrawn, renewed or expired" },
  { name: "occurred_at", type: "datetime", description: "When the decision was made" },
  { name: "method", description: "How consent was collected (e.g. web form, double opt-in)" },
  { name: "notice_id", description: "Notice shown" },
  { name: "notice_version", description: "Version of the notice shown" },
  { name: "notice_hash", description: "SHA-256 of the exact notice text shown" },
  { name: "form_url", description: "Page of the form", category: "online", provenance: "observed" },
  { name: "ip_address", description: "IP address the form was sent from", category: "online.ip_address", provenance: "observed" },
  { name: "user_agent", description: "Browser user agent", category: "online.user_agent", provenance: "observed" },
  { name: "double_opt_in_confirmed_at", type: "datetime", description: "When the confirmation link was clicked" },
  { name: "proof_id", description: "Id of the stored evidence" },
  { name: "proof_hash", description: "Hash of the stored evidence" },
];

function consentRow(raw: unknown, index: number): ExportRow {
  const e = parse(ConsentHistoryEntrySchema, raw, "consent history entry", ["consent_history", index]);
  return {
    purpose: e.purpose,
    action: e.action,
    occurred_at: e.occurredAt,
    method: e.method ?? null,
    notice_id: e.noticeId ?? null,
    notice_version: e.noticeVersion ?? null,
    notice_hash: e.noticeHash ?? null,
    form_url: e.formUrl ?? null,
    ip_address: e.ipAddress ?? null,
    user_agent: e.userAgent ?? null,
    double_opt_in_confirmed_at: e.doubleOptInConfirmedAt ?? null,
    proof_id: e.proofId ?? null,
    proof_hash: e.proofHash ?? null,
  };
}

/**
 * Input of {@link createAccessPackage}.
 *
 * @example
 * ```ts
 * import type { AccessPackageInput } from "@lawful/export";
 * type Redact = NonNullable<AccessPackageInput["redact"]>;
 * ```
 */
export interface AccessPackageInput {
  controller: Controller;
  /** The subject's pseudonym (never the clear identifier). */
  subjectPseudonym: string;
  generatedAt: Date | string;
  /** @default "en" */
  language?: string | undefined;
  information: AccessInformationInput;
  /** The copy of the data: one entity per table of the per-subject data inventory, from every system. */
  entities: readonly ExportEntityInput[];
  /** The subject's consent history with proof (entity `consent_history`). */
  consentHistory?: RowSource | Iterable<ConsentHistoryEntryInput> | AsyncIterable<ConsentHistoryEntryInput> | undefined;
  /** Art. 15(4) hook: remove third-party data from a row before it is written. */
  redact?: ((row: ExportRow, entity: string) => ExportRow) | undefined;
}

/**
 * Build the Art. 15 access package (DOMAIN C1): confirmation, the Art. 15(1)(a)–(h) and 15(2)
 * information as sections (`confirmation`, `purposes`, `categories`, `recipients`, `retention`,
 * `rights`, `complaint_right`, `sources`, `automated_decisions`, `transfer_safeguards`), a copy of
 * every entity, and the consent history with proof. Write it with any writer or as a bundle.
 *
 * @throws ExportError `VALIDATION_FAILED` naming every bad field (consent entries are checked as they stream).
 * @example
 * ```ts
 * import { createAccessPackage, writeExportBundle } from "@lawful/export";
 * const doc = createAccessPackage({
 *   controller: { name: "Acme GmbH", contact: "privacy@acme.example" },
 *   subjectPseudonym: "ps1_abc",
 *   generatedAt: new Date(),
 *   information: {
 *     purposes: [{ name: "Newsletter", lawfulBasis: "consent" }],
 *     categories: [{ key: "contact.email" }],
 *     recipients: [{ name: "Mailer Ltd", type: "named", role: "processor", country: "IE", thirdCountry: false }],
 *     retention: [{ scope: "contact.email", period: "until you unsubscribe" }],
 *     complaintRight: { authority: "Your supervisory authority" },
 *   },
 *   entities: [{ name: "contacts", columns: [{ name: "email", category: "contact.email" }], rows: [{ email: "ada@example.com" }] }],
 *   consentHistory: [{ purpose: "newsletter", action: "given", occurredAt: "2026-01-01T10:00:00Z" }],
 * });
 * const zip = writeExportBundle(doc);
 * ```
 */
export function createAccessPackage(input: AccessPackageInput): ExportDocument {
  const info = parse(AccessInformationSchema, input.information, "access information", ["information"]);
  const lang = (input.language ?? "en").toLowerCase().startsWith("de") ? "de" : "en";
  const rights = info.rights ?? (["rectification", "erasure", "restriction", "objection", "portability", "withdraw_consent"] as const).map((right) => ({ right, howToExercise: undefined }));
  const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const sections: Section[] = [
    { key: "confirmation", items: [{ processing: info.processing }] },
    { key: "purposes", items: info.purposes.map((p) => ({ name: p.name, description: opt(p.description), lawful_basis: p.lawfulBasis, legitimate_interests: opt(p.legitimateInterests) })) },
    { key: "categories", items: info.categories.map((c) => ({ category: c.key, description: opt(c.description) })) },
    {
      key: "recipients",
      items: info.recipients.map((r) => ({ name: r.name, type: r.type, role: opt(r.role), country: opt(r.country), third_country: r.thirdCountry, purposes: r.purposes ?? [] })),
    },
    { key: "retention", items: info.retention.map((r) => ({ scope: r.scope, period: opt(r.period), criteria: opt(r.criteria) })) },
    { key: "rights", items: rights.map((r) => ({ right: r.right, description: RIGHT_TEXT[lang][r.right] ?? null, how_to_exercise: opt(r.howToExercise) })) },
    { key: "complaint_right", items: [{ authority: info.complaintRight.authority, url: opt(info.complaintRight.url), contact: opt(info.complaintRight.contact) }] },
    { key: "sources", items: info.sources.map((s) => ({ source: s.source, publicly_available: opt(s.publiclyAvailable), categories: s.categories ?? [] })) },
    { key: "automated_decisions", items: info.automatedDecisions.map((a) => ({ name: a.name, logic: a.logic, significance: a.significance, consequences: a.consequences })) },
    {
      key: "transfer_safeguards",
      items: info.transferSafeguards.map((t) => ({ country: t.country, mechanism: t.mechanism, recipients: t.recipients ?? [], copy_available_at: opt(t.copyAvailableAt) })),
    },
  ];
  const redact = input.redact;
  const entities: ExportEntityInput[] = (input.entities ?? []).map((e) =>
    redact && e && typeof e === "object" ? { ...e, rows: mapRows(e.rows, e.name, (row) => redact(row as ExportRow, e.name)) } : e,
  );
  if (input.consentHistory !== undefined) {
    entities.push({
      name: "consent_history",
      title: lang === "de" ? "Einwilligungsverlauf mit Nachweisen" : "Consent history with proof",
      provenance: "provided",
      columns: CONSENT_COLUMNS,
      rows: mapRows(input.consentHistory as RowSource, "consent_history", consentRow),
    });
  }
  const categories = new Set<string>(info.categories.map((c) => c.key));
  for (const e of entities) {
    const cols: unknown = typeof e === "object" && e !== null ? e.columns : undefined;
    if (!Array.isArray(cols)) continue;
    for (const c of cols as unknown[]) {
      const category: unknown = typeof c === "object" && c !== null ? (c as { category?: unknown }).category : undefined;
      if (typeof category === "string") categories.add(category);
    }
  }
  if (input.consentHistory !== undefined) for (const c of CONSENT_COLUMNS) if (c.category) categories.add(c.category);
  return createExportDocument({
    meta: {
      kind: "access",
      controller: input.controller,
      subjectPseudonym: input.subjectPseudonym,
      generatedAt: input.generatedAt,
      language: input.language,
      categories: [...categories].sort(),
    },
    sections,
    entities,
  });
}

// ---------------------------------------------------------------- Art. 20 portability package

/**
 * Provenances included in an Art. 20 portability package (WP242 rev.01: provided, including observed; not derived or inferred).
 *
 * @example
 * ```ts
 * import { PORTABLE_PROVENANCES } from "@lawful/export";
 * PORTABLE_PROVENANCES; // ["provided", "observed"]
 * ```
 */
export const PORTABLE_PROVENANCES: readonly Provenance[] = Object.freeze(["provided", "observed"]);

/**
 * Input of {@link createPortabilityPackage}.
 *
 * @example
 * ```ts
 * import type { PortabilityPackageInput } from "@lawful/export";
 * const entities: PortabilityPackageInput["entities"] = [];
 * ```
 */
export interface PortabilityPackageInput {
  controller: Controller;
  subjectPseudonym: string;
  generatedAt: Date | string;
  /** @default "en" */
  language?: string | undefined;
  /** Entities of processing based on consent or contract and carried out by automated means (Art. 20(1)); the caller selects them. */
  entities: readonly ExportEntityInput[];
}

/**
 * Build the Art. 20 portability package (DOMAIN C7): only columns whose provenance (the column's,
 * else the entity's, else `provided`) is `provided` or `observed`; entities left without columns
 * are dropped and rows are projected to the kept columns. Meant for the machine-readable writers
 * (JSON with its schema, NDJSON, CSV with the data dictionary).
 *
 * @throws ExportError `VALIDATION_FAILED` for a bad entity, or while streaming for a row field that is no declared column.
 * @example
 * ```ts
 * import { createPortabilityPackage } from "@lawful/export";
 * const doc = createPortabilityPackage({
 *   controller: { name: "Acme" }, subjectPseudonym: "ps1_abc", generatedAt: new Date(),
 *   entities: [{ name: "profile", columns: [{ name: "email" }, { name: "lead_score", provenance: "inferred" }], rows: [{ email: "a@example.com", lead_score: 42 }] }],
 * });
 * doc.entities[0]?.columns.map((c) => c.name); // ["email"]
 * ```
 */
export function createPortabilityPackage(input: PortabilityPackageInput): ExportDocument {
  const entities: ExportEntityInput[] = [];
  for (const e of input.entities ?? []) {
    const columns: unknown = typeof e === "object" && e !== null ? e.columns : undefined;
    if (!Array.isArray(columns)) {
      entities.push(e);
      continue;
    }
    const kept = e.columns.filter((c) => PORTABLE_PROVENANCES.includes(c.provenance ?? e.provenance ?? "provided"));
    if (kept.length === 0) continue;
    const all = new Set(e.columns.map((c) => c.name));
    const keep = kept.map((c) => c.name);
    entities.push({
      ...e,
      columns: kept,
      rows: mapRows(e.rows, e.name, (row, index) => {
        if (typeof row !== "object" || row === null) return row as ExportRow;
        const r = row as ExportRow;
        for (const key in r) {
          if (!all.has(key)) fail(`row of entity ${e.name}`, [{ path: [e.name, index, key], message: "not a declared column", code: "unknown_column" }]);
        }
        const out: Record<string, unknown> = {};
        for (const k of keep) out[k] = r[k];
        return out;
      }),
    });
  }
  return createExportDocument({
    meta: { kind: "portability", controller: input.controller, subjectPseudonym: input.subjectPseudonym, generatedAt: input.generatedAt, language: input.language },
    sections: [],
    entities,
  });
}

// ---------------------------------------------------------------- lead export

/**
 * The columns of the lead export, consent metadata included: the proof of consent travels with
 * each lead (IP address, form fill time, subscription date, notice version, method).
 *
 * @example
 * ```ts
 * import { LEAD_EXPORT_COLUMNS } from "@lawful/export";
 * LEAD_EXPORT_COLUMNS.map((c) => c.name).includes("consent_ip_address"); // true
 * ```
 */
export const LEAD_EXPORT_COLUMNS: readonly ColumnInput[] = Object.freeze([
  { name: "lead_id", nullable: false, description: "Lead id in the source system" },
  { name: "email", category: "contact.email", description: "E-mail address" },
  { name: "first_name", category: "identity.name" },
  { name: "last_name", category: "identity.name" },
  { name: "company", category: "commercial" },
  { name: "phone", category: "contact.phone" },
  { name: "country", category: "contact.postal", description: "ISO 3166-1 alpha-2" },
  { name: "lead_source", description: "Campaign, form or list the lead came from", provenance: "observed" },
  { name: "created_at", type: "datetime" },
  { name: "subscription_status", description: "subscribed, unsubscribed, pending or none" },
  { name: "subscribed_at", type: "datetime", category: "consent.proof", description: "Subscription date" },
  { name: "unsubscribed_at", type: "datetime", category: "consent.proof" },
  { name: "consent_purposes", category: "consent", description: "Purposes consented to, '; '-separated" },
  { name: "consent_method", category: "consent.proof", description: "How consent was collected (web form, double opt-in, import, phone, paper)" },
  { name: "consent_form_filled_at", type: "datetime", category: "consent.proof", description: "Date and time the form was filled in", provenance: "observed" },
  { name: "consent_ip_address", category: "online.ip_address", description: "IP address of the form submission", provenance: "observed" },
  { name: "consent_user_agent", category: "online.user_agent", provenance: "observed" },
  { name: "consent_form_url", category: "consent.proof", provenance: "observed" },
  { name: "consent_notice_id", category: "consent.proof" },
  { name: "consent_notice_version", category: "consent.proof", description: "Version of the notice shown" },
  { name: "consent_notice_hash", category: "consent.proof", description: "SHA-256 of the notice text shown" },
  { name: "double_opt_in_confirmed_at", type: "datetime", category: "consent.proof", provenance: "observed" },
  { name: "consent_proof_id", category: "consent.proof", description: "Id of the stored consent evidence" },
] satisfies ColumnInput[]);

/**
 * Input of {@link createLeadExport}.
 *
 * @example
 * ```ts
 * import type { LeadExportInput } from "@lawful/export";
 * const extra: LeadExportInput["extraColumns"] = [{ name: "crm_owner" }];
 * ```
 */
export interface LeadExportInput {
  controller: Controller;
  generatedAt: Date | string;
  /** @default "en" */
  language?: string | undefined;
  /** Rows keyed by {@link LEAD_EXPORT_COLUMNS} names (and `extraColumns`); missing columns are written empty. */
  leads: RowSource;
  extraColumns?: readonly ColumnInput[] | undefined;
  sourceSystem?: string | undefined;
}

/**
 * Build a lead export (entity `leads`) whose rows carry the consent metadata columns of
 * {@link LEAD_EXPORT_COLUMNS}. Rows stream; write it as CSV for spreadsheets or JSON/NDJSON for imports.
 *
 * @throws ExportError `VALIDATION_FAILED` for bad metadata or extra columns.
 * @example
 * ```ts
 * import { createLeadExport, writeCsv } from "@lawful/export";
 * const doc = createLeadExport({
 *   controller: { name: "Acme" }, generatedAt: new Date(),
 *   leads: [{ lead_id: "L1", email: "ada@example.com", consent_ip_address: "203.0.113.7", consent_form_filled_at: new Date(), subscribed_at: new Date() }],
 * });
 * const csv = writeCsv(doc.entities[0]!, { bom: true });
 * ```
 */
export function createLeadExport(input: LeadExportInput): ExportDocument {
  return createExportDocument({
    meta: { kind: "leads", controller: input.controller, generatedAt: input.generatedAt, language: input.language },
    sections: [],
    entities: [
      {
        name: "leads",
        title: "Leads",
        provenance: "provided",
        sourceSystem: input.sourceSystem,
        columns: [...LEAD_EXPORT_COLUMNS, ...(input.extraColumns ?? [])],
        rows: input.leads,
      },
    ],
  });
}

// ---------------------------------------------------------------- records of processing

/**
 * One processing activity of the records of processing (Art. 30(1)) in a neutral shape, so this
 * package does not depend on `@lawful/registry`: name, purposes, lawful bases, categories of
 * subjects and data, recipients, third-country transfers with safeguards, retention and security measures.
 *
 * @example
 * ```ts
 * import { RopaExportRowSchema } from "@lawful/export";
 * RopaExportRowSchema.parse({
 *   id: "newsletter", name: "E-mail newsletter", purposes: ["Newsletter"], lawfulBases: ["consent"],
 *   dataSubjectCategories: ["subscribers"], dataCategories: ["contact.email"], recipients: ["Mailer Ltd (processor, IE)"],
 *   retention: "until unsubscribe + 30 days",
 * });
 * ```
 */
export const RopaExportRowSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(300),
  controllerRole: z.enum(["controller", "joint_controller", "processor"]).default("controller"),
  jointControllers: z.array(z.string().min(1).max(300)).default([]),
  purposes: z.array(z.string().min(1).max(300)).min(1),
  lawfulBases: z.array(LawfulBasisSchema).default([]),
  dataSubjectCategories: z.array(z.string().min(1).max(200)).min(1),
  dataCategories: z.array(DataCategorySchema).min(1),
  specialCategories: z.boolean().default(false),
  recipients: z.array(z.string().min(1).max(300)).default([]),
  thirdCountryTransfers: z.array(z.object({ country: z.string().regex(/^[A-Z]{2}$/), recipient: z.string().max(300).optional(), safeguard: z.string().min(1).max(300) })).default([]),
  retention: z.string().min(1).max(1000),
  securityMeasures: z.string().max(4000).optional(),
  automatedDecisionMaking: z.boolean().default(false),
  dpiaRequired: z.boolean().optional(),
  updatedAt: instant.optional(),
});
/** A processing activity as callers give it; see {@link RopaExportRowSchema}. */
export type RopaExportRowInput = z.input<typeof RopaExportRowSchema>;

/**
 * Input of {@link createRecordsOfProcessingExport}.
 *
 * @example
 * ```ts
 * import type { RecordsOfProcessingExportInput } from "@lawful/export";
 * const activities: RecordsOfProcessingExportInput["activities"] = [];
 * ```
 */
export interface RecordsOfProcessingExportInput {
  controller: Controller;
  generatedAt: Date | string;
  /** @default "en" */
  language?: string | undefined;
  activities: readonly RopaExportRowInput[];
}

/**
 * Build the records-of-processing export (Art. 30(1); entity `processing_activities`) from
 * neutral rows. Every activity is validated before the document exists, so nothing is written
 * for a bad record. Lists are written as `; `-separated text so the CSV is readable in a spreadsheet.
 *
 * @throws ExportError `VALIDATION_FAILED` naming every bad field.
 * @example
 * ```ts
 * import { createRecordsOfProcessingExport, writeHtml } from "@lawful/export";
 * const doc = createRecordsOfProcessingExport({
 *   controller: { name: "Acme GmbH" }, generatedAt: new Date(),
 *   activities: [{ id: "nl", name: "Newsletter", purposes: ["Newsletter"], dataSubjectCategories: ["subscribers"], dataCategories: ["contact.email"], retention: "until unsubscribe" }],
 * });
 * const html = writeHtml(doc);
 * ```
 */
export function createRecordsOfProcessingExport(input: RecordsOfProcessingExportInput): ExportDocument {
  const activities = parse(z.array(RopaExportRowSchema), input.activities, "records of processing", ["activities"]);
  const list = (xs: readonly string[]): string | null => (xs.length ? xs.join("; ") : null);
  const rows = activities.map((a) => ({
    id: a.id,
    name: a.name,
    controller_role: a.controllerRole,
    joint_controllers: list(a.jointControllers),
    purposes: list(a.purposes),
    lawful_bases: list(a.lawfulBases),
    data_subject_categories: list(a.dataSubjectCategories),
    data_categories: list(a.dataCategories),
    special_categories: a.specialCategories,
    recipients: list(a.recipients),
    third_country_transfers: list(a.thirdCountryTransfers.map((t) => `${t.country}${t.recipient ? ` (${t.recipient})` : ""}: ${t.safeguard}`)),
    retention: a.retention,
    security_measures: a.securityMeasures ?? null,
    automated_decision_making: a.automatedDecisionMaking,
    dpia_required: a.dpiaRequired ?? null,
    updated_at: a.updatedAt ?? null,
  }));
  const categories = [...new Set(activities.flatMap((a) => a.dataCategories))].sort();
  return createExportDocument({
    meta: { kind: "records_of_processing", controller: input.controller, generatedAt: input.generatedAt, language: input.language, categories },
    sections: [],
    entities: [
      {
        name: "processing_activities",
        title: "Processing activities",
        provenance: "provided",
        columns: [
          { name: "id", nullable: false },
          { name: "name", nullable: false, description: "Name of the processing activity" },
          { name: "controller_role", description: "controller, joint_controller or processor" },
          { name: "joint_controllers" },
          { name: "purposes", description: "Art. 30(1)(b)" },
          { name: "lawful_bases", description: "Art. 6(1)" },
          { name: "data_subject_categories", description: "Art. 30(1)(c)" },
          { name: "data_categories", description: "Art. 30(1)(c)" },
          { name: "special_categories", type: "boolean", description: "Art. 9 data processed" },
          { name: "recipients", description: "Art. 30(1)(d)" },
          { name: "third_country_transfers", description: "Art. 30(1)(e): country, recipient and safeguard" },
          { name: "retention", description: "Art. 30(1)(f)" },
          { name: "security_measures", description: "Art. 30(1)(g)" },
          { name: "automated_decision_making", type: "boolean" },
          { name: "dpia_required", type: "boolean" },
          { name: "updated_at", type: "datetime" },
        ],
        rows,
      },
    ],
  });
}
