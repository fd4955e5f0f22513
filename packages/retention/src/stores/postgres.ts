import * as z from "zod";
import { ERROR_CODES, isLawfulError, once, pgQueryable, pgTransaction, runPgMigrations, type Migration, type PgPool, PgPoolSchema } from "@lawful/core";
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
 * The PostgreSQL schema migrations of the retention store (component `@lawful/retention`).
 *
 * @example
 * ```ts
 * import { RETENTION_POSTGRES_MIGRATIONS } from "@lawful/retention/postgres";
 * RETENTION_POSTGRES_MIGRATIONS.length; // 1
 * ```
 */
export const RETENTION_POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "retention rules, holds and checkpoints",
    sql: [
      `CREATE TABLE retention_rules (tenant_id TEXT NOT NULL, rule_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (tenant_id, rule_id))`,
      `CREATE TABLE retention_holds (tenant_id TEXT NOT NULL, hold_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (tenant_id, hold_id))`,
      `CREATE TABLE retention_checkpoints (
        tenant_id TEXT NOT NULL, key TEXT NOT NULL, run_id TEXT NOT NULL, record_id TEXT NOT NULL, rule_id TEXT NOT NULL,
        action TEXT NOT NULL, done_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (tenant_id, key))`,
    ],
  },
]);

/**
 * Options of {@link createPostgresRetentionStore}: a pg `Pool` (typed structurally; the caller owns it).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresRetentionStoreOptions } from "@lawful/retention/postgres";
 * const o: PostgresRetentionStoreOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresRetentionStoreOptions {
  pool: PgPool;
}

const OptionsSchema = z.object({
  pool: PgPoolSchema,
});

type Row = { record: string };

/**
 * Create a {@link RetentionStore} on PostgreSQL (pg). The schema is created lazily (advisory-locked
 * migrations); writes run in `pgTransaction`, and a rule write locks the tenant's rule set
 * (`pg_advisory_xact_lock`) so two writers cannot store contradicting rules concurrently. Every query
 * goes through `pgQueryable`, so an outer `pgTransaction` on the same pool is honoured.
 *
 * @throws RetentionError `INVALID_CONFIGURATION` when the options are invalid.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresRetentionStore } from "@lawful/retention/postgres";
 * const store = createPostgresRetentionStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * ```
 */
export function createPostgresRetentionStore(options: PostgresRetentionStoreOptions): RetentionStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new RetentionError(ERROR_CODES.INVALID_CONFIGURATION, "createPostgresRetentionStore needs { pool }: a pg Pool.", { cause: parsed.error });
  }
  const pool = parsed.data.pool;
  const name = "postgres";
  let closed = false;
  const ready = once(() => runPgMigrations(pool, { component: COMPONENT, migrations: RETENTION_POSTGRES_MIGRATIONS }));

  async function run<T>(op: string, fn: () => Promise<T>, write = false): Promise<T> {
    if (closed) throw closedError(name);
    await ready();
    try {
      return write ? await pgTransaction(pool, fn) : await fn();
    } catch (error) {
      if (isLawfulError(error)) throw error;
      throw storeFailed(name, op, error);
    }
  }
  const q = () => pgQueryable(pool);
  const holdOf = async (tenantId: string, id: string, lock = false) => {
    const { rows } = await q().query<Row>(`SELECT record FROM retention_holds WHERE tenant_id = $1 AND hold_id = $2${lock ? " FOR UPDATE" : ""}`, [tenantId, id]);
    return rows[0] && holdFromJson(rows[0].record);
  };
  const writeHold = (tenantId: string, id: string, json: string) =>
    q().query("INSERT INTO retention_holds (tenant_id, hold_id, record) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, hold_id) DO UPDATE SET record = EXCLUDED.record", [tenantId, id, json]);

  return {
    name,
    capabilities: Object.freeze({ durable: true, atomicTransactions: true }),
    putRule: (tenantId, input) =>
      run(
        "write a rule",
        async () => {
          const t = parseTenant(tenantId);
          await q().query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${COMPONENT}:rules:${t}`]);
          const { rows } = await q().query<Row>("SELECT record FROM retention_rules WHERE tenant_id = $1", [t]);
          const rule = checkRuleInSet(
            rows.map((r) => ruleFromJson(r.record)),
            input,
          );
          await q().query("INSERT INTO retention_rules (tenant_id, rule_id, record) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, rule_id) DO UPDATE SET record = EXCLUDED.record", [
            t,
            rule.id,
            JSON.stringify(rule),
          ]);
          return rule;
        },
        true,
      ),
    getRule: (tenantId, id) =>
      run("read a rule", async () => {
        const { rows } = await q().query<Row>("SELECT record FROM retention_rules WHERE tenant_id = $1 AND rule_id = $2", [parseTenant(tenantId), parseId(id, "rule id")]);
        return rows[0] && ruleFromJson(rows[0].record);
      }),
    listRules: (tenantId) =>
      run("list rules", async () => {
        const { rows } = await q().query<Row>("SELECT record FROM retention_rules WHERE tenant_id = $1 ORDER BY rule_id COLLATE \"C\"", [parseTenant(tenantId)]);
        return rows.map((r) => ruleFromJson(r.record));
      }),
    deleteRule: (tenantId, id) =>
      run(
        "delete a rule",
        async () => ((await q().query("DELETE FROM retention_rules WHERE tenant_id = $1 AND rule_id = $2", [parseTenant(tenantId), parseId(id, "rule id")])).rowCount ?? 0) > 0,
        true,
      ),
    putHold: (tenantId, input) =>
      run(
        "write a legal hold",
        async () => {
          const t = parseTenant(tenantId);
          const hold = parseHold(t, input);
          await writeHold(t, hold.id, holdToJson(hold));
          return hold;
        },
        true,
      ),
    getHold: (tenantId, id) => run("read a legal hold", () => holdOf(parseTenant(tenantId), parseId(id, "hold id"))),
    listHolds: (tenantId, query = {}) =>
      run("list legal holds", async () => {
        const { rows } = await q().query<Row>("SELECT record FROM retention_holds WHERE tenant_id = $1 ORDER BY hold_id COLLATE \"C\"", [parseTenant(tenantId)]);
        return rows.map((r) => holdFromJson(r.record)).filter((h) => isActiveAt(h, query.activeAt));
      }),
    releaseHold: (tenantId, id, releasedAt) =>
      run(
        "release a legal hold",
        async () => {
          const t = parseTenant(tenantId);
          const hold = await holdOf(t, parseId(id, "hold id"), true);
          if (!hold) throw holdNotFound(id);
          const released = releaseChecked(hold, releasedAt);
          if (released !== hold) await writeHold(t, id, holdToJson(released));
          return released;
        },
        true,
      ),
    isDone: (tenantId, key) =>
      run("read a checkpoint", async () => {
        const { rows } = await q().query("SELECT 1 AS x FROM retention_checkpoints WHERE tenant_id = $1 AND key = $2", [parseTenant(tenantId), parseId(key, "checkpoint key")]);
        return rows.length > 0;
      }),
    markDone: (tenantId, checkpoint) =>
      run("write a checkpoint", async () => {
        const t = parseTenant(tenantId);
        const c = parseCheckpoint(checkpoint);
        await q().query(
          "INSERT INTO retention_checkpoints (tenant_id, key, run_id, record_id, rule_id, action, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, key) DO NOTHING",
          [t, c.key, c.runId, c.recordId, c.ruleId, c.action, c.doneAt],
        );
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
