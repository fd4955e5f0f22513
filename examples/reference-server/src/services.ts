import type { AuditSink, Clock, IdGenerator } from "@lawful/core";
import { createRegistry, type Registry } from "@lawful/registry";
import { REGISTRY_PG_MIGRATIONS, createPostgresRegistryStore } from "@lawful/registry/postgres";
import { REGISTRY_SQLITE_MIGRATIONS, createSqliteRegistryStore } from "@lawful/registry/sqlite";
import type { OpenDatabase } from "./db.js";

/** The Lawful package services the server wires, all on the server's one database. */
export interface Services {
  registry: Registry;
}

/** Build every package service on `db`, writing audit events to `audit`. */
export function createServices(db: OpenDatabase, deps: { audit: AuditSink; clock: Clock; ids: IdGenerator }): Services {
  const registryStore = db.kind === "sqlite" ? createSqliteRegistryStore({ database: db.database }) : createPostgresRegistryStore({ pool: db.pool });
  const registry = createRegistry({ store: registryStore, audit: deps.audit, clock: deps.clock, ids: deps.ids });
  return { registry };
}

/**
 * Apply every package's migrations up front (the stores would do it lazily on first use), so
 * `lawful migrate` prepares the whole schema and no request ever pays for, or races on, schema set-up.
 */
export async function migrateServices(db: OpenDatabase): Promise<void> {
  await db.sql.migrate("@lawful/registry", db.kind === "sqlite" ? REGISTRY_SQLITE_MIGRATIONS : REGISTRY_PG_MIGRATIONS);
}
