/**
 * Helpers for Lawful's own tests. Real components only: PostgreSQL databases on
 * the server that `npm test` starts (or TEST_DATABASE_URL), SQLite files on
 * disk, and Debian's Chromium through playwright-core.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { chromium, type Browser } from "playwright-core";

/** The admin URL of the test PostgreSQL server; throws with instructions when there is none. */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "PostgreSQL tests need a server: run `npm test` (it starts a throwaway PostgreSQL) or set TEST_DATABASE_URL=postgres://user@host:port/db.",
    );
  }
  return url;
}

/** A fresh, empty PostgreSQL database for one test file. */
export interface TestPgDatabase {
  readonly url: string;
  readonly name: string;
  /** A pool on the database; ended by `drop()`. */
  readonly pool: pg.Pool;
  /** Open another pool on the same database (e.g. to simulate a second process); ended by `drop()`. */
  newPool(max?: number): pg.Pool;
  /** End every pool and drop the database. */
  drop(): Promise<void>;
}

/** Create a uniquely named database on the test server. */
export async function createTestPgDatabase(prefix = "t"): Promise<TestPgDatabase> {
  const admin = testDatabaseUrl();
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(6).toString("hex")}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  try {
    await adminClient.query(`CREATE DATABASE ${name}`);
  } finally {
    await adminClient.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pools: pg.Pool[] = [];
  const newPool = (max = 10) => {
    const p = new pg.Pool({ connectionString: url, max });
    p.on("error", () => {
      /* idle client errors surface in the test that used them */
    });
    pools.push(p);
    return p;
  };
  const pool = newPool();
  return {
    url,
    name,
    pool,
    newPool,
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A SQLite database file in a fresh temp directory. */
export interface TestSqliteFile {
  readonly dir: string;
  readonly path: string;
  /** Open a connection (better-sqlite3) on the file. */
  open(): Database.Database;
  /** Close every connection opened here and delete the directory. */
  cleanup(): void;
}

/** Create a temp directory holding `name` (default `test.db`). */
export function createTestSqliteFile(name = "test.db"): TestSqliteFile {
  const dir = mkdtempSync(join(tmpdir(), "lawful-sqlite-"));
  const path = join(dir, name);
  const open: Database.Database[] = [];
  return {
    dir,
    path,
    open() {
      const db = new Database(path);
      open.push(db);
      return db;
    },
    cleanup() {
      for (const db of open) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Flags that keep headless Chromium off the network and quiet on these machines. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launch Debian's Chromium headless (CHROMIUM_PATH, else /usr/bin/chromium). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** Directory for screenshots and other artefacts of a test run (created on demand). */
export function artifactsDir(...parts: string[]): string {
  const dir = resolve(import.meta.dirname, "../../../.test-artifacts", ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
