import { randomBytes } from "node:crypto";
import {
  createManualClock,
  createMemoryAuditSink,
  createPseudonymizer,
  createUuidV7Generator,
  type AuditSink,
  type ManualClock,
  type SqliteDatabase,
  type SubjectRef,
} from "@lawful/core";
import { createDsrService, type DsrRequest, type DsrService, type RetentionExemption, type SubmitRequestInput } from "@lawful/dsr";
import { createSqliteDsrStore } from "@lawful/dsr/sqlite";
import { createContactsDataSource } from "./contacts-source.js";

/** The controller (tenant) in the dsr store. */
export const TENANT = "nordlicht";

/** A legal hold placed by the legal team on one contact's correspondence (GDPR Art. 17(3)(e), DOMAIN.md E4). */
export interface CorrespondenceHold {
  contactEmail: string;
  hold: RetentionExemption;
}

/**
 * The dsr service of the example: a SQLite request store on the CRM's own file, the contacts
 * table as its only data source, and retention exemptions from the legal holds passed in (in a
 * real deployment they come from `@lawful/retention`'s evaluator). The clock is a manual clock so
 * deadlines are reproducible.
 */
export function createCrmDsr(options: {
  database: SqliteDatabase;
  audit?: AuditSink | undefined;
  holds?: readonly CorrespondenceHold[] | undefined;
  start?: string | undefined;
}): { dsr: DsrService; clock: ManualClock; suppressed: SubjectRef[] } {
  const clock = createManualClock(options.start ?? "2026-03-02T09:30:00Z");
  const suppressed: SubjectRef[] = [];
  const holds = options.holds ?? [];
  const dsr = createDsrService({
    store: createSqliteDsrStore({ database: options.database }),
    audit: options.audit ?? createMemoryAuditSink(),
    clock,
    ids: createUuidV7Generator({ clock }),
    pseudonymizer: createPseudonymizer({ key: randomBytes(32) }),
    verificationKey: randomBytes(32),
    dataSources: [createContactsDataSource(options.database)],
    exemptions: {
      exemptionsFor: (_tenantId, subject, category) =>
        Promise.resolve(
          category === "commercial.correspondence" ? holds.filter((h) => subject.kind === "email" && h.contactEmail === subject.value).map((h) => h.hold) : [],
        ),
    },
    // the CRM's newsletter tool reads this list before every send, so an erased person is never mailed again
    suppression: { suppress: (_tenantId, subject) => Promise.resolve(void suppressed.push(subject)) },
  });
  return { dsr, clock, suppressed };
}

/**
 * Run one request the way an operator and the person would: submit it, send the e-mail one-time
 * code and have the person enter it (verification), start the fan-out and work the queue until
 * the request is finalized. Returns the final request; its `outcome.result` holds the
 * `AccessResult` or `ErasureResult`.
 */
export async function runRequest(
  dsr: DsrService,
  input: Pick<SubmitRequestInput, "type" | "subject"> & Partial<SubmitRequestInput>,
): Promise<DsrRequest> {
  const { request } = await dsr.submit({ tenantId: TENANT, regime: "EU", channel: "web_form", timeZone: "Europe/Berlin", calendarId: "DE", ...input });
  const { secret } = await dsr.requestVerification(TENANT, request.id); // e-mailed to the person
  const attempt = await dsr.submitVerificationSecret(TENANT, request.id, secret);
  if (!attempt.ok) throw new Error(`Verification failed for request ${request.id}.`);
  await dsr.start(TENANT, request.id, { type: "staff", id: "privacy-desk" });
  for (let round = 0; round < 10; round++) {
    const report = await dsr.work({ workerId: "crm-worker" });
    if (report.finalized.includes(request.id) || report.claimed === 0) break;
  }
  return dsr.get(TENANT, request.id);
}
