import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConsentError } from "./errors.js";
import { ADA, BOB, makeService, seed } from "./internal/test-fixtures.js";
import type { FormSubmission } from "./service.js";

const submission = (over: Partial<FormSubmission> = {}): FormSubmission => ({
  tenantId: "acme",
  formId: "signup",
  pageUrl: "https://acme.example/signup",
  subject: { kind: "email", value: " Ada@Example.com " },
  notice: { noticeId: "signup", version: 1 },
  locale: "en",
  choices: [
    { purposeId: "newsletter", fieldName: "nl", checked: true, defaultChecked: false },
    { purposeId: "us-promo", fieldName: "promo", checked: false, defaultChecked: false },
  ],
  request: { ip: "203.0.113.77", userAgent: "Mozilla/5.0 Test", receivedAt: "2025-03-05T10:00:00Z" },
  ...over,
});

describe("captureForm", () => {
  it("captureForm - turns one submission into one event per purpose with evidence", async () => {
    const { service, audit } = makeService();
    await seed(service);
    const r = await service.captureForm(submission());
    expect(r.events.map((e) => [e.purposeId, e.type, e.method])).toEqual([
      ["newsletter", "given", "checkbox_checked"],
      ["us-promo", "refused", "checkbox_unchecked"],
    ]);
    const e = r.events[0]!;
    expect(e.subjectPseudonym).toMatch(/^ps1_/);
    expect(e.notice).toMatchObject({ noticeId: "signup", version: 1, locale: "en" });
    expect(e.notice?.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(e.evidence).toMatchObject({ collectionPoint: "signup", fieldName: "nl", defaultState: "unchecked", pageUrl: "https://acme.example/signup" });
    expect(e.correlationId).toBe(r.submissionId);
    // no clear identifier, IP or user agent anywhere in the stored event
    const json = JSON.stringify(r.events);
    expect(json).not.toContain("ada@example.com");
    expect(json).not.toContain("203.0.113");
    expect(json).not.toContain("Mozilla");
    expect(await service.evidenceOf(e)).toEqual({ ip: "203.0.113.0", userAgent: "Mozilla/5.0 Test" });
    expect(audit.events.filter((a) => a.action.startsWith("consent.")).map((a) => a.action)).toContain("consent.given");
    expect(JSON.stringify(audit.events)).not.toContain("ada@example.com");
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true });
    expect(await service.decide("acme", ADA, "us-promo")).toMatchObject({ allowed: false, reason: "refused" });
  });

  it("captureForm - refuses the whole submission listing every problem, and stores nothing", async () => {
    const { service, store } = makeService();
    await seed(service);
    const bad = submission({
      subject: { kind: "email", value: "not-an-email" },
      notice: { noticeId: "nope", version: 3 },
      choices: [
        { purposeId: "newsletter", fieldName: "nl", checked: true, defaultChecked: true },
        { purposeId: "unknown-purpose", fieldName: "x", checked: true, defaultChecked: false },
      ],
    });
    const err = await service.captureForm(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsentError);
    const e = err as ConsentError;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.issues.map((i) => i.code).sort()).toEqual(["custom", "missing_notice", "pre_ticked", "unknown_purpose"]);
    expect(e.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["subject.value", "notice", "choices.0.defaultChecked", "choices.1.purposeId"]));
    expect(e.message).not.toContain("not-an-email");
    expect(await store.listEvents("acme", service.pseudonymOf("acme", ADA))).toEqual([]);
  });

  it("captureForm - refuses an unpublished notice", async () => {
    const { service } = makeService();
    await seed(service);
    await service.publishNotice(
      {
        tenantId: "acme",
        noticeId: "signup",
        version: 2,
        locale: "en",
        contentType: "text/plain",
        content: "draft",
        controllers: [{ name: "Acme" }],
        purposes: ["newsletter"],
        dataCategories: ["contact.email"],
        withdrawalInfo: "link",
      },
      { draft: true },
    );
    await expect(service.captureForm(submission({ notice: { noticeId: "signup", version: 2 } }))).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: "unpublished_notice" })],
    });
    await service.publishDraft("acme", "signup", 2);
    await expect(service.publishDraft("acme", "signup", 2)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("captureForm - a pre-ticked box is refused whatever else is right (property)", async () => {
    const { service } = makeService();
    await seed(service);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), async (checked, defaults) => {
        const ids = ["newsletter", "offers", "us-promo"];
        const s = submission({ subject: BOB, choices: ids.map((id, i) => ({ purposeId: id, fieldName: id, checked: checked[i]!, defaultChecked: defaults[i]! })) });
        const before = (await service.history("acme", BOB)).length;
        const result = await service.captureForm(s).then(
          (r) => r,
          (e: unknown) => e as ConsentError,
        );
        const after = (await service.history("acme", BOB)).length;
        if (defaults.some(Boolean)) {
          expect(result).toBeInstanceOf(ConsentError);
          expect((result as ConsentError).issues.filter((i) => i.code === "pre_ticked")).toHaveLength(defaults.filter(Boolean).length);
          expect(after).toBe(before);
        } else {
          expect(after).toBe(before + 3);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("record - consent without a positive act or without the notice is refused", async () => {
    const { service } = makeService();
    await seed(service);
    const err = (await service
      .record({ tenantId: "acme", subject: ADA, purposeId: "newsletter", type: "given", method: "system", evidence: { collectionPoint: "api" } })
      .catch((e: unknown) => e)) as ConsentError;
    expect(err.issues.map((i) => i.code).sort()).toEqual(["missing_notice", "not_positive_act"]);
  });

  it("publishNotice - validates DOMAIN B4 and B12 and hashes the content", async () => {
    const { service } = makeService();
    await seed(service);
    const err = (await service
      .publishNotice({
        tenantId: "acme",
        noticeId: "bad",
        version: 1,
        locale: "en",
        contentType: "text/html",
        content: "<p>x</p>",
        controllers: [],
        purposes: ["casl-news", "ghost"],
        dataCategories: [],
        withdrawalInfo: "",
      })
      .catch((e: unknown) => e)) as ConsentError;
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["controllers", "dataCategories", "withdrawalInfo"]));
    const err2 = (await service
      .publishNotice({ tenantId: "acme", noticeId: "bad", version: 1, locale: "en", contentType: "text/html", content: "<p>x</p>", controllers: [{ name: "A" }], purposes: ["casl-news", "ghost"], dataCategories: ["contact.email"], withdrawalInfo: "w" })
      .catch((e: unknown) => e)) as ConsentError;
    expect(err2.issues.map((i) => i.code).sort()).toEqual(["casl_request_missing", "unknown_purpose"]);
    const n = await service.getNotice("acme", "signup", 1);
    expect(n?.contentSha256).toBe(createHash("sha256").update("Newsletter and offers from Acme.", "utf8").digest("hex"));
    await expect(
      service.publishNotice({ tenantId: "acme", noticeId: "signup", version: 1, locale: "en", contentType: "text/plain", content: "changed", controllers: [{ name: "A" }], purposes: ["newsletter"], dataCategories: ["contact.email"], withdrawalInfo: "w" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("listNotices - lists the tenant's notice versions, drafts included, and nothing of other tenants", async () => {
    const { service } = makeService();
    await seed(service);
    await service.publishNotice(
      { tenantId: "acme", noticeId: "signup", version: 2, locale: "en", contentType: "text/plain", content: "v2 draft", controllers: [{ name: "A" }], purposes: ["newsletter"], dataCategories: ["contact.email"], withdrawalInfo: "w" },
      { draft: true },
    );
    const all = await service.listNotices("acme");
    expect(all.filter((n) => n.noticeId === "signup").map((n) => n.version)).toEqual([1, 2]);
    expect((await service.listNotices("acme", "signup")).every((n) => n.noticeId === "signup")).toBe(true);
    expect(await service.listNotices("other-tenant")).toEqual([]);
  });
});

describe("double opt-in", () => {
  it("confirmDoubleOptIn - the confirmation is its own event with its own evidence; pending until then", async () => {
    const { service, clock } = makeService();
    await seed(service);
    const r = await service.captureForm(submission({ choices: [{ purposeId: "offers", fieldName: "offers", checked: true, defaultChecked: false }] }));
    expect(r.events[0]!.type).toBe("requested");
    expect(r.confirmation).not.toBeNull();
    expect(await service.decide("acme", ADA, "offers")).toMatchObject({ allowed: false, reason: "pending_confirmation" });
    clock.advance({ hours: 2 });
    const confirmed = await service.confirmDoubleOptIn(r.confirmation!.token, { ip: "2001:db8:1234:5678::1", userAgent: "Phone" });
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({ type: "given", method: "double_opt_in_confirmed", relatedEventId: r.events[0]!.id });
    expect(await service.evidenceOf(confirmed[0]!)).toEqual({ ip: "2001:db8:1234::", userAgent: "Phone" });
    expect(await service.decide("acme", ADA, "offers")).toMatchObject({ allowed: true, decidingEventId: confirmed[0]!.id });
    // idempotent
    expect((await service.confirmDoubleOptIn(r.confirmation!.token)).map((e) => e.id)).toEqual([confirmed[0]!.id]);
  });

  it("confirmDoubleOptIn - rejects forged and expired tokens", async () => {
    const { service, clock } = makeService();
    await seed(service);
    const r = await service.captureForm(submission({ choices: [{ purposeId: "offers", fieldName: "offers", checked: true, defaultChecked: false }] }));
    const t = r.confirmation!.token;
    await expect(service.confirmDoubleOptIn(`${t.slice(0, -2)}xx`)).rejects.toMatchObject({ code: "INVALID_SIGNATURE" });
    clock.advance({ days: 8 });
    await expect(service.confirmDoubleOptIn(t)).rejects.toMatchObject({ code: "EXPIRED" });
  });
});

describe("unsubscribe", () => {
  it("handleUnsubscribe - GET changes nothing; RFC 8058 one-click POST honours at once with legal deadlines", async () => {
    const { service } = makeService(undefined, "2025-03-05T15:00:00Z");
    await seed(service);
    await service.captureForm(submission());
    const link = service.createUnsubscribeToken({ tenantId: "acme", subject: ADA, purposeIds: ["newsletter"], regimes: ["US", "CA"], url: "https://acme.example/u" });
    expect(link.headers).toEqual({ "List-Unsubscribe": expect.stringMatching(/^<https:\/\/acme\.example\/u\?token=ct1\./), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    // the link lives at least 60 days (CASL)
    expect(link.expiresAt.getTime()).toBeGreaterThan(new Date("2025-05-04T23:59:59Z").getTime());
    expect(await service.handleUnsubscribe({ token: link.token, httpMethod: "GET" })).toEqual({ status: "confirm", purposes: ["newsletter"] });
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true });
    const out = await service.handleUnsubscribe({ token: link.token, httpMethod: "POST", body: "List-Unsubscribe=One-Click", indicationSentAt: new Date("2025-03-04T15:00:00Z") });
    if (out.status !== "unsubscribed") throw new Error("expected unsubscribed");
    expect(out.events.map((e) => e.method)).toEqual(["one_click_unsubscribe"]);
    expect(out.honourBy.US?.toISOString().slice(0, 10)).toBe("2025-03-19");
    expect(out.honourBy.CA?.toISOString().slice(0, 10)).toBe("2025-03-18");
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "withdrawn" });
    // a second POST records nothing new
    const again = await service.handleUnsubscribe({ token: link.token, httpMethod: "POST", body: "List-Unsubscribe=One-Click" });
    expect(again.status === "unsubscribed" && again.events).toEqual([]);
  });
});

describe("unsubscribe deadlines with holiday calendars", () => {
  it("handleUnsubscribe - CAN-SPAM honour-by skips the regime's public holidays when a calendar is given", async () => {
    const { createHolidayCalendar } = await import("@lawful/core/holidays");
    const { service } = makeService(undefined, "2025-11-20T18:00:00Z", { calendars: { US: createHolidayCalendar("US") }, timeZone: "America/New_York" });
    await seed(service);
    const { token } = service.createUnsubscribeToken({ tenantId: "acme", subject: ADA, purposeIds: ["newsletter"], regimes: ["US"] });
    const out = await service.handleUnsubscribe({ token, httpMethod: "POST", body: "List-Unsubscribe=One-Click" });
    // Thu 2025-11-20 + 10 business days, Thanksgiving (27 Nov) skipped
    expect(out.status === "unsubscribed" && out.honourBy.US?.toISOString()).toBe("2025-12-06T04:59:59.999Z");
  });
});

describe("suppression and erasure", () => {
  it("eraseSubject - deletes events, shreds evidence, keeps the suppression entry", async () => {
    const { service, keyring } = makeService();
    await seed(service);
    const r = await service.captureForm(submission());
    await service.suppress("acme", ADA, { reason: "complaint" });
    expect(await service.suppress("acme", ADA, { reason: "complaint" })).toBe(false);
    await service.eraseSubject("acme", ADA);
    expect(await service.history("acme", ADA)).toEqual([]);
    expect(r.events[0]!.evidenceKeyId).toMatch(/^ps1_.+~/);
    expect(await keyring.isShredded("acme", r.events[0]!.evidenceKeyId!)).toBe(true);
    await expect(service.evidenceOf(r.events[0]!)).rejects.toMatchObject({ code: "KEY_SHREDDED" });
    expect(await service.isSuppressed("acme", ADA)).toBe(true);
    // a new consent after erasure is recorded, but the suppression list still wins for direct marketing
    await service.captureForm(submission());
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "suppressed" });
    expect(await service.unsuppress("acme", ADA)).toBe(true);
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: true });
  });

  it("purgeHistory - deletes an ended opt-in consent's history (decision stays denied); keeps consents in force, opt-outs, objections and CASL", async () => {
    const { service, audit } = makeService();
    await seed(service);
    await service.captureForm(submission()); // ADA: newsletter given, us-promo (opt-out) refused
    await service.captureForm(submission({ subject: BOB }));
    const evidence = { collectionPoint: "preference-center" };
    await service.withdraw("acme", ADA, "newsletter", { evidence });
    await service.record({ tenantId: "acme", subject: ADA, purposeId: "casl-news", type: "refused", method: "checkbox_unchecked", evidence });
    await service.object("acme", BOB, "newsletter", { evidence });
    const ada = service.pseudonymOf("acme", ADA);
    const bob = service.pseudonymOf("acme", BOB);

    const { items, next } = await service.listEndedConsents("acme");
    expect(items.map((i) => [i.subjectPseudonym === ada ? "ada" : "bob", i.purposeId, i.status])).toEqual([["ada", "newsletter", "withdrawn"]]);
    expect(next).toBeUndefined();
    expect(items[0]!.since).toBeInstanceOf(Date);

    const code = (p: Promise<unknown>) => p.then(() => "ok", (e: ConsentError) => e.code);
    expect(await code(service.purgeHistory("acme", ada, "us-promo"))).toBe("POLICY_VIOLATION"); // the opt-out is the record
    expect(await code(service.purgeHistory("acme", ada, "casl-news"))).toBe("POLICY_VIOLATION"); // CASL: unsubscribe log kept
    expect(await code(service.purgeHistory("acme", bob, "newsletter"))).toBe("POLICY_VIOLATION"); // an objection stays
    expect(await code(service.purgeHistory("acme", bob, "offers"))).toBe("NOT_FOUND");

    expect(await service.purgeHistory("acme", ada, "newsletter", { actor: { type: "system", id: "retention" } })).toEqual({ events: 2 });
    expect(await service.history("acme", ADA, "newsletter")).toEqual([]);
    expect(await service.history("acme", ADA, "us-promo")).toHaveLength(1);
    expect(await service.decide("acme", ADA, "newsletter")).toMatchObject({ allowed: false, reason: "never_given" });
    const deleted = audit.events.filter((e) => e.action === "consent.history_deleted");
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ subjectPseudonym: ada, actor: { id: "retention" }, details: { purposeId: "newsletter", status: "withdrawn", events: 2 } });
    expect(JSON.stringify(deleted)).not.toContain("ada@example.com");
    expect(await code(service.purgeHistory("acme", ada, "newsletter"))).toBe("NOT_FOUND");
    expect((await service.listEndedConsents("acme")).items).toEqual([]);
  });

  it("listEndedConsents - pages by (subject, purpose) with next", async () => {
    const { service } = makeService();
    await seed(service);
    for (const subject of [ADA, BOB, { kind: "email" as const, value: "cy@example.com" }]) {
      await service.record({ tenantId: "acme", subject, purposeId: "newsletter", type: "refused", method: "checkbox_unchecked", evidence: { collectionPoint: "form" } });
    }
    const first = await service.listEndedConsents("acme", { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await service.listEndedConsents("acme", { after: first.next, limit: 2 });
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeUndefined();
    const all = [...first.items, ...second.items].map((i) => i.subjectPseudonym);
    expect(new Set(all).size).toBe(3);
    expect([...all].sort()).toEqual(all);
  });

  it("suppressionHash - keyed: differs per tenant and never contains the identifier", () => {
    const { service } = makeService();
    const a = service.suppressionHash("acme", ADA);
    expect(a).toMatch(/^sh1_[A-Za-z0-9_-]{43}$/);
    expect(service.suppressionHash("other", ADA)).not.toBe(a);
    expect(service.suppressionHash("acme", { kind: "email", value: "ADA@example.com" })).toBe(a);
  });

  it("audit - a failing audit sink rolls back the events", async () => {
    const { service, store } = makeService();
    await seed(service);
    const failing = makeService(store, undefined, {
      audit: {
        record: () => Promise.reject(new Error("audit down")),
        recordMany: () => Promise.reject(new Error("audit down")),
      },
    });
    await expect(failing.service.captureForm(submission())).rejects.toThrow("audit down");
    expect(await service.history("acme", ADA)).toEqual([]);
  });
});
