import * as z from "zod";
import { ERROR_CODES, isLawfulError, once, runSqliteMigrations, sqliteTransaction, type Migration, type SqliteDatabase, SqliteDatabaseSchema } from "@lawful/core";
import { RetentionError } from "../errors.js";
import type { RetentionStore } from "../store.js";
import {
  COMPONENT,
  checkRuleInSet,
  closedError,
  holdFromJson,
  holdNotFound,
  holdToJson,
  isActiveAt,
  parseCheckpoint,
  parseHold,
  parseId,
  parseTenant,
  releaseChecked,
  ruleFromJson,
  storeFailed,
} from "../internal/store-helpers.js";

/**
 * The SQLite schema migrations of the retention store (component `@lawful/retention`).
 *
 * @example
 * ```ts
 * import { RETENTION_SQLITE_MIGRATIONS } from "@lawful/retention/sqlite";
 * RETENTION_SQLITE_MIGRATIONS.length; // 1
 * ```
 */
export const RETENTION_SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "retention rules, holds and checkpoints",
    sql: [
      `CREATE TABLE retention_rules (tenant_id TEXT NOT NULL, rule_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (tenant_id, rule_id)) WITHOUT ROWID`,
      `CREATE TABLE retention_holds (tenant_id TEXT NOT NULL, hold_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (tenant_id, hold_id)) WITHOUT ROWID`,
      `CREATE TABLE retention_checkpoints (
        tenant_id TEXT NOT NULL, key TEXT NOT NULL, run_id TEXT NOT NULL, record_id TEXT NOT NULL, rule_id TEXT NOT NULL,
        action TEXT NOT NULL, done_at TEXT NOT NULL, PRIMARY KEY (tenant_id, key)) WITHOUT ROWID`,
    ],
  },
]);

/**
 * Options of {@link createSqliteRetentionStore}: a better-sqlite3 connection (typed structurally; the
 * caller owns it and should call core's `configureSqlite` on it).
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteRetentionStoreOptions } from "@lawful/retention/sqlite";
 * const o: SqliteRetentionStoreOptions = { database: new Database("lawful.db") };
 * ```
 */
export interface SqliteRetentionStoreOptions {
  database: SqliteDatabase;
}

const OptionsSchema = z.object({
  database: SqliteDatabaseSchema,
});

type Row = { record: string };

/**
 * Create a {@link RetentionStore} on SQLite (better-sqlite3). The schema is created lazily on the first
 * call; every write runs inside core's `sqliteTransaction` (a rule write re-validates the tenant's rule
 * set in the same transaction).
 *
 * @throws RetentionError `INVALID_CONFIGURATION` when the options are invalid.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * import { createSqliteRetentionStore } from "@lawful/retention/sqlite";
 * const db = new Database("lawful.db");
 * configureSqlite(db);
 * const store = createSqliteRetentionStore({ database: db });
 * ```
 */
