import { createHash, randomBytes } from "node:crypto";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import {
  COOKIE_CATEGORIES,
  CONSENT_MODE_DEFAULT_MAPPING,
  CookieCatalogueSchema,
  cookieBannerScript,
  cookieChoiceToSubmission,
  parseGpcHeader,
  renderCookieBanner,
  renderCookieTable,
  toDeviceStorageJson,
  type ConsentService,
  type CookieCatalogue,
  type Notice,
} from "@lawful/consent";
import { LawfulError, PurposeIdSchema, type Actor, type AuditSink, type Clock, type LawfulIssue, type Migration } from "@lawful/core";
import type { Sql } from "../db.js";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, staffActor as actorOf } from "../http/route-kit.js";
import { CSRF_COOKIE, CSRF_FIELD, csrfToken } from "../http/csrf.js";
import { escapeHtml, page } from "../http/html.js";
import { problem } from "../http/problem.js";
import { clientIp, type PublicVariables } from "../http/public.js";
import { negotiateLanguage, t, type Language } from "../i18n.js";
import type { FormDefinition } from "./consent.js";

/**
 * The per-tenant cookie catalogue table: the disclosures and the cookie notice the banner's choices are recorded under.
 *
 * @example
 * ```ts
 * import type { Sql } from "../db.js";
 * import { COOKIE_MIGRATIONS } from "./landing.js";
 * const migrate = (sql: Sql) => sql.migrate("@lawful/reference-server/cookies", COOKIE_MIGRATIONS);
 * ```
 */
export const COOKIE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "cookie catalogues",
    sql: ["CREATE TABLE server_cookie_catalogues (tenant_id TEXT PRIMARY KEY, settings TEXT NOT NULL, updated_at TEXT NOT NULL)"],
  },
];

/**
 * A tenant's cookie settings: the IAB-style catalogue (`disclosures`) plus the published notice version that states the
 * `cookies.<category>` purposes; the banner records every choice under that notice and re-asks when its version changes.
 *
 * @example
 * ```ts
 * import { CookieSettingsSchema } from "./landing.js";
 * CookieSettingsSchema.parse({ notice: { noticeId: "cookies", version: 1 }, disclosures: [] });
 * ```
 */
export const CookieSettingsSchema = CookieCatalogueSchema.extend({
  notice: z.object({ noticeId: PurposeIdSchema, version: z.number().int().min(1).max(1_000_000) }),
});
/** Cookie settings as sent (see {@link CookieSettingsSchema}). */
export type CookieSettings = z.output<typeof CookieSettingsSchema>;
/** Stored cookie settings with the time of the last change. */
export type StoredCookieSettings = CookieSettings & { updatedAt: string };

/** Where the banner script and the Consent Mode defaults are served from (CSP `script-src 'self'`: never inline). */
export const COOKIE_BANNER_SCRIPT_PATH = "/assets/cookie-banner.js";
/** Where the Google Consent Mode `default` command (everything but security denied) is served from. */
export const CONSENT_DEFAULTS_SCRIPT_PATH = "/assets/cookie-consent-defaults.js";

const EXEMPT = new Set(["strictly_necessary", "communication"]);
const DEVICE_COOKIE = "lawful_cc_id";
const DEVICE_MAX_AGE = 15_552_000;
const BANNER_JS = cookieBannerScript();
// renderCookieBanner puts the Consent Mode defaults in an inline <script> of `head`; serve that script as a file instead
const BANNER_HEAD = renderCookieBanner({ catalogue: { disclosures: [] }, noticeVersion: 1, endpoint: "/" }).head;
const DEFAULTS_JS = /<script>([\s\S]*?)<\/script>/.exec(BANNER_HEAD)?.[1] ?? "";
const BANNER_STYLE = /<style>[\s\S]*?<\/style>/.exec(BANNER_HEAD)?.[0] ?? "";
const version = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
const BANNER_SRC = `${COOKIE_BANNER_SCRIPT_PATH}?v=${version(BANNER_JS)}`;
const DEFAULTS_SRC = `${CONSENT_DEFAULTS_SCRIPT_PATH}?v=${version(DEFAULTS_JS)}`;

