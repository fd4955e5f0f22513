// The last full verification of each tenant's audit log. Verifying rehashes every event, so pages show
// the stored result and its time instead of verifying on every view; a recorded verification runs on
// request ("Verify now" on /ops/audit, `lawful audit verify`) and daily (job `audit-verify`).
// `GET /v1/audit/verify` verifies too but stays a read: it records nothing.
import type { AuditLog, VerificationReport } from "@lawful/audit";
import type { Clock, Migration } from "@lawful/core";
import type { Logger } from "pino";
import type { Sql } from "./db.js";
import type { Job } from "./scheduler.js";

/**
 * Table of the last verification per tenant.
 *
 * @example
 * ```ts
 * import { AUDIT_STATUS_MIGRATIONS } from "./audit-status.js";
 * AUDIT_STATUS_MIGRATIONS[0]!.version; // 1
 * ```
 */
export const AUDIT_STATUS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "last audit verification per tenant",
    sql: ["CREATE TABLE server_audit_verifications (tenant_id TEXT PRIMARY KEY, verified_at TEXT NOT NULL, report TEXT NOT NULL)"],
  },
];

/**
 * A stored verification: when it ran and what it found (the root hash as base64).
 *
 * @example
 * ```ts
 * import type { StoredVerification } from "./audit-status.js";
 * const last: StoredVerification = { verifiedAt: "2026-01-01T00:00:00.000Z", ok: true, eventsChecked: 3, treeSize: 3, checkpointsVerified: 1, coveredSize: 3, rootHash: "…" };
 * ```
 */
export interface StoredVerification extends Omit<VerificationReport, "rootHash"> {
  readonly verifiedAt: string;
  readonly rootHash: string;
}

/**
 * A verification report as JSON: the root hash as base64 (a byte array would serialise as an object of indices).
 *
 * @example
 * ```ts
 * import { verificationJson } from "./audit-status.js";
 * import type { VerificationReport } from "@lawful/audit";
 * declare const report: VerificationReport;
 * verificationJson(report).rootHash; // base64
 * ```
 */
export function verificationJson(report: VerificationReport): Omit<StoredVerification, "verifiedAt"> {
  return { ...report, rootHash: Buffer.from(report.rootHash).toString("base64") };
}

/**
 * What verifying and recording needs.
 *
 * @example
 * ```ts
 * import type { AuditStatusDeps } from "./audit-status.js";
 * import type { Lawful } from "./server.js";
 * declare const lawful: Lawful;
 * const deps: AuditStatusDeps = { sql: lawful.db.sql, audit: lawful.services.audit, clock: { now: () => new Date() } };
 * ```
 */
export interface AuditStatusDeps {
  sql: Sql;
  audit: Pick<AuditLog, "verify">;
  clock: Clock;
}

/**
 * Verify the tenant's whole log now, store the result as its last verification and return the report.
 *
 * @example
 * ```ts
 * import { verifyAndRecord, type AuditStatusDeps } from "./audit-status.js";
 * declare const deps: AuditStatusDeps;
 * const report = await verifyAndRecord(deps, "tenant-id");
 * report.ok;
 * ```
 */
export async function verifyAndRecord(deps: AuditStatusDeps, tenantId: string): Promise<VerificationReport> {
  const report = await deps.audit.verify(tenantId);
  const verifiedAt = deps.clock.now().toISOString();
  const stored = JSON.stringify(verificationJson(report));
  await deps.sql.run(
    `INSERT INTO server_audit_verifications (tenant_id, verified_at, report) VALUES (?, ?, ?)
     ON CONFLICT (tenant_id) DO UPDATE SET verified_at = excluded.verified_at, report = excluded.report`,
    [tenantId, verifiedAt, stored],
  );
  return report;
}

/**
 * The tenant's last stored verification, or undefined when none ran yet.
 *
 * @example
 * ```ts
 * import { lastVerification } from "./audit-status.js";
 * import type { Sql } from "./db.js";
 * declare const sql: Sql;
 * const last = await lastVerification(sql, "tenant-id");
 * last?.verifiedAt;
 * ```
 */
export async function lastVerification(sql: Sql, tenantId: string): Promise<StoredVerification | undefined> {
  const row = await sql.get<{ verified_at: string; report: string }>("SELECT verified_at, report FROM server_audit_verifications WHERE tenant_id = ?", [tenantId]);
  return row && { ...(JSON.parse(row.report) as Omit<StoredVerification, "verifiedAt">), verifiedAt: row.verified_at };
}

/**
 * The daily job that verifies every tenant's log and stores the result; a broken log is logged as an
 * error with the problem's kind and sequence number (no personal data).
 *
 * @example
 * ```ts
 * import { auditVerifyJob, type AuditStatusDeps } from "./audit-status.js";
 * import pino from "pino";
 * declare const deps: AuditStatusDeps;
 * const job = auditVerifyJob(deps, async () => [{ id: "tenant-id", slug: "acme" }], pino());
 * ```
 */
export function auditVerifyJob(deps: AuditStatusDeps, tenants: () => Promise<readonly { id: string; slug: string }[]>, logger: Logger): Job {
  return {
    name: "audit-verify",
    intervalMs: 86_400_000,
    leaseMs: 3_600_000, // a long log takes a while; another instance takes over only after an hour
    run: async () => {
      for (const t of await tenants()) {
        const report = await verifyAndRecord(deps, t.id);
        if (!report.ok) logger.error({ tenant: t.slug, problem: report.problem?.kind, sequence: report.problem?.sequence }, "audit log verification failed");
      }
    },
  };
}
