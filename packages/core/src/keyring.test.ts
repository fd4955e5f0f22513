import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createManualClock } from "./clock.js";
import { isLawfulError, type LawfulError } from "./errors.js";
import { createKeyring, createMemoryKeyStore, type KeyEncryptionKey, type KeyStore, type KeyringOptions, type StoredSubjectKey } from "./keyring.js";

const KEK_A: KeyEncryptionKey = { id: "kek-a", key: new Uint8Array(32).fill(0xa1) };
const KEK_B: KeyEncryptionKey = { id: "kek-b", key: new Uint8Array(32).fill(0xb2) };
const T = "acme";
const S1 = "ps1_subject-one";
const S2 = "ps1_subject-two";
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function rejection(promise: Promise<unknown>): Promise<LawfulError> {
  try {
    await promise;
  } catch (error) {
    if (isLawfulError(error)) return error;
    throw error;
  }
  throw new Error("expected a LawfulError rejection");
}

function syncError(fn: () => unknown): LawfulError {
  try {
    fn();
  } catch (error) {
    if (isLawfulError(error)) return error;
    throw error;
  }
  throw new Error("expected a LawfulError to be thrown");
}

/** Wraps a store: counts calls and yields to the event loop before each call so concurrent callers interleave. */
function instrument(inner: KeyStore): KeyStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const tick = (op: string) => {
    calls[op] = (calls[op] ?? 0) + 1;
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    name: `instrumented-${inner.name}`,
    capabilities: inner.capabilities,
    calls,
    async get(t, s) {
      await tick("get");
      return inner.get(t, s);
    },
    async putIfAbsent(k) {
      await tick("putIfAbsent");
      return inner.putIfAbsent(k);
    },
    async replaceWrappedKey(t, s, e, n) {
      await tick("replaceWrappedKey");
      return inner.replaceWrappedKey(t, s, e, n);
    },
    async shred(t, s, at) {
      await tick("shred");
      return inner.shred(t, s, at);
    },
    close: () => inner.close(),
  };
}

function setup(overrides: Partial<KeyringOptions> = {}) {
  const store = overrides.store ?? createMemoryKeyStore();
  const clock = createManualClock("2025-03-05T10:00:00Z");
  const keyring = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a", clock, ...overrides });
  return { store, clock, keyring };
}

