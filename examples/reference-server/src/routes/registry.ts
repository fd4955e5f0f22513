import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  ChangeNoticeInputSchema,
  ChangeNoticeSchema,
  PartyInputSchema,
  PartyRecordSchema,
  buildPublicSourceList,
  buildPublicSubprocessorList,
  renderAtomFeed,
  renderPublicListHtml,
  type Registry,
} from "@lawful/registry";
import { LawfulError, type Clock } from "@lawful/core";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, staffActor as actorOf } from "../http/route-kit.js";
import type { PublicVariables } from "../http/public.js";
import type { TenantService } from "../tenants.js";

const PartyId = z.object({ id: z.string().min(1).max(128) });

/** Operator routes of the registry: parties, activation, change notices. */
export function registerRegistryRoutes(app: OpenAPIHono<AppEnv>, deps: { registry: Registry }): void {
  const { registry } = deps;
  const actor = (c: Context<AppEnv>) => ({ actor: actorOf(c) });
  app.use("/v1/registry/*", requireScope("registry"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/registry/parties",
      tags: ["registry"],
      summary: "List processors, sub-processors, controllers and sources",
      security,
      request: { query: z.object({ status: z.enum(["proposed", "active", "retired"]).optional(), role: z.string().max(64).optional() }) },
      responses: { 200: { description: "Parties", content: { "application/json": { schema: z.object({ items: z.array(PartyRecordSchema) }) } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const items = await registry.listParties(c.get("principal").tenant.id, { status: q.status, role: q.role as never });
      return c.json({ items }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/registry/parties",
      tags: ["registry"],
      summary: "Register a party (as proposed); refused with every problem listed",
      security,
      request: { body: { required: true, content: { "application/json": { schema: PartyInputSchema } } } },
      responses: { 201: { description: "The party", content: { "application/json": { schema: PartyRecordSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await registry.createParty(c.get("principal").tenant.id, c.req.valid("json"), actor(c)), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/registry/parties/{id}",
      tags: ["registry"],
      summary: "One party",
      security,
      request: { params: PartyId },
      responses: { 200: { description: "The party", content: { "application/json": { schema: PartyRecordSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const party = await registry.getParty(c.get("principal").tenant.id, c.req.valid("param").id);
      if (!party) throw new LawfulError("NOT_FOUND", "This tenant has no such party.");
      return c.json(party, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/registry/parties/{id}/history",
      tags: ["registry"],
      summary: "Every version of a party",
      security,
      request: { params: PartyId },
      responses: { 200: { description: "Versions", content: { "application/json": { schema: z.object({ items: z.array(PartyRecordSchema) }) } } }, ...errorResponses },
    }),
    async (c) => {
      const items = await registry.getPartyHistory(c.get("principal").tenant.id, c.req.valid("param").id);
      if (items.length === 0) throw new LawfulError("NOT_FOUND", "This tenant has no such party.");
      return c.json({ items }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/registry/parties/{id}/activate",
      tags: ["registry"],
      summary: "Activate a party (refused with an incomplete DPA, before an objection deadline or while an objection is open)",
      security,
      request: { params: PartyId },
      responses: { 200: { description: "The active party", content: { "application/json": { schema: PartyRecordSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await registry.activateParty(c.get("principal").tenant.id, c.req.valid("param").id, actor(c)), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/registry/parties/{id}/retire",
      tags: ["registry"],
      summary: "Retire a party",
      security,
      request: { params: PartyId },
      responses: { 200: { description: "The retired party", content: { "application/json": { schema: PartyRecordSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await registry.retireParty(c.get("principal").tenant.id, c.req.valid("param").id, actor(c)), 200),
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/registry/changes",
      tags: ["registry"],
      summary: "Announce a sub-processor change with its objection window",
      security,
      request: { body: { required: true, content: { "application/json": { schema: ChangeNoticeInputSchema } } } },
      responses: { 201: { description: "The change notice", content: { "application/json": { schema: ChangeNoticeSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(await registry.proposeChange(c.get("principal").tenant.id, c.req.valid("json"), actor(c)), 201),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/registry/changes",
      tags: ["registry"],
      summary: "List change notices",
      security,
      responses: { 200: { description: "Notices", content: { "application/json": { schema: z.object({ items: z.array(ChangeNoticeSchema) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await registry.listChangeNotices(c.get("principal").tenant.id) }, 200),
  );
}

/** Public, keyless lists: `/p/{tenant}/subprocessors(.json|.html|.atom)` and `/p/{tenant}/sources.json`. */
export function registerPublicRegistryRoutes(
  app: OpenAPIHono<{ Variables: PublicVariables }>,
  deps: { registry: Registry; clock: Clock; tenants: TenantService; publicBaseUrl?: string | undefined },
): void {
  const base = (url: string) => deps.publicBaseUrl ?? new URL(url).origin;
  const lists = async (tenantId: string) => deps.registry.listParties(tenantId);
  app.get("/p/:tenant/subprocessors.json", async (c) => {
    const tenant = c.get("tenant");
    return c.json(buildPublicSubprocessorList(await lists(tenant.id), { generatedAt: deps.clock.now() }));
  });
  app.get("/p/:tenant/sources.json", async (c) => {
    const tenant = c.get("tenant");
    return c.json(buildPublicSourceList(await lists(tenant.id), { generatedAt: deps.clock.now() }));
  });
  const html = async (c: Context<{ Variables: PublicVariables }>) => {
    const tenant = c.get("tenant");
    const list = buildPublicSubprocessorList(await lists(tenant.id), { generatedAt: deps.clock.now() });
    return c.html(renderPublicListHtml(list, { organisation: tenant.name, feedUrl: `${base(c.req.url)}/p/${tenant.slug}/subprocessors.atom` }));
  };
  app.get("/p/:tenant/subprocessors.html", html);
  app.get("/p/:tenant/subprocessors", html);
  app.get("/p/:tenant/subprocessors.atom", async (c) => {
    const tenant = c.get("tenant");
    const url = `${base(c.req.url)}/p/${tenant.slug}/subprocessors.atom`;
    const xml = renderAtomFeed(await deps.registry.changeFeed(tenant.id), {
      id: url,
      title: `${tenant.name}: sub-processor changes`,
      selfUrl: url,
      alternateUrl: `${base(c.req.url)}/p/${tenant.slug}/subprocessors.html`,
      author: { name: tenant.name },
    });
    return c.body(xml, 200, { "content-type": "application/atom+xml; charset=utf-8" });
  });
}
