import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, issuesFromZod, type LawfulIssue } from "@lawful/core";
import { ExportError } from "./errors.js";

/**
 * Version of the export document model and of the JSON Schema published for it.
 * It is written into every document (`meta.schemaVersion`) and every ZIP manifest.
 *
 * @example
 * ```ts
 * import { EXPORT_SCHEMA_VERSION } from "@lawful/export";
 * console.log(EXPORT_SCHEMA_VERSION); // "1.0.0"
 * ```
 */
export const EXPORT_SCHEMA_VERSION = "1.0.0";

/**
 * Where a piece of data came from, per WP242 rev.01: `provided` by the person (forms, uploads),
 * `observed` from their activity (logs, clicks), `derived` by the controller from other data
 * (e.g. a country from an IP address) or `inferred` (scores, predictions). Art. 20 portability
 * covers only `provided` and `observed`.
 *
 * @example
 * ```ts
 * import { PROVENANCES } from "@lawful/export";
 * PROVENANCES.includes("observed"); // true
 * ```
 */
export const PROVENANCES = ["provided", "observed", "derived", "inferred"] as const;

/**
 * Schema of a {@link PROVENANCES} value.
 *
 * @example
 * ```ts
 * import { ProvenanceSchema } from "@lawful/export";
 * ProvenanceSchema.parse("provided");
 * ```
 */
export const ProvenanceSchema = z.enum(PROVENANCES);
/** One of {@link PROVENANCES}. */
export type Provenance = z.infer<typeof ProvenanceSchema>;

/**
 * The value types a column can declare. They drive encoding (see the README "Value encoding"):
 * `binary` columns accept `Uint8Array` (written as `base64:<data>`), `json` columns accept plain
 * objects and arrays (written as nested JSON, or as canonical JSON text in CSV and HTML);
 * every other type accepts strings, finite numbers, booleans, bigints, `Date`s and null.
 *
 * @example
 * ```ts
 * import { COLUMN_TYPES } from "@lawful/export";
 * COLUMN_TYPES.includes("datetime"); // true
 * ```
 */
export const COLUMN_TYPES = ["string", "integer", "number", "boolean", "date", "datetime", "binary", "json"] as const;

/**
 * Schema of a column type; see {@link COLUMN_TYPES}.
 *
 * @example
 * ```ts
 * import { ColumnTypeSchema } from "@lawful/export";
 * ColumnTypeSchema.parse("json");
 * ```
 */
export const ColumnTypeSchema = z.enum(COLUMN_TYPES);
/** One of {@link COLUMN_TYPES}. */
export type ColumnType = z.infer<typeof ColumnTypeSchema>;

const NAME = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, "must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or '_'");
const SLUG = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a lower-case slug such as 'consent_history'");
const TEXT = z.string().max(4000);

/**
 * One column of an entity, which is also its data-dictionary entry: name, label, description,
 * value type, data category and provenance.
 *
 * @example
 * ```ts
 * import { ColumnSchema } from "@lawful/export";
 * ColumnSchema.parse({ name: "email", type: "string", category: "contact.email", provenance: "provided", nullable: false });
 * ```
 */
export const ColumnSchema = z.object({
  name: NAME,
  label: z.string().min(1).max(200).optional(),
  description: TEXT.optional(),
  type: ColumnTypeSchema,
  category: DataCategorySchema.optional(),
  provenance: ProvenanceSchema,
  nullable: z.boolean(),
});
/** A resolved column definition; see {@link ColumnSchema}. */
export type Column = z.infer<typeof ColumnSchema>;

/**
 * A column as callers write it: `type` defaults to `"string"`, `provenance` to the entity's, `nullable` to `true`.
 *
 * @default type "string", nullable true, provenance: the entity's provenance
 * @example
 * ```ts
 * import { ColumnInputSchema } from "@lawful/export";
 * ColumnInputSchema.parse({ name: "email" });
 * ```
 */
export const ColumnInputSchema = z.object({
  name: NAME,
  label: z.string().min(1).max(200).optional(),
  description: TEXT.optional(),
  type: ColumnTypeSchema.optional(),
  category: DataCategorySchema.optional(),
  provenance: ProvenanceSchema.optional(),
  nullable: z.boolean().optional(),
});
/** A column input; see {@link ColumnInputSchema}. */
export type ColumnInput = z.input<typeof ColumnInputSchema>;