describe("keyring - encryption", () => {
  it("encrypt/decrypt - round trips strings and bytes", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "ada@example.com");
    expect(text(await keyring.decrypt(T, S1, ct))).toBe("ada@example.com");
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const ct2 = await keyring.encrypt(T, S1, bytes);
    const out = await keyring.decrypt(T, S1, ct2);
    expect(out).toBeInstanceOf(Uint8Array);
    expect([...out]).toEqual([0, 1, 2, 255]);
    expect(text(await keyring.decrypt(T, S1, await keyring.encrypt(T, S1, "")))).toBe("");
  });

  it("encrypt - ciphertext is a compact JSON-safe string that names neither tenant nor subject", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "ada@example.com");
    expect(ct).toMatch(/^lk1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(JSON.parse(JSON.stringify({ ct }))).toEqual({ ct });
    expect(ct).not.toContain(T);
    expect(ct).not.toContain(S1);
    expect(ct).not.toContain("ada");
  });

  it("encrypt - uses a fresh IV every time", async () => {
    const { keyring } = setup();
    const a = await keyring.encrypt(T, S1, "same");
    const b = await keyring.encrypt(T, S1, "same");
    expect(a).not.toBe(b);
  });

  it("encryptJson/decryptJson - round trips JSON and rejects non-JSON", async () => {
    const { keyring } = setup();
    const value = { email: "ada@example.com", tags: ["a", 1, null, true], nested: { z: 1, a: 2 } };
    const ct = await keyring.encryptJson(T, S1, value, "contacts");
    expect(await keyring.decryptJson(T, S1, ct, "contacts")).toEqual(value);
    expect((await rejection(keyring.encryptJson(T, S1, { at: new Date() }))).code).toBe("NOT_JSON_SERIALIZABLE");
    const binary = await keyring.encrypt(T, S1, new Uint8Array([0xff, 0xfe]));
    expect((await rejection(keyring.decryptJson(T, S1, binary))).code).toBe("DECRYPTION_FAILED");
  });

  it("round trip - holds for arbitrary plaintexts and aad (property)", async () => {
    const { keyring } = setup();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), fc.option(fc.string({ unit: "binary" }), { nil: undefined }), async (plain, aad) => {
        const ct = await keyring.encrypt(T, S1, plain, aad);
        expect([...(await keyring.decrypt(T, S1, ct, aad))]).toEqual([...plain]);
      }),
      { numRuns: 100 },
    );
  });

  it("aad - binds the ciphertext to the associated data", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "secret", "contacts.email");
    expect(text(await keyring.decrypt(T, S1, ct, "contacts.email"))).toBe("secret");
    expect(text(await keyring.decrypt(T, S1, ct, new TextEncoder().encode("contacts.email")))).toBe("secret");
    for (const wrong of ["contacts.phone", "", undefined]) {
      const error = await rejection(keyring.decrypt(T, S1, ct, wrong));
      expect(error.code).toBe("DECRYPTION_FAILED");
      expect(error.message).not.toContain("secret");
    }
    const noAad = await keyring.encrypt(T, S1, "secret");
    expect((await rejection(keyring.decrypt(T, S1, noAad, "x"))).code).toBe("DECRYPTION_FAILED");
  });

  it("binding - a ciphertext does not decrypt for another subject or tenant", async () => {
    const { keyring } = setup();
    await keyring.encrypt(T, S2, "other subject's data");
    await keyring.encrypt("globex", S1, "other tenant's data");
    const ct = await keyring.encrypt(T, S1, "secret");
    expect((await rejection(keyring.decrypt(T, S2, ct))).code).toBe("DECRYPTION_FAILED");
    expect((await rejection(keyring.decrypt("globex", S1, ct))).code).toBe("DECRYPTION_FAILED");
  });

  it("decrypt - NOT_FOUND when the subject has no key", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "x");
    expect((await rejection(keyring.decrypt(T, "ps1_never", ct))).code).toBe("NOT_FOUND");
  });

  it("tamper detection - changing any character of the ciphertext fails with DECRYPTION_FAILED", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "ada@example.com", "aad");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ct.length - 1 }), fc.constantFrom(...alphabet), async (index, ch) => {
        fc.pre(ct[index] !== ch);
        const tampered = ct.slice(0, index) + ch + ct.slice(index + 1);
        const error = await rejection(keyring.decrypt(T, S1, tampered, "aad"));
        expect(error.code).toBe("DECRYPTION_FAILED");
      }),
      { numRuns: 300 },
    );
  });

  it("tamper detection - truncated, extended and malformed ciphertexts fail with DECRYPTION_FAILED", async () => {
    const { keyring } = setup();
    const ct = await keyring.encrypt(T, S1, "ada@example.com");
    for (const bad of [ct.slice(0, -1), `${ct}A`, ct.replace("lk1.", "lk2."), "", "lk1..", "not a ciphertext", `${ct}.x`, 42 as unknown as string]) {
      expect((await rejection(keyring.decrypt(T, S1, bad))).code).toBe("DECRYPTION_FAILED");
    }
  });

  it("validation - bad tenant ids, subject key ids, plaintexts and aad are VALIDATION_FAILED without values", async () => {
    const { keyring } = setup();
    const cases: [Promise<unknown>, string][] = [
      [keyring.encrypt("", S1, "x"), "tenantId"],
      [keyring.encrypt(42 as unknown as string, S1, "x"), "tenantId"],
      [keyring.encrypt(T, "", "x"), "subjectKeyId"],
      [keyring.encrypt(T, "x".repeat(513), "x"), "subjectKeyId"],
      [keyring.encrypt(T, S1, 42 as unknown as string), "plaintext"],
      [keyring.encrypt(T, S1, "secret\ud800"), "plaintext"],
      [keyring.encrypt(T, S1, "x", 42 as unknown as string), "aad"],
      [keyring.decrypt("", S1, "lk1.x.y"), "tenantId"],
      [keyring.shred(T, ""), "subjectKeyId"],
      [keyring.isShredded("", S1), "tenantId"],
      [keyring.rewrap(T, ""), "subjectKeyId"],
    ];
    for (const [promise, field] of cases) {
      const error = await rejection(promise);
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.issues[0]?.path).toEqual([field]);
      expect(error.message).not.toContain("secret");
    }
  });
});

