import { createHmac, timingSafeEqual } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import * as z from "zod";
import { AUDIT_ACTIONS, ERROR_CODES, LawfulError, isLawfulError, type Clock } from "@lawful/core";
import { DSR_REGIMES, DsrRegimeSchema, DsrRequestTypeSchema, TERMINAL_STATES, type DsrRegime, type DsrRequest, type DsrRequestType } from "@lawful/dsr";
import { accessRequestExportDocument, exportController, renderExport } from "../exports.js";
import { CSRF_FIELD, csrfProtection, csrfToken } from "../http/csrf.js";
import { createDownloadToken, verifyDownloadToken } from "../http/download-token.js";
import { escapeHtml, page } from "../http/html.js";
import { clientIp, type PublicVariables } from "../http/public.js";
import { negotiateLanguage, t, type Language, type MessageKey } from "../i18n.js";
import { deriveKey, type ServerKeys } from "../keys.js";
import type { Outbox } from "../outbox.js";
import type { Services } from "../services.js";
import type { Tenant } from "../tenants.js";

type Ctx = Context<{ Variables: PublicVariables }>;

/**
 * Request types the privacy center offers per regime (CCPA "specific pieces" needs more than an
 * e-mail code, so it is left to other channels).
 *
 * @example
 * ```ts
 * import { PRIVACY_CENTER_TYPES } from "./privacy.js";
 * PRIVACY_CENTER_TYPES.EU.includes("erasure"); // true
 * ```
 */
export const PRIVACY_CENTER_TYPES: Readonly<Record<DsrRegime, readonly DsrRequestType[]>> = Object.freeze({
  EU: ["access", "portability", "rectification", "erasure", "restriction", "objection"],
  UK: ["access", "portability", "rectification", "erasure", "restriction", "objection"],
  BR: ["access", "portability", "rectification", "erasure", "restriction", "objection"],
  "US-CA": ["ccpa_know_categories", "ccpa_delete", "ccpa_correct", "ccpa_opt_out", "ccpa_limit"],
});

/**
 * The controller time zone the privacy center records requests in, per regime (a tenant has no time
 * zone setting yet); deadlines end at the end of the day in this zone.
 *
 * @example
 * ```ts
 * import { PRIVACY_CENTER_TIME_ZONES } from "./privacy.js";
 * PRIVACY_CENTER_TIME_ZONES.UK; // "Europe/London"
 * ```
 */
export const PRIVACY_CENTER_TIME_ZONES: Readonly<Record<DsrRegime, string>> = Object.freeze({
  EU: "Europe/Berlin",
  UK: "Europe/London",
  "US-CA": "America/Los_Angeles",
  BR: "America/Sao_Paulo",
});

const CORRECTABLE = ["contact.email", "contact.phone", "contact.postal", "identity.name"] as const;
const DOWNLOADABLE: readonly DsrRequestType[] = ["access", "portability", "ccpa_know_categories"];
const CODE_STATES: readonly DsrRequest["state"][] = ["received", "awaiting_verification"];

/** The fields of the request form (empty fields count as absent). */
const SubmitFormSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email().max(320)),
  type: DsrRequestTypeSchema,
  regime: DsrRegimeSchema.optional(),
  objection: z.enum(["direct_marketing", "legitimate_interests"]).optional(),
  category: z.enum(CORRECTABLE).optional(),
  value: z.string().trim().min(1).max(2000).optional(),
});
const CodeFormSchema = z.object({ code: z.string().trim().min(1).max(64) });
const ConsentFormSchema = z.object({
  purpose: z.string().min(1).max(128),
  action: z.enum(["give", "withdraw"]),
  notice: z
    .string()
    .regex(/^[^:]{1,128}:\d{1,9}$/)
    .optional(),
});

const locale = (lang: Language) => (lang === "de" ? "de-DE" : "en-GB");
const formatDate = (lang: Language, d: Date, timeZone: string) => new Intl.DateTimeFormat(locale(lang), { dateStyle: "long", timeZone }).format(d);
const formatTime = (lang: Language, d: Date, timeZone: string) => new Intl.DateTimeFormat(locale(lang), { dateStyle: "long", timeStyle: "long", timeZone }).format(d);
const e = escapeHtml;

