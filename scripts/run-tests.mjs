#!/usr/bin/env node
// Runs every test: starts a throwaway PostgreSQL (unless TEST_DATABASE_URL is
// set), makes sure Chromium is there, runs vitest, always stops PostgreSQL, and
// prints "N passed, N failed" from vitest's JSON report.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import { ensureChromium } from "./lib/chromium.mjs";
import { processAlive, startPostgres } from "./lib/postgres.mjs";

const report = ".test-artifacts/vitest-report.json";
mkdirSync(".test-artifacts", { recursive: true });
rmSync(report, { force: true });

const env = { ...process.env };
env.CHROMIUM_PATH = ensureChromium();

let pg;
let stopping = false;
const stopPg = () => {
  if (!pg || stopping) return;
  stopping = true;
  pg.stop();
  if (processAlive(pg.pid)) {
    console.error(`PostgreSQL (pid ${pg.pid}) is still running after stop.`);
    process.exitCode = 1;
  }
};
process.on("exit", stopPg);
if (!env.TEST_DATABASE_URL) {
  pg = await startPostgres();
  env.TEST_DATABASE_URL = pg.url;
  env.LAWFUL_TEST_PG_PID = String(pg.pid);
  console.error(`Throwaway PostgreSQL on 127.0.0.1:${pg.port} (pid ${pg.pid})`);
}

const child = spawn(
  "pnpm",
  ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", env },
);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    child.kill(sig);
  });
}
const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
stopPg();

let passed = 0;
let failed;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  if (r.numTotalTests === 0) {
    console.error("No test was executed.");
    process.exitCode = 1;
  }
} else {
  console.error("vitest wrote no JSON report.");
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(code !== 0 ? code : (process.exitCode ?? 0));
