import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import * as z from "zod";
import { AUDIT_ACTIONS, DataCategorySchema, ERROR_CODES, type Actor, type AuditSink } from "@lawful/core";
import { ExportError } from "./errors.js";
import { csvFiles, type CsvOptions } from "./csv.js";
import type { ExportFile } from "./files.js";
import { writeHtml, type HtmlOptions } from "./html.js";
import { writeJson, writeNdjson } from "./json.js";
import { ControllerSchema, DOCUMENT_KINDS, type ExportDocument } from "./model.js";
import { ACCESS_PACKAGE_JSON_SCHEMA, EXPORT_DOCUMENT_JSON_SCHEMA } from "./schemas.generated.js";
import { bytesSource, fileSource, readCentralDirectory, readEntry, type RandomAccess } from "./internal/zip-reader.js";
import { validateExportDocument } from "./validate.js";
import { writeZip, type ZipEntryWritten } from "./zip.js";

/**
 * Name of the manifest entry in every bundle (always the last entry).
 *
 * @example
 * ```ts
 * import { MANIFEST_PATH } from "@lawful/export";
 * MANIFEST_PATH; // "manifest.json"
 * ```
 */
export const MANIFEST_PATH = "manifest.json";

/**
 * The manifest written as the last entry of every bundle: who exported what for whom and when,
 * the data categories and source systems, and the size and SHA-256 of every other file.
 *
 * @example
 * ```ts
 * import { BundleManifestSchema } from "@lawful/export";
 * BundleManifestSchema.shape.format.value; // "lawful-export-bundle"
 * ```
 */
