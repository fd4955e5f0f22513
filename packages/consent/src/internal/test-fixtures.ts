import { createKeyring, createManualClock, createMemoryAuditSink, createMemoryKeyStore, createPseudonymizer, createUuidV7Generator } from "@lawful/core";
import { parseCookieCatalogue } from "../cookies/catalogue.js";
import { createConsentService, type ConsentServiceOptions } from "../service.js";
import type { ConsentStore } from "../store.js";
import { createMemoryConsentStore } from "../stores/memory.js";

/** Test wiring: a service over `store` (memory by default) with a manual clock and fixed keys. */
export function makeService(store: ConsentStore = createMemoryConsentStore(), start = "2025-03-05T10:00:00Z", extra: Partial<ConsentServiceOptions> = {}) {
  const clock = createManualClock(start);
  const audit = createMemoryAuditSink();
  const keyring = createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: new Uint8Array(32).fill(3) }], currentKekId: "k1", clock });
  const service = createConsentService({
    store,
    audit,
    clock,
    ids: createUuidV7Generator({ clock }),
    pseudonymizer: createPseudonymizer({ key: new Uint8Array(32).fill(1) }),
    keyring,
    suppressionKey: new Uint8Array(32).fill(2),
    tokenKey: new Uint8Array(32).fill(4),
    ...extra,
  });
  return { service, clock, audit, keyring, store };
}

export const ADA = { kind: "email", value: "ada@example.com" } as const;
export const BOB = { kind: "email", value: "bob@example.com" } as const;

/** Define the usual purposes and a published notice for them. */
export async function seed(service: ReturnType<typeof makeService>["service"], tenantId = "acme") {
  await service.definePurpose({ tenantId, id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
  await service.definePurpose({ tenantId, id: "offers", name: "Offers", channel: "email", lawfulBasis: "consent", regime: "EU", doubleOptIn: true });
  await service.definePurpose({ tenantId, id: "casl-news", name: "CASL news", channel: "email", lawfulBasis: "consent", regime: "CA" });
  await service.definePurpose({ tenantId, id: "us-promo", name: "US promotions", channel: "email", lawfulBasis: "consent", regime: "US", model: "opt_out" });
  await service.definePurpose({ tenantId, id: "sale", name: "Sale or sharing", channel: "web", lawfulBasis: "consent", regime: "US-CA", model: "opt_out", saleOrSharing: true });
  const base = {
    tenantId,
    locale: "en",
    contentType: "text/plain" as const,
    controllers: [{ name: "Acme GmbH", contact: "privacy@acme.example" }],
    dataCategories: ["contact.email"],
    withdrawalInfo: "Use the unsubscribe link in every e-mail or write to privacy@acme.example.",
  };
  await service.publishNotice({ ...base, noticeId: "signup", version: 1, content: "Newsletter and offers from Acme.", purposes: ["newsletter", "offers", "us-promo"] });
  await service.publishNotice({
    ...base,
    noticeId: "casl",
    version: 1,
    content: "Acme Inc. news.",
    purposes: ["casl-news"],
    casl: { requesterName: "Acme Inc.", mailingAddress: "1 Main St, Toronto ON", contact: "https://acme.example", withdrawalStatement: "Unsubscribe at any time." },
  });
}

/** A small cookie catalogue for tests. */
export const CATALOGUE = parseCookieCatalogue({
  disclosures: [
    { identifier: "lawful_consent", type: "cookie", maxAgeSeconds: 15552000, purposes: [], category: "strictly_necessary", exemptionRationale: "Stores your cookie choice." },
    { identifier: "_ga", type: "cookie", maxAgeSeconds: 63072000, domain: "*", purposes: [8, 9], category: "analytics", provider: "Google" },
    { identifier: "_fbp", type: "cookie", maxAgeSeconds: 7776000, purposes: [1, 3, 4], category: "marketing", provider: "Meta" },
  ],
});
