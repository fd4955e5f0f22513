// Two server processes on one PostgreSQL database, no proxy in front: parallel writes on both must
// not execute a request task twice, must keep one gap-free audit chain, and the same
// Idempotency-Key sent to both at once must give one record.
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { seedTenant, type SeededTenant } from "./testing/seed.js";
import { startServerProcess, type ServerProcess } from "./testing/server-process.js";
import { Workload } from "./testing/workload.js";

const MASTER = Buffer.alloc(32, 11).toString("base64url");
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("two instances on one PostgreSQL database", () => {
  let db: TestPgDatabase;
  let tenant: SeededTenant;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestPgDatabase("twoinst");
    const env = { DATABASE_URL: db.url, LAWFUL_MASTER_KEY: MASTER, PUBLIC_RATE_LIMIT_PER_MINUTE: "100000", PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE: "100000" };
    tenant = await seedTenant(env, "acme");
    servers = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill("SIGKILL")));
    await db?.drop();
  });

  it("200 mixed writes split across both - each task executed once, one gap-free audit chain, job leases held by one live instance", async () => {
    const load = new Workload(tenant);
    const owners = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await db.pool.query<{ lease_owner: string | null }>("SELECT lease_owner FROM server_jobs WHERE lease_owner IS NOT NULL");
        for (const r of rows) owners.add(r.lease_owner!);
        await sleep(20);
      }
    })();
    await load.run(
      servers.map((s) => s.url),
      async () => {
        while (load.stats.acknowledged < 200) await sleep(25);
      },
    );
    // the queue drains: every started request gets worked by one of the instances
    let open = await load.unworked(servers[0]!.url);
    for (let i = 0; i < 60 && open.length > 0; i++) {
      await sleep(500);
      open = await load.unworked(servers[1]!.url);
    }
    sampling = false;
    await sampler;
    expect(open).toEqual([]);
    expect(load.unexpected).toEqual([]);
    expect(await load.check(servers[1]!.url)).toEqual([]);

    // each task ran once: claimed once, completed, and one task audit event per task
    const tasks = (await db.pool.query<{ id: string; status: string; attempts: number }>("SELECT id, status, attempts FROM dsr_tasks WHERE tenant_id = $1", [tenant.tenantId])).rows;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.filter((t) => t.status !== "done" || t.attempts !== 1)).toEqual([]);
    const perAction = (await db.pool.query<{ action: string; n: number }>("SELECT action, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 GROUP BY action", [tenant.tenantId])).rows;
    // every worked task of an access request writes one data.accessed event: a second execution would add one
    expect(perAction.find((a) => a.action === "data.accessed")?.n).toBe(tasks.length);
    // side effects of requests: one verification code message per verified request
    const codes = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM server_outbox WHERE tenant_id = $1 AND kind = 'verification_code' GROUP BY subject_pseudonym", [tenant.tenantId])).rows;
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c) => c.n !== 1)).toEqual([]);

    // one chain: sequences 0..n-1 without gaps or duplicates, and the log verifies
    const [seq] = (await db.pool.query<{ n: number; lo: number; hi: number; distinct: number }>(
      "SELECT count(*)::int AS n, min(sequence)::int AS lo, max(sequence)::int AS hi, count(DISTINCT sequence)::int AS distinct FROM audit_events WHERE tenant_id = $1",
      [tenant.tenantId],
    )).rows;
    expect(seq!.distinct).toBe(seq!.n);
    expect(seq!.hi - seq!.lo + 1).toBe(seq!.n);
    const [head] = (await db.pool.query<{ size: string }>("SELECT size FROM audit_heads WHERE tenant_id = $1", [tenant.tenantId])).rows;
    expect(Number(head!.size)).toBe(seq!.n);

    // job leases were only ever held by the two live instances
    const live = servers.map((s) => `${hostname()}:${s.pid}:`);
    expect(owners.size).toBeGreaterThan(0);
    expect([...owners].filter((o) => !live.some((p) => o.startsWith(p)))).toEqual([]);
  });

  it("the same Idempotency-Key sent to both instances at once - one record, equal responses", async () => {
    for (let i = 0; i < 10; i++) {
      const email = `twice-${i}-${Date.now()}@example.com`;
      const init = {
        method: "POST",
        headers: { authorization: `Bearer ${tenant.adminKey}`, "content-type": "application/json", "idempotency-key": `both-${i}-${email}` },
        body: JSON.stringify({ subject: { kind: "email", value: email }, purposeId: "newsletter", type: "given", notice: { noticeId: "signup", version: 1 }, method: "button_clicked", evidence: { collectionPoint: "two-instances" } }),
      };
      const answers = await Promise.all(servers.map(async (s) => {
        const res = await fetch(`${s.url}/v1/consent-events`, init);
        return { status: res.status, body: await res.text() };
      }));
      // a request still in flight on the other instance may answer 409; its retry replays the stored answer
      for (const [n, a] of answers.entries()) {
        if (a.status === 409) {
          const res = await fetch(`${servers[n]!.url}/v1/consent-events`, init);
          answers[n] = { status: res.status, body: await res.text() };
        }
      }
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      expect(answers[0]!.body).toBe(answers[1]!.body);
      const history = (await (await fetch(`${servers[0]!.url}/v1/subjects/${encodeURIComponent(`email:${email}`)}/consents`, { headers: { authorization: `Bearer ${tenant.adminKey}` } })).json()) as { history: unknown[] };
      expect(history.history).toHaveLength(1);
    }
  });
});