/**
 * An entity (a table of the export, e.g. `contacts` or `consent_history`) without its rows:
 * name, title, description, default provenance, source system and columns.
 *
 * @example
 * ```ts
 * import { EntityDefinitionSchema } from "@lawful/export";
 * EntityDefinitionSchema.parse({ name: "contacts", provenance: "provided", columns: [{ name: "email", type: "string", provenance: "provided", nullable: false }] });
 * ```
 */
export const EntityDefinitionSchema = z.object({
  name: SLUG,
  title: z.string().min(1).max(200).optional(),
  description: TEXT.optional(),
  provenance: ProvenanceSchema,
  sourceSystem: z.string().min(1).max(200).optional(),
  columns: z.array(ColumnSchema).min(1).max(1000),
});
/** A resolved entity definition; see {@link EntityDefinitionSchema}. */
export type EntityDefinition = z.infer<typeof EntityDefinitionSchema>;

const EntityInputSchema = z.object({
  name: SLUG,
  title: z.string().min(1).max(200).optional(),
  description: TEXT.optional(),
  provenance: ProvenanceSchema.optional(),
  sourceSystem: z.string().min(1).max(200).optional(),
  columns: z.array(ColumnInputSchema).min(1).max(1000),
});

/**
 * A value in a section item: text, number, boolean, null or a list of texts.
 *
 * @example
 * ```ts
 * import { SectionValueSchema } from "@lawful/export";
 * SectionValueSchema.parse(["newsletter", "offers"]);
 * ```
 */
export const SectionValueSchema = z.union([z.string().max(20000), z.number(), z.boolean(), z.null(), z.array(z.string().max(20000)).max(1000)]);
/** A section value; see {@link SectionValueSchema}. */
export type SectionValue = z.infer<typeof SectionValueSchema>;

/**
 * A key/value section of a document (e.g. the Art. 15(1)(a) purposes): a slug key, an optional
 * title (the catalogue title for the key is used otherwise), an optional paragraph of text and a
 * list of items, each a record of field → value.
 *
 * @example
 * ```ts
 * import { SectionSchema } from "@lawful/export";
 * SectionSchema.parse({ key: "purposes", items: [{ name: "Newsletter", lawful_basis: "consent" }] });
 * ```
 */
export const SectionSchema = z.object({
  key: SLUG,
  title: z.string().min(1).max(200).optional(),
  text: z.string().max(20000).optional(),
  items: z.array(z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), SectionValueSchema)).max(10000),
});
/** A section; see {@link SectionSchema}. */
export type Section = z.infer<typeof SectionSchema>;

/**
 * The kinds of document this package builds.
 *
 * @example
 * ```ts
 * import { DOCUMENT_KINDS } from "@lawful/export";
 * DOCUMENT_KINDS[0]; // "access"
 * ```
 */
export const DOCUMENT_KINDS = ["access", "portability", "leads", "records_of_processing", "custom"] as const;

/**
 * The controller that issues an export: name, contact details, postal address, Art. 27 representative
 * and data protection officer (GDPR Art. 13(1)(a)–(b), Art. 30(1)(a)), each as display text.
 *
 * @example
 * ```ts
 * import { ControllerSchema } from "@lawful/export";
 * ControllerSchema.parse({ name: "Acme GmbH", contact: "privacy@acme.example" });
 * ```
 */
export const ControllerSchema = z.object({
  id: z.string().min(1).max(128).optional(),
  name: z.string().min(1).max(300),
  contact: z.string().min(1).max(500).optional(),
  address: z.string().min(1).max(1000).optional(),
  dpoContact: z.string().min(1).max(500).optional(),
  /** The Art. 27 representative in the Union (or UK), when the controller is established outside it. */
  representative: z.string().min(1).max(1000).optional(),
});
/** A controller; see {@link ControllerSchema}. */
export type Controller = z.infer<typeof ControllerSchema>;

/**
 * Document metadata: kind, schema version, controller, subject pseudonym (never a clear
 * identifier), generation time (ISO 8601), language (BCP 47), title, data categories and
 * source systems.
 *
 * @example
 * ```ts
 * import { DocumentMetaSchema } from "@lawful/export";
 * DocumentMetaSchema.parse({
 *   kind: "access", schemaVersion: "1.0.0", controller: { name: "Acme GmbH" },
 *   generatedAt: "2026-01-01T00:00:00.000Z", language: "en", categories: [], sourceSystems: [],
 * });
 * ```
 */
