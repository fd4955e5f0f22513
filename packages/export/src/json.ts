import type { Column, ExportDocument, ExportEntity } from "./model.js";
import { Chunker, chunkBytes, openRows } from "./internal/rows.js";
import { assertKnownKeys, assertRow, cellJson } from "./internal/values.js";

/**
 * Options of the JSON and NDJSON writers.
 *
 * @example
 * ```ts
 * import type { JsonOptions } from "@lawful/export";
 * const opts: JsonOptions = { chunkSize: 128 * 1024 };
 * ```
 */
export interface JsonOptions {
  /** Chunk size in bytes (a chunk is emitted when the next row might not fit). @default 65536 */
  chunkSize?: number | undefined;
}

function entityHeader(e: ExportEntity): Record<string, unknown> {
  const { rows: _rows, ...definition } = e;
  return definition;
}

/** A function that turns one row into its JSON object text, validating every value. */
function rowEncoder(e: ExportEntity): (row: unknown, index: number) => string {
  const columns: readonly Column[] = e.columns;
  const keys = columns.map((c) => JSON.stringify(c.name));
  const names = columns.map((c) => c.name);
  const nameSet = new Set(names);
  return (row, index) => {
    assertRow(row, e.name, index);
    assertKnownKeys(row, nameSet, e.name, index);
    let out = "{";
    for (let j = 0; j < columns.length; j++) {
      const name = names[j]!;
      out += `${j === 0 ? "" : ","}${keys[j]!}:${cellJson(row[name], columns[j]!, [e.name, index, name])}`;
    }
    return `${out}}`;
  };
}

/**
 * Stream a document as one JSON object `{ meta, sections, entities: [{ ...definition, rows: [...] }] }`,
 * one row per line. The shape is published as a JSON Schema ({@link EXPORT_DOCUMENT_JSON_SCHEMA},
 * {@link ACCESS_PACKAGE_JSON_SCHEMA}). Metadata and sections were validated when the document was
 * created; each row is validated before its bytes are produced.
 *
 * @throws ExportError `NOT_JSON_SERIALIZABLE`, `VALIDATION_FAILED`, `UNSUPPORTED` as {@link writeCsv}.
 * @example
 * ```ts
 * import { createExportDocument, writeJson, collectText } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "leads", columns: [{ name: "email" }], rows: [{ email: "a@example.com" }] }] });
 * const parsed = JSON.parse(await collectText(writeJson(doc))) as { entities: Array<{ rows: unknown[] }> };
 * ```
 */
export async function* writeJson(doc: ExportDocument, options: JsonOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const out = new Chunker(chunkBytes(options.chunkSize));
  let full = out.push(`{"meta":${JSON.stringify(doc.meta)},\n"sections":${JSON.stringify(doc.sections)},\n"entities":[`);
  if (full) yield full;
  for (let i = 0; i < doc.entities.length; i++) {
    const e = doc.entities[i]!;
    const head = JSON.stringify(entityHeader(e));
    full = out.push(`${i === 0 ? "" : ","}\n${head.slice(0, -1)},"rows":[`);
    if (full) yield full;
    const encode = rowEncoder(e);
    let index = 0;
    const opened = openRows(e.rows, e.name);
    if (opened.sync) {
      for (const row of opened.rows) {
        full = out.push(`${index === 0 ? "\n" : ",\n"}${encode(row, index++)}`);
        if (full) yield full;
      }
    } else {
      for await (const row of opened.rows) {
        full = out.push(`${index === 0 ? "\n" : ",\n"}${encode(row, index++)}`);
        if (full) yield full;
      }
    }
    full = out.push("]}");
    if (full) yield full;
  }
  full = out.push("]}\n");
  if (full) yield full;
  yield out.take();
}

/**
 * Stream a document as NDJSON (one JSON value per line, `\n` separated): a `meta` line, one
 * `section` line per section, then per entity an `entity` line (definition) followed by one
 * `row` line per row: `{"type":"row","entity":"leads","data":{...}}`.
 *
 * @throws ExportError as {@link writeJson}.
 * @example
 * ```ts
 * import { createExportDocument, writeNdjson, collectText } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "leads", columns: [{ name: "email" }], rows: [{ email: "a@example.com" }] }] });
 * const lines = (await collectText(writeNdjson(doc))).trim().split("\n").map((l) => JSON.parse(l) as { type: string });
 * lines.map((l) => l.type); // ["meta", "entity", "row"]
 * ```
 */
export async function* writeNdjson(doc: ExportDocument, options: JsonOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const out = new Chunker(chunkBytes(options.chunkSize));
  let full = out.push(`${JSON.stringify({ type: "meta", meta: doc.meta })}\n`);
  if (full) yield full;
  for (const s of doc.sections) {
    full = out.push(`${JSON.stringify({ type: "section", section: s })}\n`);
    if (full) yield full;
  }
  for (const e of doc.entities) {
    full = out.push(`${JSON.stringify({ type: "entity", entity: entityHeader(e) })}\n`);
    if (full) yield full;
    const prefix = `{"type":"row","entity":${JSON.stringify(e.name)},"data":`;
    const encode = rowEncoder(e);
    let index = 0;
    const opened = openRows(e.rows, e.name);
    if (opened.sync) {
      for (const row of opened.rows) {
        full = out.push(`${prefix}${encode(row, index++)}}\n`);
        if (full) yield full;
      }
    } else {
      for await (const row of opened.rows) {
        full = out.push(`${prefix}${encode(row, index++)}}\n`);
        if (full) yield full;
      }
    }
  }
  if (out.length > 0) yield out.take();
}
