import { describe, expect, it } from "vitest";
import { createMemoryAuditSink } from "@lawful/core";
import { applyRetention, type RetentionCheckpointStore } from "./executor.js";
import type { RetentionRecord } from "./record.js";
import type { RetentionRuleInput } from "./rules.js";
import { createMemoryRetentionStore } from "./stores/memory.js";
import { evaluateStream, planRetention } from "./stream.js";

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const now = d("2026-01-01");
const rules: RetentionRuleInput[] = [
  { id: "leads-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"] } },
  { id: "contacts-anon-3y", title: "Closed accounts", kind: "maximum", action: "anonymise", duration: "P3Y", trigger: { type: "accountClosed" }, selectors: { recordTypes: ["contact"] } },
  { id: "invoices-8y", title: "Invoices", kind: "minimum", action: "delete", duration: "P8Y", trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["invoice"] } },
];
const holds = [{ id: "hold-1", matter: "Claim", scope: { subjectIds: ["held"] }, issuedBy: "legal", issuedAt: "2025-01-01T00:00:00Z" }];

function* records(n: number): Generator<RetentionRecord> {
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (kind === 0) yield { id: `lead-${i}`, recordType: "lead", createdAt: d("2020-01-01"), lastActivityAt: d(i % 8 === 0 ? "2021-01-01" : "2025-06-01") };
    else if (kind === 1) yield { id: `contact-${i}`, recordType: "contact", createdAt: d("2019-01-01"), accountClosedAt: d("2022-01-01"), subjectId: i % 8 === 1 ? "held" : "free" };
    else if (kind === 2) yield { id: `inv-${i}`, recordType: "invoice", createdAt: d(i % 8 === 2 ? "2016-05-01" : "2025-03-15") };
    else yield { id: `note-${i}`, recordType: "note", createdAt: d("2020-01-01") };
  }
}

async function* asyncRecords(n: number): AsyncGenerator<RetentionRecord> {
  for (const r of records(n)) {
    if (r.id.endsWith("0")) await Promise.resolve();
    yield r;
  }
}

describe("evaluateStream", () => {
  it("yields every record with its decision and reports progress", async () => {
    const progress: number[] = [];
    const seen: string[] = [];
    const gen = evaluateStream(asyncRecords(20), { rules, holds, now, progressEvery: 8, onProgress: (p) => progress.push(p.processed) });
    for await (const { record, decision } of gen) {
      expect(decision.recordId).toBe(record.id);
      seen.push(decision.outcome);
    }
    expect(seen).toHaveLength(20);
    expect(progress).toEqual([8, 16, 20]);
  });

  it("stops when the signal is aborted", async () => {
    const ctrl = new AbortController();
    const run = async () => {
      let n = 0;
      for await (const _ of evaluateStream(asyncRecords(100), { rules, now, signal: ctrl.signal })) if (++n === 5) ctrl.abort(new Error("stop"));
    };
    await expect(run()).rejects.toThrow("stop");
  });
});

describe("planRetention", () => {
  it("counts per outcome, reason, rule and hold and finds the earliest next expiry", async () => {
    const plan = await planRetention(asyncRecords(16), { rules, holds, now });
    expect(plan.records).toBe(16);
    expect(plan.byOutcome).toEqual({ hold: 2, keep: 8, delete: 4, anonymise: 2, archive: 0, review: 0 });
    expect(plan.byRule["leads-2y"]).toEqual({ matched: 4, decided: 4, byOutcome: { delete: 2, keep: 2 } });
    expect(plan.byRule["contacts-anon-3y"]).toEqual({ matched: 4, decided: 2, byOutcome: { anonymise: 2 } });
    expect(plan.byRule["invoices-8y"]).toEqual({ matched: 4, decided: 4, byOutcome: { delete: 2, keep: 2 } });
    expect(plan.byHold).toEqual({ "hold-1": 2 });
    expect(plan.byReason["no-matching-rule"]).toBe(4);
    expect(plan.earliestNextExpiry).toEqual({ at: d("2027-06-01"), ruleId: "leads-2y", action: "delete" });
  });

  it("accepts plain iterables", async () => {
    const plan = await planRetention(records(4), { rules, now });
    expect(plan.records).toBe(4);
  });

  it("counts exactly what evaluateStream decides, for plain and async sources", async () => {
    const expected = { byOutcome: {} as Record<string, number>, byReason: {} as Record<string, number>, matched: {} as Record<string, number>, held: 0 };
    for await (const { decision } of evaluateStream(records(40), { rules, holds, now })) {
      expected.byOutcome[decision.outcome] = (expected.byOutcome[decision.outcome] ?? 0) + 1;
      expected.byReason[decision.reason] = (expected.byReason[decision.reason] ?? 0) + 1;
      for (const m of decision.matches) expected.matched[m.ruleId] = (expected.matched[m.ruleId] ?? 0) + 1;
      expected.held += decision.holdIds.length;
    }
    for (const plan of [await planRetention(records(40), { rules, holds, now }), await planRetention(asyncRecords(40), { rules, holds, now })]) {
      for (const [outcome, n] of Object.entries(expected.byOutcome)) expect(plan.byOutcome[outcome as keyof typeof plan.byOutcome]).toBe(n);
      expect(plan.byReason).toEqual(expected.byReason);
      for (const [ruleId, n] of Object.entries(expected.matched)) expect(plan.byRule[ruleId]?.matched).toBe(n);
      expect(plan.byHold["hold-1"]).toBe(expected.held);
    }
  });

  it("stops a plain-iterable run when the signal is aborted", async () => {
    const ctrl = new AbortController();
    ctrl.abort(new Error("stop"));
    await expect(planRetention(records(10), { rules, now, signal: ctrl.signal })).rejects.toThrow("stop");
  });
});

