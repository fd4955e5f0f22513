import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryAuditSink, createPseudonymizer } from "@lawful/core";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import type { DataSource } from "../data-source.js";
import { createDsrService, type DsrService } from "../service.js";
import { createPostgresDsrStore } from "./postgres.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/pg-worker.child.ts", import.meta.url));

function worker(url: string, id: string, leaseMs: number, hangOn?: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", CHILD, url, id, String(leaseMs), ...(hangOn ? [hangOn] : [])], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => out };
}

const stub = (id: string): DataSource => ({
  id,
  categories: ["contact.email"],
  locate: () => Promise.reject(new Error("parent does not run tasks")),
  export: () => Promise.reject(new Error("parent does not run tasks")),
  rectify: () => Promise.reject(new Error("parent does not run tasks")),
  erase: () => Promise.reject(new Error("parent does not run tasks")),
  restrict: () => Promise.reject(new Error("parent does not run tasks")),
});

describe("two worker processes on one PostgreSQL queue", () => {
  let db: TestPgDatabase;
  let dsr: DsrService;
  beforeAll(async () => {
    db = await createTestPgDatabase("dsr_workers");
    await db.pool.query("CREATE TABLE executions (idempotency_key TEXT NOT NULL, worker TEXT NOT NULL)");
    dsr = createDsrService({
      store: createPostgresDsrStore({ pool: db.pool }),
      audit: createMemoryAuditSink(),
      pseudonymizer: createPseudonymizer({ key: new Uint8Array(32).fill(1) }),
      dataSources: [stub("s1"), stub("s2"), stub("s3")],
    });
  });
  afterAll(async () => db?.drop());

  async function submitAndStart(n: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { request } = await dsr.submit({
        tenantId: "acme",
        type: "access",
        regime: "EU",
        subject: { kind: "email", value: `${prefix}${i}@example.com` },
        channel: "web_form",
        timeZone: "Europe/Berlin",
      });
      await dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
      await dsr.start("acme", request.id);
      ids.push(request.id);
    }
    return ids;
  }

  it("work - every task is done exactly once and every request finalized once", async () => {
    const ids = await submitAndStart(10, "p");
    const a = worker(db.url, "A", 60_000);
    const b = worker(db.url, "B", 60_000);
    const codes = await Promise.all([a.exited, b.exited]);
    expect(codes, a.output() + b.output()).toEqual([0, 0]);
    const { rows: tasks } = await db.pool.query<{ status: string; claimed_by: string }>("SELECT status, claimed_by FROM dsr_tasks");
    expect(tasks).toHaveLength(30);
    expect(tasks.every((t) => t.status === "done")).toBe(true);
    const { rows: exec } = await db.pool.query<{ idempotency_key: string; n: string }>("SELECT idempotency_key, count(*) AS n FROM executions GROUP BY idempotency_key");
    expect(exec).toHaveLength(30);
    expect(exec.every((e) => Number(e.n) === 1)).toBe(true);
    const { rows: by } = await db.pool.query<{ worker: string }>("SELECT DISTINCT worker FROM executions");
    expect(by.length).toBeGreaterThanOrEqual(1);
    for (const id of ids) {
      const r = await dsr.get("acme", id);
      expect(r.state).toBe("completed");
      expect(r.history.filter((h) => h.action === "complete")).toHaveLength(1);
    }
  });

  it("work - a worker killed mid-task leaves the task to be retried after its lease; it completes once", async () => {
    await db.pool.query("DELETE FROM executions");
    const [id] = await submitAndStart(1, "kill");
    const a = worker(db.url, "K", 1_000, "s2");
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (a.output().includes("HANGING")) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    a.child.kill("SIGKILL");
    await a.exited;
    const b = worker(db.url, "B2", 1_000);
    expect(await b.exited, b.output()).toBe(0);
    const { rows } = await db.pool.query<{ worker: string; idempotency_key: string }>("SELECT worker, idempotency_key FROM executions WHERE idempotency_key LIKE '%s2%'");
    expect(rows.map((r) => r.worker).sort()).toEqual(["B2", "K"]); // run again after the lease expired
    const { rows: tasks } = await db.pool.query<{ status: string; claimed_by: string; attempts: number }>(
      "SELECT status, claimed_by, attempts FROM dsr_tasks WHERE request_id = $1 AND idempotency_key LIKE '%s2%'",
      [id],
    );
    expect(tasks).toEqual([{ status: "done", claimed_by: "B2", attempts: 2 }]);
    const r = await dsr.get("acme", id!);
    expect(r.state).toBe("completed");
    expect(r.history.filter((h) => h.action === "complete")).toHaveLength(1);
  });
});
