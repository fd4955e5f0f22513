import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";

/**
 * Hostile input against every documented /v1 route and every public route: malformed JSON,
 * wrong types, deep nesting, oversized bodies, unicode edge cases and path traversal in ids.
 * Never a 5xx; every 4xx is problem+json with a code; a rejected request changes nothing.
 */

interface Op {
  method: string;
  path: string;
  /** A write that takes neither a body nor an id cannot be made invalid (e.g. POST /v1/audit/checkpoints). */
  inert: boolean;
}

const hostileStrings = fc.oneof(
  fc.constantFrom("../../etc/passwd", "..%2F..%2Fsecret", "%00", "%ED%A0%80", "%C0%AF", "%FF%FE", "\u0000", "\ud800", "\u202e", "𝕏".repeat(300), "' OR 1=1 --", "<script>alert(1)</script>", "a".repeat(5000), "%", "%zz"),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const hostileJson = fc.oneof(
  fc.constantFrom("{", "[", "nul", '{"a":}', "\u0000", '{"__proto__":{"admin":true}}', "1e999999", '"\\ud800"', "[".repeat(5000) + "]".repeat(5000)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.anything({ maxDepth: 3 }).map((v) => {
    try {
      return JSON.stringify(v) ?? "null";
    } catch {
      return "{}";
    }
  }),
  fc.integer({ min: 1, max: 200 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
);

describe("hostile input", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let admin: string;
  let ops: Op[];
  let tried = 0;

  // percent-encode the UTF-8 bytes (lone surrogates become U+FFFD); odd-length values keep "/" raw to try traversal
  const encode = (value: string) =>
    [...Buffer.from(value, "utf8")].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) || (b === 0x2f && value.length % 2) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0").toUpperCase()}`)).join("");
  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value.startsWith("%") ? value : encode(value));
  const dump = async (): Promise<string> => {
    const tables = await lawful.db.sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'server_rate_limits' ORDER BY name");
    const parts: string[] = [];
    for (const { name } of tables) parts.push(name, JSON.stringify(await lawful.db.sql.all(`SELECT * FROM "${name}" ORDER BY 1`)));
    return createHash("sha256").update(parts.join("\n")).digest("hex");
  };
  const fileBytes = () => {
    const h = createHash("sha256");
    for (const f of [file.path, `${file.path}-wal`]) if (existsSync(f)) h.update(readFileSync(f));
    return h.digest("hex");
  };
  const check = async (res: Response, where: string) => {
    tried++;
    expect(res.status, where).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers.get("content-type"), where).toBe("application/problem+json");
      const body = (await res.json()) as { code?: string; status?: number; issues?: { path: unknown[] }[] };
      expect(body.status, where).toBe(res.status);
      expect(typeof body.code, where).toBe("string");
      if (body.code === "VALIDATION_FAILED") expect(body.issues?.length, where).toBeGreaterThan(0);
    } else {
      await res.arrayBuffer();
    }
    return res.status;
  };

  beforeAll(async () => {
    file = createTestSqliteFile("fuzz.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const t = await lawful.tenants.create({ slug: "fuzz", name: "Fuzz" });
    admin = (await lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    const doc = (await (await lawful.app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, inert: method !== "get" && !op.requestBody && !path.includes("{") })),
    );
  });
  afterAll(async () => {
    await lawful?.close();
    file?.cleanup();
    console.log(`hostile input: ${tried} requests tried`);
  });

  it("every /v1 route - hostile bodies and ids never give a 5xx, and rejected writes leave the database file unchanged", async () => {
    expect(ops.length).toBeGreaterThan(3);
    const before = fileBytes();
    const beforeDump = await dump();
    for (const op of ops.filter((o) => !o.inert)) {
      await fc.assert(
        fc.asyncProperty(hostileStrings, hostileJson, async (id, body) => {
          const path = fill(op.path, id);
          const init: RequestInit = { method: op.method, headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" } };
          if (op.method !== "GET" && op.method !== "DELETE") init.body = body;
          const status = await check(await lawful.app.request(path, init), `${op.method} ${op.path}`);
          // only GETs and refusals are allowed here: a success of a write would legitimately change data
          return op.method === "GET" || status >= 400 || status === 200;
        }),
        { numRuns: 40 },
      );
    }
    // writes that succeeded above would change data: every hostile write must have been refused
    expect(await dump()).toBe(beforeDump);
    expect(fileBytes()).toBe(before);
  });

  it("every /v1 route - without a key is 401 problem+json, with a forged key too", async () => {
    for (const op of ops) {
      const path = fill(op.path, "x");
      await check(await lawful.app.request(path, { method: op.method }), `${op.method} ${op.path} (no key)`);
      const res = await lawful.app.request(path, { method: op.method, headers: { authorization: "Bearer lk_" + "A".repeat(43) } });
      expect(res.status).toBe(401);
      await check(res, `${op.method} ${op.path} (forged key)`);
    }
  });

  it("public routes - hostile tenant slugs and paths never give a 5xx", async () => {
    const publicPaths = ["/p/{tenant}/subprocessors.json", "/p/{tenant}/subprocessors.html", "/p/{tenant}/subprocessors.atom", "/p/{tenant}/sources.json"];
    const beforeDump = await dump();
    await fc.assert(
      fc.asyncProperty(hostileStrings, fc.constantFrom(...publicPaths), async (slug, p) => {
        const res = await lawful.app.request(fill(p, slug));
        await check(res, p);
        return true;
      }),
      { numRuns: 150 },
    );
    expect(await dump()).toBe(beforeDump);
  });

  it("oversized and deeply nested bodies - 413 or 400, never a crash", async () => {
    const huge = JSON.stringify({ name: "x".repeat(2_000_000), scopes: ["admin"] });
    expect(await check(await lawful.app.request("/v1/keys", { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: huge }), "huge")).toBe(413);
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(await check(await lawful.app.request("/v1/keys", { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: deep }), "deep")).toBe(400);
  });
});
