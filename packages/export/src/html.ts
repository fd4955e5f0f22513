import { createDataCategoryTaxonomy } from "@lawful/core";
import type { Column, ExportDocument, ExportEntity, SectionValue } from "./model.js";
import { maybeReportString, reportString, resolveReportLanguage, type ReportLanguage } from "./i18n.js";
import { Chunker, chunkBytes, openRows } from "./internal/rows.js";
import { assertKnownKeys, assertRow, cellText } from "./internal/values.js";

/**
 * Options of the HTML report writer.
 *
 * @example
 * ```ts
 * import type { HtmlOptions } from "@lawful/export";
 * const opts: HtmlOptions = { language: "de" };
 * ```
 */
export interface HtmlOptions {
  /** Language of the built-in strings (BCP 47); falls back to English when not in the catalogue. @default the document's `meta.language` */
  language?: string | undefined;
  /** Chunk size in bytes (a chunk is emitted when the next row might not fit). @default 65536 */
  chunkSize?: number | undefined;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escape text for HTML element content and quoted attribute values (`& < > " '`).
 *
 * @example
 * ```ts
 * import { escapeHtml } from "@lawful/export";
 * escapeHtml('<script>alert("x")</script>'); // "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const CSS = `
:root{color-scheme:light}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#111;background:#fff;margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #999}h3{font-size:1.05rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
thead th{background:#eee}
.null{color:#555}
a{color:#0645ad}
@media print{body{margin:0;max-width:none;font-size:10pt}nav{display:none}thead{display:table-header-group}tr,dl{break-inside:avoid}h2{break-after:avoid}a{color:#111;text-decoration:none}}
`.trim();

function fieldLabel(key: string): string {
  const t = key.replace(/_/g, " ");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function sectionValueHtml(v: SectionValue, lang: ReportLanguage): string {
  if (v === null) return `<span class="null">${escapeHtml(reportString(lang, "value.null"))}</span>`;
  if (typeof v === "boolean") return escapeHtml(reportString(lang, v ? "value.true" : "value.false"));
  if (Array.isArray(v)) return v.length === 0 ? escapeHtml(reportString(lang, "value.null")) : `<ul>${v.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul>`;
  return escapeHtml(String(v));
}

/**
 * Stream a document as one self-contained HTML5 page for people: `lang` attribute, a heading
 * hierarchy, metadata as a description list, one section per Art. 15 topic, one table per
 * entity (caption, `<th scope="col">` headers) and a data dictionary; inline print-friendly CSS,
 * no scripts and no external assets. Every value is HTML-escaped; binary values appear as
 * `base64:` text, JSON values as canonical JSON text. Strings come from a small English/German
 * catalogue chosen by the document's language with English fallback; user-supplied titles and
 * values are written as given.
 *
 * @throws ExportError as {@link writeCsv}.
 * @example
 * ```ts
 * import { collectText, createExportDocument, writeHtml } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date(), language: "de" } });
 * const html = await collectText(writeHtml(doc)); // <html lang="de"> …
 * ```
 */
export async function* writeHtml(doc: ExportDocument, options: HtmlOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const lang = resolveReportLanguage(options.language ?? doc.meta.language);
  const out = new Chunker(chunkBytes(options.chunkSize));
  const t = (k: Parameters<typeof reportString>[1]): string => escapeHtml(reportString(lang, k));
  const m = doc.meta;
  const title = escapeHtml(m.title ?? reportString(lang, `title.${m.kind}`));
  const taxonomy = createDataCategoryTaxonomy();
  let buf = `<!DOCTYPE html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="generator" content="@lawful/export">\n<title>${title}</title>\n<style>${CSS}</style>\n</head>\n<body>\n<header>\n<h1>${title}</h1>\n`;
  const metaRows: Array<[string, string]> = [[t("meta.controller"), escapeHtml(m.controller.name)]];
  if (m.controller.contact) metaRows.push([t("meta.contact"), escapeHtml(m.controller.contact)]);
  if (m.controller.address) metaRows.push([t("meta.address"), escapeHtml(m.controller.address)]);
  if (m.controller.representative) metaRows.push([t("meta.representative"), escapeHtml(m.controller.representative)]);
  if (m.controller.dpoContact) metaRows.push([t("meta.dpo"), escapeHtml(m.controller.dpoContact)]);
  if (m.subjectPseudonym) metaRows.push([t("meta.subject"), `<code>${escapeHtml(m.subjectPseudonym)}</code>`]);
  metaRows.push([t("meta.generatedAt"), `<time datetime="${escapeHtml(m.generatedAt)}">${escapeHtml(m.generatedAt)}</time>`]);
  if (m.categories.length) metaRows.push([t("meta.categories"), m.categories.map((c) => escapeHtml(taxonomy.describe(c))).join(", ")]);
  if (m.sourceSystems.length) metaRows.push([t("meta.sourceSystems"), m.sourceSystems.map(escapeHtml).join(", ")]);
  metaRows.push([t("meta.schemaVersion"), escapeHtml(m.schemaVersion)]);
  buf += `<section aria-labelledby="meta"><h2 id="meta">${t("meta.heading")}</h2>\n<dl class="meta">${metaRows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl></section>\n</header>\n`;
  const sectionTitle = (key: string, given: string | undefined): string => escapeHtml(given ?? maybeReportString(lang, `section.${key}`) ?? fieldLabel(key));
  const toc = [
    ...doc.sections.map((s) => `<li><a href="#s-${s.key}">${sectionTitle(s.key, s.title)}</a></li>`),
    ...doc.entities.map((e) => `<li><a href="#e-${e.name}">${escapeHtml(e.title ?? fieldLabel(e.name))}</a></li>`),
  ];
  if (doc.entities.length) toc.push(`<li><a href="#dictionary">${t("dictionary.heading")}</a></li>`);
  if (toc.length) buf += `<nav aria-labelledby="toc"><h2 id="toc">${t("toc.heading")}</h2><ol>${toc.join("")}</ol></nav>\n<main>\n`;
  else buf += "<main>\n";
  for (const s of doc.sections) {
    buf += `<section aria-labelledby="s-${s.key}"><h2 id="s-${s.key}">${sectionTitle(s.key, s.title)}</h2>\n`;
    if (s.text) buf += `<p>${escapeHtml(s.text).replace(/\r?\n/g, "<br>")}</p>\n`;
    if (s.items.length === 0 && !s.text) buf += `<p>${t("section.none")}</p>\n`;
    for (const item of s.items) {
      const entries = Object.entries(item);
      buf += `<dl class="meta">${entries.map(([k, v]) => `<dt>${escapeHtml(maybeReportString(lang, `field.${k}`) ?? fieldLabel(k))}</dt><dd>${sectionValueHtml(v, lang)}</dd>`).join("")}</dl>\n`;
      if (s.items.length > 1) buf += "<hr>\n";
    }
    buf += "</section>\n";
  }
  for (const e of doc.entities) {
    const name = escapeHtml(e.title ?? fieldLabel(e.name));
    buf += `<section aria-labelledby="e-${e.name}"><h2 id="e-${e.name}">${name}</h2>\n`;
    if (e.description) buf += `<p>${escapeHtml(e.description)}</p>\n`;
    buf += `<table>\n<caption>${name}</caption>\n<thead><tr>${e.columns.map((c) => `<th scope="col">${escapeHtml(c.label ?? c.name)}</th>`).join("")}</tr></thead>\n<tbody>\n`;
    let count = 0;
    let full = out.push(buf);
    buf = "";
    if (full) yield full;
    for await (const rowHtml of rowsHtml(e, lang)) {
      count++;
      full = out.push(rowHtml);
      if (full) yield full;
    }
    if (count === 0) buf += `<tr><td colspan="${e.columns.length}">${t("table.empty")}</td></tr>\n`;
    buf += `</tbody>\n</table>\n<p>${t("table.rows")}: ${count}</p>\n</section>\n`;
  }
  if (doc.entities.length) {
    buf += `<section aria-labelledby="dictionary"><h2 id="dictionary">${t("dictionary.heading")}</h2>\n<table>\n<caption>${t("dictionary.caption")}</caption>\n<thead><tr>`;
    buf += `${(["dictionary.entity", "dictionary.column", "dictionary.description", "dictionary.type", "dictionary.category", "dictionary.provenance"] as const).map((k) => `<th scope="col">${t(k)}</th>`).join("")}</tr></thead>\n<tbody>\n`;
    for (const e of doc.entities) {
      for (const c of e.columns) {
        buf += `<tr><td>${escapeHtml(e.name)}</td><th scope="row">${escapeHtml(c.label ?? c.name)}</th><td>${escapeHtml(c.description ?? "")}</td><td>${escapeHtml(c.type)}</td><td>${c.category ? escapeHtml(taxonomy.describe(c.category)) : ""}</td><td>${escapeHtml(reportString(lang, `provenance.${c.provenance}`))}</td></tr>\n`;
      }
    }
    buf += "</tbody>\n</table>\n</section>\n";
  }
  buf += "</main>\n</body>\n</html>\n";
  const last = out.push(buf);
  if (last) yield last;
  yield out.take();
}

async function* rowsHtml(e: ExportEntity, lang: ReportLanguage): AsyncGenerator<string, void, undefined> {
  const columns: readonly Column[] = e.columns;
  const names = columns.map((c) => c.name);
  const nameSet = new Set(names);
  const nullCell = `<td class="null">${escapeHtml(reportString(lang, "value.null"))}</td>`;
  let index = 0;
  const encode = (row: unknown): string => {
    assertRow(row, e.name, index);
    assertKnownKeys(row, nameSet, e.name, index);
    let out = "<tr>";
    for (let j = 0; j < columns.length; j++) {
      const text = cellText(row[names[j]!], columns[j]!, [e.name, index, names[j]!]);
      out += text === null ? nullCell : `<td>${escapeHtml(text)}</td>`;
    }
    index++;
    return `${out}</tr>\n`;
  };
  const opened = openRows(e.rows, e.name);
  if (opened.sync) for (const row of opened.rows) yield encode(row);
  else for await (const row of opened.rows) yield encode(row);
}
