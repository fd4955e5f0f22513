/**
 * The company of this example, as code: Elbkaffee Rösterei GmbH, a small coffee roaster in
 * Hamburg selling beans online to consumers. Every processor, sub-processor and recipient it uses,
 * its processing purposes and its retention rules live here, in version control, reviewed like code.
 */
import type { OrganisationIdentity, PartyInput, RopaPurpose, RopaRetentionRule } from "@lawful/registry";

/** The controller keeping the records (Art. 30(1)(a)): name, address, contact and DPO. */
export const controller: OrganisationIdentity = {
  name: "Elbkaffee Rösterei GmbH",
  address: { lines: ["Stresemannstraße 120"], locality: "Hamburg", postalCode: "22769", country: "DE" },
  contact: { email: "privacy@elbkaffee.example", phone: "+49 40 1234567", url: "https://elbkaffee.example/privacy" },
  dpo: { email: "dpo@elbkaffee.example" },
};

/** The general description of the Art. 32 measures (Art. 30(1)(g)). */
export const securityMeasures =
  "Hosting in ISO 27001 certified data centres in Germany; TLS for all traffic; encryption at rest; " +
  "role-based access with two-factor authentication; access logging; daily encrypted backups; annual DPA reviews.";

const fullChecklist = { a: true, b: true, c: true, d: true, e: true, f: true, g: true, h: true } as const;

/** Processors, sub-processors and independent controllers, keyed by party id. */
export const parties = {
  hosting: {
    id: "hosting",
    role: "processor",
    legalName: "Elbhost Rechenzentrum GmbH",
    address: { lines: ["Hafenstraße 7"], locality: "Hamburg", postalCode: "20359", country: "DE" },
    contact: { email: "privacy@elbhost.example", url: "https://elbhost.example/privacy" },
    dpo: { email: "dpo@elbhost.example" },
    country: "DE",
    services: ["Hosting of the web shop and its database", "Encrypted backups"],
    dataCategories: ["contact", "identity.name", "financial.transactions", "commercial.contract", "commercial.correspondence"],
    purposes: ["orders", "newsletter", "support"],
    subjectCategories: ["customers", "newsletter subscribers"],
    securityMeasures: "ISO 27001 certified data centres in Hamburg, encryption at rest, access logging",
    dpa: {
      reference: "AVV-ELBHOST-2025",
      signedAt: "2025-11-03",
      subjectMatter: "Hosting of the web shop",
      duration: "Term of the hosting contract plus 30 days for return and deletion",
      natureAndPurpose: "Storage and operation of the shop database on the controller's instructions",
      dataTypes: ["contact", "identity.name", "financial.transactions", "commercial.contract", "commercial.correspondence"],
      subjectCategories: ["customers", "newsletter subscribers"],
      checklist: fullChecklist,
    },
  },
  newsletter: {
    id: "newsletter-tool",
    role: "processor",
    legalName: "Brevio SAS",
    address: { lines: ["12 rue de la Paix"], locality: "Paris", postalCode: "75002", country: "FR" },
    contact: { email: "privacy@brevio.example" },
    dpo: { email: "dpo@brevio.example" },
    country: "FR",
    services: ["Newsletter sending", "Open and click statistics"],
    dataCategories: ["contact.email", "identity.name", "behaviour.email_engagement"],
    purposes: ["newsletter"],
    subjectCategories: ["newsletter subscribers"],
    dpa: {
      reference: "DPA-BREVIO-2025-118",
      signedAt: "2025-11-10",
      subjectMatter: "Sending the Elbkaffee newsletter",
      duration: "Term of the subscription",
      natureAndPurpose: "Storing the subscriber list and sending e-mails on the controller's instructions",
      dataTypes: ["contact.email", "identity.name", "behaviour.email_engagement"],
      subjectCategories: ["newsletter subscribers"],
      checklist: fullChecklist,
    },
  },
  // engaged by the newsletter tool under a general written authorisation (Art. 28(2)):
  // a change notice with a 30-day objection window comes before it may be used
  relay: {
    id: "smtp-relay",
    role: "subprocessor",
    parentId: "newsletter-tool",
    authorisationType: "general",
    noticePeriodDays: 30,
    legalName: "PostRelay Inc.",
    address: { lines: ["200 Pine Street"], locality: "Seattle", region: "WA", postalCode: "98101", country: "US" },
    contact: { email: "privacy@postrelay.example" },
    country: "US",
    services: ["Outbound e-mail relay"],
    dataCategories: ["contact.email"],
    purposes: ["newsletter"],
    subjectCategories: ["newsletter subscribers"],
    transfer: { kind: "scc", instrument: "2021/914", module: 3, tiaRef: "TIA-2026-002", supplementaryMeasures: "TLS 1.3 in transit; messages deleted after delivery" },
  },
  support: {
    id: "helpdesk",
    role: "processor",
    legalName: "HelpLoop Inc.",
    address: { lines: ["1 Market Plaza"], locality: "San Francisco", region: "CA", postalCode: "94105", country: "US" },
    contact: { email: "privacy@helploop.example" },
    representative: { name: "HelpLoop EU Representative Ltd", contact: { email: "eu-rep@helploop.example" }, country: "IE" },
    country: "US",
    services: ["Customer support ticketing"],
    dataCategories: ["contact.email", "identity.name", "commercial.correspondence"],
    purposes: ["support"],
    subjectCategories: ["customers"],
    // the EU–US Data Privacy Framework covers only organisations on the DPF List (DOMAIN.md D5)
    transfer: {
      kind: "adequacy",
      decisionId: "(EU) 2023/1795",
      coversSubset: "DPF-certified",
      dpfCertification: { listed: true, ukExtension: false, checkedAt: "2026-01-12" },
      lastCheckedAt: "2026-01-12",
    },
    dpa: {
      reference: "DPA-HELPLOOP-77",
      signedAt: "2025-12-01",
      subjectMatter: "Customer support ticketing",
      duration: "Term of the subscription plus 30 days",
      natureAndPurpose: "Storing and routing support conversations on the controller's instructions",
      dataTypes: ["contact.email", "identity.name", "commercial.correspondence"],
      subjectCategories: ["customers"],
      checklist: fullChecklist,
    },
  },
  payments: {
    id: "payments",
    role: "independent_controller",
    legalName: "PayFlux Europe S.A.",
    address: { lines: ["5 rue Eugène Ruppert"], locality: "Luxembourg", postalCode: "2453", country: "LU" },
    contact: { email: "privacy@payflux.example" },
    country: "LU",
    services: ["Card and wallet payments"],
    dataCategories: ["identity.name", "financial.payment", "financial.transactions"],
    purposes: ["orders"],
    subjectCategories: ["customers"],
    disclosureBasis: "contract",
  },
  carrier: {
    id: "carrier",
    role: "independent_controller",
    legalName: "Nordpaket Logistik GmbH",
    address: { lines: ["Am Speicher 3"], locality: "Bremen", postalCode: "28217", country: "DE" },
    contact: { email: "datenschutz@nordpaket.example" },
    country: "DE",
    services: ["Parcel delivery"],
    dataCategories: ["identity.name", "contact.postal", "contact.email"],
    purposes: ["orders"],
    subjectCategories: ["customers"],
    disclosureBasis: "contract",
  },
} satisfies Record<string, PartyInput>;

