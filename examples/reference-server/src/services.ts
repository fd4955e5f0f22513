import { createAuditLog, type AuditLog, type CheckpointSigner } from "@lawful/audit";
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
import { createDsrService, type DsrService } from "@lawful/dsr";
import { DSR_POSTGRES_MIGRATIONS, createPostgresDsrStore } from "@lawful/dsr/postgres";
import { DSR_SQLITE_MIGRATIONS, createSqliteDsrStore } from "@lawful/dsr/sqlite";
import { createHolidayCalendar } from "@lawful/core/holidays";
import { createConsentDataSource, createOutboxDataSource } from "./data-sources.js";
import { deriveKey } from "./keys.js";
import type { Outbox } from "./outbox.js";
import type { OpenDatabase } from "./db.js";
import type { ServerKeys } from "./keys.js";

/** The Lawful package services the server wires, all on the server's one database. */
export interface Services {
  audit: AuditLog;
  /** The C2SP verifier key of the checkpoint signer; publish it so anyone can verify an exported log. */
  checkpointVerifierKey: string;
  keyring: Keyring;
  registry: Registry;
  consent: ConsentService;
  retention: RetentionStore;
  dsr: DsrService;
}

/** Build every package service on `db`, writing audit events to `audit`. */
export function createServices(
  db: OpenDatabase,
  deps: { signer: CheckpointSigner; clock: Clock; ids: IdGenerator; keys: ServerKeys; masterKey: Uint8Array; outbox: Outbox },
): Services {
  const { clock, ids, keys } = deps;
  const sqlite = db.kind === "sqlite" ? db.database : undefined;
  const pool = db.kind === "postgres" ? db.pool : undefined;
  const keyring = createKeyring({
    store: sqlite ? createSqliteKeyStore({ database: sqlite }) : createPostgresKeyStore({ pool: pool! }),
    keks: [keys.kek],
    currentKekId: keys.kek.id,
    clock,
  });
  // the tamper-evident log every package writes to; subject details are encrypted with the keyring
  const audit = createAuditLog({
    store: sqlite ? createSqliteAuditStore({ database: sqlite }) : createPostgresAuditStore({ pool: pool! }),
    keyring,
    pseudonymizer: (tenantId: string) => keys.pseudonymizer(tenantId),
    signer: deps.signer,
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
  const dsr = createDsrService({
    store: sqlite ? createSqliteDsrStore({ database: sqlite }) : createPostgresDsrStore({ pool: pool! }),
    audit,
    pseudonymizer: (tenantId: string) => keys.pseudonymizer(tenantId),
    clock,
    ids,
    calendars: (id: string) => (id === weekendOnlyCalendar.id ? weekendOnlyCalendar : createHolidayCalendar(id)),
    verificationKey: deriveKey(deps.masterKey, "lawful/dsr-verification/v1"),
    dataSources: [createConsentDataSource(consent), createOutboxDataSource(deps.outbox, (t, s) => keys.pseudonymizer(t).pseudonym(s))],
    suppression: { suppress: async (tenantId, subject, reason) => void (await consent.suppress(tenantId, subject, { reason })) },
    objections: { record: async ({ tenantId, subject, kind }) => void (await consent.suppress(tenantId, subject, { reason: kind })) },
    shredder: { shred: (tenantId, pseudonym) => keyring.shred(tenantId, pseudonym) },
    consentHistory: {
      historyFor: async (tenantId, subject) => (await consent.history(tenantId, subject)).map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
    },
    recipients: {
      // the actual recipients from the registry's disclosure log (Art. 15(1)(c), Art. 19)
      recipientsFor: async (tenantId, subject, categories) =>
        (await registry.recipientsForSubject(tenantId, { subjectPseudonym: keys.pseudonymizer(tenantId).pseudonym(subject), categories: [...categories] })).map((r) => ({
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
  return { audit, checkpointVerifierKey: deps.signer.verifierKey, keyring, registry, consent, retention, dsr };
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
}
