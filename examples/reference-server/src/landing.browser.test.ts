import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { artifactsDir, createTestSqliteFile, launchChromium, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createLawful, listen, type Lawful } from "./server.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser["newPage"]>>;

const ROOT = resolve(import.meta.dirname, "../../..");
const shots = artifactsDir("reference-server", "landing");
let file: TestSqliteFile;
let lawful: Lawful;
let stop: () => Promise<void>;
let base = "";
let key = "";
let browser: Browser;
const violations: string[] = [];

/** Run `lawful demo seed --json` as its own process on the test database. */
async function seed(url: string): Promise<{ secret: string | null }> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", "examples/reference-server/src/cli.ts", "demo", "seed", "--json"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent" },
  });
  const out = JSON.parse(stdout) as { secret?: string };
  return { secret: out.secret ?? null };
}

beforeAll(async () => {
  file = createTestSqliteFile("landing.db");
  const url = `sqlite:${file.path}`;
  key = (await seed(url)).secret!;
  expect(key).toMatch(/^lk_/);
  // a second run changes nothing and creates no second key
  expect((await seed(url)).secret).toBeNull();
  lawful = await createLawful(loadConfig({ DATABASE_URL: url, PORT: "0", LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
  const server = await listen(lawful);
  stop = server.stop;
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stop?.();
  file?.cleanup();
});

async function open(path: string, locale = "en-GB"): Promise<Page> {
  const context = await browser.newContext({ locale });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __csp: string[] }).__csp = [...((window as unknown as { __csp?: string[] }).__csp ?? []), `${e.violatedDirective} ${e.blockedURI}`];
    });
  });
  const p = await context.newPage();
  p.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(m.text());
  });
  p.on("pageerror", (e) => violations.push(`page error: ${e.message}`));
  await p.goto(`${base}${path}`);
  return p;
}
const cspViolations = async (p: Page) => [...violations, ...((await p.evaluate(() => (window as unknown as { __csp?: string[] }).__csp)) ?? [])];
const api = async (path: string) => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<Record<string, unknown>>;
const deviceOf = async (p: Page) => (await p.context().cookies()).find((c) => c.name === "lawful_cc_id")?.value;
const choicePosted = (p: Page) => p.waitForResponse((r) => r.url().endsWith("/p/demo/cookies/choice") && r.request().method() === "POST");
const decision = (device: string, purpose: string) => api(`/v1/consent/decision?subject=${encodeURIComponent(`device_id:${device}`)}&purpose=${purpose}`);

describe("demo landing page in Chromium", () => {
  it("reject all - the banner shows, the refusal is recorded and the banner stays hidden on reload", async () => {
    const p = await open("/p/demo");
    const banner = p.getByRole("dialog", { name: "Cookies and similar technologies" });
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await p.getByRole("heading", { level: 1 }).textContent()).toBe("Know your customers, respect their choices");
    await p.screenshot({ path: join(shots, "landing-banner.png"), fullPage: true });
    const posted = choicePosted(p);
    await p.getByRole("button", { name: "Reject all" }).click();
    expect((await posted).status()).toBe(201);
    expect(await banner.isVisible()).toBe(false);
    const device = (await deviceOf(p))!;
    expect(device).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const purpose of ["cookies.analytics", "cookies.marketing", "cookies.preferences"]) {
      expect(await decision(device, purpose)).toMatchObject({ allowed: false, reason: "refused" });
    }
    await p.reload();
    await p.waitForLoadState("load");
    expect(await p.evaluate(() => (window as unknown as { __lawfulCc?: boolean }).__lawfulCc)).toBe(true);
    expect(await banner.isVisible()).toBe(false);
    await p.screenshot({ path: join(shots, "landing-after-reject.png") });
    expect(await cspViolations(p)).toEqual([]);
    await p.context().close();
  });

  it("accept selected - only the chosen category is granted; the banner stays hidden on reload", async () => {
    const p = await open("/p/demo");
    await p.getByRole("button", { name: "Choose per category" }).click();
    await p.getByRole("checkbox", { name: /Statistics/ }).check();
    await p.screenshot({ path: join(shots, "landing-per-category.png") });
    const posted = choicePosted(p);
    await p.getByRole("button", { name: "Save my choices" }).click();
    expect((await posted).status()).toBe(201);
    const device = (await deviceOf(p))!;
    expect(await decision(device, "cookies.analytics")).toMatchObject({ allowed: true });
    expect(await decision(device, "cookies.marketing")).toMatchObject({ allowed: false });
    const layer = await p.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { dataLayer: unknown[] }).dataLayer)) as Record<string, unknown>[]);
    expect(layer[0]).toMatchObject({ 0: "consent", 1: "default", 2: { analytics_storage: "denied" } });
    expect(layer.at(-1)).toMatchObject({ 0: "consent", 1: "update", 2: { analytics_storage: "granted", ad_storage: "denied" } });
    await p.reload();
    await p.waitForLoadState("load");
    expect(await p.getByRole("dialog").isVisible()).toBe(false);
    expect(await cspViolations(p)).toEqual([]);
    await p.context().close();
  });

  it("newsletter form - submits to the form route and records a double opt-in request", async () => {
    const p = await open("/p/demo");
    await p.getByRole("button", { name: "Reject all" }).click();
    await p.getByLabel("Your e-mail address").fill("ada@example.com");
    await p.getByRole("checkbox", { name: /newsletter/ }).check();
    await p.screenshot({ path: join(shots, "landing-form.png"), fullPage: true });
    const [response] = await Promise.all([p.waitForResponse((r) => r.url().endsWith("/p/demo/forms/newsletter/submit")), p.getByRole("button", { name: "Subscribe" }).click()]);
    expect(response.status()).toBe(201);
    await expect.poll(() => p.getByRole("heading", { level: 1 }).textContent()).toBe("Thank you. Your choices have been recorded.");
    const state = (await api(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`)) as { history: { purposeId: string; type: string }[] };
    expect(state.history.map((e) => [e.purposeId, e.type])).toEqual([["newsletter", "requested"]]);
    const outbox = (await api("/v1/outbox")) as { items: { kind: string; to: string }[] };
    expect(outbox.items.some((m) => m.kind === "double_opt_in" && m.to === "ada@example.com")).toBe(true);
    expect(await cspViolations(p)).toEqual([]);
    await p.context().close();
  });

  it("german - the page and the banner follow the browser language; the cookies page lists the demo cookies", async () => {
    const p = await open("/p/demo", "de-DE");
    expect(await p.getAttribute("html", "lang")).toBe("de");
    await expect.poll(() => p.getByRole("button", { name: "Alle ablehnen" }).isVisible()).toBe(true);
    await p.screenshot({ path: join(shots, "landing-de.png"), fullPage: true });
    await p.getByRole("link", { name: "Cookies und ähnliche Technologien" }).click();
    await p.waitForURL(/\/p\/demo\/cookies$/);
    expect(await p.getByRole("table").textContent()).toContain("lawful_consent");
    await p.screenshot({ path: join(shots, "cookies-de.png"), fullPage: true });
    expect(await cspViolations(p)).toEqual([]);
    await p.context().close();
  });
});
