import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, createTestSqliteFile, launchChromium, type TestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, listen, type Lawful } from "./server.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
const DAY = 86_400_000;

describe("operator pages in Chromium", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let base: string;
  let admin: string;
  const ids: Record<string, string> = {};
  const shots = artifactsDir("operator");

  const api = async (path: string, json?: unknown) =>
    fetch(`${base}${path}`, {
      method: json === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${admin}`, ...(json !== undefined ? { "content-type": "application/json" } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });

  beforeAll(async () => {
    file = createTestSqliteFile("operator-browser.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, PORT: "0", LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    server = await listen(lawful);
    base = `http://127.0.0.1:${server.port}`;
    const tenant = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    admin = (await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] })).secret;
    for (const [name, ago] of [["overdue", 45 * DAY], ["soon", 28 * DAY], ["later", 60_000]] as const) {
      const res = await api("/v1/requests", {
        type: "access",
        regime: "EU",
        subject: { kind: "email", value: `${name}@example.com` },
        channel: "email",
        timeZone: "Europe/Berlin",
        receivedAt: new Date(Date.now() - ago).toISOString(),
      });
      expect(res.status).toBe(201);
      ids[name] = ((await res.json()) as { request: { id: string } }).request.id;
    }
    // an objection to direct marketing is answered at once: the response-time chart has a bar
    const objection = await api("/v1/requests", {
      type: "objection",
      regime: "EU",
      subject: { kind: "email", value: "obj@example.com" },
      channel: "email",
      timeZone: "Europe/Berlin",
      receivedAt: new Date(Date.now() - 3 * DAY).toISOString(),
      details: { objectionScope: "direct_marketing" },
    });
    expect(objection.status).toBe(201);
    await api("/v1/purposes", { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
    await api("/v1/notices", { noticeId: "signup", version: 1, locale: "en", contentType: "text/plain", content: "Acme sends you its newsletter.", controllers: [{ name: "Acme" }], purposes: ["newsletter"], dataCategories: ["contact.email"], withdrawalInfo: "Unsubscribe link." });
    for (const [who, type] of [["a", "given"], ["b", "refused"]] as const) {
      const res = await api("/v1/consent-events", { subject: { kind: "email", value: `${who}@example.com` }, purposeId: "newsletter", type, method: "button_clicked", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "signup-form" } });
      expect(res.status).toBe(201);
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    file?.cleanup();
  });

  it("sign in → coloured queue → timeline → charts → sign out, with no console errors or CSP violations", async () => {
    const context = await browser.newContext({ locale: "en-GB" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      // the browser's own favicon probe is not part of the pages (the server has no icon)
      if (new URL(m.location().url || base).pathname === "/favicon.ico") return;
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));

    await page.goto(`${base}/ops`);
    expect(new URL(page.url()).pathname).toBe("/ops/login");
    expect(await page.getByRole("heading", { level: 1, name: "Operator sign-in" }).count()).toBe(1);
    await page.getByLabel("API key").fill(admin);
    await page.screenshot({ path: join(shots, "1-sign-in.png"), fullPage: true });
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/ops`, { timeout: 5000 });
    expect(new URL(page.url()).pathname).toBe("/ops");
    expect(await page.getByRole("heading", { level: 1, name: "Request queue" }).count()).toBe(1);
    const cookies = await context.cookies(`${base}/ops`);
    expect(cookies.find((c) => c.name === "lawful_ops")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/ops" });

    const colour = (id: string) => page.locator(`tr[data-request="${id}"]`).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await colour(ids.overdue!)).toBe("rgb(251, 213, 210)");
    expect(await colour(ids.soon!)).toBe("rgb(253, 239, 195)");
    expect(await colour(ids.later!)).toBe("rgb(223, 241, 220)");
    await expectRowLabel(ids.overdue!, "overdue");
    await expectRowLabel(ids.soon!, "due soon");
    await page.screenshot({ path: join(shots, "2-queue.png"), fullPage: true });

    await page.locator(`tr[data-request="${ids.overdue}"] a`).click();
    await page.waitForURL(`${base}/ops/requests/${ids.overdue}`);
    expect(new URL(page.url()).pathname).toBe(`/ops/requests/${ids.overdue}`);
    expect(await page.getByRole("heading", { level: 1, name: `Request ${ids.overdue}` }).count()).toBe(1);
    expect(await page.getByRole("table", { name: "History" }).getByRole("row").count()).toBeGreaterThan(1);
    await page.screenshot({ path: join(shots, "3-timeline.png"), fullPage: true });

    await page.getByRole("link", { name: "Charts" }).click();
    await page.waitForURL(`${base}/ops/charts`);
    expect(await page.locator("svg").count()).toBe(3);
    expect(await page.getByRole("img", { name: /Requests received per week/ }).count()).toBe(1);
    expect(await page.getByRole("img", { name: /Consent acceptance rate/ }).count()).toBe(1);
    const box = await page.locator('svg#chart-consent rect.bar').first().boundingBox();
    expect(box!.height).toBeGreaterThan(0);
    expect(await page.getByRole("table", { name: /Consent acceptance rate/ }).getByRole("cell", { name: "50 %" }).count()).toBe(1);
    await page.screenshot({ path: join(shots, "4-charts.png"), fullPage: true });

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${base}/ops/audit`);
    expect(await page.locator("strong.audit-ok").textContent()).toBe("verified");
    await page.screenshot({ path: join(shots, "5-audit.png"), fullPage: true });

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/ops/login?out=1`);
    expect(new URL(page.url()).pathname).toBe("/ops/login");
    expect(await page.getByText("You have signed out.").count()).toBe(1);
    await page.goto(`${base}/ops/charts`);
    expect(new URL(page.url()).pathname).toBe("/ops/login");

    expect(problems).toEqual([]);
    await context.close();

    async function expectRowLabel(id: string, label: string) {
      expect(await page.locator(`tr[data-request="${id}"] td`).last().textContent()).toBe(label);
    }
  });
});
