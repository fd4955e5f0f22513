import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import pino from "pino";
import { createTestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful } from "./server.js";
import { systemClock } from "@lawful/core";
import { DENIAL_REASONS, DSR_STATES, type DsrState } from "@lawful/dsr";
import { DRP_REASONS, DRP_REASON_BY_DENIAL, DRP_STATUSES, checkEnvelope, createDrpStore, drpStatusOf } from "./drp.js";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

interface Agent {
  id: string;
  privateKey: KeyObject;
  verifyKey: string;
}
const newAgent = (id: string): Agent => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { id, privateKey, verifyKey: Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("base64") };
};
/** libsodium combined mode: signature || message, base64. */
const signed = (key: KeyObject, claims: unknown) => {
  const message = Buffer.from(JSON.stringify(claims));
  return Buffer.concat([sign(null, message, key), message]).toString("base64");
};
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const envelope = (agentId: string, businessId: string, window: [number, number] = [-60_000, 300_000]) => ({
  "agent-id": agentId,
  "business-id": businessId,
  "issued-at": iso(window[0]),
  "expires-at": iso(window[1]),
});

describe("drp status mapping", () => {
  const at = new Date("2026-03-02T10:00:00Z");
  const due = new Date("2026-04-16T06:59:59Z");
  const expected: Record<DsrState, [string, string | undefined]> = {
    received: ["open", undefined],
    awaiting_verification: ["in_progress", "need_user_verification"],
    verified: ["in_progress", undefined],
    in_progress: ["in_progress", undefined],
    completed: ["fulfilled", undefined],
    partially_completed: ["fulfilled", undefined],
    denied: ["denied", "other"],
    cancelled: ["denied", "other"],
    withdrawn: ["revoked", undefined],
  };
  it.each(DSR_STATES.map((s) => [s]))("%s - maps to a DRP status from the spec's vocabulary", (state) => {
    const s = drpStatusOf({ id: "r1", state, receivedAt: at, deadlines: { dueAt: due } });
    expect(DRP_STATUSES).toContain(s.status);
    if (s.reason !== undefined) expect(DRP_REASONS).toContain(s.reason);
    expect([s.status, s.reason]).toEqual(expected[state]);
    expect(s.received_at).toBe(at.toISOString());
    // open requests tell the agent when to expect an answer; final ones do not
    expect(s.expected_by).toBe(["received", "awaiting_verification", "verified", "in_progress"].includes(state) ? due.toISOString() : undefined);
  });
  it("refinements - acknowledged receipt is in_progress, denial reasons and details pass through, extensions are explained", () => {
    expect(drpStatusOf({ id: "r1", state: "received", acknowledgedAt: at, receivedAt: at, deadlines: { dueAt: due } }).status).toBe("in_progress");
    for (const reason of DENIAL_REASONS) {
      const s = drpStatusOf({ id: "r1", state: "denied", receivedAt: at, deadlines: { dueAt: due }, denial: { reason, explanation: "why", complaintInfoProvided: true } });
      expect(s.reason).toBe(DRP_REASON_BY_DENIAL[reason]);
      expect(DRP_REASONS).toContain(s.reason);
      expect(s.processing_details).toBe("why");
    }
    expect(DRP_REASON_BY_DENIAL.no_data).toBe("no_match");
    expect(DRP_REASON_BY_DENIAL.identity_not_verified).toBe("insuf_verification");
    const ext = drpStatusOf({ id: "r1", state: "verified", receivedAt: at, deadlines: { dueAt: due }, extension: { reason: "complex", notifiedAt: at, extendedAt: at } }, { agentRequestId: "a-1" });
    expect(ext).toMatchObject({ processing_details: "deadline extended: complex", agent_request_id: "a-1" });
  });
  it("checkEnvelope - spec 3.07 order and bounds", () => {
    const now = new Date("2026-03-02T10:01:00Z");
    const env = { "agent-id": "A", "business-id": "acme", "issued-at": "2026-03-02T10:00:00Z", "expires-at": "2026-03-02T10:05:00Z" };
    expect(checkEnvelope(env, { agentId: "A", businessId: "acme", now })).toBeUndefined();
    expect(checkEnvelope(env, { agentId: "B", businessId: "acme", now })?.status).toBe(403);
    expect(checkEnvelope(env, { agentId: "A", businessId: "other", now })?.status).toBe(403);
    expect(checkEnvelope(env, { agentId: "A", businessId: "acme", now: new Date("2026-03-02T09:59:00Z") })).toMatchObject({ status: 400 });
    expect(checkEnvelope(env, { agentId: "A", businessId: "acme", now: new Date("2026-03-02T10:05:00Z") })).toMatchObject({ status: 400, fatal: true });
    expect(checkEnvelope({ ...env, "expires-at": "2026-03-03T10:00:00Z" }, { agentId: "A", businessId: "acme", now })).toMatchObject({ status: 400, fatal: true });
  });
});

