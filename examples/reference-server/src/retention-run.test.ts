import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock, createUuidV7Generator, type Clock } from "@lawful/core";
import { createOutbox } from "./outbox.js";
import { runServerRetention } from "./retention-run.js";
import { CONSENT_PROOF_PACK } from "@lawful/retention";
import { BACKENDS, caller, postgresHarness, seedNewsletterForm, sqliteHarness, type Harness } from "./test-harness.js";

const OLD: Clock = { now: () => new Date("2020-01-15T10:00:00Z") };

describe.each(BACKENDS)("retention runs over the server's own records on %s", (_name, make) => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  const call = caller(() => h.lawful);
  const outboxCount = async () => Number((await h.lawful.db.sql.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM server_outbox WHERE tenant_id = ?", [tenantId]))!.n);

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    key = (await h.lawful.tenants.createKey(t.id, { name: "ops", scopes: ["retention", "audit"] })).secret;
    // two messages from 2020 (one to a subject under a legal hold) and one from now
    const old = createOutbox(h.lawful.db.sql, OLD, createUuidV7Generator({ clock: OLD }));
    await old.send(t.id, { kind: "verification_code", to: "ada@example.com", subject: "Code", body: "123456", subjectPseudonym: "ps-ada" });
    await old.send(t.id, { kind: "verification_code", to: "bob@example.com", subject: "Code", body: "654321", subjectPseudonym: "ps-bob" });
    await createOutbox(h.lawful.db.sql, { now: () => new Date() }, createUuidV7Generator()).send(t.id, { kind: "request_update", to: "cy@example.com", subject: "Update", body: "Done." });
    const rule = { id: "outbox-90d", title: "Delivered mail", selectors: { recordTypes: ["outbox_message"] }, trigger: { type: "created" }, duration: "P90D", kind: "maximum", action: "delete" };
    expect((await call("/v1/retention/rules", { method: "POST", key, json: rule })).status).toBe(201);
    const hold = { id: "matter-1", matter: "Complaint", scope: { subjectIds: ["ps-bob"] }, issuedBy: "legal", issuedAt: "2020-02-01T00:00:00Z" };
    expect((await call("/v1/retention/holds", { method: "POST", key, json: hold })).status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("POST /v1/retention/runs dryRun - plans without changing anything", async () => {
    const res = await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: true } });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { dryRun: boolean; total: number; plan: { byOutcome: Record<string, number>; byHold: Record<string, number> } };
    expect(body.dryRun).toBe(true);
    expect(body.total).toBe(3);
    expect(body.plan.byOutcome.delete).toBe(1);
    expect(body.plan.byOutcome.hold).toBe(1);
    expect(body.plan.byHold["matter-1"]).toBe(1);
    expect(await outboxCount()).toBe(3);
  });

  it("POST /v1/retention/runs - deletes the due message, keeps the held and the recent one, audits it; a rerun is a no-op", async () => {
    const res = await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: false } });
    expect(res.status, await res.clone().text()).toBe(200);
    const { result } = (await res.json()) as { result: { applied: Record<string, number>; byOutcome: Record<string, number>; failed: number } };
    expect(result.applied.delete).toBe(1);
    expect(result.byOutcome.hold).toBe(1);
    expect(result.failed).toBe(0);
    const left = await h.lawful.db.sql.all<{ to_address: string }>("SELECT to_address FROM server_outbox WHERE tenant_id = ? ORDER BY to_address", [tenantId]);
    expect(left.map((r) => r.to_address)).toEqual(["bob@example.com", "cy@example.com"]);
    const events = (await (await call("/v1/audit/events?action=retention", { key })).json()) as { events: { action: string; target?: { recordType?: string } }[] };
    expect(events.events.map((e) => e.action)).toEqual(expect.arrayContaining(["retention.run_started", "retention.deleted", "retention.run_completed"]));
    expect(JSON.stringify(events)).not.toContain("ada@example.com");

    const again = (await (await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: false } })).json()) as { result: { applied: Record<string, number>; processed: number } };
    expect(again.result.applied.delete).toBe(0);
    expect(again.result.processed).toBe(2);
    expect(await outboxCount()).toBe(2);
  });

  it("a run interrupted after its third record is finished by the next run, each message deleted once", async () => {
    const old = createOutbox(h.lawful.db.sql, OLD, createUuidV7Generator({ clock: OLD }));
    for (const n of [1, 2, 3]) await old.send(tenantId, { kind: "request_update", to: `x${n}@example.com`, subject: "Update", body: "Done." });
    const deps = { sql: h.lawful.db.sql, retention: h.lawful.services.retention, dsr: h.lawful.services.dsr, consent: h.lawful.services.consent, audit: h.lawful.services.audit, clock: { now: () => new Date() } };
    const stop = new AbortController();
    await expect(runServerRetention(deps, tenantId, { batchSize: 1, signal: stop.signal, onProgress: (done) => void (done === 3 && stop.abort(new Error("crash"))) })).rejects.toThrow("crash");
    const afterCrash = await outboxCount();
    expect(afterCrash).toBeLessThan(5); // of the first three records at least one was due
    const resumed = await runServerRetention(deps, tenantId, { batchSize: 1 });
    expect(resumed.applied.delete).toBe(afterCrash - 2);
    expect(await outboxCount()).toBe(2);
    const deleted = await h.lawful.services.audit.query(tenantId, { actionPrefix: "retention.deleted", limit: 1000 });
    expect(new Set(deleted.events.map((e) => e.target?.recordId)).size).toBe(deleted.events.length); // no message deleted twice
  });

  it("POST /v1/retention/runs - needs the retention scope and refuses unknown body fields", async () => {
    const consentOnly = (await h.lawful.tenants.createKey(tenantId, { name: "c", scopes: ["consent"] })).secret;
    expect((await call("/v1/retention/runs", { method: "POST", key: consentOnly, json: {} })).status).toBe(403);
    // a run is asked for explicitly: an empty body is refused, naming dryRun
    const empty = await call("/v1/retention/runs", { method: "POST", key, json: {} });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("dryRun");
    const bad = await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: "yes" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("dryRun");
  });
});

