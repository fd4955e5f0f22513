import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyExportBundle } from "@lawful/export";
import { DOWNLOAD_TOKEN_LIFETIME_MS, createDownloadToken, verifyDownloadToken } from "./http/download-token.js";
import { createServerKeys } from "./keys.js";
import { BACKENDS, caller, seedNewsletterForm, unzipText, type Harness } from "./test-harness.js";


describe.each(BACKENDS)("privacy center on %s", (_name, make) => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const call = caller(() => h.lawful);
  const UA = "Mozilla/5.0 (privacy-test)";

  /** A browser-like client: keeps cookies, sends a client address, follows nothing. */
  function browser(ip: string, lang = "en") {
    const jar = new Map<string, string>();
    const request = async (path: string, init: { method?: string; form?: Record<string, string>; accept?: string; headers?: Record<string, string> } = {}) => {
      const headers = new Headers({ "accept-language": lang, "user-agent": UA, accept: init.accept ?? "text/html", ...init.headers });
      if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
      if (init.form) headers.set("content-type", "application/x-www-form-urlencoded");
      const res = await h.lawful.app.request(
        path,
        { method: init.method ?? (init.form ? "POST" : "GET"), headers, ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) },
        { incoming: { socket: { remoteAddress: ip } } },
      );
      for (const c of res.headers.getSetCookie()) {
        const m = /^([^=]+)=([^;]*)/.exec(c);
        if (m) jar.set(m[1]!, m[2]!);
      }
      return res;
    };
    const csrf = async () => {
      const html = await (await request("/p/acme/privacy")).text();
      return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    };
    const submit = async (form: Record<string, string>) => request("/p/acme/privacy/requests", { form: { _csrf: await csrf(), ...form } });
    return { request, csrf, submit };
  }

  const codeFor = async (email: string) => {
    const out = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; to: string; body: string }[] };
    const mail = out.items.find((m) => m.kind === "verification_code" && m.to === email);
    return /privacy request is (\d{6})\./.exec(mail!.body)![1]!;
  };
  const formOf = (html: string) => {
    const m = /action="(\/p\/acme\/privacy\/requests\/([^/"]+)\/verify)">.*?name="s" value="([^"]+)"/s.exec(html)!;
    return { action: m[1]!, id: m[2]!, s: m[3]! };
  };
  const normalise = (html: string) => html.replace(/requests\/[^/"?]+/g, "requests/ID").replace(/name="s" value="[^"]+"/g, 's="S"').replace(/name="_csrf" value="[^"]+"/g, "");
  const state = async (id: string) => ((await (await call(`/v1/requests/${id}`, { key: admin })).json()) as { state: string }).state;
  const decision = async (email: string) =>
    (await (await call(`/v1/consent/decision?subject=email:${email}&purpose=newsletter`, { key: admin })).json()) as { allowed: boolean; reason: string | null };

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    await h.lawful.tenants.create({ slug: "globex", name: "Globex" });
    tenantId = t.id;
    admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedNewsletterForm(call, admin);
    const captured = await h.lawful.app.request(
      "/p/acme/forms/landing/submit",
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": UA }, body: "email=ada%40example.com&newsletter=on" },
      { incoming: { socket: { remoteAddress: "203.0.113.7" } } },
    );
    expect(captured.status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("access request - submit, code from the outbox, verify, work the queue, status link, download a verified ZIP with the consent proof", async () => {
    const b = browser("198.51.100.1");
    const form = await b.request("/p/acme/privacy");
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('value="access"');
    expect(formHtml).toContain('value="erasure"');
    expect(formHtml).not.toContain("<script>");
    const submitted = await b.submit({ type: "access", email: "Ada@Example.com" });
    expect(submitted.status).toBe(200);
    const { action, id, s } = formOf(await submitted.text());
    // the status page needs the secret: the bare id or a wrong secret finds nothing
    expect((await b.request(`/p/acme/privacy/requests/${id}`)).status).toBe(404);
    expect((await b.request(`/p/acme/privacy/requests/${id}?s=${"A".repeat(43)}`)).status).toBe(404);
    const verified = await b.request(action, { form: { _csrf: await b.csrf(), s, code: await codeFor("ada@example.com") } });
    expect(verified.status).toBe(303);
    const statusUrl = verified.headers.get("location")!;
    expect(statusUrl).toBe(`/p/acme/privacy/requests/${id}?s=${s}`);
    for (let i = 0; i < 20 && (await state(id)) !== "completed"; i++) await h.lawful.services.dsr.work({ workerId: "test" });
    expect(await state(id)).toBe("completed");
    const status = await (await b.request(statusUrl)).text();
    expect(status).toContain("Your request has been carried out.");
    expect(status).toContain("Newsletter");
    const link = /href="(\/p\/acme\/privacy\/downloads\/[^"]+)"/.exec(status)![1]!;
    const download = await b.request(link);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toContain("zip");
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"$/);
    const zip = new Uint8Array(await download.arrayBuffer());
    const check = await verifyExportBundle(zip);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    const text = [...unzipText(zip).values()].join("\n");
    expect(text).toContain("newsletter");
    expect(text).toContain("signup");
    expect(text).toContain(UA);
    const events = (await (await call("/v1/audit/events?action=data.exported", { key: admin })).json()) as { events: { action: string; correlationId?: string }[] };
    expect(events.events.filter((e) => e.action === "data.exported").map((e) => e.correlationId)).toEqual([id]);
  });

  it("consents - the verified person sees and withdraws, then gives again, through the page; the decision follows", async () => {
    const b = browser("198.51.100.2");
    const { action, s } = formOf(await (await b.submit({ type: "restriction", email: "ada@example.com" })).text());
    const done = await b.request(action, { form: { _csrf: await b.csrf(), s, code: await codeFor("ada@example.com") } });
    expect(done.status).toBe(303);
    const statusUrl = done.headers.get("location")!;
    const status = await (await b.request(statusUrl)).text();
    expect(status).toContain("Your consents");
    expect(status).toContain("signup v1");
    expect((await decision("ada@example.com")).allowed).toBe(true);
    const consentsAction = /action="([^"]+\/consents)"/.exec(status)![1]!;
    const withdrawn = await b.request(consentsAction, { form: { _csrf: await b.csrf(), s, purpose: "newsletter", action: "withdraw" } });
    expect(withdrawn.status).toBe(303);
    expect(await decision("ada@example.com")).toMatchObject({ allowed: false, reason: "withdrawn" });
    const after = await (await b.request(withdrawn.headers.get("location")!)).text();
    expect(after).toContain("Your choice has been recorded.");
    expect(after).toContain("Acme GmbH sends you its newsletter.");
    const given = await b.request(consentsAction, { form: { _csrf: await b.csrf(), s, purpose: "newsletter", action: "give", notice: "signup:1" } });
    expect(given.status).toBe(303);
    expect((await decision("ada@example.com")).allowed).toBe(true);
    const history = (await (await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key: admin })).json()) as {
      history: { type: string; method: string; evidence: { collectionPoint: string }; evidenceRequest: { userAgent?: string; ip?: string } }[];
    };
    const fromPage = history.history.filter((e) => e.evidence.collectionPoint === "privacy-center");
    expect(fromPage.map((e) => e.type)).toEqual(["withdrawn", "given"]);
    // the consent service stores the address truncated (/24)
    expect(fromPage[0]!.evidenceRequest).toMatchObject({ userAgent: UA, ip: expect.stringMatching(/^198\.51\.100\.\d+$/) });
    // an unverified request's secret does not open the consents
    const other = browser("198.51.100.3");
    const pending = formOf(await (await other.submit({ type: "erasure", email: "ada@example.com" })).text());
    const refused = await other.request(`/p/acme/privacy/requests/${pending.id}/consents`, { form: { _csrf: await other.csrf(), s: pending.s, purpose: "newsletter", action: "withdraw" } });
    expect(refused.status).toBe(404);
    expect((await decision("ada@example.com")).allowed).toBe(true);
  });

  it("verification - wrong codes count down, the limit locks, and the right code no longer helps", async () => {
    const b = browser("198.51.100.4");
    const { action, id, s } = formOf(await (await b.submit({ type: "erasure", email: "bob@example.com" })).text());
    const right = await codeFor("bob@example.com");
    const wrong = right === "000000" ? "111111" : "000000";
    for (let left = 4; left >= 1; left--) {
      const res = await b.request(action, { form: { _csrf: await b.csrf(), s, code: wrong } });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(`You have ${left} attempts left.`);
    }
    const locked = await b.request(action, { form: { _csrf: await b.csrf(), s, code: wrong } });
    expect(locked.status).toBe(423);
    expect(await locked.text()).toContain("locked after too many wrong codes");
    const still = await b.request(action, { form: { _csrf: await b.csrf(), s, code: right } });
    expect(still.status).toBe(423);
    expect(await state(id)).toBe("awaiting_verification");
    expect(await (await b.request(`/p/acme/privacy/requests/${id}?s=${s}`)).text()).toContain("locked after too many wrong codes");
    // a new submission by the same address is linked to the locked request and gets no new code
    const codes = async () => ((await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; to: string }[] }).items.filter((m) => m.kind === "verification_code" && m.to === "bob@example.com").length;
    const before = await codes();
    expect((await b.submit({ type: "erasure", email: "bob@example.com" })).status).toBe(200);
    expect(await codes()).toBe(before);
  });

  it("downloads - forged, foreign and expired tokens are refused with 403 / 410 pages", async () => {
    const b = browser("198.51.100.5");
    const key = createServerKeys(h.lawful.masterKey).downloadKey;
    const [done] = await h.lawful.services.dsr.list(tenantId, { states: ["completed"] });
    const now = new Date();
    const valid = createDownloadToken(key, { tenantId, requestId: done!.id }, now);
    const [payload, mac] = valid.split(".") as [string, string];
    const forged = `${payload}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
    const expired = createDownloadToken(key, { tenantId, requestId: done!.id }, new Date(now.getTime() - 8 * 86_400_000));
    const globex = (await h.lawful.tenants.bySlug("globex"))!;
    const foreign = createDownloadToken(key, { tenantId: globex.id, requestId: done!.id }, now);
    const otherKey = createDownloadToken(new Uint8Array(32), { tenantId, requestId: done!.id }, now);
    expect((await b.request(`/p/acme/privacy/downloads/${valid}`)).status).toBe(200);
    for (const token of [forged, foreign, otherKey, "nonsense", `${payload}.${"A".repeat(43)}`]) {
      const res = await b.request(`/p/acme/privacy/downloads/${encodeURIComponent(token)}`);
      expect(res.status, token).toBe(403);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
    const gone = await b.request(`/p/acme/privacy/downloads/${expired}`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain("This download link has expired.");
    // the token is bound to its tenant: the same token under another tenant's path is refused
    expect((await b.request(`/p/globex/privacy/downloads/${valid}`)).status).toBe(403);
  });

  it("CSRF - a form post without the token (or from another site) is refused with 403 and records nothing", async () => {
    const b = browser("198.51.100.6");
    const before = (await h.lawful.services.dsr.list(tenantId)).length;
    const res = await b.request("/p/acme/privacy/requests", { form: { type: "access", email: "mallory@example.com" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "CSRF_REJECTED" });
    const cross = await b.request("/p/acme/privacy/requests", { form: { _csrf: await b.csrf(), type: "access", email: "mallory@example.com" }, headers: { origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
    expect((await h.lawful.services.dsr.list(tenantId)).length).toBe(before);
  });

  it("no account enumeration - an unknown address and a known one get the same page; a duplicate too, and its code still works", async () => {
    const b = browser("198.51.100.7");
    const known = await b.submit({ type: "portability", email: "ada@example.com" });
    const unknown = await b.submit({ type: "portability", email: "nobody@example.com" });
    const duplicate = await b.submit({ type: "portability", email: "nobody@example.com" });
    const [k, u, d] = await Promise.all([known.text(), unknown.text(), duplicate.text()]);
    expect([known.status, unknown.status, duplicate.status]).toEqual([200, 200, 200]);
    expect(normalise(u)).toBe(normalise(k));
    expect(normalise(d)).toBe(normalise(k));
    const original = formOf(u);
    const dup = formOf(d);
    expect(dup.id).not.toBe(original.id);
    expect(await state(dup.id)).toBe("cancelled");
    // the code mailed for the duplicate confirms the original request
    const res = await b.request(dup.action, { form: { _csrf: await b.csrf(), s: dup.s, code: await codeFor("nobody@example.com") } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/p/acme/privacy/requests/${original.id}?s=${original.s}`);
  });

  it("bad input - HTML gets the form back naming the field; other clients a problem naming it; nothing is recorded", async () => {
    const b = browser("198.51.100.8");
    const before = (await h.lawful.services.dsr.list(tenantId)).length;
    const page = await b.submit({ type: "access", email: "not-an-address" });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("an e-mail address such as ada@example.com is needed");
    const json = await b.request("/p/acme/privacy/requests", { form: { _csrf: await b.csrf(), type: "ccpa_delete", email: "x@example.com" }, accept: "application/json" });
    expect(json.status).toBe(400);
    expect(json.headers.get("content-type")).toBe("application/problem+json");
    expect(((await json.json()) as { issues: { path: string[] }[] }).issues.map((i) => i.path.join("."))).toEqual(["body.type"]);
    const objection = await b.submit({ type: "objection", email: "x@example.com" });
    expect(objection.status).toBe(400);
    expect((await h.lawful.services.dsr.list(tenantId)).length).toBe(before);
  });

  it("objection to direct marketing - needs no code, runs at once and shows its status", async () => {
    const b = browser("198.51.100.9");
    const res = await b.submit({ type: "objection", objection: "direct_marketing", email: "dora@example.com" });
    expect(res.status).toBe(303);
    const status = await (await b.request(res.headers.get("location")!)).text();
    expect(status).toContain("Your request: Object to the use of my data");
    expect(status).not.toContain("Your consents");
  });

  it("German - Accept-Language: de gets the German page and a German deadline", async () => {
    const b = browser("198.51.100.10", "de-DE,de;q=0.9");
    const res = await b.request("/p/acme/privacy");
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain("Datenschutz-Center");
    expect(html).toContain("Eine Kopie meiner Daten erhalten");
    const code = await b.submit({ type: "access", email: "erika@example.com" });
    const { id, s } = formOf(await code.text());
    const status = await (await b.request(`/p/acme/privacy/requests/${id}?s=${s}`)).text();
    expect(status).toMatch(/Wir antworten bis zum \d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}\./);
  });

  it("audit - the log still verifies after everything", async () => {
    expect(((await (await call("/v1/audit/verify", { key: admin })).json()) as { ok: boolean }).ok).toBe(true);
  });
});

