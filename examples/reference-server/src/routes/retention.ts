import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { LawfulError, type AuditSink, type Clock } from "@lawful/core";
import {
  LegalHoldSchema,
  RetentionRecordSchema,
  RetentionRuleSchema,
  buildRetentionSchedule,
  issueLegalHold,
  planRetention,
  releaseLegalHold,
  renderScheduleHtml,
  renderScheduleMarkdown,
  type RetentionPlan,
  type RetentionRecord,
  type RetentionStore,
} from "@lawful/retention";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json, staffActor as actorOf } from "../http/route-kit.js";
import type { PublicVariables } from "../http/public.js";

const Id = z.object({ id: z.string().min(1).max(128) });

/** Operator routes of retention: rules, legal holds and a dry-run plan over posted records. */
export function registerRetentionRoutes(app: OpenAPIHono<AppEnv>, deps: { retention: RetentionStore; audit: AuditSink; clock: Clock }): void {
  const { retention, audit, clock } = deps;
  app.use("/v1/retention/*", requireScope("retention"));

  app.openapi(
    createRoute({ method: "get", path: "/v1/retention/rules", tags: ["retention"], summary: "List retention rules", security, responses: { 200: { description: "Rules", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => c.json({ items: await retention.listRules(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/retention/rules",
      tags: ["retention"],
      summary: "Create or replace a retention rule (refused when it contradicts another rule)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: RetentionRuleSchema } } } },
      responses: { 201: { description: "The rule", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const rule = await retention.putRule(tenantId, c.req.valid("json"));
      await audit.record({ tenantId, action: "retention.rule_saved", actor: actorOf(c), target: { system: "lawful", recordType: "retention_rule", recordId: rule.id } });
      return c.json(rule, 201);
    },
  );
  app.openapi(
    createRoute({ method: "delete", path: "/v1/retention/rules/{id}", tags: ["retention"], summary: "Delete a retention rule", security, request: { params: Id }, responses: { 200: { description: "Deleted", content: { "application/json": { schema: z.object({ deleted: z.boolean() }) } } }, ...errorResponses } }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const id = c.req.valid("param").id;
      if (!(await retention.deleteRule(tenantId, id))) throw new LawfulError("NOT_FOUND", "This tenant has no such retention rule.");
      await audit.record({ tenantId, action: "retention.rule_deleted", actor: actorOf(c), target: { system: "lawful", recordType: "retention_rule", recordId: id } });
      return c.json({ deleted: true }, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/v1/retention/holds", tags: ["retention"], summary: "List legal holds", security, responses: { 200: { description: "Holds", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => c.json({ items: await retention.listHolds(c.get("principal").tenant.id) }, 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/retention/holds",
      tags: ["retention"],
      summary: "Issue a legal hold (it overrides every retention rule in its scope)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: LegalHoldSchema } } } },
      responses: { 201: { description: "The hold", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(await issueLegalHold({ store: retention, audit, tenantId: c.get("principal").tenant.id, actor: actorOf(c), hold: c.req.valid("json") }), 201),
  );
  app.openapi(
    createRoute({ method: "post", path: "/v1/retention/holds/{id}/release", tags: ["retention"], summary: "Release a legal hold", security, request: { params: Id }, responses: { 200: { description: "The released hold", content: { "application/json": { schema: Json } } }, ...errorResponses } }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const holdId = c.req.valid("param").id;
      if (!(await retention.getHold(tenantId, holdId))) throw new LawfulError("NOT_FOUND", "This tenant has no such legal hold.");
      return c.json(await releaseLegalHold({ store: retention, audit, tenantId, actor: actorOf(c), holdId, releasedAt: clock.now() }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/retention/plan",
      tags: ["retention"],
      summary: "Dry run: what the tenant's rules and holds decide for the posted records (counts per action and rule, next expiry)",
      security,
      request: { body: { required: true, content: { "application/json": { schema: z.object({ records: z.array(RetentionRecordSchema).max(10_000) }) } } } },
      responses: { 200: { description: "The plan", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(await planTenantRetention(retention, c.get("principal").tenant.id, c.req.valid("json").records, clock.now()), 200),
  );
}

/**
 * Dry run of a tenant's retention rules and legal holds over `records`: what would be kept, deleted
 * or anonymised, per rule and hold, and when the next action falls due. Shared by the API and the
 * operator pages.
 *
 * @example
 * ```ts
 * import type { RetentionStore } from "@lawful/retention";
 * import { planTenantRetention } from "./retention.js";
 * declare const store: RetentionStore;
 * const plan = await planTenantRetention(store, "acme", [], new Date());
 * plan.records; // 0
 * ```
 */
export async function planTenantRetention(retention: RetentionStore, tenantId: string, records: readonly RetentionRecord[], now: Date): Promise<RetentionPlan> {
  const [rules, holds] = await Promise.all([retention.listRules(tenantId), retention.listHolds(tenantId)]);
  return planRetention(records, { rules, holds, now });
}

/** The public retention schedule of a tenant: `/p/{tenant}/retention-schedule` (HTML), `.json`, `.md`. */
export function registerPublicRetentionRoutes(app: OpenAPIHono<{ Variables: PublicVariables }>, deps: { retention: RetentionStore; clock: Clock }): void {
  const schedule = async (c: Context<{ Variables: PublicVariables }>) =>
    buildRetentionSchedule(await deps.retention.listRules(c.get("tenant").id), { title: `Retention schedule of ${c.get("tenant").name}`, asOf: deps.clock.now() });
  app.get("/p/:tenant/retention-schedule", async (c) => c.html(renderScheduleHtml(await schedule(c))));
  app.get("/p/:tenant/retention-schedule.json", async (c) => c.json(await schedule(c)));
  app.get("/p/:tenant/retention-schedule.md", async (c) => c.body(renderScheduleMarkdown(await schedule(c)), 200, { "content-type": "text/markdown; charset=utf-8" }));
}