describe("keyring - shredding", () => {
  it("shred - makes every earlier ciphertext of the subject unreadable, others still decrypt", async () => {
    const { keyring } = setup();
    const mine = [await keyring.encrypt(T, S1, "one"), await keyring.encrypt(T, S1, "two", "aad"), await keyring.encryptJson(T, S1, { a: 1 })];
    const theirs = await keyring.encrypt(T, S2, "other");
    const otherTenant = await keyring.encrypt("globex", S1, "same subject id, other tenant");
    await keyring.shred(T, S1);
    for (const ct of mine) {
      const error = await rejection(keyring.decrypt(T, S1, ct, ct === mine[1] ? "aad" : undefined));
      expect(error.code).toBe("KEY_SHREDDED");
    }
    expect((await rejection(keyring.decryptJson(T, S1, mine[2]!))).code).toBe("KEY_SHREDDED");
    expect(text(await keyring.decrypt(T, S2, theirs))).toBe("other");
    expect(text(await keyring.decrypt("globex", S1, otherTenant))).toBe("same subject id, other tenant");
  });

  it("shred - destroys the wrapped key in the store and keeps a tombstone", async () => {
    const { keyring, store, clock } = setup();
    await keyring.encrypt(T, S1, "x");
    const before = await store.get(T, S1);
    expect(before?.wrappedKey).toHaveLength(60);
    expect(before?.shreddedAt).toBeNull();
    clock.advance({ days: 1 });
    await keyring.shred(T, S1);
    const after = await store.get(T, S1);
    expect(after).toMatchObject({ tenantId: T, subjectKeyId: S1, kekId: "kek-a", wrappedKey: null });
    expect(after?.createdAt).toEqual(before?.createdAt);
    expect(after?.shreddedAt?.toISOString()).toBe("2025-03-06T10:00:00.000Z");
    expect(await keyring.isShredded(T, S1)).toBe(true);
    expect(await keyring.isShredded(T, S2)).toBe(false);
  });

  it("shred - is idempotent and keeps the first shreddedAt", async () => {
    const { keyring, store, clock } = setup();
    const ct = await keyring.encrypt(T, S1, "x");
    await keyring.shred(T, S1);
    const first = (await store.get(T, S1))?.shreddedAt;
    clock.advance({ hours: 5 });
    await expect(keyring.shred(T, S1)).resolves.toBeUndefined();
    expect((await store.get(T, S1))?.shreddedAt).toEqual(first);
    expect((await rejection(keyring.decrypt(T, S1, ct))).code).toBe("KEY_SHREDDED");
  });

  it("shred - a shredded subject cannot encrypt again", async () => {
    const { keyring } = setup();
    await keyring.encrypt(T, S1, "x");
    await keyring.shred(T, S1);
    expect((await rejection(keyring.encrypt(T, S1, "new data"))).code).toBe("KEY_SHREDDED");
    expect((await rejection(keyring.encryptJson(T, S1, { a: 1 }))).code).toBe("KEY_SHREDDED");
  });

  it("shred - a subject without a key gets a tombstone", async () => {
    const { keyring, store } = setup();
    await keyring.shred(T, S1);
    expect(await keyring.isShredded(T, S1)).toBe(true);
    expect(await store.get(T, S1)).toMatchObject({ kekId: "", wrappedKey: null });
    expect((await rejection(keyring.encrypt(T, S1, "x"))).code).toBe("KEY_SHREDDED");
    expect(await keyring.rewrap(T, S1)).toMatchObject({ status: "shredded" });
  });

  it("shred - another keyring on the same store stops decrypting once its cache entry expires", async () => {
    const store = createMemoryKeyStore();
    const clock = createManualClock("2025-03-05T10:00:00Z");
    const a = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a", clock, cacheTtlMs: 60_000 });
    const b = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a", clock, cacheTtlMs: 60_000 });
    const ct = await a.encrypt(T, S1, "x");
    expect(text(await b.decrypt(T, S1, ct))).toBe("x"); // b caches the key
    await a.shred(T, S1);
    expect((await rejection(a.decrypt(T, S1, ct))).code).toBe("KEY_SHREDDED");
    clock.advance(60_000);
    expect((await rejection(b.decrypt(T, S1, ct))).code).toBe("KEY_SHREDDED");
  });

  it("shred - a decrypt racing with shred does not leave the key cached", async () => {
    const store = instrument(createMemoryKeyStore());
    const { keyring } = setup({ store });
    const ct = await keyring.encrypt(T, S1, "x");
    const fresh = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const racing = fresh.decrypt(T, S1, ct).then(text, (e: unknown) => e);
    await fresh.shred(T, S1);
    await racing; // either result is fine: it started before the shred
    expect((await rejection(fresh.decrypt(T, S1, ct))).code).toBe("KEY_SHREDDED");
  });
});

