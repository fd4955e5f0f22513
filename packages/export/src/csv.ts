import { createDataCategoryTaxonomy } from "@lawful/core";
import type { Column, ExportDocument, ExportEntity, SectionValue } from "./model.js";
import { Chunker, chunkBytes, openRows, utf8 } from "./internal/rows.js";
import { assertKnownKeys, assertRow, cellText, valueError } from "./internal/values.js";
import type { ExportFile } from "./files.js";

/**
 * Options of the CSV writer.
 *
 * @example
 * ```ts
 * import type { CsvOptions } from "@lawful/export";
 * const forExcel: CsvOptions = { bom: true };
 * ```
 */
export interface CsvOptions {
  /** Start the file with a UTF-8 byte order mark so spreadsheet programs detect UTF-8. @default false */
  bom?: boolean | undefined;
  /**
   * Neutralise formula injection (OWASP "CSV Injection"): a text cell that starts with `=`, `+`, `-`, `@`,
   * tab, carriage return or `'` is written with a leading `'` and quoted. Numbers, booleans and bigints
   * are written as plain numerals and are never prefixed. Undo with {@link decodeCsvCell}.
   * @default true
   */
  neutraliseFormulas?: boolean | undefined;
  /** Write a header row with the column names. @default true */
  header?: boolean | undefined;
  /** Chunk size in bytes (a chunk is emitted when the next row might not fit). @default 65536 */
  chunkSize?: number | undefined;
}

const Ch = { Tab: 9, Lf: 10, Cr: 13, Quote: 34, Apos: 39, Plus: 43, Comma: 44, Minus: 45, Eq: 61, At: 64 } as const;

function isTrigger(c: number): boolean {
  return c === Ch.Eq || c === Ch.Plus || c === Ch.Minus || c === Ch.At || c === Ch.Tab || c === Ch.Cr || c === Ch.Apos;
}

/**
 * Encode one text value as an RFC 4180 field: quoted when it contains a comma, a quote, CR or LF
 * (quotes doubled), the empty string as `""` (so it differs from null, written as an empty field),
 * and, with `neutralise`, a leading `'` plus quotes for text starting with `= + - @`, tab, CR or `'`.
 * Returns `undefined` when the text holds a lone surrogate (not encodable as UTF-8).
 */
function fieldOrUndefined(s: string, neutralise: boolean): string | undefined {
  const len = s.length;
  if (len === 0) return '""';
  let quote = false;
  let hasQuote = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 45) {
      if (c === Ch.Comma || c === Ch.Lf || c === Ch.Cr) quote = true;
      else if (c === Ch.Quote) hasQuote = quote = true;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return undefined;
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return undefined;
      i++;
    }
  }
  const body = hasQuote ? s.replaceAll('"', '""') : s;
  if (neutralise && isTrigger(s.charCodeAt(0))) return `"'${body}"`;
  return quote ? `"${body}"` : body;
}

/**
 * Encode one text value as a CSV field exactly as the CSV writer does (RFC 4180 quoting,
 * formula neutralisation by default, `""` for the empty string).
 *
 * @throws ExportError `NOT_JSON_SERIALIZABLE` when the text holds a lone surrogate.
 * @example
 * ```ts
 * import { encodeCsvField } from "@lawful/export";
 * encodeCsvField('say "hi", then'); // '"say ""hi"", then"'
 * encodeCsvField("=SUM(A1:A9)"); // `"'=SUM(A1:A9)"`
 * ```
 */
export function encodeCsvField(text: string, options: { neutraliseFormulas?: boolean | undefined } = {}): string {
  const out = fieldOrUndefined(text, options.neutraliseFormulas ?? true);
  if (out === undefined) throw valueError(["field"], "the text contains a lone surrogate (not valid Unicode)", "lone_surrogate");
  return out;
}

/**
 * Undo formula neutralisation on a parsed CSV cell: removes the one leading `'` the writer adds
 * to text starting with `= + - @`, tab, CR or `'`. Only meaningful for files written with
 * `neutraliseFormulas: true` (the default); since the writer also prefixes text that starts with
 * `'`, every cell starting with `'` carries exactly one added quote and the rule is lossless.
 *
 * @example
 * ```ts
 * import { decodeCsvCell } from "@lawful/export";
 * decodeCsvCell("'=1+1"); // "=1+1"
 * decodeCsvCell("plain"); // "plain"
 * ```
 */