export const DocumentMetaSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS),
  schemaVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  controller: ControllerSchema,
  subjectPseudonym: z.string().min(1).max(128).optional(),
  generatedAt: z.iso.datetime({ offset: true }),
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "must be a BCP 47 language tag such as 'en' or 'de-AT'"),
  title: z.string().min(1).max(300).optional(),
  categories: z.array(DataCategorySchema),
  sourceSystems: z.array(z.string().min(1).max(200)),
});
/** Document metadata; see {@link DocumentMetaSchema}. */
export type DocumentMeta = z.infer<typeof DocumentMetaSchema>;

const MetaInputSchema = DocumentMetaSchema.extend({
  kind: z.enum(DOCUMENT_KINDS).optional(),
  schemaVersion: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  language: DocumentMetaSchema.shape.language.optional(),
  categories: z.array(DataCategorySchema).optional(),
  sourceSystems: z.array(z.string().min(1).max(200)).optional(),
});

/**
 * A row of an entity: column name → value. Keys that are not columns are an error (a copy must be complete),
 * missing keys and `undefined` are written as null.
 */
export type ExportRow = Readonly<Record<string, unknown>>;

/**
 * Rows of an entity: any sync or async iterable, or a function returning one. Pass a function
 * (or an array) when the same document is written in several formats (e.g. a ZIP bundle with
 * JSON and CSV): a one-shot iterator such as an async generator can be read only once.
 */
export type RowSource = Iterable<ExportRow> | AsyncIterable<ExportRow> | (() => Iterable<ExportRow> | AsyncIterable<ExportRow>);

/** An entity as callers give it: its definition (columns with defaults) plus its rows. */
export interface ExportEntityInput {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  /** Default provenance of the columns. @default "provided" */
  provenance?: Provenance | undefined;
  sourceSystem?: string | undefined;
  columns: readonly ColumnInput[];
  rows: RowSource;
}

/** The metadata callers give: `generatedAt` may be a `Date`; kind, version, language, categories and source systems have defaults. */
export interface DocumentMetaInput {
  /** @default "custom" */
  kind?: DocumentMeta["kind"] | undefined;
  /** @default EXPORT_SCHEMA_VERSION */
  schemaVersion?: string | undefined;
  controller: Controller;
  subjectPseudonym?: string | undefined;
  generatedAt: Date | string;
  /** @default "en" */
  language?: string | undefined;
  title?: string | undefined;
  /** @default the categories of every column */
  categories?: readonly string[] | undefined;
  /** @default the source system of every entity */
  sourceSystems?: readonly string[] | undefined;
}

/** A document as callers give it; see {@link createExportDocument}. */
export interface ExportDocumentInput {
  meta: DocumentMetaInput;
  sections?: readonly Section[] | undefined;
  entities?: readonly ExportEntityInput[] | undefined;
}

/** An entity of a validated document: resolved definition plus rows. */
export interface ExportEntity extends EntityDefinition {
  readonly rows: RowSource;
}

/**
 * A validated, frozen export document: the one neutral model every writer reads.
 */
export interface ExportDocument {
  readonly meta: DocumentMeta;
  readonly sections: readonly Section[];
  readonly entities: readonly ExportEntity[];
}

