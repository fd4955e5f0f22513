import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Clock, SubjectRef } from "@lawful/core";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json, staffActor as actorOf } from "../http/route-kit.js";
import { negotiateLanguage } from "../i18n.js";
import { ExportFormatSchema, exportSubject, recordsOfProcessingDocument, renderExport, type RenderedExport } from "../exports.js";
import type { Services } from "../services.js";
import { parseSubjectParam } from "./consent.js";

const Download = z.string().openapi({ type: "string", format: "binary" });
const downloads = (what: string, zip: boolean) => ({
  200: {
    description: `${what}; \`Content-Disposition: attachment\` with a safe file name`,
    content: {
      "application/json": { schema: Json },
      "text/csv": { schema: z.string() },
      "text/html": { schema: z.string() },
      ...(zip ? { "application/zip": { schema: Download } } : {}),
    },
  },
  ...errorResponses,
});

function send(file: RenderedExport): Response {
  return new Response(file.body, {
    status: 200,
    headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"`, "cache-control": "no-store" },
  });
}

/**
 * Export routes: `GET /v1/registry/ropa` (scope `registry`, the Art. 30 records of processing as
 * JSON, CSV or HTML) and `GET /v1/subjects/{subject}/export` (scope `exports`, a subject's access
 * package as JSON, CSV, HTML or a verifiable ZIP bundle; every export is audited as `data.exported`
 * under the subject's pseudonym).
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import { systemClock } from "@lawful/core";
 * import type { AppEnv } from "../http/app.js";
 * import type { Services } from "../services.js";
 * import { registerExportRoutes } from "./exports.js";
 * declare const services: Services;
 * registerExportRoutes(new OpenAPIHono<AppEnv>(), { services, clock: systemClock });
 * ```
 */
export function registerExportRoutes(app: OpenAPIHono<AppEnv>, deps: { services: Services; clock: Clock }): void {
  const { services, clock } = deps;
  const lang = (c: Context<AppEnv>) => negotiateLanguage(c.req.header("accept-language"));
  // `/v1/registry/*` already requires the `registry` scope (routes/registry.ts)
  app.use("/v1/subjects/:subject/export", requireScope("exports"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/registry/ropa",
      tags: ["registry"],
      summary: "Records of processing (GDPR Art. 30(1)) of the tenant: one activity per purpose, with recipients, transfers and erasure time limits",
      security,
      request: { query: z.object({ format: ExportFormatSchema.exclude(["zip"]).default("json").describe("json, csv or html") }) },
      responses: downloads("The records of processing", false),
    }),
    async (c) => {
      const l = lang(c);
      const doc = await recordsOfProcessingDocument(services, c.get("principal").tenant, l, { clock });
      return send(await renderExport(doc, c.req.valid("query").format, l)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/subjects/{subject}/export",
      tags: ["exports"],
      summary: "A subject's access package (GDPR Art. 15): data from every source, consent history with proof, Art. 15 information",
      security,
      request: {
        params: z.object({ subject: z.string().min(3).max(1100).describe("kind:value, e.g. email:ada@example.com") }),
        query: z.object({ format: ExportFormatSchema.default("json").describe("json, csv, html or zip (the bundle with a checksummed manifest)") }),
      },
      responses: downloads("The access package", true),
    }),
    async (c) => {
      const { tenant } = c.get("principal");
      const subject = parseSubjectParam(c.req.valid("param").subject) as SubjectRef; // kind:value, never a pseudonym
      const actor = actorOf(c);
      const file = await exportSubject(services, tenant, subject, c.req.valid("query").format, lang(c), { actor, channel: "api", clock });
      return send(file) as never;
    },
  );
}
