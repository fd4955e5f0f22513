import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { createServer, request, type Server } from "node:http";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { callbackUrlProblem, isBlockedCallbackAddress, registerDrpAgentSchema } from "./drp.js";
import { DRP_CALLBACK_RETRY_DELAYS_MS, deliverDrpCallbacks, publicOnlyLookup } from "./drp-callbacks.js";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

const signed = (key: KeyObject, claims: unknown) => {
  const message = Buffer.from(JSON.stringify(claims));
  return Buffer.concat([sign(null, message, key), message]).toString("base64");
};
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe("drp callback URL safety", () => {
  it.each([
    ["https://agent.example/drp/status", false, undefined],
    ["https://agent.example:8443/cb?x=1", false, undefined],
    ["http://agent.example/cb", false, "must be an https URL"],
    ["http://agent.example/cb", true, "must be an https URL"],
    ["http://127.0.0.1:8080/cb", false, "must be an https URL"],
    ["http://127.0.0.1:8080/cb", true, undefined],
    ["http://[::1]:8080/cb", true, undefined],
    ["http://localhost:8080/cb", true, "must be an https URL"],
    ["https://127.0.0.1/cb", false, "must not point to a loopback, private, link-local or reserved address"],
    ["https://10.1.2.3/cb", true, "must not point to a loopback, private, link-local or reserved address"],
    ["https://169.254.169.254/latest", false, "must not point to a loopback, private, link-local or reserved address"],
    ["https://[::ffff:127.0.0.1]/cb", false, "must not point to a loopback, private, link-local or reserved address"],
    ["https://[fd00::1]/cb", false, "must not point to a loopback, private, link-local or reserved address"],
    ["https://2130706433/cb", false, "must not point to a loopback, private, link-local or reserved address"],
    ["https://user:pw@agent.example/cb", false, "must not contain a user name or password"],
  ] as const)("%s (loopback flag %s) - %s", (url, flag, problem) => {
    expect(callbackUrlProblem(new URL(url), flag)).toBe(problem);
  });
  it("publicOnlyLookup - a name is used only when every address it resolves to is public, and the connection uses those addresses", async () => {
    const resolver = (answers: LookupAddress[]) =>
      ((_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) => cb(null, answers)) as unknown as Parameters<typeof publicOnlyLookup>[0];
    const ask = (answers: LookupAddress[], options: { all?: boolean; family?: number }) =>
      new Promise<{ error?: string | undefined; address?: unknown; family?: unknown }>((resolve) =>
        publicOnlyLookup(resolver(answers))("agent.example", options, (error: NodeJS.ErrnoException | null, address: unknown, family?: unknown) =>
          resolve(error ? { error: error.code } : { address, family }),
        ),
      );
    const v4 = { address: "93.184.216.34", family: 4 };
    const v6 = { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 };
    expect(await ask([v4, v6], {})).toEqual({ address: v4.address, family: 4 });
    expect(await ask([v4, v6], { family: 6 })).toEqual({ address: v6.address, family: 6 });
    expect(await ask([v4, v6], { all: true })).toEqual({ address: [v4, v6], family: undefined });
    // one private address among public ones is enough to refuse: it is what a rebinding answer looks like
    expect(await ask([v4, { address: "10.0.0.7", family: 4 }], {})).toEqual({ error: "EBLOCKEDADDRESS" });
    expect(await ask([{ address: "127.0.0.1", family: 4 }], { all: true })).toEqual({ error: "EBLOCKEDADDRESS" });
    expect(await ask([], {})).toEqual({ error: "EBLOCKEDADDRESS" });

    // a real connection by name to a loopback listener never opens
    let hits = 0;
    const server = createServer((_req, res) => void (hits++, res.end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const code = await new Promise<string | undefined>((resolve) => {
      const req = request(`http://localhost:${port}/`, { method: "POST", lookup: publicOnlyLookup() });
      req.on("response", () => resolve(undefined));
      req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code));
      req.end("{}");
    });
    await new Promise((resolve) => server.close(resolve));
    expect(code).toBe("EBLOCKEDADDRESS");
    expect(hits).toBe(0);
  });

  it("addresses - public ones pass; loopback only with the flag", () => {
    expect(isBlockedCallbackAddress("93.184.215.14")).toBe(false);
    expect(isBlockedCallbackAddress("2606:4700::1111")).toBe(false);
    for (const a of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "::ffff:10.0.0.1", "224.0.0.1"]) {
      expect(isBlockedCallbackAddress(a), a).toBe(true);
    }
    expect(isBlockedCallbackAddress("127.0.0.1", true)).toBe(false);
    expect(isBlockedCallbackAddress("10.0.0.1", true)).toBe(true);
  });
  it("registration - an http loopback origin needs the development flag", () => {
    const input = { id: "A", name: "A", verifyKey: Buffer.alloc(32, 1).toString("base64"), callbackOrigin: "http://127.0.0.1:9000" };
    const strict = registerDrpAgentSchema().safeParse(input);
    expect(strict.success).toBe(false);
    expect(strict.error?.issues.map((i) => i.path.join("."))).toEqual(["callbackOrigin"]);
    expect(registerDrpAgentSchema({ allowLoopbackHttpCallbacks: true }).parse(input).callbackOrigin).toBe("http://127.0.0.1:9000");
  });
});

