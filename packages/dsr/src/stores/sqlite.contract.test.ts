import { afterAll, expect, it } from "vitest";
import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile } from "@lawful/testkit";
import { createSqliteDsrStore } from "./sqlite.js";
import { describeDsrStoreContract, sampleDsrRequest } from "../testing/index.js";

const file = createTestSqliteFile("dsr.db");
const db = file.open();
configureSqlite(db);
afterAll(() => file.cleanup());

describeDsrStoreContract({
  name: "sqlite",
  create: () => createSqliteDsrStore({ database: db }),
  reset: async () => {
    await createSqliteDsrStore({ database: db }).listRequests("warmup");
    db.exec("DELETE FROM dsr_tasks; DELETE FROM dsr_requests;");
  },
  additionalTests: () => {
    it("createSqliteDsrStore - data survive reopening the file", async () => {
      await createSqliteDsrStore({ database: db }).insertRequest(sampleDsrRequest({ tenantId: "durable", id: "r1" }));
      const db2 = file.open();
      configureSqlite(db2);
      const reopened = createSqliteDsrStore({ database: db2 });
      expect((await reopened.getRequest("durable", "r1"))?.id).toBe("r1");
      await reopened.close();
    });

    it("createSqliteDsrStore - refuses options without a database", () => {
      expect(() => createSqliteDsrStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
