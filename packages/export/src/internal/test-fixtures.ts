import type { AccessPackageInput } from "../index.js";

export const GENERATED_AT = new Date("2026-03-01T12:00:00.000Z");

export function accessInput(overrides: Partial<AccessPackageInput> = {}): AccessPackageInput {
  return {
    controller: { id: "acme", name: "Acme GmbH", contact: "privacy@acme.example", dpoContact: "dpo@acme.example" },
    subjectPseudonym: "ps1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    generatedAt: GENERATED_AT,
    language: "en",
    information: {
      purposes: [
        { id: "newsletter", name: "Newsletter", lawfulBasis: "consent" },
        { id: "crm", name: "Customer relationship", lawfulBasis: "contract" },
      ],
      categories: [{ key: "contact.email" }, { key: "online.ip_address" }],
      recipients: [
        { name: "Mailer Ltd", type: "named", role: "processor", country: "IE", thirdCountry: false, purposes: ["Newsletter"] },
        { name: "Cloud Inc", type: "named", role: "processor", country: "US", thirdCountry: true },
      ],
      retention: [{ scope: "contact.email", period: "until you unsubscribe" }, { scope: "invoices", criteria: "10 years under German tax law" }],
      complaintRight: { authority: "BfDI", url: "https://www.bfdi.bund.de" },
      sources: [{ source: "Trade fair list", publiclyAvailable: false, categories: ["contact.email"] }],
      automatedDecisions: [],
      transferSafeguards: [{ country: "US", mechanism: "EU-US Data Privacy Framework", recipients: ["Cloud Inc"] }],
    },
    entities: [
      {
        name: "contacts",
        sourceSystem: "crm",
        columns: [
          { name: "email", category: "contact.email", nullable: false },
          { name: "name", category: "identity.name" },
          { name: "score", type: "number", provenance: "inferred" },
          { name: "last_seen", type: "datetime", provenance: "observed" },
          { name: "avatar", type: "binary" },
          { name: "prefs", type: "json" },
        ],
        rows: () => [
          { email: "ada@example.com", name: 'Ada "=HYPERLINK()" <b>L</b>', score: 0.75, last_seen: new Date("2026-02-01T00:00:00Z"), avatar: new Uint8Array([0, 1]), prefs: { topics: ["ai"] } },
          { email: "ada+2@example.com", name: null, score: null, last_seen: null, avatar: null, prefs: null },
        ],
      },
    ],
    consentHistory: [
      {
        purpose: "newsletter",
        action: "given",
        occurredAt: "2026-01-01T10:00:00Z",
        method: "double_opt_in",
        noticeId: "signup",
        noticeVersion: "3",
        noticeHash: "a".repeat(64),
        ipAddress: "203.0.113.7",
        userAgent: "Mozilla/5.0",
        formUrl: "https://acme.example/signup",
        doubleOptInConfirmedAt: new Date("2026-01-01T10:05:00Z"),
        proofId: "ev_1",
      },
    ],
    ...overrides,
  };
}