describe("keyring - KEK rotation", () => {
  it("rotation - old ciphertexts still decrypt after a new current KEK is added; new keys use it", async () => {
    const store = createMemoryKeyStore();
    const v1 = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const old = await v1.encrypt(T, S1, "old");
    const v2 = createKeyring({ store, keks: [KEK_A, KEK_B], currentKekId: "kek-b" });
    expect(v2.currentKekId).toBe("kek-b");
    expect(text(await v2.decrypt(T, S1, old))).toBe("old");
    await v2.encrypt(T, S2, "new");
    expect((await store.get(T, S2))?.kekId).toBe("kek-b");
    expect((await store.get(T, S1))?.kekId).toBe("kek-a");
  });

  it("rewrap - moves a subject key to the current KEK without changing ciphertexts", async () => {
    const store = createMemoryKeyStore();
    const v1 = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const old = await v1.encrypt(T, S1, "old");
    const createdAt = (await store.get(T, S1))?.createdAt;
    const v2 = createKeyring({ store, keks: [KEK_A, KEK_B], currentKekId: "kek-b" });
    expect(await v2.rewrap(T, S1)).toEqual({ status: "rewrapped", fromKekId: "kek-a", toKekId: "kek-b" });
    const record = await store.get(T, S1);
    expect(record?.kekId).toBe("kek-b");
    expect(record?.createdAt).toEqual(createdAt);
    expect(await v2.rewrap(T, S1)).toEqual({ status: "already_current", kekId: "kek-b" });
    expect(await v2.rewrap(T, S2)).toEqual({ status: "not_found" });
    // the old KEK can now be retired
    const v3 = createKeyring({ store, keks: [KEK_B], currentKekId: "kek-b" });
    expect(text(await v3.decrypt(T, S1, old))).toBe("old");
  });

  it("rewrap - reports shredded keys", async () => {
    const { keyring, clock } = setup();
    await keyring.encrypt(T, S1, "x");
    await keyring.shred(T, S1);
    expect(await keyring.rewrap(T, S1)).toEqual({ status: "shredded", shreddedAt: clock.now() });
  });

  it("unknown KEK - a key wrapped by a KEK the keyring lacks is INVALID_KEY", async () => {
    const store = createMemoryKeyStore();
    const v1 = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const ct = await v1.encrypt(T, S1, "x");
    const onlyB = createKeyring({ store, keks: [KEK_B], currentKekId: "kek-b" });
    const error = await rejection(onlyB.decrypt(T, S1, ct));
    expect(error.code).toBe("INVALID_KEY");
    expect(error.message).toContain("kek-a");
    expect((await rejection(onlyB.encrypt(T, S1, "y"))).code).toBe("INVALID_KEY");
    expect((await rejection(onlyB.rewrap(T, S1))).code).toBe("INVALID_KEY");
  });

  it("wrong KEK bytes - a KEK id with different key bytes is INVALID_KEY", async () => {
    const store = createMemoryKeyStore();
    const ct = await createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" }).encrypt(T, S1, "x");
    const impostor = createKeyring({ store, keks: [{ id: "kek-a", key: new Uint8Array(32).fill(9) }], currentKekId: "kek-a" });
    expect((await rejection(impostor.decrypt(T, S1, ct))).code).toBe("INVALID_KEY");
  });

  it("wrapped key binding - a wrapped key copied to another subject does not unwrap", async () => {
    const store = createMemoryKeyStore();
    const keyring = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    await keyring.encrypt(T, S1, "x");
    const stolen = (await store.get(T, S1))!;
    await store.putIfAbsent({ ...stolen, subjectKeyId: S2 });
    expect((await rejection(keyring.encrypt(T, S2, "y"))).code).toBe("INVALID_KEY");
  });
});

