import { createHash } from "node:crypto";
import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Logger } from "pino";
import { LawfulError, issuesFromZod, type AuditSink, type Clock } from "@lawful/core";
import { gpcWellKnown } from "@lawful/consent";

/** When this server's GPC handling (honoured as an opt-out of sale/sharing) was last changed. */
const GPC_POLICY_DATE = "2026-11-29";
import type { Sql } from "../db.js";
import { ApiKeySchema, ControllerDetailsSchema, CreateApiKeySchema, TenantSchema, saveControllerDetails, type Principal, type Scope, type TenantService } from "../tenants.js";
import { problem, problemFromError } from "./problem.js";
import { apiKeySecurity, errorResponses, staffActor } from "./route-kit.js";
import { renderApiDocs } from "./docs-page.js";
import { clientIp, publicTenant, rateLimit, type PublicVariables } from "./public.js";
import type { Services } from "../services.js";
import type { ServerKeys } from "../keys.js";
import { OutboxMessageSchema, type Outbox } from "../outbox.js";
import { registerPublicRegistryRoutes, registerRegistryRoutes } from "../routes/registry.js";
import { registerConsentRoutes, registerPublicConsentRoutes } from "../routes/consent.js";
import { registerPublicRetentionRoutes, registerRetentionRoutes } from "../routes/retention.js";
import { registerRequestRoutes } from "../routes/requests.js";
import { registerAuditRoutes } from "../routes/audit.js";
import { registerExportRoutes } from "../routes/exports.js";
import { registerOperatorRoutes } from "../routes/operator.js";
import { registerRetentionRunRoute } from "../retention-run.js";
import { registerLandingRoutes } from "../routes/landing.js";
import { registerDrpRoutes } from "../routes/drp.js";
import { registerPrivacyRoutes } from "../routes/privacy.js";

/** What request handlers can read from the context. */
export interface AppVariables {
  principal: Principal;
  requestId: string;
}
/** Hono environment of the app. */
export interface AppEnv {
  Variables: AppVariables;
}

/** Everything the HTTP app needs. */
export interface AppDeps {
  sql: Sql;
  tenants: TenantService;
  clock: Clock;
  logger: Logger;
  services: Services;
  /** Keys derived from the master key (tokens, download links, pseudonyms). */
  keys: ServerKeys;
  outbox: Outbox;
  audit: AuditSink;
  publicBaseUrl?: string | undefined;
  /** Accept `http` loopback DRP callback origins (config `DRP_CALLBACK_ALLOW_HTTP_LOOPBACK`; development and tests only). */
  drpAllowLoopbackHttpCallbacks?: boolean | undefined;
  /** Largest accepted request body. @default 1 MiB */
  bodyLimitBytes?: number;
  /** Limits of the public /p/* routes per client address and per tenant. @default 120 and 3000 per minute */
  publicRateLimits?: { perAddressPerMinute: number; perTenantPerMinute: number } | undefined;
}


/** Check the bearer key and keep the principal on the context. */
function authenticate(tenants: TenantService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = m ? await tenants.authenticate(m[1]!) : undefined;
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="lawful"');
      return problem(c, 401, "Send a valid API key as `Authorization: Bearer <key>`.", { code: "UNAUTHENTICATED" });
    }
    c.set("principal", principal);
    await next();
  };
}

/** Require a scope (admin implies all). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { scopes } = c.get("principal");
    if (!scopes.has(scope) && !scopes.has("admin")) return problem(c, 403, `This API key lacks the "${scope}" scope.`, { code: "FORBIDDEN" });
    await next();
  };
}

/**
 * Idempotency-Key on POST (IETF httpapi draft semantics): a replay returns the stored
 * response; the same key with another payload is 422; a request still in flight is 409.
 * Keys are per tenant and kept 24 hours. The key, everything the handler writes and the stored
 * response commit in one transaction: a crash mid-request leaves none of it (a retry with the key
 * runs afresh, once), a concurrent retry waits for the first and replays it, and a 5xx rolls back.
 */
