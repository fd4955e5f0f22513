import * as z from "zod";
import {
  ERROR_CODES,
  isLawfulError,
  issuesFromZod,
  once,
  pgQueryable,
  pgTransaction,
  runPgMigrations,
  type KeyStore,
  type Migration,
  type PgPool,
  type PgQueryable,
  type StoredSubjectKey,
  PgPoolSchema,
} from "@lawful/core";
import { AuditError } from "../errors.js";
import { checkAppended } from "../internal/append.js";
import { AUDIT_COMPONENT, KEYS_COMPONENT, filterSql } from "../internal/sql.js";
import { newStoredNodes, type MerkleHashReader } from "../merkle.js";
import type { AuditRecord, AuditStoreFilter, StoredCheckpoint } from "../model.js";
import type { AppendBuilder, AuditStore } from "../store.js";

/**
 * The PostgreSQL schema migrations of the audit store (component `@lawful/audit`). The store applies them lazily on
 * first use; an application may apply them up front with core's `runPgMigrations`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { runPgMigrations } from "@lawful/core";
 * import { AUDIT_PG_MIGRATIONS } from "@lawful/audit/postgres";
 * await runPgMigrations(new pg.Pool(), { component: "@lawful/audit", migrations: AUDIT_PG_MIGRATIONS });
 * ```
 */
export const AUDIT_PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "audit log tables",
    sql: [
      `CREATE TABLE audit_events (
        tenant_id TEXT NOT NULL, sequence BIGINT NOT NULL, id TEXT NOT NULL, bytes BYTEA NOT NULL, leaf_hash BYTEA NOT NULL,
        occurred_at BIGINT NOT NULL, action TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT NOT NULL, subject TEXT,
        target_system TEXT, target_record_type TEXT, target_record_id TEXT,
        PRIMARY KEY (tenant_id, sequence))`,
      "CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject, sequence) WHERE subject IS NOT NULL",
      "CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, sequence)",
      "CREATE INDEX audit_events_occurred ON audit_events (tenant_id, occurred_at)",
      "CREATE TABLE audit_nodes (tenant_id TEXT NOT NULL, level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (tenant_id, level, idx))",
      "CREATE TABLE audit_heads (tenant_id TEXT PRIMARY KEY, size BIGINT NOT NULL)",
      "CREATE TABLE audit_checkpoints (tenant_id TEXT NOT NULL, tree_size BIGINT NOT NULL, root_hash BYTEA NOT NULL, note TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (tenant_id, tree_size))",
    ],
  },
];

/**
 * The PostgreSQL schema migrations of the keyring key store (component `@lawful/audit:keystore`). The store applies them lazily on
 * first use; an application may apply them up front with core's `runPgMigrations`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { runPgMigrations } from "@lawful/core";
 * import { AUDIT_KEYS_PG_MIGRATIONS } from "@lawful/audit/postgres";
 * await runPgMigrations(new pg.Pool(), { component: "@lawful/audit:keystore", migrations: AUDIT_KEYS_PG_MIGRATIONS });
 * ```
 */
export const AUDIT_KEYS_PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "subject keys",
    sql: "CREATE TABLE lawful_subject_keys (tenant_id TEXT NOT NULL, subject_key_id TEXT NOT NULL, kek_id TEXT NOT NULL, wrapped_key BYTEA, created_at TIMESTAMPTZ NOT NULL, shredded_at TIMESTAMPTZ, PRIMARY KEY (tenant_id, subject_key_id))",
  },
];

const PgOptionsSchema = z.object({
  pool: PgPoolSchema,
});

/**
 * Options of {@link createPostgresAuditStore} and {@link createPostgresKeyStore}.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresAuditStoreOptions } from "@lawful/audit/postgres";
 * const options: PostgresAuditStoreOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresAuditStoreOptions {
  /** A pg Pool (the caller owns it). Queries join an enclosing core `pgTransaction` on the same pool. */
  readonly pool: PgPool;
}

