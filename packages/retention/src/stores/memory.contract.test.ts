import { expect, it } from "vitest";
import { createMemoryRetentionStore } from "./memory.js";
import { describeRetentionStoreContract } from "../testing/index.js";

describeRetentionStoreContract({
  name: "memory",
  create: () => createMemoryRetentionStore(),
  additionalTests: (getStore) => {
    it("createMemoryRetentionStore - is not durable", () => {
      expect(getStore().capabilities.durable).toBe(false);
    });
  },
});
