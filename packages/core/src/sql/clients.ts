import * as z from "zod";

/**
 * Structural client types: the subset of better-sqlite3 and pg that Lawful
 * stores use. Stores take these, so no Lawful package depends on a driver;
 * pass a real `better-sqlite3` `Database` or a `pg` `Pool` and it fits.
 * @module
 */

/**
 * The result of running a write statement on SQLite.
 *
 * @example
 * ```ts
 * import type { SqliteRunResult } from "@lawful/core";
 * const r: SqliteRunResult = { changes: 1, lastInsertRowid: 7 };
 * ```
 */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * A prepared SQLite statement (better-sqlite3 `Statement` subset).
 *
 * @example
 * ```ts
 * import type { SqliteDatabase } from "@lawful/core";
 * function count(db: SqliteDatabase): number {
 *   return (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
 * }
 * ```
 */
export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/**
 * A synchronous SQLite connection (better-sqlite3 `Database` subset).
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteDatabase } from "@lawful/core";
 * const db: SqliteDatabase = new Database("lawful.db");
 * ```
 */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly inTransaction: boolean;
  readonly open: boolean;
  readonly name: string;
}

/**
 * The result of a pg query (pg `QueryResult` subset).
 *
 * @example
 * ```ts
 * import type { PgQueryResult } from "@lawful/core";
 * const r: PgQueryResult<{ n: number }> = { rows: [{ n: 1 }], rowCount: 1 };
 * ```
 */
export interface PgQueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/**
 * Anything that runs a parameterised PostgreSQL query: a pg `Pool`, `Client` or `PoolClient`.
 *
 * @example
 * ```ts
 * import type { PgQueryable } from "@lawful/core";
 * async function now(db: PgQueryable) {
 *   return (await db.query<{ now: Date }>("SELECT now() AS now")).rows[0]?.now;
 * }
 * ```
 */
export interface PgQueryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R = any>(text: string, values?: unknown[]): Promise<PgQueryResult<R>>;
}

/**
 * A client checked out of a pool (pg `PoolClient` subset).
 *
 * @example
 * ```ts
 * import type { PgPool } from "@lawful/core";
 * async function ping(pool: PgPool) {
 *   const c = await pool.connect();
 *   try { await c.query("SELECT 1"); } finally { c.release(); }
 * }
 * ```
 */
export interface PgPoolClient extends PgQueryable {
  release(err?: Error | boolean): void;
}

/**
 * A PostgreSQL connection pool (pg `Pool` subset). Stores take a pool so they can hold a
 * connection for a transaction; the caller owns it and ends it.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PgPool } from "@lawful/core";
 * const pool: PgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
}

/**
 * Zod schema that accepts a SQLite connection by shape (a better-sqlite3 `Database`: `prepare` and `exec`),
 * for store options. Stores check clients by shape only, so no driver is needed to validate them.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { SqliteDatabaseSchema } from "@lawful/core";
 * const OptionsSchema = z.object({ database: SqliteDatabaseSchema });
 * ```
 */
export const SqliteDatabaseSchema = z.custom<SqliteDatabase>(
  (v) => typeof v === "object" && v !== null && typeof (v as SqliteDatabase).prepare === "function" && typeof (v as SqliteDatabase).exec === "function",
  { message: "must be a better-sqlite3 Database (with prepare and exec)" },
);

/**
 * Zod schema that accepts a PostgreSQL pool by shape (a pg `Pool`: `query` and `connect`), for store options.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { PgPoolSchema } from "@lawful/core";
 * const OptionsSchema = z.object({ pool: PgPoolSchema });
 * ```
 */
export const PgPoolSchema = z.custom<PgPool>(
  (v) => typeof v === "object" && v !== null && typeof (v as PgPool).query === "function" && typeof (v as PgPool).connect === "function",
  { message: "must be a pg Pool (with query and connect)" },
);
