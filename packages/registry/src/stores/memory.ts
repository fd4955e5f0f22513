import { AsyncLocalStorage } from "node:async_hooks";
import type { ChangeNotice } from "../change-notice.js";
import type { DisclosureQuery, DisclosureRecord } from "../disclosure.js";
import type { PartyRecord } from "../party.js";
import type { RegistryStore } from "../store.js";
import {
  byVersionOrder,
  closedError,
  cmp,
  disclosureConflict,
  parseDisclosure,
  parseNotice,
  parseParty,
  parseQuery,
  parseTenant,
  revisionConflict,
  versionConflict,
} from "../internal/store-helpers.js";

interface State {
  versions: Map<string, PartyRecord[]>; // key tenant\0party
  notices: Map<string, ChangeNotice>; // key tenant\0id
  disclosures: DisclosureRecord[];
  disclosureIds: Set<string>;
}

const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/**
 * Create an in-memory {@link RegistryStore} for tests and prototypes. Writes are serialised;
 * a failed transaction undoes every write made in it; nothing survives the process.
 *
 * @example
 * ```ts
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * import { createRegistry } from "@lawful/registry";
 * import { createMemoryAuditSink } from "@lawful/core";
 * const registry = createRegistry({ store: createMemoryRegistryStore(), audit: createMemoryAuditSink() });
 * ```
 */
export function createMemoryRegistryStore(): RegistryStore {
  const state: State = { versions: new Map(), notices: new Map(), disclosures: [], disclosureIds: new Set() };
  let closed = false;
  let lock: Promise<void> = Promise.resolve();
  // the undo log of the running transaction; writes register how to revert themselves
  const tx = new AsyncLocalStorage<(() => void)[]>();
  const name = "memory";

  const check = () => {
    if (closed) throw closedError(name);
  };

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    check();
    if (tx.getStore()) return fn();
    const previous = lock;
    let release!: () => void;
    lock = new Promise<void>((r) => (release = r));
    await previous;
    const undo: (() => void)[] = [];
    try {
      return await tx.run(undo, fn);
    } catch (error) {
      for (const revert of undo.reverse()) revert();
      throw error;
    } finally {
      release();
    }
  }

  const write = <T>(fn: (undo: (revert: () => void) => void) => T): Promise<T> =>
    transaction(() =>
      Promise.resolve().then(() => {
        const log = tx.getStore();
        return fn((revert) => log?.push(revert));
      }),
    );

  return {
    name,
    capabilities: Object.freeze({ atomicTransactions: true, durable: false }),
    transaction,
    appendPartyVersion(record) {
      return write((undo) => {
        check();
        const r = parseParty(record);
        const k = key(r.tenantId, r.id);
        const list = state.versions.get(k) ?? [];
        const latest = list.length;
        if (r.version !== latest + 1) throw versionConflict(r, latest);
        list.push(structuredClone(r));
        state.versions.set(k, list);
        undo(() => {
          list.pop();
          if (list.length === 0) state.versions.delete(k);
        });
      });
    },
    getParty(tenantId, partyId, version) {
      return Promise.resolve().then(() => {
        check();
        const list = state.versions.get(key(parseTenant(tenantId), partyId)) ?? [];
        const r = version === undefined ? list[list.length - 1] : list[version - 1];
        return r ? structuredClone(r) : undefined;
      });
    },
    listParties(tenantId) {
      return Promise.resolve().then(() => {
        check();
        const t = parseTenant(tenantId);
        const out: PartyRecord[] = [];
        for (const list of state.versions.values()) {
          const last = list[list.length - 1];
          if (last?.tenantId === t) out.push(structuredClone(last));
        }
        return out.sort((a, b) => cmp(a.id, b.id));
      });
    },
    listPartyVersions(tenantId, partyId) {
      return Promise.resolve().then(() => {
        check();
        const t = parseTenant(tenantId);
        const out: PartyRecord[] = [];
        for (const list of state.versions.values()) {
          for (const r of list) if (r.tenantId === t && (partyId === undefined || r.id === partyId)) out.push(structuredClone(r));
        }
        return out.sort(byVersionOrder);
      });
    },
    putChangeNotice(notice) {
      return write((undo) => {
        check();
        const n = parseNotice(notice);
        const k = key(n.tenantId, n.id);
        const before = state.notices.get(k);
        const stored = before?.revision ?? 0;
        if (n.revision !== stored + 1) throw revisionConflict(n, stored);
        state.notices.set(k, structuredClone(n));
        undo(() => (before ? state.notices.set(k, before) : state.notices.delete(k)));
      });
    },
    getChangeNotice(tenantId, id) {
      return Promise.resolve().then(() => {
        check();
        const n = state.notices.get(key(parseTenant(tenantId), id));
        return n ? structuredClone(n) : undefined;
      });
    },
    listChangeNotices(tenantId, filter) {
      return Promise.resolve().then(() => {
        check();
        const t = parseTenant(tenantId);
        return [...state.notices.values()]
          .filter((n) => n.tenantId === t && (filter?.partyId === undefined || n.partyId === filter.partyId))
          .sort((a, b) => a.proposedAt.getTime() - b.proposedAt.getTime() || cmp(a.id, b.id))
          .map((n) => structuredClone(n));
      });
    },
    appendDisclosure(record) {
      return write((undo) => {
        check();
        const d = parseDisclosure(record);
        const k = key(d.tenantId, d.id);
        if (state.disclosureIds.has(k)) throw disclosureConflict(d.id);
        state.disclosureIds.add(k);
        const stored = structuredClone(d);
        state.disclosures.push(stored);
        undo(() => {
          state.disclosureIds.delete(k);
          const i = state.disclosures.lastIndexOf(stored);
          if (i >= 0) state.disclosures.splice(i, 1);
        });
      });
    },
    getDisclosure(tenantId, id) {
      return Promise.resolve().then(() => {
        check();
        const t = parseTenant(tenantId);
        const d = state.disclosures.find((x) => x.tenantId === t && x.id === id);
        return d ? structuredClone(d) : undefined;
      });
    },
    listDisclosures(tenantId, query?: DisclosureQuery) {
      return Promise.resolve().then(() => {
        check();
        const t = parseTenant(tenantId);
        const q = parseQuery(query);
        const out = state.disclosures
          .filter(
            (d) =>
              d.tenantId === t &&
              (q.subjectPseudonym === undefined || d.subjectPseudonym === q.subjectPseudonym) &&
              (q.recipientId === undefined || d.recipientId === q.recipientId) &&
              (q.from === undefined || d.occurredAt.getTime() >= q.from.getTime()) &&
              (q.to === undefined || d.occurredAt.getTime() < q.to.getTime()),
          )
          .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || cmp(a.id, b.id))
          .map((d) => structuredClone(d));
        return q.limit === undefined ? out : out.slice(0, q.limit);
      });
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
