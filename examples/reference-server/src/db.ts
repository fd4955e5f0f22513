import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import {
  configureSqlite,
  inSqliteTransaction,
  pgQueryable,
  pgTransaction,
  runPgMigrations,
  runSqliteMigrations,
  sqliteTransaction,
  type Migration,
  type MigrationResult,
  type PgPool,
  type SqliteDatabase,
} from "@lawful/core";

/** A small SQL runner over either database, with `?` placeholders. */
export interface Sql {
  readonly kind: "sqlite" | "postgres";
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  get<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Run `fn` in one transaction (nested calls and package stores on the same connection join it). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  migrate(component: string, migrations: readonly Migration[]): Promise<MigrationResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The opened database: the runner plus the raw client the Lawful stores take. */
export type OpenDatabase =
  | { kind: "sqlite"; sql: Sql; database: SqliteDatabase; path: string }
  | { kind: "postgres"; sql: Sql; pool: PgPool };

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Open the database named by DATABASE_URL (`sqlite:<path>` or `postgres://…`). */
export function openDatabase(url: string): OpenDatabase {
  if (url.startsWith("sqlite:")) {
    const path = resolve(url.slice("sqlite:".length) || "./data/lawful.db");
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    configureSqlite(db);
    // one connection: a write outside a transaction waits for the transaction another request has
    // open on it and commits on its own, instead of riding along in (and being lost with) that one
    // prepared statements by SQL text (preparing costs more than running most of these queries); the
    // server's SQL is a bounded set of constant strings, the bound only guards against a runaway
    const statements = new Map<string, Database.Statement>();
    const prepare = (q: string): Database.Statement => {
      let s = statements.get(q);
      if (s === undefined) {
        if (statements.size >= 1000) statements.clear();
        statements.set(q, (s = db.prepare(q)));
      }
      return s;
    };
    const exec = <T>(q: string, f: (s: Database.Statement) => T): Promise<T> => {
      const s = prepare(q);
      return s.readonly || inSqliteTransaction(db) ? Promise.resolve(f(s)) : sqliteTransaction(db, () => f(s));
    };
    const sql: Sql = {
      kind: "sqlite",
      all: (q, p = []) => exec(q, (s) => s.all(...p) as never[]),
      get: (q, p = []) => exec(q, (s) => s.get(...p) as never),
      run: (q, p = []) => exec(q, (s) => s.run(...p).changes),
      transaction: (fn) => sqliteTransaction(db, fn),
      migrate: (component, migrations) => runSqliteMigrations(db, { component, migrations }),
      ping: () => Promise.resolve(void db.prepare("SELECT 1").get()),
      close: () => {
        if (db.open) db.close();
        return Promise.resolve();
      },
    };
    return { kind: "sqlite", sql, database: db, path };
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {
    /* idle client errors are retried on next checkout */
  });
  let closed = false;
  const sql: Sql = {
    kind: "postgres",
    all: async (q, p = []) => (await pgQueryable(pool).query(toPg(q), [...p])).rows as never[],
    get: async (q, p = []) => (await pgQueryable(pool).query(toPg(q), [...p])).rows[0] as never,
    run: async (q, p = []) => (await pgQueryable(pool).query(toPg(q), [...p])).rowCount ?? 0,
    transaction: (fn) => pgTransaction(pool, () => fn()),
    migrate: (component, migrations) => runPgMigrations(pool, { component, migrations }),
    ping: async () => void (await pool.query("SELECT 1")),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return { kind: "postgres", sql, pool };
}
