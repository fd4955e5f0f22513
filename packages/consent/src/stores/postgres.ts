import * as z from "zod";
import { ERROR_CODES, once, pgQueryable, pgTransaction, runPgMigrations, type Migration, type PgPool, PgPoolSchema } from "@lawful/core";
import { ConsentError } from "../errors.js";
import {
  COMPONENT,
  SCHEMA_V1,
  STATE_COLUMNS,
  eventFromJson,
  eventToJson,
  noticeFromJson,
  noticeToJson,
  purposeFromJson,
  stateFromRow,
  stateParams,
  suppressionFromRow,
  type StateRow,
  type SuppressionRow,
} from "../internal/rows.js";
import type { ConsentStore } from "../store.js";

/**
 * The PostgreSQL schema migrations of the consent store (component `@lawful/consent`). The store applies them
 * lazily on first use; an application may apply them up front with core's `runPgMigrations`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { runPgMigrations } from "@lawful/core";
 * import { CONSENT_PG_MIGRATIONS } from "@lawful/consent/postgres";
 * await runPgMigrations(new pg.Pool(), { component: "@lawful/consent", migrations: CONSENT_PG_MIGRATIONS });
 * ```
 */
export const CONSENT_PG_MIGRATIONS: readonly Migration[] = Object.freeze([{ version: 1, name: "consent tables", sql: SCHEMA_V1 }]);

/**
 * Options of {@link createPostgresConsentStore}.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresConsentStoreOptions } from "@lawful/consent/postgres";
 * const options: PostgresConsentStoreOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresConsentStoreOptions {
  /** A pg `Pool` (or anything shaped like it). The caller owns it and ends it. */
  pool: PgPool;
}

const OptionsSchema = z.object({
  pool: PgPoolSchema,
});

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === "23505";

/**
 * A {@link ConsentStore} on PostgreSQL (pg): durable; every query goes through `pgQueryable(pool)`, so an outer
 * `pgTransaction` on the same pool makes consent events and audit events commit together. Several server instances
 * may share the database. Tables are created lazily (migrations of component `@lawful/consent`).
 *
 * @throws ConsentError `INVALID_CONFIGURATION` when `pool` is missing.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresConsentStore } from "@lawful/consent/postgres";
 * const store = createPostgresConsentStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * ```
 */
