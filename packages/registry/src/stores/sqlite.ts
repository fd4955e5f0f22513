import * as z from "zod";
import { ERROR_CODES, isLawfulError, once, runSqliteMigrations, sqliteTransaction, type Migration, type SqliteDatabase, SqliteDatabaseSchema } from "@lawful/core";
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
 * The SQLite schema migrations of the registry (component `@lawful/registry`). Party versions
 * are append-only (triggers refuse UPDATE and DELETE); disclosures refuse UPDATE.
 *
 * @example
 * ```ts
 * import { REGISTRY_SQLITE_MIGRATIONS } from "@lawful/registry/sqlite";
 * REGISTRY_SQLITE_MIGRATIONS.length; // 1
 * ```
 */
export const REGISTRY_SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "registry tables",
    sql: [
      `CREATE TABLE registry_party_versions (
        tenant_id TEXT NOT NULL, party_id TEXT NOT NULL, version INTEGER NOT NULL,
        status TEXT NOT NULL, role TEXT NOT NULL, recorded_at TEXT NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (tenant_id, party_id, version)) WITHOUT ROWID`,
      `CREATE INDEX registry_party_versions_recorded ON registry_party_versions (tenant_id, recorded_at)`,
      `CREATE TRIGGER registry_party_versions_no_update BEFORE UPDATE ON registry_party_versions BEGIN SELECT RAISE(ABORT, 'registry party versions are append-only'); END`,
      `CREATE TRIGGER registry_party_versions_no_delete BEFORE DELETE ON registry_party_versions BEGIN SELECT RAISE(ABORT, 'registry party versions are append-only'); END`,
      `CREATE TABLE registry_change_notices (
        tenant_id TEXT NOT NULL, notice_id TEXT NOT NULL, party_id TEXT NOT NULL, revision INTEGER NOT NULL,
        proposed_at TEXT NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (tenant_id, notice_id)) WITHOUT ROWID`,
      `CREATE INDEX registry_change_notices_party ON registry_change_notices (tenant_id, party_id)`,
      `CREATE TABLE registry_disclosures (
        tenant_id TEXT NOT NULL, disclosure_id TEXT NOT NULL, recipient_id TEXT NOT NULL, subject_pseudonym TEXT NOT NULL,
        occurred_at TEXT NOT NULL, record TEXT NOT NULL,
        PRIMARY KEY (tenant_id, disclosure_id)) WITHOUT ROWID`,
      `CREATE INDEX registry_disclosures_subject ON registry_disclosures (tenant_id, subject_pseudonym, occurred_at)`,
      `CREATE INDEX registry_disclosures_recipient ON registry_disclosures (tenant_id, recipient_id, occurred_at)`,
      `CREATE TRIGGER registry_disclosures_no_update BEFORE UPDATE ON registry_disclosures BEGIN SELECT RAISE(ABORT, 'registry disclosures are append-only'); END`,
    ],
  },
]);

/**
 * Options of {@link createSqliteRegistryStore}: a better-sqlite3 connection (typed structurally;
 * the caller owns it and should call core's `configureSqlite` on it).
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import type { SqliteRegistryStoreOptions } from "@lawful/registry/sqlite";
 * const o: SqliteRegistryStoreOptions = { database: new Database("lawful.db") };
 * ```
 */
export interface SqliteRegistryStoreOptions {
  database: SqliteDatabase;
}

const OptionsSchema = z.object({
  database: SqliteDatabaseSchema,
});

type Row = { record: string };

/**
 * Create a {@link RegistryStore} on SQLite (better-sqlite3). The schema is created lazily on the
 * first call; every write runs inside core's `sqliteTransaction`, so an outer transaction shared
 * with other Lawful stores on the same connection commits them together.
 *
 * @throws RegistryError `INVALID_CONFIGURATION` when the options are invalid.
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { configureSqlite } from "@lawful/core";
 * import { createSqliteRegistryStore } from "@lawful/registry/sqlite";
 * const db = new Database("lawful.db");
 * configureSqlite(db);
 * const store = createSqliteRegistryStore({ database: db });
 * ```
 */
