import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import * as z from "zod";
import { canonicalize } from "./canonical-json.js";
import { systemClock, type Clock } from "./clock.js";
import { ERROR_CODES, LawfulError, isLawfulError, issuesFromZod } from "./errors.js";

// ---------------------------------------------------------------------------
// Store seam
// ---------------------------------------------------------------------------

/**
 * One subject's data key as a {@link KeyStore} keeps it: wrapped (encrypted) by a
 * key-encryption key (KEK), or a tombstone once shredded.
 *
 * `wrappedKey` is `iv (12 bytes) ‖ AES-256-GCM ciphertext (32 bytes) ‖ tag (16 bytes)`,
 * 60 bytes, and is `null` once the key was shredded. A tombstone keeps `kekId` and
 * `createdAt` of the destroyed key; a tombstone for a subject that never had a key
 * has `kekId: ""` and `createdAt` equal to `shreddedAt`.
 * A record counts as shredded exactly when `shreddedAt` is not `null`.
 *
 * @example
 * ```ts
 * import type { StoredSubjectKey } from "@lawful/core";
 * const tombstone: StoredSubjectKey = {
 *   tenantId: "acme",
 *   subjectKeyId: "ps1_x",
 *   kekId: "kek-2025",
 *   wrappedKey: null,
 *   createdAt: new Date("2025-01-01T00:00:00Z"),
 *   shreddedAt: new Date("2025-03-01T00:00:00Z"),
 * };
 * ```
 */
export interface StoredSubjectKey {
  /** The tenant the key belongs to. */
  readonly tenantId: string;
  /** The opaque subject key id, usually a pseudonym. */
  readonly subjectKeyId: string;
  /** Id of the KEK that wrapped the key. */
  readonly kekId: string;
  /** The wrapped data key, or `null` once shredded. */
  readonly wrappedKey: Uint8Array | null;
  /** When the key was created. */
  readonly createdAt: Date;
  /** When the key was shredded, or `null` while it is live. */
  readonly shreddedAt: Date | null;
}

/**
 * What a {@link KeyStore} guarantees beyond the interface.
 *
 * @example
 * ```ts
 * import type { KeyStoreCapabilities } from "@lawful/core";
 * const caps: KeyStoreCapabilities = { durable: false };
 * ```
 */
export interface KeyStoreCapabilities {
  /** Keys survive a process restart (false for the memory store). */
  readonly durable: boolean;
}

/**
 * Persistence seam of the {@link Keyring}: stores wrapped subject keys and shred tombstones.
 *
 * Implementations must make `putIfAbsent`, `replaceWrappedKey` and `shred` atomic per
 * `(tenantId, subjectKeyId)`, and must return copies (callers may not mutate stored records).
 * Every method except `close` rejects with `STORE_CLOSED` after `close()`; other backend failures
 * reject with `STORE_FAILED` (the keyring wraps any non-Lawful error in `STORE_FAILED`).
 *
 * @example
 * ```ts
 * import { createMemoryKeyStore, type KeyStore } from "@lawful/core";
 * const store: KeyStore = createMemoryKeyStore();
 * const record = await store.get("acme", "ps1_x"); // undefined
 * await store.close();
 * ```
 */
export interface KeyStore {
  /** A short name for logs, e.g. `"memory"`, `"postgres"`. */
  readonly name: string;
  /** What this store guarantees. */
  readonly capabilities: KeyStoreCapabilities;
  /** The record of a subject key, live or shredded, or `undefined` if none was ever stored. */
  get(tenantId: string, subjectKeyId: string): Promise<StoredSubjectKey | undefined>;
  /**
   * Insert `key` unless a record (live or tombstone) already exists for its `(tenantId, subjectKeyId)`;
   * never overwrites. Resolves to the record that is stored afterwards: `key` itself if it was
   * inserted, otherwise the existing record. Two concurrent creators therefore agree on one key.
   */
  putIfAbsent(key: StoredSubjectKey): Promise<StoredSubjectKey>;
  /**
   * Compare-and-set the wrapping of a live key: only if the record exists, is not shredded and is
   * currently wrapped by `expectedKekId`, replace `kekId` and `wrappedKey` with `next` (keeping
   * `createdAt`). Resolves to the record stored afterwards (updated or not), or `undefined` if none exists.
   */
  replaceWrappedKey(
    tenantId: string,
    subjectKeyId: string,
    expectedKekId: string,
    next: { readonly kekId: string; readonly wrappedKey: Uint8Array },
  ): Promise<StoredSubjectKey | undefined>;
  /**
   * Destroy the wrapped key permanently and keep a tombstone (`wrappedKey: null`, `shreddedAt: at`).
   * Idempotent: shredding a tombstone keeps the first `shreddedAt`. Shredding an unknown subject
   * writes a tombstone too, so the subject can never get a key under this id afterwards.
   * Implementations must not keep the old key material (overwrite, do not soft-delete).
   */
  shred(tenantId: string, subjectKeyId: string, at: Date): Promise<void>;
  /** Release resources. Idempotent. */
  close(): Promise<void>;
}

