import { afterAll, expect, it } from "vitest";
import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile } from "@lawful/testkit";
import { createSqliteRetentionStore } from "./sqlite.js";
import { describeRetentionStoreContract } from "../testing/index.js";

const file = createTestSqliteFile("retention.db");
const db = file.open();
configureSqlite(db);
afterAll(() => file.cleanup());

describeRetentionStoreContract({
  name: "sqlite",
  create: () => createSqliteRetentionStore({ database: db }),
  additionalTests: (getStore) => {
    it("createSqliteRetentionStore - data survive reopening the file", async () => {
      await getStore().putRule("durable", { id: "r", title: "R", kind: "maximum", action: "review", duration: "P1Y", trigger: { type: "created" } });
      await getStore().putHold("durable", { id: "h", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" });
      const db2 = file.open();
      configureSqlite(db2);
      const reopened = createSqliteRetentionStore({ database: db2 });
      expect((await reopened.listRules("durable")).map((r) => r.id)).toEqual(["r"]);
      expect((await reopened.listHolds("durable")).map((h) => h.id)).toEqual(["h"]);
      await reopened.close();
    });

    it("createSqliteRetentionStore - refuses options without a database", () => {
      expect(() => createSqliteRetentionStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
