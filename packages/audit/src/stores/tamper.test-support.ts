/**
 * Shared tamper property test for the SQL stores: build a random log, tamper with the stored rows
 * directly (as an attacker with database access would), and check that verification names the
 * first bad event and the right reason. Test-only (not exported).
 */
import fc from "fast-check";
import { expect } from "vitest";
import { hashLeaf } from "../merkle.js";
import type { AuditStore } from "../store.js";
import { createAuditLogFixture, sampleAuditEvent } from "../testing/index.js";

/** Raw row access to a store's database for one tenant. */
export interface RowTamperer {
  setBytes(tenantId: string, sequence: number, bytes: Buffer, leafHash?: Buffer): Promise<void>;
  deleteRow(tenantId: string, sequence: number): Promise<void>;
  /** Add `delta` to the sequence column of every row with sequence >= from. */
  shift(tenantId: string, from: number, delta: number): Promise<void>;
  insertCopy(tenantId: string, fromSequence: number, atSequence: number, bytes: Buffer, leafHash: Buffer): Promise<void>;
  truncate(tenantId: string, from: number): Promise<void>;
}

type Tamper = "modify" | "modify-with-hash" | "delete" | "delete-renumber" | "insert" | "swap" | "truncate";

let counter = 0;

export async function runTamperProperty(store: AuditStore, db: RowTamperer, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 3, max: 70 }),
      fc.integer({ min: 1, max: 17 }),
      fc.constantFrom<Tamper | "none">("none", "modify", "modify-with-hash", "delete", "delete-renumber", "insert", "swap", "truncate"),
      fc.nat(),
      fc.nat(),
      async (n, batch, tamper, a, b) => {
        const tenantId = `tamper${counter++}x${Date.now().toString(36)}`;
        const { log } = createAuditLogFixture(store, { checkpointEvery: { events: 1 + (b % 20) } });
        for (let i = 0; i < n; i += batch) await log.recordMany(Array.from({ length: Math.min(batch, n - i) }, (_, j) => sampleAuditEvent(tenantId, i + j)));
        await log.checkpoint(tenantId);
        const k = a % (n - 1); // 0..n-2, so k+1 exists
        const rows = await store.readRange(tenantId, 0, n + 1);
        const row = rows[k]!;
        const bytes = Buffer.from(row.bytes);
        const seqAt = bytes.lastIndexOf(',"sequence":');
        let expected: { kind: string; sequence: number } | undefined;
        switch (tamper) {
          case "none":
            break;
          case "modify": {
            const pos = b % seqAt;
            bytes[pos] = bytes[pos]! ^ (1 + (b % 255));
            await db.setBytes(tenantId, k, bytes);
            expected = { kind: "modified", sequence: k };
            break;
          }
          case "modify-with-hash": {
            // rewrite the bytes *and* the stored leaf hash: only the signed checkpoints can tell
            const changed = Buffer.from(bytes.toString("utf8").replace('"outcome":"succeeded"', '"outcome":"denied"'));
            await db.setBytes(tenantId, k, changed, hashLeaf(changed));
            expected = { kind: "checkpoint_mismatch", sequence: -1 };
            break;
          }
          case "delete":
            await db.deleteRow(tenantId, k);
            expected = { kind: "missing", sequence: k };
            break;
          case "delete-renumber":
            await db.deleteRow(tenantId, k);
            await db.shift(tenantId, k + 1, -1);
            expected = { kind: "missing", sequence: k };
            break;
          case "insert": {
            const forged = Buffer.from(bytes.toString("utf8").replace(/"id":"[^"]+"/, '"id":"forged"'));
            await db.shift(tenantId, k, 1);
            await db.insertCopy(tenantId, k + 1, k, forged, hashLeaf(forged));
            expected = { kind: "inserted", sequence: k };
            break;
          }
          case "swap": {
            const other = rows[k + 1]!;
            await db.setBytes(tenantId, k, Buffer.from(other.bytes), Buffer.from(other.leafHash));
            await db.setBytes(tenantId, k + 1, Buffer.from(row.bytes), Buffer.from(row.leafHash));
            expected = { kind: "reordered", sequence: k };
            break;
          }
          case "truncate":
            await db.truncate(tenantId, k + 1);
            expected = { kind: "truncated", sequence: k + 1 };
            break;
        }
        const report = await log.verify(tenantId, { pageSize: 16 });
        if (expected === undefined) {
          expect(report.ok).toBe(true);
          expect(report.eventsChecked).toBe(n);
          return;
        }
        expect(report.ok).toBe(false);
        expect(report.problem?.kind).toBe(expected.kind);
        if (expected.kind === "checkpoint_mismatch") {
          // the first checkpoint at or after k+1 does not match; the report names the last verified size, which is <= k
          expect(report.problem!.sequence).toBeLessThanOrEqual(k);
        } else {
          expect(report.problem?.sequence).toBe(expected.sequence);
        }
      },
    ),
    { numRuns },
  );
}
