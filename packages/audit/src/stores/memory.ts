import { ERROR_CODES } from "@lawful/core";
import { AuditError } from "../errors.js";
import { newStoredNodes, type MerkleHashReader } from "../merkle.js";
import { matchesFilter, type AuditRecord, type AuditStoreFilter, type StoredCheckpoint } from "../model.js";
import type { AppendBuilder, AuditStore } from "../store.js";
import { checkAppended } from "../internal/append.js";

interface TenantLog {
  records: AuditRecord[];
  levels: Map<number, Uint8Array[]>;
  checkpoints: StoredCheckpoint[];
  lock: Promise<unknown>;
}

/**
 * Create an in-process {@link AuditStore} for tests and prototypes. Not durable; appends are
 * serialised per tenant within the process.
 *
 * @example
 * ```ts
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const store = createMemoryAuditStore();
 * await store.size("acme"); // 0
 * ```
 */
export function createMemoryAuditStore(): AuditStore {
  const tenants = new Map<string, TenantLog>();
  let closed = false;
  const open = (): void => {
    if (closed) throw new AuditError(ERROR_CODES.STORE_CLOSED, "The memory audit store was closed; create a new one.");
  };
  const log = (tenantId: string): TenantLog => {
    let t = tenants.get(tenantId);
    if (t === undefined) {
      t = { records: [], levels: new Map([[0, []]]), checkpoints: [], lock: Promise.resolve() };
      tenants.set(tenantId, t);
    }
    return t;
  };
  const run = <T>(fn: () => T | Promise<T>): Promise<T> =>
    new Promise<T>((resolve) => {
      open();
      resolve(fn());
    });
  const copy = (r: AuditRecord): AuditRecord => ({ ...r, bytes: new Uint8Array(r.bytes), leafHash: new Uint8Array(r.leafHash) });

  return Object.freeze({
    name: "memory",
    capabilities: Object.freeze({ durable: false, multiProcess: false }),
    append: (tenantId: string, build: AppendBuilder) =>
      run(async () => {
        const t = log(tenantId);
        const previous = t.lock;
        let release!: () => void;
        t.lock = new Promise<void>((r) => (release = r));
        await previous;
        try {
          open();
          const first = t.records.length;
          const records = checkAppended(build(first), tenantId, first);
          const read: MerkleHashReader = (level, from, to) => Promise.resolve((t.levels.get(level) ?? []).slice(from, to));
          const nodes = await newStoredNodes(
            read,
            first,
            records.map((r) => r.leafHash),
          );
          for (const r of records) {
            t.records.push(copy(r));
            t.levels.get(0)!.push(new Uint8Array(r.leafHash));
          }
          for (const n of nodes) {
            const arr = t.levels.get(n.level) ?? [];
            arr[n.index] = new Uint8Array(n.hash);
            t.levels.set(n.level, arr);
          }
          return records;
        } finally {
          release();
        }
      }),
    size: (tenantId: string) => run(() => tenants.get(tenantId)?.records.length ?? 0),
    readRange: (tenantId: string, from: number, limit: number) =>
      run(() => (tenants.get(tenantId)?.records ?? []).filter((r) => r.sequence >= from).slice(0, limit).map(copy)),
    readHashes: (tenantId: string, level: number, from: number, to: number) =>
      run(() => (tenants.get(tenantId)?.levels.get(level) ?? []).slice(from, to).map((h) => new Uint8Array(h))),
    get: (tenantId: string, sequence: number) =>
      run(() => {
        const r = tenants.get(tenantId)?.records.find((x) => x.sequence === sequence);
        return r === undefined ? undefined : copy(r);
      }),
    query: (tenantId: string, filter: AuditStoreFilter) =>
      run(() => (tenants.get(tenantId)?.records ?? []).filter((r) => matchesFilter(r, filter)).slice(0, filter.limit).map(copy)),
    addCheckpoint: (tenantId: string, cp: StoredCheckpoint) =>
      run(() => {
        const t = log(tenantId);
        if (t.checkpoints.some((c) => c.treeSize === cp.treeSize)) return;
        t.checkpoints.push({ ...cp, rootHash: new Uint8Array(cp.rootHash) });
        t.checkpoints.sort((a, b) => a.treeSize - b.treeSize);
      }),
    listCheckpoints: (tenantId: string) => run(() => [...(tenants.get(tenantId)?.checkpoints ?? [])]),
    latestCheckpoint: (tenantId: string) => run(() => tenants.get(tenantId)?.checkpoints.at(-1)),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
}