describe("download tokens", () => {
  const key = new Uint8Array(32).fill(9);
  const now = new Date("2026-11-29T12:00:00Z");

  it("verifyDownloadToken - accepts its own token until the expiry, then calls it expired", () => {
    const token = createDownloadToken(key, { tenantId: "t1", requestId: "r1" }, now);
    expect(verifyDownloadToken(key, token, now)).toEqual({ ok: true, tenantId: "t1", requestId: "r1", expiresAt: new Date(now.getTime() + DOWNLOAD_TOKEN_LIFETIME_MS) });
    expect(verifyDownloadToken(key, token, new Date(now.getTime() + DOWNLOAD_TOKEN_LIFETIME_MS - 1000)).ok).toBe(true);
    expect(verifyDownloadToken(key, token, new Date(now.getTime() + DOWNLOAD_TOKEN_LIFETIME_MS))).toEqual({ ok: false, reason: "expired" });
  });

  it("verifyDownloadToken - any change to a token makes it forged, even in the unused low bits of a base64url character (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), fc.nat(), (tenantId, requestId, at, seed) => {
        const token = createDownloadToken(key, { tenantId, requestId }, now);
        const i = at % token.length;
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        let replacement = alphabet[seed % alphabet.length]!;
        if (replacement === token[i]) replacement = alphabet[(seed + 1) % alphabet.length]!;
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        const check = verifyDownloadToken(key, tampered, now);
        return !check.ok && check.reason === "forged";
      }),
    );
  });
});
