import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "@lawful/core";
import { ConfigError, loadConfig } from "./config.js";
import { parseCompactionWindow } from "./erasure.js";
import { caller, postgresHarness, sqliteHarness, type Harness } from "./test-harness.js";

/** Run one erasure request for `email` to completion through the API and the worker; returns its id. */
async function completeErasure(h: Harness, call: ReturnType<typeof caller>, admin: string, tenantId: string, email: string): Promise<string> {
  const created = await call("/v1/requests", { method: "POST", key: admin, json: { type: "erasure", regime: "EU", subject: { kind: "email", value: email }, channel: "email", timeZone: "Europe/Berlin" } });
  expect(created.status, await created.clone().text()).toBe(201);
  const id = ((await created.json()) as { request: { id: string } }).request.id;
  await h.lawful.services.dsr.verifyManually(tenantId, id, { dataPointsMatched: 3, declarationSigned: true, evidence: ["signed declaration"], reviewer: "ops" });
  expect((await call(`/v1/requests/${id}/start`, { method: "POST", key: admin })).status).toBe(200);
  for (let i = 0; i < 10; i++) if ((await h.lawful.services.dsr.work({ workerId: "compaction-test" })).finalized.includes(id)) break;
  const done = (await (await call(`/v1/requests/${id}`, { key: admin })).json()) as { state: string; subject: { value: string } };
  expect(done.state).toBe("completed");
  // the erasure itself is never postponed: the request record no longer names the person
  expect(done.subject.value).toMatch(/^erased:/);
  return id;
}

describe("ERASURE_COMPACTION_WINDOW", () => {
  it("config - accepts a daily UTC window, also across midnight; refuses anything else naming the variable", () => {
    expect(parseCompactionWindow("02:00-04:30")).toEqual({ startMinute: 120, endMinute: 270 });
    expect(parseCompactionWindow("22:00-04:00")).toEqual({ startMinute: 1320, endMinute: 240 });
    expect(loadConfig({ ERASURE_COMPACTION_WINDOW: "22:00-04:00" }).ERASURE_COMPACTION_WINDOW).toBe("22:00-04:00");
    for (const bad of ["2:00-4:00", "02:00-02:00", "24:00-01:00", "02:00 - 04:00", "nightly"]) {
      expect(parseCompactionWindow(bad)).toBeUndefined();
      expect(() => loadConfig({ ERASURE_COMPACTION_WINDOW: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ERASURE_COMPACTION_WINDOW: bad })).toThrow(/ERASURE_COMPACTION_WINDOW: must be a daily UTC window/);
    }
  });
});

describe("compaction after an erasure on PostgreSQL, inside ERASURE_COMPACTION_WINDOW only", () => {
  const clock = createManualClock("2026-03-02T12:00:00Z");
  let h: Harness;
  let admin = "";
  let tenantId = "";
  const call = caller(() => h.lawful);
  /** The file a table's rows live in: VACUUM FULL writes a new one. */
  const relfilenode = async (table: string) => (await h.lawful.db.sql.get<{ n: string }>("SELECT relfilenode::text AS n FROM pg_class WHERE relname = ?", [table]))!.n;
  const due = () => h.lawful.db.sql.get<{ mark: string; due_since: string }>("SELECT mark, due_since FROM server_erasure_compaction WHERE id = 1");

  beforeAll(async () => {
    h = await postgresHarness("compaction", { ERASURE_COMPACTION_WINDOW: "02:00-04:00" }, { clock });
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
  });
  afterAll(async () => h?.cleanup());

  it("outside the window - the erasure completes and is redacted, the tables are not rewritten, the compaction is recorded as due", async () => {
    const before = await relfilenode("dsr_requests");
    await completeErasure(h, call, admin, tenantId, "ada@example.com");
    await h.lawful.services.dsr.work({ workerId: "compaction-test" });
    expect(await relfilenode("dsr_requests")).toBe(before);
    expect(await due()).toMatchObject({ due_since: "2026-03-02T12:00:00.000Z" });
    expect(BigInt((await due())!.mark)).toBeGreaterThan(0n);
  });

  it("after a restart, inside the window - the compaction still due runs (the tables get new files) and is cleared", async () => {
    const before = { requests: await relfilenode("dsr_requests"), consent: await relfilenode("consent_events") };
    await h.reopen({ ERASURE_COMPACTION_WINDOW: "02:00-04:00" });
    clock.set("2026-03-03T02:30:00Z");
    await h.lawful.services.dsr.work({ workerId: "compaction-test" });
    expect(await due()).toBeUndefined();
    expect(await relfilenode("dsr_requests")).not.toBe(before.requests);
    expect(await relfilenode("consent_events")).not.toBe(before.consent);
    // nothing due: the next run leaves the tables alone
    const after = await relfilenode("dsr_requests");
    await h.lawful.services.dsr.work({ workerId: "compaction-test" });
    expect(await relfilenode("dsr_requests")).toBe(after);
  });
});

describe("compaction after an erasure on SQLite", () => {
  let h: Harness;
  const call = caller(() => h.lawful);
  beforeAll(async () => {
    // the window applies to PostgreSQL's VACUUM FULL; SQLite's WAL checkpoint is cheap and runs at once
    h = await sqliteHarness("compaction.db", { ERASURE_COMPACTION_WINDOW: "02:00-04:00" }, { clock: createManualClock("2026-03-02T12:00:00Z") });
  });
  afterAll(async () => h?.cleanup());

  it("the write-ahead log is checkpointed right after the erasure and nothing stays due", async () => {
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    const admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    await completeErasure(h, call, admin, t.id, "ada@example.com");
    await h.lawful.services.dsr.work({ workerId: "compaction-test" });
    expect(await h.lawful.db.sql.get("SELECT 1 AS due FROM server_erasure_compaction")).toBeUndefined();
  });
});