function idempotency(sql: Sql, clock: Clock): MiddlewareHandler<AppEnv> {
  const rolledBack = new Error("5xx: rolled back");
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) return problem(c, 400, "Idempotency-Key must be 1-255 visible ASCII characters.", { code: "VALIDATION_FAILED" });
    const tenantId = c.get("principal").tenant.id;
    const body = await c.req.raw.clone().arrayBuffer();
    const fingerprint = createHash("sha256").update(`${c.req.method} ${c.req.path}\n`).update(new Uint8Array(body)).digest("hex");
    const cutoff = new Date(clock.now().getTime() - 24 * 3600_000).toISOString();
    try {
      const answered = await sql.transaction(async () => {
        await sql.run("DELETE FROM server_idempotency WHERE tenant_id = ? AND idem_key = ? AND created_at < ?", [tenantId, key, cutoff]);
        const inserted = await sql.run(
          "INSERT INTO server_idempotency (tenant_id, idem_key, fingerprint, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, idem_key) DO NOTHING",
          [tenantId, key, fingerprint, clock.now().toISOString()],
        );
        if (inserted === 0) {
          const row = await sql.get<{ fingerprint: string; status: number | null; response: string | null }>(
            "SELECT fingerprint, status, response FROM server_idempotency WHERE tenant_id = ? AND idem_key = ?",
            [tenantId, key],
          );
          if (row && row.fingerprint !== fingerprint) return problem(c, 422, "This Idempotency-Key was used with a different request.", { code: "IDEMPOTENCY_KEY_REUSED" });
          if (!row || row.status === null || row.response === null) return problem(c, 409, "A request with this Idempotency-Key is still in progress.", { code: "IDEMPOTENCY_IN_FLIGHT" });
          const stored = JSON.parse(row.response) as { headers: Record<string, string>; body: string };
          return c.body(stored.body, row.status as 200, { ...stored.headers, "idempotent-replayed": "true" });
        }
        await next();
        const res = c.res;
        if (res.status >= 500) throw rolledBack;
        const text = await res.clone().text();
        const headers: Record<string, string> = {};
        const type = res.headers.get("content-type");
        if (type) headers["content-type"] = type;
        await sql.run("UPDATE server_idempotency SET status = ?, response = ? WHERE tenant_id = ? AND idem_key = ?", [
          res.status,
          JSON.stringify({ headers, body: text }),
          tenantId,
          key,
        ]);
        return undefined;
      });
      if (answered) return answered;
    } catch (error) {
      if (error !== rolledBack) throw error;
    }
  };
}