export const BundleManifestSchema = z.object({
  format: z.literal("lawful-export-bundle"),
  formatVersion: z.literal(1),
  kind: z.enum(DOCUMENT_KINDS),
  schemaVersion: z.string(),
  controller: ControllerSchema,
  subjectPseudonym: z.string().min(1).max(128).nullable(),
  generatedAt: z.iso.datetime({ offset: true }),
  language: z.string(),
  categories: z.array(DataCategorySchema),
  sourceSystems: z.array(z.string()),
  files: z.array(
    z.object({
      path: z.string().min(1),
      mediaType: z.string().min(1),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
/** A bundle manifest; see {@link BundleManifestSchema}. */
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/**
 * The formats a bundle can contain.
 *
 * @example
 * ```ts
 * import { BUNDLE_FORMATS } from "@lawful/export";
 * BUNDLE_FORMATS; // ["json", "ndjson", "csv", "html"]
 * ```
 */
export const BUNDLE_FORMATS = ["json", "ndjson", "csv", "html"] as const;
/** One of {@link BUNDLE_FORMATS}. */
export type BundleFormat = (typeof BUNDLE_FORMATS)[number];

/**
 * Options of {@link writeExportBundle}.
 *
 * @example
 * ```ts
 * import type { BundleOptions } from "@lawful/export";
 * const opts: BundleOptions = { formats: ["json", "csv"], csv: { bom: true } };
 * ```
 */
export interface BundleOptions {
  /** Formats to include. Each format reads every entity's rows once, so with more than one format rows must be re-iterable (arrays or functions). @default ["json", "csv", "html"] */
  formats?: readonly BundleFormat[] | undefined;
  csv?: CsvOptions | undefined;
  html?: HtmlOptions | undefined;
  /** Include the JSON Schema of the JSON file (`schema/…json`) when `json` is a format. @default true */
  includeSchema?: boolean | undefined;
  /** Further files to add (e.g. a cover letter), listed in the manifest like the others. */
  extraFiles?: readonly ExportFile[] | undefined;
  /** DEFLATE level 0–9. @default 6 */
  level?: number | undefined;
  /**
   * Read and validate every row once (see {@link validateExportDocument}) before the first byte, so a bad
   * value fails the bundle with no byte written — for destinations that cannot take bytes back, such as
   * an HTTP response. Costs one extra pass over the rows, which must be re-iterable.
   * @default false
   */
  preflight?: boolean | undefined;
  /** Called with the manifest once it is written. */
  onManifest?: ((manifest: BundleManifest) => void) | undefined;
  /**
   * Record a `data.exported` audit event when the last byte of the bundle has been produced:
   * subject by pseudonym, details `{ kind, schemaVersion, formats, files, manifestSha256 }` (no personal data).
   * Nothing is recorded when writing fails.
   */
  audit?: BundleAuditOptions | undefined;
}

/**
 * Where and as whom {@link writeExportBundle} records its `data.exported` audit event.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import type { BundleAuditOptions } from "@lawful/export";
 * const audit: BundleAuditOptions = { sink: createMemoryAuditSink(), tenantId: "acme", actor: { type: "staff", id: "u_1" } };
 * ```
 */
export interface BundleAuditOptions {
  sink: AuditSink;
  tenantId: string;
  actor: Actor;
  correlationId?: string | undefined;
}

function jsonFile(path: string, value: unknown): ExportFile {
  return {
    path,
    mediaType: "application/schema+json",
    content: async function* () {
      await Promise.resolve();
      yield Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
    },
  };
}

/**
 * The files a bundle of `doc` contains, in order (the manifest excluded):
 * `data.json`, `schema/<kind>.schema.json`, `data.ndjson`, `csv/*.csv`, `report.html`, then `extraFiles`.
 *
 * @example
 * ```ts
 * import { bundleFiles, createExportDocument } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } });
 * bundleFiles(doc, { formats: ["json"] }).map((f) => f.path); // ["data.json", "schema/export-document.schema.json"]
 * ```
 */
export function bundleFiles(doc: ExportDocument, options: BundleOptions = {}): ExportFile[] {
  const formats = new Set(options.formats ?? ["json", "csv", "html"]);
  const files: ExportFile[] = [];
  if (formats.has("json")) {
    files.push({ path: "data.json", mediaType: "application/json", content: () => writeJson(doc) });
    if (options.includeSchema ?? true) {
      files.push(
        doc.meta.kind === "access"
          ? jsonFile("schema/access-package.schema.json", ACCESS_PACKAGE_JSON_SCHEMA)
          : jsonFile("schema/export-document.schema.json", EXPORT_DOCUMENT_JSON_SCHEMA),
      );
    }
  }
  if (formats.has("ndjson")) files.push({ path: "data.ndjson", mediaType: "application/x-ndjson", content: () => writeNdjson(doc) });
  if (formats.has("csv")) files.push(...csvFiles(doc, options.csv, "csv/"));
  if (formats.has("html")) files.push({ path: "report.html", mediaType: "text/html; charset=utf-8", content: () => writeHtml(doc, options.html) });
  files.push(...(options.extraFiles ?? []));
  return files;
}

/**
 * Stream a ZIP bundle of a document: the files of {@link bundleFiles} and, last, `manifest.json`
 * (controller, subject pseudonym, generated-at, schema version, categories, source systems and the
 * size and SHA-256 of every file, computed while streaming). Memory stays bounded whatever the
 * number of rows. Check a bundle with {@link verifyExportBundle}.
 *
 * @throws ExportError as the writers it uses; `VALIDATION_FAILED` for a bad option.
 * @example
 * ```ts
 * import { createWriteStream } from "node:fs";
 * import { createExportDocument, pipeToNodeWritable, writeExportBundle } from "@lawful/export";
 * const doc = createExportDocument({
 *   meta: { kind: "access", controller: { name: "Acme" }, generatedAt: new Date(), subjectPseudonym: "ps1_abc" },
 *   entities: [{ name: "contacts", columns: [{ name: "email", category: "contact.email" }], rows: [{ email: "ada@example.com" }] }],
 * });
 * await pipeToNodeWritable(writeExportBundle(doc), createWriteStream("/tmp/export.zip"));
 * ```
 */
export function writeExportBundle(doc: ExportDocument, options: BundleOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const formats = options.formats ?? ["json", "csv", "html"];
  const bad = formats.findIndex((f) => !(BUNDLE_FORMATS as readonly string[]).includes(f));
  if (bad >= 0 || formats.length === 0) {
    throw new ExportError(ERROR_CODES.VALIDATION_FAILED, `Invalid bundle options: formats must be a non-empty list of ${BUNDLE_FORMATS.join(", ")}.`, {
      issues: [{ path: ["formats", Math.max(bad, 0)], message: "unknown or missing format", code: "invalid_value" }],
    });
  }
  const files = bundleFiles(doc, options);
  const mediaTypes = new Map(files.map((f) => [f.path, f.mediaType]));
  const written: ZipEntryWritten[] = [];
  const entries = function* () {
    for (const f of files) yield { path: f.path, content: f.content() };
    const m = doc.meta;
    const manifest: BundleManifest = {
      format: "lawful-export-bundle",
      formatVersion: 1,
      kind: m.kind,
      schemaVersion: m.schemaVersion,
      controller: m.controller,
      subjectPseudonym: m.subjectPseudonym ?? null,
      generatedAt: m.generatedAt,
      language: m.language,
      categories: [...m.categories],
      sourceSystems: [...m.sourceSystems],
      files: written.map((w) => ({ path: w.path, mediaType: mediaTypes.get(w.path) ?? "application/octet-stream", size: w.size, sha256: w.sha256 })),
    };
    options.onManifest?.(manifest);
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
    manifestSha256 = createHash("sha256").update(text).digest("hex");
    yield { path: MANIFEST_PATH, content: text };
  };
  let manifestSha256 = "";
  const zip = writeZip(entries(), {
    modifiedAt: new Date(doc.meta.generatedAt),
    level: options.level,
    onEntryWritten: (e) => {
      if (e.path !== MANIFEST_PATH) written.push(e);
    },
  });
  const audit = options.audit;
  const preflight = options.preflight ?? false;
  if (!audit && !preflight) return zip;
  return (async function* () {
    if (preflight) await validateExportDocument(doc);
    yield* zip;
    if (!audit) return;
    const m = doc.meta;
    await audit.sink.record({
      tenantId: audit.tenantId,
      action: AUDIT_ACTIONS.DATA_EXPORTED,
      actor: audit.actor,
      ...(m.subjectPseudonym ? { subjectPseudonym: m.subjectPseudonym } : {}),
      ...(audit.correlationId ? { correlationId: audit.correlationId } : {}),
      target: { system: "lawful-export", recordType: `export.${m.kind}` },
      details: { kind: m.kind, schemaVersion: m.schemaVersion, formats: [...formats], files: written.length, manifestSha256 },
    });
  })();
}

/**
 * One problem found by {@link verifyExportBundle}.
 *
 * @example
 * ```ts
 * import type { BundleProblem } from "@lawful/export";
 * const p: BundleProblem = { code: "checksum_mismatch", path: "data.json", message: "SHA-256 differs from the manifest" };
 * ```
 */
export interface BundleProblem {
  readonly code: "missing_manifest" | "invalid_manifest" | "missing_file" | "unlisted_file" | "checksum_mismatch" | "size_mismatch" | "crc_mismatch" | "corrupt";
  readonly path?: string | undefined;
  readonly message: string;
}

/**
 * The result of {@link verifyExportBundle}.
 *
 * @example
 * ```ts
 * import type { BundleVerification } from "@lawful/export";
 * const summary = (v: BundleVerification) => (v.ok ? `${v.files.length} files verified` : v.problems.map((p) => p.code).join(", "));
 * ```
 */
export interface BundleVerification {
  /** True when the manifest is valid and every file is present, listed, and matches its size, CRC-32 and SHA-256. */
  readonly ok: boolean;
  readonly manifest?: BundleManifest | undefined;
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number; readonly sha256: string; readonly ok: boolean }>;
  readonly problems: readonly BundleProblem[];
}

async function hashEntry(src: RandomAccess, entry: Awaited<ReturnType<typeof readCentralDirectory>>[number]): Promise<{ size: number; sha256: string; crc: number }> {
  const hash = createHash("sha256");
  let size = 0;
  let crc = 0;
  for await (const chunk of readEntry(src, entry)) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex"), crc: crc >>> 0 };
}

/**
 * Verify a bundle written by {@link writeExportBundle}: reads the ZIP's central directory,
 * decompresses every entry as a stream (bounded memory, also for files on disk), checks CRC-32s,
 * parses `manifest.json` and compares each file's size and SHA-256 with the manifest; files that
 * are missing or not listed are problems too. It never throws for a bad bundle — it returns the
 * problems — except for an unreadable path (I/O error).
 *
 * @example
 * ```ts
 * import { collectBytes, createExportDocument, verifyExportBundle, writeExportBundle } from "@lawful/export";
 * const doc = createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date() } });
 * const result = await verifyExportBundle(await collectBytes(writeExportBundle(doc)));
 * if (!result.ok) console.warn(result.problems);
 * ```
 */
export async function verifyExportBundle(bundle: Uint8Array | string): Promise<BundleVerification> {
  const src = typeof bundle === "string" ? await fileSource(bundle) : bytesSource(bundle);
  const problems: BundleProblem[] = [];
  const files: Array<{ path: string; size: number; sha256: string; ok: boolean }> = [];
  try {
    let entries;
    try {
      entries = await readCentralDirectory(src);
    } catch (e) {
      return { ok: false, files, problems: [{ code: "corrupt", message: e instanceof Error ? e.message : "unreadable archive" }] };
    }
    const actual = new Map<string, { size: number; sha256: string }>();
    let manifestText: string | undefined;
    for (const entry of entries) {
      try {
        if (entry.path === MANIFEST_PATH) {
          if (entry.size > 64 * 1024 * 1024) throw new Error("manifest too large");
          const parts: Buffer[] = [];
          for await (const c of readEntry(src, entry)) parts.push(c);
          const bytes = Buffer.concat(parts);
          if ((crc32(bytes) >>> 0) !== entry.crc32) problems.push({ code: "crc_mismatch", path: entry.path, message: "CRC-32 differs from the central directory" });
          manifestText = bytes.toString("utf8");
          continue;
        }
        const h = await hashEntry(src, entry);
        if (h.crc !== entry.crc32 || h.size !== entry.size) problems.push({ code: "crc_mismatch", path: entry.path, message: "CRC-32 or size differs from the central directory" });
        actual.set(entry.path, h);
      } catch (e) {
        problems.push({ code: "corrupt", path: entry.path, message: e instanceof Error ? e.message : "unreadable entry" });
      }
    }
    if (manifestText === undefined) {
      problems.push({ code: "missing_manifest", path: MANIFEST_PATH, message: "the bundle has no manifest.json" });
      return { ok: false, files, problems };
    }
    let manifest: BundleManifest;
    try {
      const parsed = BundleManifestSchema.safeParse(JSON.parse(manifestText));
      if (!parsed.success) {
        problems.push({ code: "invalid_manifest", path: MANIFEST_PATH, message: `manifest.json does not match the manifest schema at ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}` });
        return { ok: false, files, problems };
      }
      manifest = parsed.data;
    } catch {
      problems.push({ code: "invalid_manifest", path: MANIFEST_PATH, message: "manifest.json is not JSON" });
      return { ok: false, files, problems };
    }
    const listed = new Set<string>();
    for (const f of manifest.files) {
      listed.add(f.path);
      const a = actual.get(f.path);
      if (!a) {
        problems.push({ code: "missing_file", path: f.path, message: "listed in the manifest but not in the archive" });
        continue;
      }
      let ok = true;
      if (a.size !== f.size) {
        ok = false;
        problems.push({ code: "size_mismatch", path: f.path, message: "size differs from the manifest" });
      }
      if (a.sha256 !== f.sha256) {
        ok = false;
        problems.push({ code: "checksum_mismatch", path: f.path, message: "SHA-256 differs from the manifest" });
      }
      files.push({ path: f.path, size: a.size, sha256: a.sha256, ok });
    }
    for (const path of actual.keys()) if (!listed.has(path)) problems.push({ code: "unlisted_file", path, message: "in the archive but not listed in the manifest" });
    return { ok: problems.length === 0, manifest, files, problems };
  } finally {
    await src.close();
  }
}