describe.each(BACKENDS)("drp over HTTP on %s", (_name, make) => {
  let h: Harness;
  let ops: string;
  let admin: string;
  let consentOnly: string;
  let otherAdmin: string;
  const call = caller(() => h.lawful);
  const agentA = newAgent("AGENT_A");
  const agentB = newAgent("AGENT_B");
  const otherTenantAgent = newAgent("AGENT_G");
  const tokens: Record<string, string> = {};
  const base = "/p/acme/drp";

  const drp = (path: string, init: { method?: string; token?: string | undefined; body?: string } = {}) =>
    h.lawful.app.request(path, {
      method: init.method ?? "GET",
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), "content-type": "text/plain" },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  const exercise = (agent: Agent, claims: Record<string, unknown>, token = tokens[agent.id]) =>
    drp(`${base}/v1/data-rights-request`, { method: "POST", token, body: signed(agent.privateKey, claims) });
  const deletion = (agent: Agent, extra: Record<string, unknown> = {}) => ({
    ...envelope(agent.id, "acme"),
    "drp.version": "1.0",
    exercise: "deletion",
    regime: "ccpa",
    email: "Ada@Example.com",
    email_verified: true,
    name: "Ada Lovelace",
    ...extra,
  });
  const requestCount = async () => ((await (await call("/v1/requests", { key: ops })).json()) as { items: unknown[] }).items.length;
  const codeFromOutbox = async () => {
    const out = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; body: string }[] };
    return /code to confirm your privacy request is (\S+)\./.exec(out.items.find((m) => m.kind === "verification_code")!.body)![1]!;
  };

  beforeAll(async () => {
    h = await make();
    const acme = await h.lawful.tenants.create({ slug: "acme", name: "Acme Inc." });
    const globex = await h.lawful.tenants.create({ slug: "globex", name: "Globex" });
    ops = (await h.lawful.tenants.createKey(acme.id, { name: "ops", scopes: ["requests"] })).secret;
    admin = (await h.lawful.tenants.createKey(acme.id, { name: "admin", scopes: ["admin"] })).secret;
    consentOnly = (await h.lawful.tenants.createKey(acme.id, { name: "consent", scopes: ["consent"] })).secret;
    otherAdmin = (await h.lawful.tenants.createKey(globex.id, { name: "admin", scopes: ["admin"] })).secret;
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  it("registration - operator registers agents; bad keys, duplicates and missing scope are refused", async () => {
    const created = await call("/v1/drp/agents", { method: "POST", key: ops, json: { id: agentA.id, name: "Agent A", verifyKey: agentA.verifyKey, callbackOrigin: "https://agent-a.example" } });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toMatchObject({ id: "AGENT_A", callbackOrigin: "https://agent-a.example", tokenIssuedAt: null, revokedAt: null });
    expect((await call("/v1/drp/agents", { method: "POST", key: admin, json: { id: agentB.id, name: "Agent B", verifyKey: agentB.verifyKey } })).status).toBe(201);
    expect((await call("/v1/drp/agents", { method: "POST", key: otherAdmin, json: { id: otherTenantAgent.id, name: "G", verifyKey: otherTenantAgent.verifyKey } })).status).toBe(201);

    const dup = await call("/v1/drp/agents", { method: "POST", key: ops, json: { id: agentA.id, name: "Again", verifyKey: agentB.verifyKey } });
    expect(dup.status).toBe(409);
    const bad = await call("/v1/drp/agents", { method: "POST", key: ops, json: { id: "X", name: "X", verifyKey: Buffer.alloc(31).toString("base64"), callbackOrigin: "https://x.example/path" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    const issues = ((await bad.json()) as { issues: { path: string[] }[] }).issues.map((i) => i.path.join("."));
    expect(issues).toEqual(expect.arrayContaining(["body.verifyKey", "body.callbackOrigin"]));
    expect((await call("/v1/drp/agents", { method: "POST", key: consentOnly, json: { id: "Y", name: "Y", verifyKey: agentA.verifyKey } })).status).toBe(403);

    const list = (await (await call("/v1/drp/agents", { key: ops })).json()) as { items: { id: string }[] };
    expect(list.items.map((a) => a.id)).toEqual(["AGENT_A", "AGENT_B"]);
    expect(JSON.stringify(list)).not.toContain("token\":\"drp_");
    const doc = (await (await h.lawful.app.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/drp/agents", "/v1/drp/agents/{id}"]));
  });

  it("discovery - per-tenant well-known document names the tenant's api_base and the supported actions", async () => {
    const res = await h.lawful.app.request("/p/acme/.well-known/data-rights.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { version: string; api_base: string; actions: string[]; user_relationships: string[]; id: string };
    expect(doc.version).toBe("1.0");
    expect(doc.api_base).toMatch(/\/p\/acme\/drp$/);
    expect(doc.actions).toEqual(expect.arrayContaining(["sale:opt_out", "deletion", "access", "access:categories", "access:specific"]));
    expect(doc.user_relationships).toEqual([]);
    expect(doc.id).toBe("acme");
    expect((await h.lawful.app.request("/p/nobody/.well-known/data-rights.json")).status).toBe(404);
  });

  it("pair-wise key setup - a signed setup message yields a token; wrong key, wrong business or unknown agent get 403 without body", async () => {
    const setup = (agent: Agent, key: KeyObject, business = "acme", path = agent.id) =>
      drp(`${base}/v1/agent/${path}`, { method: "POST", body: signed(key, { ...envelope(agent.id, business), "drp.version": "1.0" }) });
    for (const agent of [agentA, agentB]) {
      const res = await setup(agent, agent.privateKey);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { "agent-id": string; token: string };
      expect(body["agent-id"]).toBe(agent.id);
      tokens[agent.id] = body.token;
    }
    const g = await drp(`/p/globex/drp/v1/agent/${otherTenantAgent.id}`, { method: "POST", body: signed(otherTenantAgent.privateKey, { ...envelope(otherTenantAgent.id, "globex"), "drp.version": "1.0" }) });
    expect(g.status).toBe(200);
    tokens[otherTenantAgent.id] = ((await g.json()) as { token: string }).token;

    for (const res of [
      await setup(agentA, agentB.privateKey),
      await setup(agentA, agentA.privateKey, "globex"),
      await setup(agentA, agentA.privateKey, "acme", "AGENT_B"),
      await setup(otherTenantAgent, otherTenantAgent.privateKey),
      await drp(`${base}/v1/agent/${agentA.id}`, { method: "POST", body: "not base64!" }),
    ]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toBe("");
    }
    expect((await drp(`${base}/v1/agent/${agentA.id}`, { token: tokens.AGENT_A })).status).toBe(200);
    expect((await drp(`${base}/v1/agent/${agentA.id}`, { token: tokens.AGENT_B })).status).toBe(403);
    expect((await drp(`${base}/v1/agent/${agentA.id}`)).status).toBe(401);
  });

  it("signed deletion - accepted as a ccpa_delete on channel authorized_agent, visible in /v1/requests, then through its lifecycle to fulfilled", async () => {
    const res = await exercise(agentA, deletion(agentA, { "agent-request-id": "aa-req-1", status_callback: "https://agent-a.example/drp/status", relationships: ["customer"] }));
    expect(res.status, await res.clone().text()).toBe(200);
    const status = (await res.json()) as { request_id: string; status: string; received_at: string; expected_by: string; agent_request_id: string };
    expect(status).toMatchObject({ status: "open", agent_request_id: "aa-req-1" });
    expect(Date.parse(status.expected_by)).toBeGreaterThan(Date.parse(status.received_at));
    const id = status.request_id;

    const listed = (await (await call("/v1/requests", { key: ops })).json()) as { items: { id: string; type: string; channel: string; regime: string; subject: { value: string } }[] };
    expect(listed.items.find((r) => r.id === id)).toMatchObject({ type: "ccpa_delete", channel: "authorized_agent", regime: "US-CA", subject: { value: "ada@example.com" } });
    const full = (await (await call(`/v1/requests/${id}`, { key: ops })).json()) as { history: { actor: { type: string; id: string } }[]; details: { description: string } };
    expect(full.history[0]!.actor).toEqual({ type: "agent", id: "AGENT_A" });
    expect(full.details.description).toContain("identity claims verified by the agent: email");
    expect(JSON.stringify(full)).not.toContain("Lovelace");

    const statusNow = async () => (await (await drp(`${base}/v1/data-rights-request/${id}`, { token: tokens.AGENT_A })).json()) as { status: string; reason?: string; expected_by?: string };
    expect((await call(`/v1/requests/${id}/acknowledge`, { method: "POST", key: ops })).status).toBe(200);
    expect(await statusNow()).toMatchObject({ status: "in_progress" });
    expect((await call(`/v1/requests/${id}/verification`, { method: "POST", key: ops })).status).toBe(200);
    expect(await statusNow()).toMatchObject({ status: "in_progress", reason: "need_user_verification" });
    expect((await call(`/v1/requests/${id}/verify`, { method: "POST", key: ops, json: { code: await codeFromOutbox() } })).status).toBe(200);
    const verified = await statusNow();
    expect(verified.status).toBe("in_progress");
    expect(verified.reason).toBeUndefined();
    expect((await call(`/v1/requests/${id}/start`, { method: "POST", key: ops })).status).toBe(200);
    for (let i = 0; i < 5; i++) await h.lawful.services.dsr.work({ workerId: "test" });
    const done = await statusNow();
    expect(done.status).toBe("fulfilled");
    expect(done.expected_by).toBeUndefined();

    // another agent may not read it; an unknown id is 404
    expect((await drp(`${base}/v1/data-rights-request/${id}`, { token: tokens.AGENT_B })).status).toBe(403);
    expect((await drp(`${base}/v1/data-rights-request/nope`, { token: tokens.AGENT_A })).status).toBe(404);
  });

  it("opt-out and denial - sale:opt_out is fulfilled at once without verification; a denial for no data is denied/no_match", async () => {
    const optOut = (await (await exercise(agentB, { ...envelope(agentB.id, "acme"), "drp.version": "1.0", exercise: "sale:opt_out", phone_number: "+1 415 555 0100" })).json()) as {
      request_id: string;
      status: string;
    };
    // opt-outs are not verified (CCPA §7026) and are applied at once
    expect(optOut.status).toBe("fulfilled");
    const optOutNow = (await (await drp(`${base}/v1/data-rights-request/${optOut.request_id}`, { token: tokens.AGENT_B })).json()) as { status: string };
    expect(optOutNow.status).toBe("fulfilled");

    const know = (await (await exercise(agentB, { ...envelope(agentB.id, "acme"), "drp.version": "1.0", exercise: "access:categories", email: "grace@example.com" })).json()) as { request_id: string };
    const denied = await call(`/v1/requests/${know.request_id}/deny`, { method: "POST", key: ops, json: { reason: "no_data", explanation: "We hold no data about this person." } });
    expect(denied.status).toBe(200);
    const s = (await (await drp(`${base}/v1/data-rights-request/${know.request_id}`, { token: tokens.AGENT_B })).json()) as Record<string, unknown>;
    expect(s).toMatchObject({ status: "denied", reason: "no_match", processing_details: "We hold no data about this person." });
  });

  it("refusals - forged signature, wrong key, expired, future, other business, other tenant's agent, replay, unsupported action: DRP errors, no request written", async () => {
    const before = await requestCount();
    const expectError = async (res: Response, status: number, fatal?: boolean) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await res.json()) as { code: string; message: string; fatal?: boolean };
      expect(body.code).toBe(String(status));
      expect(body.message.length).toBeGreaterThan(0);
      expect(body.message).not.toContain("example.com");
      if (fatal !== undefined) expect(body.fatal === true).toBe(fatal);
    };
    const good = signed(agentA.privateKey, deletion(agentA));
    const forged = Buffer.from(good, "base64");
    forged[forged.length - 3]! ^= 1;
    await expectError(await drp(`${base}/v1/data-rights-request`, { method: "POST", token: tokens.AGENT_A, body: forged.toString("base64") }), 403, true);
    await expectError(await drp(`${base}/v1/data-rights-request`, { method: "POST", token: tokens.AGENT_A, body: signed(agentB.privateKey, deletion(agentA)) }), 403, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), ...envelope(agentA.id, "acme", [-1_200_000, -600_000]) }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), ...envelope(agentA.id, "acme", [600_000, 900_000]) }), 400, false);
    await expectError(await exercise(agentA, { ...deletion(agentA), "business-id": "globex" }), 403, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), "agent-id": "AGENT_B" }), 403, true);
    // the other tenant's agent: its token means nothing here, and its own tenant refuses acme's business-id
    await expectError(await exercise(otherTenantAgent, { ...deletion(otherTenantAgent) }, tokens.AGENT_G), 401);
    await expectError(
      await drp("/p/globex/drp/v1/data-rights-request", { method: "POST", token: tokens.AGENT_G, body: signed(otherTenantAgent.privateKey, deletion(otherTenantAgent)) }),
      403,
      true,
    );
    await expectError(await drp(`${base}/v1/data-rights-request`, { method: "POST", body: good }), 401);
    await expectError(await exercise(agentA, { ...deletion(agentA), exercise: "sale:opt_in" }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), regime: "gdpr" }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), email: undefined }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), email: "not-an-email" }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), status_callback: "https://elsewhere.example/cb" }), 400, true);
    await expectError(await exercise(agentA, { ...deletion(agentA), "drp.version": "0.5" }), 400, true);
    await expectError(await drp(`${base}/v1/data-rights-request`, { method: "POST", token: tokens.AGENT_A, body: "%%%" }), 400, true);
    expect(await requestCount()).toBe(before);
    // the good message is accepted once; a second time it is a replay
    expect((await drp(`${base}/v1/data-rights-request`, { method: "POST", token: tokens.AGENT_A, body: good })).status).toBe(200);
    expect(await requestCount()).toBe(before + 1);
    await expectError(await drp(`${base}/v1/data-rights-request`, { method: "POST", token: tokens.AGENT_A, body: good }), 409, true);
    expect(await requestCount()).toBe(before + 1);
  });

  it("revoke - a signed DELETE withdraws the request; repeated revocation is idempotent; final requests and other agents are refused", async () => {
    const created = (await (await exercise(agentA, deletion(agentA, { email: "linus@example.com" }))).json()) as { request_id: string };
    const id = created.request_id;
    const del = (agent: Agent, token: string | undefined, claims: unknown = { reason: "I changed my mind" }) =>
      drp(`${base}/v1/data-rights-request/${id}`, { method: "DELETE", token, body: signed(agent.privateKey, claims) });
    expect((await del(agentB, tokens.AGENT_B)).status).toBe(403);
    expect((await del(agentB, tokens.AGENT_A)).status).toBe(403); // signed with another key
    const revoked = await del(agentA, tokens.AGENT_A);
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ request_id: id, status: "revoked" });
    expect(((await (await call(`/v1/requests/${id}`, { key: ops })).json()) as { state: string }).state).toBe("withdrawn");
    expect(await (await del(agentA, tokens.AGENT_A)).json()).toMatchObject({ status: "revoked" });
    // with an envelope, an expired revocation is refused
    expect((await del(agentA, tokens.AGENT_A, { reason: "x", ...envelope(agentA.id, "acme", [-1_200_000, -600_000]) })).status).toBe(400);

    const other = (await (await exercise(agentA, deletion(agentA, { email: "final@example.com" }))).json()) as { request_id: string };
    await call(`/v1/requests/${other.request_id}/deny`, { method: "POST", key: ops, json: { reason: "suspected_fraud", explanation: "Fraud suspected." } });
    const final = await drp(`${base}/v1/data-rights-request/${other.request_id}`, { method: "DELETE", token: tokens.AGENT_A, body: signed(agentA.privateKey, { reason: "x" }) });
    expect(final.status).toBe(409);
  });

  it("agent revocation - a revoked agent's token stops working and it cannot get a new one", async () => {
    const res = await call(`/v1/drp/agents/${agentB.id}`, { method: "DELETE", key: ops });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await exercise(agentB, { ...envelope(agentB.id, "acme"), "drp.version": "1.0", exercise: "deletion", email: "x@example.com" })).status).toBe(401);
    const setup = await drp(`${base}/v1/agent/${agentB.id}`, { method: "POST", body: signed(agentB.privateKey, { ...envelope(agentB.id, "acme"), "drp.version": "1.0" }) });
    expect(setup.status).toBe(403);
    expect((await call("/v1/drp/agents/NOPE", { method: "DELETE", key: ops })).status).toBe(404);
    // another tenant cannot revoke acme's agents
    expect((await call(`/v1/drp/agents/${agentA.id}`, { method: "DELETE", key: otherAdmin })).status).toBe(404);
  });
});

