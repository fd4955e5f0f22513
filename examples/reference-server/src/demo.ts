// The demo tenant's content: everything `lawful demo seed` creates inside the tenant, so every public and
// operator page shows something on day one. All of it belongs to "Demo GmbH", a made-up company: names end
// in "(made up)", addresses use `.example` domains, and contract, TIA and authorisation references start with
// DEMO-. Periods and legal bases follow /work/shared/DOMAIN.md (D, E) and the retention packs built on it.
import { systemClock, type Actor, type Clock } from "@lawful/core";
import type { PurposeInput } from "@lawful/consent";
import type { PartyInput } from "@lawful/registry";
import { CONSENT_PROOF_PACK, GERMAN_COMMERCIAL_TAX_PACK, loadRules, type RetentionRuleInput } from "@lawful/retention";
import { SERVER_RECORD_TYPES } from "./retention-run.js";
import { seedDemoContent as seedLandingContent } from "./routes/landing.js";
import type { Lawful } from "./server.js";
import { saveControllerDetails, type ControllerDetails } from "./tenants.js";

const ACTOR: Actor = { type: "system", id: "lawful demo seed" };
const REASON = "Demo content of the made-up Demo GmbH";
const CONTROLLER = { name: "Demo GmbH", contact: "datenschutz@demo-gmbh.example", address: "Musterstraße 1, 10115 Berlin, Germany" };
/** The demo tenant's controller details (made up, like the company): what the privacy center, exports and the records of processing show. */
export const DEMO_CONTROLLER_DETAILS: ControllerDetails = {
  contact: { email: "datenschutz@demo-gmbh.example" },
  address: { lines: ["Musterstraße 1"], postalCode: "10115", locality: "Berlin", country: "DE" },
  dpo: { name: "Erika Beispiel (made up)", email: "dsb@demo-gmbh.example" },
};
const WHO = "Demo GmbH (Musterstraße 1, 10115 Berlin; a made-up company used for this demo)";
const NOT_CONSENT =
  "This processing does not rely on consent, so there is no consent to withdraw. You can ask for access, rectification, erasure or restriction (GDPR Art. 15-18) in the privacy center.";

/** The controller's processing activities besides the newsletter and cookies (one Art. 30(1) record each), with the notice stating each. */
const ACTIVITIES: readonly { purpose: Omit<PurposeInput, "tenantId" | "regime" | "channel">; dataCategories: string[]; content: string }[] = [
  {
    purpose: {
      id: "customers",
      name: "Customer management (CRM)",
      description: "Demo entry: concluding and performing contracts with customers, including their contact persons, orders and correspondence.",
      lawfulBasis: "contract",
    },
    dataCategories: ["identity.name", "contact.email", "contact.phone", "contact.postal", "commercial.contract", "commercial.correspondence"],
    content: `${WHO} uses the name, e-mail address, telephone number and postal address of its customers, their orders and contracts and the correspondence about them to conclude and perform those contracts (GDPR Art. 6(1)(b)). Service providers host the customer database and send e-mail on its behalf; the list of sub-processors names them. The hosting provider is in the United States: that transfer relies on the EU standard contractual clauses (Decision (EU) 2021/914) and a transfer impact assessment. Business letters are kept for at least 6 years from the end of the calendar year (§ 257 HGB, § 147 AO); customer contact data is reviewed 3 years after the end of the calendar year in which the contract ended.`,
  },
  {
    purpose: {
      id: "invoicing",
      name: "Invoicing and bookkeeping",
      description: "Demo entry: issuing invoices and keeping the books required by commercial and tax law.",
      lawfulBasis: "legal_obligation",
    },
    dataCategories: ["identity.name", "contact.postal", "financial.transactions"],
    content: `${WHO} issues invoices and keeps its books. For this it uses the name and postal address of its customers and their purchases and invoices (GDPR Art. 6(1)(c)). It must keep accounting vouchers, including invoices, for 8 years and its books for 10 years, each from the end of the calendar year (§ 257 HGB, § 147 AO).`,
  },
  {
    purpose: {
      id: "support",
      name: "Customer support",
      description: "Demo entry: answering support requests from customers in a helpdesk tool.",
      lawfulBasis: "contract",
    },
    dataCategories: ["identity.name", "contact.email", "commercial.correspondence"],
    content: `${WHO} answers support requests from its customers. For this it uses their name, e-mail address and the conversation, in a helpdesk tool run on its behalf in Finland (GDPR Art. 6(1)(b)). Correspondence about orders is kept for at least 6 years from the end of the calendar year (§ 257 HGB, § 147 AO).`,
  },
];

