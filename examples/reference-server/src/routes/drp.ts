import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LawfulError, SubjectRefSchema, isLawfulError, type Clock, type SubjectRef } from "@lawful/core";
import { isTerminalState, type DsrService } from "@lawful/dsr";
import type { Sql } from "../db.js";
import {
  DRP_EXERCISES,
  DRP_SUPPORTED_ACTIONS,
  DRP_VERSION,
  DrpAgentIdSchema,
  DrpAgentSchema,
  DrpAgentSetupSchema,
  DrpEnvelopeSchema,
  DrpExerciseSchema,
  DrpRevokeSchema,
  registerDrpAgentSchema,
  callbackUrlProblem,
  checkEnvelope,
  createDrpStore,
  drpStatusOf,
  ed25519VerifyKey,
  openSignedMessage,
  parseSignedJson,
  type DrpAgent,
  type DrpExercise,
  type DrpRefusal,
} from "../drp.js";
import { recordAnsweredStatus } from "../drp-callbacks.js";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses } from "../http/route-kit.js";
import type { PublicVariables } from "../http/public.js";

type PubContext = Context<{ Variables: PublicVariables }>;

/** The controller's time zone for CCPA requests received through the DRP. */
const CCPA_TIME_ZONE = "America/Los_Angeles";
const STATUS_BY_CODE: Record<string, DrpRefusal["status"]> = { VALIDATION_FAILED: 400, NOT_FOUND: 404, CONFLICT: 409, ILLEGAL_TRANSITION: 409, POLICY_VIOLATION: 422 };

/** A DRP error (spec 3.06): `application/json` with `code` (the HTTP status as a string), `message` and `fatal`. */
const drpError = (c: Context, r: DrpRefusal) =>
  c.body(JSON.stringify({ code: String(r.status), message: r.message, ...(r.fatal ? { fatal: true } : {}) }), r.status as ContentfulStatusCode, {
    "content-type": "application/json",
  });

const zodMessage = (error: z.ZodError) => `Invalid request: ${error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`).join("; ")}`;

/** The identity the request is about: the e-mail claim, else the phone number (spec 3.04). */
function subjectOf(claims: DrpExercise): { subject: SubjectRef } | DrpRefusal {
  const candidate = claims.email !== undefined ? { kind: "email", value: claims.email } : claims.phone_number !== undefined ? { kind: "phone", value: claims.phone_number } : undefined;
  if (!candidate) return { status: 400, message: "The request needs an email or phone_number identity claim to match the person.", fatal: true };
  const parsed = SubjectRefSchema.safeParse(candidate);
  if (!parsed.success) return { status: 400, message: `${candidate.kind === "email" ? "email" : "phone_number"}: is not valid.`, fatal: true };
  return { subject: parsed.data };
}

/**
 * Data Rights Protocol routes.
 *
 * Operator API (tenant API key, scope `requests` or `admin`, in /openapi.json): register, list
 * and revoke authorised agents at `/v1/drp/agents` — the operator stands in for the DRP
 * Authorized Agent Directory.
 *
 * Protocol surface, per tenant: the business-id is the tenant slug and the DRP `api_base` is
 * `{PUBLIC_BASE_URL}/p/{tenant}/drp`, announced by `/p/{tenant}/.well-known/data-rights.json`:
 * - `POST {api_base}/v1/agent/{agent-id}` pair-wise key setup → `{ "agent-id", "token" }` (any
 *   failure: 403 without a body, spec 2.05.1); `GET` the same path checks a token (spec 2.06);
 * - `POST {api_base}/v1/data-rights-request` (also with the older trailing slash) submits a signed
 *   request as a CCPA request on channel `authorized_agent` with the agent as actor;
 * - `GET`/`DELETE {api_base}/v1/data-rights-request/{id}` answer the status / revoke (= withdraw).
 *
 * Status callbacks (spec 2.03): a `status_callback` must be on the callback origin the operator
 * registered for the agent (https; `http` loopback only with `DRP_CALLBACK_ALLOW_HTTP_LOOPBACK`,
 * see `callbackUrlProblem`), otherwise the request is refused with 400. The status answered to an
 * exercise or revoke call is recorded as already known to the agent; later changes are POSTed by
 * the `drp-callbacks` job (drp-callbacks.ts).
 *
 * These routes answer DRP error objects (spec 3.06), not problem+json, and follow the DRP
 * specification rather than /openapi.json. Requests without `regime` are processed voluntarily
 * under the CCPA rules; other regimes are refused. No name or address claim is stored: the
 * request records the e-mail (or phone) it is about and which claims the agent verified.
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import { systemClock } from "@lawful/core";
 * import type { DsrService } from "@lawful/dsr";
 * import type { Sql } from "../db.js";
 * import type { AppEnv } from "../http/app.js";
 * import type { PublicVariables } from "../http/public.js";
 * import { registerDrpRoutes } from "./drp.js";
 * declare const sql: Sql;
 * declare const dsr: DsrService;
 * registerDrpRoutes(new OpenAPIHono<AppEnv>(), new OpenAPIHono<{ Variables: PublicVariables }>(), { sql, dsr, clock: systemClock });
 * ```
 */