function copyRecord(r: StoredSubjectKey): StoredSubjectKey {
  return Object.freeze({
    tenantId: r.tenantId,
    subjectKeyId: r.subjectKeyId,
    kekId: r.kekId,
    wrappedKey: r.wrappedKey === null ? null : new Uint8Array(r.wrappedKey),
    createdAt: new Date(r.createdAt.getTime()),
    shreddedAt: r.shreddedAt === null ? null : new Date(r.shreddedAt.getTime()),
  });
}

/**
 * Create an in-process {@link KeyStore} for tests and single-process tools. Not durable:
 * every key (and so every ciphertext) is lost when the process exits.
 *
 * @example
 * ```ts
 * import { createKeyring, createMemoryKeyStore } from "@lawful/core";
 * const keyring = createKeyring({
 *   store: createMemoryKeyStore(),
 *   keks: [{ id: "kek-1", key: new Uint8Array(32).fill(1) }],
 *   currentKekId: "kek-1",
 * });
 * ```
 */
export function createMemoryKeyStore(): KeyStore {
  const tenants = new Map<string, Map<string, StoredSubjectKey>>();
  let closed = false;

  function open(): void {
    if (closed) throw new LawfulError(ERROR_CODES.STORE_CLOSED, "The memory key store was closed; create a new one.");
  }
  function bucket(tenantId: string): Map<string, StoredSubjectKey> {
    let b = tenants.get(tenantId);
    if (b === undefined) {
      b = new Map();
      tenants.set(tenantId, b);
    }
    return b;
  }

  /** Run synchronously, reporting the result (or error) as a promise. */
  function run<T>(fn: () => T): Promise<T> {
    // a throw inside the executor rejects the promise
    return new Promise<T>((resolve) => resolve(fn()));
  }

  return Object.freeze({
    name: "memory",
    capabilities: Object.freeze({ durable: false }),
    get: (tenantId: string, subjectKeyId: string) =>
      run(() => {
        open();
        const r = tenants.get(tenantId)?.get(subjectKeyId);
        return r === undefined ? undefined : copyRecord(r);
      }),
    putIfAbsent: (key: StoredSubjectKey) =>
      run(() => {
        open();
        const b = bucket(key.tenantId);
        const existing = b.get(key.subjectKeyId);
        if (existing !== undefined) return copyRecord(existing);
        const stored = copyRecord(key);
        b.set(key.subjectKeyId, stored);
        return copyRecord(stored);
      }),
    replaceWrappedKey: (tenantId: string, subjectKeyId: string, expectedKekId: string, next: { readonly kekId: string; readonly wrappedKey: Uint8Array }) =>
      run(() => {
        open();
        const b = tenants.get(tenantId);
        const existing = b?.get(subjectKeyId);
        if (b === undefined || existing === undefined) return undefined;
        if (existing.shreddedAt !== null || existing.kekId !== expectedKekId) return copyRecord(existing);
        const updated = copyRecord({ ...existing, kekId: next.kekId, wrappedKey: next.wrappedKey });
        b.set(subjectKeyId, updated);
        return copyRecord(updated);
      }),
    shred: (tenantId: string, subjectKeyId: string, at: Date) =>
      run(() => {
        open();
        const b = bucket(tenantId);
        const existing = b.get(subjectKeyId);
        if (existing !== undefined && existing.shreddedAt !== null) return;
        b.set(
          subjectKeyId,
          copyRecord({
            tenantId,
            subjectKeyId,
            kekId: existing?.kekId ?? "",
            wrappedKey: null,
            createdAt: existing?.createdAt ?? at,
            shreddedAt: at,
          }),
        );
      }),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  });
}

// ---------------------------------------------------------------------------
// Keyring
// ---------------------------------------------------------------------------

