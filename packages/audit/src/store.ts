import type { MerkleHashReader } from "./merkle.js";
import type { AuditRecord, AuditStoreFilter, StoredCheckpoint } from "./model.js";

/**
 * What an {@link AuditStore} guarantees beyond the interface.
 *
 * @example
 * ```ts
 * import type { AuditStoreCapabilities } from "@lawful/audit";
 * const caps: AuditStoreCapabilities = { durable: true, multiProcess: false };
 * ```
 */
export interface AuditStoreCapabilities {
  /** Appends survive a crash once `append` resolved. */
  readonly durable: boolean;
  /** Several processes may append to one tenant log at once (no gaps, forks or duplicates). */
  readonly multiProcess: boolean;
}

/**
 * Builds the records of one append, once the store knows the next sequence number (inside its
 * per-tenant lock). Must be synchronous and must return records numbered `firstSequence`, `firstSequence + 1`, ….
 *
 * @example
 * ```ts
 * import type { AppendBuilder } from "@lawful/audit";
 * const none: AppendBuilder = () => [];
 * ```
 */
export type AppendBuilder = (firstSequence: number) => readonly AuditRecord[];

/**
 * Persistence seam of the audit log: per-tenant append-only rows with their exact hashed bytes, the
 * stored subtree hashes of the Merkle tree (leaf hashes and every complete subtree at heights that are
 * multiples of `NODE_STRIDE`), and checkpoints.
 *
 * Stores do no domain logic: the log builds records ({@link AppendBuilder}); stores call
 * `newStoredNodes` in their append transaction to get the subtree hashes to write.
 * Every method except `close` rejects with `STORE_CLOSED` after `close()`.
 *
 * @example
 * ```ts
 * import type { AuditStore } from "@lawful/audit";
 * async function size(store: AuditStore): Promise<number> { return store.size("acme"); }
 * ```
 */
export interface AuditStore {
  readonly name: string;
  readonly capabilities: AuditStoreCapabilities;
  /**
   * Append atomically to a tenant log: serialise with other appends of the tenant, call `build` with
   * the current size, write the records and their subtree hashes, commit (durably where `durable`),
   * and resolve to the written records. Writes nothing when `build` or a write throws.
   */
  append(tenantId: string, build: AppendBuilder): Promise<readonly AuditRecord[]>;
  /** Number of events in the tenant log (its tree size). */
  size(tenantId: string): Promise<number>;
  /** Rows with `sequence >= from`, ordered by the stored sequence column, at most `limit` of them. Rows are returned as stored, even if damaged. */
  readRange(tenantId: string, from: number, limit: number): Promise<readonly AuditRecord[]>;
  /** Stored subtree hashes; see {@link MerkleHashReader}. */
  readHashes(tenantId: string, level: number, from: number, to: number): ReturnType<MerkleHashReader>;
  /** The row with this sequence number, if any. */
  get(tenantId: string, sequence: number): Promise<AuditRecord | undefined>;
  /** Rows matching `filter`, ordered by sequence, at most `filter.limit`. */
  query(tenantId: string, filter: AuditStoreFilter): Promise<readonly AuditRecord[]>;
  /** Keep a checkpoint (idempotent per tree size). */
  addCheckpoint(tenantId: string, checkpoint: StoredCheckpoint): Promise<void>;
  /** Every checkpoint of the tenant, ordered by tree size. */
  listCheckpoints(tenantId: string): Promise<readonly StoredCheckpoint[]>;
  /** The checkpoint with the largest tree size, if any. */
  latestCheckpoint(tenantId: string): Promise<StoredCheckpoint | undefined>;
  /** Release resources (the injected connection stays open). Idempotent. */
  close(): Promise<void>;
}
