import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, expect, it } from "vitest";
import { describeConsentStoreContract } from "../testing/index.js";
import { createSqliteConsentStore } from "./sqlite.js";

const files: TestSqliteFile[] = [];
afterAll(() => {
  for (const f of files) f.cleanup();
});

function open() {
  const file = createTestSqliteFile();
  files.push(file);
  const db = file.open();
  configureSqlite(db);
  return { file, db };
}

describeConsentStoreContract({
  name: "sqlite",
  create: () => createSqliteConsentStore({ database: open().db }),
  additionalTests: () => {
    it("durability - events and projection survive reopening the file", async () => {
      const { file, db } = open();
      const store = createSqliteConsentStore({ database: db });
      await store.putPurpose({ tenantId: "acme", id: "newsletter", name: "N", channel: "email", lawfulBasis: "consent", regime: "EU", model: "opt_in", directMarketing: true, saleOrSharing: false, doubleOptIn: false });
      db.close();
      const again = createSqliteConsentStore({ database: file.open() });
      expect((await again.listPurposes("acme")).map((p) => p.id)).toEqual(["newsletter"]);
    });
  },
});
