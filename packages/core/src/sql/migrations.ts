import { createHash } from "node:crypto";
import * as z from "zod";
import { ERROR_CODES, LawfulError, parseOrThrow } from "../errors.js";
import type { PgPool, SqliteDatabase } from "./clients.js";
import { pgQueryable, pgTransaction, sqliteTransaction } from "./transactions.js";

/**
 * One versioned schema change of a package. Versions start at 1 and increase by one;
 * a migration's SQL never changes once released (its checksum is recorded).
 *
 * @example
 * ```ts
 * import type { Migration } from "@lawful/core";
 * const m: Migration = { version: 1, name: "create events", sql: "CREATE TABLE events (id TEXT PRIMARY KEY)" };
 * ```
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One or more statements, run in order inside the migration's transaction. */
  readonly sql: string | readonly string[];
}

/**
 * A package's migrations for one SQL dialect.
 *
 * @example
 * ```ts
 * import type { MigrationSet } from "@lawful/core";
 * const set: MigrationSet = { component: "@lawful/audit", migrations: [{ version: 1, name: "init", sql: "CREATE TABLE a (x INT)" }] };
 * ```
 */
export interface MigrationSet {
  /** The owner, usually the package name; versions are counted per component. */
  readonly component: string;
  readonly migrations: readonly Migration[];
}

/**
 * What a migration run did.
 *
 * @example
 * ```ts
 * import type { MigrationResult } from "@lawful/core";
 * const r: MigrationResult = { component: "@lawful/audit", applied: [1, 2], current: 2 };
 * ```
 */
export interface MigrationResult {
  readonly component: string;
  /** Versions applied by this run (empty when the schema was up to date). */
  readonly applied: readonly number[];
  /** The schema version after the run. */
  readonly current: number;
}

/**
 * Name of the table that records applied migrations of every component.
 *
 * @example
 * ```ts
 * import { MIGRATIONS_TABLE } from "@lawful/core";
 * MIGRATIONS_TABLE; // "lawful_migrations"
 * ```
 */
export const MIGRATIONS_TABLE = "lawful_migrations";

const MigrationSetSchema = z.object({
  component: z.string().min(1).max(128),
  migrations: z
    .array(
      z.object({
        version: z.number().int().positive(),
        name: z.string().min(1).max(200),
        sql: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      }),
    )
    .superRefine((ms, ctx) => {
      ms.forEach((m, i) => {
        if (m.version !== i + 1) ctx.addIssue({ code: "custom", path: [i, "version"], message: `must be ${i + 1}: versions start at 1 and increase by one` });
      });
    }),
});

function checksum(m: Migration): string {
  const sql = typeof m.sql === "string" ? [m.sql] : m.sql;
  return createHash("sha256").update(sql.join("\n;\n")).digest("hex");
}

function statements(m: Migration): readonly string[] {
  return typeof m.sql === "string" ? [m.sql] : m.sql;
}

interface AppliedRow {
  version: number;
  checksum: string;
}

function checkApplied(set: MigrationSet, applied: readonly AppliedRow[]): number {
  let current = 0;
  for (const row of applied) {
    const known = set.migrations[row.version - 1];
    if (!known) {
      throw new LawfulError(
        ERROR_CODES.MIGRATION_FAILED,
        `The database schema of ${set.component} is at version ${row.version}, newer than this code knows (${set.migrations.length}). Upgrade the package.`,
      );
    }
    if (known.version !== row.version || checksum(known) !== row.checksum) {
      throw new LawfulError(
        ERROR_CODES.MIGRATION_FAILED,
        `Migration ${set.component} v${row.version} (${known.name}) was changed after it was applied; migrations are immutable.`,
      );
    }
    current = Math.max(current, row.version);
  }
  return current;
}

/**
 * Apply the pending migrations of `set` to a SQLite database, each in its own transaction,
 * recording them in {@link MIGRATIONS_TABLE}. Idempotent: a second run applies nothing.
 *
 * @throws LawfulError `MIGRATION_FAILED` when the schema is newer than the code, a recorded migration changed, or a statement fails.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { runSqliteMigrations } from "@lawful/core";
 * const db = new Database("app.db");
 * await runSqliteMigrations(db, { component: "my-store", migrations: [{ version: 1, name: "init", sql: "CREATE TABLE t (x INT)" }] });
 * ```
 */
