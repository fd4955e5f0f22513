import { randomBytes } from "node:crypto";
import {
  createKeyring,
  createManualClock,
  createMemoryKeyStore,
  type AuditEventInput,
  type KeyStore,
  type ManualClock,
  type StoredSubjectKey,
} from "@lawful/core";
import { describe, expect, it } from "vitest";
import { generateCheckpointKey, openCheckpoint, type CheckpointSigner } from "../checkpoint.js";
import { createAuditLog, type AuditLog } from "../log.js";
import { hashLeaf, merkleRoot, verifyConsistency, verifyInclusion } from "../merkle.js";
import type { AuditStore } from "../store.js";

/**
 * A ready-made audit log for tests: memory keyring, random pseudonym key, fresh checkpoint key, manual clock.
 *
 * @example
 * ```ts
 * import { createAuditLogFixture } from "@lawful/audit/testing";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const { log } = createAuditLogFixture(createMemoryAuditStore());
 * ```
 */
export function createAuditLogFixture(
  store: AuditStore,
  options: {
    readonly checkpointEvery?: { events?: number; seconds?: number } | undefined;
    readonly keyStore?: KeyStore | undefined;
    /** Share one checkpoint key between fixtures (e.g. several "processes" of one deployment). */
    readonly signer?: CheckpointSigner | undefined;
  } = {},
): { log: AuditLog; signer: CheckpointSigner; verifierKey: string; clock: ManualClock } {
  const clock = createManualClock("2025-03-01T10:00:00Z");
  const keyring = createKeyring({ store: options.keyStore ?? createMemoryKeyStore(), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1", clock });
  const generated = options.signer === undefined ? generateCheckpointKey("lawful.test/audit") : undefined;
  const signer = options.signer ?? generated!.signer;
  const verifierKey = signer.verifierKey;
  const log = createAuditLog({ store, keyring, pseudonymKey: randomBytes(32), signer, clock, checkpointEvery: options.checkpointEvery ?? { events: 10, seconds: 3600 } });
  return { log, signer, verifierKey, clock };
}

/**
 * A valid audit event input for tests (`i` varies actor, target and subject).
 *
 * @example
 * ```ts
 * import { sampleAuditEvent } from "@lawful/audit/testing";
 * const event = sampleAuditEvent("acme", 3);
 * ```
 */
export function sampleAuditEvent(tenantId: string, i: number): AuditEventInput {
  return {
    tenantId,
    action: i % 5 === 0 ? "consent.given" : "data.accessed",
    actor: { type: "staff", id: `u${i % 3}` },
    subject: { kind: "email", value: `person${i % 4}@example.com` },
    target: { system: "crm", recordType: "contact", recordId: `c${i}` },
    details: { note: `event ${i}`, fields: ["email", "phone"] },
    requestMeta: { ip: "192.0.2.10", userAgent: "contract-test" },
  };
}

/**
 * Options of {@link describeAuditStoreContract}.
 *
 * @example
 * ```ts
 * import type { AuditStoreContractOptions } from "@lawful/audit/testing";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const options: AuditStoreContractOptions = { name: "memory", create: () => createMemoryAuditStore() };
 * ```
 */
export interface AuditStoreContractOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A new store (tests use fresh random tenant ids, so stores may share a database). */
  readonly create: () => AuditStore | Promise<AuditStore>;
  /** Called after each test. */
  readonly reset?: (() => void | Promise<void>) | undefined;
  /** Store-specific tests, run inside the suite. */
  readonly additionalTests?: (() => void) | undefined;
}

let tenantCounter = 0;
const freshTenant = (): string => `t${Date.now().toString(36)}${(tenantCounter++).toString(36)}${randomBytes(3).toString("hex")}`;

/**
 * The shared contract every {@link AuditStore} must pass (vitest). Run it for your own store too.
 *
 * @example
 * ```ts
 * import { describeAuditStoreContract } from "@lawful/audit/testing";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * describeAuditStoreContract({ name: "memory", create: () => createMemoryAuditStore() });
 * ```
 */
export function describeAuditStoreContract(options: AuditStoreContractOptions): void {
  describe(`AuditStore contract: ${options.name}`, () => {
    const withStore = (fn: (store: AuditStore) => Promise<void>) => async () => {
      const store = await options.create();
      try {
        await fn(store);
      } finally {
        await store.close();
        await options.reset?.();
      }
    };

    it(
      "append - numbers events from 0 without gaps, per tenant",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store);
        const a = freshTenant();
        const b = freshTenant();
        const r1 = await log.recordMany([0, 1, 2].map((i) => sampleAuditEvent(a, i)));
        const r2 = await log.record(sampleAuditEvent(b, 0));
        const r3 = await log.record(sampleAuditEvent(a, 3));
        expect(r1.map((r) => r.sequence)).toEqual([0, 1, 2]);
        expect(r2.sequence).toBe(0);
        expect(r3.sequence).toBe(3);
        expect(await store.size(a)).toBe(4);
        expect(await store.size(b)).toBe(1);
        expect((await store.readRange(a, 0, 100)).map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
      }),
    );

    it(
      "append - concurrent appends in one process neither fork nor duplicate",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store);
        const t = freshTenant();
        const receipts = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? log.record(sampleAuditEvent(t, i)) : log.recordMany([sampleAuditEvent(t, i), sampleAuditEvent(t, i + 100)]))));
        const seqs = receipts.flatMap((r) => (Array.isArray(r) ? r.map((x) => x.sequence) : [r.sequence])).sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
        await log.checkpoint(t);
        expect((await log.verify(t)).ok).toBe(true);
      }),
    );

    it(
      "append - a failing builder writes nothing",
      withStore(async (store) => {
        const t = freshTenant();
        await expect(
          store.append(t, () => {
            throw new Error("boom");
          }),
        ).rejects.toThrow();
        expect(await store.size(t)).toBe(0);
        const { log } = createAuditLogFixture(store);
        await expect(log.recordMany([sampleAuditEvent(t, 0), { ...sampleAuditEvent(t, 1), actor: { type: "nobody", id: "" } } as unknown as AuditEventInput])).rejects.toMatchObject({
          code: "VALIDATION_FAILED",
        });
        expect(await store.size(t)).toBe(0);
        expect((await log.record(sampleAuditEvent(t, 2))).sequence).toBe(0);
      }),
    );

    it(
      "readHashes - stored hashes give roots and proofs that verify, for every size up to 40",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store, { checkpointEvery: { events: 1_000_000 } });
        const t = freshTenant();
        const roots: Uint8Array[] = [];
        const read = (level: number, from: number, to: number) => store.readHashes(t, level, from, to);
        for (let n = 1; n <= 40; n++) {
          await log.record(sampleAuditEvent(t, n));
          roots[n] = await merkleRoot(read, n);
        }
        const rows = await store.readRange(t, 0, 100);
        for (const n of [1, 2, 3, 16, 17, 31, 32, 33, 40]) {
          for (const m of [0, Math.floor(n / 2), n - 1]) {
            const proof = await log.inclusionProof(t, m, n);
            expect(verifyInclusion({ index: m, size: n, leafHash: hashLeaf(rows[m]!.bytes), proof: proof.proof, root: roots[n]! })).toBe(true);
          }
          for (const first of [1, Math.ceil(n / 3), n]) {
            const proof = await log.consistencyProof(t, first, n);
            expect(verifyConsistency({ first, second: n, firstRoot: roots[first]!, secondRoot: roots[n]!, proof })).toBe(true);
          }
        }
      }),
    );

    it(
      "query - filters and paginates in sequence order",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store);
        const t = freshTenant();
        await log.recordMany(Array.from({ length: 20 }, (_, i) => sampleAuditEvent(t, i)));
        const bySubject = await log.query(t, { subject: { kind: "email", value: "person1@example.com" } });
        expect(bySubject.events.map((e) => e.sequence)).toEqual([1, 5, 9, 13, 17]);
        expect((await log.query(t, { actionPrefix: "consent" })).events.map((e) => e.sequence)).toEqual([0, 5, 10, 15]);
        expect((await log.query(t, { actorId: "u2", actionPrefix: "data." })).events.map((e) => e.sequence)).toEqual([2, 8, 11, 14, 17]);
        expect((await log.query(t, { targetSystem: "crm", targetRecordType: "contact", targetRecordId: "c7" })).events.map((e) => e.sequence)).toEqual([7]);
        const pages: number[][] = [];
        let cursor: string | undefined;
        do {
          const page = await log.query(t, { limit: 6, cursor });
          pages.push(page.events.map((e) => e.sequence));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(pages.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(pages).toHaveLength(4);
      }),
    );

    it(
      "addCheckpoint - keeps checkpoints in size order, idempotent per size, signed and verifiable",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store, { checkpointEvery: { events: 1_000_000 } });
        const t = freshTenant();
        await log.recordMany([0, 1, 2].map((i) => sampleAuditEvent(t, i)));
        const c3 = await log.checkpoint(t);
        expect((await log.checkpoint(t)).treeSize).toBe(3);
        await log.record(sampleAuditEvent(t, 3));
        await log.checkpoint(t);
        await store.addCheckpoint(t, c3);
        expect((await store.listCheckpoints(t)).map((c) => c.treeSize)).toEqual([3, 4]);
        expect((await store.latestCheckpoint(t))?.treeSize).toBe(4);
        expect(openCheckpoint(c3.note, log.verifiers).ok).toBe(true);
        expect((await log.verify(t)).ok).toBe(true);
      }),
    );

    it(
      "verify - an untouched log verifies and encrypted details survive a round trip",
      withStore(async (store) => {
        const { log } = createAuditLogFixture(store, { checkpointEvery: { events: 7 } });
        const t = freshTenant();
        for (let i = 0; i < 4; i++) await log.recordMany(Array.from({ length: 9 }, (_, j) => sampleAuditEvent(t, i * 9 + j)));
        const report = await log.verify(t, { pageSize: 8 });
        expect(report).toMatchObject({ ok: true, eventsChecked: 36 });
        expect(report.coveredSize).toBeGreaterThanOrEqual(35);
        const ev = await log.get(t, 5);
        expect(await log.readDetails(ev!)).toMatchObject({ status: "decrypted", details: { note: "event 5" } });
      }),
    );

    it(
      "close - is idempotent and later calls reject with STORE_CLOSED",
      withStore(async (store) => {
        await store.close();
        await store.close();
        await expect(store.size("x")).rejects.toMatchObject({ code: "STORE_CLOSED" });
      }),
    );

    options.additionalTests?.();
  });
}

