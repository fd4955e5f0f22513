import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";
import { caller } from "./test-harness.js";

describe("retention over HTTP", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let key: string;
  let other: string;
  const call = caller(() => lawful);
  beforeAll(async () => {
    file = createTestSqliteFile("retention.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const a = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    const b = await lawful.tenants.create({ slug: "globex", name: "Globex" });
    key = (await lawful.tenants.createKey(a.id, { name: "r", scopes: ["retention"] })).secret;
    other = (await lawful.tenants.createKey(b.id, { name: "r", scopes: ["admin"] })).secret;
  });
  afterAll(async () => {
    await lawful?.close();
    file?.cleanup();
  });

  it("rules, holds and plan - the invoice of 2025-03-15 is kept until 2034-01-01, a hold wins over everything", async () => {
    const rule = {
      id: "de-vouchers-8y",
      title: "Accounting vouchers (HGB §257, AO §147)",
      selectors: { categories: ["financial.transactions"] },
      trigger: { type: "endOfCalendarYear", field: "documentDate" },
      duration: "P8Y",
      kind: "minimum",
      action: "delete",
      citation: "§ 257 HGB, § 147 AO",
    };
    const saved = await call("/v1/retention/rules", { method: "POST", key, json: rule });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const records = [{ id: "inv-1", recordType: "invoice", categories: ["financial.transactions"], createdAt: "2025-03-15", dates: { documentDate: "2025-03-15" } }];
    const plan = (await (await call("/v1/retention/plan", { method: "POST", key, json: { records } })).json()) as { records: number; byOutcome: Record<string, number>; earliestNextExpiry?: { at: string } };
    expect(plan.records).toBe(1);
    expect(plan.earliestNextExpiry?.at.slice(0, 10)).toBe("2034-01-01");
    const hold = await call("/v1/retention/holds", { method: "POST", key, json: { id: "matter-7", matter: "Supplier dispute", scope: { recordTypes: ["invoice"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" } });
    expect(hold.status, await hold.clone().text()).toBe(201);
    const held = (await (await call("/v1/retention/plan", { method: "POST", key, json: { records } })).json()) as { byHold: Record<string, number> };
    expect(held.byHold["matter-7"]).toBe(1);
    expect((await call("/v1/retention/holds/matter-7/release", { method: "POST", key })).status).toBe(200);
    const md = await (await call("/p/acme/retention-schedule.md")).text();
    expect(md).toContain("Accounting vouchers");
    expect(await (await call("/p/acme/retention-schedule")).text()).toContain("<table");
  });

  it("bad rules and tenant isolation - an unparseable duration is refused naming the field; other tenants see nothing", async () => {
    const bad = await call("/v1/retention/rules", { method: "POST", key, json: { id: "x", title: "x", selectors: {}, trigger: { type: "created" }, duration: "ten years", kind: "maximum", action: "delete" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("duration");
    expect(((await (await call("/v1/retention/rules", { key: other })).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await call("/v1/retention/holds/matter-7/release", { method: "POST", key: other })).status).toBe(404);
    expect((await call("/v1/retention/rules/de-vouchers-8y", { method: "DELETE", key: other })).status).toBe(404);
    expect((await call("/v1/retention/rules", { key: (await lawful.tenants.createKey((await lawful.tenants.bySlug("acme"))!.id, { name: "c", scopes: ["consent"] })).secret })).status).toBe(403);
  });
});
