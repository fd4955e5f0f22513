import { AsyncLocalStorage } from "node:async_hooks";
import { ERROR_CODES } from "@lawful/core";
import type { ConsentState } from "../decision.js";
import { ConsentError } from "../errors.js";
import type { ConsentEvent, Notice, Purpose } from "../model.js";
import type { ConsentCommit, ConsentStore, SuppressionEntry } from "../store.js";

interface MemoryData {
  purposes: Map<string, Purpose>;
  notices: Map<string, Notice>;
  events: Map<string, ConsentEvent>;
  bySubject: Map<string, ConsentEvent[]>;
  states: Map<string, ConsentState>;
  suppressions: Map<string, SuppressionEntry>;
}

const k = (...parts: (string | number)[]): string => parts.join("\u0000");

function cloneData(d: MemoryData): MemoryData {
  return {
    purposes: new Map(d.purposes),
    notices: new Map(d.notices),
    events: new Map(d.events),
    bySubject: new Map([...d.bySubject].map(([key, list]) => [key, [...list]])),
    states: new Map(d.states),
    suppressions: new Map(d.suppressions),
  };
}

const byTimeThenId = (a: ConsentEvent, b: ConsentEvent): number =>
  a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A {@link ConsentStore} in process memory: for tests and prototypes. Not durable; `transaction()` snapshots the
 * data and restores it when the callback throws, and serialises concurrent transactions.
 *
 * @example
 * ```ts
 * import { createMemoryConsentStore } from "@lawful/consent/memory";
 * const store = createMemoryConsentStore();
 * ```
 */
