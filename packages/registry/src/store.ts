import type { ChangeNotice } from "./change-notice.js";
import type { DisclosureQuery, DisclosureRecord } from "./disclosure.js";
import type { PartyRecord } from "./party.js";

/**
 * What a {@link RegistryStore} can do: whether a failed `transaction` rolls back every write made
 * in it, and whether data survive a process restart.
 *
 * @example
 * ```ts
 * import type { RegistryStoreCapabilities } from "@lawful/registry";
 * const caps: RegistryStoreCapabilities = { atomicTransactions: true, durable: true };
 * ```
 */
export interface RegistryStoreCapabilities {
  readonly atomicTransactions: boolean;
  readonly durable: boolean;
}

/**
 * Storage of the registry: append-only party versions, change notices with optimistic
 * revisions, and the append-only disclosure log. Implementations: `@lawful/registry/memory`,
 * `/sqlite`, `/postgres`; check a custom one with `describeRegistryStoreContract` from
 * `@lawful/registry/testing`.
 *
 * Rules every implementation keeps:
 * - `appendPartyVersion` accepts version 1 only for a new party and otherwise exactly the latest
 *   version + 1; anything else throws `CONFLICT`. Versions are never changed or deleted.
 * - `putChangeNotice` accepts revision 1 only for a new id and otherwise exactly the stored
 *   revision + 1; anything else throws `CONFLICT`.
 * - `appendDisclosure` throws `CONFLICT` for an id already used in the tenant.
 * - Every read is scoped to one tenant; records are parsed when read.
 * - After `close()` every call throws `STORE_CLOSED`; `close()` itself is idempotent.
 *
 * @example
 * ```ts
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * import type { RegistryStore } from "@lawful/registry";
 * const store: RegistryStore = createMemoryRegistryStore();
 * await store.listParties("acme"); // []
 * ```
 */
export interface RegistryStore {
  readonly name: string;
  readonly capabilities: RegistryStoreCapabilities;
  /** Run `fn` atomically (where `capabilities.atomicTransactions`); nested calls join the outer transaction. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Append one party version (version 1 for a new party, else latest + 1). @throws `CONFLICT`, `VALIDATION_FAILED`. */
  appendPartyVersion(record: PartyRecord): Promise<void>;
  /** The latest version of a party, or the given version. */
  getParty(tenantId: string, partyId: string, version?: number): Promise<PartyRecord | undefined>;
  /** The latest version of every party of the tenant, ordered by id. */
  listParties(tenantId: string): Promise<PartyRecord[]>;
  /** Every version of one party (or of all parties), ordered by `recordedAt`, then id, then version. */
  listPartyVersions(tenantId: string, partyId?: string): Promise<PartyRecord[]>;
  /** Insert (revision 1) or update (stored revision + 1) a change notice. @throws `CONFLICT`, `VALIDATION_FAILED`. */
  putChangeNotice(notice: ChangeNotice): Promise<void>;
  /** One change notice, or `undefined`. */
  getChangeNotice(tenantId: string, id: string): Promise<ChangeNotice | undefined>;
  /** Notices of the tenant (optionally of one party), ordered by `proposedAt`, then id. */
  listChangeNotices(tenantId: string, filter?: { partyId?: string | undefined }): Promise<ChangeNotice[]>;
  /** Append one disclosure. @throws `CONFLICT` for a used id, `VALIDATION_FAILED`. */
  appendDisclosure(record: DisclosureRecord): Promise<void>;
  /** One disclosure by id, or `undefined`. */
  getDisclosure(tenantId: string, id: string): Promise<DisclosureRecord | undefined>;
  /** Disclosures matching the query, ordered by `occurredAt`, then id. */
  listDisclosures(tenantId: string, query?: DisclosureQuery): Promise<DisclosureRecord[]>;
  /** Stop using the store (idempotent); the caller still owns the connection. */
  close(): Promise<void>;
}
