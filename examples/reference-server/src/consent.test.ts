import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

describe.each(BACKENDS)("consent over HTTP on %s", (_name, make) => {
  let h: Harness;
  let key: string;
  let otherKey: string;
  const call = caller(() => h.lawful);

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    const o = await h.lawful.tenants.create({ slug: "other", name: "Other" });
    key = (await h.lawful.tenants.createKey(t.id, { name: "k", scopes: ["consent"] })).secret;
    otherKey = (await h.lawful.tenants.createKey(o.id, { name: "k", scopes: ["admin"] })).secret;
    const purposes = [
      { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" },
      { id: "partner-offers", name: "Partner offers", channel: "email", lawfulBasis: "consent", regime: "EU" },
    ];
    for (const p of purposes) expect((await call("/v1/purposes", { method: "POST", key, json: p })).status).toBe(201);
    const notice = await call("/v1/notices", {
      method: "POST",
      key,
      json: {
        noticeId: "signup",
        version: 1,
        locale: "en",
        contentType: "text/plain",
        content: "Acme GmbH sends you its newsletter and, if you wish, partner offers. You can withdraw at any time.",
        controllers: [{ name: "Acme GmbH" }],
        purposes: ["newsletter", "partner-offers"],
        dataCategories: ["contact.email"],
        withdrawalInfo: "Use the unsubscribe link in every e-mail.",
      },
    });
    expect(notice.status).toBe(201);
    const form = await call("/v1/forms", {
      method: "POST",
      key,
      json: {
        id: "landing",
        notice: { noticeId: "signup", version: 1 },
        fields: [
          { purposeId: "newsletter", fieldName: "newsletter", label: "Send me the newsletter" },
          { purposeId: "partner-offers", fieldName: "partners", label: "Send me partner offers" },
        ],
      },
    });
    expect(form.status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("POST /p/{tenant}/forms/{form}/submit - captures a url-encoded landing-page form with proof, then decides", async () => {
    const res = await call("/p/acme/forms/landing/submit", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "Mozilla/5.0 (test)", referer: "https://acme.example/landing" },
      body: "email=Ada%40Example.com&newsletter=on",
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { events: { purposeId: string; type: string }[] };
    expect(body.events).toEqual(expect.arrayContaining([expect.objectContaining({ purposeId: "newsletter", type: "given" }), expect.objectContaining({ purposeId: "partner-offers", type: "refused" })]));
    const yes = (await (await call("/v1/consent/decision?subject=email:ada@example.com&purpose=newsletter", { key })).json()) as { allowed: boolean };
    expect(yes.allowed).toBe(true);
    const no = (await (await call("/v1/consent/decision?subject=email:ada@example.com&purpose=partner-offers", { key })).json()) as { allowed: boolean };
    expect(no.allowed).toBe(false);
    const state = (await (await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key })).json()) as {
      history: { notice: { contentSha256: string }; evidence: { formId?: string; defaultState?: string }; evidenceRequest: { userAgent?: string } }[];
    };
    expect(state.history.length).toBe(2);
    expect(state.history[0]!.notice.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(state.history[0]!.evidenceRequest.userAgent).toBe("Mozilla/5.0 (test)");
  });

  it("POST /v1/consent-events - a withdrawal flips the decision at once", async () => {
    const res = await call("/v1/consent-events", {
      method: "POST",
      key,
      json: { subject: { kind: "email", value: "ada@example.com" }, purposeId: "newsletter", type: "withdrawn", method: "button_clicked", evidence: { collectionPoint: "crm-support" } },
    });
    expect(res.status).toBe(201);
    const d = (await (await call("/v1/consent/decision?subject=email:ada@example.com&purpose=newsletter", { key })).json()) as { allowed: boolean; reason: string };
    expect(d).toMatchObject({ allowed: false, reason: "withdrawn" });
  });

  it("POST /p/{tenant}/forms/{form}/submit - a bad submission is refused whole and stores nothing", async () => {
    const res = await call("/p/acme/forms/landing/submit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "not-an-email", newsletter: true }) });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await call("/p/acme/forms/nope/submit", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(404);
  });

  it("tenant isolation - another tenant's key sees none of it", async () => {
    // the other tenant has no such purpose at all
    const d = await call("/v1/consent/decision?subject=email:ada@example.com&purpose=newsletter", { key: otherKey });
    expect(d.status).toBe(404);
    const state = (await (await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key: otherKey })).json()) as { history: unknown[] };
    expect(state.history).toEqual([]);
    expect((await call("/v1/notices/signup/versions/1", { key: otherKey })).status).toBe(404);
    expect(((await (await call("/v1/forms", { key: otherKey })).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("unsubscribe - a GET shows a page and changes nothing; the RFC 8058 one-click POST honours at once", async () => {
    const tenant = (await h.lawful.tenants.bySlug("acme"))!;
    // re-consent first, then unsubscribe through a signed link
    await call("/v1/consent-events", { method: "POST", key, json: { subject: { kind: "email", value: "bob@example.com" }, purposeId: "newsletter", type: "given", method: "checkbox_checked", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "import", defaultState: "unchecked" } } });
    const { token } = h.lawful.services.consent.createUnsubscribeToken({ tenantId: tenant.id, subject: { kind: "email", value: "bob@example.com" }, purposeIds: "all", regimes: ["US"] });
    const page = await call(`/p/acme/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="List-Unsubscribe"');
    const still = (await (await call("/v1/consent/decision?subject=email:bob@example.com&purpose=newsletter", { key })).json()) as { allowed: boolean };
    expect(still.allowed).toBe(true);
    const post = await call(`/p/acme/unsubscribe?token=${encodeURIComponent(token)}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(post.status).toBe(200);
    const after = (await (await call("/v1/consent/decision?subject=email:bob@example.com&purpose=newsletter", { key })).json()) as { allowed: boolean };
    expect(after.allowed).toBe(false);
    expect((await call("/p/acme/unsubscribe?token=forged", { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(400);
  });

  it("double opt-in - the form queues a confirmation mail in the outbox; the POSTed link confirms with its own evidence", async () => {
    await call("/v1/purposes", { method: "POST", key, json: { id: "digest", name: "Weekly digest", channel: "email", lawfulBasis: "consent", regime: "EU", doubleOptIn: true } });
    await call("/v1/notices", {
      method: "POST",
      key,
      json: { noticeId: "digest-signup", version: 1, locale: "en", contentType: "text/plain", content: "Acme GmbH e-mails you a weekly digest. Withdraw any time.", controllers: [{ name: "Acme GmbH" }], purposes: ["digest"], dataCategories: ["contact.email"], withdrawalInfo: "Unsubscribe link in every e-mail." },
    });
    await call("/v1/forms", { method: "POST", key, json: { id: "digest", notice: { noticeId: "digest-signup", version: 1 }, fields: [{ purposeId: "digest", fieldName: "digest", label: "Weekly digest" }] } });
    const res = await call("/p/acme/forms/digest/submit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "cleo@example.com", digest: true }) });
    expect(((await res.json()) as { confirmationRequired: boolean }).confirmationRequired).toBe(true);
    const pending = (await (await call("/v1/consent/decision?subject=email:cleo@example.com&purpose=digest", { key })).json()) as { allowed: boolean };
    expect(pending.allowed).toBe(false);
    const admin = (await h.lawful.tenants.createKey((await h.lawful.tenants.bySlug("acme"))!.id, { name: "admin", scopes: ["admin"] })).secret;
    const outbox = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; to: string; body: string }[] };
    const mail = outbox.items.find((m) => m.kind === "double_opt_in" && m.to === "cleo@example.com");
    expect(mail).toBeDefined();
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail!.body)![1]!);
    expect((await call(`/p/acme/confirm?token=${encodeURIComponent(token)}`)).status).toBe(200); // GET: a page only
    const confirmed = await call("/p/acme/confirm", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "MailClient/1" }, body: `token=${encodeURIComponent(token)}` });
    expect(confirmed.status).toBe(200);
    const ok = (await (await call("/v1/consent/decision?subject=email:cleo@example.com&purpose=digest", { key })).json()) as { allowed: boolean };
    expect(ok.allowed).toBe(true);
    expect(await (await call("/v1/outbox", { key: otherKey })).json()).toEqual({ items: [] });
  });

  it("GET /.well-known/gpc.json - declares GPC support", async () => {
    expect(await (await call("/.well-known/gpc.json")).json()).toEqual({ gpc: true, lastUpdate: "2026-11-29" });
  });
});
