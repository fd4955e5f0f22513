// Crash safety: the real server in a child process, killed with SIGKILL at random moments while
// parallel writes stream in, restarted on the same database each time. Nothing acknowledged may be
// lost, retried writes must not duplicate, the audit log must verify and the queue must resume.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPgDatabase, createTestSqliteFile } from "@lawful/testkit";
import { openDatabase } from "./db.js";
import { seedTenant, type SeededTenant } from "./testing/seed.js";
import { startServerProcess, type ServerProcess } from "./testing/server-process.js";
import { Workload } from "./testing/workload.js";

const MASTER = Buffer.alloc(32, 9).toString("base64url");
const CYCLES = 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A database for the child processes: its env and how to remove it. */
const DATABASES: [string, () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>][] = [
  [
    "sqlite",
    () => {
      const file = createTestSqliteFile("crash.db");
      return Promise.resolve({ env: { DATABASE_URL: `sqlite:${file.path}` }, drop: () => Promise.resolve(file.cleanup()) });
    },
  ],
  [
    "postgres",
    async () => {
      const db = await createTestPgDatabase("crash");
      return { env: { DATABASE_URL: db.url, LAWFUL_MASTER_KEY: MASTER }, drop: () => db.drop() };
    },
  ],
];

describe.each(DATABASES)("crash safety on %s", (_name, open) => {
  let db: Awaited<ReturnType<typeof open>>;
  let env: Record<string, string>;
  let load: Workload;
  let tenant: SeededTenant;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    db = await open();
    // short leases, so a restarted instance takes over the killed one's queue within seconds
    env = { ...db.env, WORK_LEASE_MS: "2000", PUBLIC_RATE_LIMIT_PER_MINUTE: "100000", PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE: "100000" };
    tenant = await seedTenant(env, "acme");
    load = new Workload(tenant);
  });
  afterAll(async () => {
    await server?.kill("SIGKILL");
    await db?.drop();
  });

  it(`SIGKILL ${CYCLES} times under parallel writes - every acknowledged write survives, retries do not duplicate, the log verifies, the queue resumes`, { timeout: 240_000 }, async () => {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      server = await startServerProcess({ env });
      // writes the killed instance never answered: same key, same body, on the restarted one
      await load.retryUnacknowledged(server.url);
      // SIGKILL at a random moment while the lanes have writes in flight
      const running = server;
      await load.run([running.url], async () => {
        await sleep(100 + Math.floor(Math.random() * 500));
        expect(await running.kill("SIGKILL")).toBe("SIGKILL");
      });
    }
    server = await startServerProcess({ env });
    await load.retryUnacknowledged(server.url);
    // the queue resumes: every started request gets worked after the restarts (leases of 2 s expire)
    let unworked = await load.unworked(server.url);
    for (let i = 0; i < 60 && unworked.length > 0; i++) {
      await sleep(500);
      unworked = await load.unworked(server.url);
    }
    expect(unworked, "requests still not worked after the restart").toEqual([]);
    expect(load.unexpected, "non-2xx answers to valid writes").toEqual([]);
    expect(await load.check(server.url)).toEqual([]);
    expect(load.requestCount).toBeGreaterThan(CYCLES);
    expect(load.stats.retentionRuns).toBeGreaterThan(0);
    // writes were in flight at the kills and were retried (each either replayed or, if lost, done once)
    expect(load.stats.retried).toBeGreaterThan(0);
    await server.kill("SIGTERM");
    // one chain per tenant: sequences without gaps or duplicates, matching the tree head
    const raw = openDatabase(env.DATABASE_URL!);
    try {
      const seq = (await raw.sql.get<Record<"n" | "lo" | "hi" | "d", number | string>>(
        "SELECT count(*) AS n, min(sequence) AS lo, max(sequence) AS hi, count(DISTINCT sequence) AS d FROM audit_events WHERE tenant_id = ?",
        [tenant.tenantId],
      ))!;
      const head = await raw.sql.get<{ size: number | string }>("SELECT size FROM audit_heads WHERE tenant_id = ?", [tenant.tenantId]);
      expect(Number(seq.d)).toBe(Number(seq.n));
      expect(Number(seq.hi) - Number(seq.lo) + 1).toBe(Number(seq.n));
      expect(Number(head?.size)).toBe(Number(seq.n));
    } finally {
      await raw.sql.close();
    }
  });
});

describe("one SQLite connection shared by concurrent requests", () => {
  it("a write outside a transaction - waits for another request's open transaction and survives its rollback", async () => {
    const file = createTestSqliteFile("shared.db");
    const db = openDatabase(`sqlite:${file.path}`);
    try {
      await db.sql.run("CREATE TABLE t (x TEXT)");
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let began!: () => void;
      const inside = new Promise<void>((r) => (began = r));
      const failing = db.sql.transaction(async () => {
        await db.sql.run("INSERT INTO t VALUES ('inside')");
        began();
        await gate;
        throw new Error("handler failed");
      });
      await inside;
      const outside = db.sql.run("INSERT INTO t VALUES ('outside')");
      release();
      await expect(failing).rejects.toThrow("handler failed");
      expect(await outside).toBe(1);
      expect(await db.sql.all("SELECT x FROM t")).toEqual([{ x: "outside" }]);
    } finally {
      await db.sql.close();
      file.cleanup();
    }
  });
});
