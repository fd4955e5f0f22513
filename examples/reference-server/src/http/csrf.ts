import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { problem } from "./problem.js";

/** Name of the hidden form field that carries the CSRF token. */
export const CSRF_FIELD = "_csrf";
/** Name of the cookie that holds the browser's CSRF secret. */
export const CSRF_COOKIE = "lawful_csrf";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The CSRF token of this browser, for a hidden `<input name="_csrf">` in every page form: the value
 * of a random, `HttpOnly`, `SameSite=Strict` cookie, set here on first use (double-submit cookie).
 * A cross-site page can neither read the cookie nor make the browser send it, so it cannot forge
 * the field.
 *
 * @example
 * ```ts
 * import type { Context } from "hono";
 * import { CSRF_FIELD, csrfToken } from "./csrf.js";
 * const hidden = (c: Context) => `<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(c)}">`;
 * ```
 */
export function csrfToken(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && TOKEN.test(existing)) return existing;
  const token = randomBytes(32).toString("base64url");
  const secure = new URL(c.req.url).protocol === "https:";
  setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", secure });
  return token;
}

/**
 * Refuse a state-changing page request (any method but GET/HEAD/OPTIONS) unless its form field
 * `_csrf` equals the CSRF cookie, and unless a present `Origin` or `Sec-Fetch-Site` says it came
 * from this site. Answers 403 problem+json with code `CSRF_REJECTED`. For page forms only: API
 * routes authenticate with a bearer key, and RFC 8058 one-click unsubscribe must work without
 * cookies.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { csrfProtection } from "./csrf.js";
 * const pages = new Hono();
 * pages.use("/p/:tenant/privacy/*", csrfProtection({ origins: ["https://privacy.example.com"] }));
 * ```
 */
export function csrfProtection(options: { /** Origins the site is also served from (e.g. PUBLIC_BASE_URL behind a proxy). */ origins?: readonly (string | undefined)[] } = {}): MiddlewareHandler {
  const trusted = new Set(options.origins?.flatMap((o) => (o ? [new URL(o).origin] : [])));
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
    const site = c.req.header("sec-fetch-site");
    // browsers send `Origin: null` on same-site form posts under this server's `Referrer-Policy: no-referrer`;
    // that says nothing, so Sec-Fetch-Site and the token decide
    const sentOrigin = c.req.header("origin");
    const origin = sentOrigin === "null" ? undefined : sentOrigin;
    const crossSite = (site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== new URL(c.req.url).origin && !trusted.has(origin));
    const cookie = getCookie(c, CSRF_COOKIE);
    const type = c.req.header("content-type") ?? "";
    const isForm = type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
    const field = isForm ? (await c.req.parseBody())[CSRF_FIELD] : undefined;
    const sent = typeof field === "string" ? field : "";
    const valid = cookie !== undefined && TOKEN.test(cookie) && sent.length === cookie.length && timingSafeEqual(Buffer.from(sent), Buffer.from(cookie));
    if (crossSite || !valid) {
      return problem(c, 403, "This form has expired or was not sent from this site. Reload the page and try again.", { code: "CSRF_REJECTED" });
    }
    await next();
  };
}