/**
 * Options of {@link describeKeyStoreContract}.
 *
 * @example
 * ```ts
 * import { createMemoryKeyStore } from "@lawful/core";
 * import type { KeyStoreContractOptions } from "@lawful/audit/testing";
 * const options: KeyStoreContractOptions = { name: "memory", create: () => createMemoryKeyStore() };
 * ```
 */
export interface KeyStoreContractOptions {
  readonly name: string;
  /** A new key store (tests use fresh tenant ids). */
  readonly create: () => KeyStore | Promise<KeyStore>;
  /** Called after each test. */
  readonly reset?: (() => void | Promise<void>) | undefined;
  /** Store-specific tests, run inside the suite. */
  readonly additionalTests?: (() => void) | undefined;
}

/**
 * The shared contract every core `KeyStore` must pass (vitest).
 *
 * @example
 * ```ts
 * import { createMemoryKeyStore } from "@lawful/core";
 * import { describeKeyStoreContract } from "@lawful/audit/testing";
 * describeKeyStoreContract({ name: "memory", create: () => createMemoryKeyStore() });
 * ```
 */
export function describeKeyStoreContract(options: KeyStoreContractOptions): void {
  describe(`KeyStore contract: ${options.name}`, () => {
    const withStore = (fn: (store: KeyStore) => Promise<void>) => async () => {
      const store = await options.create();
      try {
        await fn(store);
      } finally {
        await store.close();
        await options.reset?.();
      }
    };
    const key = (tenantId: string, subjectKeyId: string, kekId = "k1"): StoredSubjectKey => ({
      tenantId,
      subjectKeyId,
      kekId,
      wrappedKey: new Uint8Array(randomBytes(60)),
      createdAt: new Date("2025-01-01T00:00:00.000Z"),
      shreddedAt: null,
    });

    it(
      "putIfAbsent - inserts once and returns the existing record afterwards",
      withStore(async (store) => {
        const t = freshTenant();
        expect(await store.get(t, "ps1_a")).toBeUndefined();
        const first = key(t, "ps1_a");
        const stored = await store.putIfAbsent(first);
        expect(Buffer.from(stored.wrappedKey!).equals(Buffer.from(first.wrappedKey!))).toBe(true);
        const again = await store.putIfAbsent(key(t, "ps1_a", "k2"));
        expect(again.kekId).toBe("k1");
        expect(Buffer.from(again.wrappedKey!).equals(Buffer.from(first.wrappedKey!))).toBe(true);
        const got = await store.get(t, "ps1_a");
        expect(got).toMatchObject({ tenantId: t, subjectKeyId: "ps1_a", kekId: "k1", shreddedAt: null });
        expect(got?.createdAt.toISOString()).toBe("2025-01-01T00:00:00.000Z");
        expect(await store.get(freshTenant(), "ps1_a")).toBeUndefined();
      }),
    );

    it(
      "putIfAbsent - concurrent creators agree on one key",
      withStore(async (store) => {
        const t = freshTenant();
        const results = await Promise.all(Array.from({ length: 8 }, () => store.putIfAbsent(key(t, "ps1_race"))));
        const distinct = new Set(results.map((r) => Buffer.from(r.wrappedKey!).toString("hex")));
        expect(distinct.size).toBe(1);
      }),
    );

    it(
      "replaceWrappedKey - swaps the wrapping only from the expected KEK",
      withStore(async (store) => {
        const t = freshTenant();
        await store.putIfAbsent(key(t, "ps1_r"));
        const wrapped = new Uint8Array(randomBytes(60));
        const unchanged = await store.replaceWrappedKey(t, "ps1_r", "k-other", { kekId: "k2", wrappedKey: wrapped });
        expect(unchanged?.kekId).toBe("k1");
        const changed = await store.replaceWrappedKey(t, "ps1_r", "k1", { kekId: "k2", wrappedKey: wrapped });
        expect(changed?.kekId).toBe("k2");
        expect(Buffer.from(changed!.wrappedKey!).equals(Buffer.from(wrapped))).toBe(true);
        expect(await store.replaceWrappedKey(t, "ps1_none", "k1", { kekId: "k2", wrappedKey: wrapped })).toBeUndefined();
      }),
    );

    it(
      "shred - destroys the key, keeps the first shred time and blocks new keys",
      withStore(async (store) => {
        const t = freshTenant();
        await store.putIfAbsent(key(t, "ps1_s"));
        await store.shred(t, "ps1_s", new Date("2025-02-01T00:00:00.000Z"));
        await store.shred(t, "ps1_s", new Date("2025-03-01T00:00:00.000Z"));
        const r = await store.get(t, "ps1_s");
        expect(r).toMatchObject({ wrappedKey: null, kekId: "k1" });
        expect(r?.shreddedAt?.toISOString()).toBe("2025-02-01T00:00:00.000Z");
        const after = await store.putIfAbsent(key(t, "ps1_s"));
        expect(after.wrappedKey).toBeNull();
        expect(await store.replaceWrappedKey(t, "ps1_s", "k1", { kekId: "k2", wrappedKey: new Uint8Array(60) })).toMatchObject({ wrappedKey: null });
        await store.shred(t, "ps1_unknown", new Date("2025-02-02T00:00:00.000Z"));
        expect(await store.get(t, "ps1_unknown")).toMatchObject({ kekId: "", wrappedKey: null });
      }),
    );

    it(
      "keyring - encrypts, decrypts and crypto-shreds through the store",
      withStore(async (store) => {
        const t = freshTenant();
        const keyring = createKeyring({ store, keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1", cacheSize: 0 });
        const ct = await keyring.encryptJson(t, "ps1_k", { email: "ada@example.com" });
        expect(await keyring.decryptJson(t, "ps1_k", ct)).toEqual({ email: "ada@example.com" });
        await keyring.shred(t, "ps1_k");
        await expect(keyring.decryptJson(t, "ps1_k", ct)).rejects.toMatchObject({ code: "KEY_SHREDDED" });
        expect(await keyring.isShredded(t, "ps1_k")).toBe(true);
      }),
    );

    it(
      "close - is idempotent and later calls reject with STORE_CLOSED",
      withStore(async (store) => {
        await store.close();
        await store.close();
        await expect(store.get("x", "y")).rejects.toMatchObject({ code: "STORE_CLOSED" });
      }),
    );

    options.additionalTests?.();
  });
}
