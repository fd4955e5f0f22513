import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createSqliteAuditStore } from "./sqlite.js";
import { runTamperProperty, type RowTamperer } from "./tamper.test-support.js";

let file: TestSqliteFile;
let db: ReturnType<TestSqliteFile["open"]>;
beforeAll(() => {
  file = createTestSqliteFile("tamper.db");
  db = file.open();
  configureSqlite(db);
});
afterAll(() => file.cleanup());

describe("SQLite tamper detection", () => {
  it("verify - names the first bad event for random tampering of the rows in a SQLite file, and never flags an untouched log", async () => {
    // a second connection plays the attacker, writing to the file directly
    const attacker = file.open();
    const tamperer: RowTamperer = {
      setBytes: (t, seq, bytes, leafHash) => {
        if (leafHash) attacker.prepare("UPDATE audit_events SET bytes = ?, leaf_hash = ? WHERE tenant_id = ? AND sequence = ?").run(bytes, leafHash, t, seq);
        else attacker.prepare("UPDATE audit_events SET bytes = ? WHERE tenant_id = ? AND sequence = ?").run(bytes, t, seq);
        return Promise.resolve();
      },
      deleteRow: (t, seq) => {
        attacker.prepare("DELETE FROM audit_events WHERE tenant_id = ? AND sequence = ?").run(t, seq);
        return Promise.resolve();
      },
      shift: (t, from, delta) => {
        // two steps so the primary key never collides
        attacker.prepare("UPDATE audit_events SET sequence = -sequence - 1000000 WHERE tenant_id = ? AND sequence >= ?").run(t, from);
        attacker.prepare("UPDATE audit_events SET sequence = -(sequence + 1000000) + ? WHERE tenant_id = ? AND sequence < 0").run(delta, t);
        return Promise.resolve();
      },
      insertCopy: (t, fromSeq, atSeq, bytes, leafHash) => {
        attacker
          .prepare(
            "INSERT INTO audit_events SELECT tenant_id, ?, 'forged', ?, ?, occurred_at, action, actor_type, actor_id, subject, target_system, target_record_type, target_record_id FROM audit_events WHERE tenant_id = ? AND sequence = ?",
          )
          .run(atSeq, bytes, leafHash, t, fromSeq);
        return Promise.resolve();
      },
      truncate: (t, from) => {
        attacker.prepare("DELETE FROM audit_events WHERE tenant_id = ? AND sequence >= ?").run(t, from);
        return Promise.resolve();
      },
    };
    await runTamperProperty(createSqliteAuditStore({ database: db }), tamperer, 60);
  });
});
