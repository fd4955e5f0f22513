import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createTestPgDatabase, createTestSqliteFile, type TestPgDatabase, type TestSqliteFile } from "@lawful/testkit";
import { ConfigError, loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";

const MASTER = Buffer.alloc(32, 7).toString("base64url");

interface Harness {
  lawful: Lawful;
  cleanup(): Promise<void>;
}

const backends: [string, () => Promise<Harness>][] = [
  [
    "sqlite",
    async () => {
      const file: TestSqliteFile = createTestSqliteFile("server.db");
      const lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
      return { lawful, cleanup: async () => { await lawful.close(); file.cleanup(); } };
    },
  ],
  [
    "postgres",
    async () => {
      const pg: TestPgDatabase = await createTestPgDatabase("server");
      const lawful = await createLawful(loadConfig({ DATABASE_URL: pg.url, LAWFUL_MASTER_KEY: MASTER, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
      return { lawful, cleanup: async () => { await lawful.close(); await pg.drop(); } };
    },
  ],
];

describe.each(backends)("reference server on %s", (_name, make) => {
  let h: Harness;
  let adminA: string;
  let adminB: string;
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    return h.lawful.app.request(path, { ...init, headers });
  };

  beforeAll(async () => {
    h = await make();
    const a = await h.lawful.tenants.create({ slug: "tenant-a", name: "A" });
    const b = await h.lawful.tenants.create({ slug: "tenant-b", name: "B" });
    adminA = (await h.lawful.tenants.createKey(a.id, { name: "admin", scopes: ["admin"] })).secret;
    adminB = (await h.lawful.tenants.createKey(b.id, { name: "admin", scopes: ["admin"] })).secret;
  });
  afterAll(async () => h?.cleanup());

  it("GET /healthz and /readyz - answer ok with security headers", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await (await call("/readyz")).json()).toEqual({ status: "ready" });
  });

  it("GET /v1/tenant - 401 problem+json without or with a wrong key", async () => {
    for (const key of [undefined, "lk_wrong", `lk_${"A".repeat(43)}`]) {
      const res = await call("/v1/tenant", key ? { key } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
    }
  });

  it("GET /v1/tenant - answers the key's own tenant", async () => {
    const res = await call("/v1/tenant", { key: adminA });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { slug: string }).slug).toBe("tenant-a");
  });

  it("POST /v1/keys - creates a scoped key shown once; listing never reveals secrets", async () => {
    const res = await call("/v1/keys", { method: "POST", key: adminA, body: JSON.stringify({ name: "consent only", scopes: ["consent"] }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { key: { id: string }; secret: string };
    expect(created.secret).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    const list = await (await call("/v1/keys", { key: adminA })).text();
    expect(list).not.toContain(created.secret);
    // the new key works, but lacks the admin scope
    expect((await call("/v1/tenant", { key: created.secret })).status).toBe(200);
    const forbidden = await call("/v1/keys", { key: created.secret });
    expect(forbidden.status).toBe(403);
    // stored hashed: the secret is nowhere in the table
    const rows = await h.lawful.db.sql.all<Record<string, unknown>>("SELECT * FROM server_api_keys");
    expect(JSON.stringify(rows)).not.toContain(created.secret.slice(3));
  });

  it("POST /v1/keys - invalid input is a 400 problem naming every field", async () => {
    const res = await call("/v1/keys", { method: "POST", key: adminA, body: JSON.stringify({ name: "", scopes: ["root"] }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; issues: { path: (string | number)[] }[] };
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["body.name", "body.scopes.0"]));
    const malformed = await call("/v1/keys", { method: "POST", key: adminA, body: "{not json" });
    expect(malformed.status).toBe(400);
  });

  it("DELETE /v1/keys/{id} - revokes; another tenant's admin gets 404 and changes nothing", async () => {
    const { key, secret } = await h.lawful.tenants.createKey((await h.lawful.tenants.bySlug("tenant-a"))!.id, { name: "temp", scopes: ["audit"] });
    const foreign = await call(`/v1/keys/${key.id}`, { method: "DELETE", key: adminB });
    expect(foreign.status).toBe(404);
    expect((await call("/v1/tenant", { key: secret })).status).toBe(200);
    const own = await call(`/v1/keys/${key.id}`, { method: "DELETE", key: adminA });
    expect(own.status).toBe(200);
    expect((await call("/v1/tenant", { key: secret })).status).toBe(401);
    const listB = (await (await call("/v1/keys", { key: adminB })).json()) as { items: { id: string }[] };
    expect(listB.items.map((k) => k.id)).not.toContain(key.id);
  });

  it("Idempotency-Key - replays the first response, 422 for another payload", async () => {
    const body = JSON.stringify({ name: "idem", scopes: ["audit"] });
    const first = await call("/v1/keys", { method: "POST", key: adminA, body, headers: { "idempotency-key": "k-1" } });
    const second = await call("/v1/keys", { method: "POST", key: adminA, body, headers: { "idempotency-key": "k-1" } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe(await first.text());
    const other = await call("/v1/keys", { method: "POST", key: adminA, body: JSON.stringify({ name: "other", scopes: ["audit"] }), headers: { "idempotency-key": "k-1" } });
    expect(other.status).toBe(422);
    // the same key string in another tenant is independent
    const b = await call("/v1/keys", { method: "POST", key: adminB, body, headers: { "idempotency-key": "k-1" } });
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
  });

  it("body limit - a body over 1 MiB is refused with 413", async () => {
    const res = await call("/v1/keys", { method: "POST", key: adminA, body: JSON.stringify({ name: "x".repeat(1_100_000), scopes: ["audit"] }) });
    expect(res.status).toBe(413);
  });

  it("GET /openapi.json - is OpenAPI 3.1 and documents every /v1 route", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const routes = h.lawful.app.routes
      .filter((r) => r.path.startsWith("/v1/") && r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) expect(documented).toContain(r);
    const page = await (await call("/docs")).text();
    expect(page).toContain("/v1/keys");
    expect(page).not.toMatch(/<script[^>]+src=["']https?:/);
  });
});

describe("configuration", () => {
  it("loadConfig - names each bad variable", () => {
    try {
      loadConfig({ PORT: "http", DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join("\n")).toMatch(/PORT/);
      expect((e as ConfigError).problems.join("\n")).toMatch(/DATABASE_URL/);
    }
  });

  it("createLawful - PostgreSQL without a master key stops with a message naming LAWFUL_MASTER_KEY", async () => {
    const pg = await createTestPgDatabase("nokey");
    try {
      await expect(createLawful(loadConfig({ DATABASE_URL: pg.url, LOG_LEVEL: "silent" }))).rejects.toThrow(/LAWFUL_MASTER_KEY/);
    } finally {
      await pg.drop();
    }
  });
});
