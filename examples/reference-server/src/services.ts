import { createPostgresKeyStore } from "@lawful/audit/postgres";
import { createSqliteKeyStore } from "@lawful/audit/sqlite";
import { createConsentService, type ConsentService } from "@lawful/consent";
import { CONSENT_PG_MIGRATIONS, createPostgresConsentStore } from "@lawful/consent/postgres";
import { CONSENT_SQLITE_MIGRATIONS, createSqliteConsentStore } from "@lawful/consent/sqlite";
import { createKeyring, type AuditSink, type Clock, type IdGenerator, type Keyring } from "@lawful/core";
import { createRegistry, type Registry } from "@lawful/registry";
import { REGISTRY_PG_MIGRATIONS, createPostgresRegistryStore } from "@lawful/registry/postgres";
import { REGISTRY_SQLITE_MIGRATIONS, createSqliteRegistryStore } from "@lawful/registry/sqlite";
import type { RetentionStore } from "@lawful/retention";
import { RETENTION_POSTGRES_MIGRATIONS, createPostgresRetentionStore } from "@lawful/retention/postgres";
import { RETENTION_SQLITE_MIGRATIONS, createSqliteRetentionStore } from "@lawful/retention/sqlite";
import type { OpenDatabase } from "./db.js";
import type { ServerKeys } from "./keys.js";

/** The Lawful package services the server wires, all on the server's one database. */
export interface Services {
  keyring: Keyring;
  registry: Registry;
  consent: ConsentService;
  retention: RetentionStore;
}

/** Build every package service on `db`, writing audit events to `audit`. */
export function createServices(db: OpenDatabase, deps: { audit: AuditSink; clock: Clock; ids: IdGenerator; keys: ServerKeys }): Services {
  const { audit, clock, ids, keys } = deps;
  const sqlite = db.kind === "sqlite" ? db.database : undefined;
  const pool = db.kind === "postgres" ? db.pool : undefined;
  const keyring = createKeyring({
    store: sqlite ? createSqliteKeyStore({ database: sqlite }) : createPostgresKeyStore({ pool: pool! }),
    keks: [keys.kek],
    currentKekId: keys.kek.id,
    clock,
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
  return { keyring, registry, consent, retention };
}

/**
 * Apply every package's migrations up front (the stores would do it lazily on first use), so
 * `lawful migrate` prepares the whole schema and no request ever pays for, or races on, schema set-up.
 */
export async function migrateServices(db: OpenDatabase): Promise<void> {
  const lite = db.kind === "sqlite";
  await db.sql.migrate("@lawful/registry", lite ? REGISTRY_SQLITE_MIGRATIONS : REGISTRY_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/consent", lite ? CONSENT_SQLITE_MIGRATIONS : CONSENT_PG_MIGRATIONS);
  await db.sql.migrate("@lawful/retention", lite ? RETENTION_SQLITE_MIGRATIONS : RETENTION_POSTGRES_MIGRATIONS);
}
