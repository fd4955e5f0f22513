import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { NoticeInputSchema, PurposeSchema, RecordEventInputSchema, parseGpcHeader, type ConsentService, type SubjectInput } from "@lawful/consent";
import { LawfulError, PurposeIdSchema, SubjectRefSchema, parseOrThrow, type Clock, type Migration } from "@lawful/core";
import type { Sql } from "../db.js";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json, staffActor as actorOf } from "../http/route-kit.js";
import { escapeHtml, page } from "../http/html.js";
import { clientIp, type PublicVariables } from "../http/public.js";
import { negotiateLanguage, t } from "../i18n.js";
import type { Outbox } from "../outbox.js";


/** Web forms of a tenant: which notice they show and each consent checkbox with its default state. */
export const FORM_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "consent forms",
    sql: ["CREATE TABLE server_forms (tenant_id TEXT NOT NULL, form_id TEXT NOT NULL, definition TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, form_id))"],
  },
];

/** A consent form definition: the fields a landing page renders and the notice it shows. */
export const FormDefinitionSchema = z.object({
  id: PurposeIdSchema,
  notice: z.object({ noticeId: PurposeIdSchema, version: z.number().int().min(1) }),
  /** Name of the e-mail field. @default "email" */
  emailField: z.string().min(1).max(64).default("email"),
  fields: z
    .array(z.object({ purposeId: PurposeIdSchema, fieldName: z.string().min(1).max(64), label: z.string().min(1).max(500), defaultChecked: z.boolean().default(false) }))
    .min(1)
    .max(32),
});
/** A form definition. */
export type FormDefinition = z.output<typeof FormDefinitionSchema>;

/** Parse `kind:value` (e.g. `email:ada@example.com`) into a normalised subject reference. */
export function parseSubjectParam(raw: string, field = "subject"): SubjectInput {
  const i = raw.indexOf(":");
  const r = SubjectRefSchema.safeParse(i > 0 ? { kind: raw.slice(0, i), value: raw.slice(i + 1) } : {});
  if (!r.success) {
    throw new LawfulError("VALIDATION_FAILED", `Invalid ${field}: use kind:value, e.g. email:ada@example.com.`, {
      issues: [{ path: [field], message: "must be kind:value with kind email, phone, customer_id or device_id and a valid value", code: "invalid_subject" }],
    });
  }
  return r.data;
}


