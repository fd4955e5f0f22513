import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryAuditStore } from "./stores/memory.js";
import { createAuditLogFixture, sampleAuditEvent } from "./testing/index.js";
import { verifyRows, type VerifiableRow } from "./verify.js";

async function smallLog(n: number) {
  const fixture = createAuditLogFixture(createMemoryAuditStore(), { checkpointEvery: { events: 3 } });
  await fixture.log.recordMany(Array.from({ length: n }, (_, i) => sampleAuditEvent("acme", i)));
  await fixture.log.checkpoint("acme");
  const rows = await fixture.log.store.readRange("acme", 0, n);
  const notes = (await fixture.log.store.listCheckpoints("acme")).map((c) => c.note);
  return { ...fixture, rows, notes };
}

describe("verifyRows", () => {
  it("verifyRows - reports, never throws, for arbitrary damaged rows", async () => {
    const { rows, notes, log } = await smallLog(12);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            sequence: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.constant(Number.NaN)),
            bytes: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...rows.map((r) => r.bytes))),
            leafHash: fc.oneof(fc.constant(undefined), fc.constant(null), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...rows.map((r) => r.leafHash))),
          }),
          { maxLength: 15 },
        ),
        async (garbage) => {
          const report = await verifyRows({ tenantId: "acme", rows: garbage as VerifiableRow[], checkpoints: notes, verifiers: log.verifiers, origin: log.origin("acme") });
          expect(typeof report.ok).toBe("boolean");
          if (!report.ok) expect(report.problem?.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("verifyRows - an untouched log verifies from arrays and from async pages alike", async () => {
    const { rows, notes, log } = await smallLog(20);
    const sync = await verifyRows({ tenantId: "acme", rows, checkpoints: notes, verifiers: log.verifiers });
    async function* pages() {
      await Promise.resolve();
      yield rows.slice(0, 7);
      yield rows.slice(7);
    }
    const paged = await verifyRows({ tenantId: "acme", rows: pages(), checkpoints: notes, verifiers: log.verifiers });
    expect(sync).toMatchObject({ ok: true, eventsChecked: 20, coveredSize: 20 });
    expect(paged).toMatchObject({ ok: true, eventsChecked: 20, coveredSize: 20 });
    expect(Buffer.from(sync.rootHash).equals(Buffer.from(paged.rootHash))).toBe(true);
  });

  it("verifyRows - rows of another tenant are reported as inserted", async () => {
    const a = await smallLog(4);
    const report = await verifyRows({ tenantId: "other", rows: a.rows, checkpoints: [], verifiers: a.log.verifiers });
    expect(report.problem).toMatchObject({ kind: "inserted", sequence: 0 });
  });

  it("verifyRows - checkpoints of another origin are refused", async () => {
    const a = await smallLog(4);
    const report = await verifyRows({ tenantId: "acme", rows: a.rows, checkpoints: a.notes, verifiers: a.log.verifiers, origin: "someone-else/acme" });
    expect(report.problem?.kind).toBe("bad_checkpoint");
  });
});
