/**
 * `@lawful/dsr/testing`: the contract suite every {@link DsrStore} must pass, and a request
 * fixture for store tests.
 * @module
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { isLawfulError } from "@lawful/core";
import type { DsrRequest, DsrRequestType, DsrState } from "../model.js";
import type { DsrStore, DsrTask } from "../store.js";

/**
 * Options of {@link describeDsrStoreContract}.
 *
 * @example
 * ```ts
 * import type { DsrStoreContractOptions } from "@lawful/dsr/testing";
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * const o: DsrStoreContractOptions = { name: "memory", create: () => createMemoryDsrStore() };
 * ```
 */
export interface DsrStoreContractOptions {
  /** Shown in the suite title. */
  name: string;
  /** A store to test; called once per test. Tests use unique tenant ids, but the task queue is global: \`reset\` must empty it (a fresh memory store needs no reset). */
  create: () => DsrStore | Promise<DsrStore>;
  /** Called before each test (e.g. to truncate tables). */
  reset?: (() => void | Promise<void>) | undefined;
  /** Called after the suite (e.g. to drop the database). */
  teardown?: (() => void | Promise<void>) | undefined;
  /** More tests for this store, registered inside the suite. */
  additionalTests?: ((getStore: () => DsrStore) => void) | undefined;
}

/**
 * A valid stored request for store tests (EU access, received at `receivedAt`, due a month later).
 *
 * @example
 * ```ts
 * import { sampleDsrRequest } from "@lawful/dsr/testing";
 * const r = sampleDsrRequest({ tenantId: "t1", id: "r1" });
 * r.state; // "received"
 * ```
 */
export function sampleDsrRequest(overrides: Partial<DsrRequest> & { tenantId: string; id: string }): DsrRequest {
  const receivedAt = overrides.receivedAt ?? new Date("2025-03-05T10:00:00.000Z");
  const due = new Date(receivedAt.getTime() + 31 * 86_400_000);
  return {
    type: "access",
    regime: "EU",
    state: "received",
    subject: { kind: "email", value: "person@example.com" },
    subjectKey: "ps1_sample",
    channel: "web_form",
    receivedAt,
    timeZone: "Europe/Berlin",
    calendarId: "weekend-only",
    details: {},
    verification: { requiredLevel: "low" },
    pauses: [],
    notifications: [],
    history: [{ action: "submit", from: "received", to: "received", at: receivedAt, actor: { type: "system", id: "test" } }],
    deadlines: {
      clockStartedAt: receivedAt,
      respondBy: due,
      respondByDate: due.toISOString().slice(0, 10),
      dueAt: due,
      dueDate: due.toISOString().slice(0, 10),
      pausedDays: 0,
      paused: false,
      ignoredPauses: [],
      rule: "test",
    },
    version: 1,
    createdAt: receivedAt,
    updatedAt: receivedAt,
    ...overrides,
  };
}

function tenant(): string {
  return `t-${randomBytes(5).toString("hex")}`;
}

function task(tenantId: string, requestId: string, n: number, availableAt: Date): DsrTask {
  return {
    id: `${tenantId}-task-${String(n).padStart(3, "0")}`,
    tenantId,
    requestId,
    idempotencyKey: `${tenantId}:${requestId}:src-${n}`,
    payload: { kind: "source", sourceId: `src-${n}`, operation: "export", categories: ["contact.email"] },
    status: "pending",
    attempts: 0,
    maxAttempts: 3,
    availableAt,
    createdAt: availableAt,
    updatedAt: availableAt,
  };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isLawfulError(e) ? e.code : "not-lawful";
  }
}

