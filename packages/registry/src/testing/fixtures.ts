import { createHmac } from "node:crypto";
import { createManualClock, createMemoryAuditSink, type Actor, type ManualClock } from "@lawful/core";
import type { ChangeNotice } from "../change-notice.js";
import type { DpaInput } from "../dpa.js";
import { createRegistry, type Registry } from "../registry.js";
import { createMemoryRegistryStore } from "../stores/memory.js";
import type { PartyInput } from "../party.js";
import type { RopaPurpose, RopaRetentionRule } from "../ropa.js";

/**
 * A DPA record with every Art. 28(3) clause confirmed and every preamble field filled, for tests.
 *
 * @example
 * ```ts
 * import { completeDpaFixture } from "@lawful/registry/testing";
 * const dpa = completeDpaFixture({ reference: "DPA-7" });
 * ```
 */
export function completeDpaFixture(overrides: Partial<DpaInput> = {}): DpaInput {
  return {
    reference: "DPA-2026-001",
    signedAt: "2026-01-10T00:00:00.000Z",
    subjectMatter: "Provision of the contracted service",
    duration: "Term of the main agreement plus 30 days for return or deletion",
    natureAndPurpose: "Storage and transmission of customer data on the controller's instructions",
    dataTypes: ["contact.email", "identity.name"],
    subjectCategories: ["customers", "prospects"],
    checklist: { a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: true },
    ...overrides,
  };
}

/**
 * The realistic fixture of issue 7: a CRM (controller Acme CRM GmbH, Berlin) with an e-mail
 * service (Ireland) and its US relay sub-processor under SCC module 3, a hosting provider
 * (Germany), an analytics vendor in the US under the DPF, and a visitor-identification source
 * (Netherlands). Keyed by party id.
 *
 * @example
 * ```ts
 * import { crmFixtureParties } from "@lawful/registry/testing";
 * const { hosting, mailer, relay, analytics, visitorId } = crmFixtureParties();
 * ```
 */
export function crmFixtureParties(): {
  hosting: Extract<PartyInput, { role: "processor" }>;
  mailer: Extract<PartyInput, { role: "processor" }>;
  relay: Extract<PartyInput, { role: "subprocessor" }>;
  analytics: Extract<PartyInput, { role: "processor" }>;
  visitorId: Extract<PartyInput, { role: "source" }>;
} {
  return {
    hosting: {
      id: "hosting",
      role: "processor",
      legalName: "Nordhost Rechenzentren GmbH",
      address: { lines: ["Industriestraße 12"], locality: "Nürnberg", postalCode: "90411", country: "DE" },
      contact: { email: "privacy@nordhost.example", url: "https://nordhost.example/privacy" },
      dpo: { name: "Data Protection Officer", email: "dpo@nordhost.example" },
      country: "DE",
      services: ["Infrastructure hosting of the CRM database", "Encrypted backups"],
      dataCategories: ["contact", "identity.name", "commercial", "behaviour", "online"],
      purposes: ["crm", "newsletter", "analytics", "lead_generation"],
      subjectCategories: ["customers", "prospects", "newsletter subscribers", "website visitors"],
      securityMeasures: "ISO 27001 certified data centres, encryption at rest (AES-256), access logging",
      dpa: completeDpaFixture({ reference: "DPA-HOST-2025", dataTypes: ["contact", "identity.name", "commercial", "behaviour", "online"] }),
    },
    mailer: {
      id: "mailer",
      role: "processor",
      legalName: "Postbote Mail Ltd",
      tradingName: "Postbote",
      address: { lines: ["3 Grand Canal Quay"], locality: "Dublin", postalCode: "D02 XY12", country: "IE" },
      contact: { email: "privacy@postbote.example" },
      dpo: { email: "dpo@postbote.example" },
      country: "IE",
      services: ["E-mail delivery", "Open and click tracking"],
      dataCategories: ["contact.email", "identity.name", "behaviour.email_engagement"],
      purposes: ["newsletter", "crm"],
      subjectCategories: ["customers", "newsletter subscribers"],
      dpa: completeDpaFixture({ reference: "DPA-MAIL-2025", dataTypes: ["contact.email", "identity.name", "behaviour.email_engagement"] }),
    },
    relay: {
      id: "relay",
      role: "subprocessor",
      parentId: "mailer",
      legalName: "CloudRelay Inc.",
      address: { lines: ["500 Market Street"], locality: "San Francisco", region: "CA", postalCode: "94105", country: "US" },
      contact: { email: "privacy@cloudrelay.example" },
      country: "US",
      services: ["Outbound SMTP relay"],
      dataCategories: ["contact.email"],
      purposes: ["newsletter"],
      subjectCategories: ["newsletter subscribers"],
      authorisationType: "general",
      noticePeriodDays: 30,
      transfer: { kind: "scc", instrument: "2021/914", module: 3, tiaRef: "TIA-2026-004", supplementaryMeasures: "TLS 1.3 in transit, encryption at rest" },
    },
    analytics: {
      id: "analytics",
      role: "processor",
      legalName: "Metrics Analytics Inc.",
      address: { lines: ["1 Analytics Way"], locality: "Austin", region: "TX", postalCode: "78701", country: "US" },
      contact: { email: "privacy@metrics.example" },
      representative: { name: "Metrics EU Representative Ltd", contact: { email: "eu-rep@metrics.example" }, country: "IE" },
      country: "US",
      services: ["Web analytics"],
      dataCategories: ["online.ip_address", "online.device_id", "behaviour.web_activity"],
      purposes: ["analytics"],
      subjectCategories: ["website visitors"],
      transfer: {
        kind: "adequacy",
        decisionId: "(EU) 2023/1795",
        coversSubset: "DPF-certified",
        dpfCertification: { listed: true, ukExtension: false, checkedAt: "2026-01-05T00:00:00.000Z" },
        lastCheckedAt: "2026-01-05T00:00:00.000Z",
      },
      dpa: completeDpaFixture({ reference: "DPA-METRICS-2025", dataTypes: ["online.ip_address", "online.device_id", "behaviour.web_activity"], subjectCategories: ["website visitors"] }),
    },
    visitorId: {
      id: "visitor-id",
      role: "source",
      legalName: "LeadSpotter B.V.",
      address: { lines: ["Keizersgracht 100"], locality: "Amsterdam", postalCode: "1015 AA", country: "NL" },
      contact: { email: "privacy@leadspotter.example" },
      country: "NL",
      services: ["Identification of companies visiting the website"],
      dataCategories: ["identity.name", "contact.email", "commercial"],
      purposes: ["lead_generation"],
      subjectCategories: ["business contacts of visiting companies"],
      publiclyAccessible: false,
    },
  };
}

