/**
 * `@lawful/dsr/sqlite`: a durable {@link DsrStore} on SQLite (better-sqlite3, injected) and the
 * ready SQL-table {@link DataSource} for SQLite databases.
 * @module
 */
import * as z from "zod";
import { ERROR_CODES, once, runSqliteMigrations, sqliteTransaction, type Migration, type SqliteDatabase, SqliteDatabaseSchema } from "@lawful/core";
import type { DataSource } from "../data-source.js";
import { DsrError } from "../errors.js";
import { createSqlDsrStore } from "../internal/sql-store.js";
import { COMPONENT, type TaskRow } from "../internal/store-helpers.js";
import { createSqlTableDataSource, SqlTableMappingSchema, type SqlTableMapping } from "../sql/table-data-source.js";
import type { DsrStore } from "../store.js";

export { SqlTableMappingSchema, type SqlTableMapping };

/**
 * The SQLite schema migrations of the DSR store (component `@lawful/dsr`).
 *
 * @example
 * ```ts
 * import { DSR_SQLITE_MIGRATIONS } from "@lawful/dsr/sqlite";
 * DSR_SQLITE_MIGRATIONS.length; // 1
 * ```
 */
export const DSR_SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "dsr requests and task queue",
    sql: [
      `CREATE TABLE dsr_requests (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL, subject_key TEXT NOT NULL,
        received_at TEXT NOT NULL, due_at TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)) WITHOUT ROWID`,
      `CREATE INDEX dsr_requests_subject ON dsr_requests (tenant_id, subject_key, type)`,
      `CREATE INDEX dsr_requests_due ON dsr_requests (tenant_id, state, due_at)`,
      `CREATE INDEX dsr_requests_received ON dsr_requests (tenant_id, received_at)`,
      `CREATE TABLE dsr_tasks (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,
        available_at TEXT NOT NULL, claimed_by TEXT, claimed_until TEXT, result TEXT, last_error TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, completed_at TEXT)`,
      `CREATE INDEX dsr_tasks_ready ON dsr_tasks (status, available_at)`,
      `CREATE INDEX dsr_tasks_request ON dsr_tasks (tenant_id, request_id)`,
    ],
  },
]);

/**
 * Options of {@link createSqliteDsrStore}: a better-sqlite3 connection (typed structurally; the
 * caller owns it and should call core's `configureSqlite` on it).
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteDsrStoreOptions } from "@lawful/dsr/sqlite";
 * const o: SqliteDsrStoreOptions = { database: new Database("lawful.db") };
 * ```
 */
export interface SqliteDsrStoreOptions {
  database: SqliteDatabase;
}


function database(options: unknown, what: string): SqliteDatabase {
  const r = z.object({ database: SqliteDatabaseSchema }).safeParse(options);
  if (!r.success) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, `${what} needs { database }: a better-sqlite3 Database.`);
  return r.data.database;
}

/**
 * Create a durable {@link DsrStore} on SQLite. Tables are created lazily on first use. One
 * process works the queue (SQLite serialises writers); use PostgreSQL for several worker processes.
 *
 * @throws DsrError `INVALID_CONFIGURATION` without a database.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * import { createSqliteDsrStore } from "@lawful/dsr/sqlite";
 * const db = new Database("lawful.db");
 * configureSqlite(db);
 * const store = createSqliteDsrStore({ database: db });
 * ```
 */
export function createSqliteDsrStore(options: SqliteDsrStoreOptions): DsrStore {
  const db = database(options, "createSqliteDsrStore");
  const ready = once(async () => {
    await runSqliteMigrations(db, { component: COMPONENT, migrations: DSR_SQLITE_MIGRATIONS });
  });
  return createSqlDsrStore(
    "sqlite",
    { durable: true, multiProcessWorkers: false },
    {
      dialect: "sqlite",
      ready,
      // reads queue behind open Lawful transactions on this connection, so they never see half-written data
      all: (sql, params) => sqliteTransaction(db, () => db.prepare(sql).all(...params) as Record<string, unknown>[], { mode: "DEFERRED" }),
      run: (sql, params) => sqliteTransaction(db, () => db.prepare(sql).run(...params).changes),
      transaction: (fn) => sqliteTransaction(db, fn),
      claim: ({ workerId, limit, now, leaseMs }) =>
        sqliteTransaction(db, () => {
          const at = now.toISOString();
          const rows = db
            .prepare(
              `SELECT id FROM dsr_tasks WHERE (status = 'pending' AND available_at <= ?) OR (status = 'claimed' AND claimed_until < ?) ORDER BY available_at, id LIMIT ?`,
            )
            .all(at, at, Math.max(0, limit)) as { id: string }[];
          const until = new Date(now.getTime() + leaseMs).toISOString();
          const update = db.prepare(`UPDATE dsr_tasks SET status = 'claimed', claimed_by = ?, claimed_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`);
          const get = db.prepare(`SELECT * FROM dsr_tasks WHERE id = ?`);
          return rows.map((r) => {
            update.run(workerId, until, at, r.id);
            return get.get(r.id) as TaskRow;
          });
        }),
    },
  );
}

/**
 * Options of {@link createSqliteTableDataSource}: the database and the table mapping.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteTableDataSourceOptions } from "@lawful/dsr/sqlite";
 * const o: SqliteTableDataSourceOptions = {
 *   database: new Database("crm.db"),
 *   id: "contacts", table: "contacts", key: "id", subject: { email: "email" },
 *   columns: { email: { category: "contact.email", erase: "delete" } },
 * };
 * ```
 */
export type SqliteTableDataSourceOptions = SqlTableMapping & { database: SqliteDatabase };

/**
 * A ready {@link DataSource} over one SQLite table: columns map to data categories; erase by
 * row delete, NULL, keyed hash (HMAC-SHA256) or redaction; restriction through a flag column.
 * Every write runs in a transaction and every operation is idempotent.
 *
 * @throws DsrError `INVALID_CONFIGURATION` for a bad mapping (identifiers are checked, never interpolated unchecked).
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { createSqliteTableDataSource } from "@lawful/dsr/sqlite";
 * const contacts = createSqliteTableDataSource({
 *   database: new Database("crm.db"),
 *   id: "contacts", table: "contacts", key: "id", subject: { email: "email" },
 *   columns: { email: { category: "contact.email", erase: "delete" }, name: { category: "identity.name", erase: "delete" } },
 *   restrictionColumn: "restricted",
 * });
 * ```
 */
export function createSqliteTableDataSource(options: SqliteTableDataSourceOptions): DataSource {
  const db = database(options, "createSqliteTableDataSource");
  const { database: _db, ...mapping } = options;
  return createSqlTableDataSource(
    {
      dialect: "sqlite",
      // reads queue behind open Lawful transactions on this connection, so they never see half-written data
      all: (sql, params) => sqliteTransaction(db, () => db.prepare(sql).all(...params) as Record<string, unknown>[], { mode: "DEFERRED" }),
      run: (sql, params) => sqliteTransaction(db, () => db.prepare(sql).run(...params).changes),
      transaction: (fn) => sqliteTransaction(db, fn),
    },
    mapping,
  );
}
