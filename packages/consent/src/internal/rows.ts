import type { ConsentState, ConsentStateStatus } from "../decision.js";
import type { ConsentEvent, Notice, Purpose } from "../model.js";
import type { SuppressionEntry } from "../store.js";

export const COMPONENT = "@lawful/consent";

export function eventToJson(e: ConsentEvent): string {
  return JSON.stringify({
    ...e,
    occurredAt: e.occurredAt.toISOString(),
    recordedAt: e.recordedAt.toISOString(),
    expiresAt: e.expiresAt?.toISOString() ?? null,
  });
}

export function eventFromJson(text: string): ConsentEvent {
  const raw = JSON.parse(text) as Omit<ConsentEvent, "occurredAt" | "recordedAt" | "expiresAt"> & { occurredAt: string; recordedAt: string; expiresAt: string | null };
  return {
    ...raw,
    evidenceKeyId: raw.evidenceKeyId ?? null,
    occurredAt: new Date(raw.occurredAt),
    recordedAt: new Date(raw.recordedAt),
    expiresAt: raw.expiresAt === null ? null : new Date(raw.expiresAt),
  };
}

export function noticeToJson(n: Notice): string {
  return JSON.stringify({ ...n, createdAt: n.createdAt.toISOString(), publishedAt: n.publishedAt?.toISOString() ?? null });
}

export function noticeFromJson(text: string): Notice {
  const raw = JSON.parse(text) as Omit<Notice, "createdAt" | "publishedAt"> & { createdAt: string; publishedAt: string | null };
  return { ...raw, createdAt: new Date(raw.createdAt), publishedAt: raw.publishedAt === null ? null : new Date(raw.publishedAt) };
}

export function purposeFromJson(text: string): Purpose {
  return JSON.parse(text) as Purpose;
}

export interface StateRow {
  tenant_id: string;
  subject: string;
  purpose_key: string;
  status: string;
  basis: string | null;
  event_id: string;
  since: number | string;
  until: number | string | null;
  as_of: number | string;
}

export function stateFromRow(r: StateRow): ConsentState {
  return {
    tenantId: r.tenant_id,
    subjectPseudonym: r.subject,
    purposeKey: r.purpose_key,
    status: r.status as ConsentStateStatus,
    basis: r.basis,
    eventId: r.event_id,
    since: new Date(Number(r.since)),
    until: r.until === null ? null : new Date(Number(r.until)),
    asOf: new Date(Number(r.as_of)),
  };
}

export function stateParams(s: ConsentState): unknown[] {
  return [s.tenantId, s.subjectPseudonym, s.purposeKey, s.status, s.basis, s.eventId, s.since.getTime(), s.until?.getTime() ?? null, s.asOf.getTime()];
}

export interface SuppressionRow {
  tenant_id: string;
  hash: string;
  reason: string;
  channel: string | null;
  id: string;
  created_at: number | string;
}

export function suppressionFromRow(r: SuppressionRow): SuppressionEntry {
  return { tenantId: r.tenant_id, hash: r.hash, reason: r.reason, channel: r.channel, id: r.id, createdAt: new Date(Number(r.created_at)) };
}

/** Columns of a projection read for one known subject (tenant and subject come from the query). */
export const KEYED_COLUMNS = "purpose_key, status, basis, event_id, since, until, as_of";

export type KeyedStateRow = Omit<StateRow, "tenant_id" | "subject">;

export function stateFromKeyedRow(tenantId: string, subject: string, r: KeyedStateRow): ConsentState {
  return {
    tenantId,
    subjectPseudonym: subject,
    purposeKey: r.purpose_key,
    status: r.status as ConsentStateStatus,
    basis: r.basis,
    eventId: r.event_id,
    since: new Date(Number(r.since)),
    until: r.until === null ? null : new Date(Number(r.until)),
    asOf: new Date(Number(r.as_of)),
  };
}

export const STATE_COLUMNS = "tenant_id, subject, purpose_key, status, basis, event_id, since, until, as_of";

/** Schema shared by SQLite and PostgreSQL (`BIGINT` is an integer affinity in SQLite). */
export const SCHEMA_V1: readonly string[] = [
  "CREATE TABLE consent_purposes (tenant_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, id))",
  "CREATE TABLE consent_notices (tenant_id TEXT NOT NULL, notice_id TEXT NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, notice_id, version))",
  "CREATE TABLE consent_events (tenant_id TEXT NOT NULL, id TEXT NOT NULL, subject TEXT NOT NULL, purpose_id TEXT NOT NULL, occurred_at BIGINT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant_id, id))",
  "CREATE INDEX consent_events_by_subject ON consent_events (tenant_id, subject, purpose_id, occurred_at, id)",
  "CREATE TABLE consent_state (tenant_id TEXT NOT NULL, subject TEXT NOT NULL, purpose_key TEXT NOT NULL, status TEXT NOT NULL, basis TEXT, event_id TEXT NOT NULL, since BIGINT NOT NULL, until BIGINT, as_of BIGINT NOT NULL, PRIMARY KEY (tenant_id, subject, purpose_key))",
  "CREATE INDEX consent_state_expiring ON consent_state (tenant_id, until) WHERE status = 'granted' AND until IS NOT NULL",
  "CREATE TABLE consent_suppression (tenant_id TEXT NOT NULL, hash TEXT NOT NULL, reason TEXT NOT NULL, channel TEXT, id TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, hash))",
];