export function createSqliteRetentionStore(options: SqliteRetentionStoreOptions): RetentionStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new RetentionError(ERROR_CODES.INVALID_CONFIGURATION, "createSqliteRetentionStore needs { database }: a better-sqlite3 Database.", { cause: parsed.error });
  }
  const db = parsed.data.database;
  const name = "sqlite";
  let closed = false;
  const ready = once(() => runSqliteMigrations(db, { component: COMPONENT, migrations: RETENTION_SQLITE_MIGRATIONS }));

  async function run<T>(op: string, fn: () => T, write = false): Promise<T> {
    if (closed) throw closedError(name);
    await ready();
    try {
      return write ? await sqliteTransaction(db, fn) : fn();
    } catch (error) {
      if (isLawfulError(error)) throw error;
      throw storeFailed(name, op, error);
    }
  }

  const rulesOf = (tenantId: string) =>
    (db.prepare("SELECT record FROM retention_rules WHERE tenant_id = ? ORDER BY rule_id").all(tenantId) as Row[]).map((r) => ruleFromJson(r.record));
  const holdOf = (tenantId: string, id: string) => {
    const row = db.prepare("SELECT record FROM retention_holds WHERE tenant_id = ? AND hold_id = ?").get(tenantId, id) as Row | undefined;
    return row && holdFromJson(row.record);
  };
  const writeHold = (tenantId: string, json: string, id: string) =>
    db.prepare("INSERT INTO retention_holds (tenant_id, hold_id, record) VALUES (?, ?, ?) ON CONFLICT (tenant_id, hold_id) DO UPDATE SET record = excluded.record").run(tenantId, id, json);

  return {
    name,
    capabilities: Object.freeze({ durable: true, atomicTransactions: true }),
    putRule: (tenantId, input) =>
      run(
        "write a rule",
        () => {
          const t = parseTenant(tenantId);
          const rule = checkRuleInSet(rulesOf(t), input);
          db.prepare("INSERT INTO retention_rules (tenant_id, rule_id, record) VALUES (?, ?, ?) ON CONFLICT (tenant_id, rule_id) DO UPDATE SET record = excluded.record").run(
            t,
            rule.id,
            JSON.stringify(rule),
          );
          return rule;
        },
        true,
      ),
    getRule: (tenantId, id) =>
      run("read a rule", () => {
        const row = db.prepare("SELECT record FROM retention_rules WHERE tenant_id = ? AND rule_id = ?").get(parseTenant(tenantId), parseId(id, "rule id")) as Row | undefined;
        return row && ruleFromJson(row.record);
      }),
    listRules: (tenantId) => run("list rules", () => rulesOf(parseTenant(tenantId))),
    deleteRule: (tenantId, id) =>
      run("delete a rule", () => db.prepare("DELETE FROM retention_rules WHERE tenant_id = ? AND rule_id = ?").run(parseTenant(tenantId), parseId(id, "rule id")).changes > 0, true),
    putHold: (tenantId, input) =>
      run(
        "write a legal hold",
        () => {
          const t = parseTenant(tenantId);
          const hold = parseHold(t, input);
          writeHold(t, holdToJson(hold), hold.id);
          return hold;
        },
        true,
      ),
    getHold: (tenantId, id) => run("read a legal hold", () => holdOf(parseTenant(tenantId), parseId(id, "hold id"))),
    listHolds: (tenantId, query = {}) =>
      run("list legal holds", () =>
        (db.prepare("SELECT record FROM retention_holds WHERE tenant_id = ? ORDER BY hold_id").all(parseTenant(tenantId)) as Row[])
          .map((r) => holdFromJson(r.record))
          .filter((h) => isActiveAt(h, query.activeAt)),
      ),
    releaseHold: (tenantId, id, releasedAt) =>
      run(
        "release a legal hold",
        () => {
          const t = parseTenant(tenantId);
          const hold = holdOf(t, parseId(id, "hold id"));
          if (!hold) throw holdNotFound(id);
          const released = releaseChecked(hold, releasedAt);
          if (released !== hold) writeHold(t, holdToJson(released), id);
          return released;
        },
        true,
      ),
    isDone: (tenantId, key) =>
      run("read a checkpoint", () => db.prepare("SELECT 1 AS x FROM retention_checkpoints WHERE tenant_id = ? AND key = ?").get(parseTenant(tenantId), parseId(key, "checkpoint key")) !== undefined),
    markDone: (tenantId, checkpoint) =>
      run(
        "write a checkpoint",
        () => {
          const t = parseTenant(tenantId);
          const c = parseCheckpoint(checkpoint);
          db.prepare(
            "INSERT INTO retention_checkpoints (tenant_id, key, run_id, record_id, rule_id, action, done_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING",
          ).run(t, c.key, c.runId, c.recordId, c.ruleId, c.action, c.doneAt.toISOString());
        },
        true,
      ),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
