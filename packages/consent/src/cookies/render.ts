import * as z from "zod";
import { ERROR_CODES } from "@lawful/core";
import { lawfulCookieBanner, type CookieBannerConfig } from "../browser/banner.js";
import { ConsentError } from "../errors.js";
import { zodIssues } from "../internal/util.js";
import type { FormSubmission, RequestMeta, SubjectInput } from "../service.js";
import { COOKIE_CATEGORIES, type CookieCatalogue, type CookieCategory } from "./catalogue.js";
import { createCookieTextCatalogue, type CookieTextCatalogue, type CookieTexts } from "./texts.js";

/**
 * Google Consent Mode v2 signals and the cookie category each one follows by default.
 *
 * @example
 * ```ts
 * import { CONSENT_MODE_DEFAULT_MAPPING } from "@lawful/consent";
 * CONSENT_MODE_DEFAULT_MAPPING.ad_user_data; // "marketing"
 * ```
 */
export const CONSENT_MODE_DEFAULT_MAPPING: Readonly<Record<string, CookieCategory>> = Object.freeze({
  ad_storage: "marketing",
  ad_user_data: "marketing",
  ad_personalization: "marketing",
  analytics_storage: "analytics",
  functionality_storage: "preferences",
  personalization_storage: "preferences",
  security_storage: "strictly_necessary",
});

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const jsonForScript = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/**
 * The banner script as text, for inline use or to serve as a file: the self-contained banner function wrapped in an
 * immediately invoked call. Its gzipped size stays under 6 KB.
 *
 * @example
 * ```ts
 * import { cookieBannerScript } from "@lawful/consent";
 * const js = cookieBannerScript(); // serve as /consent.js with Content-Type text/javascript
 * ```
 */
export function cookieBannerScript(): string {
  return `(${lawfulCookieBanner.toString()})(window, document);`;
}

/**
 * Options of {@link renderCookieBanner} and {@link renderCookieTable}.
 *
 * @example
 * ```ts
 * import type { CookieBannerOptions } from "@lawful/consent";
 * const o: Partial<CookieBannerOptions> = { locale: "de", endpoint: "/api/consent", noticeVersion: 3 };
 * ```
 */
export interface CookieBannerOptions {
  readonly catalogue: CookieCatalogue;
  /** Version of the cookie notice; when it changes, everyone is asked again. */
  readonly noticeVersion: number | string;
  /** URL the choices are POSTed to (JSON `{ noticeVersion, choices, gpc, method }`). */
  readonly endpoint: string;
  /** @default "en" */
  readonly locale?: string | undefined;
  /** @default the built-in English and German texts */
  readonly texts?: CookieTextCatalogue | undefined;
  readonly policyUrl?: string | undefined;
  /** Name of the strictly necessary cookie that stores the choice. @default "lawful_consent" */
  readonly cookieName?: string | undefined;
  /** How long the choice is kept. @default 15552000 (180 days) */
  readonly maxAgeSeconds?: number | undefined;
  /** Consent Mode signal → category. @default CONSENT_MODE_DEFAULT_MAPPING */
  readonly consentMode?: Readonly<Record<string, CookieCategory>> | undefined;
  /** CSP nonce added to the inline scripts. */
  readonly nonce?: string | undefined;
  /** Inline the banner script (`true`) or reference it by URL. @default true */
  readonly scriptSrc?: string | undefined;
}

function duration(seconds: number | null, t: CookieTexts): string {
  if (seconds === null || seconds === 0) return t.table.session;
  return seconds >= 86_400 ? `${Math.round(seconds / 86_400)} ${t.table.days}` : `${seconds} ${t.table.seconds}`;
}

/**
 * Render the catalogue as an accessible HTML table (caption, column headers with `scope`), including the exemption
 * rationale of strictly necessary and communication cookies.
 *
 * @example
 * ```ts
 * import { renderCookieTable, type CookieCatalogue } from "@lawful/consent";
 * const germanTable = (catalogue: CookieCatalogue) => renderCookieTable({ catalogue, locale: "de" });
 * ```
 */
