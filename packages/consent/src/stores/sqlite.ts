import * as z from "zod";
import { ERROR_CODES, once, runSqliteMigrations, sqliteTransaction, type Migration, type SqliteDatabase, type SqliteStatement, SqliteDatabaseSchema } from "@lawful/core";
import { ConsentError } from "../errors.js";
import {
  COMPONENT,
  KEYED_COLUMNS,
  SCHEMA_V1,
  STATE_COLUMNS,
  eventFromJson,
  eventToJson,
  noticeFromJson,
  noticeToJson,
  purposeFromJson,
  stateFromKeyedRow,
  stateFromRow,
  stateParams,
  suppressionFromRow,
  type KeyedStateRow,
  type StateRow,
  type SuppressionRow,
} from "../internal/rows.js";
import type { ConsentState } from "../decision.js";
import type { ConsentStore } from "../store.js";

const SQLITE_SCHEMA = SCHEMA_V1.map((sql) =>
  sql.startsWith("CREATE TABLE consent_state") || sql.startsWith("CREATE TABLE consent_suppression") || sql.startsWith("CREATE TABLE consent_purposes")
    ? `${sql} WITHOUT ROWID`
    : sql,
);

/**
 * The SQLite schema migrations of the consent store (component `@lawful/consent`). The store applies them
 * lazily on first use; an application may apply them up front with core's `runSqliteMigrations`.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { runSqliteMigrations } from "@lawful/core";
 * import { CONSENT_SQLITE_MIGRATIONS } from "@lawful/consent/sqlite";
 * await runSqliteMigrations(new Database("app.db"), { component: "@lawful/consent", migrations: CONSENT_SQLITE_MIGRATIONS });
 * ```
 */
export const CONSENT_SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([{ version: 1, name: "consent tables", sql: SQLITE_SCHEMA }]);

/**
 * Options of {@link createSqliteConsentStore}.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteConsentStoreOptions } from "@lawful/consent/sqlite";
 * const options: SqliteConsentStoreOptions = { database: new Database("lawful.db") };
 * ```
 */
export interface SqliteConsentStoreOptions {
  /** A better-sqlite3 connection (or anything shaped like it). The caller owns it and closes it. */
  database: SqliteDatabase;
}

const OptionsSchema = z.object({
  database: SqliteDatabaseSchema,
});

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/**
 * A {@link ConsentStore} on SQLite (better-sqlite3): durable, every write inside `sqliteTransaction`, so an outer
 * `sqliteTransaction` on the same connection makes consent events and, for example, audit events commit together.
 * Tables are created lazily on first use (migrations of component `@lawful/consent`). Call `configureSqlite(db)` first.
 *
 * @throws ConsentError `INVALID_CONFIGURATION` when `database` is missing.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * import { createSqliteConsentStore } from "@lawful/consent/sqlite";
 * const db = new Database("lawful.db");
 * configureSqlite(db);
 * const store = createSqliteConsentStore({ database: db });
 * ```
 */
