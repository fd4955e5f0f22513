import { describe, expect, it } from "vitest";
import { decideFromState, projectConsentState } from "./decision.js";
import { ADA, makeService, seed } from "./internal/test-fixtures.js";
import type { RecordEventInput } from "./model.js";

const ev = { collectionPoint: "signup-form", defaultState: "unchecked" as const, ip: "203.0.113.7", userAgent: "UA/1" };

function given(purposeId: string, extra: Partial<RecordEventInput> = {}): RecordEventInput {
  return {
    tenantId: "acme",
    subject: ADA,
    purposeId,
    type: "given",
    method: "checkbox_checked",
    notice: { noticeId: purposeId === "casl-news" ? "casl" : "signup", version: 1 },
    evidence: ev,
    ...extra,
  };
}

describe("decision table", () => {
  it("never given: an opt-in purpose is denied with never_given, an opt-out (CAN-SPAM) purpose is allowed", async () => {
    const { service } = makeService();
    await seed(service);
    const d = await service.decide("acme", ADA, "newsletter");
    expect(d).toMatchObject({ allowed: false, reason: "never_given", decidingEventId: null });
    const us = await service.decide("acme", ADA, "us-promo");
    expect(us).toMatchObject({ allowed: true, basis: "can_spam", reason: null });
  });

  it("GDPR consent given → allowed since the event, no until", async () => {
    const { service, clock } = makeService();
    await seed(service);
    const e = await service.record(given("newsletter"));
    clock.advance({ days: 400 });
    const d = await service.decide("acme", ADA, "newsletter");
    expect(d).toMatchObject({ allowed: true, basis: "gdpr_consent", decidingEventId: e.id, until: null });
    expect(d.since?.toISOString()).toBe("2025-03-05T10:00:00.000Z");
  });

  it("withdrawal then renewal: withdrawn denies, a later positive renewal allows again, history keeps every event", async () => {
    const { service, clock } = makeService();
    await seed(service);
    await service.record(given("newsletter"));
    clock.advance({ days: 10 });
    const w = await service.withdraw("acme", ADA, "newsletter", { evidence: { collectionPoint: "footer-link" } });
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "withdrawn", decidingEventId: w.id });
    clock.advance({ days: 10 });
    const r = await service.record(given("newsletter", { type: "renewed" }));
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true, decidingEventId: r.id });
    // decisions for past instants replay the history
    const past = await service.decide("acme", ADA, "newsletter", new Date("2025-03-20T00:00:00Z"));
    expect(past).toMatchObject({ allowed: false, reason: "withdrawn", decidingEventId: w.id });
    expect((await service.history("acme", ADA, "newsletter")).map((e) => e.type)).toEqual(["given", "withdrawn", "renewed"]);
  });

  it("CASL implied consent from an inquiry expires after 6 months; a purchase renews it for 2 years", async () => {
    const { service, clock } = makeService();
    await seed(service);
    const inquiry = await service.record(given("casl-news", { method: "transaction", basis: { type: "casl_implied", kind: "inquiry" }, notice: undefined }));
    expect(inquiry.expiresAt?.toISOString()).toBe("2025-09-05T10:00:00.000Z");
    expect(await service.decide("acme", ADA, "casl-news", new Date("2025-09-05T09:59:59Z"))).toMatchObject({ allowed: true, basis: "casl_implied" });
    const expired = await service.decide("acme", ADA, "casl-news", new Date("2025-09-05T10:00:00Z"));
    expect(expired).toMatchObject({ allowed: false, reason: "expired", decidingEventId: inquiry.id });
    clock.set("2025-08-01T10:00:00Z");
    const purchase = await service.record(given("casl-news", { type: "renewed", method: "transaction", basis: { type: "casl_implied", kind: "purchase" }, notice: undefined }));
    const d = await service.decide("acme", ADA, "casl-news", new Date("2026-01-01T00:00:00Z"));
    expect(d).toMatchObject({ allowed: true, decidingEventId: purchase.id });
    expect(d.until?.toISOString()).toBe("2027-08-01T10:00:00.000Z");
    expect(await service.decide("acme", ADA, "casl-news", new Date("2027-08-01T10:00:00Z"))).toMatchObject({ allowed: false, reason: "expired" });
  });

  it("CASL: express consent does not expire and is not shortened by a later implied event", async () => {
    const { service } = makeService();
    await seed(service);
    const express = await service.record(given("casl-news", { basis: { type: "casl_express" }, evidence: { ...ev, ageGateResult: "adult" } }));
    expect(express.evidence.ageGateResult).toBe("adult");
    await service.record(given("casl-news", { type: "renewed", method: "transaction", basis: { type: "casl_implied", kind: "inquiry" }, notice: undefined }));
    const d = await service.decide("acme", ADA, "casl-news", new Date("2040-01-01T00:00:00Z"));
    expect(d).toMatchObject({ allowed: true, basis: "casl_express", decidingEventId: express.id, until: null });
  });

  it("CASL: an implied qualifying event does not override a withdrawal", async () => {
    const { service } = makeService();
    await seed(service);
    await service.record(given("casl-news", { basis: { type: "casl_express" } }));
    await service.withdraw("acme", ADA, "casl-news", { evidence: { collectionPoint: "unsubscribe" } });
    await service.record(given("casl-news", { type: "renewed", method: "transaction", basis: { type: "casl_implied", kind: "purchase" }, notice: undefined }));
    expect(await service.decide("acme", ADA, "casl-news")).toMatchObject({ allowed: false, reason: "withdrawn" });
  });

  it("expireDue appends expired events for lapsed implied consents", async () => {
    const { service, clock } = makeService();
    await seed(service);
    await service.record(given("casl-news", { method: "transaction", basis: { type: "casl_implied", kind: "inquiry" }, notice: undefined }));
    clock.set("2025-10-01T00:00:00Z");
    const out = await service.expireDue("acme");
    expect(out.map((e) => e.type)).toEqual(["expired"]);
    expect(await service.decide("acme", ADA, "casl-news")).toMatchObject({ allowed: false, reason: "expired", decidingEventId: out[0]!.id });
    expect(await service.expireDue("acme")).toEqual([]);
  });

  it("GPC then explicit opt-in: GPC opts out of sale/sharing (US-CA), a later explicit choice overrides it", async () => {
    const { service, clock } = makeService();
    await seed(service);
    expect(await service.decide("acme", ADA, "sale")).toMatchObject({ allowed: true, basis: "opt_out_model" });
    const g = await service.recordGpcSignal({ tenantId: "acme", subject: ADA, signal: true, evidence: { collectionPoint: "web", ip: "198.51.100.4" } });
    expect(g.applied).toBe(true);
    expect(g.honourBy).toBeInstanceOf(Date);
    expect(g.reOptInAllowedAfter?.toISOString()).toBe("2026-03-05T10:00:00.000Z");
    expect(await service.decide("acme", ADA, "sale")).toMatchObject({ allowed: false, reason: "gpc", decidingEventId: g.events[0]!.id });
    // a repeated signal records nothing new
    expect((await service.recordGpcSignal({ tenantId: "acme", subject: ADA, signal: true, evidence: { collectionPoint: "web" } })).events).toHaveLength(0);
    clock.advance({ days: 1 });
    const optIn = await service.record({ tenantId: "acme", subject: ADA, purposeId: "sale", type: "given", method: "button_clicked", basis: { type: "lawful_basis", lawfulBasis: "consent" }, evidence: { collectionPoint: "preferences" } });
    expect(await service.decide("acme", ADA, "sale")).toMatchObject({ allowed: true, decidingEventId: optIn.id });
  });

  it("GPC has no effect on purposes outside the configured regimes", async () => {
    const { service } = makeService();
    await seed(service);
    await service.definePurpose({ tenantId: "acme", id: "eu-share", name: "EU sharing", channel: "web", lawfulBasis: "consent", regime: "EU", saleOrSharing: true });
    const g = await service.recordGpcSignal({ tenantId: "acme", subject: ADA, signal: true, evidence: { collectionPoint: "web" } });
    expect(g.events.map((e) => e.purposeId)).toEqual(["sale"]);
  });

  it("ePrivacy soft opt-in needs the originating sale and the objection offered at collection", async () => {
    const { service } = makeService();
    await seed(service);
    const ok = await service.record(
      given("newsletter", { method: "transaction", basis: { type: "eprivacy_soft_opt_in", originTransactionId: "order-1", objectionOfferedAtCollection: true }, notice: undefined }),
    );
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true, basis: "eprivacy_soft_opt_in", decidingEventId: ok.id });
    await expect(
      service.record(given("newsletter", { method: "transaction", basis: { type: "eprivacy_soft_opt_in", originTransactionId: "order-1", objectionOfferedAtCollection: false as true } })),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED", name: "ConsentError" });
  });

  it("objection to direct marketing is absolute and suppresses the subject", async () => {
    const { service } = makeService();
    await seed(service);
    await service.record(given("newsletter"));
    const o = await service.object("acme", ADA, "newsletter", { evidence: { collectionPoint: "reply" } });
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "suppressed" });
    expect(await service.isSuppressed("acme", ADA)).toBe(true);
    expect(o.type).toBe("objected");
    expect(await service.decide("acme", ADA, "us-promo")).toMatchObject({ allowed: false, reason: "suppressed" });
    // an objection to direct marketing covers every channel
    await service.definePurpose({ tenantId: "acme", id: "sms-promo", name: "SMS", channel: "sms", lawfulBasis: "consent", regime: "US", model: "opt_out" });
    expect(await service.decide("acme", ADA, "sms-promo")).toMatchObject({ allowed: false, reason: "suppressed" });
  });

  it("restriction denies every purpose until lifted after notifying the subject", async () => {
    const { service } = makeService();
    await seed(service);
    await service.record(given("newsletter"));
    await service.restrict("acme", ADA, { reason: "accuracy contested" });
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "restricted" });
    await expect(service.liftRestriction("acme", ADA, {} as never)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await service.liftRestriction("acme", ADA, { notifiedAt: new Date() });
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true });
  });

  it("refusal is recorded and denies with refused", async () => {
    const { service } = makeService();
    await seed(service);
    await service.record(given("newsletter", { type: "refused", method: "checkbox_unchecked" }));
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "refused" });
  });

  it("CAN-SPAM opt-out model: allowed until unsubscribed; suppression survives erasure", async () => {
    const { service } = makeService();
    await seed(service);
    await service.definePurpose({ tenantId: "acme", id: "sms-promo", name: "SMS", channel: "sms", lawfulBasis: "consent", regime: "US", model: "opt_out" });
    const { token } = service.createUnsubscribeToken({ tenantId: "acme", subject: ADA, purposeIds: "all", regimes: ["US"] });
    await service.handleUnsubscribe({ token, httpMethod: "POST", body: "List-Unsubscribe=One-Click" });
    expect(await service.decide("acme", ADA, "us-promo")).toMatchObject({ allowed: false });
    // an e-mail unsubscribe suppresses e-mail, not SMS
    expect(await service.decide("acme", ADA, "sms-promo")).toMatchObject({ allowed: true });
    await service.eraseSubject("acme", ADA);
    expect(await service.history("acme", ADA)).toEqual([]);
    expect(await service.decide("acme", ADA, "us-promo")).toMatchObject({ allowed: false, reason: "suppressed" });
  });
});