/** Form fields of a url-encoded or multipart body, strings only, empty ones dropped. */
async function formFields(c: Ctx): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, "Send the form as application/x-www-form-urlencoded.", {
      issues: [{ path: ["content-type"], message: "unsupported media type", code: "unsupported_media_type" }],
    });
  }
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (typeof v === "string" && v.trim() !== "" && k !== CSRF_FIELD ? [[k, v]] : [])));
}

/** IP address and user agent of the page request, as consent evidence (like the form capture route). */
function requestEvidence(c: Ctx): { ip?: string; userAgent?: string } {
  const raw = clientIp(c).replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  const ip = z.union([z.ipv4(), z.ipv6()]).safeParse(raw).success ? raw : undefined;
  const ua = c.req.header("user-agent");
  return { ...(ip ? { ip } : {}), ...(ua ? { userAgent: ua.slice(0, 1024) } : {}) };
}

/**
 * The privacy center of a tenant (`/p/{tenant}/privacy`): a data subject submits a request,
 * confirms it with a code sent through the outbox, follows its status and deadline on a page
 * reachable only with a per-request secret, downloads a completed access export through an
 * expiring link, and sees and changes their consents. Server-rendered, English and German, no
 * script; every form carries the CSRF token.
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import type { PublicVariables } from "../http/public.js";
 * import { registerPrivacyRoutes } from "./privacy.js";
 * declare const deps: Parameters<typeof registerPrivacyRoutes>[1];
 * registerPrivacyRoutes(new OpenAPIHono<{ Variables: PublicVariables }>(), deps);
 * ```
 */
