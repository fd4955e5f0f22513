import { createAuditLog, createCheckpointVerifier, type AuditLog, type CheckpointSigner } from "@lawful/audit";
import { AUDIT_KEYS_PG_MIGRATIONS, AUDIT_PG_MIGRATIONS, createPostgresAuditStore, createPostgresKeyStore } from "@lawful/audit/postgres";
import { AUDIT_KEYS_SQLITE_MIGRATIONS, AUDIT_SQLITE_MIGRATIONS, createSqliteAuditStore, createSqliteKeyStore } from "@lawful/audit/sqlite";
import { createConsentService, type ConsentService } from "@lawful/consent";
import { CONSENT_PG_MIGRATIONS, createPostgresConsentStore } from "@lawful/consent/postgres";
import { CONSENT_SQLITE_MIGRATIONS, createSqliteConsentStore } from "@lawful/consent/sqlite";
import { createKeyring, weekendOnlyCalendar, type Clock, type IdGenerator, type Keyring } from "@lawful/core";
import { createRegistry, type Registry } from "@lawful/registry";
import { REGISTRY_PG_MIGRATIONS, createPostgresRegistryStore } from "@lawful/registry/postgres";
import { REGISTRY_SQLITE_MIGRATIONS, createSqliteRegistryStore } from "@lawful/registry/sqlite";
import type { RetentionStore } from "@lawful/retention";
import { RETENTION_POSTGRES_MIGRATIONS, createPostgresRetentionStore } from "@lawful/retention/postgres";
import { RETENTION_SQLITE_MIGRATIONS, createSqliteRetentionStore } from "@lawful/retention/sqlite";
import { createDsrService, type DataSource, type DsrService, type DsrTask } from "@lawful/dsr";
import { DSR_POSTGRES_MIGRATIONS, createPostgresDsrStore } from "@lawful/dsr/postgres";
import { DSR_SQLITE_MIGRATIONS, createSqliteDsrStore } from "@lawful/dsr/sqlite";
import { createHolidayCalendar } from "@lawful/core/holidays";
import { createConsentDataSource, createOutboxDataSource } from "./data-sources.js";
import { deriveKey } from "./keys.js";
import { ERASURE_MIGRATIONS, createErasureFinisher, createHoldExemptions, type CompactionWindow } from "./erasure.js";
import type { Outbox } from "./outbox.js";
import type { OpenDatabase } from "./db.js";
import type { ServerKeys } from "./keys.js";

/** The Lawful package services the server wires, all on the server's one database. */
export interface Services {
  audit: AuditLog;
  /** The C2SP verifier key of the checkpoint signer; publish it so anyone can verify an exported log. */
  checkpointVerifierKey: string;
  /** Verifier keys of earlier checkpoint signing keys (LAWFUL_CHECKPOINT_PREVIOUS_KEYS): still trusted, and published. */
  previousVerifierKeys: readonly string[];
  keyring: Keyring;
  registry: Registry;
  consent: ConsentService;
  retention: RetentionStore;
  dsr: DsrService;
  /** The fan-out tasks of one request with their status, in id order (the operator timeline). */
  requestTasks(tenantId: string, requestId: string): Promise<DsrTask[]>;
  /** The data sources requests fan out to (consent records, outbox): what the server holds about a subject. */
  dataSources: readonly DataSource[];
  /** Consent decisions per notice version, counts only (the operator's acceptance-rate chart). */
  consentByNotice(tenantId: string): Promise<NoticeDecisionCounts[]>;
}

/**
 * How many consents were given and refused against one notice version: aggregate counts, no identifiers.
 *
 * @example
 * ```ts
 * import type { NoticeDecisionCounts } from "./services.js";
 * const rate = (n: NoticeDecisionCounts) => n.given / Math.max(1, n.given + n.refused);
 * ```
 */
export interface NoticeDecisionCounts {
  noticeId: string;
  version: number;
  given: number;
  refused: number;
}

