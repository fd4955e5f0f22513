import * as z from "zod";
import {
  ActorSchema,
  AuditActionSchema,
  AuditOutcomeSchema,
  AuditRecipientSchema,
  AuditTargetSchema,
  LawfulBasisSchema,
  PurposeIdSchema,
  TenantIdSchema,
} from "@lawful/core";

/**
 * Version of the stored event format (the `v` field of every stored event).
 *
 * @example
 * ```ts
 * import { STORED_EVENT_VERSION } from "@lawful/audit";
 * const current = (event: { v: number }) => event.v === STORED_EVENT_VERSION;
 * ```
 */
export const STORED_EVENT_VERSION = 1;

/**
 * The audit event exactly as it is hashed and stored (before RFC 8785 canonicalisation): no personal
 * data in clear — the subject is a pseudonym, and details and request metadata of a subject are
 * ciphertexts of the subject's keyring key.
 *
 * @example
 * ```ts
 * import { StoredAuditEventSchema } from "@lawful/audit";
 * StoredAuditEventSchema.parse({
 *   v: 1, id: "0192…", tenantId: "acme", sequence: 0, occurredAt: "2025-01-01T00:00:00.000Z",
 *   recordedAt: "2025-01-01T00:00:00.000Z", actor: { type: "system", id: "crm" }, action: "data.accessed", outcome: "succeeded",
 * });
 * ```
 */
export const StoredAuditEventSchema = z.object({
  v: z.literal(STORED_EVENT_VERSION),
  id: z.string().min(1).max(128),
  tenantId: TenantIdSchema,
  sequence: z.number().int().nonnegative(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  actor: ActorSchema,
  action: AuditActionSchema,
  outcome: AuditOutcomeSchema,
  subject: z.string().min(1).max(128).optional(),
  target: AuditTargetSchema.optional(),
  purpose: PurposeIdSchema.optional(),
  lawfulBasis: LawfulBasisSchema.optional(),
  recipient: AuditRecipientSchema.optional(),
  correlationId: z.string().min(1).max(256).optional(),
  /** Details without a subject, stored in clear (they must hold no personal data). */
  details: z.record(z.string(), z.unknown()).optional(),
  /** Details of a subject, encrypted with the subject key (keyring ciphertext). */
  detailsCiphertext: z.string().startsWith("lk1.").optional(),
  /** Request metadata (IP, user agent), encrypted with the subject key. */
  requestMetaCiphertext: z.string().startsWith("lk1.").optional(),
  /** Set when the subject key was already shredded at write time, so details were not kept. */
  detailsWithheld: z.literal("subject_key_shredded").optional(),
});
/** A stored audit event; see {@link StoredAuditEventSchema}. */
export type StoredAuditEvent = z.infer<typeof StoredAuditEventSchema>;

/**
 * One row of a tenant log as a store keeps it: the exact canonical bytes that were hashed, their
 * RFC 6962 leaf hash, and copies of a few fields as index columns for queries (the bytes are authoritative).
 *
 * @example
 * ```ts
 * import type { AuditRecord } from "@lawful/audit";
 * function text(r: AuditRecord): string { return new TextDecoder().decode(r.bytes); }
 * ```
 */
export interface AuditRecord {
  readonly tenantId: string;
  readonly sequence: number;
  readonly id: string;
  /** RFC 8785 canonical JSON of the {@link StoredAuditEvent}, UTF-8: the exact hashed bytes. */
  readonly bytes: Uint8Array;
  /** SHA-256(0x00 ‖ bytes). */
  readonly leafHash: Uint8Array;
  readonly occurredAt: Date;
  readonly action: string;
  readonly actorType: string;
  readonly actorId: string;
  readonly subject: string | null;
  readonly targetSystem: string | null;
  readonly targetRecordType: string | null;
  readonly targetRecordId: string | null;
}

/**
 * A checkpoint as a store keeps it: its size, root and the signed note text.
 *
 * @example
 * ```ts
 * import type { StoredCheckpoint } from "@lawful/audit";
 * function size(c: StoredCheckpoint): number { return c.treeSize; }
 * ```
 */
export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The C2SP signed note. */
  readonly note: string;
  readonly createdAt: Date;
}