/** Build the HTTP application (no listening socket: see server.ts). */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === "json" || result.target === "form" ? "body" : result.target;
        const issues = issuesFromZod(result.error.issues, [where]);
        return problem(c, 400, `Invalid request: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, {
          code: "VALIDATION_FAILED",
          issues,
        });
      }
      return undefined;
    },
  });

  app.use("*", requestId());
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginResourcePolicy: "same-origin",
    }),
  );
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    // no personal data: method, route pattern (never the raw path with ids), status, duration
    deps.logger.info(
      { reqId: c.get("requestId"), method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) },
      "request",
    );
  });
  app.use("*", bodyLimit({ maxSize: deps.bodyLimitBytes ?? 1024 * 1024, onError: (c) => problem(c, 413, "The request body is too large.", { code: "BODY_TOO_LARGE" }) }));
  app.onError((error, c) => {
    const res = problemFromError(c, error);
    if (res.status >= 500) deps.logger.error({ reqId: c.get("requestId"), err: { name: (error).name, code: (error as { code?: unknown }).code } }, "unhandled error");
    return res;
  });
  app.notFound((c) => problem(c, 404, "No such resource.", { code: "NOT_FOUND" }));

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer", description: "A tenant API key (`lk_…`)." });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await deps.sql.ping();
      return c.json({ status: "ready" });
    } catch {
      return problem(c, 503, "The database is not reachable.", { code: "NOT_READY" });
    }
  });

  app.use("/v1/*", authenticate(deps.tenants));
  app.use("/v1/*", idempotency(deps.sql, deps.clock));

  const security = apiKeySecurity;

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tenant",
      tags: ["tenant"],
      summary: "The tenant of the calling API key",
      security,
      responses: { 200: { description: "The tenant", content: { "application/json": { schema: TenantSchema.openapi("Tenant") } } }, ...errorResponses },
    }),
    (c) => c.json(c.get("principal").tenant, 200),
  );
  app.use("/v1/tenant/controller-details", requireScope("admin"));
  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/tenant/controller-details",
      tags: ["tenant"],
      summary: "Set the controller's contact details, address, Art. 27 representative and DPO (privacy center, exports and the Art. 30 records show them)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: ControllerDetailsSchema.openapi("ControllerDetails") } } } },
      responses: { 200: { description: "The tenant", content: { "application/json": { schema: TenantSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await saveControllerDetails(deps, c.get("principal").tenant, c.req.valid("json"), staffActor(c)), 200),
  );

  app.use("/v1/keys", requireScope("admin"));
  app.use("/v1/keys/*", requireScope("admin"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/keys",
      tags: ["tenant"],
      summary: "List the tenant's API keys (never their secrets)",
      security,
      responses: { 200: { description: "Keys", content: { "application/json": { schema: z.object({ items: z.array(ApiKeySchema.openapi("ApiKey")) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await deps.tenants.listKeys(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/keys",
      tags: ["tenant"],
      summary: "Create an API key; the secret is shown once",
      security,
      request: { body: { required: true, content: { "application/json": { schema: CreateApiKeySchema.openapi("CreateApiKey") } } } },
      responses: {
        201: { description: "The key and its secret", content: { "application/json": { schema: z.object({ key: ApiKeySchema, secret: z.string() }) } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await deps.tenants.createKey(c.get("principal").tenant.id, c.req.valid("json")), 201),
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/keys/{id}",
      tags: ["tenant"],
      summary: "Revoke an API key",
      security,
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: { 200: { description: "The revoked key", content: { "application/json": { schema: ApiKeySchema } } }, ...errorResponses },
    }),
    async (c) => {
      const key = await deps.tenants.revokeKey(c.get("principal").tenant.id, c.req.valid("param").id);
      if (!key) throw new LawfulError("NOT_FOUND", "This tenant has no such API key.");
      return c.json(key, 200);
    },
  );

  app.use("/v1/outbox", requireScope("admin"));
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/outbox",
      tags: ["tenant"],
      summary: "Messages the built-in mail transport queued (double opt-in links, verification codes, notices)",
      security,
      responses: { 200: { description: "Newest first", content: { "application/json": { schema: z.object({ items: z.array(OutboxMessageSchema) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await deps.outbox.list(c.get("principal").tenant.id) }, 200),
  );

  registerRegistryRoutes(app, deps.services);
  registerConsentRoutes(app, { consent: deps.services.consent, sql: deps.sql, clock: deps.clock });
  registerRetentionRoutes(app, { retention: deps.services.retention, audit: deps.audit, clock: deps.clock });
  registerRetentionRunRoute(app, { sql: deps.sql, retention: deps.services.retention, dsr: deps.services.dsr, consent: deps.services.consent, audit: deps.audit, clock: deps.clock });
  registerRequestRoutes(app, { dsr: deps.services.dsr, outbox: deps.outbox, clock: deps.clock });
  registerAuditRoutes(app, { audit: deps.services.audit, verifierKey: deps.services.checkpointVerifierKey, previousVerifierKeys: deps.services.previousVerifierKeys });
  registerExportRoutes(app, { services: deps.services, clock: deps.clock });
  registerOperatorRoutes(app, deps);

  // public, keyless routes per tenant slug: rate-limited per address and per tenant, CORS by the tenant's allow-list
  const pub = new OpenAPIHono<{ Variables: PublicVariables }>();
  pub.use("/p/:tenant/*", publicTenant(deps.tenants));
  pub.use(
    "/p/:tenant/*",
    rateLimit(deps.sql, deps.clock, [
      { name: "ip", windowMs: 60_000, max: deps.publicRateLimits?.perAddressPerMinute ?? 120, key: (c) => clientIp(c) },
      { name: "tenant", windowMs: 60_000, max: deps.publicRateLimits?.perTenantPerMinute ?? 3000, key: (c) => c.req.param("tenant") ?? "" },
    ], { hashKey: deps.keys.tokenKey }),
  );
  registerPublicRegistryRoutes(pub, { ...deps.services, clock: deps.clock, tenants: deps.tenants, publicBaseUrl: deps.publicBaseUrl });
  registerPublicConsentRoutes(pub, { consent: deps.services.consent, sql: deps.sql, clock: deps.clock, outbox: deps.outbox, publicBaseUrl: deps.publicBaseUrl });
  registerPublicRetentionRoutes(pub, { retention: deps.services.retention, clock: deps.clock });
  registerLandingRoutes(app, pub, { sql: deps.sql, consent: deps.services.consent, audit: deps.audit, clock: deps.clock, publicBaseUrl: deps.publicBaseUrl });
  registerDrpRoutes(app, pub, { sql: deps.sql, dsr: deps.services.dsr, clock: deps.clock, publicBaseUrl: deps.publicBaseUrl, allowLoopbackHttpCallbacks: deps.drpAllowLoopbackHttpCallbacks });
  registerPrivacyRoutes(pub, { services: deps.services, clock: deps.clock, keys: deps.keys, outbox: deps.outbox, publicBaseUrl: deps.publicBaseUrl });
  app.route("/", pub);
  app.get("/.well-known/gpc.json", (c) => c.json(gpcWellKnown({ lastUpdate: GPC_POLICY_DATE })));

  const openapiConfig = {
    openapi: "3.1.0",
    info: { title: "Lawful reference server", version: "0.1.0", description: "Operator API of the Lawful reference server. Authenticate with `Authorization: Bearer <api key>`." },
  };
  app.doc31("/openapi.json", openapiConfig);
  app.get("/docs", (c: Context) => c.html(renderApiDocs(app.getOpenAPI31Document(openapiConfig))));
  return app;
}

/** The app type. */
export type App = ReturnType<typeof createApp>;
