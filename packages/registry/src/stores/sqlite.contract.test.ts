import { afterAll, expect, it } from "vitest";
import { configureSqlite } from "@lawful/core";
import { createTestSqliteFile } from "@lawful/testkit";
import { createSqliteRegistryStore } from "./sqlite.js";
import { describeRegistryStoreContract } from "../testing/index.js";

const file = createTestSqliteFile("registry.db");
const db = file.open();
configureSqlite(db);
afterAll(() => file.cleanup());

describeRegistryStoreContract({
  name: "sqlite",
  create: () => createSqliteRegistryStore({ database: db }),
  additionalTests: (getStore) => {
    it("appendPartyVersion - party versions cannot be changed or deleted in the database", async () => {
      await getStore().listParties("warmup");
      db.prepare(
        "INSERT INTO registry_party_versions (tenant_id, party_id, version, status, role, recorded_at, record) VALUES ('x', 'p', 1, 'proposed', 'processor', '2026-01-01', '{}')",
      ).run();
      expect(() => db.prepare("UPDATE registry_party_versions SET status = 'active' WHERE tenant_id = 'x'").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM registry_party_versions WHERE tenant_id = 'x'").run()).toThrow(/append-only/);
    });

    it("createSqliteRegistryStore - data survive reopening the file", async () => {
      const store = getStore();
      await store.appendDisclosure({
        tenantId: "durable",
        id: "d1",
        recipientId: "mailer",
        subjectPseudonym: "ps1_a",
        categories: ["contact.email"],
        occurredAt: new Date("2026-01-01T00:00:00Z"),
        recordedAt: new Date("2026-01-01T00:00:00Z"),
        origin: "direct",
      });
      const db2 = file.open();
      configureSqlite(db2);
      const reopened = createSqliteRegistryStore({ database: db2 });
      expect((await reopened.listDisclosures("durable")).map((d) => d.id)).toEqual(["d1"]);
      await reopened.close();
    });

    it("createSqliteRegistryStore - refuses options without a database", () => {
      expect(() => createSqliteRegistryStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