describe("projection invariant (property)", () => {
  it("applyConsentEvent - the stored projection always equals a replay of the history, also with back-dated events", async () => {
    const fc = await import("fast-check");
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom("given", "renewed", "withdrawn", "refused", "gpc", "implied", "objected"),
            offsetDays: fc.integer({ min: -30, max: 60 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (ops) => {
          const { service, store } = makeService();
          await seed(service);
          const base = Date.parse("2025-03-05T10:00:00Z");
          for (const { op, offsetDays } of ops) {
            const occurredAt = new Date(base + offsetDays * 86_400_000);
            const common = { tenantId: "acme", subject: ADA, purposeId: "casl-news", evidence: { collectionPoint: "p" }, occurredAt };
            if (op === "given" || op === "renewed") await service.record({ ...common, type: op, method: "checkbox_checked", notice: { noticeId: "casl", version: 1 } });
            else if (op === "implied") await service.record({ ...common, type: "renewed", method: "transaction", basis: { type: "casl_implied", kind: "inquiry" } });
            else if (op === "gpc") await service.record({ ...common, type: "withdrawn", method: "gpc_signal" });
            else if (op === "objected") await service.record({ ...common, type: "objected", method: "preference_center" });
            else await service.record({ ...common, type: op, method: "preference_center" });
          }
          const ps = service.pseudonymOf("acme", ADA);
          const history = await store.listEvents("acme", ps, "casl-news");
          const [stored] = await store.readStates("acme", ps, ["casl-news"]);
          const replay = projectConsentState(history);
          expect(stored).toEqual(replay);
          // decisions at any instant equal the pure decision over the replay up to that instant
          for (const probe of [base - 10 * 86_400_000, base + 5 * 86_400_000, base + 200 * 86_400_000]) {
            const at = new Date(probe);
            const purpose = (await service.listPurposes("acme")).find((p) => p.id === "casl-news")!;
            const expected = decideFromState(purpose, { purposeState: projectConsentState(history, at), restricted: undefined, suppressed: undefined }, at);
            expect(await service.decide("acme", ADA, "casl-news", at)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
