import { ERROR_CODES, isLawfulError, type LawfulError } from "@lawful/core";
import { DsrError } from "../errors.js";
import { DsrRequestSchema, type DsrRequest } from "../model.js";
import { DsrTaskPayloadSchema, type DsrRequestQuery, type DsrTask, type DsrTaskStatus } from "../store.js";

export const COMPONENT = "@lawful/dsr";

export function closedError(name: string): DsrError {
  return new DsrError(ERROR_CODES.STORE_CLOSED, `The ${name} DSR store was closed; create a new one.`);
}

export function conflict(what: string): DsrError {
  return new DsrError(ERROR_CODES.CONFLICT, what);
}

export function notFound(tenantId: string, id: string): DsrError {
  return new DsrError(ERROR_CODES.NOT_FOUND, `Request ${id} does not exist in tenant ${tenantId}.`);
}

export function storeFailed(name: string, cause: unknown): LawfulError {
  if (isLawfulError(cause)) return cause;
  return new DsrError(ERROR_CODES.STORE_FAILED, `The ${name} DSR store failed; see cause.`, { cause });
}

export function requestToJson(request: DsrRequest): string {
  return JSON.stringify(request);
}

export function requestFromJson(json: unknown): DsrRequest {
  const value: unknown = typeof json === "string" ? JSON.parse(json) : json;
  const r = DsrRequestSchema.safeParse(value);
  if (!r.success) throw new DsrError(ERROR_CODES.INTEGRITY_FAILED, "A stored DSR request does not match the request schema.", { cause: r.error });
  return r.data;
}

export function validateRequest(request: DsrRequest): DsrRequest {
  const r = DsrRequestSchema.safeParse(request);
  if (!r.success) throw new DsrError(ERROR_CODES.VALIDATION_FAILED, "The DSR request to store does not match the request schema.", { cause: r.error });
  return r.data;
}

export interface TaskRow {
  id: string;
  tenant_id: string;
  request_id: string;
  idempotency_key: string;
  payload: unknown;
  status: string;
  attempts: number;
  max_attempts: number;
  available_at: string | Date;
  claimed_by: string | null;
  claimed_until: string | Date | null;
  result: unknown;
  last_error: string | null;
  created_at: string | Date;
  updated_at: string | Date;
  completed_at: string | Date | null;
}

const toDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const parseJson = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

export function taskFromRow(row: TaskRow): DsrTask {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    payload: DsrTaskPayloadSchema.parse(parseJson(row.payload)),
    status: row.status as DsrTaskStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    availableAt: toDate(row.available_at),
    ...(row.claimed_by === null ? {} : { claimedBy: row.claimed_by }),
    ...(row.claimed_until === null ? {} : { claimedUntil: toDate(row.claimed_until) }),
    ...(row.result === null || row.result === undefined ? {} : { result: parseJson(row.result) }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    ...(row.completed_at === null ? {} : { completedAt: toDate(row.completed_at) }),
  };
}

export function matchesQuery(r: DsrRequest, q: DsrRequestQuery): boolean {
  if (q.states && !q.states.includes(r.state)) return false;
  if (q.types && !q.types.includes(r.type)) return false;
  if (q.subjectKey !== undefined && r.subjectKey !== q.subjectKey) return false;
  if (q.receivedFrom && r.receivedAt.getTime() < q.receivedFrom.getTime()) return false;
  if (q.receivedBefore && r.receivedAt.getTime() >= q.receivedBefore.getTime()) return false;
  if (q.dueBefore && r.deadlines.dueAt.getTime() >= q.dueBefore.getTime()) return false;
  return true;
}

export function compareRequests(a: DsrRequest, b: DsrRequest): number {
  return a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function queryLimit(q: DsrRequestQuery): number {
  return Math.max(1, Math.min(10_000, Math.trunc(q.limit ?? 10_000)));
}
