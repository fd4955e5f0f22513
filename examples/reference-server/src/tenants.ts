import { createHash, randomBytes } from "node:crypto";
// z from @hono/zod-openapi, not zod: the `.openapi()` these schemas are documented with exists only on
// schemas built after that extension loaded, and this module may be the first one imported
import { z } from "@hono/zod-openapi";
import { LawfulError, TenantIdSchema, parseOrThrow, type Actor, type AuditSink, type Clock, type IdGenerator, type Migration } from "@lawful/core";
import { OrganisationIdentitySchema } from "@lawful/registry";
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
  {
    version: 2,
    name: "controller details of a tenant",
    sql: [`ALTER TABLE server_tenants ADD COLUMN controller_details TEXT`],
  },
];

/**
 * What a tenant publishes about itself as the controller, besides its name: contact details, and where
 * they apply a postal address, an Art. 27 representative and a data protection officer. Art. 13(1)(a)–(b)
 * and 14(1)(a)–(b) require them in privacy information; Art. 30(1)(a) in the records of processing.
 */
export const ControllerDetailsSchema = OrganisationIdentitySchema.omit({ name: true }).strict();
/** A tenant's controller details. */
export type ControllerDetails = z.infer<typeof ControllerDetailsSchema>;

/** A tenant (a controller using the server). */
export const TenantSchema = z.object({
  id: z.string(),
  slug: TenantIdSchema,
  name: z.string().min(1).max(200),
  corsOrigins: z.array(z.url()).max(50),
  /** Contact details, address, representative and DPO; null until set (the records of processing need them). */
  controllerDetails: ControllerDetailsSchema.nullable(),
  createdAt: z.string(),
});
/** A tenant. */
export type Tenant = z.infer<typeof TenantSchema>;

/** Input to create a tenant. */
export const CreateTenantSchema = z.object({
  slug: TenantIdSchema,
  name: z.string().trim().min(1).max(200),
  corsOrigins: z.array(z.url()).max(50).default([]),
  controllerDetails: ControllerDetailsSchema.optional(),
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
  controller_details: string | null;
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

/** The tenant columns under `t_*` aliases, for queries that join `server_tenants` as `t`; read back with {@link tenantFromJoin}. */
export const TENANT_JOIN_COLUMNS = "t.id AS t_id, t.slug AS t_slug, t.name AS t_name, t.cors_origins AS t_cors, t.controller_details AS t_details, t.created_at AS t_created";
/** A row carrying {@link TENANT_JOIN_COLUMNS}. */
export interface TenantJoinRow {
  t_id: string;
  t_slug: string;
  t_name: string;
  t_cors: string;
  t_details: string | null;
  t_created: string;
}
/** The tenant of a row that selected {@link TENANT_JOIN_COLUMNS}. */
export const tenantFromJoin = (r: TenantJoinRow): Tenant =>
  toTenant({ id: r.t_id, slug: r.t_slug, name: r.t_name, cors_origins: r.t_cors, controller_details: r.t_details, created_at: r.t_created });

function toTenant(r: TenantRow): Tenant {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    corsOrigins: JSON.parse(r.cors_origins) as string[],
    controllerDetails: r.controller_details === null ? null : (JSON.parse(r.controller_details) as ControllerDetails),
    createdAt: r.created_at,
  };
}
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
      const tenant: Tenant = { id: ids(), slug: data.slug, name: data.name, corsOrigins: data.corsOrigins, controllerDetails: data.controllerDetails ?? null, createdAt: clock.now().toISOString() };
      await sql.run("INSERT INTO server_tenants (id, slug, name, cors_origins, controller_details, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        tenant.id,
        tenant.slug,
        tenant.name,
        JSON.stringify(tenant.corsOrigins),
        tenant.controllerDetails === null ? null : JSON.stringify(tenant.controllerDetails),
        tenant.createdAt,
      ]);
      return tenant;
    },
    /** Set (replace) a tenant's controller details; undefined when there is no such tenant. */
    async setControllerDetails(tenantId: string, input: unknown): Promise<Tenant | undefined> {
      const details = parseOrThrow(ControllerDetailsSchema, input, "controller details");
      await sql.run("UPDATE server_tenants SET controller_details = ? WHERE id = ?", [JSON.stringify(details), tenantId]);
      return this.byId(tenantId);
    },
    async bySlug(slug: string): Promise<Tenant | undefined> {
      const row = await sql.get<TenantRow>("SELECT * FROM server_tenants WHERE slug = ?", [slug]);
      return row && toTenant(row);
    },
    async byId(id: string): Promise<Tenant | undefined> {
      const row = await sql.get<TenantRow>("SELECT * FROM server_tenants WHERE id = ?", [id]);
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
      const row = await sql.get<KeyRow & TenantJoinRow>(
        `SELECT k.*, ${TENANT_JOIN_COLUMNS}
         FROM server_api_keys k JOIN server_tenants t ON t.id = k.tenant_id WHERE k.hash = ? AND k.revoked_at IS NULL`,
        [hashSecret(secret)],
      );
      if (!row) return undefined;
      return {
        tenant: tenantFromJoin(row),
        keyId: row.id,
        scopes: new Set(JSON.parse(row.scopes) as Scope[]),
      };
    },
  };
}

/** The tenant service. */
export type TenantService = ReturnType<typeof createTenantService>;

/**
 * Set (replace) a tenant's controller details and record `registry.controller_details_saved` in its audit log.
 *
 * @example
 * ```ts
 * import { saveControllerDetails, type TenantService } from "./tenants.js";
 * import type { AuditSink } from "@lawful/core";
 * declare const tenants: TenantService, audit: AuditSink;
 * await saveControllerDetails({ tenants, audit }, { id: "t1", slug: "acme" }, { contact: { email: "privacy@acme.example" } }, { type: "system", id: "setup" });
 * ```
 */
export async function saveControllerDetails(deps: { tenants: TenantService; audit: AuditSink }, tenant: Pick<Tenant, "id" | "slug">, input: unknown, actor: Actor): Promise<Tenant> {
  const saved = await deps.tenants.setControllerDetails(tenant.id, input);
  if (!saved) throw new LawfulError("NOT_FOUND", "This tenant no longer exists.");
  await deps.audit.record({ tenantId: tenant.id, action: "registry.controller_details_saved", actor, target: { system: "lawful", recordType: "tenant", recordId: tenant.slug } });
  return saved;
}
