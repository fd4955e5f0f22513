import * as z from "zod";
import { ColumnSchema, DocumentMetaSchema, EntityDefinitionSchema, SectionSchema } from "./model.js";

/**
 * Zod schema of what {@link writeJson} produces for any document: `meta`, `sections` and
 * `entities`, each entity with its definition (the data dictionary) and its rows.
 *
 * @example
 * ```ts
 * import { ExportDocumentJsonSchema } from "@lawful/export";
 * ExportDocumentJsonSchema.safeParse({}).success; // false
 * ```
 */
export const ExportDocumentJsonSchema = z
  .object({
    meta: DocumentMetaSchema,
    sections: z.array(SectionSchema),
    entities: z.array(
      EntityDefinitionSchema.extend({
        columns: z.array(ColumnSchema).min(1),
        rows: z.array(z.record(z.string(), z.json())),
      }),
    ),
  })
  .meta({ title: "Lawful export document", description: "A data export written by @lawful/export (JSON writer)." });

/**
 * Zod schema of the Art. 15 access package in JSON: an export document whose `meta.kind` is
 * `access` and which names the subject by pseudonym.
 *
 * @example
 * ```ts
 * import { AccessPackageJsonSchema } from "@lawful/export";
 * AccessPackageJsonSchema.shape.meta.shape.kind.value; // "access"
 * ```
 */
export const AccessPackageJsonSchema = ExportDocumentJsonSchema.extend({
  meta: DocumentMetaSchema.extend({ kind: z.literal("access"), subjectPseudonym: z.string().min(1).max(128) }),
}).meta({
  title: "Lawful GDPR Art. 15 access package",
  description: "Confirmation, the Art. 15(1)(a)-(h) and 15(2) information as sections, and a copy of the data (Art. 15(3)) as entities with a data dictionary.",
});

/**
 * `$id` of the published access package schema.
 *
 * @example
 * ```ts
 * import { ACCESS_PACKAGE_JSON_SCHEMA, ACCESS_PACKAGE_SCHEMA_ID } from "@lawful/export";
 * ACCESS_PACKAGE_JSON_SCHEMA.$id === ACCESS_PACKAGE_SCHEMA_ID; // true
 * ```
 */
export const ACCESS_PACKAGE_SCHEMA_ID = "urn:lawful:export:access-package:1.0.0";
/**
 * `$id` of the published export document schema.
 *
 * @example
 * ```ts
 * import { EXPORT_DOCUMENT_JSON_SCHEMA, EXPORT_DOCUMENT_SCHEMA_ID } from "@lawful/export";
 * EXPORT_DOCUMENT_JSON_SCHEMA.$id === EXPORT_DOCUMENT_SCHEMA_ID; // true
 * ```
 */
export const EXPORT_DOCUMENT_SCHEMA_ID = "urn:lawful:export:document:1.0.0";

/**
 * Produce the JSON Schema (draft 2020-12) of a zod schema with an `$id`, exactly as the published constants were made.
 *
 * @example
 * ```ts
 * import { AccessPackageJsonSchema, ACCESS_PACKAGE_SCHEMA_ID, generateJsonSchema } from "@lawful/export";
 * const schema = generateJsonSchema(AccessPackageJsonSchema, ACCESS_PACKAGE_SCHEMA_ID);
 * ```
 */
export function generateJsonSchema(schema: z.ZodType, id: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: id, ...rest };
}