export function decodeCsvCell(cell: string): string {
  return cell.charCodeAt(0) === Ch.Apos ? cell.slice(1) : cell;
}

type CellKind = 0 | 1; // 0: text-like (strings fast path), 1: binary / json (always via cellText)

/**
 * Stream one entity as CSV (RFC 4180: comma separator, CRLF line ends, fields quoted when
 * needed, quotes doubled; UTF-8, optional BOM). Null and missing values become empty fields,
 * the empty string becomes `""`. Each row is validated before any of its bytes are produced; see
 * the README "Value encoding" for every rule.
 *
 * @throws ExportError `NOT_JSON_SERIALIZABLE` for a value that cannot be represented, `VALIDATION_FAILED`
 *   for a row key that is not a column, `UNSUPPORTED` for a one-shot iterable read twice.
 * @example
 * ```ts
 * import { createExportDocument, writeCsv } from "@lawful/export";
 * const doc = createExportDocument({
 *   meta: { controller: { name: "Acme" }, generatedAt: new Date() },
 *   entities: [{ name: "leads", columns: [{ name: "email" }, { name: "note" }], rows: [{ email: "a@example.com", note: "=1+1" }] }],
 * });
 * const chunks: Uint8Array[] = [];
 * for await (const chunk of writeCsv(doc.entities[0]!)) chunks.push(chunk);
 * ```
 */
export async function* writeCsv(entity: ExportEntity, options: CsvOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const neutralise = options.neutraliseFormulas ?? true;
  const out = new Chunker(chunkBytes(options.chunkSize));
  const columns: readonly Column[] = entity.columns;
  const n = columns.length;
  const names = columns.map((c) => c.name);
  const kinds: CellKind[] = columns.map((c) => (c.type === "binary" || c.type === "json" ? 1 : 0));
  const nameSet = new Set(names);
  const entityName = entity.name;
  let head = options.bom ? "\uFEFF" : "";
  if (options.header ?? true) head += `${names.map((h) => encodeCsvField(h, { neutraliseFormulas: neutralise })).join(",")}\r\n`;
  out.push(head);
  let index = 0;

  const encodeRow = (row: unknown): string => {
    assertRow(row, entityName, index);
    assertKnownKeys(row, nameSet, entityName, index);
    let line = "";
    for (let j = 0; j < n; j++) {
      const name = names[j]!;
      const v = row[name];
      let cell: string | undefined;
      if (typeof v === "string" && kinds[j] === 0) {
        cell = fieldOrUndefined(v, neutralise);
        if (cell === undefined) throw valueError([entityName, index, name], "the text contains a lone surrogate (not valid Unicode)", "lone_surrogate");
      } else if (v === null || v === undefined) {
        cell = "";
      } else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
        cell = cellText(v, columns[j]!, [entityName, index, name]) ?? "";
      } else {
        const text = cellText(v, columns[j]!, [entityName, index, name]);
        cell = text === null ? "" : (fieldOrUndefined(text, neutralise) ?? "");
      }
      line = j === 0 ? cell : `${line},${cell}`;
    }
    index++;
    return `${line}\r\n`;
  };

  const opened = openRows(entity.rows, entityName);
  if (opened.sync) {
    for (const row of opened.rows) {
      const full = out.push(encodeRow(row));
      if (full) yield full;
    }
  } else {
    for await (const row of opened.rows) {
      const full = out.push(encodeRow(row));
      if (full) yield full;
    }
  }
  if (out.length > 0) yield out.take();
}

/** Encode a small in-memory table (header + rows of text) as one CSV chunk. */
function smallCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[], options: CsvOptions): Uint8Array {
  const neutralise = options.neutraliseFormulas ?? true;
  const line = (cells: readonly (string | null)[]): string => `${cells.map((c) => (c === null ? "" : encodeCsvField(c, { neutraliseFormulas: neutralise }))).join(",")}\r\n`;
  return utf8(`${options.bom ? "\uFEFF" : ""}${line(header)}${rows.map(line).join("")}`);
}

const ENCODING_NOTES: Record<Column["type"], string> = {
  string: "text",
  integer: "integer (decimal)",
  number: "number (decimal, '.' separator)",
  boolean: "true or false",
  date: "date, ISO 8601 (YYYY-MM-DD)",
  datetime: "date and time, ISO 8601 in UTC",
  binary: "binary, written as 'base64:' followed by base64 (RFC 4648)",
  json: "JSON value, written as canonical JSON text (RFC 8785)",
};