export function createSqliteConsentStore(options: SqliteConsentStoreOptions): ConsentStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new ConsentError(ERROR_CODES.INVALID_CONFIGURATION, "createSqliteConsentStore() needs { database: a better-sqlite3 Database }.");
  const db = parsed.data.database;
  let closed = false;
  const ready = once(() => runSqliteMigrations(db, { component: COMPONENT, migrations: CONSENT_SQLITE_MIGRATIONS }));
  const statements = new Map<string, SqliteStatement>();
  const stmt = (sql: string): SqliteStatement => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  let migrated = false;
  async function use(): Promise<void> {
    if (closed) throw new ConsentError(ERROR_CODES.STORE_CLOSED, "The SQLite consent store was closed.");
    if (migrated) return;
    await ready();
    migrated = true;
  }
  const wrap = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (cause) {
      if (cause instanceof ConsentError) throw cause;
      throw new ConsentError(ERROR_CODES.STORE_FAILED, `SQLite consent store failed to ${what}.`, { cause });
    }
  };
  const readStateStatements: SqliteStatement[] = [];
  const readStateStmt = (n: number): SqliteStatement => (readStateStatements[n] ??= stmt(readStateSql(n)));
  const readDecisionStmt = (): SqliteStatement =>
    stmt(`SELECT ${KEYED_COLUMNS} FROM consent_state WHERE tenant_id = ? AND subject = ? AND (purpose_key = ? OR (purpose_key >= '*' AND purpose_key < '+'))`);
  const readStateSql = (n: number) => `SELECT ${KEYED_COLUMNS} FROM consent_state WHERE tenant_id = ? AND subject = ? AND purpose_key IN (${new Array(n).fill("?").join(", ")})`;

  function readStatesNow(tenantId: string, subject: string, keys: readonly string[]): ConsentState[] {
    if (keys.length === 0) return [];
    let plain: string | undefined;
    let plainCount = 0;
    for (const k of keys) {
      if (!k.startsWith("*")) {
        plain = k;
        plainCount++;
      }
    }
    try {
      if (plainCount === 1 && keys.length > 1) {
        // one purpose plus subject-wide rows: one index range read ('*' keys sort together) instead of an IN list
        const rows = readDecisionStmt().all(tenantId, subject, plain) as KeyedStateRow[];
        const out: ConsentState[] = [];
        for (const r of rows) if (keys.includes(r.purpose_key)) out.push(stateFromKeyedRow(tenantId, subject, r));
        return out;
      }
      return (readStateStmt(keys.length).all(tenantId, subject, ...keys) as KeyedStateRow[]).map((r) => stateFromKeyedRow(tenantId, subject, r));
    } catch (cause) {
      throw new ConsentError(ERROR_CODES.STORE_FAILED, "SQLite consent store failed to read the consent projection.", { cause });
    }
  }

  const store: ConsentStore = {
    name: "sqlite",
    capabilities: Object.freeze({ durable: true, transactions: true }),
    async transaction(fn) {
      await use();
      return sqliteTransaction(db, fn);
    },
    async lockSubject() {
      await use();
    },
    async putPurpose(purpose) {
      await use();
      await sqliteTransaction(db, () =>
        wrap("store a purpose", () =>
          stmt("INSERT INTO consent_purposes (tenant_id, id, data) VALUES (?, ?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET data = excluded.data").run(
            purpose.tenantId,
            purpose.id,
            JSON.stringify(purpose),
          ),
        ),
      );
    },
    async listPurposes(tenantId) {
      await use();
      return wrap("list purposes", () =>
        (stmt("SELECT data FROM consent_purposes WHERE tenant_id = ? ORDER BY id").all(tenantId) as { data: string }[]).map((r) => purposeFromJson(r.data)),
      );
    },
    async insertNotice(notice) {
      await use();
      await sqliteTransaction(db, () => {
        try {
          stmt("INSERT INTO consent_notices (tenant_id, notice_id, version, status, data) VALUES (?, ?, ?, ?, ?)").run(
            notice.tenantId,
            notice.noticeId,
            notice.version,
            notice.status,
            noticeToJson(notice),
          );
        } catch (cause) {
          if (isUniqueViolation(cause)) {
            throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${notice.noticeId} version ${notice.version} already exists; publish a new version instead.`);
          }
          throw new ConsentError(ERROR_CODES.STORE_FAILED, "SQLite consent store failed to insert a notice.", { cause });
        }
      });
    },
    async publishNotice(tenantId, noticeId, version, at) {
      await use();
      return sqliteTransaction(db, () => {
        const row = stmt("SELECT data FROM consent_notices WHERE tenant_id = ? AND notice_id = ? AND version = ?").get(tenantId, noticeId, version) as { data: string } | undefined;
        if (!row) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Notice ${noticeId} version ${version} does not exist.`);
        const n = noticeFromJson(row.data);
        if (n.status === "published") throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${noticeId} version ${version} is already published and immutable.`);
        const published = { ...n, status: "published" as const, publishedAt: new Date(at.getTime()) };
        stmt("UPDATE consent_notices SET status = 'published', data = ? WHERE tenant_id = ? AND notice_id = ? AND version = ? AND status = 'draft'").run(
          noticeToJson(published),
          tenantId,
          noticeId,
          version,
        );
        return published;
      });
    },
    async getNotice(tenantId, noticeId, version) {
      await use();
      const row = wrap("read a notice", () => stmt("SELECT data FROM consent_notices WHERE tenant_id = ? AND notice_id = ? AND version = ?").get(tenantId, noticeId, version)) as
        | { data: string }
        | undefined;
      return row ? noticeFromJson(row.data) : undefined;
    },
    async listNotices(tenantId, noticeId) {
      await use();
      const rows = wrap("list notices", () =>
        noticeId === undefined
          ? stmt("SELECT data FROM consent_notices WHERE tenant_id = ? ORDER BY notice_id, version").all(tenantId)
          : stmt("SELECT data FROM consent_notices WHERE tenant_id = ? AND notice_id = ? ORDER BY version").all(tenantId, noticeId),
      ) as { data: string }[];
      return rows.map((r) => noticeFromJson(r.data));
    },
    async commit(c) {
      await use();
      await sqliteTransaction(db, () => {
        const insert = stmt("INSERT INTO consent_events (tenant_id, id, subject, purpose_id, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?)");
        for (const e of c.events) {
          try {
            insert.run(e.tenantId, e.id, e.subjectPseudonym, e.purposeId, e.occurredAt.getTime(), eventToJson(e));
          } catch (cause) {
            if (isUniqueViolation(cause)) throw new ConsentError(ERROR_CODES.CONFLICT, `Consent event ${e.id} already exists; events are append-only.`);
            throw new ConsentError(ERROR_CODES.STORE_FAILED, "SQLite consent store failed to append an event.", { cause });
          }
        }
        wrap("update the consent projection", () => {
          const del = stmt("DELETE FROM consent_state WHERE tenant_id = ? AND subject = ? AND purpose_key = ?");
          for (const d of c.deleteStates) del.run(d.tenantId, d.subjectPseudonym, d.purposeKey);
          const up = stmt(
            `INSERT INTO consent_state (${STATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, subject, purpose_key) DO UPDATE SET status = excluded.status, basis = excluded.basis, event_id = excluded.event_id, since = excluded.since, until = excluded.until, as_of = excluded.as_of`,
          );
          for (const s of c.upsertStates) up.run(...stateParams(s));
        });
      });
    },
    async getEvent(tenantId, eventId) {
      await use();
      const row = wrap("read an event", () => stmt("SELECT data FROM consent_events WHERE tenant_id = ? AND id = ?").get(tenantId, eventId)) as { data: string } | undefined;
      return row ? eventFromJson(row.data) : undefined;
    },
    async listEvents(tenantId, subject, purposeId) {
      await use();
      const rows = wrap("list events", () =>
        purposeId === undefined
          ? stmt("SELECT data FROM consent_events WHERE tenant_id = ? AND subject = ? ORDER BY occurred_at, id").all(tenantId, subject)
          : stmt("SELECT data FROM consent_events WHERE tenant_id = ? AND subject = ? AND purpose_id = ? ORDER BY occurred_at, id").all(tenantId, subject, purposeId),
      ) as { data: string }[];
      return rows.map((r) => eventFromJson(r.data));
    },
    readStates(tenantId, subject, keys) {
      // hot path of decide(): no extra promise hops once migrated
      if (closed || !migrated) return use().then(() => readStatesNow(tenantId, subject, keys));
      try {
        return Promise.resolve(readStatesNow(tenantId, subject, keys));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    async listStates(tenantId, subject) {
      await use();
      return wrap("list the consent projection", () =>
        (stmt(`SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = ? AND subject = ? ORDER BY purpose_key`).all(tenantId, subject) as StateRow[]).map(stateFromRow),
      );
    },
    async listExpiring(tenantId, at, limit) {
      await use();
      return wrap("list expiring grants", () =>
        (
          stmt(`SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = ? AND status = 'granted' AND until IS NOT NULL AND until <= ? ORDER BY until LIMIT ?`).all(
            tenantId,
            at.getTime(),
            limit,
          ) as StateRow[]
        ).map(stateFromRow),
      );
    },
    async addSuppression(entry) {
      await use();
      return sqliteTransaction(db, () =>
        wrap(
          "add a suppression",
          () =>
            stmt("INSERT INTO consent_suppression (tenant_id, hash, reason, channel, id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, hash) DO NOTHING").run(
              entry.tenantId,
              entry.hash,
              entry.reason,
              entry.channel,
              entry.id,
              entry.createdAt.getTime(),
            ).changes === 1,
        ),
      );
    },
    async getSuppression(tenantId, hash) {
      await use();
      const row = wrap("read the suppression list", () => stmt("SELECT * FROM consent_suppression WHERE tenant_id = ? AND hash = ?").get(tenantId, hash)) as SuppressionRow | undefined;
      return row ? suppressionFromRow(row) : undefined;
    },
    async removeSuppression(tenantId, hash) {
      await use();
      return sqliteTransaction(db, () => wrap("remove a suppression", () => stmt("DELETE FROM consent_suppression WHERE tenant_id = ? AND hash = ?").run(tenantId, hash).changes === 1));
    },
    async listStatesByStatus(tenantId, statuses, after, limit) {
      await use();
      if (statuses.length === 0) return [];
      const marks = statuses.map(() => "?").join(", ");
      const cursor = after ? "AND (subject > ? OR (subject = ? AND purpose_key > ?))" : "";
      const params: unknown[] = [tenantId, ...statuses, ...(after ? [after.subjectPseudonym, after.subjectPseudonym, after.purposeKey] : []), limit];
      return wrap("list consent states by status", () =>
        (stmt(`SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = ? AND status IN (${marks}) ${cursor} ORDER BY subject, purpose_key LIMIT ?`).all(...params) as StateRow[]).map(stateFromRow),
      );
    },
    async deletePurposeHistory(tenantId, subject, purposeId) {
      await use();
      return sqliteTransaction(db, () =>
        wrap("delete a purpose history", () => ({
          events: stmt("DELETE FROM consent_events WHERE tenant_id = ? AND subject = ? AND purpose_id = ?").run(tenantId, subject, purposeId).changes,
          states: stmt("DELETE FROM consent_state WHERE tenant_id = ? AND subject = ? AND purpose_key = ?").run(tenantId, subject, purposeId).changes,
        })),
      );
    },
    async eraseSubject(tenantId, subject) {
      await use();
      return sqliteTransaction(db, () =>
        wrap("erase a subject", () => ({
          events: stmt("DELETE FROM consent_events WHERE tenant_id = ? AND subject = ?").run(tenantId, subject).changes,
          states: stmt("DELETE FROM consent_state WHERE tenant_id = ? AND subject = ?").run(tenantId, subject).changes,
        })),
      );
    },
    close() {
      closed = true;
      statements.clear();
      readStateStatements.length = 0;
      return Promise.resolve();
    },
  };
  return Object.freeze(store);
}