const ALL_CHECKED = { a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: true } as const;
const DPA_NOTE = "Demo record of the made-up Demo GmbH: not a real company or contract.";

/** Processors first, then the sub-processor (its parent must be active first). */
const PARTIES: readonly PartyInput[] = [
  {
    id: "mail-delivery",
    role: "processor",
    legalName: "Demo Mail Delivery B.V. (made up)",
    address: { lines: ["Voorbeeldstraat 1"], locality: "Amsterdam", postalCode: "1011 AA", country: "NL" },
    contact: { email: "privacy@mail-delivery.example" },
    country: "NL",
    services: ["Demo entry: delivery of transactional e-mails and the newsletter"],
    dataCategories: ["contact.email", "identity.name"],
    purposes: ["newsletter", "customers", "support"],
    subjectCategories: ["Newsletter subscribers", "Customers"],
    securityMeasures: "TLS for delivery, encryption at rest, access only for named support staff.",
    notes: DPA_NOTE,
    dpa: {
      reference: "DEMO-DPA-2025-001",
      signedAt: "2025-01-15",
      subjectMatter: "Delivery of e-mails on behalf of Demo GmbH",
      duration: "Term of the service contract, then return or deletion within 30 days",
      natureAndPurpose: "Sending transactional e-mails and the newsletter on documented instructions",
      dataTypes: ["contact.email", "identity.name"],
      subjectCategories: ["Newsletter subscribers", "Customers"],
      checklist: ALL_CHECKED,
    },
  },
  {
    id: "cloud-hosting",
    role: "processor",
    legalName: "Demo Cloud Hosting Inc. (made up)",
    address: { lines: ["100 Example Avenue"], locality: "Wilmington", region: "DE", postalCode: "19801", country: "US" },
    contact: { email: "privacy@cloud-hosting.example" },
    country: "US",
    services: ["Demo entry: hosting of the website, the customer database and encrypted backups"],
    dataCategories: ["contact", "identity.name", "commercial", "financial.transactions", "consent.proof", "online.device_id"],
    purposes: ["customers", "invoicing", "support", "newsletter"],
    subjectCategories: ["Customers", "Newsletter subscribers", "Website visitors"],
    securityMeasures: "Encryption at rest and in transit, role-based access with two-factor authentication, access logging, daily encrypted backups.",
    transfer: {
      kind: "scc",
      instrument: "2021/914",
      module: 2,
      tiaRef: "DEMO-TIA-2025-001",
      supplementaryMeasures: "Encryption at rest with keys managed by Demo GmbH; TLS in transit",
      signedAt: "2025-01-20",
    },
    notes: DPA_NOTE,
    dpa: {
      reference: "DEMO-DPA-2025-002",
      signedAt: "2025-01-20",
      subjectMatter: "Hosting of Demo GmbH's systems",
      duration: "Term of the hosting contract, then return or deletion within 30 days",
      natureAndPurpose: "Storage and operation of databases and backups on documented instructions",
      dataTypes: ["contact", "identity.name", "commercial", "financial.transactions", "consent.proof", "online.device_id"],
      subjectCategories: ["Customers", "Newsletter subscribers", "Website visitors"],
      checklist: ALL_CHECKED,
    },
  },
  {
    id: "helpdesk",
    role: "processor",
    legalName: "Demo Helpdesk Oy (made up)",
    address: { lines: ["Esimerkkikatu 1"], locality: "Helsinki", postalCode: "00100", country: "FI" },
    contact: { email: "privacy@helpdesk.example" },
    country: "FI",
    services: ["Demo entry: customer support ticketing"],
    dataCategories: ["contact.email", "identity.name", "commercial.correspondence"],
    purposes: ["support"],
    subjectCategories: ["Customers"],
    notes: DPA_NOTE,
    dpa: {
      reference: "DEMO-DPA-2025-003",
      signedAt: "2025-02-01",
      subjectMatter: "Customer support ticketing for Demo GmbH",
      duration: "Term of the subscription, then return or deletion within 30 days",
      natureAndPurpose: "Storing and routing support conversations on documented instructions",
      dataTypes: ["contact.email", "identity.name", "commercial.correspondence"],
      subjectCategories: ["Customers"],
      checklist: ALL_CHECKED,
    },
  },
  {
    id: "mail-datacentre",
    role: "subprocessor",
    parentId: "mail-delivery",
    // a recorded specific prior written authorisation (Art. 28(2)); silence would not be approval
    authorisationType: "specific",
    specificAuthorisation: { authorisedAt: "2025-01-15", reference: "DEMO-AUTH-2025-001" },
    legalName: "Demo Rechenzentrum GmbH (made up)",
    address: { lines: ["Beispielweg 5"], locality: "Frankfurt am Main", postalCode: "60311", country: "DE" },
    contact: { email: "datenschutz@rechenzentrum.example" },
    country: "DE",
    services: ["Demo entry: data-centre operation for the e-mail delivery provider"],
    dataCategories: ["contact.email", "identity.name"],
    purposes: ["newsletter", "customers", "support"],
    subjectCategories: ["Newsletter subscribers", "Customers"],
    notes: DPA_NOTE,
    dpa: {
      reference: "DEMO-DPA-2025-004",
      signedAt: "2025-01-10",
      subjectMatter: "Data-centre operation for Demo Mail Delivery B.V.",
      duration: "Term of the colocation contract",
      natureAndPurpose: "Operating the servers that store and send e-mails (flow-down of the Art. 28 obligations, Art. 28(4))",
      dataTypes: ["contact.email", "identity.name"],
      subjectCategories: ["Newsletter subscribers", "Customers"],
      checklist: ALL_CHECKED,
    },
  },
];

