import { AsyncLocalStorage } from "node:async_hooks";
import { ERROR_CODES, LawfulError } from "../errors.js";
import type { PgPool, PgPoolClient, PgQueryable, SqliteDatabase } from "./clients.js";

interface SqliteFrame {
  db: SqliteDatabase;
  depth: number;
}
interface PgFrame {
  pool: PgPool;
  client: PgPoolClient;
  depth: number;
}

const sqliteContext = new AsyncLocalStorage<SqliteFrame[]>();
const pgContext = new AsyncLocalStorage<PgFrame[]>();
const sqliteLocks = new WeakMap<SqliteDatabase, Promise<unknown>>();

/**
 * Options of {@link sqliteTransaction}.
 *
 * @example
 * ```ts
 * import type { SqliteTransactionOptions } from "@lawful/core";
 * const opts: SqliteTransactionOptions = { mode: "IMMEDIATE" };
 * ```
 */
export interface SqliteTransactionOptions {
  /** SQLite transaction mode. @default "IMMEDIATE" (takes the write lock at once, so concurrent writers queue instead of failing). */
  mode?: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | undefined;
}

/**
 * Run `fn` in one SQLite transaction on `db`; commit when it resolves, roll back when it throws.
 *
 * Transactions on the same connection are serialised (an async lock per
 * connection), so an `await` inside one cannot let another flow's statements
 * slip in. Nested calls — in the same async flow, from any store that shares
 * the connection — become savepoints, so several stores can write in one
 * transaction: wrap their calls in an outer `sqliteTransaction`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { sqliteTransaction } from "@lawful/core";
 * const db = new Database("app.db");
 * await sqliteTransaction(db, async () => {
 *   db.prepare("INSERT INTO t (x) VALUES (?)").run(1);
 *   db.prepare("INSERT INTO t (x) VALUES (?)").run(2);
 * });
 * ```
 */
export async function sqliteTransaction<T>(
  db: SqliteDatabase,
  fn: () => T | Promise<T>,
  options: SqliteTransactionOptions = {},
): Promise<T> {
  const frames = sqliteContext.getStore();
  const frame = frames?.find((f) => f.db === db);
  if (frame) {
    const name = `lawful_sp_${++frame.depth}`;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      db.exec(`ROLLBACK TO ${name}`);
      db.exec(`RELEASE ${name}`);
      throw error;
    } finally {
      frame.depth--;
    }
  }
  const previous = sqliteLocks.get(db) ?? Promise.resolve();
  let unlock!: () => void;
  const lock = new Promise<void>((resolve) => (unlock = resolve));
  const chained = previous.then(() => lock);
  sqliteLocks.set(db, chained);
  await previous;
  try {
    if (db.inTransaction) {
      throw new LawfulError(
        ERROR_CODES.STORE_FAILED,
        "The SQLite connection is already inside a transaction that Lawful did not open; run Lawful store calls outside it or inside sqliteTransaction().",
      );
    }
    db.exec(`BEGIN ${options.mode ?? "IMMEDIATE"}`);
    try {
      const result = await sqliteContext.run([...(frames ?? []), { db, depth: 0 }], fn);
      db.exec("COMMIT");
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    unlock();
    if (sqliteLocks.get(db) === chained) sqliteLocks.delete(db);
  }
}

/**
 * True when the current async flow is inside {@link sqliteTransaction} on `db`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { inSqliteTransaction, sqliteTransaction } from "@lawful/core";
 * const db = new Database(":memory:");
 * await sqliteTransaction(db, () => inSqliteTransaction(db)); // true
 * ```
 */
export function inSqliteTransaction(db: SqliteDatabase): boolean {
  return sqliteContext.getStore()?.some((f) => f.db === db) ?? false;
}

/**
 * Options of {@link pgTransaction}.
 *
 * @example
 * ```ts
 * import type { PgTransactionOptions } from "@lawful/core";
 * const opts: PgTransactionOptions = { isolation: "SERIALIZABLE" };
 * ```
 */
export interface PgTransactionOptions {
  /** Isolation level of the outer transaction. @default "READ COMMITTED" */
  isolation?: "READ COMMITTED" | "REPEATABLE READ" | "SERIALIZABLE" | undefined;
}

/**
 * Run `fn` in one PostgreSQL transaction on a client checked out of `pool`; commit when it
 * resolves, roll back when it throws, and always release the client.
 *
 * Stores call {@link pgQueryable}`(pool)` for every query, which answers the
 * transaction's client inside `pgTransaction` and the pool outside it. So wrapping
 * calls of several stores that share a pool in one `pgTransaction` makes them
 * commit together; nested calls become savepoints.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { pgTransaction } from "@lawful/core";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await pgTransaction(pool, async (client) => {
 *   await client.query("INSERT INTO t (x) VALUES ($1)", [1]);
 * });
 * ```
 */
export async function pgTransaction<T>(
  pool: PgPool,
  fn: (client: PgQueryable) => Promise<T>,
  options: PgTransactionOptions = {},
): Promise<T> {
  const frames = pgContext.getStore();
  const frame = frames?.find((f) => f.pool === pool);
  if (frame) {
    const name = `lawful_sp_${++frame.depth}`;
    await frame.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(frame.client);
      await frame.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await frame.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    } finally {
      frame.depth--;
    }
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${options.isolation ?? "READ COMMITTED"}`);
    try {
      const result = await pgContext.run([...(frames ?? []), { pool, client, depth: 0 }], () => fn(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error("ROLLBACK failed");
      }
      throw error;
    }
  } finally {
    client.release(broken ?? false);
  }
}

/**
 * The queryable to use for `pool` in the current async flow: the open transaction's
 * client inside {@link pgTransaction}, else the pool itself.
 *
 * @example
 * ```ts
 * import type { PgPool } from "@lawful/core";
 * import { pgQueryable } from "@lawful/core";
 * async function insert(pool: PgPool) {
 *   await pgQueryable(pool).query("INSERT INTO t (x) VALUES ($1)", [1]);
 * }
 * ```
 */
export function pgQueryable(pool: PgPool): PgQueryable {
  return pgContext.getStore()?.find((f) => f.pool === pool)?.client ?? pool;
}
