import { createHash, randomBytes } from "node:crypto";
// z from @hono/zod-openapi, not zod: the `.openapi()` these schemas are documented with exists only on
// schemas built after that extension loaded, and this module may be the first one imported
import { z } from "@hono/zod-openapi";
import { LawfulError, TenantIdSchema, parseOrThrow, type Clock, type IdGenerator, type Migration } from "@lawful/core";
import type { Sql } from "./db.js";

/** Scopes an API key can carry; `admin` implies every other. */
export const SCOPES = ["consent", "requests", "audit", "registry", "retention", "exports", "admin"] as const;
/** One API key scope. */
export type Scope = (typeof SCOPES)[number];
/** Schema of a scope. */
export const ScopeSchema = z.enum(SCOPES);

/** Server tables: tenants, hashed API keys, idempotency records. */
export const SERVER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "tenants, api keys, idempotency",
    sql: [
      `CREATE TABLE server_tenants (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, cors_origins TEXT NOT NULL, created_at TEXT NOT NULL)`,
      `CREATE TABLE server_api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES server_tenants(id), name TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
      `CREATE INDEX server_api_keys_tenant ON server_api_keys (tenant_id)`,
      `CREATE TABLE server_idempotency (tenant_id TEXT NOT NULL, idem_key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER, response TEXT, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, idem_key))`,
    ],
  },
];

/** A tenant (a controller using the server). */
export const TenantSchema = z.object({
  id: z.string(),
  slug: TenantIdSchema,
  name: z.string().min(1).max(200),
  corsOrigins: z.array(z.url()).max(50),
  createdAt: z.string(),
});
/** A tenant. */
export type Tenant = z.infer<typeof TenantSchema>;

/** Input to create a tenant. */
export const CreateTenantSchema = z.object({
  slug: TenantIdSchema,
  name: z.string().trim().min(1).max(200),
  corsOrigins: z.array(z.url()).max(50).default([]),
});

/** An API key as listed (never the secret). */
export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ScopeSchema),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
/** An API key as listed. */
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** Input to create a key. */
export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1).max(SCOPES.length),
});

/** What authentication resolves a bearer key to. */
export interface Principal {
  tenant: Tenant;
  keyId: string;
  scopes: ReadonlySet<Scope>;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  cors_origins: string;
  created_at: string;
}
interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

const toTenant = (r: TenantRow): Tenant => ({ id: r.id, slug: r.slug, name: r.name, corsOrigins: JSON.parse(r.cors_origins) as string[], createdAt: r.created_at });
const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: JSON.parse(r.scopes) as Scope[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/**
 * SHA-256 (hex) of a server-issued secret: API keys, operator session ids, agent tokens. They carry
 * 256 random bits, so a fast hash is safe at rest; only the hash is ever stored or looked up.
 *
 * @example
 * ```ts
 * import { hashSecret } from "./tenants.js";
 * const stored = hashSecret("lk_example"); // 64 hex characters
 * ```
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Tenants and API keys of the server. */
export function createTenantService(sql: Sql, clock: Clock, ids: IdGenerator) {
  return {
    async create(input: z.input<typeof CreateTenantSchema>): Promise<Tenant> {
      const data = parseOrThrow(CreateTenantSchema, input, "tenant");
      const existing = await sql.get<TenantRow>("SELECT * FROM server_tenants WHERE slug = ?", [data.slug]);
      if (existing) throw new LawfulError("CONFLICT", `A tenant with slug "${data.slug}" already exists.`);
      const tenant: Tenant = { id: ids(), slug: data.slug, name: data.name, corsOrigins: data.corsOrigins, createdAt: clock.now().toISOString() };
      await sql.run("INSERT INTO server_tenants (id, slug, name, cors_origins, created_at) VALUES (?, ?, ?, ?, ?)", [
        tenant.id,
        tenant.slug,
        tenant.name,
        JSON.stringify(tenant.corsOrigins),
        tenant.createdAt,
      ]);
      return tenant;
    },
    async bySlug(slug: string): Promise<Tenant | undefined> {
      const row = await sql.get<TenantRow>("SELECT * FROM server_tenants WHERE slug = ?", [slug]);
      return row && toTenant(row);
    },
    async list(): Promise<Tenant[]> {
      return (await sql.all<TenantRow>("SELECT * FROM server_tenants ORDER BY slug")).map(toTenant);
    },
    /** Create a key; the secret is returned once and only its hash is stored. */
    async createKey(tenantId: string, input: z.input<typeof CreateApiKeySchema>): Promise<{ key: ApiKey; secret: string }> {
      const data = parseOrThrow(CreateApiKeySchema, input, "API key");
      const secret = `lk_${randomBytes(32).toString("base64url")}`;
      const key: ApiKey = { id: ids(), name: data.name, prefix: secret.slice(0, 10), scopes: [...new Set(data.scopes)], createdAt: clock.now().toISOString(), revokedAt: null };
      await sql.run("INSERT INTO server_api_keys (id, tenant_id, name, prefix, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        key.id,
        tenantId,
        key.name,
        key.prefix,
        hashSecret(secret),
        JSON.stringify(key.scopes),
        key.createdAt,
      ]);
      return { key, secret };
    },
    async listKeys(tenantId: string): Promise<ApiKey[]> {
      return (await sql.all<KeyRow>("SELECT * FROM server_api_keys WHERE tenant_id = ? ORDER BY created_at, id", [tenantId])).map(toKey);
    },
    /** Revoke a key of this tenant; false when the tenant has no such key. */
    async revokeKey(tenantId: string, keyId: string): Promise<ApiKey | undefined> {
      const at = clock.now().toISOString();
      await sql.run("UPDATE server_api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL", [at, tenantId, keyId]);
      const row = await sql.get<KeyRow>("SELECT * FROM server_api_keys WHERE tenant_id = ? AND id = ?", [tenantId, keyId]);
      return row && toKey(row);
    },
    async authenticate(secret: string): Promise<Principal | undefined> {
      if (!/^lk_[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
      const row = await sql.get<KeyRow & { t_id: string; t_slug: string; t_name: string; t_cors: string; t_created: string }>(
        `SELECT k.*, t.id AS t_id, t.slug AS t_slug, t.name AS t_name, t.cors_origins AS t_cors, t.created_at AS t_created
         FROM server_api_keys k JOIN server_tenants t ON t.id = k.tenant_id WHERE k.hash = ? AND k.revoked_at IS NULL`,
        [hashSecret(secret)],
      );
      if (!row) return undefined;
      return {
        tenant: toTenant({ id: row.t_id, slug: row.t_slug, name: row.t_name, cors_origins: row.t_cors, created_at: row.t_created }),
        keyId: row.id,
        scopes: new Set(JSON.parse(row.scopes) as Scope[]),
      };
    },
  };
}

/** The tenant service. */
export type TenantService = ReturnType<typeof createTenantService>;
