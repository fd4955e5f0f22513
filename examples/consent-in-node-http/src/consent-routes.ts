import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLawfulError, type LawfulIssue } from "@lawful/core";
import type { ConsentService, Decision } from "@lawful/consent";
import { SIGNUP_FORM, TENANT } from "./consent-setup.js";

/** What the consent routes need from the app around them. */
export interface ConsentRoutesOptions {
  consent: ConsentService;
  /** Sends the double opt-in e-mail with the confirmation link (your mailer). */
  sendConfirmation: (to: string, link: string) => Promise<void>;
  /** The public origin the confirmation link points to, e.g. `https://kiezbuch.example`. */
  publicOrigin: string;
  /** Bearer token of internal callers (the mailer, the CRM) allowed to ask for decisions. */
  internalToken: string;
  /** Trust `X-Forwarded-For` (only behind your own reverse proxy). @default false */
  trustProxy?: boolean | undefined;
}

const MAX_BODY = 16 * 1024;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, type: "html" | "json" | "problem", body: string): void {
  const contentType = type === "html" ? "text/html; charset=utf-8" : type === "json" ? "application/json" : "application/problem+json";
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The client's address as the consent evidence wants it: IPv4-mapped IPv6 unwrapped, proxies only when trusted. */
function clientIp(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? req.headers["x-forwarded-for"] : undefined;
  const raw = (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) ?? req.socket.remoteAddress;
  return raw?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

const problem = (status: number, title: string, issues?: readonly LawfulIssue[]) =>
  JSON.stringify({ type: "about:blank", title, status, ...(issues ? { issues: issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message })) } : {}) });

/** The signup form: every box unticked, the notice text and its version next to it. */
export function renderSignupForm(noticeText: string, noticeVersion: number): string {
  const boxes = SIGNUP_FORM.choices
    .map((c) => `<label><input type="checkbox" name="${c.fieldName}" value="yes"${c.defaultChecked ? " checked" : ""}> ${escapeHtml(c.label)}</label>`)
    .join("\n    ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign up</title></head>
<body>
  <form method="post" action="/signup">
    <label>E-mail <input type="email" name="email" required></label>
    ${boxes}
    <p>${escapeHtml(noticeText)}</p>
    <input type="hidden" name="notice_version" value="${noticeVersion}">
    <button type="submit">Sign up</button>
  </form>
</body></html>`;
}

/**
 * The consent routes, mounted into an existing `node:http` handler: returns true when it answered
 * the request, false to let the app carry on with its own routes.
 *
 * - `GET /signup` renders the form; `POST /signup` records the choices with `captureForm()` and
 *   sends the double opt-in e-mail; `GET /signup/confirm?token=…` confirms it.
 * - `POST /internal/consent/decision` (JSON `{ email, purposeId }`, bearer token) answers
 *   `decide()` for the app's own services. It is a POST so the address never lands in a URL or
 *   an access log, and it is internal: a public decision endpoint would tell anyone whether a
 *   given address is subscribed.
 */
export function createConsentRoutes(options: ConsentRoutesOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { consent } = options;
  const expectedAuth = Buffer.from(`Bearer ${options.internalToken}`);
  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? "");
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = `${req.method ?? "GET"} ${url.pathname}`;
    try {
      switch (route) {
        case "GET /signup": {
          const notice = await consent.getNotice(TENANT, SIGNUP_FORM.noticeId, 1);
          send(res, 200, "html", renderSignupForm(notice?.content ?? "", notice?.version ?? 1));
          return true;
        }
        case "POST /signup": {
          if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
            send(res, 415, "problem", problem(415, "Send the form as application/x-www-form-urlencoded."));
            return true;
          }
          const form = new URLSearchParams(await readBody(req));
          const email = form.get("email") ?? "";
          const result = await consent.captureForm({
            tenantId: TENANT,
            formId: SIGNUP_FORM.formId,
            pageUrl: `${options.publicOrigin}/signup`,
            subject: { kind: "email", value: email },
            // the version the person saw, sent back by the form; an unpublished version is refused
            notice: { noticeId: SIGNUP_FORM.noticeId, version: Number(form.get("notice_version")) || 0 },
            locale: "en",
            // `checked` comes from the request, `defaultChecked` from the form the server rendered —
            // never from the client, which could claim anything
            choices: SIGNUP_FORM.choices.map((c) => ({ purposeId: c.purposeId, fieldName: c.fieldName, checked: form.get(c.fieldName) === "yes", defaultChecked: c.defaultChecked })),
            request: { ip: clientIp(req, options.trustProxy ?? false), userAgent: req.headers["user-agent"]?.slice(0, 1024) },
          });
          if (result.confirmation) {
            await options.sendConfirmation(email, `${options.publicOrigin}/signup/confirm?token=${encodeURIComponent(result.confirmation.token)}`);
          }
          const pending = result.events.some((e) => e.type === "requested");
          send(res, 200, "html", `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thank you</title></head><body><p>${pending ? "Please confirm with the link we sent you." : "Your choices are saved."}</p></body></html>`);
          return true;
        }
        case "GET /signup/confirm": {
          const events = await consent.confirmDoubleOptIn(url.searchParams.get("token") ?? "", {
            ip: clientIp(req, options.trustProxy ?? false),
            userAgent: req.headers["user-agent"]?.slice(0, 1024),
          });
          send(res, 200, "html", `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Confirmed</title></head><body><p>Confirmed: ${events.length} subscription(s).</p></body></html>`);
          return true;
        }
        case "POST /internal/consent/decision": {
          if (!authorised(req)) {
            send(res, 401, "problem", problem(401, "A valid internal bearer token is required."));
            return true;
          }
          const body = JSON.parse(await readBody(req)) as { email?: unknown; purposeId?: unknown };
          const text = (v: unknown) => (typeof v === "string" ? v : "");
          const decision: Decision = await consent.decide(TENANT, { kind: "email", value: text(body.email) }, text(body.purposeId));
          send(res, 200, "json", JSON.stringify(decision));
          return true;
        }
        default:
          return false;
      }
    } catch (error) {
      if (isLawfulError(error)) {
        const status = error.code === "VALIDATION_FAILED" ? 422 : error.code === "NOT_FOUND" ? 404 : error.code === "INVALID_SIGNATURE" || error.code === "EXPIRED" ? 400 : 500;
        // the message and issues of a LawfulError never contain the address, IP or user agent
        send(res, status, "problem", problem(status, error.message, error.issues));
        return true;
      }
      if (error instanceof SyntaxError || (error instanceof Error && error.message === "body too large")) {
        send(res, 400, "problem", problem(400, "The request body could not be read."));
        return true;
      }
      throw error;
    }
  };
}