/**
 * A key-encryption key (KEK): a 32-byte AES-256 key with a stable id, used to wrap subject data keys.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import type { KeyEncryptionKey } from "@lawful/core";
 * const kek: KeyEncryptionKey = { id: "kek-2025-01", key: randomBytes(32) };
 * ```
 */
export interface KeyEncryptionKey {
  /** Stable id stored next to every key it wraps: 1-64 of letters, digits, `.`, `_`, `:`, `-`. */
  readonly id: string;
  /** Exactly 32 random bytes. Copied when the keyring is created. */
  readonly key: Uint8Array;
}

/**
 * Options of {@link createKeyring}.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createMemoryKeyStore, type KeyringOptions } from "@lawful/core";
 * const options: KeyringOptions = {
 *   store: createMemoryKeyStore(),
 *   keks: [{ id: "kek-2025", key: randomBytes(32) }],
 *   currentKekId: "kek-2025",
 * };
 * ```
 */
export interface KeyringOptions {
  /** Where wrapped subject keys live. The caller owns it (and closes it). */
  readonly store: KeyStore;
  /** Every KEK that may have wrapped a stored key, old ones included. At least one. */
  readonly keks: readonly KeyEncryptionKey[];
  /** The KEK new keys are wrapped with and `rewrap` moves keys to. Must be in `keks`. */
  readonly currentKekId: string;
  /** Time source for `createdAt`, `shreddedAt` and cache expiry. @default systemClock */
  readonly clock?: Clock | undefined;
  /** Maximum number of unwrapped subject keys cached in memory (least recently used evicted); 0 disables the cache. @default 10000 */
  readonly cacheSize?: number | undefined;
  /**
   * How long an unwrapped key may be served from the cache, in milliseconds. A shred through this
   * keyring evicts at once; this bounds how long *another* process that shares the store keeps
   * decrypting after a shred. @default 60000
   */
  readonly cacheTtlMs?: number | undefined;
}

/**
 * A keyring ciphertext: `lk1.<base64url iv>.<base64url ciphertext‖tag>`, plain ASCII, safe to embed in JSON.
 *
 * It names neither the tenant nor the subject key; both are bound in as associated data, so the
 * ciphertext only decrypts with the same `(tenantId, subjectKeyId, aad)`.
 *
 * @example
 * ```ts
 * import type { Ciphertext } from "@lawful/core";
 * const stored: Ciphertext = "lk1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA";
 * ```
 */
export type Ciphertext = `lk1.${string}`;

/**
 * The outcome of {@link Keyring.rewrap}.
 *
 * @example
 * ```ts
 * import type { RewrapResult } from "@lawful/core";
 * function describe(r: RewrapResult): string {
 *   return r.status === "rewrapped" ? `${r.fromKekId} -> ${r.toKekId}` : r.status;
 * }
 * ```
 */
export type RewrapResult =
  /** The key is now wrapped by the current KEK. */
  | { readonly status: "rewrapped"; readonly fromKekId: string; readonly toKekId: string }
  /** The key already was wrapped by the current KEK; nothing changed. */
  | { readonly status: "already_current"; readonly kekId: string }
  /** The key was shredded; there is nothing to rewrap. */
  | { readonly status: "shredded"; readonly shreddedAt: Date }
  /** No key exists for this subject. */
  | { readonly status: "not_found" };

/**
 * Crypto-shredding keyring: encrypts data per subject with AES-256-GCM under a per-subject data key,
 * so destroying that one key (`shred`) makes every ciphertext of the subject unreadable.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createKeyring, createMemoryKeyStore, type Keyring } from "@lawful/core";
 * const keyring: Keyring = createKeyring({
 *   store: createMemoryKeyStore(),
 *   keks: [{ id: "kek-1", key: randomBytes(32) }],
 *   currentKekId: "kek-1",
 * });
 * const ct = await keyring.encrypt("acme", "ps1_subject", "ada@example.com");
 * new TextDecoder().decode(await keyring.decrypt("acme", "ps1_subject", ct)); // "ada@example.com"
 * await keyring.shred("acme", "ps1_subject"); // ct is now unreadable: KEY_SHREDDED
 * ```
 */