function parseOptions(options: PostgresAuditStoreOptions, what: string): PgPool {
  const r = PgOptionsSchema.safeParse(options);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    throw new AuditError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid ${what} options: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`, { issues });
  }
  return r.data.pool;
}

function storeUser(name: string, closedRef: { closed: boolean }, ready: () => Promise<unknown>) {
  return async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    if (closedRef.closed) throw new AuditError(ERROR_CODES.STORE_CLOSED, `The ${name} store was closed; create a new one.`);
    try {
      await ready();
      return await fn();
    } catch (error) {
      if (isLawfulError(error)) throw error;
      throw new AuditError(ERROR_CODES.STORE_FAILED, `The ${name} store failed during ${op}; see cause.`, { cause: error });
    }
  };
}

interface EventRow {
  tenant_id: string;
  sequence: string;
  id: string;
  bytes: Buffer | null;
  leaf_hash: Buffer | null;
  occurred_at: string;
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

async function readHashes(q: PgQueryable, tenantId: string, level: number, from: number, to: number): Promise<Uint8Array[]> {
  const { rows } =
    level === 0
      ? await q.query<{ h: Buffer }>("SELECT leaf_hash AS h FROM audit_events WHERE tenant_id = $1 AND sequence >= $2 AND sequence < $3 ORDER BY sequence", [tenantId, from, to])
      : await q.query<{ h: Buffer }>("SELECT hash AS h FROM audit_nodes WHERE tenant_id = $1 AND level = $2 AND idx >= $3 AND idx < $4 ORDER BY idx", [tenantId, level, from, to]);
  return rows.map((r) => r.h);
}

/**
 * Create an {@link AuditStore} on PostgreSQL. Several processes may append to one tenant log at once:
 * each append is one transaction that locks the tenant's head row in `audit_heads` (an upsert,
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING`, which row-locks like `SELECT … FOR UPDATE`), so sequence numbers have no gaps, forks or duplicates (the `(tenant_id, sequence)`
 * primary key is the last line of defence). Rows are written with multi-row `INSERT … VALUES` statements.
 * Tables are created lazily on first use (migrations component `@lawful/audit`).
 *
 * @throws AuditError `INVALID_CONFIGURATION` when `pool` is not a pg Pool.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresAuditStore } from "@lawful/audit/postgres";
 * const store = createPostgresAuditStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * ```
 */
export function createPostgresAuditStore(options: PostgresAuditStoreOptions): AuditStore {
  const pool = parseOptions(options, "PostgreSQL audit store");
  const state = { closed: false };
  const ready = once(() => runPgMigrations(pool, { component: AUDIT_COMPONENT, migrations: AUDIT_PG_MIGRATIONS }));
  const use = storeUser("PostgreSQL audit", state, ready);
  const q = (): PgQueryable => pgQueryable(pool);

  return Object.freeze({
    name: "postgres",
    capabilities: Object.freeze({ durable: true, multiProcess: true }),
    append: (tenantId: string, build: AppendBuilder) =>
      use("append", () =>
        pgTransaction(pool, async (client) => {
          // one statement creates or row-locks the tenant's head (like SELECT … FOR UPDATE) and reads its size;
          // concurrent appenders of the tenant wait here until this transaction ends
          const head = await client.query<{ size: string }>(
            "INSERT INTO audit_heads (tenant_id, size) VALUES ($1, 0) ON CONFLICT (tenant_id) DO UPDATE SET size = audit_heads.size RETURNING size",
            [tenantId],
          );
          const first = Number(head.rows[0]!.size);
          const records = checkAppended(build(first), tenantId, first);
          if (records.length === 0) return records;
          const read: MerkleHashReader = (level, from, to) => readHashes(client, tenantId, level, from, to);
          const nodes = await newStoredNodes(
            read,
            first,
            records.map((r) => r.leafHash),
          );
          // multi-row VALUES with binary bytea parameters, in chunks below PostgreSQL's 65535-parameter limit
          for (let i = 0; i < records.length; i += 4000) {
            const params: unknown[] = [];
            const values = records.slice(i, i + 4000).map((r) => {
              const base = params.length;
              params.push(
                tenantId,
                r.sequence,
                r.id,
                Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
                Buffer.from(r.leafHash.buffer, r.leafHash.byteOffset, r.leafHash.byteLength),
                r.occurredAt.getTime(),
                r.action,
                r.actorType,
                r.actorId,
                r.subject,
                r.targetSystem,
                r.targetRecordType,
                r.targetRecordId,
              );
              return `(${Array.from({ length: 13 }, (_, k) => `$${base + k + 1}`).join(",")})`;
            });
            await client.query(`INSERT INTO audit_events (${COLUMNS}) VALUES ${values.join(",")}`, params);
          }
          if (nodes.length > 0) {
            await client.query("INSERT INTO audit_nodes (tenant_id, level, idx, hash) SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::bytea[])", [
              tenantId,
              nodes.map((n) => n.level),
              nodes.map((n) => n.index),
              nodes.map((n) => Buffer.from(n.hash.buffer, n.hash.byteOffset, n.hash.byteLength)),
            ]);
          }
          await client.query("UPDATE audit_heads SET size = $2 WHERE tenant_id = $1", [tenantId, first + records.length]);
          return records;
        }),
      ),
    size: (tenantId: string) =>
      use("size", async () => Number((await q().query<{ size: string }>("SELECT size FROM audit_heads WHERE tenant_id = $1", [tenantId])).rows[0]?.size ?? 0)),
    readRange: (tenantId: string, from: number, limit: number) =>
      use("readRange", async () =>
        (await q().query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT $3`, [tenantId, from, limit])).rows.map(
          toRecord,
        ),
      ),
    readHashes: (tenantId: string, level: number, from: number, to: number) => use("readHashes", () => readHashes(q(), tenantId, level, from, to)),
    get: (tenantId: string, sequence: number) =>
      use("get", async () => {
        const r = (await q().query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = $1 AND sequence = $2`, [tenantId, sequence])).rows[0];
        return r === undefined ? undefined : toRecord(r);
      }),
    query: (tenantId: string, filter: AuditStoreFilter) =>
      use("query", async () => {
        const params: unknown[] = [tenantId];
        const where = filterSql(filter, (v) => {
          params.push(v);
          return `$${params.length}`;
        });
        params.push(filter.limit);
        return (await q().query<EventRow>(`SELECT ${COLUMNS} FROM audit_events WHERE tenant_id = $1 AND ${where} ORDER BY sequence LIMIT $${params.length}`, params)).rows.map(toRecord);
      }),
    addCheckpoint: (tenantId: string, cp: StoredCheckpoint) =>
      use("addCheckpoint", async () => {
        await q().query("INSERT INTO audit_checkpoints (tenant_id, tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", [
          tenantId,
          cp.treeSize,
          Buffer.from(cp.rootHash),
          cp.note,
          cp.createdAt,
        ]);
      }),
    listCheckpoints: (tenantId: string) =>
      use("listCheckpoints", async () =>
        (await q().query<CheckpointRow>("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY tree_size", [tenantId])).rows.map(toCheckpoint),
      ),
    latestCheckpoint: (tenantId: string) =>
      use("latestCheckpoint", async () => {
        const r = (await q().query<CheckpointRow>("SELECT tree_size, root_hash, note, created_at FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY tree_size DESC LIMIT 1", [tenantId]))
          .rows[0];
        return r === undefined ? undefined : toCheckpoint(r);
      }),
    close: () => {
      state.closed = true;
      return Promise.resolve();
    },
  });
}

interface CheckpointRow {
  tree_size: string;
  root_hash: Buffer;
  note: string;
  created_at: Date;
}
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  treeSize: Number(r.tree_size),
  rootHash: new Uint8Array(r.root_hash),
  note: r.note,
  createdAt: new Date(r.created_at),
});

interface KeyRow {
  tenant_id: string;
  subject_key_id: string;
  kek_id: string;
  wrapped_key: Buffer | null;
  created_at: Date;
  shredded_at: Date | null;
}
const toKey = (r: KeyRow): StoredSubjectKey =>
  Object.freeze({
    tenantId: r.tenant_id,
    subjectKeyId: r.subject_key_id,
    kekId: r.kek_id,
    wrappedKey: r.wrapped_key === null ? null : new Uint8Array(r.wrapped_key),
    createdAt: new Date(r.created_at),
    shreddedAt: r.shredded_at === null ? null : new Date(r.shredded_at),
  });

/**
 * Create core's `KeyStore` (wrapped subject keys for the keyring) on PostgreSQL. `putIfAbsent` is an
 * `INSERT … ON CONFLICT DO NOTHING` followed by a read, so concurrent creators in several processes
 * agree on one key. `shred` overwrites the wrapped key with NULL; PostgreSQL keeps the old row version
 * until VACUUM, so run (auto)vacuum for the bytes to leave the data files.
 *
 * @throws AuditError `INVALID_CONFIGURATION` when `pool` is not a pg Pool.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import pg from "pg";
 * import { createKeyring } from "@lawful/core";
 * import { createPostgresKeyStore } from "@lawful/audit/postgres";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const keyring = createKeyring({ store: createPostgresKeyStore({ pool }), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1" });
 * ```
 */
export function createPostgresKeyStore(options: PostgresAuditStoreOptions): KeyStore {
  const pool = parseOptions(options, "PostgreSQL key store");
  const state = { closed: false };
  const ready = once(() => runPgMigrations(pool, { component: KEYS_COMPONENT, migrations: AUDIT_KEYS_PG_MIGRATIONS }));
  const use = storeUser("PostgreSQL key", state, ready);
  const q = (): PgQueryable => pgQueryable(pool);
  const select = async (tenantId: string, id: string): Promise<StoredSubjectKey | undefined> => {
    const r = (await q().query<KeyRow>("SELECT * FROM lawful_subject_keys WHERE tenant_id = $1 AND subject_key_id = $2", [tenantId, id])).rows[0];
    return r === undefined ? undefined : toKey(r);
  };
  return Object.freeze({
    name: "postgres",
    capabilities: Object.freeze({ durable: true }),
    get: (tenantId: string, subjectKeyId: string) => use("get", () => select(tenantId, subjectKeyId)),
    putIfAbsent: (key: StoredSubjectKey) =>
      use("putIfAbsent", async () => {
        await q().query(
          "INSERT INTO lawful_subject_keys (tenant_id, subject_key_id, kek_id, wrapped_key, created_at, shredded_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
          [key.tenantId, key.subjectKeyId, key.kekId, key.wrappedKey === null ? null : Buffer.from(key.wrappedKey), key.createdAt, key.shreddedAt],
        );
        return (await select(key.tenantId, key.subjectKeyId))!;
      }),
    replaceWrappedKey: (tenantId: string, subjectKeyId: string, expectedKekId: string, next: { readonly kekId: string; readonly wrappedKey: Uint8Array }) =>
      use("replaceWrappedKey", async () => {
        await q().query(
          "UPDATE lawful_subject_keys SET kek_id = $1, wrapped_key = $2 WHERE tenant_id = $3 AND subject_key_id = $4 AND kek_id = $5 AND shredded_at IS NULL",
          [next.kekId, Buffer.from(next.wrappedKey), tenantId, subjectKeyId, expectedKekId],
        );
        return select(tenantId, subjectKeyId);
      }),
    shred: (tenantId: string, subjectKeyId: string, at: Date) =>
      use("shred", async () => {
        await q().query(
          "INSERT INTO lawful_subject_keys (tenant_id, subject_key_id, kek_id, wrapped_key, created_at, shredded_at) VALUES ($1, $2, '', NULL, $3, $3) ON CONFLICT (tenant_id, subject_key_id) DO UPDATE SET wrapped_key = NULL, shredded_at = COALESCE(lawful_subject_keys.shredded_at, excluded.shredded_at)",
          [tenantId, subjectKeyId, at],
        );
      }),
    close: () => {
      state.closed = true;
      return Promise.resolve();
    },
  });
}
