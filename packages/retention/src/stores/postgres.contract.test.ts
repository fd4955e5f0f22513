import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { createPostgresRetentionStore } from "./postgres.js";
import { describeRetentionStoreContract } from "../testing/index.js";

let db: TestPgDatabase;
beforeAll(async () => {
  db = await createTestPgDatabase("retention");
});
afterAll(async () => {
  await db.drop();
});

describeRetentionStoreContract({
  name: "postgres",
  create: () => createPostgresRetentionStore({ pool: db.pool }),
  additionalTests: (getStore) => {
    it("createPostgresRetentionStore - two stores on separate pools migrate once and see each other's writes", async () => {
      const other = createPostgresRetentionStore({ pool: db.newPool(2) });
      await other.putRule("shared", { id: "r", title: "R", kind: "maximum", action: "review", duration: "P1Y", trigger: { type: "created" } });
      expect((await getStore().listRules("shared")).map((r) => r.id)).toEqual(["r"]);
      await other.close();
    });

    it("putRule - concurrent writers cannot store contradicting rules", async () => {
      const a = createPostgresRetentionStore({ pool: db.newPool(2) });
      const b = createPostgresRetentionStore({ pool: db.newPool(2) });
      const results = await Promise.allSettled([
        a.putRule("race", { id: "min", title: "Min", kind: "minimum", duration: "P10Y", trigger: { type: "created" } }),
        b.putRule("race", { id: "max", title: "Max", kind: "maximum", action: "delete", duration: "P1Y", trigger: { type: "created" } }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await getStore().listRules("race")).toHaveLength(1);
      await a.close();
      await b.close();
    });

    it("createPostgresRetentionStore - refuses options without a pool", () => {
      expect(() => createPostgresRetentionStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