export interface Keyring {
  /** The id of the KEK new keys are wrapped with. */
  readonly currentKekId: string;
  /**
   * Encrypt `plaintext` (bytes, or a string encoded as UTF-8) for a subject, creating the subject's
   * data key on first use. `aad` (optional associated data) is authenticated but not stored: pass the
   * same value to `decrypt`. Omitting `aad` is the same as an empty `aad`.
   *
   * @throws LawfulError `KEY_SHREDDED` when the subject's key was shredded; `VALIDATION_FAILED` for a bad
   *   tenant id, subject key id, plaintext or aad; `INVALID_KEY` when the stored key's KEK is not configured
   *   or cannot unwrap it; `STORE_FAILED` / `STORE_CLOSED` from the store.
   */
  encrypt(tenantId: string, subjectKeyId: string, plaintext: Uint8Array | string, aad?: Uint8Array | string): Promise<Ciphertext>;
  /**
   * Decrypt a ciphertext made by {@link Keyring.encrypt} for the same tenant, subject and `aad`.
   *
   * @throws LawfulError `KEY_SHREDDED` when the subject's key was shredded; `DECRYPTION_FAILED` when the
   *   ciphertext is malformed, was tampered with, or the tenant, subject or `aad` differ; `NOT_FOUND` when
   *   no key exists for the subject; `INVALID_KEY` when the stored key's KEK is not configured or cannot unwrap it.
   */
  decrypt(tenantId: string, subjectKeyId: string, ciphertext: string, aad?: Uint8Array | string): Promise<Uint8Array>;
  /**
   * Encrypt a JSON value, serialised with RFC 8785 canonical JSON.
   *
   * @throws LawfulError `NOT_JSON_SERIALIZABLE` when `value` is not JSON; otherwise as {@link Keyring.encrypt}.
   */
  encryptJson(tenantId: string, subjectKeyId: string, value: unknown, aad?: Uint8Array | string): Promise<Ciphertext>;
  /**
   * Decrypt a ciphertext made by {@link Keyring.encryptJson} and parse it. The result is unvalidated JSON.
   *
   * @throws LawfulError as {@link Keyring.decrypt}; `DECRYPTION_FAILED` when the plaintext is not UTF-8 JSON.
   */
  decryptJson(tenantId: string, subjectKeyId: string, ciphertext: string, aad?: Uint8Array | string): Promise<unknown>;
  /**
   * Destroy the subject's data key permanently. Every ciphertext of the subject becomes unreadable
   * (`KEY_SHREDDED`), and the subject id can never get a new key (use a new subject key id for a new key).
   * Idempotent; shredding a subject without a key writes a tombstone.
   *
   * @throws LawfulError `VALIDATION_FAILED`, `STORE_FAILED`, `STORE_CLOSED`.
   */
  shred(tenantId: string, subjectKeyId: string): Promise<void>;
  /** Whether the subject's key was shredded (read from the store, not the cache). False when no key exists. */
  isShredded(tenantId: string, subjectKeyId: string): Promise<boolean>;
  /**
   * Re-wrap the subject's data key with the current KEK (after a KEK rotation). The data key itself and
   * so every ciphertext stay the same. Run it for every subject, then the old KEK can be removed.
   *
   * @throws LawfulError `INVALID_KEY` when the key's KEK is not configured; `CONFLICT` when the record
   *   was rewrapped concurrently to a KEK other than the current one.
   */
  rewrap(tenantId: string, subjectKeyId: string): Promise<RewrapResult>;
}

const AES_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_KEY_BYTES = IV_BYTES + AES_KEY_BYTES + TAG_BYTES;
const CIPHERTEXT_PATTERN = /^lk1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;
const WRAP_DOMAIN = "lawful-keyring-wrap-v1";
const DATA_DOMAIN = "lawful-keyring-data-v1";
const LONE_SURROGATE = /\p{Cs}/u;
const MAX_TENANT_ID = 256;
const MAX_SUBJECT_KEY_ID = 512;

const KekIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, "must be 1-64 letters, digits, '.', '_', ':' or '-'");

const KeyringOptionsSchema = z.object({
  store: z.custom<KeyStore>(
    (s) =>
      typeof s === "object" &&
      s !== null &&
      ["get", "putIfAbsent", "replaceWrappedKey", "shred", "close"].every((m) => typeof (s as Record<string, unknown>)[m] === "function"),
    "must be a KeyStore with get, putIfAbsent, replaceWrappedKey, shred and close",
  ),
  keks: z.array(z.object({ id: KekIdSchema, key: z.instanceof(Uint8Array, { message: "must be a Uint8Array of 32 bytes" }) })).min(1, "must hold at least one KEK"),
  currentKekId: z.string(),
  clock: z.custom<Clock>((c) => typeof c === "object" && c !== null && typeof (c as { now?: unknown }).now === "function", "must be a Clock").optional(),
  cacheSize: z.number().int().min(0).max(10_000_000).optional(),
  cacheTtlMs: z.number().int().min(0).optional(),
});

