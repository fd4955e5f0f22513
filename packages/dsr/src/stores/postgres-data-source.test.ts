import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { createPostgresTableDataSource } from "./postgres.js";

describe("createPostgresTableDataSource", () => {
  let db: TestPgDatabase;
  beforeAll(async () => {
    db = await createTestPgDatabase("dsr_source");
    await db.pool.query(`CREATE TABLE leads (id SERIAL PRIMARY KEY, email TEXT, phone TEXT, company TEXT, score NUMERIC, restricted BOOLEAN NOT NULL DEFAULT false);
      INSERT INTO leads (email, phone, company, score) VALUES ('dan@example.com', '+4930111', 'Acme', 0.5), ('dan@example.com', NULL, 'Beta', 0.9), ('eve@example.com', '+4930222', 'Gamma', 0.1);`);
  });
  afterAll(async () => db?.drop());

  const ctx = { tenantId: "acme", subject: { kind: "email" as const, value: "dan@example.com" }, requestId: "r1", idempotencyKey: "k1", attempt: 1 };

  it("export/restrict/erase - maps columns to categories, restricts with the flag column, erases by null, hash and redaction", async () => {
    const leads = createPostgresTableDataSource({
      pool: db.pool,
      id: "leads",
      table: "leads",
      key: "id",
      subject: { email: "email" },
      columns: {
        email: { category: "contact.email", erase: "hash" },
        phone: { category: "contact.phone", erase: "null" },
        company: { category: "commercial.contract", erase: "redact" },
        score: { category: "behaviour.preferences", provenance: "inferred" },
      },
      restrictionColumn: "restricted",
      hashKey: new Uint8Array(32).fill(5),
    });
    const exported = await leads.export(ctx, { categories: ["contact.phone", "commercial.contract"] });
    expect(exported).toEqual([
      { category: "contact.phone", provenance: "provided", recordId: "1", fields: { phone: "+4930111" } },
      { category: "commercial.contract", provenance: "provided", recordId: "1", fields: { company: "Acme" } },
      { category: "commercial.contract", provenance: "provided", recordId: "2", fields: { company: "Beta" } },
    ]);
    expect(await leads.restrict(ctx, { categories: ["behaviour.preferences"], lift: false })).toEqual({ "behaviour.preferences": 2 });
    expect(await leads.erase(ctx, { categories: ["contact.email", "contact.phone", "commercial.contract"] })).toEqual({
      "contact.email": 2,
      "contact.phone": 2,
      "commercial.contract": 2,
    });
    const { rows } = await db.pool.query<{ email: string; phone: string | null; company: string; score: string; restricted: boolean }>(
      "SELECT email, phone, company, score, restricted FROM leads ORDER BY id",
    );
    expect(rows[0]).toMatchObject({ phone: null, company: "[redacted]", score: "0.5", restricted: true });
    expect(rows[0]?.email).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[2]).toEqual({ email: "eve@example.com", phone: "+4930222", company: "Gamma", score: "0.1", restricted: false });
    expect(await leads.locate(ctx)).toEqual({ found: false, categories: [], records: 0 });
  });

  it("erase - deletes whole rows when every mapped category is erased and a column asks for delete", async () => {
    const leads = createPostgresTableDataSource({
      pool: db.pool,
      id: "leads2",
      table: "leads",
      key: "id",
      subject: { email: "email" },
      columns: { email: { category: "contact.email", erase: "delete" }, phone: { category: "contact.phone", erase: "delete" } },
    });
    const eve = { ...ctx, subject: { kind: "email" as const, value: "eve@example.com" } };
    expect(await leads.rectify(eve, { rectifications: [{ category: "contact.phone", value: "+4930333" }] })).toEqual({ updated: 1 });
    expect(await leads.erase(eve, { categories: ["contact.email", "contact.phone"] })).toEqual({ "contact.email": 1, "contact.phone": 1 });
    const { rows } = await db.pool.query("SELECT id FROM leads WHERE email = 'eve@example.com'");
    expect(rows).toEqual([]);
    await expect(leads.restrict(ctx, { categories: ["contact.email"], lift: false })).rejects.toMatchObject({ code: "INVALID_CONFIGURATION" });
  });
});