export function createMemoryConsentStore(): ConsentStore {
  let data: MemoryData = {
    purposes: new Map(),
    notices: new Map(),
    events: new Map(),
    bySubject: new Map(),
    states: new Map(),
    suppressions: new Map(),
  };
  let closed = false;
  let lock: Promise<unknown> = Promise.resolve();
  const inTx = new AsyncLocalStorage<boolean>();

  async function open(): Promise<void> {
    await Promise.resolve();
    if (closed) throw new ConsentError(ERROR_CODES.STORE_CLOSED, "The memory consent store was closed; create a new one.");
  }

  async function transaction<T>(fn: () => Promise<T>): Promise<T> {
    await open();
    if (inTx.getStore()) {
      const snapshot = cloneData(data);
      try {
        return await fn();
      } catch (error) {
        data = snapshot;
        throw error;
      }
    }
    const previous = lock;
    let release!: () => void;
    lock = new Promise<void>((r) => (release = r));
    await previous;
    const snapshot = cloneData(data);
    try {
      return await inTx.run(true, fn);
    } catch (error) {
      data = snapshot;
      throw error;
    } finally {
      release();
    }
  }

  const store: ConsentStore = {
    name: "memory",
    capabilities: Object.freeze({ durable: false, transactions: true }),
    transaction,
    async lockSubject() {
      await open();
    },
    async putPurpose(purpose) {
      await open();
      data.purposes.set(k(purpose.tenantId, purpose.id), structuredClone(purpose));
    },
    async listPurposes(tenantId) {
      await open();
      return [...data.purposes.values()]
        .filter((p) => p.tenantId === tenantId)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((p) => structuredClone(p));
    },
    async insertNotice(notice) {
      await open();
      const key = k(notice.tenantId, notice.noticeId, notice.version);
      if (data.notices.has(key)) {
        throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${notice.noticeId} version ${notice.version} already exists; publish a new version instead.`);
      }
      data.notices.set(key, structuredClone(notice));
    },
    async publishNotice(tenantId, noticeId, version, at) {
      await open();
      const key = k(tenantId, noticeId, version);
      const n = data.notices.get(key);
      if (!n) throw new ConsentError(ERROR_CODES.NOT_FOUND, `Notice ${noticeId} version ${version} does not exist.`);
      if (n.status === "published") throw new ConsentError(ERROR_CODES.CONFLICT, `Notice ${noticeId} version ${version} is already published and immutable.`);
      const published: Notice = { ...n, status: "published", publishedAt: new Date(at.getTime()) };
      data.notices.set(key, published);
      return structuredClone(published);
    },
    async getNotice(tenantId, noticeId, version) {
      await open();
      const n = data.notices.get(k(tenantId, noticeId, version));
      return n ? structuredClone(n) : undefined;
    },
    async listNotices(tenantId, noticeId) {
      await open();
      return [...data.notices.values()]
        .filter((n) => n.tenantId === tenantId && (noticeId === undefined || n.noticeId === noticeId))
        .sort((a, b) => (a.noticeId < b.noticeId ? -1 : a.noticeId > b.noticeId ? 1 : a.version - b.version))
        .map((n) => structuredClone(n));
    },
    async commit(c: ConsentCommit) {
      await open();
      const seen = new Set<string>();
      for (const e of c.events) {
        const key = k(e.tenantId, e.id);
        if (data.events.has(key) || seen.has(key)) throw new ConsentError(ERROR_CODES.CONFLICT, `Consent event ${e.id} already exists; events are append-only.`);
        seen.add(key);
      }
      for (const e of c.events) {
        const copy = structuredClone(e);
        data.events.set(k(e.tenantId, e.id), copy);
        const sk = k(e.tenantId, e.subjectPseudonym);
        const list = data.bySubject.get(sk) ?? [];
        list.push(copy);
        data.bySubject.set(sk, list);
      }
      for (const d of c.deleteStates) data.states.delete(k(d.tenantId, d.subjectPseudonym, d.purposeKey));
      for (const s of c.upsertStates) data.states.set(k(s.tenantId, s.subjectPseudonym, s.purposeKey), structuredClone(s));
    },
    async getEvent(tenantId, eventId) {
      await open();
      const e = data.events.get(k(tenantId, eventId));
      return e ? structuredClone(e) : undefined;
    },
    async listEvents(tenantId, subjectPseudonym, purposeId) {
      await open();
      return (data.bySubject.get(k(tenantId, subjectPseudonym)) ?? [])
        .filter((e) => purposeId === undefined || e.purposeId === purposeId)
        .sort(byTimeThenId)
        .map((e) => structuredClone(e));
    },
    async readStates(tenantId, subjectPseudonym, keys) {
      await open();
      const out: ConsentState[] = [];
      for (const key of keys) {
        const s = data.states.get(k(tenantId, subjectPseudonym, key));
        if (s) out.push(structuredClone(s));
      }
      return out;
    },
    async listStates(tenantId, subjectPseudonym) {
      await open();
      return [...data.states.values()]
        .filter((s) => s.tenantId === tenantId && s.subjectPseudonym === subjectPseudonym)
        .sort((a, b) => (a.purposeKey < b.purposeKey ? -1 : 1))
        .map((s) => structuredClone(s));
    },
    async listExpiring(tenantId, at, limit) {
      await open();
      return [...data.states.values()]
        .filter((s) => s.tenantId === tenantId && s.status === "granted" && s.until !== null && s.until.getTime() <= at.getTime())
        .sort((a, b) => a.until!.getTime() - b.until!.getTime())
        .slice(0, limit)
        .map((s) => structuredClone(s));
    },
    async addSuppression(entry) {
      await open();
      const key = k(entry.tenantId, entry.hash);
      if (data.suppressions.has(key)) return false;
      data.suppressions.set(key, structuredClone(entry));
      return true;
    },
    async getSuppression(tenantId, hash) {
      await open();
      const e = data.suppressions.get(k(tenantId, hash));
      return e ? structuredClone(e) : undefined;
    },
    async removeSuppression(tenantId, hash) {
      await open();
      return data.suppressions.delete(k(tenantId, hash));
    },
    async listStatesByStatus(tenantId, statuses, after, limit) {
      await open();
      const wanted = new Set(statuses);
      const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      const order = (a: ConsentState, b: ConsentState) => bytewise(a.subjectPseudonym, b.subjectPseudonym) || bytewise(a.purposeKey, b.purposeKey);
      return [...data.states.values()]
        .filter((s) => s.tenantId === tenantId && wanted.has(s.status))
        .filter((s) => !after || order(s, { ...s, subjectPseudonym: after.subjectPseudonym, purposeKey: after.purposeKey }) > 0)
        .sort(order)
        .slice(0, Math.max(0, limit))
        .map((s) => structuredClone(s));
    },
    async deletePurposeHistory(tenantId, subjectPseudonym, purposeId) {
      await open();
      const sk = k(tenantId, subjectPseudonym);
      const list = data.bySubject.get(sk) ?? [];
      const gone = list.filter((e) => e.purposeId === purposeId);
      for (const e of gone) data.events.delete(k(tenantId, e.id));
      data.bySubject.set(
        sk,
        list.filter((e) => e.purposeId !== purposeId),
      );
      let states = 0;
      for (const [key, s] of data.states) {
        if (s.tenantId === tenantId && s.subjectPseudonym === subjectPseudonym && s.purposeKey === purposeId) {
          data.states.delete(key);
          states++;
        }
      }
      return { events: gone.length, states };
    },
    async eraseSubject(tenantId, subjectPseudonym) {
      await open();
      const sk = k(tenantId, subjectPseudonym);
      const list = data.bySubject.get(sk) ?? [];
      for (const e of list) data.events.delete(k(tenantId, e.id));
      data.bySubject.delete(sk);
      let states = 0;
      for (const [key, s] of data.states) {
        if (s.tenantId === tenantId && s.subjectPseudonym === subjectPseudonym) {
          data.states.delete(key);
          states++;
        }
      }
      return { events: list.length, states };
    },
    async close() {
      await Promise.resolve();
      closed = true;
    },
  };
  return Object.freeze(store);
}
