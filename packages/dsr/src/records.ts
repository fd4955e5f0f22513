import { addMonthsToLocalDate, toLocalDate, endOfLocalDay } from "@lawful/core";
import type { DsrRequest, DsrRequestType } from "./model.js";

/**
 * A request record with the six fields CCPA §7101 requires (date of request, nature of request,
 * manner in which it was made, date of response, nature of the response, basis for any denial),
 * kept for at least 24 months and used for nothing else (DOMAIN C11).
 *
 * @example
 * ```ts
 * import type { DsrRequestRecord } from "@lawful/dsr";
 * const denied = (r: DsrRequestRecord) => r.basisForDenial !== undefined;
 * ```
 */
export interface DsrRequestRecord {
  requestId: string;
  tenantId: string;
  regime: string;
  dateOfRequest: string;
  natureOfRequest: DsrRequestType;
  mannerOfRequest: string;
  dateOfResponse?: string | undefined;
  natureOfResponse?: string | undefined;
  basisForDenial?: string | undefined;
  /** Keep the record until at least this instant: 24 months after the response (or receipt), or longer when configured. */
  retainUntil: string;
}

/**
 * The CCPA minimum record-keeping period, in months (§7101).
 *
 * @example
 * ```ts
 * import { RECORD_RETENTION_MONTHS } from "@lawful/dsr";
 * RECORD_RETENTION_MONTHS; // 24
 * ```
 */
export const RECORD_RETENTION_MONTHS = 24;

/**
 * Build the §7101 record of a request. `retentionMonths` raises the 24 months for a longer GDPR
 * accountability period (the maximum of the two is used).
 *
 * @example
 * ```ts
 * import { toRequestRecord, type DsrRequest } from "@lawful/dsr";
 * declare const request: DsrRequest;
 * toRequestRecord(request).natureOfRequest; // e.g. "access"
 * ```
 */
export function toRequestRecord(request: DsrRequest, retentionMonths = RECORD_RETENTION_MONTHS): DsrRequestRecord {
  const months = Math.max(RECORD_RETENTION_MONTHS, Math.trunc(retentionMonths));
  const anchor = request.outcome?.respondedAt ?? request.receivedAt;
  const retainUntil = endOfLocalDay(addMonthsToLocalDate(toLocalDate(anchor, "UTC"), months), "UTC");
  const response =
    request.state === "cancelled" ? `cancelled: ${request.cancellation?.reason ?? "cancelled"}` : request.outcome ? `${request.state}: ${request.outcome.nature}` : undefined;
  return {
    requestId: request.id,
    tenantId: request.tenantId,
    regime: request.regime,
    dateOfRequest: request.receivedAt.toISOString(),
    natureOfRequest: request.type,
    mannerOfRequest: request.channel,
    ...(request.outcome ? { dateOfResponse: request.outcome.respondedAt.toISOString() } : {}),
    ...(response ? { natureOfResponse: response } : {}),
    ...(request.denial ? { basisForDenial: `${request.denial.reason}: ${request.denial.explanation}` } : {}),
    retainUntil: retainUntil.toISOString(),
  };
}

/**
 * Metrics for one request type (CCPA §7102): received, complied with in whole or in part, denied,
 * and the median and mean days to respond.
 *
 * @example
 * ```ts
 * import type { DsrTypeMetrics } from "@lawful/dsr";
 * const rate = (m: DsrTypeMetrics) => m.completed / Math.max(1, m.received);
 * ```
 */
export interface DsrTypeMetrics {
  type: DsrRequestType;
  received: number;
  completed: number;
  partiallyCompleted: number;
  denied: number;
  withdrawn: number;
  cancelled: number;
  open: number;
  /** Over requests with a response; `undefined` when none. */
  medianDaysToRespond?: number | undefined;
  meanDaysToRespond?: number | undefined;
  /** Denials by reason. */
  deniedByReason: Record<string, number>;
}

/**
 * Metrics by request type and outcome.
 *
 * @example
 * ```ts
 * import type { DsrMetrics } from "@lawful/dsr";
 * const total = (m: DsrMetrics) => m.byType.reduce((n, t) => n + t.received, 0);
 * ```
 */
export interface DsrMetrics {
  byType: DsrTypeMetrics[];
}

const DAY = 86_400_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Compute {@link DsrMetrics} over requests (typically one calendar year's). Days to respond are
 * calendar days from receipt to response, to two decimals.
 *
 * @example
 * ```ts
 * import { computeDsrMetrics, type DsrRequest } from "@lawful/dsr";
 * declare const requests: DsrRequest[];
 * computeDsrMetrics(requests).byType.find((t) => t.type === "access")?.medianDaysToRespond;
 * ```
 */
export function computeDsrMetrics(requests: readonly DsrRequest[]): DsrMetrics {
  const groups = new Map<DsrRequestType, DsrRequest[]>();
  for (const r of requests) groups.set(r.type, [...(groups.get(r.type) ?? []), r]);
  const byType: DsrTypeMetrics[] = [];
  for (const [type, list] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const days = list
      .filter((r) => r.outcome && r.state !== "withdrawn")
      .map((r) => (r.outcome!.respondedAt.getTime() - r.receivedAt.getTime()) / DAY)
      .sort((a, b) => a - b);
    const mid = Math.floor(days.length / 2);
    const median = days.length === 0 ? undefined : days.length % 2 === 1 ? days[mid]! : (days[mid - 1]! + days[mid]!) / 2;
    const deniedByReason: Record<string, number> = {};
    for (const r of list) if (r.denial) deniedByReason[r.denial.reason] = (deniedByReason[r.denial.reason] ?? 0) + 1;
    const count = (s: string) => list.filter((r) => r.state === s).length;
    byType.push({
      type,
      received: list.length,
      completed: count("completed"),
      partiallyCompleted: count("partially_completed"),
      denied: count("denied"),
      withdrawn: count("withdrawn"),
      cancelled: count("cancelled"),
      open: list.filter((r) => ["received", "awaiting_verification", "verified", "in_progress"].includes(r.state)).length,
      ...(median === undefined ? {} : { medianDaysToRespond: round2(median), meanDaysToRespond: round2(days.reduce((a, b) => a + b, 0) / days.length) }),
      deniedByReason,
    });
  }
  return { byType };
}
