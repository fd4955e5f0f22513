import * as z from "zod";
import { ERROR_CODES, isLawfulError, once, pgQueryable, pgTransaction, runPgMigrations, type Migration, type PgPool, PgPoolSchema } from "@lawful/core";
import type { ChangeNotice } from "../change-notice.js";
import type { DisclosureRecord } from "../disclosure.js";
import { RegistryError } from "../errors.js";
import type { PartyRecord } from "../party.js";
import type { RegistryStore } from "../store.js";
import {
  COMPONENT,
  closedError,
  disclosureConflict,
  parseDisclosure,
  parseNotice,
  parseParty,
  parseQuery,
  parseTenant,
  revisionConflict,
  storeFailed,
  toJson,
  versionConflict,
} from "../internal/store-helpers.js";

/**
 * The PostgreSQL schema migrations of the registry (component `@lawful/registry`). Party versions
 * are append-only (a trigger refuses UPDATE and DELETE); disclosures refuse UPDATE.
 *
 * @example
 * ```ts
 * import { REGISTRY_PG_MIGRATIONS } from "@lawful/registry/postgres";
 * REGISTRY_PG_MIGRATIONS.length; // 1
 * ```
 */
export const REGISTRY_PG_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "registry tables",
    sql: [
      `CREATE TABLE registry_party_versions (
        tenant_id TEXT NOT NULL, party_id TEXT NOT NULL, version INTEGER NOT NULL,
        status TEXT NOT NULL, role TEXT NOT NULL, recorded_at TIMESTAMPTZ NOT NULL, record JSONB NOT NULL,
        PRIMARY KEY (tenant_id, party_id, version))`,
      `CREATE INDEX registry_party_versions_recorded ON registry_party_versions (tenant_id, recorded_at)`,
      `CREATE FUNCTION registry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$`,
      `CREATE TRIGGER registry_party_versions_append_only BEFORE UPDATE OR DELETE ON registry_party_versions FOR EACH ROW EXECUTE FUNCTION registry_refuse_change()`,
      `CREATE TABLE registry_change_notices (
        tenant_id TEXT NOT NULL, notice_id TEXT NOT NULL, party_id TEXT NOT NULL, revision INTEGER NOT NULL,
        proposed_at TIMESTAMPTZ NOT NULL, record JSONB NOT NULL,
        PRIMARY KEY (tenant_id, notice_id))`,
      `CREATE INDEX registry_change_notices_party ON registry_change_notices (tenant_id, party_id)`,
      `CREATE TABLE registry_disclosures (
        tenant_id TEXT NOT NULL, disclosure_id TEXT NOT NULL, recipient_id TEXT NOT NULL, subject_pseudonym TEXT NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL, record JSONB NOT NULL,
        PRIMARY KEY (tenant_id, disclosure_id))`,
      `CREATE INDEX registry_disclosures_subject ON registry_disclosures (tenant_id, subject_pseudonym, occurred_at)`,
      `CREATE INDEX registry_disclosures_recipient ON registry_disclosures (tenant_id, recipient_id, occurred_at)`,
      `CREATE TRIGGER registry_disclosures_no_update BEFORE UPDATE ON registry_disclosures FOR EACH ROW EXECUTE FUNCTION registry_refuse_change()`,
    ],
  },
]);

/**
 * Options of {@link createPostgresRegistryStore}: a pg `Pool` (typed structurally; the caller owns it).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import type { PostgresRegistryStoreOptions } from "@lawful/registry/postgres";
 * const o: PostgresRegistryStoreOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresRegistryStoreOptions {
  pool: PgPool;
}

const OptionsSchema = z.object({
  pool: PgPoolSchema,
});

type Row = { record: unknown };

/**
 * Create a {@link RegistryStore} on PostgreSQL (pg). The schema is created lazily on the first
 * call (advisory-locked, so several instances may start at once). Every query goes through core's
 * `pgQueryable`, so an outer `pgTransaction` shared with other Lawful stores on the same pool
 * commits them together; concurrent writers of the same party version get `CONFLICT`.
 *
 * @throws RegistryError `INVALID_CONFIGURATION` when the options are invalid.
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresRegistryStore } from "@lawful/registry/postgres";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = createPostgresRegistryStore({ pool });
 * ```
 */
