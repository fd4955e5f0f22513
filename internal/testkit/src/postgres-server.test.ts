import { describe, expect, it } from "vitest";
import net from "node:net";
import pg from "pg";
// the same module scripts/run-tests.mjs uses to start the suite's server
import { processAlive, startPostgres } from "../../../scripts/lib/postgres.mjs";
import { createTestPgDatabase, testDatabaseUrl } from "./index.js";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

describe("throwaway PostgreSQL", () => {
  it("suite server - is a real server: a table created on one connection is seen by a second", async () => {
    expect(testDatabaseUrl()).toMatch(/^postgres(ql)?:\/\//);
    const db = await createTestPgDatabase("pgreal");
    try {
      await db.pool.query("CREATE TABLE probe (id int PRIMARY KEY, note text)");
      await db.pool.query("INSERT INTO probe VALUES (1, 'hello')");
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        const { rows } = await other.query<{ note: string }>("SELECT note FROM probe WHERE id = 1");
        expect(rows).toEqual([{ note: "hello" }]);
        const v = await other.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
        expect(v.rows[0]!.v).toBeGreaterThanOrEqual(120000);
      } finally {
        await other.end();
      }
    } finally {
      await db.drop();
    }
  });

  it("start and stop - a started server accepts connections and is gone after stop", async () => {
    const server = await startPostgres();
    let stopped = false;
    try {
      expect(await portOpen(server.port)).toBe(true);
      const c1 = new pg.Client({ connectionString: server.url });
      await c1.connect();
      await c1.query("CREATE TABLE t (x int)");
      await c1.query("INSERT INTO t VALUES (42)");
      const c2 = new pg.Client({ connectionString: server.url });
      await c2.connect();
      expect((await c2.query<{ x: number }>("SELECT x FROM t")).rows).toEqual([{ x: 42 }]);
      await c1.end();
      await c2.end();
      expect(processAlive(server.pid)).toBe(true);
      server.stop();
      stopped = true;
      expect(processAlive(server.pid)).toBe(false);
      expect(await portOpen(server.port)).toBe(false);
    } finally {
      if (!stopped) server.stop();
    }
  }, 120_000);
});