/** Operator routes of consent: purposes, notices, forms, events, decisions, a subject's consents. */
export function registerConsentRoutes(app: OpenAPIHono<AppEnv>, deps: { consent: ConsentService; sql: Sql; clock: Clock }): void {
  const { consent, sql } = deps;
  for (const p of ["/v1/purposes", "/v1/purposes/*", "/v1/notices", "/v1/notices/*", "/v1/forms", "/v1/forms/*", "/v1/consent-events", "/v1/consent/*", "/v1/subjects/:subject/consents"]) {
    app.use(p, requireScope("consent"));
  }

  app.openapi(
    createRoute({ method: "get", path: "/v1/purposes", tags: ["consent"], summary: "List purposes", security, responses: { 200: { description: "Purposes", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => c.json({ items: await consent.listPurposes(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/purposes",
      tags: ["consent"],
      summary: "Define (or replace) a purpose with its channel, lawful basis and regime",
      security,
      request: { body: { required: true, content: { "application/json": { schema: PurposeSchema.in.omit({ tenantId: true }) } } } },
      responses: { 201: { description: "The purpose", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(await consent.definePurpose({ ...c.req.valid("json"), tenantId: c.get("principal").tenant.id }), 201),
  );
  app.openapi(
    createRoute({ method: "get", path: "/v1/purposes/{id}", tags: ["consent"], summary: "One purpose", security, request: { params: z.object({ id: PurposeIdSchema }) }, responses: { 200: { description: "The purpose", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => {
      const p = (await consent.listPurposes(c.get("principal").tenant.id)).find((x) => x.id === c.req.valid("param").id);
      if (!p) throw new LawfulError("NOT_FOUND", "This tenant has no such purpose.");
      return c.json(p, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/v1/notices", tags: ["consent"], summary: "List notice versions (drafts included)", security, responses: { 200: { description: "Notices", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => c.json({ items: await consent.listNotices(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/notices",
      tags: ["consent"],
      summary: "Publish a notice version (immutable once published; checked per EDPB 05/2020 §3.3.1 and CASL)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: NoticeInputSchema.omit({ tenantId: true }).extend({ draft: z.boolean().optional() }) } } } },
      responses: { 201: { description: "The notice version", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const { draft, ...input } = c.req.valid("json");
      return c.json(await consent.publishNotice({ ...input, tenantId: c.get("principal").tenant.id }, { draft: draft ?? false }), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/notices/{id}/versions/{version}",
      tags: ["consent"],
      summary: "One notice version with its content hash",
      security,
      request: { params: z.object({ id: PurposeIdSchema, version: z.coerce.number().int().min(1) }) },
      responses: { 200: { description: "The notice", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const { id, version } = c.req.valid("param");
      const n = await consent.getNotice(c.get("principal").tenant.id, id, version);
      if (!n) throw new LawfulError("NOT_FOUND", "This tenant has no such notice version.");
      return c.json(n, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/v1/forms", tags: ["consent"], summary: "List consent forms", security, responses: { 200: { description: "Forms", content: { "application/json": { schema: z.object({ items: z.array(FormDefinitionSchema) }) } } }, ...errorResponses } }),
    async (c) => {
      const rows = await sql.all<{ definition: string }>("SELECT definition FROM server_forms WHERE tenant_id = ? ORDER BY form_id", [c.get("principal").tenant.id]);
      return c.json({ items: rows.map((r) => JSON.parse(r.definition) as FormDefinition) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/forms",
      tags: ["consent"],
      summary: "Define a consent form (its notice, and each checkbox with its default state) for /p/{tenant}/forms/{form}/submit",
      security,
      request: { body: { required: true, content: { "application/json": { schema: FormDefinitionSchema } } } },
      responses: { 201: { description: "The form", content: { "application/json": { schema: FormDefinitionSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const form = c.req.valid("json");
      const tenantId = c.get("principal").tenant.id;
      const notice = await consent.getNotice(tenantId, form.notice.noticeId, form.notice.version);
      if (!notice || notice.status !== "published") {
        throw new LawfulError("VALIDATION_FAILED", "The form's notice must be a published notice version.", { issues: [{ path: ["body", "notice"], message: "is not a published notice version", code: "unknown_notice" }] });
      }
      await sql.run(
        "INSERT INTO server_forms (tenant_id, form_id, definition, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, form_id) DO UPDATE SET definition = excluded.definition",
        [tenantId, form.id, JSON.stringify(form), deps.clock.now().toISOString()],
      );
      return c.json(form, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/consent-events",
      tags: ["consent"],
      summary: "Record a consent event with its proof (given, refused, withdrawn, renewed …)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: RecordEventInputSchema.omit({ tenantId: true, actor: true }) } } } },
      responses: { 201: { description: "The stored event", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(await consent.record({ ...c.req.valid("json"), tenantId: c.get("principal").tenant.id, actor: actorOf(c) }), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/consent/decision",
      tags: ["consent"],
      summary: "May purpose P be done for subject S now — and why (not)",
      security,
      request: { query: z.object({ subject: z.string().min(3).max(1100), purpose: PurposeIdSchema, at: z.iso.datetime({ offset: true }).optional() }) },
      responses: { 200: { description: "The decision", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const d = await consent.decide(c.get("principal").tenant.id, parseSubjectParam(q.subject), q.purpose, q.at ? new Date(q.at) : undefined);
      return c.json(d, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/subjects/{subject}/consents",
      tags: ["consent"],
      summary: "A subject's current consents and full history with proof",
      security,
      request: { params: z.object({ subject: z.string().min(3).max(1100) }) },
      responses: { 200: { description: "State and history", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const subject = parseSubjectParam(c.req.valid("param").subject);
      const [decisions, events] = await Promise.all([consent.decideAll(tenantId, subject), consent.history(tenantId, subject)]);
      const history = await Promise.all(events.map(async (e) => ({ ...e, evidenceRequest: await consent.evidenceOf(e) })));
      return c.json({ decisions, history }, 200);
    },
  );
}

/** Public consent routes: form capture, double opt-in confirmation, one-click unsubscribe. */
export function registerPublicConsentRoutes(
  app: OpenAPIHono<{ Variables: PublicVariables }>,
  deps: { consent: ConsentService; sql: Sql; clock: Clock; outbox: Outbox; publicBaseUrl?: string | undefined },
): void {
  const { consent } = deps;
  const meta = (c: Context<{ Variables: PublicVariables }>) => {
    const raw = clientIp(c).replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
    const ip = z.union([z.ipv4(), z.ipv6()]).safeParse(raw).success ? raw : undefined;
    return { ...(ip ? { ip } : {}), ...(c.req.header("user-agent") ? { userAgent: c.req.header("user-agent")!.slice(0, 1024) } : {}), receivedAt: deps.clock.now() };
  };
  const wantsHtml = (c: Context) => (c.req.header("accept") ?? "").includes("text/html");

  app.post("/p/:tenant/forms/:form/submit", async (c) => {
    const tenant = c.get("tenant");
    const lang = negotiateLanguage(c.req.header("accept-language"));
    const row = await deps.sql.get<{ definition: string }>("SELECT definition FROM server_forms WHERE tenant_id = ? AND form_id = ?", [tenant.id, c.req.param("form")]);
    if (!row) throw new LawfulError("NOT_FOUND", "No such form.");
    const form = JSON.parse(row.definition) as FormDefinition;
    const type = c.req.header("content-type") ?? "";
    let fields: Record<string, unknown>;
    if (type.startsWith("application/json")) fields = parseOrThrow(z.record(z.string(), z.unknown()), await c.req.json(), "form body");
    else if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) fields = await c.req.parseBody();
    else throw new LawfulError("VALIDATION_FAILED", "Send the form as application/x-www-form-urlencoded or JSON.", { issues: [{ path: ["content-type"], message: "unsupported media type", code: "unsupported_media_type" }] });
    const checked = (v: unknown) => v === true || v === "on" || v === "true" || v === "1" || v === "yes";
    const email = fields[form.emailField];
    const result = await consent.captureForm({
      tenantId: tenant.id,
      formId: form.id,
      pageUrl: c.req.header("referer")?.slice(0, 2048),
      subject: { kind: "email", value: typeof email === "string" ? email : "" },
      notice: form.notice,
      locale: lang,
      choices: form.fields.map((f) => ({ purposeId: f.purposeId, fieldName: f.fieldName, checked: checked(fields[f.fieldName]), defaultChecked: f.defaultChecked })),
      request: meta(c),
    });
    if (parseGpcHeader(c.req.raw.headers) && result.subjectPseudonym) {
      // Sec-GPC: an opt-out of sale/sharing where the regime gives it that effect (CCPA §7025)
      await consent.recordGpcSignal({ tenantId: tenant.id, subject: { pseudonym: result.subjectPseudonym }, signal: true, evidence: { collectionPoint: `form:${form.id}`, ...meta(c) } });
    }
    if (result.confirmation && typeof email === "string") {
      const link = `${deps.publicBaseUrl ?? new URL(c.req.url).origin}/p/${tenant.slug}/confirm?token=${encodeURIComponent(result.confirmation.token)}`;
      await deps.outbox.send(tenant.id, {
        kind: "double_opt_in",
        to: email.trim().toLowerCase(),
        subjectPseudonym: result.subjectPseudonym,
        subject: t(lang, "confirm.title"),
        body: `${t(lang, "confirm.title")}: ${link}`,
      });
    }
    const body = { submissionId: result.submissionId, events: result.events.map((e) => ({ id: e.id, purposeId: e.purposeId, type: e.type })), confirmationRequired: result.confirmation !== null };
    if (wantsHtml(c)) return c.html(page(t(lang, "form.thanks"), `<h1>${escapeHtml(t(lang, "form.thanks"))}</h1>`, lang), 201);
    return c.json(body, 201);
  });

  app.get("/p/:tenant/confirm", (c) => {
    const lang = negotiateLanguage(c.req.header("accept-language"));
    const token = c.req.query("token") ?? "";
    // a GET never changes state (mail scanners follow links): show a button that POSTs
    return c.html(
      page(
        t(lang, "confirm.title"),
        `<h1>${escapeHtml(t(lang, "confirm.title"))}</h1><form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">${escapeHtml(t(lang, "confirm.title"))}</button></form>`,
        lang,
      ),
    );
  });
  app.post("/p/:tenant/confirm", async (c) => {
    const lang = negotiateLanguage(c.req.header("accept-language"));
    const body = await c.req.parseBody();
    const token = typeof body.token === "string" ? body.token : (c.req.query("token") ?? "");
    try {
      await consent.confirmDoubleOptIn(token, meta(c));
      return c.html(page(t(lang, "confirm.title"), `<h1>${escapeHtml(t(lang, "confirm.done"))}</h1>`, lang));
    } catch (error) {
      if ((error as { code?: string }).code && ["INVALID_SIGNATURE", "EXPIRED", "VALIDATION_FAILED", "NOT_FOUND"].includes((error as { code: string }).code)) {
        return c.html(page(t(lang, "confirm.title"), `<h1>${escapeHtml(t(lang, "confirm.invalid"))}</h1>`, lang), 400);
      }
      throw error;
    }
  });

  const unsubscribe = async (c: Context<{ Variables: PublicVariables }>) => {
    const tenant = c.get("tenant");
    const lang = negotiateLanguage(c.req.header("accept-language"));
    const token = c.req.query("token") ?? "";
    const raw = c.req.method === "POST" ? await c.req.text() : undefined;
    let outcome;
    try {
      outcome = await consent.handleUnsubscribe({ token, httpMethod: c.req.method, body: raw, request: meta(c) });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && ["INVALID_SIGNATURE", "EXPIRED", "VALIDATION_FAILED"].includes(code)) {
        return c.html(page(t(lang, "unsubscribe.title"), `<h1>${escapeHtml(t(lang, "unsubscribe.invalid"))}</h1>`, lang), 400);
      }
      throw error;
    }
    if (outcome.status === "confirm") {
      return c.html(
        page(
          t(lang, "unsubscribe.title"),
          `<h1>${escapeHtml(t(lang, "unsubscribe.title"))}</h1><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(t(lang, "unsubscribe.confirm"))}</button></form>`,
          lang,
        ),
      );
    }
    return c.html(page(t(lang, "unsubscribe.title"), `<h1>${escapeHtml(t(lang, "unsubscribe.done", { controller: tenant.name }))}</h1>`, lang));
  };
  app.get("/p/:tenant/unsubscribe", unsubscribe);
  app.post("/p/:tenant/unsubscribe", unsubscribe);
}
