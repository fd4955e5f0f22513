import * as z from "zod";
import {
  ERROR_CODES,
  isLawfulError,
  issuesFromZod,
  once,
  runSqliteMigrations,
  sqliteTransaction,
  type KeyStore,
  type Migration,
  type SqliteDatabase,
  type SqliteStatement,
  type StoredSubjectKey,
  SqliteDatabaseSchema,
} from "@lawful/core";
import { AuditError } from "../errors.js";
import { checkAppended } from "../internal/append.js";
import { AUDIT_COMPONENT as COMPONENT, KEYS_COMPONENT, filterSql } from "../internal/sql.js";
import { newStoredNodes, type MerkleHashReader } from "../merkle.js";
import type { AuditRecord, AuditStoreFilter, StoredCheckpoint } from "../model.js";
import type { AppendBuilder, AuditStore } from "../store.js";


/**
 * The SQLite schema migrations of the audit store (component `@lawful/audit`). The store applies them lazily on
 * first use; an application may apply them up front with core's `runSqliteMigrations`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { runSqliteMigrations } from "@lawful/core";
 * import { AUDIT_SQLITE_MIGRATIONS } from "@lawful/audit/sqlite";
 * await runSqliteMigrations(new Database("app.db"), { component: "@lawful/audit", migrations: AUDIT_SQLITE_MIGRATIONS });
 * ```
 */
export const AUDIT_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "audit log tables",
    sql: [
      `CREATE TABLE audit_events (
        tenant_id TEXT NOT NULL, sequence INTEGER NOT NULL, id TEXT NOT NULL, bytes BLOB NOT NULL, leaf_hash BLOB NOT NULL,
        occurred_at INTEGER NOT NULL, action TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, subject TEXT,
        target_system TEXT, target_record_type TEXT, target_record_id TEXT,
        PRIMARY KEY (tenant_id, sequence)) WITHOUT ROWID`,
      "CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject, sequence) WHERE subject IS NOT NULL",
      "CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, sequence)",
      "CREATE INDEX audit_events_occurred ON audit_events (tenant_id, occurred_at)",
      "CREATE TABLE audit_nodes (tenant_id TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (tenant_id, level, idx)) WITHOUT ROWID",
      "CREATE TABLE audit_heads (tenant_id TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID",
      "CREATE TABLE audit_checkpoints (tenant_id TEXT NOT NULL, tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL, note TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, tree_size)) WITHOUT ROWID",
    ],
  },
];

/**
 * The SQLite schema migrations of the keyring key store (component `@lawful/audit:keystore`). The store applies them lazily on
 * first use; an application may apply them up front with core's `runSqliteMigrations`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { runSqliteMigrations } from "@lawful/core";
 * import { AUDIT_KEYS_SQLITE_MIGRATIONS } from "@lawful/audit/sqlite";
 * await runSqliteMigrations(new Database("app.db"), { component: "@lawful/audit:keystore", migrations: AUDIT_KEYS_SQLITE_MIGRATIONS });
 * ```
 */
export const AUDIT_KEYS_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "subject keys",
    sql: "CREATE TABLE lawful_subject_keys (tenant_id TEXT NOT NULL, subject_key_id TEXT NOT NULL, kek_id TEXT NOT NULL, wrapped_key BLOB, created_at INTEGER NOT NULL, shredded_at INTEGER, PRIMARY KEY (tenant_id, subject_key_id)) WITHOUT ROWID",
  },
];

const SqliteOptionsSchema = z.object({
  database: SqliteDatabaseSchema,
});

/**
 * Options of {@link createSqliteAuditStore} and {@link createSqliteKeyStore}.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteAuditStoreOptions } from "@lawful/audit/sqlite";
 * const options: SqliteAuditStoreOptions = { database: new Database("audit.db") };
 * ```
 */
export interface SqliteAuditStoreOptions {
  /** A better-sqlite3 connection (the caller owns it; call `configureSqlite(db)` for WAL and synchronous=FULL). */
  readonly database: SqliteDatabase;
}

