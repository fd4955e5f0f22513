import { afterAll, describe, expect, it } from "vitest";
import { configureSqlite, createKeyring, createManualClock, createMemoryAuditSink, createPseudonymizer, createUuidV7Generator, type AuditSink, type SubjectRef } from "@lawful/core";
import { createAuditLog, generateCheckpointKey } from "@lawful/audit";
import { createSqliteAuditStore, createSqliteKeyStore } from "@lawful/audit/sqlite";
import { createTestSqliteFile } from "@lawful/testkit";
import { createDsrService } from "./service.js";
import { createSqliteDsrStore, createSqliteTableDataSource } from "./stores/sqlite.js";
import type { ErasureResult } from "./results.js";
import type { RetentionExemption } from "./ports.js";

const file = createTestSqliteFile("crm.db");
afterAll(() => file.cleanup());

describe("erasure end to end over the SQLite table data source", () => {
  it("erasure - a legal hold on one category keeps it intact and restricted, the rest is gone, the subject suppressed, every step audited", async () => {
    const db = file.open();
    configureSqlite(db);
    db.exec(`
      CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT, phone TEXT, restricted INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_email TEXT, amount_cents INTEGER, invoice_no TEXT, note TEXT, restricted INTEGER NOT NULL DEFAULT 0);
      INSERT INTO contacts (email, name, phone) VALUES ('alice@example.com', 'Alice', '+4930123456'), ('bob@example.com', 'Bob', '+4930999999');
      INSERT INTO orders (customer_email, amount_cents, invoice_no, note) VALUES
        ('alice@example.com', 1999, 'INV-1', 'gift wrap'), ('alice@example.com', 4999, 'INV-2', NULL), ('bob@example.com', 100, 'INV-3', 'x');
    `);
    const hashKey = new Uint8Array(32).fill(9);
    const contacts = createSqliteTableDataSource({
      database: db,
      id: "crm.contacts",
      table: "contacts",
      key: "id",
      subject: { email: "email" },
      columns: {
        email: { category: "contact.email", erase: "delete" },
        name: { category: "identity.name", erase: "delete" },
        phone: { category: "contact.phone", erase: "delete" },
      },
      restrictionColumn: "restricted",
    });
    const orders = createSqliteTableDataSource({
      database: db,
      id: "shop.orders",
      table: "orders",
      key: "id",
      subject: { email: "customer_email" },
      columns: {
        customer_email: { category: "contact.email", erase: "hash" },
        amount_cents: { category: "financial.transactions" },
        invoice_no: { category: "financial.transactions" },
        note: { category: "commercial.correspondence", erase: "redact" },
      },
      restrictionColumn: "restricted",
      hashKey,
    });
    const clock = createManualClock("2025-03-05T10:00:00Z");
    const memory = createMemoryAuditSink();
    // the real tamper-evident log on the same SQLite file, next to a collecting sink for the assertions
    const keyring = createKeyring({ store: createSqliteKeyStore({ database: db }), keks: [{ id: "k1", key: new Uint8Array(32).fill(3) }], currentKekId: "k1", clock });
    const log = createAuditLog({
      store: createSqliteAuditStore({ database: db }),
      keyring,
      pseudonymizer: createPseudonymizer({ key: new Uint8Array(32).fill(1) }),
      signer: generateCheckpointKey("test/audit").signer,
      clock,
    });
    const audit: AuditSink & { events: typeof memory.events } = {
      events: memory.events,
      record: async (e) => {
        await memory.record(e);
        return log.record(e);
      },
      recordMany: async (es) => {
        await memory.recordMany(es);
        return log.recordMany(es);
      },
    };
    const suppression: { tenantId: string; subject: SubjectRef; reason: string }[] = [];
    const shredded: string[] = [];
    const hold: RetentionExemption = { kind: "legal_hold", ruleId: "hold-2025-17", citation: "Litigation hold, case 2025-17", until: new Date("2027-01-01T00:00:00Z") };
    const statutory: RetentionExemption = { kind: "statutory", ruleId: "de-hgb-257", citation: "HGB §257: invoices 8 years" };
    const dsr = createDsrService({
      store: createSqliteDsrStore({ database: db }),
      audit,
      clock,
      ids: createUuidV7Generator({ clock }),
      pseudonymizer: createPseudonymizer({ key: new Uint8Array(32).fill(1) }),
      dataSources: [contacts, orders],
      exemptions: { exemptionsFor: (_t, _s, category) => Promise.resolve(category === "financial.transactions" ? [hold, statutory] : []) },
      suppression: { suppress: (tenantId, subject, reason) => Promise.resolve(void suppression.push({ tenantId, subject, reason })) },
      shredder: {
        shred: async (tenantId, pseudonym) => {
          shredded.push(pseudonym);
          await keyring.shred(tenantId, pseudonym);
        },
      },
    });

    const { request } = await dsr.submit({
      tenantId: "acme",
      type: "erasure",
      regime: "EU",
      subject: { kind: "email", value: "Alice@Example.com" },
      channel: "email",
      timeZone: "Europe/Berlin",
      calendarId: "DE",
    });
    await dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e-mail and phone on file"], reviewer: "u_ops" });
    await dsr.start("acme", request.id, { type: "staff", id: "u_ops" });
    const report = await dsr.work({ workerId: "worker-1" });
    expect(report).toMatchObject({ claimed: 2, completed: 2, finalized: [request.id] });

    // the rest is gone
    expect(db.prepare("SELECT email FROM contacts ORDER BY id").all()).toEqual([{ email: "bob@example.com" }]);
    // held data intact and restricted; the identifier hashed, free text redacted
    const rows = db.prepare("SELECT customer_email, amount_cents, invoice_no, note, restricted FROM orders ORDER BY id").all() as Record<string, unknown>[];
    expect(rows.slice(0, 2).map((r) => [r.amount_cents, r.invoice_no, r.restricted])).toEqual([
      [1999, "INV-1", 1],
      [4999, "INV-2", 1],
    ]);
    expect(rows[0]?.customer_email).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.note).toBe("[redacted]");
    expect(rows[1]?.note).toBeNull();
    expect(rows[2]).toEqual({ customer_email: "bob@example.com", amount_cents: 100, invoice_no: "INV-3", note: "x", restricted: 0 });

    const done = await dsr.get("acme", request.id);
    expect(done.state).toBe("partially_completed");
    const result = done.outcome?.result as ErasureResult;
    expect(result.categories.map((c) => [c.category, c.outcome, c.records])).toEqual([
      ["commercial.correspondence", "erased", 2],
      ["contact.email", "erased", 3],
      ["contact.phone", "erased", 1],
      ["financial.transactions", "kept_restricted", 2],
      ["identity.name", "erased", 1],
    ]);
    const kept = result.categories.find((c) => c.category === "financial.transactions");
    expect(kept?.exemptions).toEqual([
      { kind: "legal_hold", ruleId: "hold-2025-17", citation: "Litigation hold, case 2025-17", until: "2027-01-01T00:00:00.000Z", article: "GDPR Art. 17(3)(e)" },
      { kind: "statutory", ruleId: "de-hgb-257", citation: "HGB §257: invoices 8 years", article: "GDPR Art. 17(3)(b)" },
    ]);
    expect(result).toMatchObject({ keyShredded: true, suppressed: true, failedSources: [] });
    expect(suppression).toEqual([{ tenantId: "acme", subject: { kind: "email", value: "alice@example.com" }, reason: "erasure" }]);
    expect(shredded).toEqual([request.subjectKey]);

    const actions = audit.events.map((e) => e.action);
    expect(actions.filter((a) => a === "data.deleted")).toHaveLength(2);
    expect(actions).toContain("keyring.shredded");
    expect(audit.events.filter((e) => e.action === "request.transitioned").map((e) => e.details?.to)).toEqual([
      "received",
      "verified",
      "in_progress",
      "partially_completed",
    ]);
    expect(audit.events.every((e) => e.subjectPseudonym === request.subjectKey)).toBe(true);
    expect(JSON.stringify(audit.events)).not.toMatch(/alice@example\.com/i);
    // the audit log still verifies after the erasure shredded the subject's key
    await log.checkpoint("acme");
    const verification = await log.verify("acme");
    expect(verification.ok).toBe(true);
    expect(verification.eventsChecked).toBe(audit.events.length);

    // running the same erasure again changes nothing (idempotent sources)
    expect(await orders.erase({ tenantId: "acme", subject: { kind: "email", value: "alice@example.com" }, requestId: request.id, idempotencyKey: "x", attempt: 2 }, { categories: ["contact.email"] })).toEqual({
      "contact.email": 0,
    });
  });

  it("createSqliteTableDataSource - exports by category and provenance, rectifies, restricts and lifts", async () => {
    const db = file.open();
    configureSqlite(db);
    db.exec(`CREATE TABLE people (pk TEXT PRIMARY KEY, email TEXT, city TEXT, score REAL, restricted INTEGER NOT NULL DEFAULT 0);
      INSERT INTO people VALUES ('p1', 'carol@example.com', 'Bonn', 0.8, 0);`);
    const people = createSqliteTableDataSource({
      database: db,
      id: "people",
      table: "people",
      key: "pk",
      subject: { email: "email" },
      columns: { email: { category: "contact.email" }, city: { category: "contact.postal" }, score: { category: "behaviour.preferences", provenance: "inferred" } },
      restrictionColumn: "restricted",
    });
    const ctx = { tenantId: "acme", subject: { kind: "email" as const, value: "carol@example.com" }, requestId: "r", idempotencyKey: "k", attempt: 1 };
    expect(await people.locate(ctx)).toEqual({ found: true, categories: ["behaviour.preferences", "contact.email", "contact.postal"], records: 1 });
    expect(await people.export(ctx, {})).toEqual([
      { category: "contact.email", provenance: "provided", recordId: "p1", fields: { email: "carol@example.com" } },
      { category: "contact.postal", provenance: "provided", recordId: "p1", fields: { city: "Bonn" } },
      { category: "behaviour.preferences", provenance: "inferred", recordId: "p1", fields: { score: 0.8 } },
    ]);
    expect(await people.rectify(ctx, { rectifications: [{ category: "contact.postal", value: "Köln" }] })).toEqual({ updated: 1 });
    expect(await people.restrict(ctx, { categories: ["contact.postal"], lift: false })).toEqual({ "contact.postal": 1 });
    expect(db.prepare("SELECT city, restricted FROM people").get()).toEqual({ city: "Köln", restricted: 1 });
    await people.restrict(ctx, { categories: ["contact.postal"], lift: true });
    expect(db.prepare("SELECT restricted FROM people").get()).toEqual({ restricted: 0 });
    expect(await people.export({ ...ctx, subject: { kind: "phone", value: "+4930123456" } }, {})).toEqual([]);
    expect(() => createSqliteTableDataSource({ database: db, id: "x", table: "bad name", key: "id", subject: {}, columns: { "a;b": { category: "contact.email", erase: "hash" } } })).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error,
    );
  });
});
