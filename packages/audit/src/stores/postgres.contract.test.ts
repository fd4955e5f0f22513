import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateCheckpointKey } from "../checkpoint.js";
import { createAuditLogFixture, describeAuditStoreContract, describeKeyStoreContract, sampleAuditEvent } from "../testing/index.js";
import { createPostgresAuditStore, createPostgresKeyStore } from "./postgres.js";
import { runTamperProperty, type RowTamperer } from "./tamper.test-support.js";

let pg: TestPgDatabase;
beforeAll(async () => {
  pg = await createTestPgDatabase("audit");
});
afterAll(async () => {
  await pg.drop();
});

describeAuditStoreContract({
  name: "postgres",
  create: () => createPostgresAuditStore({ pool: pg.pool }),
  additionalTests: () => {
    it("append - several pools appending to one tenant at once leave no gaps, forks or duplicates", async () => {
      const tenant = `conc${Date.now().toString(36)}`;
      const pools = [pg.newPool(4), pg.newPool(4), pg.newPool(4)];
      // each pool plays a separate server process with its own log instance
      const { signer } = generateCheckpointKey("lawful.test/audit");
      const logs = pools.map((pool) => createAuditLogFixture(createPostgresAuditStore({ pool }), { checkpointEvery: { events: 13 }, signer }).log);
      const receipts = await Promise.all(
        logs.flatMap((log, p) =>
          Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? log.recordMany([sampleAuditEvent(tenant, p * 100 + i), sampleAuditEvent(tenant, p * 100 + i + 50)]) : log.record(sampleAuditEvent(tenant, p * 100 + i)))),
        ),
      );
      const seqs = receipts.flatMap((r) => (Array.isArray(r) ? r.map((x) => x.sequence) : [r.sequence])).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
      const store = createPostgresAuditStore({ pool: pg.pool });
      expect(await store.size(tenant)).toBe(seqs.length);
      const rows = await store.readRange(tenant, 0, 1000);
      expect(rows.map((r) => r.sequence)).toEqual(seqs);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      // the checkpoints every pool wrote verify against the one shared tree
      expect((await store.listCheckpoints(tenant)).length).toBeGreaterThan(1);
      await logs[0]!.checkpoint(tenant);
      const report = await createAuditLogFixture(store, { signer }).log.verify(tenant);
      expect(report.problem).toBeUndefined();
      expect(report).toMatchObject({ ok: true, eventsChecked: seqs.length, coveredSize: seqs.length });
    });

    it("verify - names the first bad event for random tampering of PostgreSQL rows", async () => {
      const q = (sql: string, params: unknown[]) => pg.pool.query(sql, params).then(() => undefined);
      const tamperer: RowTamperer = {
        setBytes: (t, seq, bytes, leafHash) =>
          leafHash
            ? q("UPDATE audit_events SET bytes = $1, leaf_hash = $2 WHERE tenant_id = $3 AND sequence = $4", [bytes, leafHash, t, seq])
            : q("UPDATE audit_events SET bytes = $1 WHERE tenant_id = $2 AND sequence = $3", [bytes, t, seq]),
        deleteRow: (t, seq) => q("DELETE FROM audit_events WHERE tenant_id = $1 AND sequence = $2", [t, seq]),
        shift: async (t, from, delta) => {
          await q("UPDATE audit_events SET sequence = -sequence - 1000000 WHERE tenant_id = $1 AND sequence >= $2", [t, from]);
          await q("UPDATE audit_events SET sequence = -(sequence + 1000000) + $1 WHERE tenant_id = $2 AND sequence < 0", [delta, t]);
        },
        insertCopy: (t, fromSeq, atSeq, bytes, leafHash) =>
          q(
            "INSERT INTO audit_events SELECT tenant_id, $1, 'forged', $2, $3, occurred_at, action, actor_type, actor_id, subject, target_system, target_record_type, target_record_id FROM audit_events WHERE tenant_id = $4 AND sequence = $5",
            [atSeq, bytes, leafHash, t, fromSeq],
          ),
        truncate: (t, from) => q("DELETE FROM audit_events WHERE tenant_id = $1 AND sequence >= $2", [t, from]),
      };
      await runTamperProperty(createPostgresAuditStore({ pool: pg.pool }), tamperer, 30);
    });
  },
});
describeKeyStoreContract({ name: "postgres", create: () => createPostgresKeyStore({ pool: pg.pool }) });