const T0 = new Date("2025-03-05T10:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/**
 * Register the contract tests of a {@link DsrStore}: request round trips with optimistic
 * concurrency, queries, and the task queue (idempotent enqueue, leases, owner-only completion,
 * retries, dead tasks, concurrent claims).
 *
 * @example
 * ```ts
 * import { describeDsrStoreContract } from "@lawful/dsr/testing";
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * describeDsrStoreContract({ name: "memory", create: () => createMemoryDsrStore() });
 * ```
 */
export function describeDsrStoreContract(options: DsrStoreContractOptions): void {
  describe(`DsrStore contract: ${options.name}`, () => {
    let store: DsrStore;
    beforeEach(async () => {
      await options.reset?.();
      store = await options.create();
    });
    if (options.teardown) afterAll(options.teardown);

    it("insertRequest - stores a request that getRequest returns unchanged, dates included", async () => {
      const t = tenant();
      const r = sampleDsrRequest({ tenantId: t, id: "r1", pauses: [{ pausedAt: at(60), resumedAt: at(120), reason: "identity" }] });
      await store.insertRequest(r);
      expect(await store.getRequest(t, "r1")).toEqual(r);
      expect(await store.getRequest(t, "missing")).toBeUndefined();
      expect(await store.getRequest(tenant(), "r1")).toBeUndefined();
    });

    it("insertRequest - refuses a second request with the same id (CONFLICT) and an invalid one (VALIDATION_FAILED)", async () => {
      const t = tenant();
      await store.insertRequest(sampleDsrRequest({ tenantId: t, id: "r1" }));
      expect(await code(store.insertRequest(sampleDsrRequest({ tenantId: t, id: "r1" })))).toBe("CONFLICT");
      expect(await code(store.insertRequest({ ...sampleDsrRequest({ tenantId: t, id: "r2" }), state: "bogus" as DsrState }))).toBe("VALIDATION_FAILED");
      expect(await store.getRequest(t, "r2")).toBeUndefined();
    });

    it("updateRequest - replaces only the expected version; a stale write is a CONFLICT, an unknown id NOT_FOUND", async () => {
      const t = tenant();
      const r = sampleDsrRequest({ tenantId: t, id: "r1" });
      await store.insertRequest(r);
      const v2: DsrRequest = { ...r, state: "verified", version: 2, updatedAt: at(5) };
      await store.updateRequest(v2);
      expect((await store.getRequest(t, "r1"))?.state).toBe("verified");
      expect(await code(store.updateRequest({ ...r, state: "denied", version: 2 }))).toBe("CONFLICT");
      expect(await code(store.updateRequest(sampleDsrRequest({ tenantId: t, id: "nope", version: 2 })))).toBe("NOT_FOUND");
      expect((await store.getRequest(t, "r1"))?.state).toBe("verified");
    });

    it("updateRequest - of two concurrent writers of the same version exactly one wins", async () => {
      const t = tenant();
      const r = sampleDsrRequest({ tenantId: t, id: "r1" });
      await store.insertRequest(r);
      const results = await Promise.allSettled([
        store.updateRequest({ ...r, state: "verified", version: 2 }),
        store.updateRequest({ ...r, state: "denied", version: 2 }),
      ]);
      expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    });

    it("listRequests - filters by state, type, subject, receipt range and deadline, ordered by receipt, per tenant", async () => {
      const t = tenant();
      const mk = (id: string, minutes: number, state: DsrState, type: DsrRequestType, subjectKey = "ps1_a") =>
        sampleDsrRequest({ tenantId: t, id, receivedAt: at(minutes), state, type, subjectKey });
      await store.insertRequest(mk("c", 30, "received", "erasure"));
      await store.insertRequest(mk("a", 10, "verified", "access"));
      await store.insertRequest(mk("b", 20, "completed", "access", "ps1_b"));
      await store.insertRequest(sampleDsrRequest({ tenantId: tenant(), id: "other" }));
      const ids = async (q: Parameters<DsrStore["listRequests"]>[1]) => (await store.listRequests(t, q)).map((r) => r.id);
      expect(await ids({})).toEqual(["a", "b", "c"]);
      expect(await ids({ states: ["received", "verified"] })).toEqual(["a", "c"]);
      expect(await ids({ states: [] })).toEqual([]);
      expect(await ids({ types: ["access"] })).toEqual(["a", "b"]);
      expect(await ids({ subjectKey: "ps1_b" })).toEqual(["b"]);
      expect(await ids({ receivedFrom: at(20), receivedBefore: at(30) })).toEqual(["b"]);
      expect(await ids({ dueBefore: new Date(at(20).getTime() + 31 * 86_400_000) })).toEqual(["a"]);
      expect(await ids({ limit: 2 })).toEqual(["a", "b"]);
    });

    it("enqueueTasks - a task whose idempotency key exists is skipped", async () => {
      const t = tenant();
      expect(await store.enqueueTasks([task(t, "r1", 1, T0), task(t, "r1", 2, T0)])).toBe(2);
      expect(await store.enqueueTasks([{ ...task(t, "r1", 1, T0), id: `${t}-other` }, task(t, "r1", 3, T0)])).toBe(1);
      const list = await store.listTasks(t, "r1");
      expect(list.map((x) => x.payload.kind === "source" && x.payload.sourceId)).toEqual(["src-1", "src-2", "src-3"]);
      expect(list[0]).toMatchObject({ status: "pending", attempts: 0, maxAttempts: 3 });
      expect(list[0]?.availableAt.getTime()).toBe(T0.getTime());
    });

    it("claimTasks - claims available pending tasks with a lease, never the same task twice while the lease holds", async () => {
      const t = tenant();
      await store.enqueueTasks([task(t, "r1", 1, at(0)), task(t, "r1", 2, at(10))]);
      const first = await store.claimTasks({ workerId: "w1", limit: 10, now: at(5), leaseMs: 3_600_000 });
      expect(first.map((x) => x.id)).toEqual([`${t}-task-001`]);
      expect(first[0]).toMatchObject({ status: "claimed", claimedBy: "w1", attempts: 1 });
      expect(first[0]?.claimedUntil?.getTime()).toBe(at(65).getTime());
      expect(await store.claimTasks({ workerId: "w2", limit: 10, now: at(5), leaseMs: 3_600_000 })).toEqual([]);
      const later = await store.claimTasks({ workerId: "w2", limit: 10, now: at(10), leaseMs: 3_600_000 });
      expect(later.map((x) => x.id)).toEqual([`${t}-task-002`]);
    });

    it("claimTasks - a task whose lease expired is claimed again; the old owner can no longer complete it", async () => {
      const t = tenant();
      await store.enqueueTasks([task(t, "r1", 1, at(0))]);
      const [a] = await store.claimTasks({ workerId: "dead", limit: 1, now: at(0), leaseMs: 60_000 });
      const [b] = await store.claimTasks({ workerId: "w2", limit: 1, now: at(2), leaseMs: 60_000 });
      expect(b).toMatchObject({ id: a?.id, claimedBy: "w2", attempts: 2 });
      expect(await store.completeTask({ taskId: a!.id, workerId: "dead", now: at(2), result: { x: 1 } })).toBe(false);
      expect(await store.completeTask({ taskId: a!.id, workerId: "w2", now: at(2), result: { x: 2 } })).toBe(true);
      expect(await store.completeTask({ taskId: a!.id, workerId: "w2", now: at(3), result: { x: 3 } })).toBe(false);
      const [done] = await store.listTasks(t, "r1");
      expect(done).toMatchObject({ status: "done", result: { x: 2 } });
      expect(done?.completedAt?.getTime()).toBe(at(2).getTime());
      expect(await store.claimTasks({ workerId: "w3", limit: 1, now: at(100), leaseMs: 60_000 })).toEqual([]);
    });

    it("clearTaskResults - drops the results of one request's finished tasks, leaves other requests and open tasks alone", async () => {
      if (!store.clearTaskResults) return; // optional: the store declares no way to drop results
      const t = tenant();
      await store.enqueueTasks([task(t, "r1", 1, at(0)), task(t, "r1", 2, at(0)), task(t, "r2", 3, at(0))]);
      const claimed = await store.claimTasks({ workerId: "w1", limit: 3, now: at(0), leaseMs: 60_000 });
      for (const c of claimed.filter((x) => x.id !== `${t}-task-002`)) await store.completeTask({ taskId: c.id, workerId: "w1", now: at(1), result: { email: "ada@example.com" } });
      expect(await store.clearTaskResults(t, "r1")).toBe(1);
      const r1 = await store.listTasks(t, "r1");
      expect(r1.map((x) => [x.status, x.result])).toEqual([
        ["done", undefined],
        ["claimed", undefined],
      ]);
      expect((await store.listTasks(t, "r2"))[0]).toMatchObject({ status: "done", result: { email: "ada@example.com" } });
      expect(await store.clearTaskResults(t, "r1")).toBe(0);
    });

    it("deleteRequest - removes one request with its tasks and nothing else; false when there is no such request", async () => {
      if (!store.deleteRequest) return; // optional: the store keeps requests forever
      const t = tenant();
      const other = tenant();
      for (const [tenantId, id] of [[t, "r1"], [t, "r2"], [other, "r1"]] as const) await store.insertRequest(sampleDsrRequest({ tenantId, id }));
      await store.enqueueTasks([task(t, "r1", 1, at(0)), task(t, "r1", 2, at(0)), task(t, "r2", 3, at(0)), task(other, "r1", 4, at(0))]);
      expect(await store.deleteRequest(t, "r1")).toBe(true);
      expect(await store.getRequest(t, "r1")).toBeUndefined();
      expect(await store.listTasks(t, "r1")).toEqual([]);
      expect((await store.listRequests(t)).map((r) => r.id)).toEqual(["r2"]);
      expect(await store.listTasks(t, "r2")).toHaveLength(1);
      expect(await store.getRequest(other, "r1")).toBeDefined();
      expect(await store.listTasks(other, "r1")).toHaveLength(1);
      expect(await store.deleteRequest(t, "r1")).toBe(false);
      expect(await store.deleteRequest(t, "nope")).toBe(false);
      // the deleted request's id is free again, and so are its tasks' idempotency keys
      await store.insertRequest(sampleDsrRequest({ tenantId: t, id: "r1" }));
      expect(await store.enqueueTasks([task(t, "r1", 1, at(0))])).toBe(1);
    });

    it("failTask - back to pending until retryAt, or dead; only the owner may fail it", async () => {
      const t = tenant();
      await store.enqueueTasks([task(t, "r1", 1, at(0))]);
      const [a] = await store.claimTasks({ workerId: "w1", limit: 1, now: at(0), leaseMs: 60_000 });
      expect(await store.failTask({ taskId: a!.id, workerId: "other", now: at(0), error: "x", retryAt: at(1) })).toBe(false);
      expect(await store.failTask({ taskId: a!.id, workerId: "w1", now: at(0), error: "boom", retryAt: at(5) })).toBe(true);
      expect(await store.claimTasks({ workerId: "w1", limit: 1, now: at(4), leaseMs: 60_000 })).toEqual([]);
      const [b] = await store.claimTasks({ workerId: "w1", limit: 1, now: at(5), leaseMs: 60_000 });
      expect(b).toMatchObject({ attempts: 2, lastError: "boom" });
      expect(await store.failTask({ taskId: b!.id, workerId: "w1", now: at(6), error: "gave up" })).toBe(true);
      const [dead] = await store.listTasks(t, "r1");
      expect(dead).toMatchObject({ status: "dead", lastError: "gave up" });
      expect(await store.claimTasks({ workerId: "w1", limit: 1, now: at(600), leaseMs: 60_000 })).toEqual([]);
    });

    it("claimTasks - concurrent claimers never receive the same task", async () => {
      const t = tenant();
      await store.enqueueTasks(Array.from({ length: 12 }, (_, i) => task(t, "r1", i, at(0))));
      const batches = await Promise.all([1, 2, 3, 4].map((w) => store.claimTasks({ workerId: `w${w}`, limit: 5, now: at(1), leaseMs: 60_000 })));
      const ids = batches.flat().map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(12);
    });

    it("close - is idempotent and later calls fail with STORE_CLOSED", async () => {
      const s = await options.create();
      await s.close();
      await s.close();
      expect(await code(Promise.resolve().then(() => s.getRequest("t", "x")))).toBe("STORE_CLOSED");
    });

    options.additionalTests?.(() => store);
  });
}
