import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { afterAll, beforeAll } from "vitest";
import { describeConsentStoreContract } from "../testing/index.js";
import { createPostgresConsentStore } from "./postgres.js";

let database: TestPgDatabase;
beforeAll(async () => {
  database = await createTestPgDatabase("consent");
});
afterAll(async () => {
  await database?.drop();
});

describeConsentStoreContract({ name: "postgres", create: () => createPostgresConsentStore({ pool: database.pool }) });
