/**
 * `@lawful/core`: the shared vocabulary, errors, clock, ids, legal periods,
 * canonical JSON, pseudonyms, keyring and SQL plumbing of the Lawful packages.
 * @packageDocumentation
 */
export {
  ERROR_CODES,
  LawfulError,
  isLawfulError,
  issuesFromZod,
  lawfulErrorFromZod,
  parseOrThrow,
  type LawfulErrorCode,
  type LawfulErrorOptions,
  type LawfulIssue,
} from "./errors.js";
export { createFixedClock, createManualClock, systemClock, type Clock, type ManualClock } from "./clock.js";
export { createUuidV7Generator, uuidV7Timestamp, type IdGenerator, type UuidV7Options } from "./ids.js";
export {
  ACTOR_TYPES,
  ActorSchema,
  DEFAULT_DATA_CATEGORIES,
  DataCategorySchema,
  LAWFUL_BASES,
  LAWFUL_BASIS_ARTICLES,
  LawfulBasisSchema,
  PurposeIdSchema,
  REGIME_IDS,
  RegimeIdSchema,
  SPECIAL_CATEGORY_CONDITIONS,
  SUBJECT_ID_KINDS,
  SpecialCategoryConditionSchema,
  SubjectIdKindSchema,
  SubjectRefSchema,
  TenantIdSchema,
  createDataCategoryTaxonomy,
  normalizeSubjectValue,
  type Actor,
  type DataCategory,
  type DataCategoryTaxonomy,
  type LawfulBasis,
  type PurposeId,
  type RegimeId,
  type SpecialCategoryCondition,
  type SubjectIdKind,
  type SubjectRef,
  type TenantId,
} from "./vocabulary.js";
export {
  AUDIT_ACTIONS,
  AuditActionSchema,
  AuditEventInputSchema,
  AuditOutcomeSchema,
  AuditRecipientSchema,
  AuditTargetSchema,
  createMemoryAuditSink,
  type AuditAction,
  type AuditEventInput,
  type AuditOutcome,
  type AuditReceipt,
  type AuditRecipient,
  type AuditSink,
  type AuditTarget,
  type ParsedAuditEventInput,
} from "./audit-sink.js";
export type { PgPool, PgPoolClient, PgQueryResult, PgQueryable, SqliteDatabase, SqliteRunResult, SqliteStatement } from "./sql/clients.js";
export {
  inSqliteTransaction,
  pgQueryable,
  pgTransaction,
  sqliteTransaction,
  type PgTransactionOptions,
  type SqliteTransactionOptions,
} from "./sql/transactions.js";
export {
  MIGRATIONS_TABLE,
  configureSqlite,
  once,
  runPgMigrations,
  runSqliteMigrations,
  type Migration,
  type MigrationResult,
  type MigrationSet,
  type SqliteConfigureOptions,
} from "./sql/migrations.js";
export { canonicalize, canonicalizeToBytes } from "./canonical-json.js";
export {
  PSEUDONYM_PATTERN,
  createPseudonymizer,
  derivePseudonymKey,
  type PseudonymSubject,
  type Pseudonymizer,
  type PseudonymizerOptions,
} from "./pseudonym.js";
export {
  createKeyring,
  createMemoryKeyStore,
  type Ciphertext,
  type KeyEncryptionKey,
  type KeyStore,
  type KeyStoreCapabilities,
  type Keyring,
  type KeyringOptions,
  type RewrapResult,
  type StoredSubjectKey,
} from "./keyring.js";