export function createSqliteRegistryStore(options: SqliteRegistryStoreOptions): RegistryStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new RegistryError(ERROR_CODES.INVALID_CONFIGURATION, "createSqliteRegistryStore needs { database }: a better-sqlite3 Database.", { cause: parsed.error });
  const { database: db } = Object.freeze(parsed.data);
  const name = "sqlite";
  let closed = false;
  const ready = once(() => runSqliteMigrations(db, { component: COMPONENT, migrations: REGISTRY_SQLITE_MIGRATIONS }));

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

  const isUnique = (e: unknown) => typeof e === "object" && e !== null && String((e as { code?: unknown }).code).startsWith("SQLITE_CONSTRAINT");

  return {
    name,
    capabilities: Object.freeze({ atomicTransactions: true, durable: true }),
    async transaction(fn) {
      if (closed) throw closedError(name);
      await ready();
      return sqliteTransaction(db, fn);
    },
    appendPartyVersion(record: PartyRecord) {
      return run(
        "append a party version",
        () => {
          const r = parseParty(record);
          const { v } = db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM registry_party_versions WHERE tenant_id = ? AND party_id = ?").get(r.tenantId, r.id) as { v: number };
          if (r.version !== v + 1) throw versionConflict(r, v);
          try {
            db.prepare("INSERT INTO registry_party_versions (tenant_id, party_id, version, status, role, recorded_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
              r.tenantId,
              r.id,
              r.version,
              r.status,
              r.party.role,
              r.recordedAt.toISOString(),
              toJson(r),
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
      return run("read a party", () => {
        const t = parseTenant(tenantId);
        const row = (
          version === undefined
            ? db.prepare("SELECT record FROM registry_party_versions WHERE tenant_id = ? AND party_id = ? ORDER BY version DESC LIMIT 1").get(t, partyId)
            : db.prepare("SELECT record FROM registry_party_versions WHERE tenant_id = ? AND party_id = ? AND version = ?").get(t, partyId, version)
        ) as Row | undefined;
        return row ? parseParty(JSON.parse(row.record)) : undefined;
      });
    },
    async listParties(tenantId) {
      const t = parseTenant(tenantId);
      return await run("list parties", () =>
        (
          db
            .prepare(
              `SELECT v.record FROM registry_party_versions v
               JOIN (SELECT party_id, MAX(version) AS version FROM registry_party_versions WHERE tenant_id = ? GROUP BY party_id) m
                 ON v.party_id = m.party_id AND v.version = m.version
               WHERE v.tenant_id = ? ORDER BY v.party_id`,
            )
            .all(t, t) as Row[]
        ).map((row) => parseParty(JSON.parse(row.record))),
      );
    },
    async listPartyVersions(tenantId, partyId) {
      const t = parseTenant(tenantId);
      return await run("list party versions", () =>
        (
          (partyId === undefined
            ? db.prepare("SELECT record FROM registry_party_versions WHERE tenant_id = ? ORDER BY recorded_at, party_id, version").all(t)
            : db.prepare("SELECT record FROM registry_party_versions WHERE tenant_id = ? AND party_id = ? ORDER BY recorded_at, party_id, version").all(t, partyId)) as Row[]
        ).map((row) => parseParty(JSON.parse(row.record))),
      );
    },
    putChangeNotice(notice: ChangeNotice) {
      return run(
        "write a change notice",
        () => {
          const n = parseNotice(notice);
          const row = db.prepare("SELECT revision FROM registry_change_notices WHERE tenant_id = ? AND notice_id = ?").get(n.tenantId, n.id) as { revision: number } | undefined;
          const stored = row?.revision ?? 0;
          if (n.revision !== stored + 1) throw revisionConflict(n, stored);
          if (stored === 0) {
            db.prepare("INSERT INTO registry_change_notices (tenant_id, notice_id, party_id, revision, proposed_at, record) VALUES (?, ?, ?, ?, ?, ?)").run(
              n.tenantId,
              n.id,
              n.partyId,
              n.revision,
              n.proposedAt.toISOString(),
              toJson(n),
            );
          } else {
            db.prepare("UPDATE registry_change_notices SET revision = ?, party_id = ?, proposed_at = ?, record = ? WHERE tenant_id = ? AND notice_id = ? AND revision = ?").run(
              n.revision,
              n.partyId,
              n.proposedAt.toISOString(),
              toJson(n),
              n.tenantId,
              n.id,
              stored,
            );
          }
        },
        true,
      );
    },
    getChangeNotice(tenantId, id) {
      return run("read a change notice", () => {
        const t = parseTenant(tenantId);
        const row = db.prepare("SELECT record FROM registry_change_notices WHERE tenant_id = ? AND notice_id = ?").get(t, id) as Row | undefined;
        return row ? parseNotice(JSON.parse(row.record)) : undefined;
      });
    },
    async listChangeNotices(tenantId, filter) {
      const t = parseTenant(tenantId);
      return await run("list change notices", () =>
        (
          (filter?.partyId === undefined
            ? db.prepare("SELECT record FROM registry_change_notices WHERE tenant_id = ? ORDER BY proposed_at, notice_id").all(t)
            : db.prepare("SELECT record FROM registry_change_notices WHERE tenant_id = ? AND party_id = ? ORDER BY proposed_at, notice_id").all(t, filter.partyId)) as Row[]
        ).map((row) => parseNotice(JSON.parse(row.record))),
      );
    },
    appendDisclosure(record: DisclosureRecord) {
      return run(
        "append a disclosure",
        () => {
          const d = parseDisclosure(record);
          try {
            db.prepare("INSERT INTO registry_disclosures (tenant_id, disclosure_id, recipient_id, subject_pseudonym, occurred_at, record) VALUES (?, ?, ?, ?, ?, ?)").run(
              d.tenantId,
              d.id,
              d.recipientId,
              d.subjectPseudonym,
              d.occurredAt.toISOString(),
              toJson(d),
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
      return run("read a disclosure", () => {
        const t = parseTenant(tenantId);
        const row = db.prepare("SELECT record FROM registry_disclosures WHERE tenant_id = ? AND disclosure_id = ?").get(t, id) as Row | undefined;
        return row ? parseDisclosure(JSON.parse(row.record)) : undefined;
      });
    },
    listDisclosures(tenantId, query) {
      return run("list disclosures", () => {
        const t = parseTenant(tenantId);
        const q = parseQuery(query);
        const where = ["tenant_id = ?"];
        const params: unknown[] = [t];
        const add = (clause: string, value: unknown) => {
          where.push(clause);
          params.push(value);
        };
        if (q.subjectPseudonym !== undefined) add("subject_pseudonym = ?", q.subjectPseudonym);
        if (q.recipientId !== undefined) add("recipient_id = ?", q.recipientId);
        if (q.from !== undefined) add("occurred_at >= ?", q.from.toISOString());
        if (q.to !== undefined) add("occurred_at < ?", q.to.toISOString());
        const limit = q.limit === undefined ? "" : ` LIMIT ${q.limit}`;
        return (db.prepare(`SELECT record FROM registry_disclosures WHERE ${where.join(" AND ")} ORDER BY occurred_at, disclosure_id${limit}`).all(...params) as Row[]).map((row) =>
          parseDisclosure(JSON.parse(row.record)),
        );
      });
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