const CHOSEN = "Period chosen by Demo GmbH (storage limitation, GDPR Art. 5(1)(e)); no statutory period applies.";
// the German pack selects by record type; the data categories link its rules to the schedule groups and the ROPA
const PACK_CATEGORIES: Record<string, string[]> = {
  "DE-HGB-257-vouchers-8y": ["financial.transactions"],
  "DE-HGB-257-letters-6y": ["commercial.correspondence"],
};

/** The demo tenant's retention rules: the server's own record kinds, proof of consent and a typical CRM set. */
function retentionRules(now: Date): RetentionRuleInput[] {
  const german = loadRules(GERMAN_COMMERCIAL_TAX_PACK.rules)
    // the transitional 10-year voucher rule ended before this tenant existed
    .filter((r) => r.effectiveUntil === undefined || r.effectiveUntil.getTime() > now.getTime())
    .map((r) => (PACK_CATEGORIES[r.id] ? { ...r, selectors: { ...r.selectors, categories: PACK_CATEGORIES[r.id] } } : r));
  return [
    {
      id: "demo-server-idempotency-1d",
      title: "Stored API responses (idempotency keys)",
      kind: "maximum",
      action: "delete",
      duration: "P1D",
      trigger: { type: "created" },
      selectors: { recordTypes: [SERVER_RECORD_TYPES.idempotency] },
      citation: "GDPR Art. 5(1)(e)",
      description: "The server replays a stored response for 24 hours only; afterwards it serves no purpose.",
    },
    {
      id: "demo-server-requests-3y",
      title: "Closed data-subject requests",
      kind: "maximum",
      action: "delete",
      duration: "P3Y",
      trigger: { type: "field", field: "closedAt" },
      selectors: { recordTypes: [SERVER_RECORD_TYPES.request] },
      citation: "GDPR Art. 5(1)(e), 5(2); CCPA regulations §7101; BGB §195",
      description: "A request and its answer are kept as proof of compliance for the regular three-year limitation period (at least the 24 months §7101 requires), then deleted.",
    },
    {
      id: "demo-server-outbox-90d",
      title: "E-mails delivered from the server's outbox",
      kind: "maximum",
      action: "delete",
      duration: "P90D",
      trigger: { type: "lastActivity" },
      selectors: { recordTypes: [SERVER_RECORD_TYPES.outbox] },
      citation: "GDPR Art. 5(1)(e)",
      description: `${CHOSEN} Proof of consent is kept separately.`,
    },
    ...CONSENT_PROOF_PACK.rules,
    ...german,
    {
      id: "demo-crm-leads-2y",
      title: "Prospects (leads) without activity",
      kind: "maximum",
      action: "delete",
      duration: "P2Y",
      trigger: { type: "lastActivity" },
      selectors: { recordTypes: ["lead"], categories: ["identity.name", "contact.email", "contact.phone"], purposes: ["customers"] },
      citation: "GDPR Art. 5(1)(e)",
      description: CHOSEN,
    },
    {
      id: "demo-crm-customer-review-3y",
      title: "Customer contact data after the end of the contract",
      kind: "maximum",
      action: "review",
      duration: "P3Y",
      trigger: { type: "endOfCalendarYear", field: "contractEnd" },
      selectors: { recordTypes: ["customer"], categories: ["identity.name", "contact.email", "contact.phone", "contact.postal", "commercial.contract"], purposes: ["customers", "support"] },
      citation: "GDPR Art. 5(1)(e), 17(3)(e); §§ 195, 199 BGB (the legal-claims period also used for the proof of consent)",
      description: "A person decides whether the data is still needed for legal claims; statutory minimums (invoices, business letters) still apply.",
    },
  ];
}