export async function runSqliteMigrations(db: SqliteDatabase, set: MigrationSet): Promise<MigrationResult> {
  parseOrThrow(MigrationSetSchema, set, "migration set");
  return sqliteTransaction(db, () => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))`,
    );
    const applied = db
      .prepare(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} WHERE component = ? ORDER BY version`)
      .all(set.component) as AppliedRow[];
    let current = checkApplied(set, applied);
    const done: number[] = [];
    for (const m of set.migrations.slice(current)) {
      try {
        for (const sql of statements(m)) db.exec(sql);
      } catch (cause) {
        throw new LawfulError(ERROR_CODES.MIGRATION_FAILED, `Migration ${set.component} v${m.version} (${m.name}) failed; nothing of it was applied.`, { cause });
      }
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (component, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)`).run(
        set.component,
        m.version,
        m.name,
        checksum(m),
        new Date().toISOString(),
      );
      done.push(m.version);
      current = m.version;
    }
    return { component: set.component, applied: done, current };
  });
}

/**
 * Apply the pending migrations of `set` to PostgreSQL in one transaction, holding a
 * transaction-scoped advisory lock so several processes starting at once migrate exactly once.
 * Idempotent.
 *
 * @throws LawfulError `MIGRATION_FAILED` when the schema is newer than the code, a recorded migration changed, or a statement fails.
 * @example
 * ```ts
 * import pg from "pg";
 * import { runPgMigrations } from "@lawful/core";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await runPgMigrations(pool, { component: "my-store", migrations: [{ version: 1, name: "init", sql: "CREATE TABLE t (x INT)" }] });
 * ```
 */
export async function runPgMigrations(pool: PgPool, set: MigrationSet): Promise<MigrationResult> {
  parseOrThrow(MigrationSetSchema, set, "migration set");
  // an up-to-date schema needs no lock: stores migrate lazily on first use, often inside a caller's
  // transaction, which would otherwise hold the global migration lock until it ends (and could wait
  // on other processes' transactions doing the same)
  const q = pgQueryable(pool);
  if ((await q.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [MIGRATIONS_TABLE])).rows[0]?.t) {
    const { rows } = await q.query<AppliedRow>(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} WHERE component = $1 ORDER BY version`, [set.component]);
    const current = checkApplied(set, rows);
    if (current === set.migrations.length) return { component: set.component, applied: [], current };
  }
  return pgTransaction(pool, async (client) => {
    // one lock for all components: CREATE TABLE IF NOT EXISTS itself races without it
    await client.query("SELECT pg_advisory_xact_lock(7254812001)");
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
    );
    const { rows } = await client.query<AppliedRow>(`SELECT version, checksum FROM ${MIGRATIONS_TABLE} WHERE component = $1 ORDER BY version`, [
      set.component,
    ]);
    let current = checkApplied(set, rows);
    const done: number[] = [];
    for (const m of set.migrations.slice(current)) {
      try {
        for (const sql of statements(m)) await client.query(sql);
      } catch (cause) {
        throw new LawfulError(ERROR_CODES.MIGRATION_FAILED, `Migration ${set.component} v${m.version} (${m.name}) failed; nothing was applied.`, { cause });
      }
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (component, version, name, checksum) VALUES ($1, $2, $3, $4)`, [
        set.component,
        m.version,
        m.name,
        checksum(m),
      ]);
      done.push(m.version);
      current = m.version;
    }
    return { component: set.component, applied: done, current };
  });
}

/**
 * Memoise an async initialiser: the first call runs it, later calls share its promise;
 * a failure is not cached, so the next call retries.
 *
 * @example
 * ```ts
 * import { once } from "@lawful/core";
 * const ready = once(async () => { console.log("migrating"); });
 * await ready(); await ready(); // logs once
 * ```
 */
export function once<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Options of {@link configureSqlite}.
 *
 * @example
 * ```ts
 * import type { SqliteConfigureOptions } from "@lawful/core";
 * const o: SqliteConfigureOptions = { busyTimeoutMs: 10_000 };
 * ```
 */
export interface SqliteConfigureOptions {
  /** How long a writer waits for the lock of another connection. @default 5000 */
  busyTimeoutMs?: number | undefined;
  /** Overwrite deleted content with zeros (needed for erasure to reach the file). @default true */
  secureDelete?: boolean | undefined;
}

/**
 * Put a SQLite connection into the mode Lawful's durability promises rely on:
 * WAL journal, `synchronous = FULL` (better-sqlite3 drops to NORMAL when it reopens a
 * WAL file, and NORMAL can lose committed transactions on power loss), foreign keys on,
 * `secure_delete` on, and a busy timeout. Call it on every open; it is idempotent.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * const db = new Database("lawful.db");
 * configureSqlite(db);
 * ```
 */
export function configureSqlite(db: SqliteDatabase, options: SqliteConfigureOptions = {}): void {
  if (db.name !== ":memory:" && db.name !== "") db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma(`secure_delete = ${options.secureDelete === false ? "OFF" : "ON"}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
}
