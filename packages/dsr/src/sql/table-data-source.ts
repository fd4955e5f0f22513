import { createHmac } from "node:crypto";
import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, SubjectIdKindSchema, type SubjectIdKind } from "@lawful/core";
import type { CategoryCounts, DataSource, DataSourceContext, ExportedRecord, Provenance, Rectification } from "../data-source.js";
import { DsrError } from "../errors.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const Ident = z.string().regex(IDENT, "must be a plain SQL identifier (letters, digits, underscore)");

/**
 * Schema of the mapping of one SQL table to data categories.
 *
 * @example
 * ```ts
 * import { SqlTableMappingSchema } from "@lawful/dsr/sqlite";
 * SqlTableMappingSchema.shape.columns;
 * ```
 */
export const SqlTableMappingSchema = z
  .object({
    /** The data source id (unique among the service's sources). */
    id: z.string().min(1).max(128),
    table: Ident,
    /** Primary-key column: used as record id and to update rows one by one. */
    key: Ident,
    /** Which column identifies the subject, per identifier kind. */
    subject: z.partialRecord(SubjectIdKindSchema, Ident),
    /** Mapped columns: category, provenance and how to erase. */
    columns: z.record(
      Ident,
      z.object({
        category: DataCategorySchema,
        provenance: z.enum(["provided", "observed", "derived", "inferred"]).default("provided"),
        /** `delete` deletes the row when every mapped category of the table is erased, otherwise nulls the column. @default "null" */
        erase: z.enum(["delete", "null", "hash", "redact"]).default("null"),
      }),
    ),
    /** A column set to 1 while the row's data are restricted (Art. 18) and to 0 when lifted. */
    restrictionColumn: Ident.optional(),
    /** Key for `hash` erasure (HMAC-SHA256, hex), ≥ 32 bytes. */
    hashKey: z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength >= 32, { message: "must be a Uint8Array of at least 32 bytes" }).optional(),
    /** Replacement text for `redact` erasure. @default "[redacted]" */
    redaction: z.string().max(64).default("[redacted]"),
  })
  .superRefine((m, ctx) => {
    if (Object.values(m.columns).some((c) => c.erase === "hash") && !m.hashKey) {
      ctx.addIssue({ code: "custom", path: ["hashKey"], message: "is required when a column is erased by keyed hash" });
    }
    if (Object.keys(m.subject).length === 0) ctx.addIssue({ code: "custom", path: ["subject"], message: "needs at least one subject column" });
  });

/**
 * How one SQL table maps to data categories (input form; defaults applied by the schema).
 *
 * @example
 * ```ts
 * import type { SqlTableMapping } from "@lawful/dsr/sqlite";
 * const m: SqlTableMapping = {
 *   id: "crm_contacts", table: "contacts", key: "id", subject: { email: "email" },
 *   columns: { email: { category: "contact.email", erase: "hash" }, name: { category: "identity.name" } },
 *   restrictionColumn: "restricted", hashKey: new Uint8Array(32).fill(9),
 * };
 * ```
 */
export type SqlTableMapping = z.input<typeof SqlTableMappingSchema>;

