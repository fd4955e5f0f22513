import type { RetentionCheckpoint } from "../executor.js";
import type { LegalHold } from "../holds.js";
import type { RetentionRule } from "../rules.js";
import type { RetentionStore } from "../store.js";
import {
  byId,
  checkRuleInSet,
  closedError,
  holdNotFound,
  isActiveAt,
  parseCheckpoint,
  parseHold,
  parseId,
  parseTenant,
  releaseChecked,
} from "../internal/store-helpers.js";

/**
 * Create a {@link RetentionStore} in memory — for tests and prototypes; nothing survives the process.
 *
 * @example
 * ```ts
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * const store = createMemoryRetentionStore();
 * await store.putRule("acme", { id: "leads-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" } });
 * (await store.listRules("acme")).length; // 1
 * ```
 */
export function createMemoryRetentionStore(): RetentionStore {
  const rules = new Map<string, Map<string, RetentionRule>>();
  const holds = new Map<string, Map<string, LegalHold>>();
  const done = new Map<string, Map<string, RetentionCheckpoint>>();
  let closed = false;
  const name = "memory";
  const of = <T>(m: Map<string, Map<string, T>>, tenantId: string) => {
    let inner = m.get(tenantId);
    if (!inner) m.set(tenantId, (inner = new Map<string, T>()));
    return inner;
  };
  const guard = () => {
    if (closed) throw closedError(name);
  };
  const run = <T>(fn: () => T): Promise<T> =>
    Promise.resolve().then(() => {
      guard();
      return fn();
    });
  return {
    name,
    capabilities: Object.freeze({ durable: false, atomicTransactions: true }),
    putRule: (tenantId, input) =>
      run(() => {
        const t = of(rules, parseTenant(tenantId));
        const rule = checkRuleInSet([...t.values()], input);
        t.set(rule.id, rule);
        return rule;
      }),
    getRule: (tenantId, id) => run(() => of(rules, parseTenant(tenantId)).get(parseId(id, "rule id"))),
    listRules: (tenantId) => run(() => [...of(rules, parseTenant(tenantId)).values()].sort(byId)),
    deleteRule: (tenantId, id) => run(() => of(rules, parseTenant(tenantId)).delete(parseId(id, "rule id"))),
    putHold: (tenantId, input) =>
      run(() => {
        const t = parseTenant(tenantId);
        const hold = parseHold(t, input);
        of(holds, t).set(hold.id, hold);
        return hold;
      }),
    getHold: (tenantId, id) => run(() => of(holds, parseTenant(tenantId)).get(parseId(id, "hold id"))),
    listHolds: (tenantId, query = {}) => run(() => [...of(holds, parseTenant(tenantId)).values()].filter((h) => isActiveAt(h, query.activeAt)).sort(byId)),
    releaseHold: (tenantId, id, releasedAt) =>
      run(() => {
        const t = of(holds, parseTenant(tenantId));
        const hold = t.get(parseId(id, "hold id"));
        if (!hold) throw holdNotFound(id);
        const released = releaseChecked(hold, releasedAt);
        t.set(id, released);
        return released;
      }),
    isDone: (tenantId, key) => run(() => of(done, parseTenant(tenantId)).has(parseId(key, "checkpoint key"))),
    markDone: (tenantId, checkpoint) =>
      run(() => {
        const t = of(done, parseTenant(tenantId));
        const c = parseCheckpoint(checkpoint);
        if (!t.has(c.key)) t.set(c.key, c);
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
