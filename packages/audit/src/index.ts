/**
 * `@lawful/audit`: a tamper-evident audit trail — an RFC 6962 Merkle log per tenant over RFC 8785
 * canonical events, signed C2SP checkpoints, inclusion and consistency proofs, verification that names
 * the first bad event, and crypto-shredding of personal details.
 * @packageDocumentation
 */
export { AuditError } from "./errors.js";
export {
  EMPTY_TREE_HASH,
  NODE_STRIDE,
  consistencyProof,
  createTreeBuilder,
  hashChildren,
  hashLeaf,
  hashesEqual,
  inclusionProof,
  merkleRoot,
  newStoredNodes,
  treeFrontier,
  verifyConsistency,
  verifyInclusion,
  type MerkleHashReader,
  type MerkleNode,
  type TreeBuilder,
} from "./merkle.js";
export {
  createCheckpointSigner,
  createCheckpointVerifier,
  formatCheckpoint,
  generateCheckpointKey,
  isWeakEd25519PublicKey,
  noteKeyHash,
  openCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type CheckpointSigner,
  type CheckpointVerifier,
  type OpenedCheckpoint,
} from "./checkpoint.js";
export {
  AuditQuerySchema,
  STORED_EVENT_VERSION,
  StoredAuditEventSchema,
  matchesFilter,
  type AuditQuery,
  type AuditRecord,
  type AuditStoreFilter,
  type StoredAuditEvent,
  type StoredCheckpoint,
} from "./model.js";
export type { AppendBuilder, AuditStore, AuditStoreCapabilities } from "./store.js";
export {
  verifyRows,
  type AuditProblem,
  type AuditProblemKind,
  type VerifiableRow,
  type VerificationReport,
  type VerifyRowsOptions,
} from "./verify.js";
export { EXPORT_FORMAT, exportNdjson, verifyExport, type ExportOptions, type ExportVerification } from "./export.js";
export {
  createAuditLog,
  encodeAuditEvent,
  prepareAuditEvent,
  type AuditEventEncoder,
  type AuditEventDetails,
  type AuditLog,
  type AuditLogOptions,
  type AuditQueryPage,
  type AuditVerifyOptions,
  type InclusionProof,
} from "./log.js";
