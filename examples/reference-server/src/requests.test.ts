import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";
import { caller } from "./test-harness.js";

describe("data-subject requests over HTTP", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let key: string;
  let admin: string;
  let other: string;
  const call = caller(() => lawful);
  const codeFromOutbox = async () => {
    const out = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; body: string }[] };
    return /code to confirm your privacy request is (\S+)\./.exec(out.items.find((m) => m.kind === "verification_code")!.body)![1]!;
  };

  beforeAll(async () => {
    file = createTestSqliteFile("requests.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const t = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    const o = await lawful.tenants.create({ slug: "globex", name: "Globex" });
    key = (await lawful.tenants.createKey(t.id, { name: "ops", scopes: ["requests", "consent"] })).secret;
    admin = (await lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    other = (await lawful.tenants.createKey(o.id, { name: "admin", scopes: ["admin"] })).secret;
    await call("/v1/purposes", { method: "POST", key, json: { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" } });
    await call("/v1/consent-events", {
      method: "POST",
      key,
      json: { subject: { kind: "email", value: "ada@example.com" }, purposeId: "newsletter", type: "refused", method: "button_clicked", evidence: { collectionPoint: "crm" } },
    });
  });
  afterAll(async () => {
    await lawful?.close();
    file?.cleanup();
  });

  it("erasure - received, verified by a mailed code, worked by the queue: consent data erased, subject suppressed", async () => {
    const created = await call("/v1/requests", {
      method: "POST",
      key,
      json: { type: "erasure", regime: "EU", subject: { kind: "email", value: "ada@example.com" }, channel: "web_form", timeZone: "Europe/Berlin", calendarId: "DE" },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { request } = (await created.json()) as { request: { id: string; state: string; deadlines: { respondByDate: string } } };
    expect(request.deadlines.respondByDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await call(`/v1/requests/${request.id}/verification`, { method: "POST", key })).status).toBe(200);
    const wrong = (await (await call(`/v1/requests/${request.id}/verify`, { method: "POST", key, json: { code: "000000" } })).json()) as { ok?: boolean; status?: string };
    expect(JSON.stringify(wrong)).not.toContain('"verified"');
    const verified = await call(`/v1/requests/${request.id}/verify`, { method: "POST", key, json: { code: await codeFromOutbox() } });
    expect(verified.status).toBe(200);
    expect((await call(`/v1/requests/${request.id}/start`, { method: "POST", key })).status).toBe(200);
    for (let i = 0; i < 5; i++) await lawful.services.dsr.work({ workerId: "test" });
    const done = (await (await call(`/v1/requests/${request.id}`, { key })).json()) as { state: string };
    expect(["completed", "partially_completed"]).toContain(done.state);
    const consents = (await (await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key })).json()) as { history: unknown[] };
    expect(consents.history).toEqual([]);
    expect(await lawful.services.consent.isSuppressed((await lawful.tenants.bySlug("acme"))!.id, { kind: "email", value: "ada@example.com" })).toBe(true);
    // the audit log still verifies after the erasure shredded the subject's key
    expect(((await (await call("/v1/audit/verify", { key: admin })).json()) as { ok: boolean }).ok).toBe(true);
  });

  it("access - for a person the server holds nothing about, the queue completes it (confirmation: no data) instead of failing", async () => {
    const created = await call("/v1/requests", {
      method: "POST",
      key,
      json: { type: "access", regime: "EU", subject: { kind: "email", value: "nobody@example.com" }, channel: "web_form", timeZone: "Europe/Berlin", calendarId: "DE" },
    });
    const { request } = (await created.json()) as { request: { id: string } };
    // verified by staff (no mail to the person, so the server holds no data about them at all)
    const manual = await call(`/v1/requests/${request.id}/verify-manually`, {
      method: "POST",
      key,
      json: { dataPointsMatched: 2, declarationSigned: true, evidence: ["matched order number and postcode"], reviewer: "ops" },
    });
    expect(manual.status, await manual.clone().text()).toBe(200);
    expect((await call(`/v1/requests/${request.id}/start`, { method: "POST", key })).status).toBe(200);
    for (let i = 0; i < 5; i++) await lawful.services.dsr.work({ workerId: "test" });
    const done = (await (await call(`/v1/requests/${request.id}`, { key })).json()) as { state: string };
    expect(done.state).toBe("completed");
  });

  it("lists and isolation - due-before filter; another tenant sees 404 and nothing", async () => {
    const list = (await (await call(`/v1/requests?dueBefore=${encodeURIComponent("2999-01-01T00:00:00Z")}`, { key })).json()) as { items: { id: string }[] };
    expect(list.items.length).toBeGreaterThan(0);
    const id = list.items[0]!.id;
    expect((await call(`/v1/requests/${id}`, { key: other })).status).toBe(404);
    expect((await call(`/v1/requests/${id}/cancel`, { method: "POST", key: other, json: { reason: "x" } })).status).toBe(404);
    expect(((await (await call("/v1/requests", { key: other })).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("illegal transitions - refused with 409 and a typed code", async () => {
    const created = (await (await call("/v1/requests", { method: "POST", key, json: { type: "access", regime: "EU", subject: { kind: "email", value: "bob@example.com" }, channel: "email", timeZone: "Europe/Berlin" } })).json()) as {
      request: { id: string };
    };
    const res = await call(`/v1/requests/${created.request.id}/complete`, { method: "POST", key, json: { nature: "done" } });
    expect([409, 422]).toContain(res.status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
