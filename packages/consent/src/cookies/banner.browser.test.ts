import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { artifactsDir, launchChromium } from "@lawful/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGpcHeader } from "../gpc.js";
import { CATALOGUE, makeService } from "../internal/test-fixtures.js";
import { cookieChoiceToSubmission, renderCookieBanner, renderCookieTable } from "./render.js";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser["newPage"]>>;

const { service } = makeService(undefined, "2025-03-05T10:00:00Z");
const shots = artifactsDir("consent");
let noticeVersion = 1;
const posts: { body: unknown; device: string; gpcHeader: boolean }[] = [];
let server: Server;
let base = "";
let browser: Browser;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c));
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });
const deviceOf = (req: IncomingMessage): string | undefined => /(?:^|; )did=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];

function page(): string {
  const { head, body } = renderCookieBanner({ catalogue: CATALOGUE, noticeVersion, endpoint: "/consent", locale: "en", policyUrl: "/privacy" });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo</title>${head}</head><body><main><h1>Landing page</h1>${renderCookieTable({ catalogue: CATALOGUE })}</main>
<script type="text/plain" data-category="analytics">window.__analytics = (window.__analytics || 0) + 1;</script>
<script type="text/plain" data-category="marketing">window.__marketing = (window.__marketing || 0) + 1;</script>
<footer>${body}</footer></body></html>`;
}

beforeAll(async () => {
  for (const c of ["analytics", "marketing", "preferences"]) {
    await service.definePurpose({ tenantId: "acme", id: `cookies.${c}`, name: c, channel: "web", lawfulBasis: "consent", regime: "EU" });
  }
  await service.definePurpose({ tenantId: "acme", id: "sale", name: "Sale or sharing", channel: "web", lawfulBasis: "consent", regime: "US-CA", model: "opt_out", saleOrSharing: true });
  for (const version of [1, 2]) {
    await service.publishNotice({
      tenantId: "acme",
      noticeId: "cookies",
      version,
      locale: "en",
      contentType: "text/html",
      content: `cookie notice v${version}`,
      controllers: [{ name: "Acme GmbH" }],
      purposes: ["cookies.analytics", "cookies.marketing", "cookies.preferences"],
      dataCategories: ["online.device_id"],
      withdrawalInfo: "Use the cookie settings link at the bottom of every page.",
    });
  }
  server = createServer((req, res) => {
    void (async () => {
      if (req.method === "POST" && req.url === "/consent") {
        const device = deviceOf(req) ?? "unknown";
        const body: unknown = JSON.parse(await readBody(req));
        const gpcHeader = parseGpcHeader(req.headers);
        posts.push({ body, device, gpcHeader });
        const submission = cookieChoiceToSubmission(body, { tenantId: "acme", subject: { kind: "device_id", value: device }, noticeId: "cookies", request: { ip: "127.0.0.1", userAgent: req.headers["user-agent"] } });
        const { gpc, ...form } = submission;
        await service.captureForm(form);
        if (gpc || gpcHeader) await service.recordGpcSignal({ tenantId: "acme", subject: { kind: "device_id", value: device }, signal: true, evidence: { collectionPoint: "cookie-banner" } });
        res.writeHead(204).end();
        return;
      }
      const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8" };
      if (!deviceOf(req)) headers["set-cookie"] = `did=${randomUUID()}; Path=/; SameSite=Lax`;
      res.writeHead(200, headers).end(page());
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

async function open(options: { gpc?: boolean } = {}): Promise<Page> {
  // GPC emulation: the Sec-GPC request header on every request and navigator.globalPrivacyControl in the page
  const context = await browser.newContext(options.gpc ? { extraHTTPHeaders: { "Sec-GPC": "1" } } : {});
  if (options.gpc) {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true }));
  }
  const p = await context.newPage();
  await p.goto(`${base}/`);
  return p;
}

const device = async (p: Page): Promise<string> => (await p.context().cookies()).find((c) => c.name === "did")!.value;
const subject = (id: string) => ({ kind: "device_id" as const, value: id });
const consentPost = (p: Page) => p.waitForResponse((r) => r.url().endsWith("/consent") && r.request().method() === "POST");

describe("cookie banner in Chromium", () => {
  it("banner - renders with Accept all and Reject all equally prominent on the first layer", async () => {
    noticeVersion = 1;
    const p = await open();
    const banner = p.getByRole("dialog", { name: "Cookies and similar technologies" });
    await expect.poll(() => banner.isVisible()).toBe(true);
    const accept = await p.getByRole("button", { name: "Accept all" }).boundingBox();
    const reject = await p.getByRole("button", { name: "Reject all" }).boundingBox();
    expect(accept && reject).toBeTruthy();
    expect(Math.abs(accept!.height - reject!.height)).toBeLessThan(1);
    expect(Math.abs(accept!.width - reject!.width)).toBeLessThan(2);
    expect(await p.evaluate(() => (window as unknown as { __analytics?: number }).__analytics)).toBeUndefined();
    const defaults = await p.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { dataLayer: unknown[] }).dataLayer)) as unknown[]);
    expect(defaults[0]).toEqual({ 0: "consent", 1: "default", 2: expect.objectContaining({ ad_storage: "denied", analytics_storage: "denied", security_storage: "granted" }) });
    await p.screenshot({ path: join(shots, "banner-first-layer.png") });
    await p.context().close();
  });

  it("reject all - hides the banner, releases no script and records refusals on the server", async () => {
    noticeVersion = 1;
    const p = await open();
    const posted = consentPost(p);
    await p.getByRole("button", { name: "Reject all" }).click();
    await posted;
    expect(await p.getByRole("dialog").isVisible()).toBe(false);
    expect(await p.evaluate(() => [(window as unknown as { __analytics?: number }).__analytics, (window as unknown as { __marketing?: number }).__marketing])).toEqual([undefined, undefined]);
    const id = await device(p);
    expect(await service.decide("acme", subject(id), "cookies.analytics")).toMatchObject({ allowed: false, reason: "refused" });
    expect(await service.decide("acme", subject(id), "cookies.marketing")).toMatchObject({ allowed: false, reason: "refused" });
    const events = await service.history("acme", subject(id));
    expect(events.every((e) => e.method === "checkbox_unchecked" && e.notice?.version === 1)).toBe(true);
    await p.screenshot({ path: join(shots, "after-reject.png") });
    await p.context().close();
  });

  it("per category - accepting only analytics releases only analytics scripts and updates consent mode", async () => {
    noticeVersion = 1;
    const p = await open();
    await p.getByRole("button", { name: "Choose per category" }).click();
    await p.getByRole("checkbox", { name: /Statistics/ }).check();
    await p.screenshot({ path: join(shots, "second-layer.png") });
    const posted = consentPost(p);
    await p.getByRole("button", { name: "Save my choices" }).click();
    await posted;
    expect(await p.evaluate(() => [(window as unknown as { __analytics?: number }).__analytics, (window as unknown as { __marketing?: number }).__marketing])).toEqual([1, undefined]);
    const layer = await p.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { dataLayer: unknown[] }).dataLayer)) as Record<string, unknown>[]);
    expect(layer.at(-1)).toEqual({ 0: "consent", 1: "update", 2: expect.objectContaining({ analytics_storage: "granted", ad_storage: "denied", ad_user_data: "denied", security_storage: "granted" }) });
    const id = await device(p);
    expect(await service.decide("acme", subject(id), "cookies.analytics")).toMatchObject({ allowed: true });
    expect(await service.decide("acme", subject(id), "cookies.marketing")).toMatchObject({ allowed: false });
    // the choice is remembered: a reload shows no banner and releases analytics again
    await p.reload();
    expect(await p.evaluate(() => (window as unknown as { __analytics?: number }).__analytics)).toBe(1);
    expect(await p.getByRole("dialog").isVisible()).toBe(false);
    await p.context().close();
  });

  it("gpc - hides the banner, treats the visit as rejected and records the GPC signal", async () => {
    noticeVersion = 1;
    const p = await open({ gpc: true });
    const id = await device(p);
    await expect.poll(() => posts.some((x) => x.device === id && (x.body as { method?: string }).method === "gpc")).toBe(true);
    expect(await p.getByRole("dialog").isVisible()).toBe(false);
    expect(await p.evaluate(() => (window as unknown as { __marketing?: number }).__marketing)).toBeUndefined();
    const post = posts.find((x) => x.device === id)!;
    expect(post).toMatchObject({ gpcHeader: true, body: { gpc: true, method: "gpc" } });
    await expect.poll(async () => (await service.decide("acme", subject(id), "sale")).reason).toBe("gpc");
    // an explicit later choice from the settings link overrides GPC for the cookie categories
    await p.getByRole("button", { name: "Cookie settings" }).click();
    expect(await p.getByText("Global Privacy Control").isVisible()).toBe(true);
    await p.screenshot({ path: join(shots, "gpc-settings.png") });
    await p.context().close();
  });

  it("notice version - a changed notice version re-prompts", async () => {
    noticeVersion = 1;
    const p = await open();
    const posted = consentPost(p);
    await p.getByRole("button", { name: "Accept all" }).click();
    await posted;
    await p.reload();
    expect(await p.getByRole("dialog").isVisible()).toBe(false);
    expect(await p.evaluate(() => (window as unknown as { __marketing?: number }).__marketing)).toBe(1);
    noticeVersion = 2;
    await p.reload();
    await expect.poll(() => p.getByRole("dialog").isVisible()).toBe(true);
    expect(await p.evaluate(() => (window as unknown as { __marketing?: number }).__marketing)).toBeUndefined();
    await p.screenshot({ path: join(shots, "re-prompt-v2.png") });
    await p.context().close();
  });

  it("keyboard - the banner can be operated and consent withdrawn with the keyboard only", async () => {
    noticeVersion = 2;
    const p = await open();
    const active = () => p.evaluate(() => (document.activeElement?.getAttribute("data-lawful-action") ?? document.activeElement?.getAttribute("data-category") ?? document.activeElement?.id) || "");
    await expect.poll(active).toBe("accept");
    await p.keyboard.press("Tab");
    expect(await active()).toBe("reject");
    await p.keyboard.press("Tab");
    expect(await active()).toBe("customise");
    await p.keyboard.press("Enter");
    for (let i = 0; i < 10 && (await active()) !== "marketing"; i++) await p.keyboard.press("Tab");
    expect(await active()).toBe("marketing");
    await p.keyboard.press("Space");
    for (let i = 0; i < 10 && (await active()) !== "save"; i++) await p.keyboard.press("Tab");
    let posted = consentPost(p);
    await p.keyboard.press("Enter");
    await posted;
    expect(await p.evaluate(() => (window as unknown as { __marketing?: number }).__marketing)).toBe(1);
    const id = await device(p);
    expect(await service.decide("acme", subject(id), "cookies.marketing")).toMatchObject({ allowed: true });
    // withdraw: focus is on the settings link; two key presses, like giving
    expect(await active()).toBe("lawful-cc-open");
    await p.keyboard.press("Enter");
    await expect.poll(active).toBe("accept");
    await p.keyboard.press("Tab");
    posted = consentPost(p);
    await p.keyboard.press("Enter");
    await posted;
    expect(await service.decide("acme", subject(id), "cookies.marketing")).toMatchObject({ allowed: false, reason: "refused" });
    await p.screenshot({ path: join(shots, "keyboard-withdrawn.png") });
    await p.context().close();
  });
});
