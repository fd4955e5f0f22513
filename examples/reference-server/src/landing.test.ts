import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

const SHOP = "https://shop.acme.example";
const CATALOGUE = {
  notice: { noticeId: "cookies", version: 1 },
  disclosures: [
    { identifier: "sid", type: "cookie", maxAgeSeconds: null, purposes: [], category: "strictly_necessary", provider: "Acme GmbH", exemptionRationale: "Keeps the visitor's session." },
    { identifier: "_stats", type: "cookie", maxAgeSeconds: 31_536_000, domain: "acme.example", purposes: [8], category: "analytics", provider: "Acme GmbH", description: "Counts page views." },
    { identifier: "ads_id", type: "web", maxAgeSeconds: 7_776_000, purposes: [1, 7], category: "marketing", provider: "Ads Partner AG" },
  ],
};
const CHOICE = { noticeVersion: "1", choices: { strictly_necessary: true, preferences: false, analytics: true, marketing: false }, gpc: false, method: "save" };

interface Tag {
  name: string;
  attrs: Map<string, string>;
  content: string;
}
/** Every start tag of an HTML document with its attributes (and the text of <script> elements). */
function tags(html: string): Tag[] {
  const out: Tag[] = [];
  const tag = /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const attrs = new Map<string, string>();
    for (const a of m[2]!.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) attrs.set(a[1]!.toLowerCase(), a[2] ?? a[3] ?? a[4] ?? "");
    const name = m[1]!.toLowerCase();
    let content = "";
    if (name === "script" || name === "style") {
      const end = html.toLowerCase().indexOf(`</${name}`, tag.lastIndex);
      content = html.slice(tag.lastIndex, end);
      tag.lastIndex = end;
    }
    out.push({ name, attrs, content });
  }
  return out;
}

