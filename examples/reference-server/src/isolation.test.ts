import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crmFixtureParties } from "@lawful/registry/testing";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

/**
 * The tenant isolation matrix. Every /v1 operation of the OpenAPI document (so routes added later
 * are covered automatically) is called with tenant B's admin key and tenant A's ids in each path
 * parameter: the answer is 404 (or 403) problem+json that shows none of A's data, and a write
 * changes nothing in the database. An operation with a path parameter that has no seeded id of A
 * fails the test — seed the new resource below.
 */

interface Op {
  method: string;
  path: string;
  params: string[];
  hasBody: boolean;
}

const SUBJECT = "alpha.isolation.subject@alpha-tenant.example";

describe.each(BACKENDS)("tenant isolation on %s", (_name, make) => {
  let h: Harness;
  let adminA: string;
  let adminB: string;
  let ops: Op[] = [];
  /** A's id per path prefix and parameter name: `/v1/requests/{id}` covers `/v1/requests/{id}/start` too. */
  const seeds: Record<string, Record<string, string>> = {};
  /** Values that only A's data contain: none may appear in an answer to B. */
  const markers = new Set<string>();
  const call = caller(() => h.lawful);

  const ok = async (res: Response | Promise<Response>, status = 201) => {
    const r = await res;
    expect(r.status, await r.clone().text()).toBe(status);
    return (await r.json()) as Record<string, unknown>;
  };

  /** A valid body per operation that takes one, so B's call is refused for the tenant, not for its input. */
  const BODIES: Record<string, unknown> = {
    "POST /v1/requests/{id}/verify": { code: "123456" },
    "POST /v1/requests/{id}/extend": { reason: "The request is complex.", notifiedAt: "2026-01-10T00:00:00Z" },
    "POST /v1/requests/{id}/pause": { reason: "identity" },
    "POST /v1/requests/{id}/deny": { reason: "manifestly_unfounded", explanation: "Not a request." },
    "POST /v1/requests/{id}/cancel": { reason: "duplicate" },
    "POST /v1/requests/{id}/complete": { nature: "done" },
    "POST /v1/requests/{id}/verify-manually": { dataPointsMatched: 2, declarationSigned: false, evidence: ["customer number matched"], reviewer: "ops" },
  };

  const seedFor = (path: string, param: string): string | undefined => {
    const match = Object.keys(seeds)
      .filter((prefix) => path.startsWith(prefix) && prefix.includes(`{${param}}`))
      .sort((a, b) => b.length - a.length)[0];
    return match === undefined ? undefined : seeds[match]![param];
  };
  const fill = (op: Op) => op.path.replace(/\{([^}]+)\}/g, (_m, p: string) => encodeURIComponent(seedFor(op.path, p) ?? ""));

  /** SQLite: the bytes of the database and WAL files; PostgreSQL: a digest of every row of every table. */
  const snapshot = async (): Promise<string> => {
    const db = h.lawful.db;
    const hash = createHash("sha256");
    if (db.kind === "sqlite") {
      for (const f of [db.path, `${db.path}-wal`]) if (existsSync(f)) hash.update(readFileSync(f));
      return hash.digest("hex");
    }
    const tables = await db.sql.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
    for (const { name } of tables) {
      const row = await db.sql.get<{ d: string | null }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM "${name}" t`);
      hash.update(`${name}=${row?.d ?? ""}\n`);
    }
    return hash.digest("hex");
  };

  beforeAll(async () => {
    h = await make();
    const a = await h.lawful.tenants.create({ slug: "alpha", name: "Alpha Tenant GmbH" });
    const b = await h.lawful.tenants.create({ slug: "bravo", name: "Bravo" });
    adminA = (await h.lawful.tenants.createKey(a.id, { name: "admin", scopes: ["admin"] })).secret;
    adminB = (await h.lawful.tenants.createKey(b.id, { name: "admin", scopes: ["admin"] })).secret;
    markers.add(a.id);

    // tenant A gets one of everything
    const extraKey = (await ok(call("/v1/keys", { method: "POST", key: adminA, json: { name: "alpha-extra-key", scopes: ["consent"] } }))) as { key: { id: string } };
    seeds["/v1/keys/{id}"] = { id: extraKey.key.id };
    markers.add(extraKey.key.id).add("alpha-extra-key");

    await ok(call("/v1/purposes", { method: "POST", key: adminA, json: { id: "alpha-newsletter", name: "Alpha Zebra Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU", doubleOptIn: true } }));
    seeds["/v1/purposes/{id}"] = { id: "alpha-newsletter" };
    markers.add("Alpha Zebra Newsletter");
    await ok(
      call("/v1/notices", {
        method: "POST",
        key: adminA,
        json: {
          noticeId: "alpha-signup",
          version: 1,
          locale: "en",
          contentType: "text/plain",
          content: "Alpha Tenant GmbH sends the Alpha Zebra Newsletter. Withdraw at any time.",
          controllers: [{ name: "Alpha Tenant GmbH" }],
          purposes: ["alpha-newsletter"],
          dataCategories: ["contact.email"],
          withdrawalInfo: "Use the unsubscribe link in every e-mail.",
        },
      }),
    );
    seeds["/v1/notices/{id}/versions/{version}"] = { id: "alpha-signup", version: "1" };
    markers.add("Alpha Tenant GmbH sends the Alpha Zebra Newsletter");
    await ok(call("/v1/forms", { method: "POST", key: adminA, json: { id: "alpha-landing", notice: { noticeId: "alpha-signup", version: 1 }, fields: [{ purposeId: "alpha-newsletter", fieldName: "newsletter", label: "Alpha Zebra checkbox" }] } }));
    markers.add("Alpha Zebra checkbox");
    // a consent event from the landing form (and its double opt-in mail in the outbox)
    const submitted = await call("/p/alpha/forms/alpha-landing/submit", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${encodeURIComponent(SUBJECT)}&newsletter=on` });
    expect(submitted.status).toBe(201);
    const captured = (await submitted.json()) as { events: { id: string }[] };
    for (const e of captured.events) markers.add(e.id);
    seeds["/v1/subjects/{subject}"] = { subject: `email:${SUBJECT}` };
    markers.add(SUBJECT);

    const request = (await ok(call("/v1/requests", { method: "POST", key: adminA, json: { type: "access", regime: "EU", subject: { kind: "email", value: SUBJECT }, channel: "email", timeZone: "Europe/Berlin" } }))) as {
      request: { id: string };
    };
    seeds["/v1/requests/{id}"] = { id: request.request.id };
    markers.add(request.request.id);
    await ok(call(`/v1/requests/${request.request.id}/verification`, { method: "POST", key: adminA }), 200);

    const hosting = { ...crmFixtureParties().hosting, id: "alpha-hosting" };
    await ok(call("/v1/registry/parties", { method: "POST", key: adminA, json: hosting }));
    await ok(call("/v1/registry/changes", { method: "POST", key: adminA, json: { partyId: "alpha-hosting", kind: "addition" } }));
    seeds["/v1/registry/parties/{id}"] = { id: "alpha-hosting" };
    markers.add("alpha-hosting").add(hosting.legalName);

    const rule = {
      id: "alpha-vouchers-8y",
      title: "Alpha accounting vouchers",
      selectors: { categories: ["financial.transactions"] },
      trigger: { type: "endOfCalendarYear", field: "documentDate" },
      duration: "P8Y",
      kind: "minimum",
      action: "delete",
      citation: "§ 257 HGB, § 147 AO",
    };
    await ok(call("/v1/retention/rules", { method: "POST", key: adminA, json: rule }));
    seeds["/v1/retention/rules/{id}"] = { id: rule.id };
    markers.add(rule.id).add(rule.title);
    await ok(call("/v1/retention/holds", { method: "POST", key: adminA, json: { id: "alpha-hold-7", matter: "Alpha supplier dispute", scope: { recordTypes: ["invoice"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" } }));
    seeds["/v1/retention/holds/{id}"] = { id: "alpha-hold-7" };
    markers.add("alpha-hold-7").add("Alpha supplier dispute");

    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>>;
    };
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
        hasBody: op.requestBody !== undefined,
      })),
    );
    const has = (method: string, path: string) => ops.some((o) => o.method === method && o.path === path);
    // resources of routes that may or may not be registered: seeded when the route exists
    if (has("POST", "/v1/drp/agents")) {
      const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
      const verifyKey = Buffer.from(jwk.x!, "base64url").toString("base64");
      await ok(call("/v1/drp/agents", { method: "POST", key: adminA, json: { id: "ALPHA_AGENT", name: "Alpha Zebra Agent", verifyKey } }));
      seeds["/v1/drp/agents/{id}"] = { id: "ALPHA_AGENT" };
      markers.add("ALPHA_AGENT").add("Alpha Zebra Agent");
    }
    if (has("PUT", "/v1/cookies")) {
      const purposes = ["cookies.preferences", "cookies.analytics", "cookies.marketing"];
      for (const id of purposes) await ok(call("/v1/purposes", { method: "POST", key: adminA, json: { id, name: id, channel: "web", lawfulBasis: "consent", regime: "EU" } }));
      const notice = { noticeId: "alpha-cookies", version: 1, locale: "en", contentType: "text/plain", content: `Alpha Tenant GmbH asks for your consent to ${purposes.join(", ")}.` };
      await ok(call("/v1/notices", { method: "POST", key: adminA, json: { ...notice, controllers: [{ name: "Alpha Tenant GmbH" }], purposes, dataCategories: ["online.device_id"], withdrawalInfo: "Withdraw at any time." } }));
      const cookies = {
        notice: { noticeId: "alpha-cookies", version: 1 },
        disclosures: [{ identifier: "alpha_zebra_sid", type: "cookie", maxAgeSeconds: null, purposes: [], category: "strictly_necessary", exemptionRationale: "Keeps the Alpha Zebra session." }],
      };
      await ok(call("/v1/cookies", { method: "PUT", key: adminA, json: cookies }), 200);
      markers.add("alpha_zebra_sid");
    }
    // the audit log: A's last event, with a signed checkpoint over it
    await ok(call("/v1/audit/checkpoints", { method: "POST", key: adminA }));
    seeds["/v1/audit/events/{id}"] = { id: String((await h.lawful.services.audit.size(a.id)) - 1) };
  });
  afterAll(async () => h?.cleanup());

  it("every /v1 operation with a path parameter - tenant A's own key reaches each seeded resource (the ids are real)", async () => {
    for (const op of ops.filter((o) => o.method === "GET" && o.params.length > 0 && o.path.startsWith("/v1/"))) {
      const res = await call(fill(op), { key: adminA });
      expect(res.status, `${op.method} ${op.path} with A's own key`).toBe(200);
      const text = await res.text();
      if (op.path.startsWith("/v1/requests/")) expect(text).toContain(SUBJECT);
    }
  });

  it("every /v1 operation with a path parameter - tenant B gets 404/403 problem+json with A's ids, sees none of A's data, changes nothing", async () => {
    const cases: string[] = [];
    const missing: string[] = [];
    for (const op of ops.filter((o) => o.path.startsWith("/v1/") && o.params.length > 0)) {
      for (const param of op.params) {
        const id = seedFor(op.path, param);
        if (id === undefined) {
          missing.push(`${op.method} ${op.path} {${param}}`);
          continue;
        }
        const where = `${op.method} ${op.path} {${param}}`;
        const body = BODIES[`${op.method} ${op.path}`];
        if (op.hasBody && body === undefined) {
          missing.push(`${where}: a valid body in BODIES`);
          continue;
        }
        cases.push(where);
        const write = op.method !== "GET";
        const before = write ? await snapshot() : "";
        const res = await call(fill(op), { method: op.method, key: adminB, ...(op.hasBody ? { json: body } : {}) });
        const text = await res.text();
        const sent = new Set(Object.values(seeds).flatMap((s) => Object.values(s)).filter((v) => fill(op).includes(encodeURIComponent(v))));
        if (param === "subject") {
          // a subject is a lookup key, not an id: B may answer for its own (empty) records of that person, or 404;
          // either way none of A's records (their ids, purposes, notices) may appear — checked below
          expect([200, 404], where).toContain(res.status);
        } else {
          expect([403, 404], `${where}: ${text}`).toContain(res.status);
          expect(res.headers.get("content-type"), where).toBe("application/problem+json");
        }
        for (const m of markers) if (!sent.has(m)) expect(text.includes(m), `${where} shows A's ${m}`).toBe(false);
        if (write) expect(await snapshot(), `${where} changed the database`).toBe(before);
      }
    }
    console.log(`tenant isolation matrix: ${cases.length} (route, parameter) cases`);
    expect(missing, "operations with a path parameter need a seeded id of tenant A (and a valid body)").toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it("every /v1 list and query without a path parameter - tenant B's answers hold none of A's data", async () => {
    const queries: Record<string, string> = { "/v1/consent/decision": `?subject=${encodeURIComponent(`email:${SUBJECT}`)}&purpose=alpha-newsletter`, "/v1/audit/events": `?subject=${encodeURIComponent(`email:${SUBJECT}`)}` };
    let n = 0;
    for (const op of ops.filter((o) => o.method === "GET" && o.params.length === 0 && o.path.startsWith("/v1/"))) {
      const res = await call(`${op.path}${queries[op.path] ?? ""}`, { key: adminB });
      expect(res.status, `GET ${op.path}`).toBeLessThan(500);
      const text = await res.text();
      for (const m of markers) expect(text.includes(m), `GET ${op.path} shows A's ${m}`).toBe(false);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(15);
    // and the public pages of B show nothing of A either
    for (const p of ["/p/bravo/subprocessors.json", "/p/bravo/subprocessors.html", "/p/bravo/subprocessors.atom", "/p/bravo/retention-schedule.json"]) {
      const text = await (await call(p)).text();
      for (const m of markers) expect(text.includes(m), `${p} shows A's ${m}`).toBe(false);
    }
  });
});