/**
 * Purposes of the CRM fixture ({@link crmFixtureParties}) as records-of-processing input.
 *
 * @example
 * ```ts
 * import { crmFixturePurposes } from "@lawful/registry/testing";
 * crmFixturePurposes().map((p) => p.id); // ["crm", "newsletter", "analytics", "lead_generation"]
 * ```
 */
export function crmFixturePurposes(): RopaPurpose[] {
  return [
    { id: "crm", name: "Customer relationship management", lawfulBasis: "contract", dataCategories: ["contact.email", "identity.name", "commercial.contract"], subjectCategories: ["customers", "prospects"] },
    { id: "newsletter", name: "E-mail newsletter", lawfulBasis: "consent", dataCategories: ["contact.email", "identity.name", "behaviour.email_engagement"], subjectCategories: ["newsletter subscribers"] },
    { id: "analytics", name: "Website analytics", lawfulBasis: "consent", dataCategories: ["online.ip_address", "online.device_id", "behaviour.web_activity"], subjectCategories: ["website visitors"] },
    { id: "lead_generation", name: "Lead generation from identified website visits", lawfulBasis: "legitimate_interests", dataCategories: ["identity.name", "contact.email", "commercial"], subjectCategories: ["business contacts of visiting companies"] },
  ];
}

/**
 * Retention rules of the CRM fixture as records-of-processing input.
 *
 * @example
 * ```ts
 * import { crmFixtureRetentionRules } from "@lawful/registry/testing";
 * crmFixtureRetentionRules()[0]?.period; // "P3Y"
 * ```
 */
export function crmFixtureRetentionRules(): RopaRetentionRule[] {
  return [
    { id: "contacts-3y", dataCategories: ["contact", "identity"], period: "P3Y", trigger: "end of the customer relationship" },
    { id: "contracts-10y", dataCategories: ["commercial"], period: "P10Y", trigger: "end of the calendar year of the contract (HGB §257)" },
    { id: "engagement-2y", dataCategories: ["behaviour"], period: "P2Y", trigger: "collection" },
    { id: "online-13m", dataCategories: ["online"], period: "P13M", trigger: "collection" },
  ];
}

/**
 * What {@link createCrmFixtureRegistry} returns: the registry, its manual clock and memory audit
 * sink, the tenant id, and the change notice under which the US relay sub-processor was added.
 *
 * @example
 * ```ts
 * import { createCrmFixtureRegistry, type CrmFixtureRegistry } from "@lawful/registry/testing";
 * const fx: CrmFixtureRegistry = await createCrmFixtureRegistry();
 * ```
 */
export interface CrmFixtureRegistry {
  readonly registry: Registry;
  readonly clock: ManualClock;
  readonly audit: ReturnType<typeof createMemoryAuditSink>;
  readonly tenantId: string;
  readonly actor: Actor;
  readonly notice: ChangeNotice;
}

/**
 * A memory-backed registry holding the CRM fixture ({@link crmFixtureParties}) with every party
 * active: the four direct parties are activated at `start`, the US relay is announced with a
 * 30-day notice and activated when the window has passed (the clock then reads `start` + 30 days).
 * Subjects are pseudonymised with an HMAC under a fixed test key.
 *
 * @example
 * ```ts
 * import { createCrmFixtureRegistry } from "@lawful/registry/testing";
 * const { registry, tenantId } = await createCrmFixtureRegistry();
 * (await registry.listParties(tenantId, { status: "active" })).length; // 5
 * ```
 */
export async function createCrmFixtureRegistry(options: { tenantId?: string | undefined; start?: string | undefined } = {}): Promise<CrmFixtureRegistry> {
  const tenantId = options.tenantId ?? "acme-crm";
  const actor: Actor = { type: "staff", id: "u_dpo" };
  const clock = createManualClock(options.start ?? "2026-02-01T09:00:00.000Z");
  const audit = createMemoryAuditSink();
  const key = Buffer.from("lawful-registry-test-pseudonym-key!!");
  const registry = createRegistry({
    store: createMemoryRegistryStore(),
    audit,
    clock,
    pseudonymize: (s) => `ps1_${createHmac("sha256", key).update(`${s.kind}\u0000${s.value}`).digest("base64url")}`,
  });
  const p = crmFixtureParties();
  for (const party of [p.hosting, p.mailer, p.analytics, p.visitorId]) {
    await registry.createParty(tenantId, party, { actor });
    await registry.activateParty(tenantId, party.id, { actor });
  }
  await registry.createParty(tenantId, p.relay, { actor });
  const notice = await registry.proposeChange(tenantId, { partyId: "relay", kind: "addition", description: "Outbound relay for newsletter delivery" }, { actor });
  clock.advance({ days: 30 });
  await registry.activateParty(tenantId, "relay", { actor });
  return { registry, clock, audit, tenantId, actor, notice };
}