describe("keyring - concurrency and cache", () => {
  it("concurrent first use - many encrypts in one keyring end with one key", async () => {
    const store = instrument(createMemoryKeyStore());
    const { keyring } = setup({ store });
    const cts = await Promise.all(Array.from({ length: 20 }, (_, i) => keyring.encrypt(T, S1, `m${i}`)));
    const other = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    expect(await Promise.all(cts.map(async (ct) => text(await other.decrypt(T, S1, ct))))).toEqual(cts.map((_, i) => `m${i}`));
    expect(store.calls["putIfAbsent"]).toBe(1);
  });

  it("concurrent first use - two keyrings sharing a store agree on one key", async () => {
    const store = instrument(createMemoryKeyStore());
    const a = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const b = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    const [ctA, ctB] = await Promise.all([a.encrypt(T, S1, "from a"), b.encrypt(T, S1, "from b")]);
    expect(store.calls["putIfAbsent"]).toBe(2); // both raced to create
    expect(text(await a.decrypt(T, S1, ctB))).toBe("from b");
    expect(text(await b.decrypt(T, S1, ctA))).toBe("from a");
    const fresh = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    expect(text(await fresh.decrypt(T, S1, ctA))).toBe("from a");
    expect(text(await fresh.decrypt(T, S1, ctB))).toBe("from b");
  });

  it("cache - unwrapped keys are served from memory until the TTL passes", async () => {
    const store = instrument(createMemoryKeyStore());
    const { keyring, clock } = setup({ store, cacheTtlMs: 1000 });
    const ct = await keyring.encrypt(T, S1, "x");
    const gets = store.calls["get"];
    await keyring.decrypt(T, S1, ct);
    await keyring.encrypt(T, S1, "y");
    expect(store.calls["get"]).toBe(gets);
    clock.advance(1000);
    await keyring.decrypt(T, S1, ct);
    expect(store.calls["get"]).toBe((gets ?? 0) + 1);
  });

  it("cache - is bounded (least recently used evicted) and can be disabled", async () => {
    const store = instrument(createMemoryKeyStore());
    const { keyring } = setup({ store, cacheSize: 2 });
    const ct1 = await keyring.encrypt(T, "s1", "1");
    const ct2 = await keyring.encrypt(T, "s2", "2");
    await keyring.decrypt(T, "s1", ct1); // s1 most recent
    await keyring.encrypt(T, "s3", "3"); // evicts s2
    const gets = store.calls["get"] ?? 0;
    await keyring.decrypt(T, "s1", ct1);
    expect(store.calls["get"]).toBe(gets);
    await keyring.decrypt(T, "s2", ct2);
    expect(store.calls["get"]).toBe(gets + 1);

    const uncachedStore = instrument(createMemoryKeyStore());
    const uncached = setup({ store: uncachedStore, cacheSize: 0 }).keyring;
    const ct = await uncached.encrypt(T, S1, "x");
    const before = uncachedStore.calls["get"] ?? 0;
    await uncached.decrypt(T, S1, ct);
    await uncached.decrypt(T, S1, ct);
    expect(uncachedStore.calls["get"]).toBe(before + 2);
  });
});

