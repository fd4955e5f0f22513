import type { RetentionCheckpointStore } from "./executor.js";
import type { LegalHold, LegalHoldInput } from "./holds.js";
import type { RetentionRule, RetentionRuleInput } from "./rules.js";

/**
 * What a {@link RetentionStore} can promise.
 *
 * @example
 * ```ts
 * import type { RetentionStoreCapabilities } from "@lawful/retention";
 * const caps: RetentionStoreCapabilities = { durable: true, atomicTransactions: true };
 * ```
 */
export interface RetentionStoreCapabilities {
  /** Data survives a process restart. */
  readonly durable: boolean;
  /** Writes (a rule-set check plus the write) are atomic. */
  readonly atomicTransactions: boolean;
}

/**
 * Filter of {@link RetentionStore.listHolds}.
 *
 * @example
 * ```ts
 * import type { ListHoldsQuery } from "@lawful/retention";
 * const q: ListHoldsQuery = { activeAt: new Date() };
 * ```
 */
export interface ListHoldsQuery {
  /** Only holds active at this instant (issued at or before it, not released by it). */
  activeAt?: Date | undefined;
}

/**
 * Persistence of retention rules, legal holds and executor checkpoints, per tenant.
 * Implementations: `@lawful/retention/memory`, `/sqlite`, `/postgres`; check your own with
 * `describeRetentionStoreContract` from `@lawful/retention/testing`.
 *
 * - `putRule` upserts a rule after validating the tenant's whole rule set with it (so a contradiction
 *   is refused at write time with `VALIDATION_FAILED`).
 * - `putHold` upserts a hold; `releaseHold` sets `releasedAt` once (a second release keeps the first time).
 * - `markDone` is idempotent.
 *
 * @example
 * ```ts
 * import type { RetentionStore } from "@lawful/retention";
 * async function activeHolds(store: RetentionStore) { return store.listHolds("acme", { activeAt: new Date() }); }
 * ```
 */
export interface RetentionStore extends RetentionCheckpointStore {
  readonly name: string;
  readonly capabilities: RetentionStoreCapabilities;
  /** Upsert a rule after validating the tenant's whole rule set with it. @throws RetentionError `VALIDATION_FAILED` (bad rule, contradiction). */
  putRule(tenantId: string, rule: RetentionRuleInput): Promise<RetentionRule>;
  /** The rule, or `undefined`. */
  getRule(tenantId: string, id: string): Promise<RetentionRule | undefined>;
  /** Sorted by id. */
  listRules(tenantId: string): Promise<RetentionRule[]>;
  /** True when a rule was deleted. */
  deleteRule(tenantId: string, id: string): Promise<boolean>;
  /** Upsert a legal hold (its `tenantId`, if given, must match). @throws RetentionError `VALIDATION_FAILED`. */
  putHold(tenantId: string, hold: LegalHoldInput): Promise<LegalHold>;
  /** The hold, or `undefined`. */
  getHold(tenantId: string, id: string): Promise<LegalHold | undefined>;
  /** Sorted by id. */
  listHolds(tenantId: string, query?: ListHoldsQuery): Promise<LegalHold[]>;
  /** @throws RetentionError `NOT_FOUND` when the hold does not exist; `VALIDATION_FAILED` when `releasedAt` is before `issuedAt`. */
  releaseHold(tenantId: string, id: string, releasedAt: Date): Promise<LegalHold>;
  /** Idempotent. After `close()` every call fails with `STORE_CLOSED`. */
  close(): Promise<void>;
}