export function createPostgresRegistryStore(options: PostgresRegistryStoreOptions): RegistryStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new RegistryError(ERROR_CODES.INVALID_CONFIGURATION, "createPostgresRegistryStore needs { pool }: a pg Pool.", { cause: parsed.error });
  const { pool } = Object.freeze(parsed.data);
  const name = "postgres";
  let closed = false;
  const ready = once(() => runPgMigrations(pool, { component: COMPONENT, migrations: REGISTRY_PG_MIGRATIONS }));

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

  const q = <R>(sql: string, params: unknown[] = []) => pgQueryable(pool).query<R>(sql, params);
  const isUnique = (e: unknown) => typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";

  return {
    name,
    capabilities: Object.freeze({ atomicTransactions: true, durable: true }),
    async transaction(fn) {
      if (closed) throw closedError(name);
      await ready();
      return pgTransaction(pool, fn);
    },
    appendPartyVersion(record: PartyRecord) {
      return run(
        "append a party version",
        async () => {
          const r = parseParty(record);
          const { rows } = await q<{ v: number }>("SELECT COALESCE(MAX(version), 0)::int AS v FROM registry_party_versions WHERE tenant_id = $1 AND party_id = $2", [r.tenantId, r.id]);
          const v = rows[0]?.v ?? 0;
          if (r.version !== v + 1) throw versionConflict(r, v);
          try {
            await q(
              "INSERT INTO registry_party_versions (tenant_id, party_id, version, status, role, recorded_at, record) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
              [r.tenantId, r.id, r.version, r.status, r.party.role, r.recordedAt, toJson(r)],
            );
          } catch (e) {
            if (isUnique(e)) throw versionConflict(r, v + 1);
            throw e;
          }
        },
        true,
      );
    },
    getParty(tenantId, partyId, version) {
      return run("read a party", async () => {
        const t = parseTenant(tenantId);
        const { rows } =
          version === undefined
            ? await q<Row>("SELECT record FROM registry_party_versions WHERE tenant_id = $1 AND party_id = $2 ORDER BY version DESC LIMIT 1", [t, partyId])
            : await q<Row>("SELECT record FROM registry_party_versions WHERE tenant_id = $1 AND party_id = $2 AND version = $3", [t, partyId, version]);
        return rows[0] ? parseParty(rows[0].record) : undefined;
      });
    },
    listParties(tenantId) {
      return run("list parties", async () => {
        const t = parseTenant(tenantId);
        const { rows } = await q<Row>(
          `SELECT DISTINCT ON (party_id COLLATE "C") record FROM registry_party_versions WHERE tenant_id = $1 ORDER BY party_id COLLATE "C", version DESC`,
          [t],
        );
        return rows.map((row) => parseParty(row.record));
      });
    },
    listPartyVersions(tenantId, partyId) {
      return run("list party versions", async () => {
        const t = parseTenant(tenantId);
        const { rows } =
          partyId === undefined
            ? await q<Row>(`SELECT record FROM registry_party_versions WHERE tenant_id = $1 ORDER BY recorded_at, party_id COLLATE "C", version`, [t])
            : await q<Row>(`SELECT record FROM registry_party_versions WHERE tenant_id = $1 AND party_id = $2 ORDER BY recorded_at, version`, [t, partyId]);
        return rows.map((row) => parseParty(row.record));
      });
    },
    putChangeNotice(notice: ChangeNotice) {
      return run(
        "write a change notice",
        async () => {
          const n = parseNotice(notice);
          const { rows } = await q<{ revision: number }>("SELECT revision FROM registry_change_notices WHERE tenant_id = $1 AND notice_id = $2 FOR UPDATE", [n.tenantId, n.id]);
          const stored = rows[0]?.revision ?? 0;
          if (n.revision !== stored + 1) throw revisionConflict(n, stored);
          try {
            if (stored === 0) {
              await q(
                "INSERT INTO registry_change_notices (tenant_id, notice_id, party_id, revision, proposed_at, record) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                [n.tenantId, n.id, n.partyId, n.revision, n.proposedAt, toJson(n)],
              );
            } else {
              await q(
                "UPDATE registry_change_notices SET revision = $1, party_id = $2, proposed_at = $3, record = $4::jsonb WHERE tenant_id = $5 AND notice_id = $6 AND revision = $7",
                [n.revision, n.partyId, n.proposedAt, toJson(n), n.tenantId, n.id, stored],
              );
            }
          } catch (e) {
            if (isUnique(e)) throw revisionConflict(n, n.revision);
            throw e;
          }
        },
        true,
      );
    },
    getChangeNotice(tenantId, id) {
      return run("read a change notice", async () => {
        const t = parseTenant(tenantId);
        const { rows } = await q<Row>("SELECT record FROM registry_change_notices WHERE tenant_id = $1 AND notice_id = $2", [t, id]);
        return rows[0] ? parseNotice(rows[0].record) : undefined;
      });
    },
    listChangeNotices(tenantId, filter) {
      return run("list change notices", async () => {
        const t = parseTenant(tenantId);
        const { rows } =
          filter?.partyId === undefined
            ? await q<Row>(`SELECT record FROM registry_change_notices WHERE tenant_id = $1 ORDER BY proposed_at, notice_id COLLATE "C"`, [t])
            : await q<Row>(`SELECT record FROM registry_change_notices WHERE tenant_id = $1 AND party_id = $2 ORDER BY proposed_at, notice_id COLLATE "C"`, [t, filter.partyId]);
        return rows.map((row) => parseNotice(row.record));
      });
    },
    appendDisclosure(record: DisclosureRecord) {
      return run(
        "append a disclosure",
        async () => {
          const d = parseDisclosure(record);
          try {
            await q(
              "INSERT INTO registry_disclosures (tenant_id, disclosure_id, recipient_id, subject_pseudonym, occurred_at, record) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
              [d.tenantId, d.id, d.recipientId, d.subjectPseudonym, d.occurredAt, toJson(d)],
            );
          } catch (e) {
            if (isUnique(e)) throw disclosureConflict(d.id);
            throw e;
          }
        },
        true,
      );
    },
    getDisclosure(tenantId, id) {
      return run("read a disclosure", async () => {
        const t = parseTenant(tenantId);
        const { rows } = await q<Row>("SELECT record FROM registry_disclosures WHERE tenant_id = $1 AND disclosure_id = $2", [t, id]);
        return rows[0] ? parseDisclosure(rows[0].record) : undefined;
      });
    },
    listDisclosures(tenantId, query) {
      return run("list disclosures", async () => {
        const t = parseTenant(tenantId);
        const qq = parseQuery(query);
        const where = ["tenant_id = $1"];
        const params: unknown[] = [t];
        const add = (column: string, op: string, value: unknown) => {
          params.push(value);
          where.push(`${column} ${op} $${params.length}`);
        };
        if (qq.subjectPseudonym !== undefined) add("subject_pseudonym", "=", qq.subjectPseudonym);
        if (qq.recipientId !== undefined) add("recipient_id", "=", qq.recipientId);
        if (qq.from !== undefined) add("occurred_at", ">=", qq.from);
        if (qq.to !== undefined) add("occurred_at", "<", qq.to);
        const limit = qq.limit === undefined ? "" : ` LIMIT ${qq.limit}`;
        const { rows } = await q<Row>(`SELECT record FROM registry_disclosures WHERE ${where.join(" AND ")} ORDER BY occurred_at, disclosure_id COLLATE "C"${limit}`, params);
        return rows.map((row) => parseDisclosure(row.record));
      });
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