export function registerPrivacyRoutes(
  app: OpenAPIHono<{ Variables: PublicVariables }>,
  deps: { services: Services; clock: Clock; keys: ServerKeys; outbox: Outbox; publicBaseUrl?: string | undefined },
): void {
  const { dsr, consent } = deps.services;
  const statusKey = deriveKey(deps.keys.downloadKey, "lawful/privacy-status/v1");
  const statusToken = (tenantId: string, requestId: string) =>
    createHmac("sha256", statusKey).update(`${tenantId}\n${requestId}`).digest("base64url");
  const base = (c: Ctx) => `${deps.publicBaseUrl ?? new URL(c.req.url).origin}/p/${encodeURIComponent(c.get("tenant").slug)}/privacy`;
  const statusPath = (c: Ctx, r: DsrRequest) => `/p/${encodeURIComponent(c.get("tenant").slug)}/privacy/requests/${encodeURIComponent(r.id)}?s=${statusToken(r.tenantId, r.id)}`;
  const langOf = (c: Ctx) => negotiateLanguage(c.req.header("accept-language"));
  const render = (c: Ctx, lang: Language, title: string, body: string, status: 200 | 400 | 403 | 404 | 410 | 423 = 200) => {
    c.header("Cache-Control", "no-store");
    return c.html(page(title, `<main>${body}</main>`, lang), status);
  };
  const hidden = (c: Ctx, fields: Record<string, string> = {}) =>
    [`<input type="hidden" name="${CSRF_FIELD}" value="${e(csrfToken(c))}">`, ...Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`)].join("");

  /** The regimes of the tenant's purposes that have request rules; EU when none is configured. */
  async function regimesOf(tenantId: string): Promise<DsrRegime[]> {
    const used = new Set<string>((await consent.listPurposes(tenantId)).map((p) => p.regime));
    const list = DSR_REGIMES.filter((r) => used.has(r));
    return list.length ? list : ["EU"];
  }

  /** The request named in the path, if the `s` secret (from the form or the query) is its status token. */
  async function requestFromSecret(c: Ctx, secret: string | undefined): Promise<DsrRequest | undefined> {
    const tenant = c.get("tenant");
    const id = c.req.param("id") ?? "";
    if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret) || id.length > 128) return undefined;
    const expected = Buffer.from(statusToken(tenant.id, id));
    if (!timingSafeEqual(Buffer.from(secret), expected)) return undefined;
    try {
      return await dsr.get(tenant.id, id);
    } catch (error) {
      if (isLawfulError(error) && error.code === ERROR_CODES.NOT_FOUND) return undefined;
      throw error;
    }
  }
  const invalidLink = (c: Ctx, lang: Language) => render(c, lang, t(lang, "privacy.title"), `<h1>${e(t(lang, "privacy.invalidLink"))}</h1>`, 404);

  // ---------- the request form ----------
  /** Who the controller is and how to reach it and its DPO (Art. 13(1)(a)–(b)), when the tenant has set them. */
  function controllerContact(tenant: Tenant, lang: Language): string {
    const d = exportController(tenant);
    const rows: [MessageKey, string | undefined][] = [
      ["privacy.controller.contact", d.contact],
      ["privacy.controller.address", d.address],
      ["privacy.controller.representative", d.representative],
      ["privacy.controller.dpo", d.dpoContact],
    ];
    const shown = rows.filter((r): r is [MessageKey, string] => r[1] !== undefined);
    if (shown.length === 0) return "";
    return `<dl class="controller">${shown.map(([k, v]) => `<dt>${e(t(lang, k))}</dt><dd>${e(v)}</dd>`).join("")}</dl>`;
  }

  async function requestForm(c: Ctx, lang: Language, problems?: string): Promise<string> {
    const tenant = c.get("tenant");
    const regimes = await regimesOf(tenant.id);
    const types = [...new Set(regimes.flatMap((r) => PRIVACY_CENTER_TYPES[r]))];
    const option = (value: string, key: MessageKey) => `<option value="${e(value)}">${e(t(lang, key))}</option>`;
    const regimeField =
      regimes.length > 1
        ? `<p><label for="regime">${e(t(lang, "privacy.request.regime"))}</label><br><select id="regime" name="regime" required>${regimes.map((r) => option(r, `privacy.regime.${r}`)).join("")}</select></p>`
        : `<input type="hidden" name="regime" value="${e(regimes[0]!)}">`;
    return `<h1>${e(t(lang, "privacy.title"))}</h1>
<p>${e(t(lang, "privacy.intro", { controller: tenant.name }))}</p>
${controllerContact(tenant, lang)}
${problems ? `<p role="alert" class="error">${e(problems)}</p>` : ""}
<h2>${e(t(lang, "privacy.request.heading"))}</h2>
<form method="post" action="/p/${e(encodeURIComponent(tenant.slug))}/privacy/requests">${hidden(c)}
${regimeField}
<fieldset><legend>${e(t(lang, "privacy.request.type"))}</legend>
${types.map((ty, i) => `<label><input type="radio" name="type" value="${e(ty)}"${i === 0 ? " checked" : ""}> ${e(t(lang, `privacy.type.${ty}` as MessageKey))}</label><br>`).join("\n")}
</fieldset>
<p><label for="objection">${e(t(lang, "privacy.request.objection"))}</label><br><select id="objection" name="objection"><option value=""></option>${option("direct_marketing", "privacy.objection.direct_marketing")}${option("legitimate_interests", "privacy.objection.legitimate_interests")}</select></p>
<fieldset><legend>${e(t(lang, "privacy.request.correction"))}</legend>
<label for="category">${e(t(lang, "privacy.request.category"))}</label> <select id="category" name="category"><option value=""></option>${CORRECTABLE.map((k) => option(k, `privacy.category.${k}`)).join("")}</select><br>
<label for="value">${e(t(lang, "privacy.request.value"))}</label><br><textarea id="value" name="value" rows="2" cols="40" maxlength="2000"></textarea>
</fieldset>
<p><label for="email">${e(t(lang, "privacy.request.email"))}</label><br><input id="email" name="email" type="email" autocomplete="email" required maxlength="320"></p>
<p><button type="submit">${e(t(lang, "privacy.request.submit"))}</button></p>
</form>`;
  }

  /** The code-entry page of a request (the same page whatever the address, for new and duplicate requests alike). */
  function codePage(c: Ctx, lang: Language, r: DsrRequest, message: string, status: 200 | 400 | 423 = 200, options: { form?: boolean; resend?: boolean } = {}) {
    const action = `/p/${e(encodeURIComponent(c.get("tenant").slug))}/privacy/requests/${e(encodeURIComponent(r.id))}`;
    const secret = statusToken(r.tenantId, r.id);
    const form =
      options.form === false
        ? ""
        : `<form method="post" action="${action}/verify">${hidden(c, { s: secret })}
<p><label for="code">${e(t(lang, "privacy.verify.code"))}</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="64"></p>
<p><button type="submit">${e(t(lang, "privacy.verify.submit"))}</button></p></form>`;
    const resend = options.resend ? `<form method="post" action="${action}/code">${hidden(c, { s: secret })}<button type="submit">${e(t(lang, "privacy.verify.resend"))}</button></form>` : "";
    return render(c, lang, t(lang, "privacy.verify.heading"), `<h1>${e(t(lang, "privacy.verify.heading"))}</h1>\n<p role="status">${e(message)}</p>\n${form}${resend}`, status);
  }

  /** Issue a one-time code for `r` and mail it, with the link to its status page, through the outbox. */
  async function sendCode(c: Ctx, lang: Language, r: DsrRequest): Promise<void> {
    const { request, secret, expiresAt } = await dsr.requestVerification(r.tenantId, r.id, { kind: "code", actor: { type: "system", id: "privacy-center" } });
    await deps.outbox.send(r.tenantId, {
      kind: "verification_code",
      to: request.subject.value,
      subjectPseudonym: request.subjectKey,
      subject: t(lang, "privacy.mail.subject"),
      body: t(lang, "privacy.mail.code", { code: secret, time: formatTime(lang, expiresAt, request.timeZone), link: `${base(c)}/requests/${encodeURIComponent(r.id)}?s=${statusToken(r.tenantId, r.id)}` }),
    });
  }
  const canSendCode = (r: DsrRequest) => CODE_STATES.includes(r.state) && r.verification.requiredLevel === "low" && r.subject.kind === "email" && !r.verification.challenge?.lockedAt;

  app.use("/p/:tenant/privacy/*", csrfProtection({ origins: [deps.publicBaseUrl] }));

  app.get("/p/:tenant/privacy", async (c) => {
    const lang = langOf(c);
    return render(c, lang, t(lang, "privacy.title"), await requestForm(c, lang));
  });

  app.post("/p/:tenant/privacy/requests", async (c) => {
    const lang = langOf(c);
    const tenant = c.get("tenant");
    const fields = await formFields(c);
    const regimes = await regimesOf(tenant.id);
    const parsed = SubmitFormSchema.safeParse({ ...fields, regime: fields.regime ?? (regimes.length === 1 ? regimes[0] : undefined) });
    const bad = new Set<"email" | "type" | "regime" | "objection" | "correction">();
    if (!parsed.success) for (const i of parsed.error.issues) bad.add(i.path[0] === "category" || i.path[0] === "value" ? "correction" : (i.path[0] as "email"));
    const input = parsed.success ? parsed.data : undefined;
    if (input) {
      if (!input.regime || !regimes.includes(input.regime)) bad.add("regime");
      else if (!PRIVACY_CENTER_TYPES[input.regime].includes(input.type)) bad.add("type");
      if (input.type === "objection" && !input.objection) bad.add("objection");
      if ((input.type === "rectification" || input.type === "ccpa_correct") && (!input.category || !input.value)) bad.add("correction");
    }
    if (!input || !input.regime || bad.size) {
      const issues = [...bad].map((f) => ({ path: ["body", f === "correction" ? "value" : f], message: t("en", `privacy.field.${f}`), code: "invalid" }));
      if (!(c.req.header("accept") ?? "").includes("text/html")) {
        throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, `Invalid privacy request: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { issues });
      }
      const problems = t(lang, "privacy.request.invalid", { problems: [...bad].map((f) => t(lang, `privacy.field.${f}`)).join("; ") });
      return render(c, lang, t(lang, "privacy.title"), await requestForm(c, lang, problems), 400);
    }
    const { request, duplicateOf } = await dsr.submit({
      tenantId: tenant.id,
      type: input.type,
      regime: input.regime,
      subject: { kind: "email", value: input.email },
      channel: "web_form",
      receivedAt: deps.clock.now(),
      timeZone: PRIVACY_CENTER_TIME_ZONES[input.regime],
      details: {
        ...(input.type === "objection" ? { objectionScope: input.objection } : {}),
        ...(input.type === "rectification" || input.type === "ccpa_correct" ? { rectifications: [{ category: input.category!, value: input.value! }] } : {}),
      },
    });
    // a duplicate is linked to the open original: the code (or the status link) goes to the original, by e-mail only
    const target = duplicateOf ? await dsr.get(tenant.id, duplicateOf) : request;
    if (canSendCode(target)) await sendCode(c, lang, target);
    else if (duplicateOf && target.subject.kind === "email") {
      await deps.outbox.send(tenant.id, {
        kind: "request_update",
        to: target.subject.value,
        subjectPseudonym: target.subjectKey,
        subject: t(lang, "privacy.mail.subject"),
        body: t(lang, "privacy.mail.status", { link: `${base(c)}/requests/${encodeURIComponent(target.id)}?s=${statusToken(target.tenantId, target.id)}` }),
      });
    }
    // requests that need no verification (objection to direct marketing, CCPA opt-out) run at once
    if (request.verification.requiredLevel === "none") return c.redirect(statusPath(c, request), 303);
    return codePage(c, lang, request, t(lang, "privacy.request.sent"));
  });

  app.post("/p/:tenant/privacy/requests/:id/verify", async (c) => {
    const lang = langOf(c);
    const tenant = c.get("tenant");
    const fields = await formFields(c);
    const r = await requestFromSecret(c, fields.s);
    if (!r) return invalidLink(c, lang);
    const parsed = CodeFormSchema.safeParse(fields);
    if (!parsed.success) return codePage(c, lang, r, t(lang, "privacy.verify.invalid"), 400);
    const target = r.cancellation?.duplicateOf ? await dsr.get(tenant.id, r.cancellation.duplicateOf) : r;
    const result = await dsr.submitVerificationSecret(tenant.id, target.id, parsed.data.code);
    if (result.ok) {
      const verified = await dsr.get(tenant.id, target.id);
      if (verified.state === "verified") {
        try {
          await dsr.start(tenant.id, target.id, { type: "system", id: "privacy-center" });
        } catch (error) {
          // the operator starts it from the queue when the engine refuses to start it here
          if (!isLawfulError(error)) throw error;
        }
      }
      return c.redirect(statusPath(c, target), 303);
    }
    if (result.reason === "mismatch") return codePage(c, lang, r, t(lang, "privacy.verify.wrong", { attempts: String(result.attemptsLeft) }), 400);
    if (result.reason === "locked") return codePage(c, lang, r, t(lang, "privacy.verify.locked", { controller: tenant.name }), 423, { form: false });
    if (result.reason === "expired") return codePage(c, lang, r, t(lang, "privacy.verify.expired"), 400, { form: false, resend: true });
    return codePage(c, lang, r, t(lang, "privacy.verify.invalid"), 400);
  });

  app.post("/p/:tenant/privacy/requests/:id/code", async (c) => {
    const lang = langOf(c);
    const fields = await formFields(c);
    const r = await requestFromSecret(c, fields.s);
    if (!r) return invalidLink(c, lang);
    // a new code only replaces an expired one: a locked challenge stays locked (no brute force by re-sending)
    const expired = r.verification.challenge !== undefined && r.verification.challenge.expiresAt.getTime() < deps.clock.now().getTime();
    if (canSendCode(r) && expired) await sendCode(c, lang, r);
    return codePage(c, lang, r, t(lang, "privacy.request.sent"));
  });

  app.get("/p/:tenant/privacy/requests/:id", async (c) => {
    const lang = langOf(c);
    const r = await requestFromSecret(c, c.req.query("s"));
    if (!r) return invalidLink(c, lang);
    return render(c, lang, t(lang, "privacy.status.heading"), await statusBody(c, lang, r, c.req.query("saved") === "1"));
  });

  async function statusBody(c: Ctx, lang: Language, r: DsrRequest, saved: boolean): Promise<string> {
    const tenant = c.get("tenant");
    const now = deps.clock.now();
    const action = `/p/${e(encodeURIComponent(tenant.slug))}/privacy/requests/${e(encodeURIComponent(r.id))}`;
    const secret = statusToken(r.tenantId, r.id);
    const parts = [
      `<h1>${e(t(lang, "privacy.status.heading"))}</h1>`,
      `<p>${e(t(lang, "privacy.status.type", { type: t(lang, `privacy.type.${r.type}` as MessageKey) }))}</p>`,
      `<p role="status"><strong>${e(t(lang, `privacy.state.${r.state}`))}</strong></p>`,
      `<p>${e(t(lang, "privacy.status.received", { date: formatDate(lang, r.receivedAt, r.timeZone) }))}</p>`,
    ];
    const terminal = TERMINAL_STATES.includes(r.state);
    if (!terminal) {
      parts.push(`<p>${e(t(lang, "privacy.status.due", { date: formatDate(lang, r.deadlines.dueAt, r.timeZone) }))}</p>`);
      if (r.deadlines.paused) parts.push(`<p class="muted">${e(t(lang, "privacy.status.paused"))}</p>`);
    }
    if (r.state === "awaiting_verification") {
      const ch = r.verification.challenge;
      if (ch?.lockedAt) parts.push(`<p role="alert">${e(t(lang, "privacy.verify.locked", { controller: tenant.name }))}</p>`);
      else {
        parts.push(`<h2>${e(t(lang, "privacy.verify.heading"))}</h2><form method="post" action="${action}/verify">${hidden(c, { s: secret })}
<p><label for="code">${e(t(lang, "privacy.verify.code"))}</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="64"></p>
<p><button type="submit">${e(t(lang, "privacy.verify.submit"))}</button></p></form>`);
        if (ch && ch.expiresAt.getTime() < now.getTime()) parts.push(`<form method="post" action="${action}/code">${hidden(c, { s: secret })}<button type="submit">${e(t(lang, "privacy.verify.resend"))}</button></form>`);
      }
    }
    if ((r.state === "completed" || r.state === "partially_completed") && DOWNLOADABLE.includes(r.type)) {
      const token = createDownloadToken(deps.keys.downloadKey, { tenantId: r.tenantId, requestId: r.id }, now);
      const until = verifyDownloadToken(deps.keys.downloadKey, token, now);
      parts.push(
        `<p><a href="/p/${e(encodeURIComponent(tenant.slug))}/privacy/downloads/${e(token)}" download>${e(t(lang, "privacy.status.download"))}</a></p>`,
        until.ok ? `<p class="muted">${e(t(lang, "privacy.status.downloadExpires", { date: formatTime(lang, until.expiresAt, r.timeZone) }))}</p>` : "",
      );
    }
    // consents only for a person who proved the address (never for requests that needed no verification)
    const proved = r.verification.achievedLevel !== undefined && r.verification.achievedLevel !== "none" && r.subject.kind === "email";
    if (proved) parts.push(await consentSection(c, lang, r, action, secret, saved));
    parts.push(`<p class="muted">${e(t(lang, "privacy.status.keep"))}</p>`);
    return parts.join("\n");
  }

  async function consentSection(c: Ctx, lang: Language, r: DsrRequest, action: string, secret: string, saved: boolean): Promise<string> {
    const tenantId = r.tenantId;
    const [purposes, decisions, history, notices] = await Promise.all([
      consent.listPurposes(tenantId),
      consent.decideAll(tenantId, r.subject),
      consent.history(tenantId, r.subject),
      consent.listNotices(tenantId),
    ]);
    const consentPurposes = purposes.filter((p) => p.lawfulBasis === "consent");
    const head = `<h2 id="consents">${e(t(lang, "privacy.consents.heading"))}</h2>${saved ? `<p role="status">${e(t(lang, "privacy.consents.saved"))}</p>` : ""}`;
    if (consentPurposes.length === 0) return `${head}<p>${e(t(lang, "privacy.consents.none", { controller: c.get("tenant").name }))}</p>`;
    const rows = consentPurposes.map((p) => {
      const d = decisions.find((x) => x.purposeId === p.id);
      const event = d?.decidingEventId ? history.find((h) => h.id === d.decidingEventId) : undefined;
      const granted = d?.allowed === true;
      const notice = notices
        .filter((n) => n.status === "published" && n.contentType === "text/plain" && n.purposes.includes(p.id))
        .sort((a, b) => (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0) || b.version - a.version)[0];
      let change = "";
      if (granted) {
        change = `<form method="post" action="${action}/consents">${hidden(c, { s: secret, purpose: p.id, action: "withdraw" })}<button type="submit">${e(t(lang, "privacy.consents.withdraw"))}</button></form>`;
      } else if (notice) {
        change = `<details><summary>${e(t(lang, "privacy.consents.noticeShown"))}</summary><p style="white-space:pre-wrap">${e(notice.content)}</p></details>
<form method="post" action="${action}/consents">${hidden(c, { s: secret, purpose: p.id, action: "give", notice: `${notice.noticeId}:${notice.version}` })}<button type="submit">${e(t(lang, "privacy.consents.give"))}</button></form>`;
      }
      return `<tr><td>${e(p.name)}</td><td>${e(t(lang, granted ? "privacy.consents.granted" : "privacy.consents.notGranted"))}</td><td>${d?.since ? e(formatDate(lang, d.since, r.timeZone)) : ""}</td><td>${event?.notice ? e(`${event.notice.noticeId} v${event.notice.version}`) : ""}</td><td>${change}</td></tr>`;
    });
    return `${head}<table><thead><tr><th scope="col">${e(t(lang, "privacy.consents.purpose"))}</th><th scope="col">${e(t(lang, "privacy.consents.state"))}</th><th scope="col">${e(t(lang, "privacy.consents.since"))}</th><th scope="col">${e(t(lang, "privacy.consents.notice"))}</th><th scope="col">${e(t(lang, "privacy.consents.change"))}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  }

  app.post("/p/:tenant/privacy/requests/:id/consents", async (c) => {
    const lang = langOf(c);
    const fields = await formFields(c);
    const r = await requestFromSecret(c, fields.s);
    if (!r) return invalidLink(c, lang);
    const proved = r.verification.achievedLevel !== undefined && r.verification.achievedLevel !== "none" && r.subject.kind === "email";
    if (!proved) return invalidLink(c, lang);
    const input = ConsentFormSchema.safeParse(fields);
    if (!input.success) {
      const issues = input.error.issues.map((i) => ({ path: ["body", ...i.path.map(String)], message: i.message, code: i.code }));
      throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, `Invalid consent change: ${issues.map((i) => i.path.join(".")).join(", ")}`, { issues });
    }
    const { purpose, action, notice } = input.data;
    const [noticeId, version] = notice ? [notice.slice(0, notice.lastIndexOf(":")), Number(notice.slice(notice.lastIndexOf(":") + 1))] : [];
    await consent.record({
      tenantId: r.tenantId,
      subject: r.subject,
      purposeId: purpose,
      type: action === "give" ? "given" : "withdrawn",
      method: "preference_center",
      ...(noticeId && version ? { notice: { noticeId, version } } : {}),
      evidence: { collectionPoint: "privacy-center", defaultState: "none", locale: lang, ...requestEvidence(c) },
      occurredAt: deps.clock.now(),
      actor: { type: "subject", id: r.subjectKey },
      correlationId: r.id,
    });
    return c.redirect(`${statusPath(c, r)}&saved=1#consents`, 303);
  });

  app.get("/p/:tenant/privacy/downloads/:token", async (c) => {
    const lang = langOf(c);
    const tenant: Tenant = c.get("tenant");
    const now = deps.clock.now();
    const check = verifyDownloadToken(deps.keys.downloadKey, c.req.param("token"), now);
    const title = t(lang, "privacy.download.title");
    if (!check.ok && check.reason === "expired") return render(c, lang, title, `<h1>${e(t(lang, "privacy.download.expired"))}</h1>`, 410);
    if (!check.ok || check.tenantId !== tenant.id) return render(c, lang, title, `<h1>${e(t(lang, "privacy.download.forged"))}</h1>`, 403);
    let r: DsrRequest;
    try {
      r = await dsr.get(tenant.id, check.requestId);
    } catch (error) {
      if (isLawfulError(error) && error.code === ERROR_CODES.NOT_FOUND) return render(c, lang, title, `<h1>${e(t(lang, "privacy.download.forged"))}</h1>`, 403);
      throw error;
    }
    if (!(r.state === "completed" || r.state === "partially_completed") || !DOWNLOADABLE.includes(r.type)) {
      return render(c, lang, title, `<h1>${e(t(lang, "privacy.download.notReady"))}</h1>`, 404);
    }
    const doc = await accessRequestExportDocument(deps.services, tenant, r.id, lang);
    const file = await renderExport(doc, "zip", lang);
    await deps.services.audit.record({
      tenantId: tenant.id,
      action: AUDIT_ACTIONS.DATA_EXPORTED,
      actor: { type: "subject", id: r.subjectKey },
      occurredAt: now,
      subjectPseudonym: r.subjectKey,
      correlationId: r.id,
      details: { requestId: r.id, format: "zip", channel: "privacy_center" },
      requestMeta: requestEvidence(c),
    });
    return new Response(file.body, {
      status: 200,
      headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`, "cache-control": "no-store" },
    });
  });
}