function parseOptions(options: SqliteAuditStoreOptions, what: string): SqliteDatabase {
  const r = SqliteOptionsSchema.safeParse(options);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    throw new AuditError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid ${what} options: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`, { issues });
  }
  return r.data.database;
}

async function guard<T>(name: string, op: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isLawfulError(error)) throw error;
    throw new AuditError(ERROR_CODES.STORE_FAILED, `The ${name} store failed during ${op}; see cause.`, { cause: error });
  }
}

interface EventRow {
  tenant_id: string;
  sequence: number;
  id: string;
  bytes: Buffer | null;
  leaf_hash: Buffer | null;
  occurred_at: number;
  action: string;
  actor_type: string;
  actor_id: string;
  subject: string | null;
  target_system: string | null;
  target_record_type: string | null;
  target_record_id: string | null;
}

const COLUMNS = "tenant_id, sequence, id, bytes, leaf_hash, occurred_at, action, actor_type, actor_id, subject, target_system, target_record_type, target_record_id";

function toRecord(r: EventRow): AuditRecord {
  return {
    tenantId: r.tenant_id,
    sequence: Number(r.sequence),
    id: r.id,
    bytes: r.bytes as Uint8Array,
    leafHash: r.leaf_hash as Uint8Array,
    occurredAt: new Date(Number(r.occurred_at)),
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    subject: r.subject,
    targetSystem: r.target_system,
    targetRecordType: r.target_record_type,
    targetRecordId: r.target_record_id,
  };
}

/**
 * Create an {@link AuditStore} on a better-sqlite3 database. Appends run in one `BEGIN IMMEDIATE`
 * transaction per batch (serialised per connection, and across processes by SQLite's write lock) and
 * resolve only after COMMIT — durable when the connection uses `synchronous = FULL` (core's
 * `configureSqlite`). Tables are created lazily on first use (migrations component `@lawful/audit`).
 *
 * Stored hashes: leaf hashes in `audit_events.leaf_hash`, and in `audit_nodes(level, idx)` the hash of
 * every complete aligned subtree whose height is a multiple of 4, so any proof or root costs O(log n) reads.
 *
 * @throws AuditError `INVALID_CONFIGURATION` when `database` is not a better-sqlite3 connection.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * import { createSqliteAuditStore } from "@lawful/audit/sqlite";
 * const db = new Database("audit.db");
 * configureSqlite(db);
 * const store = createSqliteAuditStore({ database: db });
 * ```
 */
export function createSqliteAuditStore(options: SqliteAuditStoreOptions): AuditStore {
  const db = parseOptions(options, "SQLite audit store");
  let closed = false;
  const cache = new Map<string, SqliteStatement>();
  const stmt = (sql: string): SqliteStatement => {
    let s = cache.get(sql);
    if (s === undefined) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const ready = once(() => runSqliteMigrations(db, { component: COMPONENT, migrations: AUDIT_SQLITE_MIGRATIONS }));
  const use = async <T>(op: string, fn: () => Promise<T> | T): Promise<T> => {
    if (closed) throw new AuditError(ERROR_CODES.STORE_CLOSED, "The SQLite audit store was closed; create a new one.");
    return guard("SQLite audit", op, async () => {
      await ready();
      return fn();
    });
  };
  const readHashesSync = (tenantId: string, level: number, from: number, to: number): Uint8Array[] => {
    const rows =
      level === 0
        ? (stmt("SELECT leaf_hash AS h FROM audit_events WHERE tenant_id = ? AND sequence >= ? AND sequence < ? ORDER BY sequence").all(tenantId, from, to) as { h: Buffer }[])
        : (stmt("SELECT hash AS h FROM audit_nodes WHERE tenant_id = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx").all(tenantId, level, from, to) as { h: Buffer }[]);
    return rows.map((r) => r.h);
  };
  const sizeSync = (tenantId: string): number => (stmt("SELECT size FROM audit_heads WHERE tenant_id = ?").get(tenantId) as { size: number } | undefined)?.size ?? 0;

  return Object.freeze({
    name: "sqlite",
    capabilities: Object.freeze({ durable: true, multiProcess: true }),
    append: (tenantId: string, build: AppendBuilder) =>
      use("append", () =>
        sqliteTransaction(db, async () => {
          const first = sizeSync(tenantId);
          const records = checkAppended(build(first), tenantId, first);
          if (records.length === 0) return records;
          const read: MerkleHashReader = (level, from, to) => Promise.resolve(readHashesSync(tenantId, level, from, to));
          const nodes = await newStoredNodes(
            read,
            first,
            records.map((r) => r.leafHash),
          );
          const insert = stmt(`INSERT INTO audit_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
          for (const r of records) {
            insert.run(
              tenantId,
              r.sequence,
              r.id,
              r.bytes,
              r.leafHash,
              r.occurredAt.getTime(),
              r.action,
              r.actorType,
              r.actorId,
              r.subject,
              r.targetSystem,
              r.targetRecordType,
              r.targetRecordId,
            );
          }
          const insertNode = stmt("INSERT INTO audit_nodes (tenant_id, level, idx, hash) VALUES (?, ?, ?, ?)");
          for (const n of nodes) insertNode.run(tenantId, n.level, n.index, n.hash);
          stmt("INSERT INTO audit_heads (tenant_id, size) VALUES (?, ?) ON CONFLICT (tenant_id) DO UPDATE SET size = excluded.size").run(tenantId, first + records.length);
          return records;
        }),
      ),
    size: (tenantId: string) => use("size", () => sizeSync(tenantId)),
    readRange: (tenantId: string, from: number, limit: number) =>
      use("readRange", () =>
        (stmt(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = ? AND sequence >= ? ORDER BY sequence LIMIT ?`).all(tenantId, from, limit) as EventRow[]).map(toRecord),
      ),
    readHashes: (tenantId: string, level: number, from: number, to: number) => use("readHashes", () => readHashesSync(tenantId, level, from, to)),
    get: (tenantId: string, sequence: number) =>
      use("get", () => {
        const r = stmt(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = ? AND sequence = ?`).get(tenantId, sequence) as EventRow | undefined;
        return r === undefined ? undefined : toRecord(r);
      }),
    query: (tenantId: string, filter: AuditStoreFilter) =>
      use("query", () => {
        const params: unknown[] = [tenantId];
        const where = filterSql(filter, (v) => {
          params.push(v);
          return "?";
        });
        params.push(filter.limit);
        return (stmt(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = ? AND ${where} ORDER BY sequence LIMIT ?`).all(...params) as EventRow[]).map(toRecord);
      }),
    addCheckpoint: (tenantId: string, cp: StoredCheckpoint) =>
      use("addCheckpoint", () =>
        sqliteTransaction(db, () => {
          stmt("INSERT INTO audit_checkpoints (tenant_id, tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING").run(
            tenantId,
            cp.treeSize,
            cp.rootHash,
            cp.note,
            cp.createdAt.getTime(),
          );
        }),
      ),
    listCheckpoints: (tenantId: string) =>
      use("listCheckpoints", () =>
        (stmt("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints WHERE tenant_id = ? ORDER BY tree_size").all(tenantId) as CheckpointRow[]).map(toCheckpoint),
      ),
    latestCheckpoint: (tenantId: string) =>
      use("latestCheckpoint", () => {
        const r = stmt("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints WHERE tenant_id = ? ORDER BY tree_size DESC LIMIT 1").get(tenantId) as CheckpointRow | undefined;
        return r === undefined ? undefined : toCheckpoint(r);
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
}

interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  note: string;
  created_at: number;
}
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  treeSize: Number(r.tree_size),
  rootHash: new Uint8Array(r.root_hash),
  note: r.note,
  createdAt: new Date(Number(r.created_at)),
});

interface KeyRow {
  tenant_id: string;
  subject_key_id: string;
  kek_id: string;
  wrapped_key: Buffer | null;
  created_at: number;
  shredded_at: number | null;
}
const toKey = (r: KeyRow): StoredSubjectKey =>
  Object.freeze({
    tenantId: r.tenant_id,
    subjectKeyId: r.subject_key_id,
    kekId: r.kek_id,
    wrappedKey: r.wrapped_key === null ? null : new Uint8Array(r.wrapped_key),
    createdAt: new Date(Number(r.created_at)),
    shreddedAt: r.shredded_at === null ? null : new Date(Number(r.shredded_at)),
  });

/**
 * Create core's `KeyStore` (wrapped subject keys for the keyring) on a better-sqlite3 database.
 * `shred` overwrites the wrapped key with NULL (with `secure_delete = ON` from `configureSqlite`, the
 * old bytes are zeroed in the database file) and runs a WAL checkpoint so the old page leaves the WAL.
 *
 * @throws AuditError `INVALID_CONFIGURATION` when `database` is not a better-sqlite3 connection.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import Database from "better-sqlite3";
 * import { configureSqlite, createKeyring } from "@lawful/core";
 * import { createSqliteKeyStore } from "@lawful/audit/sqlite";
 * const db = new Database("keys.db");
 * configureSqlite(db);
 * const keyring = createKeyring({ store: createSqliteKeyStore({ database: db }), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1" });
 * ```
 */
export function createSqliteKeyStore(options: SqliteAuditStoreOptions): KeyStore {
  const db = parseOptions(options, "SQLite key store");
  let closed = false;
  const ready = once(() => runSqliteMigrations(db, { component: KEYS_COMPONENT, migrations: AUDIT_KEYS_SQLITE_MIGRATIONS }));
  const use = async <T>(op: string, fn: () => Promise<T> | T): Promise<T> => {
    if (closed) throw new AuditError(ERROR_CODES.STORE_CLOSED, "The SQLite key store was closed; create a new one.");
    return guard("SQLite key", op, async () => {
      await ready();
      return fn();
    });
  };
  const select = (tenantId: string, id: string): KeyRow | undefined =>
    db.prepare("SELECT * FROM lawful_subject_keys WHERE tenant_id = ? AND subject_key_id = ?").get(tenantId, id) as KeyRow | undefined;
  return Object.freeze({
    name: "sqlite",
    capabilities: Object.freeze({ durable: true }),
    get: (tenantId: string, subjectKeyId: string) =>
      use("get", () => {
        const r = select(tenantId, subjectKeyId);
        return r === undefined ? undefined : toKey(r);
      }),
    putIfAbsent: (key: StoredSubjectKey) =>
      use("putIfAbsent", () =>
        sqliteTransaction(db, () => {
          db.prepare(
            "INSERT INTO lawful_subject_keys (tenant_id, subject_key_id, kek_id, wrapped_key, created_at, shredded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          ).run(
            key.tenantId,
            key.subjectKeyId,
            key.kekId,
            key.wrappedKey === null ? null : Buffer.from(key.wrappedKey),
            key.createdAt.getTime(),
            key.shreddedAt === null ? null : key.shreddedAt.getTime(),
          );
          return toKey(select(key.tenantId, key.subjectKeyId)!);
        }),
      ),
    replaceWrappedKey: (tenantId: string, subjectKeyId: string, expectedKekId: string, next: { readonly kekId: string; readonly wrappedKey: Uint8Array }) =>
      use("replaceWrappedKey", () =>
        sqliteTransaction(db, () => {
          db.prepare(
            "UPDATE lawful_subject_keys SET kek_id = ?, wrapped_key = ? WHERE tenant_id = ? AND subject_key_id = ? AND kek_id = ? AND shredded_at IS NULL",
          ).run(next.kekId, Buffer.from(next.wrappedKey), tenantId, subjectKeyId, expectedKekId);
          const r = select(tenantId, subjectKeyId);
          return r === undefined ? undefined : toKey(r);
        }),
      ),
    shred: (tenantId: string, subjectKeyId: string, at: Date) =>
      use("shred", async () => {
        await sqliteTransaction(db, () => {
          db.prepare(
            "INSERT INTO lawful_subject_keys (tenant_id, subject_key_id, kek_id, wrapped_key, created_at, shredded_at) VALUES (?, ?, '', NULL, ?, ?) ON CONFLICT (tenant_id, subject_key_id) DO UPDATE SET wrapped_key = NULL, shredded_at = COALESCE(lawful_subject_keys.shredded_at, excluded.shredded_at)",
          ).run(tenantId, subjectKeyId, at.getTime(), at.getTime());
        });
        if (!db.inTransaction) db.pragma("wal_checkpoint(TRUNCATE)");
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
}
