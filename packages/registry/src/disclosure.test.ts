import { describe, expect, it } from "vitest";
import { createMemoryAuditSink, type AuditEventInput } from "@lawful/core";
import { createRegistry } from "./registry.js";
import { createMemoryRegistryStore } from "./stores/memory.js";
import { createCrmFixtureRegistry } from "./testing/fixtures.js";

const T = "acme-crm";
const actor = { type: "staff" as const, id: "u_dpo" };
const fixtureRegistry = () => createCrmFixtureRegistry({ tenantId: T });

const ada = { kind: "email" as const, value: "Ada@Example.com" };

describe("disclosure log", () => {
  it("recordDisclosure - records who received which categories, pseudonymised, and writes data.transferred", async () => {
    const { registry, audit, clock } = await fixtureRegistry();
    const before = audit.events.length;
    const d = await registry.recordDisclosure(T, { recipientId: "mailer", subject: ada, categories: ["contact.email", "identity.name", "contact.email"], purpose: "newsletter" }, { actor });
    expect(d.subjectPseudonym).toMatch(/^ps1_[A-Za-z0-9_-]{43}$/);
    expect(d.categories).toEqual(["contact.email", "identity.name"]);
    expect(d.country).toBe("IE");
    expect(d.occurredAt).toEqual(clock.now());
    expect(JSON.stringify(d)).not.toContain("example.com");
    const event = audit.events[before]!;
    expect(event.action).toBe("data.transferred");
    expect(event.recipient).toEqual({ partyId: "mailer", country: "IE", categories: ["contact.email", "identity.name"] });
    expect(event.subject).toEqual({ kind: "email", value: "ada@example.com" });
  });

  it("recordDisclosureFromAuditEvent - maps a data.transferred event, once per event id, without a new audit event", async () => {
    const { registry, audit } = await fixtureRegistry();
    const before = audit.events.length;
    const event: AuditEventInput = {
      tenantId: T,
      action: "data.transferred",
      actor: { type: "system", id: "crm" },
      occurredAt: "2026-02-20T10:00:00Z",
      subjectPseudonym: "ps1_known",
      recipient: { partyId: "analytics", country: "US", categories: ["online.ip_address"] },
      purpose: "analytics",
    };
    const first = await registry.recordDisclosureFromAuditEvent(event, { eventId: "acme-crm:17" });
    const again = await registry.recordDisclosureFromAuditEvent(event, { eventId: "acme-crm:17" });
    expect(again.id).toBe(first.id);
    expect(first.origin).toBe("audit");
    expect(first.occurredAt.toISOString()).toBe("2026-02-20T10:00:00.000Z");
    expect(await registry.listDisclosures(T, { subjectPseudonym: "ps1_known" })).toHaveLength(1);
    expect(audit.events.length).toBe(before);
  });

  it("recordDisclosureFromAuditEvent - refuses events that do not describe a disclosure, listing every problem", async () => {
    const { registry } = await fixtureRegistry();
    await expect(registry.recordDisclosureFromAuditEvent({ tenantId: T, action: "data.accessed", actor })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [expect.objectContaining({ path: ["action"] }), expect.objectContaining({ path: ["recipient"] }), expect.objectContaining({ path: ["subject"] }), expect.objectContaining({ path: ["recipient", "categories"] })],
    });
  });

  it("recordDisclosure - refuses an unregistered recipient and a clear subject without a pseudonymizer", async () => {
    const { registry } = await fixtureRegistry();
    await expect(registry.recordDisclosure(T, { recipientId: "stranger", subjectPseudonym: "ps1_x", categories: ["contact.email"] }, { actor })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [expect.objectContaining({ path: ["recipientId"] })],
    });
    const bare = createRegistry({ store: createMemoryRegistryStore(), audit: createMemoryAuditSink() });
    await expect(bare.recipientsForSubject(T, { subject: ada })).rejects.toMatchObject({ code: "INVALID_CONFIGURATION" });
  });

  it("recipientsForSubject - names the actual recipients with categories, dates and third-country safeguards", async () => {
    const { registry, clock } = await fixtureRegistry();
    await registry.recordDisclosure(T, { recipientId: "mailer", subject: ada, categories: ["contact.email"], purpose: "newsletter" }, { actor });
    clock.advance({ days: 2 });
    await registry.recordDisclosure(T, { recipientId: "mailer", subject: ada, categories: ["identity.name"], purpose: "crm" }, { actor });
    await registry.recordDisclosure(T, { recipientId: "analytics", subject: ada, categories: ["online.ip_address"], purpose: "analytics" }, { actor });
    await registry.recordDisclosure(T, { recipientId: "hosting", subject: { kind: "email", value: "bob@example.com" }, categories: ["contact.email"] }, { actor });
    const recipients = await registry.recipientsForSubject(T, { subject: { kind: "email", value: "ada@example.com" } });
    expect(recipients.map((r) => r.recipient.legalName)).toEqual(["Metrics Analytics Inc.", "Postbote Mail Ltd"]);
    const [analytics, mailer] = recipients;
    expect(mailer).toMatchObject({ categories: ["contact.email", "identity.name"], purposes: ["crm", "newsletter"], disclosures: 2, thirdCountry: false, countries: ["IE"] });
    expect(mailer!.lastDisclosedAt.getTime() - mailer!.firstDisclosedAt.getTime()).toBe(2 * 86_400_000);
    expect(mailer!.safeguard).toBeUndefined();
    expect(analytics).toMatchObject({ thirdCountry: true, countries: ["US"], safeguard: { kind: "adequacy", coversSubset: "DPF-certified" } });
    expect(analytics!.recipient.contact.email).toBe("privacy@metrics.example");
  });

  it("recipientsForSubject - with categories, names only the recipients of those categories (Art. 19)", async () => {
    const { registry } = await fixtureRegistry();
    await registry.recordDisclosure(T, { recipientId: "mailer", subject: ada, categories: ["contact.email"] }, { actor });
    await registry.recordDisclosure(T, { recipientId: "analytics", subject: ada, categories: ["online.ip_address"] }, { actor });
    await registry.recordDisclosure(T, { recipientId: "hosting", subject: ada, categories: ["contact"] }, { actor });
    const emailRecipients = await registry.recipientsForSubject(T, { subject: ada, categories: ["contact.email"] });
    expect(emailRecipients.map((r) => r.recipient.id)).toEqual(["hosting", "mailer"]);
    const online = await registry.recipientsForSubject(T, { subject: ada, categories: ["online"] });
    expect(online.map((r) => r.recipient.id)).toEqual(["analytics"]);
    await expect(registry.recipientsForSubject(T, { subject: ada, categories: [] })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("listDisclosures - queries by subject, recipient and time", async () => {
    const { registry, clock } = await fixtureRegistry();
    const start = clock.now();
    await registry.recordDisclosure(T, { recipientId: "mailer", subject: ada, categories: ["contact.email"] }, { actor });
    clock.advance({ hours: 1 });
    await registry.recordDisclosure(T, { recipientId: "hosting", subject: ada, categories: ["contact.email"] }, { actor });
    expect(await registry.listDisclosures(T, { subject: ada })).toHaveLength(2);
    expect((await registry.listDisclosures(T, { recipientId: "hosting" })).map((d) => d.recipientId)).toEqual(["hosting"]);
    expect(await registry.listDisclosures(T, { from: start, to: new Date(start.getTime() + 1) })).toHaveLength(1);
  });
});