function isRowSource(value: unknown): value is RowSource {
  if (typeof value === "function") return true;
  if (typeof value !== "object" || value === null) return false;
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

/**
 * Validate and normalise a document: fills defaults, resolves column provenance from the entity,
 * checks unique entity and column names, collects categories and source systems. Rows are not
 * read here (they are validated while streaming; see {@link validateExportDocument}).
 *
 * @throws ExportError `VALIDATION_FAILED` naming every bad field.
 * @example
 * ```ts
 * import { createExportDocument } from "@lawful/export";
 * const doc = createExportDocument({
 *   meta: { controller: { name: "Acme GmbH" }, generatedAt: new Date("2026-01-01T00:00:00Z"), subjectPseudonym: "ps1_x" },
 *   entities: [{ name: "contacts", columns: [{ name: "email", category: "contact.email" }], rows: [{ email: "ada@example.com" }] }],
 * });
 * doc.meta.categories; // ["contact.email"]
 * ```
 */
export function createExportDocument(input: ExportDocumentInput): ExportDocument {
  const issues: LawfulIssue[] = [];
  if (typeof input !== "object" || input === null) {
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, "Invalid export document: expected an object with meta, sections and entities.", {
      issues: [{ path: [], message: "expected an object", code: "invalid_type" }],
    });
  }
  const rawMeta = input.meta as unknown;
  const metaCandidate =
    typeof rawMeta === "object" && rawMeta !== null
      ? { ...(rawMeta as Record<string, unknown>), generatedAt: normaliseInstant((rawMeta as { generatedAt?: unknown }).generatedAt) }
      : rawMeta;
  const meta = MetaInputSchema.safeParse(metaCandidate);
  if (!meta.success) issues.push(...issuesFromZod(meta.error.issues, ["meta"]));
  const sections = z.array(SectionSchema).safeParse(input.sections ?? []);
  if (!sections.success) issues.push(...issuesFromZod(sections.error.issues, ["sections"]));
  const sectionKeys = new Set<string>();
  if (sections.success) {
    sections.data.forEach((s, i) => {
      if (sectionKeys.has(s.key)) issues.push({ path: ["sections", i, "key"], message: "duplicate section key", code: "duplicate" });
      sectionKeys.add(s.key);
    });
  }
  const entities: ExportEntity[] = [];
  const entityNames = new Set<string>();
  const rawEntities: readonly unknown[] = Array.isArray(input.entities) ? (input.entities as unknown[]) : [];
  if (input.entities !== undefined && !Array.isArray(input.entities)) issues.push({ path: ["entities"], message: "expected an array", code: "invalid_type" });
  rawEntities.forEach((raw, i) => {
    const parsed = EntityInputSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...issuesFromZod(parsed.error.issues, ["entities", i]));
    }
    const rows = (raw as { rows?: unknown } | null)?.rows;
    if (!isRowSource(rows)) issues.push({ path: ["entities", i, "rows"], message: "expected an iterable, an async iterable or a function returning one", code: "invalid_type" });
    if (!parsed.success || !isRowSource(rows)) return;
    const e = parsed.data;
    if (entityNames.has(e.name)) issues.push({ path: ["entities", i, "name"], message: "duplicate entity name", code: "duplicate" });
    entityNames.add(e.name);
    const provenance = e.provenance ?? "provided";
    const names = new Set<string>();
    const columns = e.columns.map((c, j): Column => {
      if (names.has(c.name)) issues.push({ path: ["entities", i, "columns", j, "name"], message: "duplicate column name", code: "duplicate" });
      names.add(c.name);
      return stripUndefined({
        name: c.name,
        label: c.label,
        description: c.description,
        type: c.type ?? "string",
        category: c.category,
        provenance: c.provenance ?? provenance,
        nullable: c.nullable ?? true,
      });
    });
    entities.push(
      Object.freeze({
        ...(stripUndefined({ name: e.name, title: e.title, description: e.description, provenance, sourceSystem: e.sourceSystem }) as Omit<EntityDefinition, "columns">),
        columns: Object.freeze(columns.map((c) => Object.freeze(c))) as Column[],
        rows,
      }),
    );
  });
  if (issues.length > 0 || !meta.success || !sections.success) {
    const fields = [...new Set(issues.map((x) => (x.path.length ? x.path.join(".") : "(root)")))];
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, `Invalid export document: ${issues.length} problem(s) at ${fields.join(", ")}.`, { issues });
  }
  const m = meta.data;
  const categories = m.categories ?? [...new Set(entities.flatMap((e) => e.columns.flatMap((c) => (c.category ? [c.category] : []))))].sort();
  const sourceSystems = m.sourceSystems ?? [...new Set(entities.flatMap((e) => (e.sourceSystem ? [e.sourceSystem] : [])))].sort();
  const finalMeta = stripUndefined({
    kind: m.kind ?? "custom",
    schemaVersion: m.schemaVersion ?? EXPORT_SCHEMA_VERSION,
    controller: Object.freeze(stripUndefined({ ...m.controller })),
    subjectPseudonym: m.subjectPseudonym,
    generatedAt: m.generatedAt,
    language: m.language ?? "en",
    title: m.title,
    categories: Object.freeze([...categories]),
    sourceSystems: Object.freeze([...sourceSystems]),
  }) as DocumentMeta;
  return Object.freeze({
    meta: Object.freeze(finalMeta),
    sections: Object.freeze(sections.data.map((s) => Object.freeze(s))),
    entities: Object.freeze(entities),
  });
}

function normaliseInstant(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "invalid date" : value.toISOString();
  return value;
}

/** Drop keys whose value is `undefined` (exactOptionalPropertyTypes-friendly). */
export function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
