import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DenialReasonSchema, DsrStateSchema, SubmitRequestInputSchema, type DsrService } from "@lawful/dsr";
import type { Clock } from "@lawful/core";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json, staffActor as actorOf } from "../http/route-kit.js";
import type { Outbox } from "../outbox.js";

const Id = z.object({ id: z.string().min(1).max(64) });

/** Operator routes of data-subject requests: create, list with deadline filters, and every lifecycle action. */
export function registerRequestRoutes(app: OpenAPIHono<AppEnv>, deps: { dsr: DsrService; outbox: Outbox; clock: Clock }): void {
  const { dsr, outbox } = deps;
  // built here, not at module load: app.ts and this file import each other
  const ok = { 200: { description: "The request", content: { "application/json": { schema: Json } } }, ...errorResponses } as const;
  app.use("/v1/requests", requireScope("requests"));
  app.use("/v1/requests/*", requireScope("requests"));

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/requests",
      tags: ["requests"],
      summary: "Record a data-subject request received on any channel (the legal clock starts at receipt)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: z.object(SubmitRequestInputSchema.shape).omit({ tenantId: true, actor: true }) } } } },
      responses: { 201: { description: "The request and, for a duplicate, the original it was linked to", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(await dsr.submit({ ...c.req.valid("json"), tenantId: c.get("principal").tenant.id, actor: actorOf(c) }), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/requests",
      tags: ["requests"],
      summary: "List requests, optionally by status and binding deadline",
      security,
      request: {
        query: z.object({
          status: z.string().max(400).optional().describe("comma-separated states"),
          dueBefore: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
      responses: { 200: { description: "Requests", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const states = q.status ? z.array(DsrStateSchema).parse(q.status.split(",")) : undefined;
      const items = await dsr.list(c.get("principal").tenant.id, {
        ...(states ? { states } : {}),
        ...(q.dueBefore ? { dueBefore: new Date(q.dueBefore) } : {}),
        limit: q.limit ?? 100,
      });
      return c.json({ items }, 200);
    },
  );
  app.openapi(
    createRoute({ method: "get", path: "/v1/requests/{id}", tags: ["requests"], summary: "One request with its deadlines, pauses, tasks and history", security, request: { params: Id }, responses: ok }),
    async (c) => c.json(await dsr.get(c.get("principal").tenant.id, c.req.valid("param").id), 200),
  );

  const action = <B extends z.ZodType>(name: string, summary: string, body: B | undefined, run: (c: Context<AppEnv>, tenantId: string, id: string, input: z.output<B>) => Promise<unknown>) =>
    app.openapi(
      createRoute({
        method: "post",
        path: `/v1/requests/{id}/${name}`,
        tags: ["requests"],
        summary,
        security,
        request: { params: Id, ...(body ? { body: { required: true, content: { "application/json": { schema: body } } } } : {}) },
        responses: ok,
      }),
      async (c) => {
        // validated by the route's schemas before this runs
        const valid = (c.req as unknown as { valid(target: "param" | "json"): unknown }).valid.bind(c.req);
        const { id } = valid("param") as { id: string };
        const input = (body ? valid("json") : undefined) as z.output<B>;
        const ctx = c as unknown as Context<AppEnv>;
        return ctx.json((await run(ctx, ctx.get("principal").tenant.id, id, input)) as never, 200);
      },
    );

  action("acknowledge", "Acknowledge receipt (CCPA: within 10 business days)", undefined, (c, t, id) => dsr.acknowledge(t, id, actorOf(c)));
  action("verification", "Send the person a one-time verification code (by the outbox mail transport)", undefined, async (c, t, id) => {
    const { request, secret, expiresAt } = await dsr.requestVerification(t, id, { kind: "code", actor: actorOf(c) });
    if (request.subject.kind === "email") {
      await outbox.send(t, {
        kind: "verification_code",
        to: request.subject.value,
        subjectPseudonym: request.subjectKey,
        subject: "Your verification code",
        body: `Your code to confirm your privacy request is ${secret}. It expires at ${expiresAt.toISOString()}.`,
      });
    }
    return request;
  });
  action("verify", "Check a verification code (15 minutes, at most 5 attempts, then locked)", z.object({ code: z.string().min(1).max(64) }), (_c, t, id, b) =>
    dsr.submitVerificationSecret(t, id, b.code),
  );
  action(
    "verify-manually",
    "Record that staff verified the person's identity another way (data points matched, signed declaration, evidence)",
    z.object({
      dataPointsMatched: z.int().min(0).max(100),
      declarationSigned: z.boolean(),
      evidence: z.array(z.string().min(1).max(2000)).min(1).max(64),
      reviewer: z.string().min(1).max(256),
    }),
    (c, t, id, b) => dsr.verifyManually(t, id, b, actorOf(c)),
  );
  action("start", "Start work: fan out to every data source", undefined, (c, t, id) => dsr.start(t, id, actorOf(c)));
  action("extend", "Extend the deadline (before the original deadline, with reasons notified to the person)", z.object({ reason: z.string().min(1).max(2000), notifiedAt: z.iso.datetime({ offset: true }) }), (c, t, id, b) =>
    dsr.extend(t, id, { reason: b.reason, notifiedAt: new Date(b.notifiedAt) }, actorOf(c)),
  );
  action("pause", "Pause the clock (only where the regime allows it)", z.object({ reason: z.enum(["identity", "clarification", "fee", "other"]) }), (c, t, id, b) => dsr.pause(t, id, b.reason, actorOf(c)));
  action("resume", "Resume a paused clock", undefined, (c, t, id) => dsr.resume(t, id, actorOf(c)));
  action("deny", "Deny with a reason from the fixed taxonomy", z.object({ reason: DenialReasonSchema, explanation: z.string().min(1).max(4000), evidence: z.array(z.string().max(1000)).max(20).optional() }), (c, t, id, b) =>
    dsr.deny(t, id, { reason: b.reason, explanation: b.explanation, ...(b.evidence ? { evidence: b.evidence } : {}) }, actorOf(c)),
  );
  action("cancel", "Cancel (e.g. a duplicate)", z.object({ reason: z.string().min(1).max(2000) }), (c, t, id, b) => dsr.cancel(t, id, b.reason, actorOf(c)));
  action("complete", "Complete a manual task (e.g. a contested automated decision)", z.object({ nature: z.string().min(1).max(2000), partial: z.boolean().optional() }), (c, t, id, b) =>
    dsr.complete(t, id, { nature: b.nature, ...(b.partial !== undefined ? { partial: b.partial } : {}) }, actorOf(c)),
  );
}