describe("applyRetention", () => {
  it("calls the handlers, audits every action and never touches held or kept records", async () => {
    const audit = createMemoryAuditSink();
    const calls: string[] = [];
    const result = await applyRetention({
      source: asyncRecords(16),
      rules,
      holds,
      now,
      tenantId: "acme",
      audit,
      runId: "run-1",
      handlers: {
        delete: (r, c) => void calls.push(`delete ${r.id} ${c.ruleId}`),
        anonymise: (r) => void calls.push(`anonymise ${r.id}`),
      },
    });
    expect(result).toMatchObject({ runId: "run-1", processed: 16, applied: { delete: 4, anonymise: 2, archive: 0, review: 0 }, failed: 0, skippedAlreadyDone: 0 });
    expect(calls).toContain("delete lead-0 leads-2y");
    expect(calls).toContain("delete inv-2 invoices-8y");
    expect(calls).not.toContain("anonymise contact-1"); // held
    expect(calls).not.toContain("anonymise contact-9"); // held
    expect(calls).toContain("anonymise contact-5");
    const actions = audit.events.map((e) => e.action);
    expect(actions[0]).toBe("retention.run_started");
    expect(actions.at(-1)).toBe("retention.run_completed");
    expect(actions.filter((a) => a === "retention.deleted")).toHaveLength(4);
    expect(actions.filter((a) => a === "retention.anonymised")).toHaveLength(2);
    const ev = audit.events.find((e) => e.action === "retention.deleted")!;
    expect(ev.target).toEqual({ system: "unknown", recordType: "lead", recordId: "lead-0" });
    expect(ev.details).toMatchObject({ ruleId: "leads-2y", runId: "run-1", idempotencyKey: "delete|leads-2y|lead-0" });
    expect(ev.correlationId).toBe("run-1");
  });

  it("is safe to re-run after a crash: finished actions are skipped, the one in flight is repeated", async () => {
    const store = createMemoryRetentionStore();
    let marks = 0;
    const crashing: RetentionCheckpointStore = {
      isDone: (t, k) => store.isDone(t, k),
      markDone: async (t, c) => {
        if (++marks === 3) throw new Error("process killed");
        await store.markDone(t, c);
      },
    };
    const handled: string[] = [];
    const base = { rules, holds, now, tenantId: "acme", handlers: { delete: (r: RetentionRecord) => void handled.push(r.id), anonymise: (r: RetentionRecord) => void handled.push(r.id) } };
    await expect(applyRetention({ ...base, source: asyncRecords(16), audit: createMemoryAuditSink(), checkpointStore: crashing })).rejects.toThrow("process killed");
    expect(handled).toHaveLength(3);
    const second = await applyRetention({ ...base, source: asyncRecords(16), audit: createMemoryAuditSink(), checkpointStore: store });
    expect(second.skippedAlreadyDone).toBe(2);
    expect(second.applied.delete + second.applied.anonymise).toBe(4);
    // the third action (handler ran, checkpoint lost) was repeated once; nothing else twice
    const counts = new Map<string, number>();
    for (const id of handled) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n === 2)).toHaveLength(1);
    expect(counts.size).toBe(6);
    const third = await applyRetention({ ...base, source: asyncRecords(16), audit: createMemoryAuditSink(), checkpointStore: store });
    expect(third.skippedAlreadyDone).toBe(6);
    expect(third.applied).toEqual({ delete: 0, anonymise: 0, archive: 0, review: 0 });
  });

  it("audits failing handlers, does not checkpoint them and retries on the next run", async () => {
    const store = createMemoryRetentionStore();
    const audit = createMemoryAuditSink();
    let fail = true;
    const handlers = {
      delete: () => {
        if (fail) throw new Error("db down");
      },
    };
    const r1 = await applyRetention({ source: records(16), rules, now, tenantId: "acme", audit, handlers, checkpointStore: store });
    expect(r1.failed).toBe(4);
    expect(r1.skippedNoHandler.anonymise).toBe(4);
    expect(audit.events.filter((e) => e.outcome === "failed" && e.action === "retention.deleted")).toHaveLength(4);
    fail = false;
    const r2 = await applyRetention({ source: records(16), rules, now, tenantId: "acme", audit, handlers, checkpointStore: store });
    expect(r2.applied.delete).toBe(4);
    await expect(
      applyRetention({ source: records(16), rules, now: d("2040-01-01"), tenantId: "acme", audit, handlers: { delete: () => Promise.reject(new Error("x")) }, stopOnError: true }),
    ).rejects.toMatchObject({ code: "STORE_FAILED" });
  });

  it("rejects invalid options with every bad field", async () => {
    await expect(
      applyRetention({ source: [], rules, now, tenantId: "bad tenant!", audit: {} as never, handlers: { delete: 5 as never } }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", issues: expect.arrayContaining([expect.objectContaining({ path: ["tenantId"] }), expect.objectContaining({ path: ["audit"] })]) });
  });
});
