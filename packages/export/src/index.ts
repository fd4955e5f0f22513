/**
 * `@lawful/export`: access (Art. 15), portability (Art. 20), lead and records-of-processing
 * exports from one neutral document model, written as JSON (with a published JSON Schema),
 * NDJSON, CSV (RFC 4180, injection-safe), an accessible HTML report and a ZIP bundle with a
 * checksummed manifest — streaming, with bounded memory.
 * @packageDocumentation
 */
export { ExportError } from "./errors.js";
export {
  COLUMN_TYPES,
  ColumnInputSchema,
  ColumnSchema,
  ColumnTypeSchema,
  ControllerSchema,
  DOCUMENT_KINDS,
  DocumentMetaSchema,
  EXPORT_SCHEMA_VERSION,
  EntityDefinitionSchema,
  PROVENANCES,
  ProvenanceSchema,
  SectionSchema,
  SectionValueSchema,
  createExportDocument,
  type Column,
  type ColumnInput,
  type ColumnType,
  type Controller,
  type DocumentMeta,
  type DocumentMetaInput,
  type EntityDefinition,
  type ExportDocument,
  type ExportDocumentInput,
  type ExportEntity,
  type ExportEntityInput,
  type ExportRow,
  type Provenance,
  type RowSource,
  type Section,
  type SectionValue,
} from "./model.js";
export { validateExportDocument } from "./validate.js";
export type { ExportFile } from "./files.js";
export { DICTIONARY_HEADER, csvFiles, dataDictionaryRows, decodeCsvCell, encodeCsvField, writeCsv, type CsvOptions } from "./csv.js";
export { writeJson, writeNdjson, type JsonOptions } from "./json.js";
export {
  ACCESS_PACKAGE_SCHEMA_ID,
  AccessPackageJsonSchema,
  EXPORT_DOCUMENT_SCHEMA_ID,
  ExportDocumentJsonSchema,
  generateJsonSchema,
} from "./json-schema.js";
export { ACCESS_PACKAGE_JSON_SCHEMA, EXPORT_DOCUMENT_JSON_SCHEMA } from "./schemas.generated.js";
export { escapeHtml, writeHtml, type HtmlOptions } from "./html.js";
export { REPORT_LANGUAGES, reportString, resolveReportLanguage, type ReportLanguage, type ReportStringKey } from "./i18n.js";
export { writeZip, type ZipEntryInput, type ZipEntryWritten, type ZipOptions } from "./zip.js";
export {
  BUNDLE_FORMATS,
  BundleManifestSchema,
  MANIFEST_PATH,
  bundleFiles,
  verifyExportBundle,
  writeExportBundle,
  type BundleAuditOptions,
  type BundleFormat,
  type BundleManifest,
  type BundleOptions,
  type BundleProblem,
  type BundleVerification,
} from "./bundle.js";
export { collectBytes, collectText, pipeToNodeWritable, pipeToWebWritable, toNodeReadable, toWebReadableStream } from "./streams.js";
export {
  AccessInformationSchema,
  ConsentHistoryEntrySchema,
  LEAD_EXPORT_COLUMNS,
  PORTABLE_PROVENANCES,
  RopaExportRowSchema,
  createAccessPackage,
  createLeadExport,
  createPortabilityPackage,
  createRecordsOfProcessingExport,
  type AccessInformationInput,
  type AccessPackageInput,
  type ConsentHistoryEntryInput,
  type LeadExportInput,
  type PortabilityPackageInput,
  type RecordsOfProcessingExportInput,
  type RopaExportRowInput,
} from "./shapes.js";
