/**
 * `@lawful/retention/testing`: the contract suite every {@link RetentionStore} must pass.
 * @module
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryAuditSink, isLawfulError } from "@lawful/core";
import { applyRetention } from "../executor.js";
import type { RetentionRuleInput } from "../rules.js";
import type { RetentionStore } from "../store.js";

/**
 * Options of {@link describeRetentionStoreContract}.
 *
 * @example
 * ```ts
 * import type { RetentionStoreContractOptions } from "@lawful/retention/testing";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * const o: RetentionStoreContractOptions = { name: "memory", create: () => createMemoryRetentionStore() };
 * ```
 */
export interface RetentionStoreContractOptions {
  /** Shown in the suite title. */
  name: string;
  /** A store to test; called once per test. Tests use unique tenant ids, so stores may share a database. */
  create: () => RetentionStore | Promise<RetentionStore>;
  /** Called before each test (e.g. to truncate tables). */
  reset?: (() => void | Promise<void>) | undefined;
  /** Called after the suite (e.g. to drop the database). */
  teardown?: (() => void | Promise<void>) | undefined;
  /** More tests for this store, registered inside the suite. */
  additionalTests?: ((getStore: () => RetentionStore) => void) | undefined;
}

const tenant = () => `t-${randomBytes(5).toString("hex")}`;

const rule = (id: string, over: Partial<RetentionRuleInput> = {}): RetentionRuleInput => ({
  id,
  title: `Rule ${id}`,
  kind: "maximum",
  action: "delete",
  duration: "P2Y",
  trigger: { type: "lastActivity" },
  selectors: { recordTypes: ["lead"] },
  ...over,
});

const hold = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  matter: `Matter ${id}`,
  scope: { subjectIds: ["s1"] },
  issuedBy: "legal",
  issuedAt: "2026-01-01T00:00:00Z",
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<{ code?: string; issues?: readonly { path: readonly (string | number)[] }[] }> {
  try {
    await p;
  } catch (e) {
    expect(isLawfulError(e)).toBe(true);
    return e as { code?: string };
  }
  throw new Error("expected a rejection");
}

/**
 * Register the {@link RetentionStore} contract tests (vitest) for a store implementation. Run it from a
 * `*.contract.test.ts` file; third-party stores can run it too.
 *
 * @example
 * ```ts
 * import { describeRetentionStoreContract } from "@lawful/retention/testing";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * describeRetentionStoreContract({ name: "memory", create: () => createMemoryRetentionStore() });
 * ```
 */
