// Test harness shared by the package's own tests (not exported).
import { createManualClock, createMemoryAuditSink, createPseudonymizer, createUuidV7Generator, type SubjectRef } from "@lawful/core";
import type { DataSource, ExportedRecord } from "../data-source.js";
import type { Recipient, RetentionExemption } from "../ports.js";
import { createDsrService, type DsrServiceOptions } from "../service.js";
import { createMemoryDsrStore } from "../stores/memory.js";

export const KEY = new Uint8Array(32).fill(3);

export function createHarness(start: string, overrides: Partial<DsrServiceOptions> = {}) {
  const clock = createManualClock(start);
  const audit = createMemoryAuditSink();
  const store = overrides.store ?? createMemoryDsrStore();
  const suppressed: { tenantId: string; subject: SubjectRef; reason: string }[] = [];
  const objections: { kind: string; requestId: string }[] = [];
  const shredded: string[] = [];
  const holds = new Map<string, RetentionExemption[]>();
  const dsr = createDsrService({
    store,
    audit,
    clock,
    ids: createUuidV7Generator({ clock }),
    pseudonymizer: createPseudonymizer({ key: new Uint8Array(32).fill(1) }),
    verificationKey: KEY,
    suppression: { suppress: (tenantId, subject, reason) => Promise.resolve(void suppressed.push({ tenantId, subject, reason })) },
    objections: { record: (i) => Promise.resolve(void objections.push({ kind: i.kind, requestId: i.requestId })) },
    shredder: { shred: (_t, p) => Promise.resolve(void shredded.push(p)) },
    exemptions: { exemptionsFor: (_t, _s, category) => Promise.resolve(holds.get(category) ?? []) },
    taskBackoffMs: 1000,
    ...overrides,
  });
  return { clock, audit, store, dsr, suppressed, objections, shredded, holds };
}

/** A data source over an in-memory map of category → records, counting calls. */
export function createMapDataSource(id: string, data: Record<string, ExportedRecord[]>, options: { failTimes?: number } = {}) {
  let failures = options.failTimes ?? 0;
  const restricted = new Set<string>();
  const calls: string[] = [];
  const source: DataSource & { data: typeof data; restricted: Set<string>; calls: string[] } = {
    id,
    categories: Object.keys(data),
    data,
    restricted,
    calls,
    locate: () => Promise.resolve({ found: true, categories: Object.keys(data).filter((c) => (data[c] ?? []).length > 0), records: 1 }),
    export: (_ctx, o) => {
      calls.push("export");
      if (failures > 0) {
        failures--;
        return Promise.reject(new Error("source temporarily down"));
      }
      return Promise.resolve(Object.entries(data).filter(([c]) => !o.categories || o.categories.includes(c)).flatMap(([, r]) => r));
    },
    rectify: (_ctx, o) => {
      calls.push("rectify");
      for (const r of o.rectifications) for (const rec of data[r.category] ?? []) rec.fields[r.field ?? "value"] = r.value;
      return Promise.resolve({ updated: o.rectifications.length });
    },
    erase: (_ctx, o) => {
      calls.push("erase");
      const out: Record<string, number> = {};
      for (const c of o.categories) {
        out[c] = (data[c] ?? []).length;
        data[c] = [];
      }
      return Promise.resolve(out);
    },
    restrict: (_ctx, o) => {
      calls.push(o.lift ? "lift" : "restrict");
      const out: Record<string, number> = {};
      for (const c of o.categories) {
        if (o.lift) restricted.delete(c);
        else restricted.add(c);
        out[c] = (data[c] ?? []).length;
      }
      return Promise.resolve(out);
    },
  };
  return source;
}

export function recipient(id: string, channel: Recipient["channel"] = "manual"): Recipient {
  return { id, name: `Recipient ${id}`, channel, categories: ["contact.email"] };
}