/** The processing activities (one Art. 30(1) record each). */
export const purposes: RopaPurpose[] = [
  {
    id: "orders",
    name: "Online orders",
    description: "Taking, paying for, shipping and invoicing orders",
    lawfulBasis: "contract",
    dataCategories: ["identity.name", "contact.email", "contact.postal", "financial.transactions", "commercial.contract"],
    subjectCategories: ["customers"],
  },
  {
    id: "newsletter",
    name: "Newsletter",
    description: "Monthly e-mail about new roasts, sent only with consent",
    lawfulBasis: "consent",
    dataCategories: ["contact.email", "identity.name", "behaviour.email_engagement"],
    subjectCategories: ["newsletter subscribers"],
  },
  {
    id: "support",
    name: "Customer support",
    lawfulBasis: "contract",
    dataCategories: ["contact.email", "identity.name", "commercial.correspondence"],
    subjectCategories: ["customers"],
  },
];

/** Retention rules (Art. 30(1)(f)); the German ones follow DOMAIN.md E2 (§ 257 HGB, § 147 AO). */
export const retentionRules: RopaRetentionRule[] = [
  { id: "DE-HGB-257-vouchers-8y", dataCategories: ["financial.transactions"], period: "P8Y", trigger: "end of the calendar year of the invoice", description: "§ 147 AO, § 257 HGB (accounting vouchers)" },
  { id: "DE-HGB-257-letters-6y", dataCategories: ["commercial.contract", "commercial.correspondence"], period: "P6Y", trigger: "end of the calendar year of the letter", description: "§ 257 HGB (business letters)" },
  { id: "customer-contact-3y", dataCategories: ["contact", "identity"], purposes: ["orders", "support"], period: "P3Y", trigger: "last order" },
  { id: "newsletter-until-withdrawal", dataCategories: ["contact.email", "identity.name", "behaviour.email_engagement"], purposes: ["newsletter"], period: "P30D", trigger: "withdrawal of consent" },
];