describe("drp hostile input", () => {
  it("signed or unsigned garbage on every DRP route - never a 5xx, always a DRP error or a status object", async () => {
    const file = createTestSqliteFile("drp-fuzz.db");
    const lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent", PUBLIC_RATE_LIMIT_PER_MINUTE: "100000" }), { logger: pino({ level: "silent" }) });
    try {
      const t = await lawful.tenants.create({ slug: "acme", name: "Acme" });
      const agent = newAgent("FUZZ");
      await createDrpStore(lawful.db.sql, systemClock).register(t.id, { id: agent.id, name: "Fuzz agent", verifyKey: agent.verifyKey });
      const setup = await lawful.app.request(`/p/acme/drp/v1/agent/FUZZ`, { method: "POST", body: signed(agent.privateKey, { ...envelope("FUZZ", "acme"), "drp.version": "1.0" }) });
      const token = ((await setup.json()) as { token: string }).token;
      const valid = { ...envelope("FUZZ", "acme"), "drp.version": "1.0", exercise: "deletion", email: "fuzz@example.com" };
      const keys = [...Object.keys(valid), "regime", "status_callback", "phone_number", "email_verified", "relationships", "agent-request-id", "reason", "address", "__proto__", "constructor"];
      const body = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.base64String({ maxLength: 200 }),
        fc.tuple(fc.boolean(), fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })).map(([base, extra]) => signed(agent.privateKey, base ? { ...valid, ...extra } : extra)),
      );
      const routes = ["POST /p/acme/drp/v1/data-rights-request", "DELETE /p/acme/drp/v1/data-rights-request/{id}", "POST /p/acme/drp/v1/agent/FUZZ"];
      const first = (await (await lawful.app.request("/p/acme/drp/v1/data-rights-request", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: signed(agent.privateKey, valid) })).json()) as { request_id: string };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes), body, async (route, payload) => {
          const [method, path] = route.split(" ") as [string, string];
          const res = await lawful.app.request(path.replace("{id}", first.request_id), { method, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: payload });
          expect(res.status).toBeLessThan(500);
          const text = await res.text();
          if (res.status >= 400 && text !== "") expect(JSON.parse(text)).toMatchObject({ code: String(res.status) });
          return true;
        }),
        { numRuns: 200 },
      );
    } finally {
      await lawful.close();
      file.cleanup();
    }
  }, 60_000);
});