/**
 * The data dictionary of a document as rows: one row per column of every entity with label,
 * description, type, encoding, data category (with its description) and provenance.
 *
 * @example
 * ```ts
 * import { createExportDocument, dataDictionaryRows } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "leads", columns: [{ name: "email", category: "contact.email" }], rows: [] }] });
 * dataDictionaryRows(doc)[0]?.category_description; // "E-mail address"
 * ```
 */
export function dataDictionaryRows(doc: ExportDocument): Array<Record<(typeof DICTIONARY_HEADER)[number], string | null>> {
  const taxonomy = createDataCategoryTaxonomy();
  return doc.entities.flatMap((e) =>
    e.columns.map((c) => ({
      entity: e.name,
      column: c.name,
      label: c.label ?? null,
      description: c.description ?? null,
      type: c.type,
      encoding: ENCODING_NOTES[c.type],
      nullable: c.nullable ? "true" : "false",
      category: c.category ?? null,
      category_description: c.category ? taxonomy.describe(c.category) : null,
      provenance: c.provenance,
      source_system: e.sourceSystem ?? null,
    })),
  );
}

/**
 * Header of the data dictionary CSV file (`data_dictionary.csv`).
 *
 * @example
 * ```ts
 * import { DICTIONARY_HEADER } from "@lawful/export";
 * DICTIONARY_HEADER[0]; // "entity"
 * ```
 */
export const DICTIONARY_HEADER = [
  "entity",
  "column",
  "label",
  "description",
  "type",
  "encoding",
  "nullable",
  "category",
  "category_description",
  "provenance",
  "source_system",
] as const;

function sectionValueText(v: SectionValue): string | null {
  if (v === null) return null;
  if (Array.isArray(v)) return v.join("; ");
  return String(v);
}

/**
 * The files of a document in CSV: `metadata.csv` (field, value), `sections.csv` (section, title,
 * item, field, value — one row per field), `data_dictionary.csv`, and one `<entity>.csv` per entity.
 * Each file's content is produced lazily when read.
 *
 * @example
 * ```ts
 * import { createExportDocument, csvFiles } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "leads", columns: [{ name: "email" }], rows: [] }] });
 * csvFiles(doc).map((f) => f.path); // ["metadata.csv", "sections.csv", "data_dictionary.csv", "leads.csv"]
 * ```
 */
export function csvFiles(doc: ExportDocument, options: CsvOptions = {}, directory = ""): ExportFile[] {
  const mediaType = "text/csv; charset=utf-8; header=present";
  const m = doc.meta;
  const metaRows: Array<[string, string | null]> = [
    ["kind", m.kind],
    ["schema_version", m.schemaVersion],
    ["controller", m.controller.name],
    ["controller_contact", m.controller.contact ?? null],
    ["controller_address", m.controller.address ?? null],
    ["controller_representative", m.controller.representative ?? null],
    ["controller_dpo", m.controller.dpoContact ?? null],
    ["subject_pseudonym", m.subjectPseudonym ?? null],
    ["generated_at", m.generatedAt],
    ["language", m.language],
    ["categories", m.categories.join("; ")],
    ["source_systems", m.sourceSystems.join("; ")],
  ];
  const sectionRows: Array<Array<string | null>> = [];
  for (const s of doc.sections) {
    if (s.text !== undefined) sectionRows.push([s.key, s.title ?? null, null, "text", s.text]);
    s.items.forEach((item, i) => {
      for (const [field, value] of Object.entries(item)) sectionRows.push([s.key, s.title ?? null, String(i + 1), field, sectionValueText(value)]);
    });
  }
  const single = (path: string, make: () => Uint8Array): ExportFile => ({
    path: directory + path,
    mediaType,
    content: async function* () {
      await Promise.resolve();
      yield make();
    },
  });
  const dictionary = dataDictionaryRows(doc);
  return [
    single("metadata.csv", () => smallCsv(["field", "value"], metaRows, options)),
    single("sections.csv", () => smallCsv(["section", "title", "item", "field", "value"], sectionRows, options)),
    single("data_dictionary.csv", () => smallCsv(DICTIONARY_HEADER, dictionary.map((r) => DICTIONARY_HEADER.map((h) => r[h])), options)),
    ...doc.entities.map((e) => ({ path: `${directory}${e.name}.csv`, mediaType, content: () => writeCsv(e, options) })),
  ];
}