describe.each(BACKENDS)("landing page and cookies on %s", (_name, make) => {
  let h: Harness;
  let key: string;
  let otherKey: string;
  let registryKey: string;
  const call = caller(() => h.lawful);

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH", corsOrigins: [SHOP] });
    const o = await h.lawful.tenants.create({ slug: "other", name: "Other" });
    key = (await h.lawful.tenants.createKey(t.id, { name: "k", scopes: ["admin"] })).secret;
    registryKey = (await h.lawful.tenants.createKey(t.id, { name: "r", scopes: ["registry"] })).secret;
    otherKey = (await h.lawful.tenants.createKey(o.id, { name: "k", scopes: ["admin"] })).secret;
    for (const id of ["newsletter", "cookies.preferences", "cookies.analytics", "cookies.marketing"]) {
      const p = { id, name: id, channel: id === "newsletter" ? "email" : "web", lawfulBasis: "consent", regime: "EU" };
      expect((await call("/v1/purposes", { method: "POST", key, json: p })).status).toBe(201);
    }
    const notice = (noticeId: string, purposes: string[], draft = false) =>
      call("/v1/notices", {
        method: "POST",
        key,
        json: {
          noticeId,
          version: 1,
          locale: "en",
          contentType: "text/plain",
          content: `Acme GmbH asks for your consent to ${purposes.join(", ")}.`,
          controllers: [{ name: "Acme GmbH" }],
          purposes,
          dataCategories: ["online.device_id"],
          withdrawalInfo: "Withdraw at any time from the cookie settings link.",
          draft,
        },
      });
    expect((await notice("cookies", ["cookies.preferences", "cookies.analytics", "cookies.marketing"])).status).toBe(201);
    expect((await notice("cookies-partial", ["cookies.analytics"])).status).toBe(201);
    expect((await notice("cookies-draft", ["cookies.preferences", "cookies.analytics", "cookies.marketing"], true)).status).toBe(201);
    expect((await notice("signup", ["newsletter"])).status).toBe(201);
    const form = { id: "newsletter", notice: { noticeId: "signup", version: 1 }, fields: [{ purposeId: "newsletter", fieldName: "newsletter", label: "Send me the newsletter" }] };
    expect((await call("/v1/forms", { method: "POST", key, json: form })).status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("GET /v1/cookies - 404 before a catalogue exists; the scope and the tenant are enforced", async () => {
    expect((await call("/v1/cookies", { key })).status).toBe(404);
    expect((await call("/v1/cookies", { key: registryKey })).status).toBe(403);
    expect((await call("/v1/cookies")).status).toBe(401);
    expect((await call("/p/acme/cookies.json")).status).toBe(404);
    expect((await call("/p/acme/cookies")).status).toBe(404);
  });

  it("PUT /v1/cookies - invalid catalogues are refused with issues naming the field, nothing stored", async () => {
    const noRationale = { ...CATALOGUE, disclosures: [{ ...CATALOGUE.disclosures[0], exemptionRationale: undefined }] };
    let res = await call("/v1/cookies", { method: "PUT", key, json: noRationale });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    let body = (await res.json()) as { code: string; issues: { path: (string | number)[] }[] };
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.issues.map((i) => i.path)).toContainEqual(["body", "disclosures", 0, "exemptionRationale"]);

    res = await call("/v1/cookies", { method: "PUT", key, json: { ...CATALOGUE, disclosures: [{ ...CATALOGUE.disclosures[1], category: "tracking", maxAgeSeconds: -1 }] } });
    body = (await res.json()) as { code: string; issues: { path: (string | number)[] }[] };
    expect(res.status).toBe(400);
    expect(body.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["body.disclosures.0.category", "body.disclosures.0.maxAgeSeconds"]));

    for (const notice of [{ noticeId: "nope", version: 1 }, { noticeId: "cookies-draft", version: 1 }, { noticeId: "cookies-partial", version: 1 }]) {
      res = await call("/v1/cookies", { method: "PUT", key, json: { ...CATALOGUE, notice } });
      body = (await res.json()) as { code: string; issues: { path: (string | number)[] }[] };
      expect(res.status, notice.noticeId).toBe(400);
      expect(body.issues.every((i) => i.path.join(".") === "body.notice")).toBe(true);
    }
    expect((await call("/v1/cookies", { method: "PUT", key, json: { disclosures: [] } })).status).toBe(400);
    expect((await call("/v1/cookies", { key })).status).toBe(404);
  });

  it("PUT /v1/cookies - stores the catalogue per tenant, audited; GET returns it", async () => {
    const res = await call("/v1/cookies", { method: "PUT", key, json: CATALOGUE });
    expect(res.status, await res.clone().text()).toBe(200);
    const got = (await (await call("/v1/cookies", { key })).json()) as typeof CATALOGUE & { updatedAt: string };
    expect(got).toMatchObject(CATALOGUE);
    expect(Date.parse(got.updatedAt)).not.toBeNaN();
    expect((await call("/v1/cookies", { key: otherKey })).status).toBe(404);
    const audit = await (await call("/v1/audit/events?action=consent.cookie_catalogue_saved", { key })).text();
    expect(audit).toContain("consent.cookie_catalogue_saved");
    expect(audit).toContain("cookie_catalogue");
  });

  it("GET /p/{tenant}/cookies - the disclosure table in English and German, with the banner", async () => {
    const en = await call("/p/acme/cookies");
    expect(en.status).toBe(200);
    const html = await en.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Cookies and trackers used on this site");
    expect(html).toContain("<code>_stats</code>");
    expect(html).toContain("Keeps the visitor&#39;s session.");
    expect(html).toContain('href="/p/acme/cookies.json"');
    expect(html).toContain('id="lawful-cc"');
    const de = await (await call("/p/acme/cookies", { headers: { "accept-language": "de-DE,de;q=0.9,en;q=0.5" } })).text();
    expect(de).toContain('<html lang="de">');
    expect(de).toContain("Auf dieser Website eingesetzte Cookies und Tracker");
    expect(de).toContain("Alle ablehnen");
  });

  it("GET /p/{tenant}/cookies.json - the IAB device storage disclosure, only that format's fields", async () => {
    const res = await call("/p/acme/cookies.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      disclosures: [
        { identifier: "sid", type: "cookie", maxAgeSeconds: null, purposes: [] },
        { identifier: "_stats", type: "cookie", maxAgeSeconds: 31_536_000, domain: "acme.example", purposes: [8] },
        { identifier: "ads_id", type: "web", maxAgeSeconds: 7_776_000, purposes: [1, 7] },
      ],
    });
    expect((await call("/p/nobody/cookies.json")).status).toBe(404);
  });

  it("POST /p/{tenant}/cookies/choice - records the choice with proof for a device cookie; the decision follows", async () => {
    const res = await call("/p/acme/cookies/choice", { method: "POST", json: CHOICE, headers: { "user-agent": "Mozilla/5.0 (landing test)" } });
    expect(res.status, await res.clone().text()).toBe(201);
    const cookie = /lawful_cc_id=([A-Za-z0-9_-]{22});/.exec(res.headers.get("set-cookie") ?? "");
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    const device = cookie![1]!;
    const body = (await res.json()) as { events: { purposeId: string; type: string }[] };
    expect(body.events.map((e) => [e.purposeId, e.type]).sort()).toEqual([
      ["cookies.analytics", "given"],
      ["cookies.marketing", "refused"],
      ["cookies.preferences", "refused"],
    ]);
    const subject = encodeURIComponent(`device_id:${device}`);
    const decision = async (purpose: string) => (await (await call(`/v1/consent/decision?subject=${subject}&purpose=${purpose}`, { key })).json()) as { allowed: boolean };
    expect((await decision("cookies.analytics")).allowed).toBe(true);
    expect((await decision("cookies.marketing")).allowed).toBe(false);
    const state = (await (await call(`/v1/subjects/${subject}/consents`, { key })).json()) as {
      history: { purposeId: string; method: string; notice: { noticeId: string; version: number }; evidence: { formId?: string }; evidenceRequest: { userAgent?: string } }[];
    };
    expect(state.history).toHaveLength(3);
    expect(state.history.every((e) => e.notice.noticeId === "cookies" && e.notice.version === 1 && e.evidence.formId === "cookie-banner")).toBe(true);
    expect(state.history.find((e) => e.purposeId === "cookies.analytics")!.evidenceRequest.userAgent).toBe("Mozilla/5.0 (landing test)");

    // the same browser withdraws: its device cookie is reused, not replaced
    const again = await call("/p/acme/cookies/choice", { method: "POST", json: { ...CHOICE, choices: {}, method: "reject_all" }, headers: { cookie: `lawful_cc_id=${device}` } });
    expect(again.status).toBe(201);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect((await decision("cookies.analytics")).allowed).toBe(false);
  });

  it("POST /p/{tenant}/cookies/choice - bad input is a 4xx problem naming the field, nothing recorded", async () => {
    let res = await call("/p/acme/cookies/choice", { method: "POST", json: { ...CHOICE, method: "maybe", noticeVersion: "one" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: (string | number)[] }[] };
    expect(body.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["method", "noticeVersion"]));
    expect(res.headers.get("set-cookie")).toBeNull();
    res = await call("/p/acme/cookies/choice", { method: "POST", json: { ...CHOICE, noticeVersion: "7" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(["body", "noticeVersion"]);
    res = await call("/p/acme/cookies/choice", { method: "POST", body: "method=accept_all", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    res = await call("/p/acme/cookies/choice", { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect((await call("/p/other/cookies/choice", { method: "POST", json: CHOICE })).status).toBe(404);
  });

  it("POST /p/{tenant}/cookies/choice - CORS: the tenant's allowed origin may post, any other origin is refused", async () => {
    const preflight = (origin: string) =>
      call("/p/acme/cookies/choice", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    const ok = await preflight(SHOP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/content-type/i);
    const denied = await preflight("https://evil.example");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();

    const allowed = await call("/p/acme/cookies/choice", { method: "POST", json: CHOICE, headers: { origin: SHOP } });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(SHOP);
    const refused = await call("/p/acme/cookies/choice", { method: "POST", json: CHOICE, headers: { origin: "https://evil.example" } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(((await refused.json()) as { code: string }).code).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("GET /p/{tenant} - the landing page has the consent form, links and the banner, and no inline script", async () => {
    const res = await call("/p/acme");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
    const html = await res.text();
    const all = tags(html);
    const form = all.find((t) => t.name === "form")!;
    expect(form.attrs.get("action")).toBe("/p/acme/forms/newsletter/submit");
    expect(form.attrs.get("method")).toBe("post");
    const inputs = all.filter((t) => t.name === "input");
    expect(inputs.find((t) => t.attrs.get("name") === "_csrf")!.attrs.get("value")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inputs.find((t) => t.attrs.get("name") === "email")!.attrs.get("type")).toBe("email");
    expect(inputs.find((t) => t.attrs.get("name") === "newsletter")!.attrs.has("checked")).toBe(false);
    expect(html).toContain("Acme GmbH asks for your consent to newsletter.");
    for (const path of ["privacy", "subprocessors.html", "retention-schedule", "cookies"]) expect(html).toContain(`href="/p/acme/${path}"`);

    const scripts = all.filter((t) => t.name === "script");
    const srcs = scripts.flatMap((s) => (s.attrs.has("src") ? [s.attrs.get("src")!] : []));
    expect(srcs).toEqual([expect.stringMatching(/^\/assets\/cookie-consent-defaults\.js\?v=[0-9a-f]{12}$/), expect.stringMatching(/^\/assets\/cookie-banner\.js\?v=[0-9a-f]{12}$/)]);
    // every script is loaded from a URL; the only other <script> is the banner's JSON config, a data block browsers never run
    const inline = scripts.filter((s) => !s.attrs.has("src"));
    expect(inline.map((s) => [s.attrs.get("type"), s.attrs.get("id")])).toEqual([["application/json", "lawful-cc-config"]]);
    expect(JSON.parse(inline[0]!.content)).toMatchObject({ noticeVersion: "1", endpoint: "/p/acme/cookies/choice" });
    expect(scripts.filter((s) => s.attrs.has("src")).every((s) => s.content.trim() === "")).toBe(true);
    expect(all.flatMap((t) => [...t.attrs.keys()].filter((a) => a.startsWith("on")))).toEqual([]);
    expect(all.filter((t) => [...t.attrs.values()].some((v) => /^\s*javascript:/i.test(v)))).toEqual([]);

    for (const src of srcs) {
      const asset = await call(src);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(asset.headers.get("cache-control")).toContain("immutable");
      expect((await asset.text()).length).toBeGreaterThan(50);
    }
  });

  it("GET /p/{tenant} - German by Accept-Language; a tenant without form or catalogue gets a plain page", async () => {
    const de = await (await call("/p/acme", { headers: { "accept-language": "de" } })).text();
    expect(de).toContain('<html lang="de">');
    expect(de).toContain("Abonnieren");
    expect(de).toContain("Alle annehmen");
    const other = await call("/p/other");
    expect(other.status).toBe(200);
    const html = await other.text();
    expect(html).toContain("There is no newsletter sign-up on this page yet.");
    expect(tags(html).filter((t) => t.name === "script")).toEqual([]);
    expect((await call("/p/nobody")).status).toBe(404);
  });
});