export function describeRetentionStoreContract(options: RetentionStoreContractOptions): void {
  describe(`RetentionStore contract: ${options.name}`, () => {
    let store: RetentionStore;
    beforeEach(async () => {
      await options.reset?.();
      store = await options.create();
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    it("putRule - stores a validated rule and returns it parsed", async () => {
      const t = tenant();
      const saved = await store.putRule(t, rule("leads-2y", { effectiveFrom: "2025-01-01T00:00:00Z", citation: "Art. 5(1)(e) GDPR" }));
      expect(saved.effectiveFrom).toEqual(new Date("2025-01-01T00:00:00Z"));
      expect(await store.getRule(t, "leads-2y")).toEqual(saved);
    });

    it("putRule - replaces a rule with the same id", async () => {
      const t = tenant();
      await store.putRule(t, rule("r"));
      await store.putRule(t, rule("r", { duration: "P3Y" }));
      expect((await store.listRules(t)).map((r) => r.duration)).toEqual(["P3Y"]);
    });

    it("putRule - refuses an invalid rule with VALIDATION_FAILED and writes nothing", async () => {
      const t = tenant();
      const e = await rejection(store.putRule(t, rule("bad", { duration: "ten years" })));
      expect(e.code).toBe("VALIDATION_FAILED");
      expect(await store.listRules(t)).toEqual([]);
    });

    it("putRule - refuses a rule that contradicts a stored one", async () => {
      const t = tenant();
      await store.putRule(t, rule("min-10y", { kind: "minimum", action: undefined, duration: "P10Y" }));
      const e = await rejection(store.putRule(t, rule("max-1y", { duration: "P1Y" })));
      expect(e.code).toBe("VALIDATION_FAILED");
      expect((await store.listRules(t)).map((r) => r.id)).toEqual(["min-10y"]);
    });

    it("listRules - returns the tenant's rules sorted by id and nothing of other tenants", async () => {
      const t = tenant();
      const other = tenant();
      await store.putRule(t, rule("b"));
      await store.putRule(t, rule("a", { selectors: { recordTypes: ["contact"] } }));
      await store.putRule(other, rule("c"));
      expect((await store.listRules(t)).map((r) => r.id)).toEqual(["a", "b"]);
      expect(await store.getRule(t, "c")).toBeUndefined();
    });

    it("deleteRule - removes a rule and reports whether it existed", async () => {
      const t = tenant();
      await store.putRule(t, rule("r"));
      expect(await store.deleteRule(t, "r")).toBe(true);
      expect(await store.deleteRule(t, "r")).toBe(false);
      expect(await store.listRules(t)).toEqual([]);
    });

    it("putHold - stores a hold for the tenant and lists it", async () => {
      const t = tenant();
      const saved = await store.putHold(t, hold("h1", { reviewEvery: "P3M" }));
      expect(saved.tenantId).toBe(t);
      expect(saved.issuedAt).toEqual(new Date("2026-01-01T00:00:00Z"));
      expect(await store.getHold(t, "h1")).toEqual(saved);
      expect(await store.getHold(tenant(), "h1")).toBeUndefined();
    });

    it("putHold - refuses an invalid hold or a hold of another tenant", async () => {
      const t = tenant();
      expect((await rejection(store.putHold(t, hold("h1", { issuedAt: "soon" })))).code).toBe("VALIDATION_FAILED");
      expect((await rejection(store.putHold(t, hold("h2", { tenantId: "someone-else" })))).code).toBe("VALIDATION_FAILED");
      expect(await store.listHolds(t)).toEqual([]);
    });

    it("listHolds - filters by activeAt", async () => {
      const t = tenant();
      await store.putHold(t, hold("a"));
      await store.putHold(t, hold("b", { issuedAt: "2027-01-01T00:00:00Z" }));
      await store.putHold(t, hold("c", { releasedAt: "2026-02-01T00:00:00Z" }));
      expect((await store.listHolds(t)).map((h) => h.id)).toEqual(["a", "b", "c"]);
      expect((await store.listHolds(t, { activeAt: new Date("2026-03-01T00:00:00Z") })).map((h) => h.id)).toEqual(["a"]);
      expect((await store.listHolds(t, { activeAt: new Date("2026-01-15T00:00:00Z") })).map((h) => h.id)).toEqual(["a", "c"]);
    });

    it("releaseHold - sets releasedAt once; a second release keeps the first", async () => {
      const t = tenant();
      await store.putHold(t, hold("h"));
      const first = await store.releaseHold(t, "h", new Date("2026-06-01T00:00:00Z"));
      expect(first.releasedAt).toEqual(new Date("2026-06-01T00:00:00Z"));
      const again = await store.releaseHold(t, "h", new Date("2026-07-01T00:00:00Z"));
      expect(again.releasedAt).toEqual(new Date("2026-06-01T00:00:00Z"));
      expect((await store.getHold(t, "h"))?.releasedAt).toEqual(new Date("2026-06-01T00:00:00Z"));
    });

    it("releaseHold - fails with NOT_FOUND for an unknown hold and VALIDATION_FAILED before issuedAt", async () => {
      const t = tenant();
      expect((await rejection(store.releaseHold(t, "nope", new Date()))).code).toBe("NOT_FOUND");
      await store.putHold(t, hold("h"));
      expect((await rejection(store.releaseHold(t, "h", new Date("2025-01-01T00:00:00Z")))).code).toBe("VALIDATION_FAILED");
    });

    it("markDone - is idempotent and isDone sees it per tenant", async () => {
      const t = tenant();
      const c = { key: "delete|r|rec1", runId: "run", recordId: "rec1", ruleId: "r", action: "delete" as const, doneAt: new Date("2026-01-01T00:00:00Z") };
      expect(await store.isDone(t, c.key)).toBe(false);
      await store.markDone(t, c);
      await store.markDone(t, { ...c, runId: "run-2" });
      expect(await store.isDone(t, c.key)).toBe(true);
      expect(await store.isDone(tenant(), c.key)).toBe(false);
    });

    it("markDone - makes applyRetention skip finished actions on a re-run", async () => {
      const t = tenant();
      const rules = [rule("leads-2y")];
      const source = () => [{ id: "l1", recordType: "lead", createdAt: "2020-01-01T00:00:00Z", lastActivityAt: "2020-01-01T00:00:00Z" }];
      const calls: string[] = [];
      const opts = { rules, now: new Date("2026-01-01T00:00:00Z"), tenantId: t, checkpointStore: store, handlers: { delete: (r: { id: string }) => void calls.push(r.id) } };
      await applyRetention({ ...opts, source: source(), audit: createMemoryAuditSink() });
      const again = await applyRetention({ ...opts, source: source(), audit: createMemoryAuditSink() });
      expect(calls).toEqual(["l1"]);
      expect(again.skippedAlreadyDone).toBe(1);
    });

    it("close - is idempotent and later calls fail with STORE_CLOSED", async () => {
      const own = await options.create();
      await own.close();
      await own.close();
      expect((await rejection(own.listRules(tenant()))).code).toBe("STORE_CLOSED");
    });

    it("capabilities - declares durability and atomicity", () => {
      expect(typeof store.name).toBe("string");
      expect(typeof store.capabilities.durable).toBe("boolean");
      expect(typeof store.capabilities.atomicTransactions).toBe("boolean");
    });

    options.additionalTests?.(() => store);
  });
}
