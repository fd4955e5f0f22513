import type { ConsentState, ConsentStateStatus } from "./decision.js";
import type { ConsentEvent, Notice, Purpose } from "./model.js";

/**
 * What a {@link ConsentStore} guarantees.
 *
 * @example
 * ```ts
 * import type { ConsentStoreCapabilities } from "@lawful/consent";
 * const caps: ConsentStoreCapabilities = { durable: true, transactions: true };
 * ```
 */
export interface ConsentStoreCapabilities {
  /** Data survives a process restart. */
  readonly durable: boolean;
  /** `transaction()` spans other stores on the same database connection (SQLite/PostgreSQL). */
  readonly transactions: boolean;
}

/**
 * One atomic write: events appended, projection rows upserted and deleted, all or nothing.
 *
 * @example
 * ```ts
 * import type { ConsentCommit } from "@lawful/consent";
 * const commit: ConsentCommit = { events: [], upsertStates: [], deleteStates: [] };
 * ```
 */
export interface ConsentCommit {
  readonly events: readonly ConsentEvent[];
  readonly upsertStates: readonly ConsentState[];
  readonly deleteStates: readonly { readonly tenantId: string; readonly subjectPseudonym: string; readonly purposeKey: string }[];
}

/**
 * An entry of the suppression list: a keyed hash of an identifier that must never be mailed again.
 * Kept when everything else about the subject is erased.
 *
 * @example
 * ```ts
 * import type { SuppressionEntry } from "@lawful/consent";
 * const e: SuppressionEntry = { tenantId: "acme", hash: "sh1_…", reason: "unsubscribe", channel: null, id: "0192…", createdAt: new Date() };
 * ```
 */
export interface SuppressionEntry {
  readonly tenantId: string;
  readonly hash: string;
  readonly reason: string;
  /** The channel suppressed, or null for every direct-marketing channel. */
  readonly channel: string | null;
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * Persistence of purposes, notices, consent events, the current-state projection and the suppression list.
 * Implementations: `createMemoryConsentStore` (`@lawful/consent/memory`), `createSqliteConsentStore`
 * (`@lawful/consent/sqlite`), `createPostgresConsentStore` (`@lawful/consent/postgres`); check yours with
 * `describeConsentStoreContract` from `@lawful/consent/testing`.
 *
 * Events are append-only: nothing updates or deletes them except `eraseSubject` and, once a retention
 * period ends, `deletePurposeHistory`.
 *
 * @example
 * ```ts
 * import type { ConsentStore } from "@lawful/consent";
 * async function count(store: ConsentStore) { return (await store.listEvents("acme", "ps1_x")).length; }
 * ```
 */
export interface ConsentStore {
  /** Short name for logs: `"memory"`, `"sqlite"`, `"postgres"`. */
  readonly name: string;
  readonly capabilities: ConsentStoreCapabilities;
  /** Run `fn` in one transaction (nested calls become savepoints); the service writes events and audit events inside it. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Serialise writers of one subject until the current transaction ends (PostgreSQL: a transaction-scoped advisory
   * lock; SQLite and memory: a no-op, their transactions are already serialised). Called inside `transaction()`.
   */
  lockSubject(tenantId: string, subjectPseudonym: string): Promise<void>;
  /** Insert or replace a purpose definition. */
  putPurpose(purpose: Purpose): Promise<void>;
  /** Every purpose of a tenant, ordered by id. */
  listPurposes(tenantId: string): Promise<Purpose[]>;
  /** Insert a notice version; `CONFLICT` when that `(tenant, noticeId, version)` exists. */
  insertNotice(notice: Notice): Promise<void>;
  /** Mark a draft published; `NOT_FOUND` when missing, `CONFLICT` when already published. Returns the stored notice. */
  publishNotice(tenantId: string, noticeId: string, version: number, at: Date): Promise<Notice>;
  /** One notice version, or undefined. */
  getNotice(tenantId: string, noticeId: string, version: number): Promise<Notice | undefined>;
  /** Versions of a notice (or of every notice), ordered by noticeId then version. */
  listNotices(tenantId: string, noticeId?: string): Promise<Notice[]>;
  /** Append events and update the projection atomically; `CONFLICT` (nothing written) when an event id exists. */
  commit(commit: ConsentCommit): Promise<void>;
  /** One event by id, or undefined. */
  getEvent(tenantId: string, eventId: string): Promise<ConsentEvent | undefined>;
  /** A subject's events, optionally for one purpose, ordered by `occurredAt` then id. */
  listEvents(tenantId: string, subjectPseudonym: string, purposeId?: string): Promise<ConsentEvent[]>;
  /** The projection rows of `keys` for one subject in one read (a purpose id plus the subject-wide keys). */
  readStates(tenantId: string, subjectPseudonym: string, keys: readonly string[]): Promise<ConsentState[]>;
  /** Every projection row of a subject. */
  listStates(tenantId: string, subjectPseudonym: string): Promise<ConsentState[]>;
  /** Granted rows whose `until` is at or before `at`, oldest first, at most `limit`. */
  listExpiring(tenantId: string, at: Date, limit: number): Promise<ConsentState[]>;
  /** Add an entry; false (nothing changed) when the hash is already suppressed. */
  addSuppression(entry: SuppressionEntry): Promise<boolean>;
  /** The suppression entry of a hash, or undefined. */
  getSuppression(tenantId: string, hash: string): Promise<SuppressionEntry | undefined>;
  /** Remove an entry; false when there was none. */
  removeSuppression(tenantId: string, hash: string): Promise<boolean>;
  /**
   * Projection rows of any subject of the tenant whose status is one of `statuses`, ordered by subject
   * pseudonym then purpose key (bytewise), strictly after `after`, at most `limit`: retention runs page
   * through them. Optional: a store without it offers no consent records to retention.
   */
  listStatesByStatus?(
    tenantId: string,
    statuses: readonly ConsentStateStatus[],
    after: { readonly subjectPseudonym: string; readonly purposeKey: string } | undefined,
    limit: number,
  ): Promise<ConsentState[]>;
  /** Delete one subject's events and projection row of one purpose, in one transaction; returns the counts. Optional. */
  deletePurposeHistory?(tenantId: string, subjectPseudonym: string, purposeId: string): Promise<{ events: number; states: number }>;
  /** Delete every event and projection row of a subject (not the suppression list). */
  eraseSubject(tenantId: string, subjectPseudonym: string): Promise<{ events: number; states: number }>;
  /** Release resources; idempotent. Later calls fail with `STORE_CLOSED`. */
  close(): Promise<void>;
}