async function consentByNotice(db: OpenDatabase, tenantId: string): Promise<NoticeDecisionCounts[]> {
  // consent events keep their notice inside the JSON `data` column; aggregate in the database
  const field = (path: string) => (db.kind === "sqlite" ? `json_extract(data, '$.${path}')` : `(data::jsonb #>> '{${path.replace(/\./g, ",")}}')`);
  const rows = await db.sql.all<{ notice_id: string; version: number | string; given: number | string; refused: number | string }>(
    `SELECT ${field("notice.noticeId")} AS notice_id, ${field("notice.version")} AS version,
       SUM(CASE WHEN ${field("type")} = 'given' THEN 1 ELSE 0 END) AS given, SUM(CASE WHEN ${field("type")} = 'refused' THEN 1 ELSE 0 END) AS refused
     FROM consent_events WHERE tenant_id = ? AND ${field("notice.noticeId")} IS NOT NULL GROUP BY 1, 2`,
    [tenantId],
  );
  return rows
    .map((r) => ({ noticeId: r.notice_id, version: Number(r.version), given: Number(r.given), refused: Number(r.refused) }))
    .sort((a, b) => (a.noticeId < b.noticeId ? -1 : a.noticeId > b.noticeId ? 1 : a.version - b.version));
}

/** Build every package service on `db`, writing audit events to `audit`. */
export function createServices(
  db: OpenDatabase,
  deps: {
    signer: CheckpointSigner;
    clock: Clock;
    ids: IdGenerator;
    keys: ServerKeys;
    masterKey: Uint8Array;
    outbox: Outbox;
    previousVerifierKeys?: readonly string[];
    /** When PostgreSQL may run the VACUUM FULL after erasures (`ERASURE_COMPACTION_WINDOW`); unset: as soon as possible. */
    erasureCompactionWindow?: CompactionWindow | undefined;
  },
): Services {
  const { clock, ids, keys } = deps;
  const sqlite = db.kind === "sqlite" ? db.database : undefined;
  const pool = db.kind === "postgres" ? db.pool : undefined;
  const keyring = createKeyring({
    store: sqlite ? createSqliteKeyStore({ database: sqlite }) : createPostgresKeyStore({ pool: pool! }),
    keks: [keys.kek, ...keys.previousKeks],
    currentKekId: keys.kek.id,
    clock,
  });
  // the tamper-evident log every package writes to; subject details are encrypted with the keyring
  const audit = createAuditLog({
    store: sqlite ? createSqliteAuditStore({ database: sqlite }) : createPostgresAuditStore({ pool: pool! }),
    keyring,
    pseudonymizer: (tenantId: string) => keys.pseudonymizer(tenantId),
    signer: deps.signer,
    verifiers: (deps.previousVerifierKeys ?? []).map((k) => createCheckpointVerifier(k)),
    clock,
    ids,
    checkpointEvery: { events: 1000, seconds: 300 },
  });
  const registry = createRegistry({
    store: sqlite ? createSqliteRegistryStore({ database: sqlite }) : createPostgresRegistryStore({ pool: pool! }),
    audit,
    clock,
    ids,
  });
  const consent = createConsentService({
    store: sqlite ? createSqliteConsentStore({ database: sqlite }) : createPostgresConsentStore({ pool: pool! }),
    audit,
    pseudonymizer: (tenantId: string) => keys.pseudonymizer(tenantId),
    keyring,
    suppressionKey: (tenantId: string) => keys.suppressionKey(tenantId),
    tokenKey: keys.tokenKey,
    clock,
    ids,
  });
  const retention = sqlite ? createSqliteRetentionStore({ database: sqlite }) : createPostgresRetentionStore({ pool: pool! });
  const dsrStore = sqlite ? createSqliteDsrStore({ database: sqlite }) : createPostgresDsrStore({ pool: pool! });
  // scrubs what an erasure leaves behind outside the data sources (request record, idempotency responses, free pages)
  const erasures = createErasureFinisher({ db, store: dsrStore, audit, clock, compactionWindow: deps.erasureCompactionWindow });
  const dataSources = [createConsentDataSource(consent), createOutboxDataSource(deps.outbox, (t, s) => keys.pseudonymizer(t).pseudonym(s))];
  const engine = createDsrService({
    store: erasures.store,
    audit,
    pseudonymizer: (tenantId: string) => keys.pseudonymizer(tenantId),
    clock,
    ids,
    calendars: (id: string) => (id === weekendOnlyCalendar.id ? weekendOnlyCalendar : createHolidayCalendar(id)),
    verificationKey: deriveKey(deps.masterKey, "lawful/dsr-verification/v1"),
    dataSources,
    suppression: { suppress: async (tenantId, subject, reason) => void (await consent.suppress(tenantId, subject, { reason })) },
    objections: { record: async ({ tenantId, subject, kind }) => void (await consent.suppress(tenantId, subject, { reason: kind })) },
    shredder: { shred: (tenantId, pseudonym) => keyring.shred(tenantId, pseudonym) },
    exemptions: createHoldExemptions(retention, clock, (t, s) => keys.pseudonymizer(t).pseudonym(s)),
    consentHistory: {
      historyFor: async (tenantId, subject) => (await consent.history(tenantId, subject)).map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
    },
    recipients: {
      // the actual recipients from the registry's disclosure log (Art. 15(1)(c), Art. 19)
      // no categories found for the subject: nobody can have received them (the registry refuses an empty list)
      recipientsFor: async (tenantId, subject, categories) =>
        categories.length === 0
          ? []
          : (await registry.recipientsForSubject(tenantId, { subjectPseudonym: keys.pseudonymizer(tenantId).pseudonym(subject), categories: [...categories] })).map((r) => ({
          id: r.recipient.id,
          name: r.recipient.legalName,
          channel: "email" as const,
          endpoint: r.recipient.contact.email,
          categories: [...r.categories],
          country: r.recipient.country,
          role: r.recipient.role === "processor" ? ("processor" as const) : r.recipient.role === "subprocessor" ? ("sub_processor" as const) : ("controller" as const),
        })),
    },
  });
  const dsr: DsrService = {
    ...engine,
    work: async (opts) => {
      const report = await engine.work(opts);
      await erasures.finishAll();
      return report;
    },
    complete: async (...args) => {
      const r = await engine.complete(...args);
      await erasures.finishAll();
      return r;
    },
  };
  return {
    audit,
    checkpointVerifierKey: deps.signer.verifierKey,
    previousVerifierKeys: deps.previousVerifierKeys ?? [],
    keyring,
    registry,
    consent,
    retention,
    dsr,
    requestTasks: (tenantId, requestId) => dsrStore.listTasks(tenantId, requestId),
    dataSources,
    consentByNotice: (tenantId) => consentByNotice(db, tenantId),
  };
}

/**
 * Apply every package's migrations up front (the stores would do it lazily on first use), so
 * `lawful migrate` prepares the whole schema and no request ever pays for, or races on, schema set-up.
 */
export async function migrateServices(db: OpenDatabase): Promise<void> {
  const lite = db.kind === "sqlite";
  await db.sql.migrate("@lawful/audit:keystore", lite ? AUDIT_KEYS_SQLITE_MIGRATIONS : AUDIT_KEYS_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/audit", lite ? AUDIT_SQLITE_MIGRATIONS : AUDIT_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/registry", lite ? REGISTRY_SQLITE_MIGRATIONS : REGISTRY_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/consent", lite ? CONSENT_SQLITE_MIGRATIONS : CONSENT_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/retention", lite ? RETENTION_SQLITE_MIGRATIONS : RETENTION_POSTGRES_MIGRATIONS);
  await db.sql.migrate("@lawful/dsr", lite ? DSR_SQLITE_MIGRATIONS : DSR_POSTGRES_MIGRATIONS);
  await db.sql.migrate("@lawful/reference-server/erasure", ERASURE_MIGRATIONS);
}