describe.each([
  ["sqlite", sqliteHarness],
  ["postgres", postgresHarness],
] as const)("retention runs over closed data-subject requests on %s", (name, open) => {
  const clock = createManualClock("2023-01-10T09:00:00Z");
  let h: Harness;
  let key = "";
  let tenantId = "";
  const call = caller(() => h.lawful);
  let closed = "";
  let openId = "";
  const run = async () => {
    const res = await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: false } });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { result: { applied: Record<string, number>; failed: number } }).result;
  };

  beforeAll(async () => {
    h = await (name === "sqlite" ? open("retention-requests.db", {}, { clock }) : open("retention_requests", {}, { clock }));
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    key = (await h.lawful.tenants.createKey(t.id, { name: "ops", scopes: ["retention", "requests", "audit"] })).secret;
    const dsr = h.lawful.services.dsr;
    const a = (await dsr.submit({ tenantId, type: "access", regime: "EU", subject: { kind: "email", value: "ada@example.com" }, channel: "email", timeZone: "Europe/Berlin" })).request;
    await dsr.deny(tenantId, a.id, { reason: "no_data", explanation: "Nothing held" });
    closed = a.id;
    openId = (await dsr.submit({ tenantId, type: "access", regime: "EU", subject: { kind: "email", value: "bob@example.com" }, channel: "email", timeZone: "Europe/Berlin" })).request.id;
    const rule = { id: "requests-1y", title: "Closed requests", selectors: { recordTypes: ["dsr_request"] }, trigger: { type: "field", field: "closedAt" }, duration: "P1Y", kind: "maximum", action: "delete" };
    expect((await call("/v1/retention/rules", { method: "POST", key, json: rule })).status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("a closed request past its rule but within the 24 months of its record is kept: the deletion fails, audited, and is retried", async () => {
    clock.set("2024-06-01T00:00:00Z");
    const plan = (await (await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: true } })).json()) as { total: number; plan: { byOutcome: Record<string, number> } };
    expect(plan.total).toBe(1); // the open request is never offered
    expect(plan.plan.byOutcome.delete).toBe(1);
    const result = await run();
    expect(result.failed).toBe(1);
    expect(result.applied.delete).toBe(0);
    expect((await call(`/v1/requests/${closed}`, { key })).status).toBe(200);
  });

  it("once the record's 24 months are over, the closed request is deleted with its tasks and audited; the open one stays", async () => {
    clock.set("2025-01-11T00:00:00Z");
    const result = await run();
    expect(result).toMatchObject({ failed: 0, applied: { delete: 1 } });
    expect((await call(`/v1/requests/${closed}`, { key })).status).toBe(404);
    expect((await call(`/v1/requests/${openId}`, { key })).status).toBe(200);
    const events = (await (await call("/v1/audit/events?action=request.deleted", { key })).json()) as { events: { correlationId?: string }[] };
    expect(events.events.map((e) => e.correlationId)).toEqual([closed]);
    expect(JSON.stringify(events)).not.toContain("ada@example.com");
    expect((await run()).applied.delete).toBe(0);
  });
});

