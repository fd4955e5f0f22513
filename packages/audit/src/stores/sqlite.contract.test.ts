import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, beforeAll } from "vitest";
import { describeAuditStoreContract, describeKeyStoreContract } from "../testing/index.js";
import { createSqliteAuditStore, createSqliteKeyStore } from "./sqlite.js";

let file: TestSqliteFile;
let db: ReturnType<TestSqliteFile["open"]>;
beforeAll(() => {
  file = createTestSqliteFile("audit.db");
  db = file.open();
  configureSqlite(db);
});
afterAll(() => file.cleanup());

describeAuditStoreContract({ name: "sqlite file", create: () => createSqliteAuditStore({ database: db }) });
describeKeyStoreContract({ name: "sqlite file", create: () => createSqliteKeyStore({ database: db }) });
