import { join } from "node:path";
import pino from "pino";
import { crmFixtureParties } from "@lawful/registry/testing";
import { artifactsDir, createTestSqliteFile, launchChromium, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createLawful, listen, type Lawful } from "./server.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;

/** A hostile text: script element, attribute break-out with an event handler, a javascript: URL and an RTL override. */
const hostile = (tag: string) => `<script>window.__pwned="${tag}"</script>"><img src=x onerror="window.__pwned='${tag}'"> javascript:window.__pwned=1 \u202Etxt.exe`;
const shots = artifactsDir("reference-server", "escaping");
let file: TestSqliteFile;
let lawful: Lawful;
let stop: () => Promise<void>;
let base = "";
let key = "";
let unsubscribeToken = "";
let browser: Browser;

const call = async (path: string, method: string, json: unknown) =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(json) });

beforeAll(async () => {
  file = createTestSqliteFile("escaping.db");
  lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, PORT: "0", LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
  const server = await listen(lawful);
  stop = server.stop;
  base = `http://127.0.0.1:${server.port}`;
  const tenant = await lawful.tenants.create({ slug: "evil", name: hostile("tenant") });
  key = (await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] })).secret;
  const ok = async (res: Promise<Response>) => {
    const r = await res;
    expect(r.status, await r.clone().text()).toBeLessThan(300);
  };
  for (const id of ["newsletter", "cookies.preferences", "cookies.analytics", "cookies.marketing"]) {
    await ok(call("/v1/purposes", "POST", { id, name: hostile(`purpose ${id}`), description: hostile("purpose description"), channel: id === "newsletter" ? "email" : "web", lawfulBasis: "consent", regime: "EU" }));
  }
  const notice = { version: 1, locale: "en", controllers: [{ name: hostile("controller") }], dataCategories: ["contact.email"], withdrawalInfo: hostile("withdrawal") };
  await ok(call("/v1/notices", "POST", { ...notice, noticeId: "signup", contentType: "text/plain", content: hostile("notice"), purposes: ["newsletter"] }));
  await ok(
    call("/v1/notices", "POST", { ...notice, noticeId: "cookies", contentType: "text/html", content: `<p onclick="window.__pwned='html'">${hostile("html notice")}</p>`, purposes: ["cookies.preferences", "cookies.analytics", "cookies.marketing"] }),
  );
  await ok(
    call("/v1/forms", "POST", {
      id: "newsletter",
      notice: { noticeId: "signup", version: 1 },
      emailField: `e"autofocus onfocus="window.__pwned='email'`,
      fields: [{ purposeId: "newsletter", fieldName: `nl"><script>window.__pwned="field"</script>`, label: hostile("label") }],
    }),
  );
  await ok(
    call("/v1/cookies", "PUT", {
      notice: { noticeId: "cookies", version: 1 },
      disclosures: [
        {
          identifier: `c</script><script>window.__pwned="cookie"</script>`,
          type: "cookie",
          maxAgeSeconds: 60,
          domain: "javascript:window.__pwned=1",
          purposes: [],
          category: "strictly_necessary",
          provider: hostile("provider"),
          description: hostile("description"),
          exemptionRationale: hostile("rationale"),
        },
      ],
    }),
  );
  const { hosting } = crmFixtureParties();
  // a javascript: URL is refused at the boundary …
  expect((await call("/v1/registry/parties", "POST", { ...hosting, website: "javascript:window.__pwned=1" })).status).toBe(400);
  // … hostile names are stored and must be escaped on output
  await ok(call("/v1/registry/parties", "POST", { ...hosting, legalName: hostile("party"), services: [hostile("service")] }));
  await ok(call("/v1/registry/parties/hosting/activate", "POST", {}));
  await ok(
    call("/v1/retention/rules", "POST", {
      id: "contacts",
      title: hostile("rule"),
      description: hostile("rule description"),
      selectors: { categories: ["contact.email"] },
      trigger: { type: "lastActivity" },
      duration: "P2Y",
      kind: "maximum",
      action: "delete",
      citation: hostile("citation"),
    }),
  );
  unsubscribeToken = lawful.services.consent.createUnsubscribeToken({ tenantId: tenant.id, subject: { kind: "email", value: "ada@example.com" }, purposeIds: "all" }).token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stop?.();
  file?.cleanup();
});

const PAGES: { name: string; path: () => string; shows: string[]; then?: "click-submit" }[] = [
  { name: "landing", path: () => "/p/evil", shows: ["tenant", "notice", "label", "withdrawal"] },
  { name: "cookies", path: () => "/p/evil/cookies", shows: ["provider", "description", "rationale"] },
  { name: "subprocessors", path: () => "/p/evil/subprocessors.html", shows: ["party"] },
  { name: "retention-schedule", path: () => "/p/evil/retention-schedule", shows: ["rule"] },
  { name: "privacy", path: () => "/p/evil/privacy", shows: ["tenant"] },
  { name: "unsubscribe", path: () => `/p/evil/unsubscribe?token=${encodeURIComponent(unsubscribeToken)}`, shows: ["tenant"], then: "click-submit" },
  { name: "confirm", path: () => `/p/evil/confirm?token=${encodeURIComponent(hostile("token"))}`, shows: [] },
];

describe("hostile names and texts on every public page (issue #10)", () => {
  it.each(PAGES)("$name - no script runs, the text is shown literally, the CSP forbids inline script", async ({ name, path, shows, then }) => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const w = window as unknown as { __hits: string[] };
      w.__hits = [];
      Object.defineProperty(window, "__pwned", { set: (v: unknown) => w.__hits.push(String(v)), get: () => undefined, configurable: false });
    });
    const p = await context.newPage();
    const dialogs: string[] = [];
    p.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const response = (await p.goto(`${base}${path()}`))!;
    expect(response.status(), name).toBeLessThan(500);
    const csp = response.headers()["content-security-policy"] ?? "";
    const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? "";
    expect(scriptSrc).toContain("'self'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    if (then === "click-submit") {
      await Promise.all([p.waitForNavigation(), p.locator("button[type=submit]").click()]);
      expect(p.url()).toContain("/p/evil/unsubscribe");
    }
    await p.waitForLoadState("networkidle");
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const text = await p.evaluate(() => document.body.innerText);
    for (const tag of shows) expect(text, `${name} shows ${tag} literally`).toContain(hostile(tag).replace(/\s+/g, " ").trim());
    const dom = await p.evaluate(() => ({
      handlers: [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => a.name.toLowerCase().startsWith("on")).map((a) => `${el.tagName} ${a.name}`)),
      injectedImages: document.querySelectorAll("img[src=x]").length,
      scriptUrls: [...document.querySelectorAll("a[href], form[action], iframe[src]")].map((el) => el.getAttribute("href") ?? el.getAttribute("action") ?? el.getAttribute("src") ?? "").filter((u) => /^\s*javascript:/i.test(u)),
      inlineScripts: [...document.querySelectorAll("script:not([src])")].filter((s) => s.getAttribute("type") !== "application/json").length,
      hits: (window as unknown as { __hits: string[] }).__hits,
    }));
    expect(dom).toEqual({ handlers: [], injectedImages: 0, scriptUrls: [], inlineScripts: 0, hits: [] });
    expect(dialogs).toEqual([]);
    if (name === "confirm") expect(await p.locator("input[name=token]").inputValue()).toBe(hostile("token"));
    await context.close();
  });
});
