import type { SubjectRef } from "@lawful/core";

/**
 * Where a piece of personal data came from (WP242 rev.01): `provided` by the person, `observed`
 * from their activity, or `derived` / `inferred` by the controller. Portability covers only
 * provided and observed data.
 *
 * @example
 * ```ts
 * import type { Provenance } from "@lawful/dsr";
 * const p: Provenance = "observed";
 * ```
 */
export type Provenance = "provided" | "observed" | "derived" | "inferred";

/**
 * What a {@link DataSource} operation is told: whose data, for which request, and the idempotency
 * key that stays the same across retries of the same task.
 *
 * @example
 * ```ts
 * import type { DataSourceContext } from "@lawful/dsr";
 * const ctx: DataSourceContext = { tenantId: "acme", subject: { kind: "email", value: "a@example.com" }, requestId: "r1", idempotencyKey: "r1:src:crm:erase", attempt: 1 };
 * ```
 */
export interface DataSourceContext {
  tenantId: string;
  subject: SubjectRef;
  requestId: string;
  idempotencyKey: string;
  attempt: number;
}

/**
 * One record (or part of one) a data source exports for a subject.
 *
 * @example
 * ```ts
 * import type { ExportedRecord } from "@lawful/dsr";
 * const r: ExportedRecord = { category: "contact.email", provenance: "provided", recordId: "42", fields: { email: "a@example.com" } };
 * ```
 */
export interface ExportedRecord {
  category: string;
  provenance: Provenance;
  recordId?: string | undefined;
  fields: Record<string, unknown>;
}

/**
 * Per-category counts returned by erase and restrict.
 *
 * @example
 * ```ts
 * import type { CategoryCounts } from "@lawful/dsr";
 * const c: CategoryCounts = { "contact.email": 1 };
 * ```
 */
export type CategoryCounts = Record<string, number>;

/**
 * A change asked for by a rectification / correction request.
 *
 * @example
 * ```ts
 * import type { Rectification } from "@lawful/dsr";
 * const r: Rectification = { category: "contact.postal", field: "city", value: "Berlin" };
 * ```
 */
export interface Rectification {
  category: string;
  field?: string | undefined;
  value: string;
  note?: string | undefined;
}

/**
 * A system of the controller that holds personal data, implemented once per system (CRM table,
 * mailing tool, data warehouse…). Every operation must be idempotent for the same
 * `ctx.idempotencyKey`, because a task whose worker died is retried.
 *
 * @example
 * ```ts
 * import type { DataSource } from "@lawful/dsr";
 * const empty: DataSource = {
 *   id: "empty", categories: [],
 *   locate: async () => ({ found: false, categories: [], records: 0 }),
 *   export: async () => [],
 *   rectify: async () => ({ updated: 0 }),
 *   erase: async () => ({}),
 *   restrict: async () => ({}),
 * };
 * ```
 */
export interface DataSource {
  readonly id: string;
  /** The data categories this source can hold. */
  readonly categories: readonly string[];
  /** Whether the source holds data of the subject, and of which categories. */
  locate(ctx: DataSourceContext): Promise<{ found: boolean; categories: string[]; records: number }>;
  /** The subject's data, limited to `categories` when given. */
  export(ctx: DataSourceContext, options: { categories?: readonly string[] | undefined }): Promise<ExportedRecord[]>;
  /** Apply the corrections; returns how many values changed. */
  rectify(ctx: DataSourceContext, options: { rectifications: readonly Rectification[] }): Promise<{ updated: number }>;
  /** Erase the subject's data of `categories`; returns records affected per category. */
  erase(ctx: DataSourceContext, options: { categories: readonly string[] }): Promise<CategoryCounts>;
  /** Mark the data restricted (storage only, Art. 18(2)), or lift the restriction. */
  restrict(ctx: DataSourceContext, options: { categories: readonly string[]; lift: boolean }): Promise<CategoryCounts>;
}