/** @internal The minimum a dialect must provide. */
export interface SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params: unknown[]): Promise<number>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** @internal */
export function createSqlTableDataSource(executor: SqlExecutor, mapping: SqlTableMapping): DataSource {
  const parsed = SqlTableMappingSchema.safeParse(mapping);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join(".") || "(root)"))].join(", ");
    throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid SQL table mapping at ${fields}; see issues.`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message, code: i.code })),
    });
  }
  const m = parsed.data;
  const q = (id: string) => `"${id}"`;
  const ph = (i: number) => (executor.dialect === "postgres" ? `$${i}` : "?");
  const categories = [...new Set(Object.values(m.columns).map((c) => c.category))].sort();
  const columnsOf = (cats: readonly string[]) => Object.entries(m.columns).filter(([, c]) => cats.includes(c.category));
  const where = (subjectKind: SubjectIdKind, index = 1): string | undefined => {
    const col = m.subject[subjectKind];
    return col === undefined ? undefined : `${q(col)} = ${ph(index)}`;
  };
  const hash = (value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" ? `${value}` : JSON.stringify(value);
    return createHmac("sha256", m.hashKey!).update(text, "utf8").digest("hex");
  };

  async function rows(ctx: DataSourceContext, cols: string[]): Promise<Record<string, unknown>[]> {
    const w = where(ctx.subject.kind);
    if (!w) return [];
    const select = [...new Set([m.key, ...cols])].map(q).join(", ");
    return executor.all(`SELECT ${select} FROM ${q(m.table)} WHERE ${w} ORDER BY ${q(m.key)}`, [ctx.subject.value]);
  }

  const countBy = (cats: readonly string[], n: number): CategoryCounts => Object.fromEntries(cats.map((c) => [c, n]));

  return Object.freeze({
    id: m.id,
    categories,
    async locate(ctx: DataSourceContext) {
      const found = await rows(ctx, Object.keys(m.columns));
      const present = new Set<string>();
      for (const r of found) for (const [col, c] of Object.entries(m.columns)) if (r[col] !== null && r[col] !== undefined) present.add(c.category);
      return { found: found.length > 0, categories: [...present].sort(), records: found.length };
    },
    async export(ctx: DataSourceContext, options: { categories?: readonly string[] | undefined }) {
      const cats = options.categories ?? categories;
      const cols = columnsOf(cats);
      const found = await rows(ctx, cols.map(([c]) => c));
      const out: ExportedRecord[] = [];
      for (const r of found) {
        const byCat = new Map<string, { provenance: Provenance; fields: Record<string, unknown> }>();
        for (const [col, c] of cols) {
          if (r[col] === null || r[col] === undefined) continue;
          const e = byCat.get(`${c.category}\u0000${c.provenance}`) ?? { provenance: c.provenance, fields: {} };
          e.fields[col] = r[col];
          byCat.set(`${c.category}\u0000${c.provenance}`, e);
        }
        for (const [k, e] of byCat) out.push({ category: k.split("\u0000")[0]!, provenance: e.provenance, recordId: String(r[m.key]), fields: e.fields });
      }
      return out;
    },
    async rectify(ctx: DataSourceContext, options: { rectifications: readonly Rectification[] }) {
      const w = where(ctx.subject.kind, 2);
      if (!w) return { updated: 0 };
      return executor.transaction(async () => {
        let updated = 0;
        for (const r of options.rectifications) {
          const targets = Object.entries(m.columns).filter(([col, c]) => c.category === r.category && (r.field === undefined || r.field === col));
          for (const [col] of targets) {
            updated += await executor.run(`UPDATE ${q(m.table)} SET ${q(col)} = ${ph(1)} WHERE ${w}`, [r.value, ctx.subject.value]);
          }
        }
        return { updated };
      });
    },
    async erase(ctx: DataSourceContext, options: { categories: readonly string[] }) {
      const cats = options.categories.filter((c) => categories.includes(c));
      if (cats.length === 0) return {};
      const w = where(ctx.subject.kind);
      if (!w) return countBy(cats, 0);
      const cols = columnsOf(cats);
      return executor.transaction(async () => {
        const found = await rows(ctx, cols.map(([c]) => c));
        if (found.length === 0) return countBy(cats, 0);
        const wholeRow = categories.every((c) => cats.includes(c)) && Object.values(m.columns).some((c) => c.erase === "delete");
        if (wholeRow) {
          await executor.run(`DELETE FROM ${q(m.table)} WHERE ${w}`, [ctx.subject.value]);
          return countBy(cats, found.length);
        }
        for (const r of found) {
          const sets: string[] = [];
          const params: unknown[] = [];
          for (const [col, c] of cols) {
            const value = c.erase === "hash" ? hash(r[col]) : c.erase === "redact" ? (r[col] === null ? null : m.redaction) : null;
            params.push(value);
            sets.push(`${q(col)} = ${ph(params.length)}`);
          }
          params.push(r[m.key]);
          await executor.run(`UPDATE ${q(m.table)} SET ${sets.join(", ")} WHERE ${q(m.key)} = ${ph(params.length)}`, params);
        }
        return countBy(cats, found.length);
      });
    },
    async restrict(ctx: DataSourceContext, options: { categories: readonly string[]; lift: boolean }) {
      const cats = options.categories.filter((c) => categories.includes(c));
      if (cats.length === 0) return {};
      const w = where(ctx.subject.kind, 2);
      if (!w) return countBy(cats, 0);
      if (!m.restrictionColumn) {
        throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `SQL data source ${m.id} has no restrictionColumn; it cannot restrict data.`);
      }
      const n = await executor.run(`UPDATE ${q(m.table)} SET ${q(m.restrictionColumn)} = ${ph(1)} WHERE ${w}`, [options.lift ? 0 : 1, ctx.subject.value]);
      return countBy(cats, n);
    },
  });
}