export function createPostgresConsentStore(options: PostgresConsentStoreOptions): ConsentStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new ConsentError(ERROR_CODES.INVALID_CONFIGURATION, "createPostgresConsentStore() needs { pool: a pg Pool }.");
  const pool = parsed.data.pool;
  let closed = false;
  const ready = once(() => runPgMigrations(pool, { component: COMPONENT, migrations: CONSENT_PG_MIGRATIONS }));
  async function use(): Promise<void> {
    if (closed) throw new ConsentError(ERROR_CODES.STORE_CLOSED, "The PostgreSQL consent store was closed.");
    await ready();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function q<R = any>(what: string, sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await pgQueryable(pool).query<R>(sql, values)).rows;
    } catch (cause) {
      if (isUniqueViolation(cause)) throw new ConsentError(ERROR_CODES.CONFLICT, `Cannot ${what}: a record with the same identity exists.`, { cause });
      throw new ConsentError(ERROR_CODES.STORE_FAILED, `PostgreSQL consent store failed to ${what}.`, { cause });
    }
  }
  const list = (n: number, from: number) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(", ");

  const store: ConsentStore = {
    name: "postgres",
    capabilities: Object.freeze({ durable: true, transactions: true }),
    async transaction(fn) {
      await use();
      return pgTransaction(pool, () => fn());
    },
    async lockSubject(tenantId, subject) {
      await use();
      await q("lock a subject", "SELECT pg_advisory_xact_lock(hashtextextended($1, 7254812004))", [`consent|${tenantId}|${subject}`]);
    },
    async putPurpose(purpose) {
      await use();
      await q("store a purpose", "INSERT INTO consent_purposes (tenant_id, id, data) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, id) DO UPDATE SET data = excluded.data", [
        purpose.tenantId,
        purpose.id,
        JSON.stringify(purpose),
      ]);
    },
    async listPurposes(tenantId) {
      await use();
      return (await q<{ data: string }>("list purposes", "SELECT data FROM consent_purposes WHERE tenant_id = $1 ORDER BY id COLLATE \"C\"", [tenantId])).map((r) => purposeFromJson(r.data));
    },
    async insertNotice(notice) {
      await use();
      try {
        await q("insert a notice", "INSERT INTO consent_notices (tenant_id, notice_id, version, status, data) VALUES ($1, $2, $3, $4, $5)", [
          notice.tenantId,
          notice.noticeId,
          notice.version,
          notice.status,
          noticeToJson(notice),
        ]);
      } catch (error) {
        if (error instanceof ConsentError && error.code === ERROR_CODES.CONFLICT) {
          throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${notice.noticeId} version ${notice.version} already exists; publish a new version instead.`);
        }
        throw error;
      }
    },
    async publishNotice(tenantId, noticeId, version, at) {
      await use();
      return pgTransaction(pool, async () => {
        const [row] = await q<{ data: string }>("read a notice", "SELECT data FROM consent_notices WHERE tenant_id = $1 AND notice_id = $2 AND version = $3 FOR UPDATE", [
          tenantId,
          noticeId,
          version,
        ]);
        if (!row) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Notice ${noticeId} version ${version} does not exist.`);
        const n = noticeFromJson(row.data);
        if (n.status === "published") throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${noticeId} version ${version} is already published and immutable.`);
        const published = { ...n, status: "published" as const, publishedAt: new Date(at.getTime()) };
        await q("publish a notice", "UPDATE consent_notices SET status = 'published', data = $1 WHERE tenant_id = $2 AND notice_id = $3 AND version = $4 AND status = 'draft'", [
          noticeToJson(published),
          tenantId,
          noticeId,
          version,
        ]);
        return published;
      });
    },
    async getNotice(tenantId, noticeId, version) {
      await use();
      const [row] = await q<{ data: string }>("read a notice", "SELECT data FROM consent_notices WHERE tenant_id = $1 AND notice_id = $2 AND version = $3", [tenantId, noticeId, version]);
      return row ? noticeFromJson(row.data) : undefined;
    },
    async listNotices(tenantId, noticeId) {
      await use();
      const rows =
        noticeId === undefined
          ? await q<{ data: string }>("list notices", 'SELECT data FROM consent_notices WHERE tenant_id = $1 ORDER BY notice_id COLLATE "C", version', [tenantId])
          : await q<{ data: string }>("list notices", "SELECT data FROM consent_notices WHERE tenant_id = $1 AND notice_id = $2 ORDER BY version", [tenantId, noticeId]);
      return rows.map((r) => noticeFromJson(r.data));
    },
    async commit(c) {
      await use();
      await pgTransaction(pool, async () => {
        for (const e of c.events) {
          try {
            await q("append an event", "INSERT INTO consent_events (tenant_id, id, subject, purpose_id, occurred_at, data) VALUES ($1, $2, $3, $4, $5, $6)", [
              e.tenantId,
              e.id,
              e.subjectPseudonym,
              e.purposeId,
              e.occurredAt.getTime(),
              eventToJson(e),
            ]);
          } catch (error) {
            if (error instanceof ConsentError && error.code === ERROR_CODES.CONFLICT) {
              throw new ConsentError(ERROR_CODES.CONFLICT, `Consent event ${e.id} already exists; events are append-only.`);
            }
            throw error;
          }
        }
        for (const d of c.deleteStates) {
          await q("update the consent projection", "DELETE FROM consent_state WHERE tenant_id = $1 AND subject = $2 AND purpose_key = $3", [d.tenantId, d.subjectPseudonym, d.purposeKey]);
        }
        for (const s of c.upsertStates) {
          await q(
            "update the consent projection",
            `INSERT INTO consent_state (${STATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, subject, purpose_key) DO UPDATE SET status = excluded.status, basis = excluded.basis, event_id = excluded.event_id, since = excluded.since, until = excluded.until, as_of = excluded.as_of`,
            stateParams(s),
          );
        }
      });
    },
    async getEvent(tenantId, eventId) {
      await use();
      const [row] = await q<{ data: string }>("read an event", "SELECT data FROM consent_events WHERE tenant_id = $1 AND id = $2", [tenantId, eventId]);
      return row ? eventFromJson(row.data) : undefined;
    },
    async listEvents(tenantId, subject, purposeId) {
      await use();
      const rows =
        purposeId === undefined
          ? await q<{ data: string }>("list events", 'SELECT data FROM consent_events WHERE tenant_id = $1 AND subject = $2 ORDER BY occurred_at, id COLLATE "C"', [tenantId, subject])
          : await q<{ data: string }>("list events", 'SELECT data FROM consent_events WHERE tenant_id = $1 AND subject = $2 AND purpose_id = $3 ORDER BY occurred_at, id COLLATE "C"', [
              tenantId,
              subject,
              purposeId,
            ]);
      return rows.map((r) => eventFromJson(r.data));
    },
    async readStates(tenantId, subject, keys) {
      await use();
      if (keys.length === 0) return [];
      return (
        await q<StateRow>("read the consent projection", `SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = $1 AND subject = $2 AND purpose_key IN (${list(keys.length, 3)})`, [
          tenantId,
          subject,
          ...keys,
        ])
      ).map(stateFromRow);
    },
    async listStates(tenantId, subject) {
      await use();
      return (
        await q<StateRow>("list the consent projection", `SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = $1 AND subject = $2 ORDER BY purpose_key COLLATE "C"`, [tenantId, subject])
      ).map(stateFromRow);
    },
    async listExpiring(tenantId, at, limit) {
      await use();
      return (
        await q<StateRow>(
          "list expiring grants",
          `SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = $1 AND status = 'granted' AND until IS NOT NULL AND until <= $2 ORDER BY until LIMIT $3`,
          [tenantId, at.getTime(), limit],
        )
      ).map(stateFromRow);
    },
    async addSuppression(entry) {
      await use();
      const rows = await q(
        "add a suppression",
        "INSERT INTO consent_suppression (tenant_id, hash, reason, channel, id, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, hash) DO NOTHING RETURNING id",
        [entry.tenantId, entry.hash, entry.reason, entry.channel, entry.id, entry.createdAt.getTime()],
      );
      return rows.length === 1;
    },
    async getSuppression(tenantId, hash) {
      await use();
      const [row] = await q<SuppressionRow>("read the suppression list", "SELECT * FROM consent_suppression WHERE tenant_id = $1 AND hash = $2", [tenantId, hash]);
      return row ? suppressionFromRow(row) : undefined;
    },
    async removeSuppression(tenantId, hash) {
      await use();
      return (await q("remove a suppression", "DELETE FROM consent_suppression WHERE tenant_id = $1 AND hash = $2 RETURNING id", [tenantId, hash])).length === 1;
    },
    async listStatesByStatus(tenantId, statuses, after, limit) {
      await use();
      if (statuses.length === 0) return [];
      const marks = statuses.map((_, i) => `$${i + 2}`).join(", ");
      const n = statuses.length + 2;
      const cursor = after ? `AND (subject COLLATE "C" > $${n} OR (subject = $${n} AND purpose_key COLLATE "C" > $${n + 1}))` : "";
      const params: unknown[] = [tenantId, ...statuses, ...(after ? [after.subjectPseudonym, after.purposeKey] : []), limit];
      return (
        await q<StateRow>(
          "list consent states by status",
          `SELECT ${STATE_COLUMNS} FROM consent_state WHERE tenant_id = $1 AND status IN (${marks}) ${cursor} ORDER BY subject COLLATE "C", purpose_key COLLATE "C" LIMIT $${params.length}`,
          params,
        )
      ).map(stateFromRow);
    },
    async deletePurposeHistory(tenantId, subject, purposeId) {
      await use();
      return pgTransaction(pool, async () => ({
        events: (await q("delete a purpose history", "DELETE FROM consent_events WHERE tenant_id = $1 AND subject = $2 AND purpose_id = $3 RETURNING id", [tenantId, subject, purposeId])).length,
        states: (await q("delete a purpose history", "DELETE FROM consent_state WHERE tenant_id = $1 AND subject = $2 AND purpose_key = $3 RETURNING purpose_key", [tenantId, subject, purposeId])).length,
      }));
    },
    async eraseSubject(tenantId, subject) {
      await use();
      return pgTransaction(pool, async () => ({
        events: (await q("erase a subject", "DELETE FROM consent_events WHERE tenant_id = $1 AND subject = $2 RETURNING id", [tenantId, subject])).length,
        states: (await q("erase a subject", "DELETE FROM consent_state WHERE tenant_id = $1 AND subject = $2 RETURNING purpose_key", [tenantId, subject])).length,
      }));
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
  return Object.freeze(store);
}
