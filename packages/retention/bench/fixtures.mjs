// Shared fixtures of the retention benchmarks: 20 rules, 2 holds and a deterministic record generator.
const TYPES = ["lead", "contact", "invoice", "voucher", "ledger", "business_letter", "consent_event", "privacy_request_record", "security_incident", "note"];
const CATS = ["contact.email", "contact.phone", "consent.proof", "financial.transactions", "behaviour.web_activity"];
const DAY = 86_400_000;
const BASE = Date.UTC(2015, 0, 1);

export const now = new Date("2026-06-01T00:00:00Z");

export const rules = [
  { id: "DE-books-10y", title: "Books", kind: "minimum", action: "delete", duration: "P10Y", trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["ledger"] } },
  { id: "DE-vouchers-10y", title: "Vouchers", kind: "minimum", action: "delete", duration: "P10Y", trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["invoice", "voucher"] }, effectiveUntil: "2025-01-01T00:00:00Z" },
  { id: "DE-vouchers-8y", title: "Vouchers", kind: "minimum", action: "delete", duration: "P8Y", trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["invoice", "voucher"] }, effectiveFrom: "2025-01-01T00:00:00Z", extendWhile: "taxAssessmentOpen" },
  { id: "DE-letters-6y", title: "Letters", kind: "minimum", action: "delete", duration: "P6Y", trigger: { type: "endOfCalendarYear", field: "created" }, selectors: { recordTypes: ["business_letter"] } },
  { id: "ccpa-records-24m", title: "CCPA records", kind: "minimum", action: "review", duration: "P24M", trigger: { type: "created" }, selectors: { recordTypes: ["privacy_request_record"], regimes: ["US-CA"] } },
  { id: "lgpd-incidents-5y", title: "Incidents", kind: "minimum", action: "review", duration: "P5Y", trigger: { type: "created" }, selectors: { recordTypes: ["security_incident"], regimes: ["BR"] } },
  { id: "consent-proof-3y", title: "Consent proof", kind: "maximum", action: "delete", duration: "P3Y", trigger: { type: "endOfCalendarYear", field: "consentWithdrawn" }, selectors: { categories: ["consent.proof"], regimes: ["EU", "UK"] } },
  { id: "casl-evidence", title: "CASL evidence", kind: "maximum", action: "review", duration: "P3Y", trigger: { type: "consentWithdrawn" }, selectors: { categories: ["consent.proof"], regimes: ["CA"] } },
  { id: "leads-inactive-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"] } },
  { id: "leads-review-18m", title: "Lead review", kind: "maximum", action: "review", duration: "P18M", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"], purposes: ["marketing"] } },
  { id: "contacts-closed-anon-1y", title: "Closed accounts", kind: "maximum", action: "anonymise", duration: "P1Y", trigger: { type: "accountClosed" }, selectors: { recordTypes: ["contact"] } },
  { id: "contacts-contract-min-3y", title: "Contract claims", kind: "minimum", duration: "P3Y", trigger: { type: "endOfCalendarYear", field: "contractEnd" }, selectors: { recordTypes: ["contact"], categories: ["contact.email"] } },
  { id: "contacts-inactive-5y", title: "Inactive contacts", kind: "maximum", action: "delete", duration: "P5Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["contact"] } },
  { id: "web-activity-13m", title: "Web analytics", kind: "maximum", action: "delete", duration: "P13M", trigger: { type: "created" }, selectors: { categories: ["behaviour.web_activity"] } },
  { id: "phone-archive-4y", title: "Phone archive", kind: "maximum", action: "archive", duration: "P4Y", trigger: { type: "created" }, selectors: { categories: ["contact.phone"], tenants: ["acme"] } },
  { id: "notes-review-3y", title: "Notes", kind: "maximum", action: "review", duration: "P3Y", trigger: { type: "created" }, selectors: { recordTypes: ["note"] } },
  { id: "notes-delete-6y", title: "Notes", kind: "maximum", action: "delete", duration: "P6Y", trigger: { type: "created" }, selectors: { recordTypes: ["note"] } },
  { id: "consent-events-min-1y", title: "Consent events", kind: "minimum", duration: "P1Y", trigger: { type: "created" }, selectors: { recordTypes: ["consent_event"] } },
  { id: "consent-events-max-10y", title: "Consent events", kind: "maximum", action: "delete", duration: "P10Y", trigger: { type: "created" }, selectors: { recordTypes: ["consent_event"] } },
  { id: "everything-review-12y", title: "Catch-all", kind: "maximum", action: "review", duration: "P12Y", trigger: { type: "created" } },
];

export const holds = [
  { id: "hold-claim-17", matter: "Claim 17", scope: { subjectIds: ["s-17", "s-4242"] }, issuedBy: "legal", issuedAt: "2025-01-01T00:00:00Z" },
  { id: "hold-audit-erp", matter: "Tax audit", scope: { systems: ["erp"], dateRange: { from: "2018-01-01T00:00:00Z", to: "2019-01-01T00:00:00Z" } }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" },
];

const REGIMES = [["EU"], ["US-CA"], ["CA"], ["BR"], ["UK"]];

/** The i-th record: deterministic, varied, dates as Date objects. */
export function makeRecord(i) {
  const type = TYPES[i % TYPES.length];
  const created = BASE + ((i * 7919) % 4000) * DAY;
  const r = {
    id: `rec-${i}`,
    recordType: type,
    tenantId: i % 3 === 0 ? "acme" : "globex",
    categories: [CATS[i % CATS.length], CATS[(i >> 3) % CATS.length]],
    purposes: i % 2 ? ["marketing"] : ["service"],
    regimes: REGIMES[i % REGIMES.length],
    system: i % 4 === 0 ? "erp" : "crm",
    subjectId: `s-${i % 10_000}`,
    createdAt: new Date(created),
  };
  if (i % 5 !== 0) r.lastActivityAt = new Date(created + ((i * 31) % 900) * DAY);
  if (i % 7 === 0) r.contractEndedAt = new Date(created + 400 * DAY);
  if (i % 11 === 0) r.consentWithdrawnAt = new Date(created + 200 * DAY);
  if (i % 13 === 0) r.accountClosedAt = new Date(created + 700 * DAY);
  if (i % 17 === 0) r.flags = { taxAssessmentOpen: true };
  return r;
}

/** Lazily generated records, one at a time (nothing is kept). */
export async function* streamRecords(n) {
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0) await Promise.resolve();
    yield makeRecord(i);
  }
}

/** The same records from a plain (synchronous) generator. */
export function* syncRecords(n) {
  for (let i = 0; i < n; i++) yield makeRecord(i);
}
