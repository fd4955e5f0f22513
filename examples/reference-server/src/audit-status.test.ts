import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createManualClock } from "@lawful/core";
import { auditVerifyJob, lastVerification } from "./audit-status.js";
import { BACKENDS, type Harness } from "./test-harness.js";

describe.each(BACKENDS)("daily audit verification job on %s", (_name, open) => {
  let h: Harness;
  let tenantId = "";
  const clock = createManualClock("2026-05-01T03:00:00Z");
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });

  beforeAll(async () => {
    h = await open();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    await h.lawful.tenants.create({ slug: "globex", name: "Globex" });
    for (let i = 0; i < 3; i++) await h.lawful.services.audit.record({ tenantId, action: "data.accessed", actor: { type: "staff", id: "u1" }, subject: { kind: "email", value: "ada@example.com" } });
  });
  afterAll(async () => h?.cleanup());

  it("run - verifies every tenant's log and stores each result with its time; a broken log is logged without personal data", async () => {
    const job = auditVerifyJob({ sql: h.lawful.db.sql, audit: h.lawful.services.audit, clock }, () => h.lawful.tenants.list(), logger);
    expect(job.name).toBe("audit-verify");
    await job.run(new AbortController().signal);
    expect(await lastVerification(h.lawful.db.sql, tenantId)).toMatchObject({ ok: true, eventsChecked: 3, treeSize: 3, verifiedAt: "2026-05-01T03:00:00.000Z" });
    const globex = (await h.lawful.tenants.bySlug("globex"))!;
    expect(await lastVerification(h.lawful.db.sql, globex.id)).toMatchObject({ ok: true, eventsChecked: 0 });
    expect(lines).toEqual([]);

    await h.lawful.db.sql.run("DELETE FROM audit_events WHERE tenant_id = ? AND sequence = 1", [tenantId]);
    clock.advance({ days: 1 });
    await job.run(new AbortController().signal);
    expect(await lastVerification(h.lawful.db.sql, tenantId)).toMatchObject({ ok: false, problem: { kind: "missing", sequence: 1 }, verifiedAt: "2026-05-02T03:00:00.000Z" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, tenant: "acme", problem: "missing", sequence: 1, msg: "audit log verification failed" });
    expect(lines[0]).not.toContain("ada@example.com");
  });
});