describe("keyring - configuration", () => {
  it("createKeyring - rejects KEKs that are not 32 bytes with INVALID_KEY and no key material", () => {
    const short = { id: "short", key: new Uint8Array(16).fill(0xcd) };
    const error = syncError(() => createKeyring({ store: createMemoryKeyStore(), keks: [short], currentKekId: "short" }));
    expect(error.code).toBe("INVALID_KEY");
    expect(error.issues[0]?.path).toEqual(["keks", 0, "key"]);
    expect(error.message).toContain("16 bytes");
    expect(error.message).not.toMatch(/cdcd|zc3N/i);
    expect(syncError(() => createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "long", key: new Uint8Array(64) }], currentKekId: "long" })).code).toBe(
      "INVALID_KEY",
    );
  });

  it("createKeyring - rejects an unknown currentKekId with INVALID_KEY", () => {
    const error = syncError(() => createKeyring({ store: createMemoryKeyStore(), keks: [KEK_A], currentKekId: "kek-z" }));
    expect(error.code).toBe("INVALID_KEY");
    expect(error.issues[0]?.path).toEqual(["currentKekId"]);
  });

  it("createKeyring - rejects malformed options with INVALID_CONFIGURATION", () => {
    const store = createMemoryKeyStore();
    const bad: unknown[] = [
      { store, keks: [], currentKekId: "kek-a" },
      { store, keks: [KEK_A, { id: "kek-a", key: new Uint8Array(32) }], currentKekId: "kek-a" },
      { store, keks: [{ id: "bad id with spaces", key: new Uint8Array(32) }], currentKekId: "bad id with spaces" },
      { store, keks: [{ id: "k", key: "0".repeat(32) }], currentKekId: "k" },
      { store: {}, keks: [KEK_A], currentKekId: "kek-a" },
      { store, keks: [KEK_A], currentKekId: "kek-a", clock: {} },
      { store, keks: [KEK_A], currentKekId: "kek-a", cacheSize: -1 },
      undefined,
    ];
    for (const options of bad) {
      const error = syncError(() => createKeyring(options as KeyringOptions));
      expect(error.code).toBe("INVALID_CONFIGURATION");
      expect(error.issues.length).toBeGreaterThan(0);
    }
  });

  it("createKeyring - copies KEKs, so later changes to the caller's bytes do not matter", async () => {
    const key = new Uint8Array(32).fill(5);
    const store = createMemoryKeyStore();
    const keyring = createKeyring({ store, keks: [{ id: "k", key }], currentKekId: "k", cacheSize: 0 });
    const ct = await keyring.encrypt(T, S1, "x");
    key.fill(0);
    expect(text(await keyring.decrypt(T, S1, ct))).toBe("x");
  });

  it("store failures - non-Lawful errors become STORE_FAILED with the cause", async () => {
    const boom = new Error("connection reset");
    const failing: KeyStore = {
      ...createMemoryKeyStore(),
      name: "failing",
      get: () => Promise.reject(boom),
    };
    const { keyring } = setup({ store: failing });
    const error = await rejection(keyring.encrypt(T, S1, "x"));
    expect(error.code).toBe("STORE_FAILED");
    expect(error.cause).toBe(boom);
  });
});