/**
 * The consent categories the banner asks about for a catalogue (its own categories and those of the Consent Mode
 * mapping, without the exempt ones): each needs a `cookies.<category>` purpose stated in the cookie notice.
 *
 * @example
 * ```ts
 * import { bannerConsentCategories } from "./landing.js";
 * bannerConsentCategories({ disclosures: [] }); // ["preferences", "analytics", "marketing"]
 * ```
 */
export function bannerConsentCategories(catalogue: CookieCatalogue): string[] {
  const used = new Set<string>([...catalogue.disclosures.map((d) => d.category), ...Object.values(CONSENT_MODE_DEFAULT_MAPPING)]);
  return COOKIE_CATEGORIES.filter((c) => used.has(c) && !EXEMPT.has(c));
}

/**
 * The stored cookie settings of a tenant, or undefined when it has published none.
 *
 * @example
 * ```ts
 * import type { Sql } from "../db.js";
 * import { loadCookieSettings } from "./landing.js";
 * const hasBanner = async (sql: Sql, tenantId: string) => (await loadCookieSettings(sql, tenantId)) !== undefined;
 * ```
 */
export async function loadCookieSettings(sql: Sql, tenantId: string): Promise<StoredCookieSettings | undefined> {
  const row = await sql.get<{ settings: string; updated_at: string }>("SELECT settings, updated_at FROM server_cookie_catalogues WHERE tenant_id = ?", [tenantId]);
  return row && { ...(JSON.parse(row.settings) as CookieSettings), updatedAt: row.updated_at };
}

/**
 * Validate and store a tenant's cookie settings with an audit event, in one transaction. The notice must be a published
 * version that states a `cookies.<category>` purpose, defined for the tenant, for every category the banner asks about.
 *
 * @throws LawfulError `VALIDATION_FAILED` with issues at `body.notice` (or `body.disclosures…`).
 * @example
 * ```ts
 * import type { ConsentService } from "@lawful/consent";
 * import type { AuditSink, Clock } from "@lawful/core";
 * import type { Sql } from "../db.js";
 * import { saveCookieSettings } from "./landing.js";
 * const clear = (deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }, tenantId: string) =>
 *   saveCookieSettings(deps, tenantId, { notice: { noticeId: "cookies", version: 1 }, disclosures: [] }, { type: "system", id: "setup" });
 * ```
 */
export async function saveCookieSettings(
  deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock },
  tenantId: string,
  input: unknown,
  actor: Actor,
): Promise<StoredCookieSettings> {
  const parsed = CookieSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: ["body", ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))], message: i.message, code: i.code }));
    throw new LawfulError("VALIDATION_FAILED", `Invalid cookie settings: ${issues.map((i) => i.path.join(".")).join(", ")}.`, { issues });
  }
  const settings = parsed.data;
  const notice = await deps.consent.getNotice(tenantId, settings.notice.noticeId, settings.notice.version);
  const purposes = new Set((await deps.consent.listPurposes(tenantId)).map((p) => p.id));
  const issues: LawfulIssue[] = [];
  if (!notice || notice.status !== "published") issues.push({ path: ["body", "notice"], message: "is not a published notice version", code: "unknown_notice" });
  else {
    for (const category of bannerConsentCategories(settings)) {
      const purpose = `cookies.${category}`;
      if (!purposes.has(purpose) || !notice.purposes.includes(purpose)) {
        issues.push({ path: ["body", "notice"], message: `must state the purpose ${purpose}, defined for this tenant (the banner asks for consent to ${category} cookies)`, code: "missing_purpose" });
      }
    }
  }
  if (issues.length) throw new LawfulError("VALIDATION_FAILED", `Invalid cookie settings: ${issues.map((i) => i.message).join("; ")}.`, { issues });
  const updatedAt = deps.clock.now().toISOString();
  await deps.sql.transaction(async () => {
    await deps.sql.run(
      "INSERT INTO server_cookie_catalogues (tenant_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
      [tenantId, JSON.stringify(settings), updatedAt],
    );
    await deps.audit.record({ tenantId, action: "consent.cookie_catalogue_saved", actor, target: { system: "lawful", recordType: "cookie_catalogue", recordId: tenantId } });
  });
  return { ...settings, updatedAt };
}

