import * as z from "zod";
import { ERROR_CODES, TenantIdSchema, parseOrThrow } from "@lawful/core";
import { RetentionError } from "../errors.js";
import type { RetentionCheckpoint } from "../executor.js";
import { LegalHoldSchema, type LegalHold, type LegalHoldInput } from "../holds.js";
import { RetentionActionSchema, RetentionRuleSchema, loadRules, type RetentionRule, type RetentionRuleInput } from "../rules.js";

export const COMPONENT = "@lawful/retention";

export function parseTenant(tenantId: unknown): string {
  return parseOrThrow(TenantIdSchema, tenantId, "tenant id", RetentionError);
}

export function parseId(id: unknown, what: string): string {
  return parseOrThrow(z.string().min(1).max(256), id, what, RetentionError);
}

/** Validate `rule` alone and as part of the tenant's rule set (replacing a rule with the same id). */
export function checkRuleInSet(existing: readonly RetentionRule[], input: RetentionRuleInput): RetentionRule {
  const rule = parseOrThrow(RetentionRuleSchema, input, "retention rule", RetentionError);
  loadRules([...existing.filter((r) => r.id !== rule.id).map(toStoredRule), toStoredRule(rule)]);
  return rule;
}

export function toStoredRule(rule: RetentionRule): Record<string, unknown> {
  return JSON.parse(JSON.stringify(rule)) as Record<string, unknown>;
}

export function ruleFromJson(json: string): RetentionRule {
  return parseOrThrow(RetentionRuleSchema, JSON.parse(json), "stored retention rule", RetentionError);
}

export function parseHold(tenantId: string, input: LegalHoldInput): LegalHold {
  const hold = parseOrThrow(LegalHoldSchema, input, "legal hold", RetentionError);
  if (hold.tenantId !== undefined && hold.tenantId !== tenantId) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "Invalid legal hold: tenantId does not match the tenant it is stored for.", {
      issues: [{ path: ["tenantId"], message: "must match the tenant it is stored for", code: "custom" }],
    });
  }
  return { ...hold, tenantId };
}

export function holdToJson(hold: LegalHold): string {
  return JSON.stringify(hold);
}

export function holdFromJson(json: string): LegalHold {
  return parseOrThrow(LegalHoldSchema, JSON.parse(json), "stored legal hold", RetentionError);
}

export function releaseChecked(hold: LegalHold, releasedAt: Date): LegalHold {
  if (!(releasedAt instanceof Date) || Number.isNaN(releasedAt.getTime())) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "releasedAt must be a valid Date.", { issues: [{ path: ["releasedAt"], message: "must be a valid date", code: "invalid_date" }] });
  }
  if (hold.releasedAt !== undefined) return hold;
  if (releasedAt.getTime() < hold.issuedAt.getTime()) {
    throw new RetentionError(ERROR_CODES.VALIDATION_FAILED, "A legal hold cannot be released before it was issued.", {
      issues: [{ path: ["releasedAt"], message: "must not be before issuedAt", code: "custom" }],
    });
  }
  return { ...hold, releasedAt };
}

export function holdNotFound(id: string): RetentionError {
  return new RetentionError(ERROR_CODES.NOT_FOUND, `Legal hold ${id} does not exist for this tenant.`);
}

export function isActiveAt(hold: LegalHold, at: Date | undefined): boolean {
  if (at === undefined) return true;
  const t = at.getTime();
  return hold.issuedAt.getTime() <= t && (hold.releasedAt === undefined || hold.releasedAt.getTime() > t);
}

const CheckpointSchema = z.object({
  key: z.string().min(1).max(1024),
  runId: z.string().min(1).max(256),
  recordId: z.string().min(1).max(256),
  ruleId: z.string().min(1).max(128),
  action: RetentionActionSchema,
  doneAt: z.date(),
});

export function parseCheckpoint(input: RetentionCheckpoint): RetentionCheckpoint {
  return parseOrThrow(CheckpointSchema, input, "retention checkpoint", RetentionError);
}

export function closedError(name: string): RetentionError {
  return new RetentionError(ERROR_CODES.STORE_CLOSED, `The ${name} retention store was closed; create a new one.`);
}

export function storeFailed(name: string, op: string, cause: unknown): RetentionError {
  return new RetentionError(ERROR_CODES.STORE_FAILED, `The ${name} retention store failed to ${op}; see cause.`, { cause });
}

export const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
