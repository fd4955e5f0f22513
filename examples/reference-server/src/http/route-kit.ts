// The pieces every operator route definition shares. A leaf module (types only from app.ts), so route
// modules can use these at load time without an import cycle through http/app.ts.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "./app.js";

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().optional(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })).optional(),
  })
  .openapi("Problem");

/**
 * Standard error responses of an authenticated route, for `createRoute({ responses })`.
 *
 * @example
 * ```ts
 * import { errorResponses, JsonObject } from "./route-kit.js";
 * const responses = { 200: { description: "The thing", content: { "application/json": { schema: JsonObject } } }, ...errorResponses };
 * ```
 */
export const errorResponses = {
  400: { description: "Invalid input; `issues` names every bad field", content: { "application/problem+json": { schema: ProblemSchema } } },
  401: { description: "Missing or invalid API key", content: { "application/problem+json": { schema: ProblemSchema } } },
  403: { description: "The key lacks the scope", content: { "application/problem+json": { schema: ProblemSchema } } },
  404: { description: "Not found in this tenant", content: { "application/problem+json": { schema: ProblemSchema } } },
} as const;

/**
 * The OpenAPI security requirement of an operator route: a tenant API key as bearer token.
 *
 * @example
 * ```ts
 * import { apiKeySecurity } from "./route-kit.js";
 * const route = { method: "get", path: "/v1/tenant", security: apiKeySecurity } as const;
 * ```
 */
export const apiKeySecurity = [{ apiKey: [] }];

/**
 * A JSON object response documented as `type: object` (the body is built by a package and typed there).
 *
 * @example
 * ```ts
 * import { JsonObject } from "./route-kit.js";
 * const content = { "application/json": { schema: JsonObject } };
 * ```
 */
export const JsonObject = z.any().openapi({ type: "object" });

/**
 * The audit actor of an operator request: the staff member behind the calling API key (`key:<id>`).
 *
 * @example
 * ```ts
 * import type { Context } from "hono";
 * import type { AppEnv } from "./app.js";
 * import { staffActor } from "./route-kit.js";
 * const actorOf = (c: Context<AppEnv>) => staffActor(c); // { type: "staff", id: "key:…" }
 * ```
 */
export function staffActor(c: Pick<Context<AppEnv>, "get">): { type: "staff"; id: string } {
  return { type: "staff", id: `key:${c.get("principal").keyId}` };
}
