import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { configureSqlite, createMemoryAuditSink } from "@lawful/core";
import type { AccessResult, ErasureResult } from "@lawful/dsr";
import { createContactsDataSource, listMarketableContacts } from "./contacts-source.js";
import { createCrmDsr, runRequest } from "./requests.js";
import { seedContacts } from "./seed.js";

const dir = mkdtempSync(join(tmpdir(), "lawful-crm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openCrm() {
  const db = new Database(join(dir, `crm-${Math.random().toString(36).slice(2)}.db`));
  configureSqlite(db);
  seedContacts(db);
  return db;
}

const ctx = (value: string, kind: "email" | "customer_id" = "email") => ({
  tenantId: "nordlicht",
  subject: { kind, value },
  requestId: "r-test",
  idempotencyKey: "r-test:crm.contacts",
  attempt: 1,
});

describe("example: a CRM DataSource over a SQLite contacts table", () => {
  it("access - the request completes with every category of the contact, its provenance and the Art. 15 sections", async () => {
    const db = openCrm();
    const audit = createMemoryAuditSink();
    const { dsr } = createCrmDsr({ database: db, audit });
    const done = await runRequest(dsr, { type: "access", subject: { kind: "email", value: " Jana.Weber@Example.COM " } });

    expect(done.state).toBe("completed");
    expect(done.deadlines.respondByDate).toBe("2026-04-02"); // one month after receipt (DOMAIN.md A1, A2)
    const result = done.outcome?.result as AccessResult;
    expect(result.confirmation).toBe(true);
    expect(result.data.map((r) => [r.category, r.provenance, r.recordId])).toEqual([
      ["behaviour.lead_score", "inferred", "c-1001"],
      ["behaviour.web_activity", "observed", "c-1001"],
      ["commercial.correspondence", "provided", "c-1001"],
      ["contact.email", "provided", "c-1001"],
      ["contact.phone", "provided", "c-1001"],
      ["contact.postal", "provided", "c-1001"],
      ["identity.name", "provided", "c-1001"],
    ]);
    expect(result.data.find((r) => r.category === "contact.postal")?.fields).toEqual({ street: "Hafenstraße 12", postcode: "20457", city: "Hamburg", country: "DE" });
    expect(result.data.every((r) => r.sourceId === "crm.contacts")).toBe(true);
    expect(result.sections.rights).toContain("Right to erasure (Art. 17)");
    expect(result.sections.complaintRight).toMatch(/Art\. 77/);
    expect(result.sources).toEqual([{ sourceId: "crm.contacts", status: "ok" }]);
    // the audit trail names the pseudonym, never the address
    expect(audit.events.map((e) => e.action)).toContain("data.accessed");
    expect(JSON.stringify(audit.events)).not.toMatch(/jana\.weber/i);
  });

  it("access - a person the CRM does not know gets a confirmation that no data are processed", async () => {
    const db = openCrm();
    const { dsr } = createCrmDsr({ database: db });
    const done = await runRequest(dsr, { type: "access", subject: { kind: "email", value: "nobody@example.com" } });
    expect(done.state).toBe("completed");
    const result = done.outcome?.result as AccessResult;
    expect(result.confirmation).toBe(false);
    expect(result.data).toEqual([]);
  });

  it("erasure - without a hold the contact row is deleted, the others are untouched, and the person is suppressed", async () => {
    const db = openCrm();
    const audit = createMemoryAuditSink();
    const { dsr, suppressed } = createCrmDsr({ database: db, audit });
    const done = await runRequest(dsr, { type: "erasure", subject: { kind: "email", value: "tom.berger@example.com" } });

    expect(done.state).toBe("completed");
    const result = done.outcome?.result as ErasureResult;
    expect(result.categories.map((c) => [c.category, c.outcome, c.records])).toEqual([
      ["behaviour.lead_score", "not_found", 0],
      ["behaviour.web_activity", "erased", 1],
      ["commercial.correspondence", "not_found", 0],
      ["contact.email", "erased", 1],
      ["contact.phone", "not_found", 0],
      ["contact.postal", "erased", 1],
      ["identity.name", "erased", 1],
    ]);
    expect(result.failedSources).toEqual([]);
    expect(suppressed).toEqual([{ kind: "email", value: "tom.berger@example.com" }]);
    expect(db.prepare("SELECT id FROM contacts ORDER BY id").all()).toEqual([{ id: "c-1001" }, { id: "c-1003" }]);
    expect(audit.events.filter((e) => e.action === "data.deleted")).toHaveLength(1);
    expect(JSON.stringify(audit.events)).not.toMatch(/tom\.berger/i);
  });

  it("erasure - correspondence under a legal hold is kept and restricted, the rest is erased, the request is partially completed", async () => {
    const db = openCrm();
    const hold = { kind: "legal_hold" as const, ruleId: "hold-2026-03", citation: "Dispute over invoice 2025-114", until: new Date("2027-03-31T00:00:00Z") };
    const { dsr } = createCrmDsr({ database: db, holds: [{ contactEmail: "jana.weber@example.com", hold }] });
    const done = await runRequest(dsr, { type: "erasure", subject: { kind: "email", value: "jana.weber@example.com" } });

    expect(done.state).toBe("partially_completed");
    const result = done.outcome?.result as ErasureResult;
    const kept = result.categories.find((c) => c.category === "commercial.correspondence");
    expect(kept).toMatchObject({ outcome: "kept_restricted", records: 1 });
    expect(kept?.exemptions).toEqual([{ ...hold, until: "2027-03-31T00:00:00.000Z", article: "GDPR Art. 17(3)(e)" }]);
    expect(result.categories.filter((c) => c.outcome === "erased").map((c) => c.category)).toEqual([
      "behaviour.lead_score",
      "behaviour.web_activity",
      "contact.email",
      "contact.phone",
      "contact.postal",
      "identity.name",
    ]);
    // only the held notes remain, marked restricted; the contact no longer appears in marketing queries
    expect(db.prepare("SELECT * FROM contacts WHERE id = 'c-1001'").get()).toMatchObject({
      email: null,
      name: null,
      phone: null,
      city: null,
      lead_score: null,
      notes: "Disputes invoice 2025-114; wants a call back.",
    });
    expect(db.prepare("SELECT contact_id, category FROM contact_restrictions").all()).toEqual([{ contact_id: "c-1001", category: "commercial.correspondence" }]);
    expect(listMarketableContacts(db).map((c) => c.id)).toEqual(["c-1002", "c-1003"]);
  });

  it("DataSource - every operation is idempotent: a retried task leaves the same state", async () => {
    const db = openCrm();
    const source = createContactsDataSource(db);
    const tom = ctx("tom.berger@example.com");
    expect(await source.rectify(tom, { rectifications: [{ category: "contact.postal", field: "city", value: "Lübeck" }] })).toEqual({ updated: 1 });
    expect(await source.rectify(tom, { rectifications: [{ category: "contact.postal", field: "city", value: "Lübeck" }] })).toEqual({ updated: 0 });
    await expect(source.rectify(tom, { rectifications: [{ category: "contact.postal", value: "Lübeck" }] })).rejects.toThrow(/name one of the fields street, postcode, city, country/);

    expect(await source.restrict(tom, { categories: ["contact.email"], lift: false })).toEqual({ "contact.email": 1 });
    expect(await source.restrict(tom, { categories: ["contact.email"], lift: false })).toEqual({ "contact.email": 1 });
    expect(listMarketableContacts(db).map((c) => c.id)).toEqual(["c-1001", "c-1003"]);
    await source.restrict(tom, { categories: ["contact.email"], lift: true });
    expect(listMarketableContacts(db).map((c) => c.id)).toEqual(["c-1001", "c-1002", "c-1003"]);

    expect(await source.erase(tom, { categories: source.categories })).toMatchObject({ "contact.email": 1, "identity.name": 1 });
    expect(await source.erase(tom, { categories: source.categories })).toMatchObject({ "contact.email": 0, "identity.name": 0 });
    expect(await source.locate(tom)).toEqual({ found: false, categories: [], records: 0 });
    // found by the CRM's own id too; a phone number is not searchable in this source
    expect((await source.locate(ctx("c-1003", "customer_id"))).found).toBe(true);
    expect(await source.locate({ ...ctx("+4940123456"), subject: { kind: "phone", value: "+4940123456" } })).toEqual({ found: false, categories: [], records: 0 });
  });
});