/**
 * Create the demo tenant's content, idempotently (only what is missing; nothing an operator changed is
 * overwritten): the controller's contact details, address and DPO (when none are set), the landing page content (newsletter, cookie purposes, notices, form, cookie catalogue),
 * the processing activities of the made-up Demo GmbH with their notices, its processors and sub-processor
 * with DPAs and transfer mechanisms (active, so the public sub-processor list and the records of processing
 * show them), and its retention rules (the server's own records, proof of consent, German commercial and tax
 * periods and CRM rules), so the retention schedule is filled. Every change is audited by the services.
 *
 * @example
 * ```ts
 * import { seedDemoContent } from "./demo.js";
 * import type { Lawful } from "./server.js";
 * declare const lawful: Lawful;
 * const tenant = (await lawful.tenants.bySlug("demo")) ?? (await lawful.tenants.create({ slug: "demo", name: "Demo GmbH" }));
 * await seedDemoContent(lawful, tenant.id);
 * ```
 */
export async function seedDemoContent(lawful: Pick<Lawful, "db" | "services" | "tenants">, tenantId: string, options: { clock?: Clock | undefined } = {}): Promise<void> {
  const clock = options.clock ?? systemClock;
  const { consent, registry, retention, audit } = lawful.services;
  const tenant = await lawful.tenants.byId(tenantId);
  if (tenant?.controllerDetails === null) await saveControllerDetails({ tenants: lawful.tenants, audit }, tenant, DEMO_CONTROLLER_DETAILS, ACTOR);
  await seedLandingContent({ sql: lawful.db.sql, consent, audit, clock }, tenantId);

  const defined = new Set((await consent.listPurposes(tenantId)).map((p) => p.id));
  for (const a of ACTIVITIES) {
    // not direct marketing: an objection must not suppress the customer's contract mail
    if (!defined.has(a.purpose.id)) await consent.definePurpose({ ...a.purpose, tenantId, channel: "other", regime: "EU", directMarketing: false });
    const noticeId = `privacy.${a.purpose.id}`;
    if (!(await consent.getNotice(tenantId, noticeId, 1))) {
      await consent.publishNotice({
        tenantId,
        noticeId,
        version: 1,
        locale: "en",
        contentType: "text/plain",
        content: a.content,
        controllers: [CONTROLLER],
        purposes: [a.purpose.id],
        dataCategories: a.dataCategories,
        withdrawalInfo: NOT_CONSENT,
      });
    }
  }

  const ctx = { actor: ACTOR, reason: REASON };
  for (const party of PARTIES) {
    const existing = (await registry.getParty(tenantId, party.id)) ?? (await registry.createParty(tenantId, party, ctx));
    // a retired or operator-activated party stays as it is; a proposed one (a crash after creating it) is activated
    if (existing.status === "proposed") await registry.activateParty(tenantId, party.id, ctx);
  }

  const have = new Set((await retention.listRules(tenantId)).map((r) => r.id));
  for (const rule of retentionRules(clock.now())) {
    if (have.has(rule.id)) continue;
    await retention.putRule(tenantId, rule);
    await audit.record({ tenantId, action: "retention.rule_saved", actor: ACTOR, target: { system: "lawful", recordType: "retention_rule", recordId: rule.id } });
  }
}
