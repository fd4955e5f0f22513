import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "@lawful/core";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { openDatabase, type OpenDatabase } from "./db.js";
import { SCHEDULER_MIGRATIONS, createScheduler } from "./scheduler.js";

describe("scheduler on PostgreSQL with two instances", () => {
  let pg: TestPgDatabase;
  let a: OpenDatabase;
  let b: OpenDatabase;
  beforeAll(async () => {
    pg = await createTestPgDatabase("sched");
    a = openDatabase(pg.url);
    b = openDatabase(pg.url);
    await a.sql.migrate("@lawful/reference-server/scheduler", SCHEDULER_MIGRATIONS);
  });
  afterAll(async () => {
    await a?.sql.close();
    await b?.sql.close();
    await pg?.drop();
  });

  it("tick - a due job runs on exactly one instance, then again after its interval", async () => {
    const clock = createManualClock("2026-01-01T00:00:00Z");
    let runs = 0;
    const job = (owner: string) => ({
      name: "nightly",
      intervalMs: 60_000,
      run: async () => {
        runs++;
        expect(owner).toMatch(/^inst-/);
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const s1 = createScheduler(a.sql, clock, "inst-1", [job("inst-1")]);
    const s2 = createScheduler(b.sql, clock, "inst-2", [job("inst-2")]);
    await s1.register();
    await s2.register();
    const [r1, r2] = await Promise.all([s1.tick(), s2.tick()]);
    expect(runs).toBe(1);
    expect([...r1, ...r2]).toEqual(["nightly"]);
    expect(await Promise.all([s1.tick(), s2.tick()])).toEqual([[], []]);
    clock.advance(60_000);
    await Promise.all([s1.tick(), s2.tick()]);
    expect(runs).toBe(2);
    const [status] = await s1.status();
    expect(status).toMatchObject({ name: "nightly", runs: 2, lastError: null });
  });

  it("tick - a crashed instance's lease expires and another instance takes the job over", async () => {
    const clock = createManualClock("2026-02-01T00:00:00Z");
    await a.sql.run("INSERT INTO server_jobs (name, interval_ms, next_run_at, lease_owner, lease_until) VALUES ('orphan', 1000, ?, 'dead', ?)", [
      "2026-02-01T00:00:00.000Z",
      "2026-02-01T00:05:00.000Z",
    ]);
    let ran = 0;
    const s = createScheduler(b.sql, clock, "inst-3", [{ name: "orphan", intervalMs: 1000, run: () => Promise.resolve(void ran++) }]);
    expect(await s.tick()).toEqual([]);
    clock.advance({ minutes: 6 });
    expect(await s.tick()).toEqual(["orphan"]);
    expect(ran).toBe(1);
  });

  it("tick - a failing job records the error name, not its message, and is retried", async () => {
    const clock = createManualClock("2026-03-01T00:00:00Z");
    const s = createScheduler(a.sql, clock, "inst-4", [
      { name: "failing", intervalMs: 10_000, run: () => Promise.reject(new TypeError("contains ada@example.com")) },
    ]);
    await s.register();
    await s.tick();
    const status = (await s.status()).find((j) => j.name === "failing");
    expect(status?.lastError).toBe("TypeError");
    expect(JSON.stringify(status)).not.toContain("example.com");
    await s.stop();
  });
});