const StoredSchema = CookieSettingsSchema.extend({ updatedAt: z.string() });

/**
 * Operator routes of the cookie catalogue: `GET` and `PUT /v1/cookies` (scope `consent`).
 *
 * @example
 * ```ts
 * import type { OpenAPIHono } from "@hono/zod-openapi";
 * import type { ConsentService } from "@lawful/consent";
 * import type { AuditSink, Clock } from "@lawful/core";
 * import type { Sql } from "../db.js";
 * import type { AppEnv } from "../http/app.js";
 * import { registerCookieRoutes } from "./landing.js";
 * const wire = (app: OpenAPIHono<AppEnv>, deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }) => registerCookieRoutes(app, deps);
 * ```
 */
export function registerCookieRoutes(app: OpenAPIHono<AppEnv>, deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }): void {
  app.use("/v1/cookies", requireScope("consent"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/cookies",
      tags: ["consent"],
      summary: "The tenant's cookie catalogue and cookie notice (shown on /p/{tenant}/cookies and in the banner)",
      security,
      responses: { 200: { description: "The cookie settings", content: { "application/json": { schema: StoredSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const settings = await loadCookieSettings(deps.sql, c.get("principal").tenant.id);
      if (!settings) throw new LawfulError("NOT_FOUND", "This tenant has no cookie catalogue yet; PUT one to /v1/cookies.");
      return c.json(settings, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/cookies",
      tags: ["consent"],
      summary: "Replace the cookie catalogue (IAB device storage disclosures plus category and exemption rationale) and its notice",
      security,
      request: { body: { required: true, content: { "application/json": { schema: CookieSettingsSchema } } } },
      responses: { 200: { description: "The stored cookie settings", content: { "application/json": { schema: StoredSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const actor = actorOf(c);
      return c.json(await saveCookieSettings(deps, c.get("principal").tenant.id, c.req.valid("json"), actor), 200);
    },
  );
}

const js = (c: Context, body: string) =>
  c.body(body, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=31536000, immutable" });

/** The cookie element for a page: the style and the defaults script first, the banner (with its script tag) last. */
function cookieElement(settings: CookieSettings, slug: string, lang: Language): { top: string; bottom: string } {
  const { body } = renderCookieBanner({
    catalogue: settings,
    noticeVersion: settings.notice.version,
    endpoint: `/p/${slug}/cookies/choice`,
    locale: lang,
    policyUrl: `/p/${slug}/privacy`,
    scriptSrc: BANNER_SRC,
  });
  return { top: `<script src="${escapeHtml(DEFAULTS_SRC)}"></script>${BANNER_STYLE}`, bottom: body };
}

/** Notice text as shown to the visitor: plain text as is, HTML reduced to its text (never rendered as markup). */
function noticeText(notice: Notice): string {
  if (notice.contentType === "text/plain") return notice.content;
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
  return notice.content
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      const code = e[0] === "#" ? (e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : NaN;
      if (!Number.isNaN(code)) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      return entities[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, " ")
    .trim();
}

/**
 * Every route of this area: the operator's `GET`/`PUT /v1/cookies` (see {@link registerCookieRoutes}), the demo landing page `/p/{tenant}`, the cookie disclosure page `/p/{tenant}/cookies` and its IAB
 * `cookies.json`, the banner's choice endpoint `/p/{tenant}/cookies/choice` (CORS by the tenant's allow-list), and the
 * banner scripts as static assets.
 *
 * @example
 * ```ts
 * import type { OpenAPIHono } from "@hono/zod-openapi";
 * import type { ConsentService } from "@lawful/consent";
 * import type { AuditSink, Clock } from "@lawful/core";
 * import type { Sql } from "../db.js";
 * import type { AppEnv } from "../http/app.js";
 * import type { PublicVariables } from "../http/public.js";
 * import { registerLandingRoutes } from "./landing.js";
 * const wire = (app: OpenAPIHono<AppEnv>, pub: OpenAPIHono<{ Variables: PublicVariables }>, deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }) =>
 *   registerLandingRoutes(app, pub, deps);
 * ```
 */
export function registerLandingRoutes(
  app: OpenAPIHono<AppEnv>,
  pub: OpenAPIHono<{ Variables: PublicVariables }>,
  deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock; publicBaseUrl?: string | undefined },
): void {
  registerCookieRoutes(app, deps);
  app.get(COOKIE_BANNER_SCRIPT_PATH, (c) => js(c, BANNER_JS));
  app.get(CONSENT_DEFAULTS_SCRIPT_PATH, (c) => js(c, DEFAULTS_JS));
  const langOf = (c: Context) => negotiateLanguage(c.req.header("accept-language"));

  pub.get("/p/:tenant", async (c) => {
    const tenant = c.get("tenant");
    const lang = langOf(c);
    const slug = encodeURIComponent(tenant.slug);
    const controller = { controller: tenant.name };
    const settings = await loadCookieSettings(deps.sql, tenant.id);
    const cookies = settings ? cookieElement(settings, slug, lang) : { top: "", bottom: "" };
    const row = await deps.sql.get<{ definition: string }>(
      "SELECT definition FROM server_forms WHERE tenant_id = ? ORDER BY CASE WHEN form_id = 'newsletter' THEN 0 ELSE 1 END, form_id LIMIT 1",
      [tenant.id],
    );
    const form = row ? (JSON.parse(row.definition) as FormDefinition) : undefined;
    const notice = form ? await deps.consent.getNotice(tenant.id, form.notice.noticeId, form.notice.version) : undefined;
    const signup =
      form && notice
        ? `<form method="post" action="/p/${slug}/forms/${encodeURIComponent(form.id)}/submit">` +
          `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken(c))}">` +
          `<p><label for="signup-email">${escapeHtml(t(lang, "landing.newsletter.email"))}</label><br>` +
          `<input id="signup-email" type="email" name="${escapeHtml(form.emailField)}" required autocomplete="email" maxlength="254"></p>` +
          `<fieldset><legend>${escapeHtml(t(lang, "landing.newsletter.notice"))}</legend>` +
          `<p class="notice" style="white-space:pre-line">${escapeHtml(noticeText(notice))}</p>` +
          form.fields.map((f) => `<p><label><input type="checkbox" name="${escapeHtml(f.fieldName)}"${f.defaultChecked ? " checked" : ""}> ${escapeHtml(f.label)}</label></p>`).join("") +
          `<p class="muted">${escapeHtml(notice.withdrawalInfo)}</p></fieldset>` +
          `<p><button type="submit">${escapeHtml(t(lang, "landing.newsletter.submit"))}</button></p></form>`
        : `<p>${escapeHtml(t(lang, "landing.newsletter.none"))}</p>`;
    const links = (
      [
        ["privacy", "landing.links.privacy"],
        ["subprocessors.html", "landing.links.subprocessors"],
        ["retention-schedule", "landing.links.retention"],
        ["cookies", "landing.links.cookies"],
      ] as const
    )
      .map(([path, key]) => `<li><a href="/p/${slug}/${path}">${escapeHtml(t(lang, key))}</a></li>`)
      .join("");
    const body =
      cookies.top +
      `<p class="muted" role="note">${escapeHtml(t(lang, "landing.demo"))}</p>` +
      `<header><p><strong>${escapeHtml(tenant.name)}</strong></p><h1>${escapeHtml(t(lang, "landing.heading"))}</h1>` +
      `<p>${escapeHtml(t(lang, "landing.pitch", controller))}</p></header>` +
      `<main><ul>${(["landing.feature.contacts", "landing.feature.pipeline", "landing.feature.privacy"] as const).map((k) => `<li>${escapeHtml(t(lang, k))}</li>`).join("")}</ul>` +
      `<section aria-labelledby="signup"><h2 id="signup">${escapeHtml(t(lang, "landing.newsletter.heading"))}</h2>${signup}</section></main>` +
      `<footer><h2>${escapeHtml(t(lang, "landing.links.heading"))}</h2><ul>${links}</ul>${cookies.bottom}</footer>`;
    return c.html(page(t(lang, "landing.title", controller), body, lang));
  });

  pub.get("/p/:tenant/cookies", async (c) => {
    const tenant = c.get("tenant");
    const lang = langOf(c);
    const slug = encodeURIComponent(tenant.slug);
    const settings = await loadCookieSettings(deps.sql, tenant.id);
    const title = t(lang, "cookies.title");
    if (!settings) return c.html(page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(t(lang, "landing.cookies.none", { controller: tenant.name }))}</p>`, lang), 404);
    const cookies = cookieElement(settings, slug, lang);
    const body =
      cookies.top +
      `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(t(lang, "landing.cookies.intro", { controller: tenant.name }))}</p>` +
      renderCookieTable({ catalogue: settings, locale: lang }) +
      `<p><a href="/p/${slug}/cookies.json">${escapeHtml(t(lang, "landing.cookies.machine"))}</a></p>` +
      `<p><a href="/p/${slug}">${escapeHtml(t(lang, "common.back"))}</a></p>${cookies.bottom}`;
    return c.html(page(title, body, lang));
  });

  pub.get("/p/:tenant/cookies.json", async (c) => {
    const settings = await loadCookieSettings(deps.sql, c.get("tenant").id);
    if (!settings) throw new LawfulError("NOT_FOUND", "This tenant has not published a cookie catalogue.");
    return c.json(toDeviceStorageJson(settings));
  });

  pub.post("/p/:tenant/cookies/choice", async (c) => {
    const tenant = c.get("tenant");
    const origin = c.req.header("origin");
    const own = [new URL(c.req.url).origin, ...(deps.publicBaseUrl ? [new URL(deps.publicBaseUrl).origin] : [])];
    if (origin !== undefined && !own.includes(origin) && !tenant.corsOrigins.includes(origin)) {
      return problem(c, 403, "This origin is not on the tenant's list of allowed origins.", { code: "ORIGIN_NOT_ALLOWED" });
    }
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) {
      return problem(c, 415, "Send the cookie choice as application/json.", {
        code: "UNSUPPORTED_MEDIA_TYPE",
        issues: [{ path: ["content-type"], message: "must be application/json", code: "unsupported_media_type" }],
      });
    }
    const settings = await loadCookieSettings(deps.sql, tenant.id);
    if (!settings) throw new LawfulError("NOT_FOUND", "This tenant has not published a cookie catalogue.");
    const body: unknown = await c.req.json().catch(() => {
      throw new LawfulError("VALIDATION_FAILED", "The body is not valid JSON.", { issues: [{ path: ["body"], message: "is not valid JSON", code: "invalid_json" }] });
    });
    const existing = getCookie(c, DEVICE_COOKIE);
    const device = existing && /^[A-Za-z0-9_-]{22}$/.test(existing) ? existing : randomBytes(16).toString("base64url");
    const raw = clientIp(c).replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
    const ip = z.union([z.ipv4(), z.ipv6()]).safeParse(raw).success ? raw : undefined;
    const userAgent = c.req.header("user-agent")?.slice(0, 1024);
    const request = { ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}), receivedAt: deps.clock.now() };
    const referer = c.req.header("referer");
    const { gpc, ...submission } = cookieChoiceToSubmission(body, {
      tenantId: tenant.id,
      subject: { kind: "device_id", value: device },
      noticeId: settings.notice.noticeId,
      request,
      ...(referer && z.url().max(2048).safeParse(referer).success ? { pageUrl: referer } : {}),
    });
    if (submission.notice.version !== settings.notice.version) {
      throw new LawfulError("VALIDATION_FAILED", "The banner shown is out of date; reload the page.", {
        issues: [{ path: ["body", "noticeVersion"], message: `must be the current cookie notice version ${settings.notice.version}`, code: "stale_notice" }],
      });
    }
    // a category the body leaves out counts as refused, so every choice records all categories the banner asks about
    const given = new Set(submission.choices.map((ch) => ch.fieldName));
    const missing = bannerConsentCategories(settings).filter((cat) => !given.has(cat));
    const choices = [...submission.choices, ...missing.map((cat) => ({ purposeId: `cookies.${cat}`, fieldName: cat, checked: false, defaultChecked: false }))];
    const result = await deps.consent.captureForm({ ...submission, choices, locale: negotiateLanguage(c.req.header("accept-language")) });
    if (gpc || parseGpcHeader(c.req.raw.headers)) {
      await deps.consent.recordGpcSignal({ tenantId: tenant.id, subject: { pseudonym: result.subjectPseudonym }, signal: true, evidence: { collectionPoint: "cookie-banner", ...request } });
    }
    if (existing !== device) {
      setCookie(c, DEVICE_COOKIE, device, { httpOnly: true, sameSite: "Lax", path: "/", maxAge: DEVICE_MAX_AGE, secure: new URL(c.req.url).protocol === "https:" });
    }
    return c.json({ submissionId: result.submissionId, events: result.events.map((e) => ({ id: e.id, purposeId: e.purposeId, type: e.type })) }, 201);
  });
}

const DEMO_ACTOR: Actor = { type: "system", id: "lawful demo seed" };
const DEMO_CONTROLLER = { name: "Demo GmbH", contact: "datenschutz@demo-gmbh.example", address: "Musterstraße 1, 10115 Berlin, Germany" };

/**
 * Create the demo content of a tenant, idempotently (only what is missing; nothing an operator changed is overwritten):
 * the `newsletter` purpose (double opt-in) with its notice and form, the `cookies.<category>` purposes with the cookie
 * notice, and the cookie catalogue of the demo site. The company is made up ("Demo GmbH", `.example` addresses); the
 * statistics and advertising cookies are marked as demo entries because the demo page loads no such scripts.
 *
 * @example
 * ```ts
 * import type { ConsentService } from "@lawful/consent";
 * import type { AuditSink, Clock } from "@lawful/core";
 * import type { Sql } from "../db.js";
 * import { seedDemoContent } from "./landing.js";
 * const seed = (deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }, tenantId: string) => seedDemoContent(deps, tenantId);
 * ```
 */
export async function seedDemoContent(deps: { sql: Sql; consent: ConsentService; audit: AuditSink; clock: Clock }, tenantId: string): Promise<void> {
  const { consent, sql } = deps;
  const defined = new Set((await consent.listPurposes(tenantId)).map((p) => p.id));
  const purposes = [
    { id: "newsletter", name: "Newsletter", description: "About one e-mail a month with product news from Demo GmbH.", channel: "email", doubleOptIn: true },
    { id: "cookies.preferences", name: "Preference cookies", description: "Remember settings such as the language.", channel: "web" },
    { id: "cookies.analytics", name: "Statistics cookies", description: "Measure how the site is used.", channel: "web" },
    { id: "cookies.marketing", name: "Marketing cookies", description: "Show and measure advertising.", channel: "web" },
  ] as const;
  for (const p of purposes) {
    if (!defined.has(p.id)) await consent.definePurpose({ ...p, tenantId, lawfulBasis: "consent", regime: "EU" });
  }
  const notices = [
    {
      noticeId: "newsletter",
      content:
        "Demo GmbH (Musterstraße 1, 10115 Berlin; a made-up company) sends you its newsletter about once a month. For this it uses your e-mail address, and it keeps a record of your consent as proof. After you subscribe we send you an e-mail to confirm that the address is yours.",
      purposes: ["newsletter"],
      dataCategories: ["contact.email"],
      withdrawalInfo: "You can withdraw your consent at any time with the unsubscribe link in every e-mail or in the privacy center.",
    },
    {
      noticeId: "cookies",
      content:
        "Demo GmbH uses strictly necessary cookies to run this site. With your consent it also uses cookies for preferences, statistics and marketing. The list of cookies shows each one, its purpose and how long it is kept.",
      purposes: ["cookies.preferences", "cookies.analytics", "cookies.marketing"],
      dataCategories: ["online.device_id"],
      withdrawalInfo: "You can change or withdraw your choice at any time with the cookie settings link at the bottom of every page.",
    },
  ];
  for (const n of notices) {
    if (!(await consent.getNotice(tenantId, n.noticeId, 1))) {
      await consent.publishNotice({ ...n, tenantId, version: 1, locale: "en", contentType: "text/plain", controllers: [DEMO_CONTROLLER] });
    }
  }
  const form: FormDefinition = {
    id: "newsletter",
    notice: { noticeId: "newsletter", version: 1 },
    emailField: "email",
    fields: [{ purposeId: "newsletter", fieldName: "newsletter", label: "Yes, send me the Demo GmbH newsletter by e-mail.", defaultChecked: false }],
  };
  await sql.run("INSERT INTO server_forms (tenant_id, form_id, definition, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, form_id) DO NOTHING", [
    tenantId,
    form.id,
    JSON.stringify(form),
    deps.clock.now().toISOString(),
  ]);
  if (await loadCookieSettings(sql, tenantId)) return;
  const necessary = { type: "cookie" as const, purposes: [], category: "strictly_necessary" as const, provider: "Demo GmbH" };
  await saveCookieSettings(
    deps,
    tenantId,
    {
      notice: { noticeId: "cookies", version: 1 },
      disclosures: [
        {
          ...necessary,
          identifier: CSRF_COOKIE,
          maxAgeSeconds: null,
          description: "Protects the forms on this site against cross-site request forgery.",
          exemptionRationale: "Strictly necessary to submit the forms the visitor fills in securely.",
        },
        {
          ...necessary,
          identifier: "lawful_consent",
          maxAgeSeconds: 15_552_000,
          description: "Remembers your cookie choices so the banner is not shown on every page.",
          exemptionRationale: "Strictly necessary to respect the choice the visitor made in the banner.",
        },
        {
          ...necessary,
          identifier: DEVICE_COOKIE,
          maxAgeSeconds: DEVICE_MAX_AGE,
          description: "A random identifier that links your cookie choice to the consent record kept as proof.",
          exemptionRationale: "Needed to demonstrate the visitor's consent (GDPR Art. 7(1)); it is set only when a choice is made.",
        },
        { identifier: "_demo_stats", type: "cookie", maxAgeSeconds: 31_536_000, purposes: [], category: "analytics", provider: "Demo GmbH", description: "Demo entry: would count page views. The demo page loads no statistics script." },
        { identifier: "_demo_ads", type: "cookie", maxAgeSeconds: 7_776_000, purposes: [], category: "marketing", provider: "Demo Ads GmbH (made up)", description: "Demo entry: would measure advertising campaigns. The demo page loads no advertising script." },
      ],
    },
    DEMO_ACTOR,
  );
}