function configError(message: string, issues: { path: (string | number)[]; message: string; code: string }[] = []): LawfulError {
  return new LawfulError(ERROR_CODES.INVALID_CONFIGURATION, message, { issues });
}

function invalidInput(field: string, problem: string): never {
  throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, `Invalid ${field}: it ${problem}.`, {
    issues: [{ path: [field], message: problem, code: "invalid_input" }],
  });
}

function checkId(value: unknown, field: "tenantId" | "subjectKeyId", max: number): string {
  if (typeof value !== "string" || value.length === 0) invalidInput(field, "must be a non-empty string");
  if (value.length > max) invalidInput(field, `must be at most ${max} characters`);
  if (LONE_SURROGATE.test(value)) invalidInput(field, "must be valid Unicode (it contains a lone surrogate)");
  return value;
}

function toBytes(value: unknown, field: "plaintext" | "aad"): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) invalidInput(field, "must be valid Unicode (it contains a lone surrogate)");
    return Buffer.from(value, "utf8");
  }
  return invalidInput(field, "must be a Uint8Array or a string");
}

/** Unambiguous concatenation: each part prefixed with its 4-byte big-endian length. */
function encodeParts(parts: readonly (string | Uint8Array)[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.byteLength);
    chunks.push(len, bytes);
  }
  return Buffer.concat(chunks);
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** Strict base64url decoding: rejects non-canonical encodings so every ciphertext string maps to one byte string. */
function fromB64u(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : undefined;
}

function malformed(): LawfulError {
  return new LawfulError(
    ERROR_CODES.DECRYPTION_FAILED,
    "The ciphertext is malformed: expected 'lk1.<base64url iv>.<base64url data>' as produced by Keyring.encrypt.",
  );
}