describe("createMemoryKeyStore", () => {
  const record = (over: Partial<StoredSubjectKey> = {}): StoredSubjectKey => ({
    tenantId: T,
    subjectKeyId: S1,
    kekId: "kek-a",
    wrappedKey: new Uint8Array(60).fill(1),
    createdAt: new Date("2025-01-01T00:00:00Z"),
    shreddedAt: null,
    ...over,
  });

  it("putIfAbsent - inserts once and never overwrites, returning the stored record", async () => {
    const store = createMemoryKeyStore();
    expect(store.name).toBe("memory");
    expect(store.capabilities.durable).toBe(false);
    expect(await store.get(T, S1)).toBeUndefined();
    const first = await store.putIfAbsent(record());
    expect(first.kekId).toBe("kek-a");
    const second = await store.putIfAbsent(record({ kekId: "kek-b", wrappedKey: new Uint8Array(60).fill(2) }));
    expect(second.kekId).toBe("kek-a");
    expect([...(second.wrappedKey ?? [])]).toEqual(new Array(60).fill(1));
  });

  it("get - returns copies that callers cannot use to mutate the store", async () => {
    const store = createMemoryKeyStore();
    const input = record();
    await store.putIfAbsent(input);
    input.wrappedKey?.fill(9);
    const got = (await store.get(T, S1))!;
    expect(got.wrappedKey?.[0]).toBe(1);
    got.wrappedKey?.fill(7);
    got.createdAt.setTime(0);
    const again = (await store.get(T, S1))!;
    expect(again.wrappedKey?.[0]).toBe(1);
    expect(again.createdAt.toISOString()).toBe("2025-01-01T00:00:00.000Z");
  });

  it("replaceWrappedKey - compare-and-sets on the expected KEK id and never revives a tombstone", async () => {
    const store = createMemoryKeyStore();
    expect(await store.replaceWrappedKey(T, S1, "kek-a", { kekId: "kek-b", wrappedKey: new Uint8Array(60) })).toBeUndefined();
    await store.putIfAbsent(record());
    expect((await store.replaceWrappedKey(T, S1, "kek-x", { kekId: "kek-b", wrappedKey: new Uint8Array(60) }))?.kekId).toBe("kek-a");
    expect((await store.replaceWrappedKey(T, S1, "kek-a", { kekId: "kek-b", wrappedKey: new Uint8Array(60) }))?.kekId).toBe("kek-b");
    await store.shred(T, S1, new Date("2025-02-01T00:00:00Z"));
    const after = await store.replaceWrappedKey(T, S1, "kek-b", { kekId: "kek-c", wrappedKey: new Uint8Array(60) });
    expect(after).toMatchObject({ kekId: "kek-b", wrappedKey: null });
  });

  it("shred - keeps tombstones, is idempotent and blocks later inserts", async () => {
    const store = createMemoryKeyStore();
    await store.putIfAbsent(record());
    await store.shred(T, S1, new Date("2025-02-01T00:00:00Z"));
    await store.shred(T, S1, new Date("2025-03-01T00:00:00Z"));
    const tomb = await store.get(T, S1);
    expect(tomb).toMatchObject({ wrappedKey: null, kekId: "kek-a" });
    expect(tomb?.shreddedAt?.toISOString()).toBe("2025-02-01T00:00:00.000Z");
    expect((await store.putIfAbsent(record()))?.wrappedKey).toBeNull();
  });

  it("close - is idempotent and later operations fail with STORE_CLOSED", async () => {
    const store = createMemoryKeyStore();
    await store.close();
    await store.close();
    expect((await rejection(store.get(T, S1))).code).toBe("STORE_CLOSED");
    expect((await rejection(store.putIfAbsent(record()))).code).toBe("STORE_CLOSED");
    expect((await rejection(store.shred(T, S1, new Date()))).code).toBe("STORE_CLOSED");
    const keyring = createKeyring({ store, keks: [KEK_A], currentKekId: "kek-a" });
    expect((await rejection(keyring.encrypt(T, S1, "x"))).code).toBe("STORE_CLOSED");
  });
});
