import * as z from "zod";
import { ActorSchema, TenantIdSchema, parseOrThrow, type Actor, type AuditSink } from "@lawful/core";
import { RetentionError } from "./errors.js";
import { RETENTION_AUDIT_ACTIONS } from "./executor.js";
import type { LegalHold, LegalHoldInput } from "./holds.js";
import type { RetentionStore } from "./store.js";

const BaseSchema = z.object({
  tenantId: TenantIdSchema,
  actor: ActorSchema,
  store: z.custom<RetentionStore>((v) => typeof v === "object" && v !== null && typeof (v as RetentionStore).putHold === "function", { message: "must be a RetentionStore" }),
  audit: z.custom<AuditSink>((v) => typeof v === "object" && v !== null && typeof (v as AuditSink).record === "function", { message: "must be an AuditSink" }),
});

/**
 * Options of {@link issueLegalHold}.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * import type { IssueLegalHoldOptions } from "@lawful/retention";
 * const o: IssueLegalHoldOptions = {
 *   store: createMemoryRetentionStore(), audit: createMemoryAuditSink(), tenantId: "acme", actor: { type: "staff", id: "u_legal" },
 *   hold: { id: "h1", matter: "Claim 17", scope: { subjectIds: ["cust_9"] }, issuedBy: "u_legal", issuedAt: new Date() },
 * };
 * ```
 */
export interface IssueLegalHoldOptions {
  store: RetentionStore;
  audit: AuditSink;
  tenantId: string;
  actor: Actor;
  hold: LegalHoldInput;
}

/**
 * Store a legal hold and write a `retention.hold_issued` audit event (details: hold id, matter-free scope
 * summary). The hold is stored first; if auditing fails the call rejects and may be repeated (storing is an upsert).
 *
 * @throws RetentionError `VALIDATION_FAILED` for invalid options or hold.
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { issueLegalHold } from "@lawful/retention";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * const hold = await issueLegalHold({
 *   store: createMemoryRetentionStore(), audit: createMemoryAuditSink(), tenantId: "acme", actor: { type: "staff", id: "u_legal" },
 *   hold: { id: "h1", matter: "Claim 17", scope: { subjectIds: ["cust_9"] }, issuedBy: "u_legal", issuedAt: new Date(), reviewEvery: "P3M" },
 * });
 * ```
 */
export async function issueLegalHold(options: IssueLegalHoldOptions): Promise<LegalHold> {
  const o = parseOrThrow(BaseSchema, options, "issueLegalHold options", RetentionError);
  const hold = await o.store.putHold(o.tenantId, options.hold);
  await o.audit.record({
    tenantId: o.tenantId,
    action: RETENTION_AUDIT_ACTIONS.holdIssued,
    actor: o.actor,
    details: { holdId: hold.id, issuedAt: hold.issuedAt.toISOString(), scope: Object.keys(hold.scope).sort(), reviewEvery: hold.reviewEvery ?? null },
  });
  return hold;
}

/**
 * Options of {@link releaseLegalHold}.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * import type { ReleaseLegalHoldOptions } from "@lawful/retention";
 * const o: ReleaseLegalHoldOptions = {
 *   store: createMemoryRetentionStore(), audit: createMemoryAuditSink(), tenantId: "acme", actor: { type: "staff", id: "u_legal" },
 *   holdId: "h1", releasedAt: new Date(),
 * };
 * ```
 */
export interface ReleaseLegalHoldOptions {
  store: RetentionStore;
  audit: AuditSink;
  tenantId: string;
  actor: Actor;
  holdId: string;
  releasedAt: Date;
}

/**
 * Release a legal hold and write a `retention.hold_released` audit event. Held records fall back to the
 * rules on the next evaluation (re-run `planRetention`/`applyRetention` — DOMAIN.md E4 "on release, re-queue").
 *
 * @throws RetentionError `NOT_FOUND` for an unknown hold; `VALIDATION_FAILED` for invalid options or a release before issue.
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { issueLegalHold, releaseLegalHold } from "@lawful/retention";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * const store = createMemoryRetentionStore();
 * const audit = createMemoryAuditSink();
 * const actor = { type: "staff" as const, id: "u_legal" };
 * await issueLegalHold({ store, audit, tenantId: "acme", actor, hold: { id: "h1", matter: "Claim 17", scope: {}, issuedBy: "u_legal", issuedAt: new Date("2026-01-01T00:00:00Z") } });
 * await releaseLegalHold({ store, audit, tenantId: "acme", actor, holdId: "h1", releasedAt: new Date("2026-06-01T00:00:00Z") });
 * ```
 */
export async function releaseLegalHold(options: ReleaseLegalHoldOptions): Promise<LegalHold> {
  const o = parseOrThrow(BaseSchema, options, "releaseLegalHold options", RetentionError);
  const hold = await o.store.releaseHold(o.tenantId, options.holdId, options.releasedAt);
  await o.audit.record({
    tenantId: o.tenantId,
    action: RETENTION_AUDIT_ACTIONS.holdReleased,
    actor: o.actor,
    details: { holdId: hold.id, releasedAt: hold.releasedAt?.toISOString() ?? null },
  });
  return hold;
}
