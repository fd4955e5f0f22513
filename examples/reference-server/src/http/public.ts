import { createHmac } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Clock, Migration } from "@lawful/core";
import type { Sql } from "../db.js";
import type { Tenant, TenantService } from "../tenants.js";
import { problem } from "./problem.js";

/** Rate-limit counters shared by every instance on one database. */
export const RATE_LIMIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "rate limit windows",
    sql: [
      "CREATE TABLE server_rate_limits (bucket TEXT NOT NULL, window_start TEXT NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (bucket, window_start))",
      "CREATE INDEX server_rate_limits_window ON server_rate_limits (window_start)",
    ],
  },
];

/** Hono variables of public routes. */
export interface PublicVariables {
  tenant: Tenant;
}

/** One limit: at most `max` hits per `windowMs` for the key the function returns. */
export interface RateLimit {
  name: string;
  windowMs: number;
  max: number;
  key(c: Parameters<MiddlewareHandler>[0]): string;
}

/** The client address as seen by this server (the socket peer; no proxy headers are trusted). */
export function clientIp(c: Parameters<MiddlewareHandler>[0]): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/**
 * Fixed-window rate limits counted in the database, so several instances share them.
 * Answers 429 problem+json with `Retry-After` once any limit is exceeded. Buckets are stored as a
 * keyed hash of the limit's key, so client addresses never reach the database; pass the same
 * `hashKey` on every instance (without one the hash is unkeyed, which still keeps the table free of
 * addresses in clear but lets anyone with the table test guesses).
 */
export function rateLimit(sql: Sql, clock: Clock, limits: readonly RateLimit[], options: { hashKey?: Uint8Array | undefined } = {}): MiddlewareHandler {
  const key = createHmac("sha256", options.hashKey ?? new Uint8Array(0)).update("lawful/rate-limit/v1").digest();
  return async (c, next) => {
    const now = clock.now().getTime();
    for (const limit of limits) {
      const windowStart = now - (now % limit.windowMs);
      const bucket = `${limit.name}:${createHmac("sha256", key).update(`${limit.name}\u0000${limit.key(c)}`).digest("base64url").slice(0, 32)}`;
      const row = await sql.get<{ hits: number }>(
        "INSERT INTO server_rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) ON CONFLICT (bucket, window_start) DO UPDATE SET hits = server_rate_limits.hits + 1 RETURNING hits",
        [bucket, new Date(windowStart).toISOString()],
      );
      if (Number(row?.hits ?? 0) > limit.max) {
        c.header("Retry-After", String(Math.ceil((windowStart + limit.windowMs - now) / 1000)));
        return problem(c, 429, "Too many requests; try again later.", { code: "RATE_LIMITED" });
      }
    }
    await next();
  };
}

/** Delete rate-limit windows older than `olderThanMs` (run periodically). */
export async function pruneRateLimits(sql: Sql, clock: Clock, olderThanMs = 3_600_000): Promise<number> {
  return sql.run("DELETE FROM server_rate_limits WHERE window_start < ?", [new Date(clock.now().getTime() - olderThanMs).toISOString()]);
}

/** Resolve `:tenant` (the slug) of a public route; 404 when unknown. Sets CORS headers for the tenant's allow-list. */
export function publicTenant(tenants: TenantService): MiddlewareHandler<{ Variables: PublicVariables }> {
  return async (c, next) => {
    const slug = c.req.param("tenant") ?? "";
    const tenant = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(slug) ? await tenants.bySlug(slug) : undefined;
    if (!tenant) return problem(c, 404, "No such tenant.", { code: "NOT_FOUND" });
    c.set("tenant", tenant);
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && tenant.corsOrigins.includes(origin);
    if (allowed) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Vary", "Origin");
    }
    if (c.req.method === "OPTIONS") {
      if (!allowed) return c.body(null, 403);
      c.header("Access-Control-Allow-Methods", "GET, POST");
      c.header("Access-Control-Allow-Headers", "Content-Type");
      c.header("Access-Control-Max-Age", "600");
      return c.body(null, 204);
    }
    await next();
  };
}
