import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoContent } from "./demo.js";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

interface PublicEntry {
  id: string;
  name: string;
  country: string;
  engagedBy?: { id: string }[];
  agreements: { dpa?: unknown; transfer?: string };
}
interface RopaRow {
  id: string;
  name: string;
  lawful_bases: string;
  data_categories: string;
  recipients: string | null;
  third_country_transfers: string | null;
  retention: string | null;
}

const PARTY_NAMES = ["Demo Cloud Hosting Inc. (made up)", "Demo Helpdesk Oy (made up)", "Demo Mail Delivery B.V. (made up)", "Demo Rechenzentrum GmbH (made up)"];

describe.each(BACKENDS)("demo tenant content (%s)", (_name, open) => {
  let h: Harness;
  let tenantId = "";
  let key = "";
  const call = caller(() => h.lawful);
  const json = async <T>(path: string, withKey = false): Promise<T> => {
    const res = await call(path, withKey ? { key } : {});
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  /** Everything the seed writes, as counts: a second seed must leave each one unchanged. */
  const counts = async () => {
    const { consent, registry, retention, audit } = h.lawful.services;
    const parties = await registry.listParties(tenantId);
    const versions = await Promise.all(parties.map((p) => registry.getPartyHistory(tenantId, p.id)));
    const forms = await h.lawful.db.sql.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM server_forms WHERE tenant_id = ?", [tenantId]);
    return {
      purposes: (await consent.listPurposes(tenantId)).length,
      notices: (await consent.listNotices(tenantId)).length,
      forms: Number(forms?.n ?? 0),
      parties: parties.length,
      partyVersions: versions.reduce((n, v) => n + v.length, 0),
      changeNotices: (await registry.listChangeNotices(tenantId)).length,
      feed: (await registry.changeFeed(tenantId)).length,
      rules: (await retention.listRules(tenantId)).length,
      auditEvents: (await audit.verify(tenantId)).eventsChecked,
    };
  };

  beforeAll(async () => {
    h = await open();
    const tenant = await h.lawful.tenants.create({ slug: "demo", name: "Demo GmbH" });
    tenantId = tenant.id;
    key = (await h.lawful.tenants.createKey(tenant.id, { name: "demo admin", scopes: ["admin"] })).secret;
    await seedDemoContent(h.lawful, tenant.id);
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  it("GET /p/demo/subprocessors.json - lists the processors and the sub-processor with DPAs, countries and transfer mechanisms", async () => {
    const list = await json<{ entries: PublicEntry[] }>("/p/demo/subprocessors.json");
    expect(list.entries.map((e) => e.name)).toEqual(PARTY_NAMES);
    for (const e of list.entries) expect(e.agreements.dpa, e.id).toBeDefined(); // a complete Art. 28(3) agreement on file
    const host = list.entries.find((e) => e.id === "cloud-hosting")!;
    expect(host.country).toBe("US");
    expect(host.agreements.transfer).toContain("Standard contractual clauses (Decision (EU) 2021/914), module 2 (controller to processor)");
    expect(host.agreements.transfer).toContain("transfer impact assessment DEMO-TIA-2025-001");
    expect(list.entries.find((e) => e.id === "mail-datacentre")!.engagedBy).toEqual([{ id: "mail-delivery", name: "Demo Mail Delivery B.V. (made up)" }]);
    // EU and EEA recipients need no Chapter V mechanism
    expect(list.entries.filter((e) => e.country !== "US").map((e) => e.agreements.transfer)).toEqual([undefined, undefined, undefined]);
    expect(await h.lawful.services.registry.reviewActiveParties(tenantId)).toEqual([]);
  });

  it("GET /p/demo/subprocessors.html and .atom - show every party, the feed announces each as in use", async () => {
    const html = await (await call("/p/demo/subprocessors.html")).text();
    for (const name of PARTY_NAMES) expect(html).toContain(name);
    const atom = await call("/p/demo/subprocessors.atom");
    expect(atom.headers.get("content-type")).toContain("application/atom+xml");
    const xml = await atom.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    for (const name of PARTY_NAMES) expect(xml).toContain(`Now in use: ${name}`);
  });

  it("GET /p/demo/retention-schedule - lists every rule: the server's own records, proof of consent and the CRM set", async () => {
    const rules = await h.lawful.services.retention.listRules(tenantId);
    expect(rules.map((r) => r.id)).toEqual([
      "DE-HGB-257-books-10y",
      "DE-HGB-257-letters-6y",
      "DE-HGB-257-vouchers-8y",
      "GDPR-7-consent-proof-claims-3y",
      "demo-crm-customer-review-3y",
      "demo-crm-leads-2y",
      "demo-server-idempotency-1d",
      "demo-server-outbox-90d",
      "demo-server-requests-3y",
    ]);
    const res = await call("/p/demo/retention-schedule");
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const r of rules) expect(page).toContain(`[${r.id}]`);
    // DOMAIN.md E2: vouchers 8 years, letters 6 years, books 10 years, each from the end of the calendar year
    const schedule = await json<{ groups: { category: string; entries: { ruleId: string; period: string; from: string }[] }[] }>("/p/demo/retention-schedule.json");
    const entry = (category: string, ruleId: string) => schedule.groups.find((g) => g.category === category)?.entries.find((e) => e.ruleId === ruleId);
    expect(entry("financial.transactions", "DE-HGB-257-vouchers-8y")).toMatchObject({ period: "at least 8 years", from: expect.stringContaining("end of the calendar year") });
    expect(entry("commercial.correspondence", "DE-HGB-257-letters-6y")?.period).toBe("at least 6 years");
    expect(entry("*", "DE-HGB-257-books-10y")?.period).toBe("at least 10 years");
    expect(entry("*", "demo-server-outbox-90d")?.period).toBe("at most 90 days");
    expect(entry("*", "demo-server-requests-3y")).toMatchObject({ period: "at most 3 years", from: expect.stringContaining("closedAt") });
  });

  it("GET /v1/registry/ropa?format=json - one activity per purpose with its processors, the US transfer and erasure limits", async () => {
    const doc = await json<{ entities: { name: string; rows: RopaRow[] }[] }>("/v1/registry/ropa?format=json", true);
    const rows = doc.entities.find((e) => e.name === "processing_activities")!.rows;
    const row = (id: string) => rows.find((r) => r.id === id)!;
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(["customers", "invoicing", "support", "newsletter"]));
    expect(row("customers")).toMatchObject({ name: "Customer management (CRM)", lawful_bases: "contract" });
    expect(row("invoicing").lawful_bases).toBe("legal_obligation");
    expect(row("customers").data_categories).toContain("contact.postal");
    expect(row("support").recipients).toContain("Demo Helpdesk Oy (made up) (Processors, FI)");
    expect(row("newsletter").recipients).toContain("Demo Rechenzentrum GmbH (made up) (Sub-processors, DE)");
    expect(row("invoicing").third_country_transfers).toContain("US (Demo Cloud Hosting Inc. (made up)): Standard contractual clauses");
    expect(row("invoicing").retention).toContain("financial.transactions: P8Y");
    expect(row("support").retention).toContain("commercial.correspondence: P6Y");
  });

  it("seeding again creates nothing new and keeps what an operator changed", async () => {
    const { registry } = h.lawful.services;
    const first = await counts();
    expect(first).toMatchObject({ purposes: 7, notices: 5, forms: 1, parties: 4, partyVersions: 8, changeNotices: 0, rules: 9 });
    await seedDemoContent(h.lawful, tenantId);
    expect(await counts()).toEqual(first);
    await registry.retireParty(tenantId, "helpdesk", { actor: { type: "staff", id: "operator" }, reason: "Switched helpdesk" });
    const retired = await counts();
    await seedDemoContent(h.lawful, tenantId);
    expect(await counts()).toEqual(retired);
    expect((await registry.getParty(tenantId, "helpdesk"))?.status).toBe("retired");
    const list = await json<{ entries: PublicEntry[] }>("/p/demo/subprocessors.json");
    expect(list.entries.map((e) => e.id)).not.toContain("helpdesk");
  });
});
