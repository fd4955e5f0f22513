import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPgDatabase, createTestSqliteFile, type TestPgDatabase, type TestSqliteFile } from "@lawful/testkit";
import { isLawfulError } from "../errors.js";
import { configureSqlite, once, runPgMigrations, runSqliteMigrations, type MigrationSet } from "./migrations.js";
import { inSqliteTransaction, pgQueryable, pgTransaction, sqliteTransaction } from "./transactions.js";

const set: MigrationSet = {
  component: "test-component",
  migrations: [
    { version: 1, name: "create items", sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT NOT NULL)" },
    { version: 2, name: "add tag", sql: ["ALTER TABLE items ADD COLUMN tag TEXT", "CREATE INDEX items_tag ON items (tag)"] },
  ],
};

describe("SQLite plumbing", () => {
  let file: TestSqliteFile;
  beforeAll(() => {
    file = createTestSqliteFile();
  });
  afterAll(() => file.cleanup());

  it("configureSqlite - sets WAL, synchronous FULL, secure_delete and foreign keys", () => {
    const db = file.open();
    configureSqlite(db);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("secure_delete", { simple: true })).toBe(1);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("runSqliteMigrations - applies pending versions once and is idempotent", async () => {
    const db = file.open();
    configureSqlite(db);
    const first = await runSqliteMigrations(db, set);
    expect(first).toEqual({ component: "test-component", applied: [1, 2], current: 2 });
    const second = await runSqliteMigrations(db, set);
    expect(second.applied).toEqual([]);
    db.prepare("INSERT INTO items (note, tag) VALUES (?, ?)").run("a", "t");
    expect(db.prepare("SELECT count(*) AS n FROM items").get()).toEqual({ n: 1 });
  });

  it("runSqliteMigrations - refuses a schema newer than the code and changed migrations", async () => {
    const db = file.open();
    const older: MigrationSet = { component: set.component, migrations: set.migrations.slice(0, 1) };
    await expect(runSqliteMigrations(db, older)).rejects.toThrow(/newer than this code/);
    const changed: MigrationSet = { component: set.component, migrations: [{ ...set.migrations[0]!, sql: "CREATE TABLE x (y INT)" }, set.migrations[1]!] };
    await expect(runSqliteMigrations(db, changed)).rejects.toThrow(/changed after it was applied/);
  });

  it("runSqliteMigrations - a failing migration leaves nothing of itself behind", async () => {
    const db = file.open();
    const bad: MigrationSet = {
      component: "broken",
      migrations: [{ version: 1, name: "half", sql: ["CREATE TABLE half_done (x INT)", "CREATE TABLE nope ("] }],
    };
    const err = await runSqliteMigrations(db, bad).catch((e: unknown) => e);
    expect(isLawfulError(err) && err.code).toBe("MIGRATION_FAILED");
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
  });

  it("runSqliteMigrations - rejects versions that do not count up from 1", async () => {
    const db = file.open();
    const err = await runSqliteMigrations(db, { component: "gap", migrations: [{ version: 2, name: "x", sql: "SELECT 1" }] }).catch((e: unknown) => e);
    expect(isLawfulError(err) && err.issues[0]!.path).toEqual(["migrations", 0, "version"]);
  });

  it("sqliteTransaction - commits on success, rolls back on error, nests as savepoints", async () => {
    const db = file.open();
    db.exec("CREATE TABLE IF NOT EXISTS tx (v INT)");
    await sqliteTransaction(db, async () => {
      db.prepare("INSERT INTO tx VALUES (1)").run();
      await Promise.resolve();
      expect(inSqliteTransaction(db)).toBe(true);
      await sqliteTransaction(db, () => {
        db.prepare("INSERT INTO tx VALUES (2)").run();
      });
      await sqliteTransaction(db, () => {
        db.prepare("INSERT INTO tx VALUES (3)").run();
        throw new Error("inner fails");
      }).catch(() => undefined);
    });
    expect(inSqliteTransaction(db)).toBe(false);
    await expect(
      sqliteTransaction(db, () => {
        db.prepare("INSERT INTO tx VALUES (4)").run();
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(db.prepare("SELECT v FROM tx ORDER BY v").all()).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it("sqliteTransaction - concurrent async transactions on one connection do not interleave", async () => {
    const db = file.open();
    db.exec("CREATE TABLE IF NOT EXISTS seq (flow TEXT, step INT)");
    const flow = (name: string) =>
      sqliteTransaction(db, async () => {
        for (let i = 0; i < 5; i++) {
          db.prepare("INSERT INTO seq VALUES (?, ?)").run(name, i);
          await new Promise((r) => setTimeout(r, 1));
        }
      });
    await Promise.all([flow("a"), flow("b"), flow("c")]);
    const rows = db.prepare("SELECT flow FROM seq ORDER BY rowid").all() as { flow: string }[];
    const runs = rows.map((r) => r.flow).join("");
    expect(runs).toMatch(/^(a{5}|b{5}|c{5}){3}$/);
  });

  it("once - shares one run and retries after a failure", async () => {
    let calls = 0;
    const init = once(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("first fails")) : Promise.resolve(calls);
    });
    await expect(init()).rejects.toThrow("first fails");
    expect(await Promise.all([init(), init()])).toEqual([2, 2]);
    expect(calls).toBe(2);
  });
});

describe("PostgreSQL plumbing", () => {
  let db: TestPgDatabase;
  beforeAll(async () => {
    db = await createTestPgDatabase("core_sql");
  });
  afterAll(async () => db?.drop());

  it("runPgMigrations - several processes migrating at once apply each version exactly once", async () => {
    const pools = [db.pool, db.newPool(2), db.newPool(2)];
    const results = await Promise.all(pools.map((p) => runPgMigrations(p, set)));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 2]);
    const { rows } = await db.pool.query<{ version: number }>("SELECT version FROM lawful_migrations WHERE component = $1 ORDER BY version", [set.component]);
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });

  it("pgTransaction - stores sharing a pool commit together through pgQueryable", async () => {
    await db.pool.query("CREATE TABLE IF NOT EXISTS ptx (v INT)");
    const storeA = { add: (v: number) => pgQueryable(db.pool).query("INSERT INTO ptx VALUES ($1)", [v]) };
    const storeB = { add: (v: number) => pgQueryable(db.pool).query("INSERT INTO ptx VALUES ($1)", [v]) };
    await expect(
      pgTransaction(db.pool, async () => {
        await storeA.add(1);
        await storeB.add(2);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await pgTransaction(db.pool, async () => {
      await storeA.add(3);
      await pgTransaction(db.pool, async () => {
        await storeB.add(4);
        throw new Error("inner");
      }).catch(() => undefined);
      await storeB.add(5);
    });
    const { rows } = await db.pool.query<{ v: number }>("SELECT v FROM ptx ORDER BY v");
    expect(rows.map((r) => r.v)).toEqual([3, 5]);
  });
});