/**
 * Filter of a log query. All given fields must match (AND). `actionPrefix` matches the action itself and
 * every action below it (`"data"` and `"data."` match `data.accessed`); time bounds apply to `occurredAt`
 * (`from` inclusive, `to` exclusive).
 *
 * @example
 * ```ts
 * import { AuditQuerySchema } from "@lawful/audit";
 * AuditQuerySchema.parse({ actionPrefix: "consent", limit: 50 });
 * ```
 */
export const AuditQuerySchema = z.object({
  /** The data subject in clear; it is pseudonymised before the lookup. */
  subject: z.object({ kind: z.string(), value: z.string() }).optional(),
  /** A pseudonym, when the subject is no longer known in clear. */
  subjectPseudonym: z.string().min(1).max(128).optional(),
  actorId: z.string().min(1).max(256).optional(),
  actorType: z.string().min(1).max(64).optional(),
  actionPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.?$/, "must be an action or namespace such as 'data' or 'data.accessed'")
    .optional(),
  targetSystem: z.string().min(1).max(128).optional(),
  targetRecordType: z.string().min(1).max(128).optional(),
  targetRecordId: z.string().min(1).max(256).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Cursor from a previous page's `nextCursor`. */
  cursor: z.string().regex(/^c[0-9]+$/, "must be a cursor returned by a previous query").optional(),
  /** Page size. @default 100 */
  limit: z.number().int().min(1).max(10_000).default(100),
});
/** Input of a log query; see {@link AuditQuerySchema}. */
export type AuditQuery = z.input<typeof AuditQuerySchema>;

/**
 * The filter a store evaluates (the subject already pseudonymised, the cursor decoded).
 *
 * @example
 * ```ts
 * import type { AuditStoreFilter } from "@lawful/audit";
 * const f: AuditStoreFilter = { actionPrefix: "data", afterSequence: -1, limit: 10 };
 * ```
 */
export interface AuditStoreFilter {
  readonly subject?: string | undefined;
  readonly actorId?: string | undefined;
  readonly actorType?: string | undefined;
  /** Without a trailing dot. */
  readonly actionPrefix?: string | undefined;
  readonly targetSystem?: string | undefined;
  readonly targetRecordType?: string | undefined;
  readonly targetRecordId?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** Only rows with a larger sequence number; -1 for the first page. */
  readonly afterSequence: number;
  readonly limit: number;
}

/**
 * True when a record matches a store filter (used by the memory store; SQL stores translate the same rules).
 *
 * @example
 * ```ts
 * import { matchesFilter, type AuditRecord } from "@lawful/audit";
 * declare const record: AuditRecord;
 * matchesFilter(record, { actionPrefix: "data", afterSequence: -1, limit: 10 });
 * ```
 */
export function matchesFilter(r: AuditRecord, f: AuditStoreFilter): boolean {
  if (r.sequence <= f.afterSequence) return false;
  if (f.subject !== undefined && r.subject !== f.subject) return false;
  if (f.actorId !== undefined && r.actorId !== f.actorId) return false;
  if (f.actorType !== undefined && r.actorType !== f.actorType) return false;
  if (f.actionPrefix !== undefined && r.action !== f.actionPrefix && !r.action.startsWith(`${f.actionPrefix}.`)) return false;
  if (f.targetSystem !== undefined && r.targetSystem !== f.targetSystem) return false;
  if (f.targetRecordType !== undefined && r.targetRecordType !== f.targetRecordType) return false;
  if (f.targetRecordId !== undefined && r.targetRecordId !== f.targetRecordId) return false;
  if (f.from !== undefined && r.occurredAt.getTime() < f.from.getTime()) return false;
  if (f.to !== undefined && r.occurredAt.getTime() >= f.to.getTime()) return false;
  return true;
}