describe.each([
  ["sqlite", sqliteHarness],
  ["postgres", postgresHarness],
] as const)("retention runs over proof of ended consents on %s", (name, open) => {
  const clock = createManualClock("2022-03-01T09:00:00Z");
  let h: Harness;
  let key = "";
  const call = caller(() => h.lawful);
  const ada = encodeURIComponent("email:ada@example.com");
  const bob = encodeURIComponent("email:bob@example.com");
  const decision = async (subject: string) => (await (await call(`/v1/consent/decision?subject=${subject}&purpose=newsletter`, { key })).json()) as { allowed: boolean; reason: string | null };
  const history = async (subject: string) => ((await (await call(`/v1/subjects/${subject}/consents`, { key })).json()) as { history: unknown[] }).history;
  const run = async () => {
    const res = await call("/v1/retention/runs", { method: "POST", key, json: { dryRun: false } });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { total: number; result: { applied: Record<string, number>; failed: number } });
  };

  beforeAll(async () => {
    h = await (name === "sqlite" ? open("retention-consent.db", {}, { clock }) : open("retention_consent", {}, { clock }));
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    key = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedNewsletterForm(call, key);
    const event = (subject: string, type: string) => ({ subject: { kind: "email", value: subject }, purposeId: "newsletter", type, method: type === "given" ? "checkbox_checked" : "preference_center", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "crm" } });
    for (const [subject, type] of [["ada@example.com", "given"], ["bob@example.com", "given"], ["ada@example.com", "withdrawn"]] as const) {
      const res = await call("/v1/consent-events", { method: "POST", key, json: event(subject, type) });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    // DOMAIN B6: proof of consent is kept for the legal-claims period after withdrawal, here 3 years from the end of that year
    const [rule] = CONSENT_PROOF_PACK.rules;
    expect((await call("/v1/retention/rules", { method: "POST", key, json: rule })).status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("within the claims period the withdrawn consent's proof is kept; the consent in force is never a record", async () => {
    clock.set("2025-12-31T12:00:00Z");
    const { result } = await run();
    expect(result).toMatchObject({ failed: 0, applied: { delete: 0 } });
    expect(await history(ada)).toHaveLength(2);
  });

  it("after it, the proof is deleted and audited; the decision stays denied and the other subject's consent is untouched", async () => {
    clock.set("2026-01-02T00:00:00Z");
    const { result } = await run();
    expect(result).toMatchObject({ failed: 0, applied: { delete: 1 } });
    expect(await history(ada)).toEqual([]);
    expect(await decision(ada)).toMatchObject({ allowed: false, reason: "never_given" });
    expect(await decision(bob)).toMatchObject({ allowed: true });
    expect(await history(bob)).toHaveLength(1);
    const events = (await (await call("/v1/audit/events?action=consent.history_deleted", { key })).json()) as { events: unknown[] };
    expect(events.events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain("ada@example.com");
    expect((await run()).result.applied.delete).toBe(0);
  });
});
