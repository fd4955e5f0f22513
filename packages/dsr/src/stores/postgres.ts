/**
 * `@lawful/dsr/postgres`: a durable {@link DsrStore} on PostgreSQL (pg, injected) whose queue
 * several processes can work at once (`FOR UPDATE SKIP LOCKED` with leases), and the ready
 * SQL-table {@link DataSource} for PostgreSQL databases.
 * @module
 */
import * as z from "zod";
import { ERROR_CODES, once, pgQueryable, pgTransaction, runPgMigrations, type Migration, type PgPool, PgPoolSchema } from "@lawful/core";
import type { DataSource } from "../data-source.js";
import { DsrError } from "../errors.js";
import { createSqlDsrStore } from "../internal/sql-store.js";
import { COMPONENT, type TaskRow } from "../internal/store-helpers.js";
import { createSqlTableDataSource, SqlTableMappingSchema, type SqlTableMapping } from "../sql/table-data-source.js";
import type { DsrStore } from "../store.js";

export { SqlTableMappingSchema, type SqlTableMapping };

/**
 * The PostgreSQL schema migrations of the DSR store (component `@lawful/dsr`).
 *
 * @example
 * ```ts
 * import { DSR_POSTGRES_MIGRATIONS } from "@lawful/dsr/postgres";
 * DSR_POSTGRES_MIGRATIONS.length; // 1
 * ```
 */
export const DSR_POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "dsr requests and task queue",
    sql: [
      `CREATE TABLE dsr_requests (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL, subject_key TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL, due_at TIMESTAMPTZ NOT NULL, version INTEGER NOT NULL, record JSONB NOT NULL,
        PRIMARY KEY (tenant_id, id))`,
      `CREATE INDEX dsr_requests_subject ON dsr_requests (tenant_id, subject_key, type)`,
      `CREATE INDEX dsr_requests_due ON dsr_requests (tenant_id, state, due_at)`,
      `CREATE INDEX dsr_requests_received ON dsr_requests (tenant_id, received_at)`,
      `CREATE TABLE dsr_tasks (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
        payload JSONB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,
        available_at TIMESTAMPTZ NOT NULL, claimed_by TEXT, claimed_until TIMESTAMPTZ, result JSONB, last_error TEXT,
        created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, completed_at TIMESTAMPTZ)`,
      `CREATE INDEX dsr_tasks_ready ON dsr_tasks (status, available_at)`,
      `CREATE INDEX dsr_tasks_request ON dsr_tasks (tenant_id, request_id)`,
    ],
  },
]);

/**
 * Options of {@link createPostgresDsrStore}: a pg `Pool` (typed structurally; the caller owns it).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresDsrStoreOptions } from "@lawful/dsr/postgres";
 * const o: PostgresDsrStoreOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresDsrStoreOptions {
  pool: PgPool;
}

function pool(options: unknown, what: string): PgPool {
  const r = z
    .object({
      pool: PgPoolSchema,
    })
    .safeParse(options);
  if (!r.success) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `${what} needs { pool }: a pg Pool.`);
  return r.data.pool;
}

/**
 * Create a durable {@link DsrStore} on PostgreSQL. Several processes may call `work()` on the
 * same queue: tasks are claimed with `FOR UPDATE SKIP LOCKED` and a lease (`claimed_until`); a task
 * whose worker died is claimed again after the lease, and only the current lease owner can
 * complete it. Queries honour an outer core `pgTransaction` on the same pool.
 *
 * @throws DsrError `INVALID_CONFIGURATION` without a pool.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresDsrStore } from "@lawful/dsr/postgres";
 * const store = createPostgresDsrStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * ```
 */
export function createPostgresDsrStore(options: PostgresDsrStoreOptions): DsrStore {
  const p = pool(options, "createPostgresDsrStore");
  const ready = once(async () => {
    await runPgMigrations(p, { component: COMPONENT, migrations: DSR_POSTGRES_MIGRATIONS });
  });
  return createSqlDsrStore(
    "postgres",
    { durable: true, multiProcessWorkers: true },
    {
      dialect: "postgres",
      ready,
      all: async (sql, params) => (await pgQueryable(p).query<Record<string, unknown>>(sql, params)).rows,
      run: async (sql, params) => (await pgQueryable(p).query(sql, params)).rowCount ?? 0,
      transaction: (fn) => pgTransaction(p, () => fn()),
      claim: async ({ workerId, limit, now, leaseMs }) => {
        const { rows } = await pgQueryable(p).query<TaskRow>(
          `UPDATE dsr_tasks t SET status = 'claimed', claimed_by = $1, claimed_until = $2, attempts = t.attempts + 1, updated_at = $3
           WHERE t.id IN (
             SELECT id FROM dsr_tasks
             WHERE (status = 'pending' AND available_at <= $3) OR (status = 'claimed' AND claimed_until < $3)
             ORDER BY available_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING t.*`,
          [workerId, new Date(now.getTime() + leaseMs), now, Math.max(0, limit)],
        );
        return rows.sort((a, b) => new Date(a.available_at).getTime() - new Date(b.available_at).getTime() || (a.id < b.id ? -1 : 1));
      },
    },
  );
}

/**
 * Options of {@link createPostgresTableDataSource}: the pool and the table mapping.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresTableDataSourceOptions } from "@lawful/dsr/postgres";
 * const o: PostgresTableDataSourceOptions = {
 *   pool: new pg.Pool(), id: "contacts", table: "contacts", key: "id", subject: { email: "email" },
 *   columns: { email: { category: "contact.email", erase: "null" } },
 * };
 * ```
 */
export type PostgresTableDataSourceOptions = SqlTableMapping & { pool: PgPool };

/**
 * A ready {@link DataSource} over one PostgreSQL table: columns map to data categories; erase by
 * row delete, NULL, keyed hash (HMAC-SHA256) or redaction; restriction through a flag column.
 *
 * @throws DsrError `INVALID_CONFIGURATION` for a bad mapping.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresTableDataSource } from "@lawful/dsr/postgres";
 * const contacts = createPostgresTableDataSource({
 *   pool: new pg.Pool(), id: "contacts", table: "contacts", key: "id", subject: { email: "email" },
 *   columns: { email: { category: "contact.email", erase: "delete" } }, restrictionColumn: "restricted",
 * });
 * ```
 */
export function createPostgresTableDataSource(options: PostgresTableDataSourceOptions): DataSource {
  const p = pool(options, "createPostgresTableDataSource");
  const { pool: _pool, ...mapping } = options;
  return createSqlTableDataSource(
    {
      dialect: "postgres",
      all: async (sql, params) => (await pgQueryable(p).query<Record<string, unknown>>(sql, params)).rows,
      run: async (sql, params) => (await pgQueryable(p).query(sql, params)).rowCount ?? 0,
      transaction: (fn) => pgTransaction(p, () => fn()),
    },
    mapping,
  );
}
