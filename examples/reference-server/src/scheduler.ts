import type { Clock, Migration } from "@lawful/core";
import type { Sql } from "./db.js";

/** Table of periodic jobs with leases, so several server instances never run one job at once. */
export const SCHEDULER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "scheduled jobs with leases",
    sql: [
      `CREATE TABLE server_jobs (name TEXT PRIMARY KEY, interval_ms INTEGER NOT NULL, next_run_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT, last_ok_at TEXT, last_error TEXT, runs INTEGER NOT NULL DEFAULT 0)`,
    ],
  },
];

/** One periodic job. `run` must be safe to re-run after a crash (it may be retried when a lease expires). */
export interface Job {
  name: string;
  intervalMs: number;
  /** How long a run may take before another instance may take it over. @default 5 minutes */
  leaseMs?: number;
  run(signal: AbortSignal): Promise<void>;
}

/** What a job did last. */
export interface JobStatus {
  name: string;
  nextRunAt: string;
  lastOkAt: string | null;
  lastError: string | null;
  runs: number;
}

/**
 * Runs periodic jobs in-process. Each job is claimed with a lease row
 * (an atomic conditional UPDATE), so with several instances on one PostgreSQL
 * database exactly one runs a due job; a crashed instance's lease expires and
 * another takes over. `stop()` waits for running jobs to finish.
 */
export function createScheduler(sql: Sql, clock: Clock, owner: string, jobs: readonly Job[], options: { tickMs?: number } = {}) {
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  async function register(): Promise<void> {
    const now = clock.now().toISOString();
    for (const job of jobs) {
      await sql.run("INSERT INTO server_jobs (name, interval_ms, next_run_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING", [job.name, job.intervalMs, now]);
    }
  }

  /** Claim and run every due job once; resolves when those runs finish. Returns the names run. */
  async function tick(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of jobs) {
      if (controller.signal.aborted) break;
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + (job.leaseMs ?? 300_000)).toISOString();
      const claimed = await sql.run(
        "UPDATE server_jobs SET lease_owner = ?, lease_until = ? WHERE name = ? AND next_run_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
        [owner, leaseUntil, job.name, now.toISOString(), now.toISOString()],
      );
      if (claimed !== 1) continue;
      const p = (async () => {
        try {
          await job.run(controller.signal);
          const done = clock.now();
          await sql.run("UPDATE server_jobs SET lease_owner = NULL, lease_until = NULL, last_ok_at = ?, last_error = NULL, runs = runs + 1, next_run_at = ? WHERE name = ? AND lease_owner = ?", [
            done.toISOString(),
            new Date(done.getTime() + job.intervalMs).toISOString(),
            job.name,
            owner,
          ]);
        } catch (error) {
          const done = clock.now();
          // error names and codes only: messages may carry details we do not log
          const what = `${(error as Error).name ?? "Error"}${(error as { code?: unknown }).code ? ` ${String((error as { code?: unknown }).code)}` : ""}`;
          await sql.run("UPDATE server_jobs SET lease_owner = NULL, lease_until = NULL, last_error = ?, next_run_at = ? WHERE name = ? AND lease_owner = ?", [
            what,
            new Date(done.getTime() + Math.min(job.intervalMs, 60_000)).toISOString(),
            job.name,
            owner,
          ]);
        }
      })();
      running.add(p);
      void p.finally(() => running.delete(p));
      ran.push(job.name);
      await p;
    }
    return ran;
  }

  return {
    register,
    tick,
    start(): void {
      const loop = () => {
        timer = setTimeout(() => {
          void tick().finally(() => {
            if (!controller.signal.aborted) loop();
          });
        }, options.tickMs ?? 1000);
        timer.unref();
      };
      loop();
    },
    async status(): Promise<JobStatus[]> {
      const rows = await sql.all<{ name: string; next_run_at: string; last_ok_at: string | null; last_error: string | null; runs: number }>(
        "SELECT name, next_run_at, last_ok_at, last_error, runs FROM server_jobs ORDER BY name",
      );
      return rows.map((r) => ({ name: r.name, nextRunAt: r.next_run_at, lastOkAt: r.last_ok_at, lastError: r.last_error, runs: Number(r.runs) }));
    },
    async stop(): Promise<void> {
      controller.abort();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...running]);
    },
  };
}

/** A scheduler. */
export type Scheduler = ReturnType<typeof createScheduler>;
