import { describe, expect, it } from "vitest";
import { buildControllerRopa, buildProcessorRopa, ropaToJson, ropaToTable, type ControllerRopaEntry } from "./ropa.js";
import { crmFixtureParties, crmFixturePurposes, crmFixtureRetentionRules } from "./testing/fixtures.js";
import { createDataCategoryTaxonomy } from "@lawful/core";
import { createCrmFixtureRegistry } from "./testing/fixtures.js";

const T = "acme-crm";
const actor = { type: "staff" as const, id: "u_dpo" };
const taxonomy = createDataCategoryTaxonomy();
const fixtureRegistry = () => createCrmFixtureRegistry({ tenantId: T });

const controller = {
  name: "Acme CRM GmbH",
  address: { lines: ["Torstraße 1"], locality: "Berlin", postalCode: "10119", country: "DE" },
  contact: { email: "privacy@acme-crm.example", phone: "+49 30 1234567" },
  dpo: { name: "Data Protection Officer", email: "dpo@acme-crm.example" },
};

// Art. 30(1)(a)-(g): the exact set of fields an entry has (plus the activity identifier)
const ART_30_1_FIELDS = [
  "activity",
  "controller",
  "dataSubjectCategories",
  "erasureTimeLimits",
  "personalDataCategories",
  "purposes",
  "recipientCategories",
  "securityMeasures",
  "thirdCountryTransfers",
];

