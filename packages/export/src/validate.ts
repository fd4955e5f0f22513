import type { ExportDocument } from "./model.js";
import { openRows } from "./internal/rows.js";
import { assertKnownKeys, assertRow, cellJson } from "./internal/values.js";

/**
 * Read every row of every entity once and validate it exactly as the writers will, without
 * writing anything. Use it before streaming to a destination that cannot take back bytes (an
 * HTTP response) when you need the guarantee that no byte is written for a document with a bad
 * value: the writers validate each row before its bytes are produced, but earlier rows may
 * already be out. Rows must be re-iterable (arrays or functions) to be written afterwards.
 * Returns the number of rows per entity.
 *
 * @throws ExportError `NOT_JSON_SERIALIZABLE`, `VALIDATION_FAILED` or `UNSUPPORTED` as the writers.
 * @example
 * ```ts
 * import { createExportDocument, validateExportDocument } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() }, entities: [{ name: "t", columns: [{ name: "n", type: "number" }], rows: () => [{ n: 1 }] }] });
 * await validateExportDocument(doc); // { t: 1 }
 * ```
 */
export async function validateExportDocument(doc: ExportDocument): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of doc.entities) {
    const names = new Set(e.columns.map((c) => c.name));
    let index = 0;
    const check = (row: unknown): void => {
      assertRow(row, e.name, index);
      assertKnownKeys(row, names, e.name, index);
      for (const c of e.columns) cellJson(row[c.name], c, [e.name, index, c.name]);
      index++;
    };
    const opened = openRows(e.rows, e.name);
    if (opened.sync) for (const row of opened.rows) check(row);
    else for await (const row of opened.rows) check(row);
    counts[e.name] = index;
  }
  return counts;
}
