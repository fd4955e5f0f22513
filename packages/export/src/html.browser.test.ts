import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { artifactsDir, launchChromium } from "@lawful/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectText, createAccessPackage, writeHtml } from "./index.js";
import { accessInput } from "./internal/test-fixtures.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("writeHtml in Chromium", () => {
  it("accessibility - roles and names come from headings, captions and header cells; no request leaves the page; it prints", async () => {
    const html = await collectText(writeHtml(createAccessPackage(accessInput({ language: "de" }))));
    const context = await browser.newContext();
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: "load" });
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
    expect(await page.getByRole("heading", { level: 2, name: "Ihre Rechte" }).count()).toBe(1);
    const table = page.getByRole("table", { name: "Einwilligungsverlauf mit Nachweisen" });
    expect(await table.count()).toBe(1);
    expect(await table.getByRole("columnheader", { name: "ip_address" }).count()).toBe(1);
    expect(await page.getByRole("cell", { name: '"=HYPERLINK()"', exact: false }).count()).toBe(1);
    expect(await page.locator("script, link, img, iframe, object").count()).toBe(0);
    expect(await page.locator("th").count()).toBeGreaterThan(10);
    expect(await page.locator('th:not([scope="col"]):not([scope="row"])').count()).toBe(0);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav").isVisible()).toBe(false);
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.length).toBeGreaterThan(1000);
    writeFileSync(join(artifactsDir("export"), "access-report.pdf"), pdf);
    writeFileSync(join(artifactsDir("export"), "access-report.html"), html);
    expect(requests).toEqual([]);
    await context.close();
  });
});
