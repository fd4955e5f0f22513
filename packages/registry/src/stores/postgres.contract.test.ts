import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestPgDatabase, type TestPgDatabase } from "@lawful/testkit";
import { createPostgresRegistryStore } from "./postgres.js";
import { describeRegistryStoreContract } from "../testing/index.js";

let db: TestPgDatabase;
beforeAll(async () => {
  db = await createTestPgDatabase("registry");
});
afterAll(async () => {
  await db.drop();
});

describeRegistryStoreContract({
  name: "postgres",
  create: () => createPostgresRegistryStore({ pool: db.pool }),
  additionalTests: (getStore) => {
    it("appendPartyVersion - party versions cannot be changed or deleted in the database", async () => {
      await getStore().listParties("warmup");
      await db.pool.query(
        "INSERT INTO registry_party_versions (tenant_id, party_id, version, status, role, recorded_at, record) VALUES ('x', 'p', 1, 'proposed', 'processor', now(), '{}')",
      );
      await expect(db.pool.query("UPDATE registry_party_versions SET status = 'active' WHERE tenant_id = 'x'")).rejects.toThrow(/append-only/);
      await expect(db.pool.query("DELETE FROM registry_party_versions WHERE tenant_id = 'x'")).rejects.toThrow(/append-only/);
    });

    it("createPostgresRegistryStore - two stores on separate pools migrate once and see each other's writes", async () => {
      const other = createPostgresRegistryStore({ pool: db.newPool(2) });
      await other.appendDisclosure({
        tenantId: "shared",
        id: "d1",
        recipientId: "mailer",
        subjectPseudonym: "ps1_a",
        categories: ["contact.email"],
        occurredAt: new Date("2026-01-01T00:00:00Z"),
        recordedAt: new Date("2026-01-01T00:00:00Z"),
        origin: "direct",
      });
      expect((await getStore().listDisclosures("shared")).map((d) => d.id)).toEqual(["d1"]);
      await other.close();
    });

    it("createPostgresRegistryStore - refuses options without a pool", () => {
      expect(() => createPostgresRegistryStore({} as never)).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    });
  },
});
