import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { createPostgresDsrStore } from "./postgres.js";
import { describeDsrStoreContract, sampleDsrRequest } from "../testing/index.js";

let db: TestPgDatabase;
beforeAll(async () => {
  db = await createTestPgDatabase("dsr");
});
afterAll(async () => {
  await db.drop();
});

describeDsrStoreContract({
  name: "postgres",
  create: () => createPostgresDsrStore({ pool: db.pool }),
  reset: async () => {
    await createPostgresDsrStore({ pool: db.pool }).listRequests("warmup");
    await db.pool.query("DELETE FROM dsr_tasks; DELETE FROM dsr_requests;");
  },
  additionalTests: () => {
    it("createPostgresDsrStore - two stores on separate pools migrate once and see each other's writes", async () => {
      const other = createPostgresDsrStore({ pool: db.newPool(2) });
      await other.insertRequest(sampleDsrRequest({ tenantId: "shared", id: "r1" }));
      expect((await createPostgresDsrStore({ pool: db.pool }).getRequest("shared", "r1"))?.id).toBe("r1");
      await other.close();
    });

    it("createPostgresDsrStore - refuses options without a pool", () => {
      expect(() => createPostgresDsrStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