describe("records of processing (Art. 30)", () => {
  it("buildControllerRopa - the realistic CRM fixture has every Art. 30(1) field and nothing missing", async () => {
    const { registry, clock } = await fixtureRegistry();
    const ropa = buildControllerRopa({
      controller,
      purposes: crmFixturePurposes(),
      retentionRules: crmFixtureRetentionRules(),
      securityMeasures: "Encryption in transit and at rest, role-based access, pseudonymised audit log, annual penetration test",
      parties: await registry.listParties(T),
      adequacy: registry.adequacy,
      generatedAt: clock.now(),
      describeCategory: taxonomy.describe,
    });
    expect(ropa.kind).toBe("controller");
    expect(ropa.gaps).toEqual([]);
    const entries = ropa.entries as readonly ControllerRopaEntry[];
    expect(entries.map((e) => e.activity.id)).toEqual(["crm", "newsletter", "analytics", "lead_generation"]);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(ART_30_1_FIELDS);
      // (a)
      expect(e.controller.name).toBe("Acme CRM GmbH");
      expect(e.controller.contact.email).toBe("privacy@acme-crm.example");
      expect(e.controller.dpo?.email).toBe("dpo@acme-crm.example");
      expect(e.controller.jointControllers).toEqual([]);
      // (b), (c)
      expect(e.purposes.length).toBeGreaterThan(0);
      expect(e.dataSubjectCategories.length).toBeGreaterThan(0);
      expect(e.personalDataCategories.length).toBeGreaterThan(0);
      for (const c of e.personalDataCategories) expect(c.label).not.toBe("");
      // (d): at least the hosting provider receives everything
      expect(e.recipientCategories.flatMap((c) => c.recipients.map((r) => r.id))).toContain("hosting");
      // (f): every category has a limit
      expect(e.erasureTimeLimits?.map((l) => l.dataCategory)).toEqual(e.personalDataCategories.map((c) => c.key));
      // (g)
      expect(e.securityMeasures).toMatch(/Encryption/);
    }
    const byId = Object.fromEntries(entries.map((e) => [e.activity.id, e]));
    // newsletter: e-mail service (processor) and its US relay (sub-processor, SCC module 3)
    expect(byId.newsletter!.recipientCategories).toEqual([
      {
        category: "Processors",
        recipients: [
          { id: "hosting", name: "Nordhost Rechenzentren GmbH", country: "DE", services: ["Infrastructure hosting of the CRM database", "Encrypted backups"] },
          { id: "mailer", name: "Postbote Mail Ltd", country: "IE", services: ["E-mail delivery", "Open and click tracking"] },
        ],
      },
      { category: "Sub-processors", recipients: [{ id: "relay", name: "CloudRelay Inc.", country: "US", services: ["Outbound SMTP relay"] }] },
    ]);
    expect(byId.newsletter!.thirdCountryTransfers).toEqual([
      {
        country: "US",
        recipient: { id: "relay", name: "CloudRelay Inc." },
        mechanism: "Standard contractual clauses (Decision (EU) 2021/914), module 3 (processor to processor); transfer impact assessment TIA-2026-004",
        mechanismKind: "scc",
      },
    ]);
    // analytics: US vendor under the DPF
    expect(byId.analytics!.thirdCountryTransfers).toEqual([
      {
        country: "US",
        recipient: { id: "analytics", name: "Metrics Analytics Inc." },
        mechanism: "Adequacy decision (EU) 2023/1795 (EU-US Data Privacy Framework, recipient certified)",
        mechanismKind: "adequacy",
      },
    ]);
    // crm: only EU recipients, no transfers
    expect(byId.crm!.thirdCountryTransfers).toEqual([]);
    // lead generation: the visitor-ID source is a source, not a recipient
    expect(byId.lead_generation!.recipientCategories.flatMap((c) => c.recipients.map((r) => r.id))).toEqual(["hosting"]);
    expect(byId.crm!.erasureTimeLimits).toContainEqual({ dataCategory: "commercial.contract", period: "P10Y", trigger: "end of the calendar year of the contract (HGB §257)", retentionRuleIds: ["contracts-10y"] });

    const json = ropaToJson(ropa);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.generatedAt).toBe("2026-03-03T09:00:00.000Z");
    const table = ropaToTable(ropa);
    expect(table.columns.map((c) => c.key).sort()).toEqual(ART_30_1_FIELDS);
    expect(table.rows).toHaveLength(4);
    for (const row of table.rows) for (const c of table.columns) expect(row[c.key], c.key).not.toBe("");
    expect(table.rows[1]!.thirdCountryTransfers).toContain("US: CloudRelay Inc.");
    // the DPO is named once, then reached by e-mail and phone
    expect(table.rows[0]!.controller).toContain("DPO: Data Protection Officer, dpo@acme-crm.example");
    expect((table.rows[0]!.controller ?? "").split("Data Protection Officer").length).toBe(2);
  });

  it("buildControllerRopa - reports gaps where the article says 'where possible' and ignores inactive parties", async () => {
    const { registry, clock } = await fixtureRegistry();
    await registry.retireParty(T, "relay", { actor });
    const ropa = buildControllerRopa({
      controller,
      purposes: crmFixturePurposes().slice(1, 2),
      retentionRules: [],
      parties: await registry.listParties(T),
      adequacy: registry.adequacy,
      generatedAt: clock.now(),
    });
    const e = ropa.entries[0] as ControllerRopaEntry;
    expect(e.erasureTimeLimits).toBeUndefined();
    expect(e.securityMeasures).toBeUndefined();
    expect(e.thirdCountryTransfers).toEqual([]);
    expect(ropa.gaps.map((g) => g.code)).toEqual(["retention_rule_missing", "retention_rule_missing", "retention_rule_missing", "security_description_missing"]);
  });

  it("buildControllerRopa - names joint controllers under (a) and 49(1) second-subparagraph safeguards under (e)", async () => {
    const { registry, clock } = await fixtureRegistry();
    const { hosting } = crmFixtureParties();
    await registry.createParty(
      T,
      {
        ...hosting,
        id: "partner",
        role: "joint_controller",
        legalName: "Partner Events AG",
        arrangementRef: "JCA-2026-1",
        purposes: ["crm"],
      } as never,
      { actor },
    );
    await registry.activateParty(T, "partner", { actor });
    await registry.createParty(
      T,
      {
        ...hosting,
        id: "counsel",
        role: "independent_controller",
        legalName: "Counsel LLP",
        country: "IN",
        purposes: ["crm"],
        transfer: { kind: "derogation", ground: "49.1.2", justification: "single dispute", safeguards: "Pseudonymised extract only", saNotifiedAt: "2026-01-01", subjectInformedAt: "2026-01-02" },
      } as never,
      { actor },
    );
    await registry.activateParty(T, "counsel", { actor });
    const ropa = buildControllerRopa({ controller, purposes: crmFixturePurposes().slice(0, 1), parties: await registry.listParties(T), adequacy: registry.adequacy, generatedAt: clock.now() });
    const e = ropa.entries[0] as ControllerRopaEntry;
    expect(e.controller.jointControllers).toEqual([{ id: "partner", name: "Partner Events AG", contact: hosting.contact, arrangementRef: "JCA-2026-1" }]);
    expect(e.recipientCategories.map((c) => c.category)).toEqual(["Processors", "Independent controllers (recipients)"]);
    expect(e.thirdCountryTransfers).toEqual([
      expect.objectContaining({ country: "IN", mechanismKind: "derogation", documentedSafeguards: "Pseudonymised extract only" }),
    ]);
  });

  it("buildProcessorRopa - Art. 30(2) entries have exactly the article's fields", async () => {
    const { registry, clock } = await fixtureRegistry();
    const ropa = buildProcessorRopa({
      processor: { name: "Acme CRM GmbH", contact: controller.contact, dpo: controller.dpo },
      controllers: [
        { controller: { name: "Customer One SE", contact: { email: "privacy@customer-one.example" } }, processingCategories: ["Hosting of CRM records", "Newsletter sending"], purposes: ["newsletter"] },
      ],
      securityMeasures: "ISO 27001 ISMS",
      parties: await registry.listParties(T),
      adequacy: registry.adequacy,
      generatedAt: clock.now(),
    });
    const e = ropa.entries[0]!;
    expect(Object.keys(e).sort()).toEqual(["controller", "processingCategories", "processors", "securityMeasures", "thirdCountryTransfers"]);
    expect("processors" in e && e.processors.map((p) => p.name)).toEqual(["Acme CRM GmbH", "Nordhost Rechenzentren GmbH", "Postbote Mail Ltd", "CloudRelay Inc."]);
    expect(e.thirdCountryTransfers.map((t) => t.recipient.id)).toEqual(["relay"]);
    expect(ropaToTable(ropa).columns.map((c) => c.key)).toEqual(["processors", "controller", "processingCategories", "thirdCountryTransfers", "securityMeasures"]);
  });

  it("buildControllerRopa - refuses bad input naming every bad field", () => {
    let err: unknown;
    try {
      buildControllerRopa({
        controller: { name: "", contact: { email: "x" } },
        purposes: [{ id: "Bad", name: "n", dataCategories: [], subjectCategories: ["a"] }],
        retentionRules: [{ id: "r", dataCategories: ["contact"], period: "2 years" }],
        parties: [],
        adequacy: crmFixtureParties() as never,
        generatedAt: new Date(),
      });
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe("VALIDATION_FAILED");
    expect((err as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["controller.name", "controller.contact.email", "purposes.0.id", "purposes.0.dataCategories", "retentionRules.0.period"]),
    );
  });
});
