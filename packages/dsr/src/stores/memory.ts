/**
 * `@lawful/dsr/memory`: an in-memory {@link DsrStore} for tests and prototypes (not durable).
 * @module
 */
import { compareRequests, closedError, conflict, matchesQuery, notFound, queryLimit, validateRequest } from "../internal/store-helpers.js";
import type { DsrRequest } from "../model.js";
import type { DsrRequestQuery, DsrStore, DsrTask } from "../store.js";

/**
 * Create an in-memory {@link DsrStore}. Everything is lost when the process ends; one process only.
 *
 * @example
 * ```ts
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * const store = createMemoryDsrStore();
 * await store.listRequests("acme"); // []
 * ```
 */
export function createMemoryDsrStore(): DsrStore {
  const requests = new Map<string, DsrRequest>();
  const tasks = new Map<string, DsrTask>();
  const keys = new Set<string>();
  let closed = false;
  const k = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
  const live = () => {
    if (closed) throw closedError("memory");
  };
  const copy = <T>(v: T): T => structuredClone(v);
  const later = <T>(fn: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      try {
        live();
        resolve(fn());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  return {
    name: "memory",
    capabilities: Object.freeze({ durable: false, multiProcessWorkers: false }),
    insertRequest: (request) =>
      later(() => {
        const r = validateRequest(request);
        if (requests.has(k(r.tenantId, r.id))) throw conflict(`Request ${r.id} already exists in tenant ${r.tenantId}.`);
        requests.set(k(r.tenantId, r.id), copy(r));
      }),
    updateRequest: (request) =>
      later(() => {
        const r = validateRequest(request);
        const current = requests.get(k(r.tenantId, r.id));
        if (!current) throw notFound(r.tenantId, r.id);
        if (current.version !== r.version - 1) {
          throw conflict(`Request ${r.id} changed concurrently (stored version ${current.version}, expected ${r.version - 1}); reload and retry.`);
        }
        requests.set(k(r.tenantId, r.id), copy(r));
      }),
    getRequest: (tenantId, id) =>
      later(() => {
        const r = requests.get(k(tenantId, id));
        return r ? copy(r) : undefined;
      }),
    listRequests: (tenantId, query: DsrRequestQuery = {}) =>
      later(() => {
        const out = [...requests.values()].filter((r) => r.tenantId === tenantId && matchesQuery(r, query)).sort(compareRequests);
        return out.slice(0, queryLimit(query)).map(copy);
      }),
    enqueueTasks: (list) => later(() => {
      let added = 0;
      for (const t of list) {
        if (keys.has(t.idempotencyKey)) continue;
        keys.add(t.idempotencyKey);
        tasks.set(t.id, copy(t));
        added++;
      }
      return added;
    }),
    claimTasks: ({ workerId, limit, now, leaseMs }) => later(() => {
      const nowMs = now.getTime();
      const ready = [...tasks.values()]
        .filter(
          (t) =>
            (t.status === "pending" && t.availableAt.getTime() <= nowMs) ||
            (t.status === "claimed" && t.claimedUntil !== undefined && t.claimedUntil.getTime() < nowMs),
        )
        .sort((a, b) => a.availableAt.getTime() - b.availableAt.getTime() || (a.id < b.id ? -1 : 1))
        .slice(0, Math.max(0, limit));
      for (const t of ready) {
        t.status = "claimed";
        t.claimedBy = workerId;
        t.claimedUntil = new Date(nowMs + leaseMs);
        t.attempts += 1;
        t.updatedAt = new Date(nowMs);
      }
      return ready.map(copy);
    }),
    completeTask: ({ taskId, workerId, now, result }) => later(() => {
      const t = tasks.get(taskId);
      if (!t || t.status !== "claimed" || t.claimedBy !== workerId) return false;
      t.status = "done";
      t.result = copy(result);
      t.completedAt = now;
      t.updatedAt = now;
      delete t.claimedUntil;
      return true;
    }),
    failTask: ({ taskId, workerId, now, error, retryAt }) => later(() => {
      const t = tasks.get(taskId);
      if (!t || t.status !== "claimed" || t.claimedBy !== workerId) return false;
      t.lastError = error;
      t.updatedAt = now;
      delete t.claimedUntil;
      if (retryAt) {
        t.status = "pending";
        t.availableAt = retryAt;
      } else {
        t.status = "dead";
        t.completedAt = now;
      }
      return true;
    }),
    listTasks: (tenantId, requestId) =>
      later(() => [...tasks.values()].filter((t) => t.tenantId === tenantId && t.requestId === requestId).sort((a, b) => (a.id < b.id ? -1 : 1)).map(copy)),
    clearTaskResults: (tenantId, requestId) =>
      later(() => {
        let n = 0;
        for (const t of tasks.values()) {
          if (t.tenantId !== tenantId || t.requestId !== requestId || (t.status !== "done" && t.status !== "dead") || t.result === undefined) continue;
          delete t.result;
          n++;
        }
        return n;
      }),
    deleteRequest: (tenantId, requestId) =>
      later(() => {
        for (const [id, t] of tasks) {
          if (t.tenantId !== tenantId || t.requestId !== requestId) continue;
          tasks.delete(id);
          keys.delete(t.idempotencyKey);
        }
        return requests.delete(k(tenantId, requestId));
      }),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