interface Hit {
  method: string;
  path: string;
  contentType: string | undefined;
  body: { request_id: string; status: string; reason?: string; agent_request_id?: string };
}

describe.each(BACKENDS)("drp status callbacks on %s", (_name, make) => {
  let h: Harness;
  let ops: string;
  let token: string;
  let server: Server;
  let origin: string;
  const hits: Hit[] = [];
  /** Status codes the receiver answers next (then 200). */
  const answers: number[] = [];
  const call = caller(() => h.lawful);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const verifyKey = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("base64");
  let skew = 0;
  const clock = { now: () => new Date(Date.now() + skew) };
  const run = (logger?: pino.Logger) =>
    deliverDrpCallbacks({ sql: h.lawful.db.sql, dsr: h.lawful.services.dsr, clock, allowLoopbackHttpCallbacks: true, logger });
  const hitsFor = (id: string) => hits.filter((x) => x.body.request_id === id);
  const requestCount = async () => ((await (await call("/v1/requests", { key: ops })).json()) as { items: unknown[] }).items.length;
  const submit = (claims: Record<string, unknown>) =>
    h.lawful.app.request("/p/acme/drp/v1/data-rights-request", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: signed(privateKey, {
        "agent-id": "CB_AGENT",
        "business-id": "acme",
        "issued-at": iso(-60_000),
        "expires-at": iso(300_000),
        "drp.version": "1.0",
        exercise: "deletion",
        regime: "ccpa",
        ...claims,
      }),
    });
  const newRequest = async (email: string, path = "/drp/status") => {
    const res = await submit({ email, email_verified: true, status_callback: `${origin}${path}`, "agent-request-id": `ar-${email}` });
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { request_id: string; status: string }).request_id;
  };
  const acknowledge = async (id: string) => expect((await call(`/v1/requests/${id}/acknowledge`, { method: "POST", key: ops })).status).toBe(200);
  const row = (id: string) =>
    h.lawful.db.sql.get<{ state: string; attempts: number | string; last_error: string | null }>("SELECT state, attempts, last_error FROM drp_callbacks WHERE request_id = ?", [id]);

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        hits.push({ method: req.method ?? "", path: req.url ?? "", contentType: req.headers["content-type"], body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Hit["body"] });
        if (req.url?.startsWith("/redirect")) return void res.writeHead(302, { location: `${origin}/elsewhere` }).end();
        res.writeHead(answers.shift() ?? 200, { "content-type": "application/json" }).end('{"note":"a body the server must not read"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    h = await make({ DRP_CALLBACK_ALLOW_HTTP_LOOPBACK: "true" });
    const acme = await h.lawful.tenants.create({ slug: "acme", name: "Acme Inc." });
    ops = (await h.lawful.tenants.createKey(acme.id, { name: "ops", scopes: ["requests"] })).secret;
    const reg = await call("/v1/drp/agents", { method: "POST", key: ops, json: { id: "CB_AGENT", name: "Callback agent", verifyKey, callbackOrigin: origin } });
    expect(reg.status, await reg.clone().text()).toBe(201);
    const setup = await h.lawful.app.request("/p/acme/drp/v1/agent/CB_AGENT", {
      method: "POST",
      body: signed(privateKey, { "agent-id": "CB_AGENT", "business-id": "acme", "issued-at": iso(-60_000), "expires-at": iso(300_000), "drp.version": "1.0" }),
    });
    token = ((await setup.json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await h?.cleanup();
  });

  it("request time - callbacks off the registered origin, and non-loopback private origins, are refused; nothing is written or sent", async () => {
    const before = await requestCount();
    const other = `http://127.0.0.1:${Number(new URL(origin).port) === 65535 ? 1 : Number(new URL(origin).port) + 1}/cb`;
    for (const status_callback of [other, "https://agent.example/cb", "http://[::1]/cb", `${origin.replace("http:", "https:")}/cb`]) {
      const res = await submit({ email: "ada@example.com", status_callback });
      expect(res.status, status_callback).toBe(400);
      const body = (await res.json()) as { code: string; message: string; fatal?: boolean };
      expect(body).toMatchObject({ code: "400", fatal: true });
      expect(body.message).toContain("status_callback");
      expect(body.message).not.toContain("127.0.0.1");
    }
    expect(await requestCount()).toBe(before);
    for (const callbackOrigin of ["http://10.0.0.5", "https://169.254.169.254", "http://agent.example"]) {
      const res = await call("/v1/drp/agents", { method: "POST", key: ops, json: { id: "PRIVATE_ORIGIN", name: "x", verifyKey, callbackOrigin } });
      expect(res.status, callbackOrigin).toBe(400);
      expect(((await res.json()) as { issues: { path: string[] }[] }).issues.map((i) => i.path.join("."))).toEqual(["body.callbackOrigin"]);
    }
    await run();
    expect(hits).toEqual([]);
  });

  it("lifecycle - the registered drp-callbacks job POSTs each status change once; the synchronous answer is not repeated", async () => {
    const id = await newRequest("grace@example.com", "/drp/status?ref=1");
    expect((await h.lawful.scheduler.status()).map((j) => j.name)).toContain("drp-callbacks");
    await run();
    expect(hitsFor(id)).toEqual([]); // the agent got `open` in the response

    await acknowledge(id);
    // the job as wired in createLawful (with the loopback flag from the config)
    expect(await h.lawful.scheduler.tick()).toContain("drp-callbacks");
    expect(hitsFor(id)).toEqual([
      { method: "POST", path: "/drp/status?ref=1", contentType: "application/json", body: expect.objectContaining({ request_id: id, status: "in_progress", agent_request_id: "ar-grace@example.com" }) },
    ]);
    expect(hitsFor(id)[0]!.body.reason).toBeUndefined();
    // nothing changed: running again sends nothing
    await run();
    await run();
    expect(hitsFor(id)).toHaveLength(1);

    expect((await call(`/v1/requests/${id}/verification`, { method: "POST", key: ops })).status).toBe(200);
    await run();
    expect(hitsFor(id).map((x) => [x.body.status, x.body.reason])).toEqual([
      ["in_progress", undefined],
      ["in_progress", "need_user_verification"],
    ]);
    expect((await call(`/v1/requests/${id}/deny`, { method: "POST", key: ops, json: { reason: "suspected_fraud", explanation: "Fraud suspected." } })).status).toBe(200);
    await run();
    await run();
    expect(hitsFor(id).map((x) => [x.body.status, x.body.reason])).toEqual([
      ["in_progress", undefined],
      ["in_progress", "need_user_verification"],
      ["denied", "suspected_fraud"],
    ]);
    expect(await row(id)).toMatchObject({ state: "delivered" });
  });

  it("detection - a pass reads only requests whose record changed since the last pass checked them", async () => {
    const id = await newRequest("heidi@example.com");
    await run(); // first check of the new request (its synchronous answer is known)
    const reads: string[] = [];
    const dsr = { ...h.lawful.services.dsr, get: (tenantId: string, requestId: string) => (reads.push(requestId), h.lawful.services.dsr.get(tenantId, requestId)) };
    const counted = () => deliverDrpCallbacks({ sql: h.lawful.db.sql, dsr, clock, allowLoopbackHttpCallbacks: true });
    await counted();
    await counted();
    expect(reads).not.toContain(id);
    await acknowledge(id);
    await counted();
    expect(reads.filter((r) => r === id)).toHaveLength(1);
    expect(hitsFor(id).map((x) => x.body.status)).toEqual(["in_progress"]);
    await counted();
    expect(reads.filter((r) => r === id)).toHaveLength(1);
  });

  it("retries - a failing endpoint is retried after the backoff delays and then delivered, once; logs carry no URL or personal data", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) }));
    const id = await newRequest("linus@example.com");
    await acknowledge(id);
    answers.push(500, 503);
    expect(await run(logger)).toMatchObject({ detected: 1, delivered: 0, retried: 1 });
    expect(await run(logger)).toMatchObject({ detected: 0, delivered: 0, retried: 0 }); // not due yet
    expect(hitsFor(id)).toHaveLength(1);
    skew += DRP_CALLBACK_RETRY_DELAYS_MS[0]! + 1_000;
    expect(await run(logger)).toMatchObject({ retried: 1 });
    skew += DRP_CALLBACK_RETRY_DELAYS_MS[1]! + 1_000;
    expect(await run(logger)).toMatchObject({ delivered: 1 });
    skew += 86_400_000;
    expect(await run(logger)).toMatchObject({ delivered: 0, retried: 0, failed: 0 });
    expect(hitsFor(id).map((x) => x.body.status)).toEqual(["in_progress", "in_progress", "in_progress"]);
    expect(await row(id)).toMatchObject({ state: "delivered", last_error: null });
    expect(Number((await row(id))!.attempts)).toBe(3);
    expect(lines.join("")).toContain("http_503");
    expect(lines.join("")).not.toMatch(/127\.0\.0\.1|linus|example\.com/);
  });

  it("most recent status - a newer status replaces one still being retried", async () => {
    const id = await newRequest("barbara@example.com");
    await acknowledge(id);
    answers.push(500);
    await run();
    expect((await call(`/v1/requests/${id}/deny`, { method: "POST", key: ops, json: { reason: "no_data", explanation: "No data held." } })).status).toBe(200);
    await run(); // the new status is due at once, without waiting for the older one's retry
    skew += 86_400_000;
    await run();
    expect(hitsFor(id).map((x) => [x.body.status, x.body.reason])).toEqual([
      ["in_progress", undefined],
      ["denied", "no_match"],
    ]);
  });

  it("redirects - never followed; the attempts stop after the retry cap", async () => {
    const id = await newRequest("edsger@example.com", "/redirect");
    await acknowledge(id);
    const results = [];
    for (let i = 0; i <= DRP_CALLBACK_RETRY_DELAYS_MS.length + 1; i++) {
      results.push(await run());
      skew += (DRP_CALLBACK_RETRY_DELAYS_MS[i] ?? 86_400_000) + 1_000;
    }
    expect(results.map((r) => [r.retried, r.failed])).toEqual([...DRP_CALLBACK_RETRY_DELAYS_MS.map(() => [1, 0]), [0, 1], [0, 0]]);
    expect(hitsFor(id)).toHaveLength(DRP_CALLBACK_RETRY_DELAYS_MS.length + 1);
    expect(hits.some((x) => x.path === "/elsewhere")).toBe(false);
    expect(await row(id)).toMatchObject({ state: "failed", last_error: "http_302" });
  });

  it("concurrency - overlapping passes deliver a change once", async () => {
    const id = await newRequest("frances@example.com");
    await acknowledge(id);
    const results = await Promise.all([run(), run(), run()]);
    expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    expect(hitsFor(id)).toHaveLength(1);
  });

  it("revocation - a revoke answered to the agent is not called back; a revoked agent gets no more callbacks", async () => {
    const id = await newRequest("ken@example.com");
    const del = await h.lawful.app.request(`/p/acme/drp/v1/data-rights-request/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: signed(privateKey, { reason: "changed my mind" }),
    });
    expect(await del.json()).toMatchObject({ status: "revoked" });
    await run();
    expect(hitsFor(id)).toEqual([]);

    const other = await newRequest("dennis@example.com");
    expect((await call("/v1/drp/agents/CB_AGENT", { method: "DELETE", key: ops })).status).toBe(200);
    await acknowledge(other);
    await run();
    expect(hitsFor(other)).toEqual([]);
  });
});