/** A bounded LRU of unwrapped data keys with a time-to-live. */
class KeyCache {
  readonly #entries = new Map<string, { key: Buffer; expiresAt: number }>();
  constructor(
    readonly max: number,
    readonly ttlMs: number,
    readonly clock: Clock,
  ) {}
  get(id: string): Buffer | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAt <= this.clock.now().getTime()) return undefined;
    this.#entries.set(id, entry); // most recently used goes last
    return entry.key;
  }
  set(id: string, key: Buffer): void {
    if (this.max === 0 || this.ttlMs === 0) return;
    this.#entries.delete(id);
    this.#entries.set(id, { key, expiresAt: this.clock.now().getTime() + this.ttlMs });
    while (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
  delete(id: string): void {
    this.#entries.delete(id);
  }
}

/**
 * Create a crypto-shredding {@link Keyring} over a {@link KeyStore}.
 *
 * Each `(tenantId, subjectKeyId)` gets a random 32-byte AES-256-GCM data key, created on first
 * `encrypt`, stored wrapped with AES-256-GCM (random 12-byte IV) by the current KEK. The wrap binds
 * tenant, subject key id and KEK id as associated data, so a wrapped key cannot be moved to another
 * subject. Data ciphertexts bind tenant, subject key id and the caller's `aad`.
 *
 * KEK rotation: add the new KEK to `keks`, make it `currentKekId`, keep the old ones; new keys use the
 * new KEK, old keys still unwrap, and `rewrap` moves old keys to the new KEK.
 *
 * Concurrency: two concurrent first encrypts for a subject (in one or many processes) end with one key,
 * because the keyring creates keys with `putIfAbsent` and uses whatever record the store kept.
 *
 * Unwrapped keys are cached in memory (bounded LRU with a TTL, see `cacheSize`, `cacheTtlMs`);
 * `shred` evicts the subject at once in this process. JavaScript cannot guarantee key bytes are wiped
 * from memory; crypto-shredding relies on the store destroying the wrapped key.
 *
 * Subject key ids are opaque strings; pass a pseudonym (see `createPseudonymizer`), never raw personal data.
 *
 * @throws LawfulError `INVALID_CONFIGURATION` when options are malformed (no KEKs, duplicate KEK ids,
 *   bad store or clock); `INVALID_KEY` when a KEK is not exactly 32 bytes or `currentKekId` is not among `keks`.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createKeyring, createMemoryKeyStore, systemClock } from "@lawful/core";
 * const keyring = createKeyring({
 *   store: createMemoryKeyStore(),
 *   keks: [
 *     { id: "kek-2024", key: randomBytes(32) },
 *     { id: "kek-2025", key: randomBytes(32) },
 *   ],
 *   currentKekId: "kek-2025",
 *   clock: systemClock,
 * });
 * const ct = await keyring.encryptJson("acme", "ps1_subject", { email: "ada@example.com" }, "contacts.email");
 * await keyring.decryptJson("acme", "ps1_subject", ct, "contacts.email"); // { email: "ada@example.com" }
 * ```
 */
export function createKeyring(options: KeyringOptions): Keyring {
  const parsed = KeyringOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error.issues);
    throw configError(
      `Invalid keyring options: ${issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ")}.`,
      issues.map((i) => ({ path: [...i.path], message: i.message, code: i.code })),
    );
  }
  const opts = parsed.data;
  const keks = new Map<string, Buffer>();
  opts.keks.forEach((kek, index) => {
    if (keks.has(kek.id)) {
      throw configError(`Invalid keyring options: KEK id '${kek.id}' appears more than once in keks.`, [
        { path: ["keks", index, "id"], message: "duplicate KEK id", code: "duplicate" },
      ]);
    }
    if (kek.key.byteLength !== AES_KEY_BYTES) {
      throw new LawfulError(
        ERROR_CODES.INVALID_KEY,
        `KEK '${kek.id}' is ${kek.key.byteLength} bytes; a KEK must be exactly ${AES_KEY_BYTES} random bytes (AES-256).`,
        { issues: [{ path: ["keks", index, "key"], message: `must be exactly ${AES_KEY_BYTES} bytes`, code: "invalid_key" }] },
      );
    }
    keks.set(kek.id, Buffer.from(kek.key)); // copy
  });
  if (!keks.has(opts.currentKekId)) {
    throw new LawfulError(ERROR_CODES.INVALID_KEY, "currentKekId does not name any KEK in keks; add that KEK or pick one of the configured ids.", {
      issues: [{ path: ["currentKekId"], message: "unknown KEK id", code: "invalid_key" }],
    });
  }
  const store = opts.store;
  const clock = opts.clock ?? systemClock;
  const currentKekId = opts.currentKekId;
  const cache = new KeyCache(opts.cacheSize ?? 10_000, opts.cacheTtlMs ?? 60_000, clock);
  /** Bumped after every shred; loads that started earlier must not populate the cache. */
  let shredGeneration = 0;
  const inflight = new Map<string, Promise<Buffer | StoredSubjectKey | undefined>>();

  const cacheId = (tenantId: string, subjectKeyId: string): string => `${tenantId.length}:${tenantId}:${subjectKeyId}`;

  async function callStore<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isLawfulError(error)) throw error;
      throw new LawfulError(ERROR_CODES.STORE_FAILED, `Key store '${store.name}' failed during ${operation}; see cause.`, { cause: error });
    }
  }

  function wrap(tenantId: string, subjectKeyId: string, kekId: string, dataKey: Uint8Array): Uint8Array {
    const kek = keks.get(kekId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", kek, iv);
    cipher.setAAD(encodeParts([WRAP_DOMAIN, tenantId, subjectKeyId, kekId]));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, ct, cipher.getAuthTag()]));
  }

  function unwrap(record: StoredSubjectKey): Buffer {
    const kek = keks.get(record.kekId);
    if (kek === undefined) {
      throw new LawfulError(
        ERROR_CODES.INVALID_KEY,
        `A subject key in tenant '${record.tenantId}' is wrapped by KEK '${record.kekId}', which this keyring does not have; add that KEK to keks (keep old KEKs until every key is rewrapped).`,
      );
    }
    const wrapped = record.wrappedKey;
    try {
      if (wrapped === null || wrapped.byteLength !== WRAPPED_KEY_BYTES) throw new Error("bad wrapped key length");
      const buf = Buffer.from(wrapped);
      const decipher = createDecipheriv("aes-256-gcm", kek, buf.subarray(0, IV_BYTES));
      decipher.setAAD(encodeParts([WRAP_DOMAIN, record.tenantId, record.subjectKeyId, record.kekId]));
      decipher.setAuthTag(buf.subarray(IV_BYTES + AES_KEY_BYTES));
      const key = Buffer.alloc(AES_KEY_BYTES);
      const out = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, IV_BYTES + AES_KEY_BYTES)), decipher.final()]);
      out.copy(key);
      out.fill(0);
      return key;
    } catch (error) {
      throw new LawfulError(
        ERROR_CODES.INVALID_KEY,
        `A subject key in tenant '${record.tenantId}' cannot be unwrapped with KEK '${record.kekId}': the KEK bytes differ from the ones that wrapped it, or the stored key is corrupted.`,
        { cause: error },
      );
    }
  }

  function shreddedError(tenantId: string): LawfulError {
    return new LawfulError(
      ERROR_CODES.KEY_SHREDDED,
      `The subject key in tenant '${tenantId}' was shredded; data encrypted with it can no longer be decrypted, and nothing new can be encrypted under this subject key id.`,
    );
  }

  /** Resolve the usable data key of a stored record, or throw KEY_SHREDDED. */
  function keyFrom(record: StoredSubjectKey): Buffer {
    if (record.shreddedAt !== null) throw shreddedError(record.tenantId);
    return unwrap(record);
  }

  /**
   * Load the data key (from cache or store), optionally creating it. Resolves to the key, or to
   * `undefined` when it does not exist and `create` is false. Concurrent loads of one subject share work.
   */
  async function loadKey(tenantId: string, subjectKeyId: string, create: boolean): Promise<Buffer | undefined> {
    const id = cacheId(tenantId, subjectKeyId);
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    const flightId = `${create ? "c" : "r"}${id}`;
    let pending = inflight.get(flightId);
    if (pending === undefined) {
      const generation = shredGeneration;
      pending = (async () => {
        let record = await callStore("get", () => store.get(tenantId, subjectKeyId));
        if (record === undefined && create) {
          const dataKey = randomBytes(AES_KEY_BYTES);
          const candidate: StoredSubjectKey = {
            tenantId,
            subjectKeyId,
            kekId: currentKekId,
            wrappedKey: wrap(tenantId, subjectKeyId, currentKekId, dataKey),
            createdAt: clock.now(),
            shreddedAt: null,
          };
          // Whoever inserted first wins; use the record the store kept, not necessarily ours.
          record = await callStore("putIfAbsent", () => store.putIfAbsent(candidate));
        }
        if (record === undefined) return undefined;
        if (record.shreddedAt !== null) return record; // tombstone: reported by the caller
        const key = keyFrom(record);
        if (generation === shredGeneration) cache.set(id, key);
        return key;
      })();
      inflight.set(flightId, pending);
      const clear = (): void => {
        if (inflight.get(flightId) === pending) inflight.delete(flightId);
      };
      pending.then(clear, clear);
    }
    const result = await pending;
    if (result === undefined || Buffer.isBuffer(result)) return result;
    throw shreddedError(tenantId);
  }

  async function encrypt(tenantId: string, subjectKeyId: string, plaintext: Uint8Array | string, aad?: Uint8Array | string): Promise<Ciphertext> {
    const t = checkId(tenantId, "tenantId", MAX_TENANT_ID);
    const s = checkId(subjectKeyId, "subjectKeyId", MAX_SUBJECT_KEY_ID);
    const data = toBytes(plaintext, "plaintext");
    const extra = aad === undefined ? new Uint8Array(0) : toBytes(aad, "aad");
    const key = await loadKey(t, s, true);
    if (key === undefined) {
      throw new LawfulError(ERROR_CODES.STORE_FAILED, `Key store '${store.name}' did not return a subject key from putIfAbsent; it does not implement the KeyStore contract.`);
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(encodeParts([DATA_DOMAIN, t, s, extra]));
    const body = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
    return `lk1.${b64u(iv)}.${b64u(body)}`;
  }

  async function decrypt(tenantId: string, subjectKeyId: string, ciphertext: string, aad?: Uint8Array | string): Promise<Uint8Array> {
    const t = checkId(tenantId, "tenantId", MAX_TENANT_ID);
    const s = checkId(subjectKeyId, "subjectKeyId", MAX_SUBJECT_KEY_ID);
    const extra = aad === undefined ? new Uint8Array(0) : toBytes(aad, "aad");
    if (typeof ciphertext !== "string") throw malformed();
    const match = CIPHERTEXT_PATTERN.exec(ciphertext);
    const iv = match?.[1] === undefined ? undefined : fromB64u(match[1]);
    const body = match?.[2] === undefined ? undefined : fromB64u(match[2]);
    if (iv === undefined || body === undefined || iv.byteLength !== IV_BYTES || body.byteLength < TAG_BYTES) throw malformed();
    const key = await loadKey(t, s, false);
    if (key === undefined) {
      throw new LawfulError(
        ERROR_CODES.NOT_FOUND,
        `No subject key exists in tenant '${t}' for this subject key id, so the ciphertext cannot be decrypted; check the tenant and subject key id (or whether the key store lost data).`,
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(encodeParts([DATA_DOMAIN, t, s, extra]));
      decipher.setAuthTag(body.subarray(body.byteLength - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(body.subarray(0, body.byteLength - TAG_BYTES)), decipher.final()]);
      return new Uint8Array(plain);
    } catch (error) {
      throw new LawfulError(
        ERROR_CODES.DECRYPTION_FAILED,
        "The ciphertext failed authentication: it was tampered with, or the tenant, subject key id or aad differ from the ones used to encrypt it.",
        { cause: error },
      );
    }
  }

  return Object.freeze({
    currentKekId,
    encrypt,
    decrypt,
    async encryptJson(tenantId: string, subjectKeyId: string, value: unknown, aad?: Uint8Array | string) {
      return encrypt(tenantId, subjectKeyId, canonicalize(value), aad);
    },
    async decryptJson(tenantId: string, subjectKeyId: string, ciphertext: string, aad?: Uint8Array | string) {
      const bytes = await decrypt(tenantId, subjectKeyId, ciphertext, aad);
      try {
        return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
      } catch (error) {
        throw new LawfulError(ERROR_CODES.DECRYPTION_FAILED, "The ciphertext decrypted, but its plaintext is not UTF-8 JSON; use decrypt() for data encrypted with encrypt().", {
          cause: error,
        });
      }
    },
    async shred(tenantId: string, subjectKeyId: string) {
      const t = checkId(tenantId, "tenantId", MAX_TENANT_ID);
      const s = checkId(subjectKeyId, "subjectKeyId", MAX_SUBJECT_KEY_ID);
      const id = cacheId(t, s);
      try {
        await callStore("shred", () => store.shred(t, s, clock.now()));
      } finally {
        // After the store destroyed the key: no load that started earlier may cache it, and
        // later callers must not join a load that read the key before the shred.
        shredGeneration++;
        cache.delete(id);
        inflight.delete(`c${id}`);
        inflight.delete(`r${id}`);
      }
    },
    async isShredded(tenantId: string, subjectKeyId: string) {
      const t = checkId(tenantId, "tenantId", MAX_TENANT_ID);
      const s = checkId(subjectKeyId, "subjectKeyId", MAX_SUBJECT_KEY_ID);
      const record = await callStore("get", () => store.get(t, s));
      return record !== undefined && record.shreddedAt !== null;
    },
    async rewrap(tenantId: string, subjectKeyId: string): Promise<RewrapResult> {
      const t = checkId(tenantId, "tenantId", MAX_TENANT_ID);
      const s = checkId(subjectKeyId, "subjectKeyId", MAX_SUBJECT_KEY_ID);
      const record = await callStore("get", () => store.get(t, s));
      if (record === undefined) return { status: "not_found" };
      if (record.shreddedAt !== null) return { status: "shredded", shreddedAt: record.shreddedAt };
      if (record.kekId === currentKekId) return { status: "already_current", kekId: currentKekId };
      const dataKey = unwrap(record);
      const wrappedKey = wrap(t, s, currentKekId, dataKey);
      const after = await callStore("replaceWrappedKey", () => store.replaceWrappedKey(t, s, record.kekId, { kekId: currentKekId, wrappedKey }));
      if (after === undefined) return { status: "not_found" };
      if (after.shreddedAt !== null) return { status: "shredded", shreddedAt: after.shreddedAt };
      if (after.kekId !== currentKekId) {
        throw new LawfulError(
          ERROR_CODES.CONFLICT,
          `A subject key in tenant '${t}' was rewrapped concurrently to KEK '${after.kekId}' instead of the current KEK '${currentKekId}'; check that every process uses the same currentKekId, then retry.`,
        );
      }
      return { status: "rewrapped", fromKekId: record.kekId, toKekId: currentKekId };
    },
  });
}