export function renderCookieTable(options: Pick<CookieBannerOptions, "catalogue" | "locale" | "texts">): string {
  const t = (options.texts ?? createCookieTextCatalogue()).get(options.locale ?? "en");
  const rows = options.catalogue.disclosures
    .map(
      (c) =>
        `<tr><th scope="row"><code>${esc(c.identifier)}</code></th><td>${esc(c.provider ?? "")}</td><td>${esc(t.categories[c.category].label)}</td><td>${esc(
          c.description ?? t.categories[c.category].description,
        )}</td><td>${esc(duration(c.maxAgeSeconds, t))}</td><td>${esc(c.type)}</td><td>${esc(c.exemptionRationale ?? "")}</td></tr>`,
    )
    .join("");
  const h = t.table;
  return `<table class="lawful-cc-table"><caption>${esc(h.caption)}</caption><thead><tr><th scope="col">${esc(h.name)}</th><th scope="col">${esc(h.provider)}</th><th scope="col">${esc(
    h.category,
  )}</th><th scope="col">${esc(h.purpose)}</th><th scope="col">${esc(h.duration)}</th><th scope="col">${esc(h.type)}</th><th scope="col">${esc(h.exemption)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STYLE =
  ".lawful-cc{position:fixed;inset:auto 1rem 1rem 1rem;max-width:40rem;margin:auto;background:#fff;color:#111;border:2px solid #111;border-radius:.5rem;padding:1rem;font:16px/1.4 system-ui,sans-serif;z-index:2147483647}" +
  ".lawful-cc[hidden],.lawful-cc [hidden]{display:none}.lawful-cc-actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:.75rem}" +
  ".lawful-cc-btn{flex:1 1 10rem;font:inherit;font-weight:600;padding:.6rem 1rem;border:2px solid #111;border-radius:.4rem;background:#111;color:#fff;cursor:pointer}" +
  ".lawful-cc-link{font:inherit;background:none;border:none;text-decoration:underline;cursor:pointer;padding:.25rem;color:inherit}" +
  ".lawful-cc button:focus-visible,.lawful-cc input:focus-visible,[data-lawful-cc-open]:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
  ".lawful-cc fieldset{border:0;padding:0;margin:.75rem 0 0}.lawful-cc label{display:block;margin:.35rem 0}.lawful-cc small{display:block;color:#444}" +
  ".lawful-cc-table{border-collapse:collapse}.lawful-cc-table th,.lawful-cc-table td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}";

/**
 * Render the cookie disclosure element: `head` holds the Google Consent Mode v2 `default` (everything but security
 * denied, set before any tag runs) and the style; `body` holds the banner (Accept all and Reject all equally prominent
 * on the first layer, per-category toggles that start unchecked), the settings link that reopens it, the config and
 * the banner script. Mark your tags `<script type="text/plain" data-category="analytics">` so they wait for consent.
 *
 * @throws ConsentError `VALIDATION_FAILED` when the endpoint or notice version is missing.
 * @example
 * ```ts
 * import { renderCookieBanner, type CookieCatalogue } from "@lawful/consent";
 * function landingPage(catalogue: CookieCatalogue): string {
 *   const { head, body } = renderCookieBanner({ catalogue, noticeVersion: 2, endpoint: "/consent", locale: "en" });
 *   return `<!doctype html><html><head>${head}</head><body>…${body}</body></html>`;
 * }
 * ```
 */
export function renderCookieBanner(options: CookieBannerOptions): { head: string; body: string } {
  const issues = [];
  if (typeof options.endpoint !== "string" || options.endpoint.length === 0) issues.push({ path: ["endpoint"], message: "is required", code: "required" });
  if (options.noticeVersion === undefined || String(options.noticeVersion).length === 0) issues.push({ path: ["noticeVersion"], message: "is required", code: "required" });
  if (issues.length) throw new ConsentError(ERROR_CODES.VALIDATION_FAILED, `Invalid cookie banner options: ${issues.map((i) => i.path[0]).join(", ")} required.`, { issues });
  const t = (options.texts ?? createCookieTextCatalogue()).get(options.locale ?? "en");
  const nonce = options.nonce !== undefined ? ` nonce="${esc(options.nonce)}"` : "";
  const mapping = options.consentMode ?? CONSENT_MODE_DEFAULT_MAPPING;
  const present = new Set<CookieCategory>(["strictly_necessary", ...options.catalogue.disclosures.map((c) => c.category)]);
  const categories = COOKIE_CATEGORIES.filter((c) => present.has(c) || Object.values(mapping).includes(c));
  const cookies: Record<string, string[]> = {};
  for (const c of options.catalogue.disclosures) if (c.type === "cookie") (cookies[c.category] ??= []).push(c.identifier);
  const config: CookieBannerConfig = {
    noticeVersion: String(options.noticeVersion),
    endpoint: options.endpoint,
    categories: [...categories],
    cookieName: options.cookieName ?? "lawful_consent",
    maxAgeSeconds: options.maxAgeSeconds ?? 15_552_000,
    consentMode: { ...mapping },
    cookies,
  };
  const defaults: Record<string, string> = {};
  for (const [signal, cat] of Object.entries(mapping)) defaults[signal] = cat === "strictly_necessary" ? "granted" : "denied";
  const head =
    `<script${nonce}>window.dataLayer=window.dataLayer||[];window.gtag=window.gtag||function(){window.dataLayer.push(arguments)};` +
    `window.gtag("consent","default",${jsonForScript({ ...defaults, wait_for_update: 500 })});</script><style${nonce}>${STYLE}</style>`;
  const toggles = categories
    .map((c) => {
      const label = t.categories[c];
      const fixed = c === "strictly_necessary" || c === "communication";
      return `<label><input type="checkbox" data-category="${c}"${fixed ? " checked disabled" : ""}> ${esc(label.label)}${fixed ? ` (${esc(t.alwaysOn)})` : ""}<small>${esc(label.description)}</small></label>`;
    })
    .join("");
  const policy = options.policyUrl !== undefined ? ` <a href="${esc(options.policyUrl)}">${esc(t.policyLink)}</a>` : "";
  const script = options.scriptSrc !== undefined ? `<script src="${esc(options.scriptSrc)}"${nonce} defer></script>` : `<script${nonce}>${cookieBannerScript()}</script>`;
  const body =
    `<div id="lawful-cc" class="lawful-cc" role="dialog" aria-modal="false" aria-labelledby="lawful-cc-title" aria-describedby="lawful-cc-intro" hidden>` +
    `<h2 id="lawful-cc-title">${esc(t.title)}</h2><p id="lawful-cc-intro">${esc(t.intro)}${policy}</p>` +
    `<p data-lawful-gpc hidden>${esc(t.gpcHonoured)}</p>` +
    `<div class="lawful-cc-actions"><button type="button" class="lawful-cc-btn" data-lawful-action="accept">${esc(t.acceptAll)}</button>` +
    `<button type="button" class="lawful-cc-btn" data-lawful-action="reject">${esc(t.rejectAll)}</button></div>` +
    `<button type="button" class="lawful-cc-link" data-lawful-action="customise" aria-expanded="false" aria-controls="lawful-cc-panel">${esc(t.customise)}</button>` +
    `<div id="lawful-cc-panel" data-lawful-panel hidden><fieldset><legend>${esc(t.customise)}</legend>${toggles}</fieldset>` +
    `<button type="button" class="lawful-cc-btn" data-lawful-action="save">${esc(t.save)}</button></div></div>` +
    `<button type="button" class="lawful-cc-link" id="lawful-cc-open" data-lawful-cc-open>${esc(t.settings)}</button>` +
    `<script type="application/json" id="lawful-cc-config">${jsonForScript(config)}</script>${script}`;
  return { head, body };
}

/**
 * The JSON body the banner POSTs: the notice version, a choice per category, whether GPC was on and how the choice was made.
 *
 * @example
 * ```ts
 * import { CookieChoiceBodySchema } from "@lawful/consent";
 * CookieChoiceBodySchema.parse({ noticeVersion: "2", choices: { strictly_necessary: true, analytics: false }, gpc: false, method: "reject_all" });
 * ```
 */
export const CookieChoiceBodySchema = z.object({
  noticeVersion: z.string().regex(/^\d{1,7}$/, "must be a notice version number"),
  choices: z.partialRecord(z.enum(COOKIE_CATEGORIES), z.boolean()),
  gpc: z.boolean(),
  method: z.enum(["accept_all", "reject_all", "save", "gpc"]),
});
/** A parsed banner POST body; see {@link CookieChoiceBodySchema}. */
export type CookieChoiceBody = z.infer<typeof CookieChoiceBodySchema>;

/**
 * Turn a banner POST into a form submission for `ConsentService.captureForm()`: one choice per consent category
 * (exempt categories are skipped), each a button press, for purposes named `cookies.<category>` by default.
 * When `body.gpc` is true, also call `recordGpcSignal()`.
 *
 * @throws ConsentError `VALIDATION_FAILED` when the body is malformed.
 * @example
 * ```ts
 * import { cookieChoiceToSubmission, type ConsentService } from "@lawful/consent";
 * async function onChoice(consent: ConsentService, request: Request, deviceId: string, ip: string, userAgent: string) {
 *   const submission = cookieChoiceToSubmission(await request.json(), {
 *     tenantId: "acme", subject: { kind: "device_id", value: deviceId }, noticeId: "cookies", request: { ip, userAgent },
 *   });
 *   await consent.captureForm(submission);
 * }
 * ```
 */
export function cookieChoiceToSubmission(
  body: unknown,
  options: {
    tenantId: string;
    subject: Extract<SubjectInput, { kind: string }>;
    noticeId: string;
    purposeFor?: ((category: CookieCategory) => string) | undefined;
    request?: RequestMeta | undefined;
    pageUrl?: string | undefined;
  },
): FormSubmission & { gpc: boolean } {
  const r = CookieChoiceBodySchema.safeParse(body);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new ConsentError(ERROR_CODES.VALIDATION_FAILED, `Invalid cookie choice: ${issues.map((i) => i.path.join(".")).join(", ")}.`, { issues });
  }
  const purposeFor = options.purposeFor ?? ((c: CookieCategory) => `cookies.${c}`);
  const choices = (Object.entries(r.data.choices) as [CookieCategory, boolean][])
    .filter(([c]) => c !== "strictly_necessary" && c !== "communication")
    .map(([c, checked]) => ({ purposeId: purposeFor(c), fieldName: c, checked, defaultChecked: false }));
  return {
    tenantId: options.tenantId,
    formId: "cookie-banner",
    subject: options.subject,
    notice: { noticeId: options.noticeId, version: Number(r.data.noticeVersion) },
    choices,
    control: "button",
    ...(options.pageUrl !== undefined ? { pageUrl: options.pageUrl } : {}),
    ...(options.request ? { request: options.request } : {}),
    gpc: r.data.gpc,
  };
}