export function registerDrpRoutes(
  app: OpenAPIHono<AppEnv>,
  pub: OpenAPIHono<{ Variables: PublicVariables }>,
  deps: { sql: Sql; dsr: DsrService; clock: Clock; publicBaseUrl?: string | undefined; allowLoopbackHttpCallbacks?: boolean | undefined },
): void {
  const { sql, dsr, clock } = deps;
  const store = createDrpStore(sql, clock, { allowLoopbackHttpCallbacks: deps.allowLoopbackHttpCallbacks });
  const registration = registerDrpAgentSchema({ allowLoopbackHttpCallbacks: deps.allowLoopbackHttpCallbacks });

  // --- operator API --------------------------------------------------------------------------
  app.use("/v1/drp/*", requireScope("requests"));
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/drp/agents",
      tags: ["drp"],
      summary: "Register a Data Rights Protocol authorised agent (id, name, Ed25519 verify key, optional callback origin)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: registration } } } },
      responses: { 201: { description: "The agent", content: { "application/json": { schema: DrpAgentSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await store.register(c.get("principal").tenant.id, c.req.valid("json")), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/drp/agents",
      tags: ["drp"],
      summary: "List the tenant's authorised agents (never their tokens)",
      security,
      responses: { 200: { description: "Agents", content: { "application/json": { schema: z.object({ items: z.array(DrpAgentSchema) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await store.list(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/drp/agents/{id}",
      tags: ["drp"],
      summary: "Revoke an authorised agent and its bearer token",
      security,
      request: { params: z.object({ id: z.string().max(128) }) },
      responses: { 200: { description: "The revoked agent", content: { "application/json": { schema: DrpAgentSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const agent = await store.revoke(c.get("principal").tenant.id, c.req.valid("param").id);
      if (!agent) throw new LawfulError("NOT_FOUND", "This tenant has no such agent.");
      return c.json(agent, 200);
    },
  );

  // --- protocol surface ------------------------------------------------------------------------
  const apiBase = (c: PubContext) => `${deps.publicBaseUrl ?? new URL(c.req.url).origin}/p/${c.get("tenant").slug}/drp`;

  pub.get("/p/:tenant/.well-known/data-rights.json", (c) =>
    c.json({
      version: DRP_VERSION,
      api_base: apiBase(c),
      actions: DRP_SUPPORTED_ACTIONS,
      // this business uses no relationship hints: requests are matched on identity claims alone
      user_relationships: [],
      // the Business Discovery Document fields of spec 3.05.2
      id: c.get("tenant").slug,
      name: c.get("tenant").name,
      supported_actions: DRP_SUPPORTED_ACTIONS,
      supported_verifications: ["email", "phone_number"],
    }),
  );

  const bearerAgent = async (c: PubContext): Promise<DrpAgent | undefined> => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    return m ? store.byToken(c.get("tenant").id, m[1]!) : undefined;
  };
  const unauthenticated = (c: PubContext) => {
    c.header("WWW-Authenticate", 'Bearer realm="drp"');
    return drpError(c, { status: 401, message: "Send the pair-wise token from POST /v1/agent/{agent-id} as `Authorization: Bearer <token>`." });
  };
  /** Read and verify the signed body; the parsed JSON message, or a refusal. */
  const openBody = async (c: PubContext, agent: DrpAgent): Promise<{ json: unknown; message: Buffer } | DrpRefusal> => {
    const key = ed25519VerifyKey(agent.verifyKey);
    const opened = key ? openSignedMessage(await c.req.text(), key) : ({ ok: false, reason: "bad_signature" } as const);
    if (!opened.ok) {
      return opened.reason === "bad_signature"
        ? { status: 403, message: "The signature does not verify with the agent's registered key.", fatal: true }
        : { status: 400, message: "The body must be base64 of a 64-byte Ed25519 signature followed by the signed JSON message (text/plain).", fatal: true };
    }
    const json = parseSignedJson(opened.message);
    if (json === undefined || typeof json !== "object" || json === null || Array.isArray(json)) {
      return { status: 400, message: "The signed message is not a UTF-8 JSON object.", fatal: true };
    }
    return { json, message: opened.message };
  };
  const isRefusal = (v: object): v is DrpRefusal => "status" in v && "message" in v;
  /** The request id and its link, when it belongs to this agent; else a refusal (404, or 403 for another agent's). */
  const ownRequest = async (c: PubContext, agent: DrpAgent): Promise<{ id: string; link: { agentRequestId: string | null; statusCallback: string | null } } | DrpRefusal> => {
    const id = c.req.param("id") ?? "";
    const link = id.length <= 128 ? await store.linkOf(c.get("tenant").id, id) : undefined;
    if (!link) return { status: 404, message: "No Data Rights Protocol request with this id." };
    if (link.agentId !== agent.id) return { status: 403, message: "This request is managed by another agent.", fatal: true };
    return { id, link };
  };
  const dsrRefusal = (error: unknown): DrpRefusal => {
    if (isLawfulError(error) && STATUS_BY_CODE[error.code]) return { status: STATUS_BY_CODE[error.code]!, message: error.message };
    throw error;
  };

  // Pair-wise key setup (spec 2.05): every failure is 403 without a body.
  pub.post("/p/:tenant/drp/v1/agent/:agentId", async (c) => {
    const tenant = c.get("tenant");
    const forbidden = () => c.body(null, 403);
    const agentId = c.req.param("agentId");
    const agent = DrpAgentIdSchema.safeParse(agentId).success ? await store.get(tenant.id, agentId) : undefined;
    if (!agent || agent.revokedAt !== null) return forbidden();
    const body = await openBody(c, agent);
    if (isRefusal(body)) return forbidden();
    const claims = DrpAgentSetupSchema.safeParse(body.json);
    if (!claims.success || checkEnvelope(claims.data, { agentId: agent.id, businessId: tenant.slug, now: clock.now() })) return forbidden();
    const token = await sql.transaction(async () =>
      (await store.remember(tenant.id, agent.id, body.message, new Date(claims.data["expires-at"]))) ? store.issueToken(tenant.id, agent.id) : undefined,
    );
    if (!token) return forbidden();
    return c.json({ "agent-id": agent.id, token }, 200);
  });

  // Agent information (spec 2.06): checks that a token is valid for this agent id.
  pub.get("/p/:tenant/drp/v1/agent/:agentId", async (c) => {
    const agent = await bearerAgent(c);
    if (!agent) return unauthenticated(c);
    if (agent.id !== c.req.param("agentId")) return drpError(c, { status: 403, message: "The bearer token belongs to another agent." });
    return c.json({}, 200);
  });

  // Data Rights Exercise (spec 2.01).
  const exercise = async (c: PubContext) => {
    const tenant = c.get("tenant");
    const agent = await bearerAgent(c);
    if (!agent) return unauthenticated(c);
    const body = await openBody(c, agent);
    if (isRefusal(body)) return drpError(c, body);
    // spec 3.07 order: envelope first, then the rest of the message
    const envelope = DrpEnvelopeSchema.safeParse(body.json);
    if (!envelope.success) return drpError(c, { status: 400, message: zodMessage(envelope.error), fatal: true });
    const refusal = checkEnvelope(envelope.data, { agentId: agent.id, businessId: tenant.slug, now: clock.now() });
    if (refusal) return drpError(c, refusal);
    const parsed = DrpExerciseSchema.safeParse(body.json);
    if (!parsed.success) return drpError(c, { status: 400, message: zodMessage(parsed.error), fatal: true });
    const claims = parsed.data;
    const type = Object.hasOwn(DRP_EXERCISES, claims.exercise) ? DRP_EXERCISES[claims.exercise] : undefined;
    if (!type) return drpError(c, { status: 400, message: `Unsupported rights actions submitted; this business supports ${DRP_SUPPORTED_ACTIONS.join(", ")}.`, fatal: true });
    if (claims.regime !== undefined && claims.regime.toLowerCase() !== "ccpa") {
      return drpError(c, { status: 400, message: 'Unsupported regime; this business accepts "ccpa" or no regime (voluntary processing under the CCPA rules).', fatal: true });
    }
    const callback = claims.status_callback;
    if (callback !== undefined && (agent.callbackOrigin === null || new URL(callback).origin !== agent.callbackOrigin || callbackUrlProblem(new URL(callback), deps.allowLoopbackHttpCallbacks))) {
      return drpError(c, { status: 400, message: "status_callback must be an https URL on the callback origin registered for this agent.", fatal: true });
    }
    const who = subjectOf(claims);
    if (isRefusal(who)) return drpError(c, who);
    const verified = (["email", "phone_number", "address"] as const).filter((k) => claims[`${k}_verified`] === true);
    const description = [
      `Received through the Data Rights Protocol (${claims["drp.version"]}, "${claims.exercise}") from authorised agent "${agent.name}" (${agent.id})`,
      claims.regime === undefined ? "no regime given: processed voluntarily under the CCPA rules" : "regime: ccpa",
      `identity claims verified by the agent: ${verified.length ? verified.join(", ") : "none"}`,
      ...(claims.relationships?.length ? [`relationship hints: ${claims.relationships.join(", ")}`] : []),
    ].join("; ");
    try {
      const status = await sql.transaction(async () => {
        if (!(await store.remember(tenant.id, agent.id, body.message, new Date(claims["expires-at"])))) return undefined;
        const { request } = await dsr.submit({
          tenantId: tenant.id,
          type,
          regime: "US-CA",
          subject: who.subject,
          channel: "authorized_agent",
          timeZone: CCPA_TIME_ZONE,
          details: { description },
          actor: { type: "agent", id: agent.id },
        });
        await store.link(tenant.id, request.id, { agentId: agent.id, agentRequestId: claims["agent-request-id"], statusCallback: callback });
        const answer = drpStatusOf(request, { agentRequestId: claims["agent-request-id"] });
        // the agent gets this status in the response: callbacks start from the next change
        if (callback !== undefined) await recordAnsweredStatus(sql, clock, tenant.id, answer);
        return answer;
      });
      if (!status) return drpError(c, { status: 409, message: "This signed request was already received; sign a new one for a new request.", fatal: true });
      return c.json(status, 200);
    } catch (error) {
      return drpError(c, dsrRefusal(error));
    }
  };
  pub.post("/p/:tenant/drp/v1/data-rights-request", exercise);
  pub.post("/p/:tenant/drp/v1/data-rights-request/", exercise);

  // Data Rights Status (spec 2.02).
  pub.get("/p/:tenant/drp/v1/data-rights-request/:id", async (c) => {
    const agent = await bearerAgent(c);
    if (!agent) return unauthenticated(c);
    const own = await ownRequest(c, agent);
    if (isRefusal(own)) return drpError(c, own);
    return c.json(drpStatusOf(await dsr.get(c.get("tenant").id, own.id), own.link), 200);
  });

  // Data Rights Revoke (spec 2.04): the person withdraws the request.
  pub.delete("/p/:tenant/drp/v1/data-rights-request/:id", async (c) => {
    const tenant = c.get("tenant");
    const agent = await bearerAgent(c);
    if (!agent) return unauthenticated(c);
    const own = await ownRequest(c, agent);
    if (isRefusal(own)) return drpError(c, own);
    const body = await openBody(c, agent);
    if (isRefusal(body)) return drpError(c, body);
    const claims = DrpRevokeSchema.safeParse(body.json);
    if (!claims.success) return drpError(c, { status: 400, message: zodMessage(claims.error), fatal: true });
    const hasEnvelope = (["agent-id", "business-id", "issued-at", "expires-at"] as const).some((k) => claims.data[k] !== undefined);
    let expiresAt: Date | undefined;
    if (hasEnvelope) {
      const envelope = DrpEnvelopeSchema.safeParse(body.json);
      if (!envelope.success) return drpError(c, { status: 400, message: zodMessage(envelope.error), fatal: true });
      const refusal = checkEnvelope(envelope.data, { agentId: agent.id, businessId: tenant.slug, now: clock.now() });
      if (refusal) return drpError(c, refusal);
      expiresAt = new Date(envelope.data["expires-at"]);
    }
    try {
      const result = await sql.transaction(async () => {
        if (expiresAt && !(await store.remember(tenant.id, agent.id, body.message, expiresAt))) return "replay" as const;
        const current = await dsr.get(tenant.id, own.id);
        if (isTerminalState(current.state) && current.state !== "withdrawn") return "final" as const;
        const answer = drpStatusOf(current.state === "withdrawn" ? current : await dsr.withdraw(tenant.id, own.id, { type: "agent", id: agent.id }), own.link);
        if (own.link.statusCallback !== null) await recordAnsweredStatus(sql, clock, tenant.id, answer);
        return answer;
      });
      if (result === "replay") return drpError(c, { status: 409, message: "This signed revocation was already received.", fatal: true });
      if (result === "final") return drpError(c, { status: 409, message: "The request is already final and can no longer be revoked.", fatal: true });
      return c.json(result, 200);
    } catch (error) {
      return drpError(c, dsrRefusal(error));
    }
  });
}
