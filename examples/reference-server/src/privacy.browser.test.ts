import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, createTestSqliteFile, launchChromium, type TestSqliteFile } from "@lawful/testkit";
import { verifyExportBundle } from "@lawful/export";
import { loadConfig } from "./config.js";
import { createLawful, listen, type Lawful } from "./server.js";
import { caller, seedNewsletterForm } from "./test-harness.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;

describe("privacy center in Chromium", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let base: string;
  let admin: string;
  const shots = artifactsDir("privacy-center");

  const api = async (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${admin}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });

  beforeAll(async () => {
    file = createTestSqliteFile("privacy-browser.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, PORT: "0", LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    server = await listen(lawful);
    base = `http://127.0.0.1:${server.port}`;
    const tenant = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    admin = (await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedNewsletterForm(caller(() => lawful), admin);
    const captured = await fetch(`${base}/p/acme/forms/landing/submit`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=ada%40example.com&newsletter=on" });
    expect(captured.status).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    file?.cleanup();
  });

  it("submit → code → status → download, with no console errors or CSP violations", async () => {
    const context = await browser.newContext({ acceptDownloads: true, locale: "en-GB" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      // the browser's own favicon probe is not part of the pages
      if ((m.type() === "error" || m.type() === "warning") && !m.location().url.endsWith("/favicon.ico")) problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));

    await page.goto(`${base}/p/acme/privacy`);
    expect(await page.getByRole("heading", { level: 1, name: "Privacy center" }).count()).toBe(1);
    await page.getByLabel("Get a copy of my data").check();
    await page.getByLabel("Your e-mail address").fill("ada@example.com");
    await page.screenshot({ path: join(shots, "1-request-form.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/privacy\/requests$/), page.getByRole("button", { name: "Send request" }).click()]);
    expect(await page.getByRole("heading", { name: "Confirm your request" }).count()).toBe(1);
    await page.screenshot({ path: join(shots, "2-code-form.png"), fullPage: true });

    const outbox = (await (await api("/v1/outbox")).json()) as { items: { kind: string; to: string; body: string }[] };
    const code = /privacy request is (\d{6})\./.exec(outbox.items.find((m) => m.kind === "verification_code" && m.to === "ada@example.com")!.body)![1]!;
    await page.getByLabel("Verification code").fill(code);
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/p\/acme\/privacy\/requests\/[^/?]+\?s=/);
    expect(await page.getByRole("heading", { name: "Status of your request" }).count()).toBe(1);
    await page.screenshot({ path: join(shots, "3-status-in-progress.png"), fullPage: true });

    const id = new URL(page.url()).pathname.split("/").pop()!;
    const tenantId = (await lawful.tenants.bySlug("acme"))!.id;
    for (let i = 0; i < 20 && (await lawful.services.dsr.get(tenantId, id)).state !== "completed"; i++) await lawful.services.dsr.work({ workerId: "browser-test" });
    expect((await lawful.services.dsr.get(tenantId, id)).state).toBe("completed");
    await page.reload();
    expect(await page.getByText("Your request has been carried out.").count()).toBe(1);
    expect(await page.getByRole("cell", { name: "Newsletter" }).count()).toBe(1);
    await page.screenshot({ path: join(shots, "4-status-completed.png"), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download your data (ZIP)" }).click()]);
    const saved = join(shots, "download.zip");
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const check = await verifyExportBundle(saved);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);

    expect(await page.locator("script").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
