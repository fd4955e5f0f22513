import { createHmac, hkdfSync } from "node:crypto";
import { ERROR_CODES, LawfulError } from "./errors.js";

/** Minimum length in bytes of a pseudonym key and of a tenant master secret. */
const MIN_KEY_BYTES = 32;
const HMAC_DOMAIN = "lawful-pseudonym-v1";
const PREFIX = "ps1_";
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Matches a pseudonym produced by {@link createPseudonymizer}: `ps1_` followed by the
 * 43-character unpadded base64url form of a 32-byte HMAC-SHA-256.
 *
 * @example
 * ```ts
 * import { PSEUDONYM_PATTERN } from "@lawful/core";
 * PSEUDONYM_PATTERN.test("ps1_" + "A".repeat(43)); // true
 * ```
 */
export const PSEUDONYM_PATTERN: RegExp = /^ps1_[A-Za-z0-9_-]{43}$/;

/**
 * The subject a pseudonym is computed for: an already normalised subject reference.
 *
 * Pass the output of `normalizeSubjectRef` / `SubjectRefSchema` from the vocabulary
 * module. The pseudonymizer does not normalise (no trimming, no case folding), so
 * `" Ada@example.com"` and `"ada@example.com"` give different pseudonyms.
 *
 * @example
 * ```ts
 * import type { PseudonymSubject } from "@lawful/core";
 * const subject: PseudonymSubject = { kind: "email", value: "ada@example.com" };
 * ```
 */
export interface PseudonymSubject {
  /** The identifier kind, e.g. `"email"`. Non-empty, without NUL characters. */
  readonly kind: string;
  /** The normalised identifier value. Non-empty, valid Unicode. */
  readonly value: string;
}

/**
 * Options of {@link createPseudonymizer}.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import type { PseudonymizerOptions } from "@lawful/core";
 * const options: PseudonymizerOptions = { key: randomBytes(32) };
 * ```
 */
export interface PseudonymizerOptions {
  /**
   * The tenant's secret pseudonym key, at least 32 bytes. Usually from {@link derivePseudonymKey}.
   * The bytes are copied; later changes to the array do not affect the pseudonymizer.
   */
  readonly key: Uint8Array;
}

/**
 * Computes stable, non-reversible subject pseudonyms for one tenant key.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createPseudonymizer, type Pseudonymizer } from "@lawful/core";
 * const p: Pseudonymizer = createPseudonymizer({ key: randomBytes(32) });
 * p.pseudonym({ kind: "email", value: "ada@example.com" }); // "ps1_..."
 * ```
 */
export interface Pseudonymizer {
  /**
   * The pseudonym of `subject`: `"ps1_"` + base64url(HMAC-SHA-256(key, encoding)), 47 characters.
   * The same key and subject always give the same pseudonym.
   *
   * @throws LawfulError `VALIDATION_FAILED` when `kind` is empty or contains NUL, or `value` is
   *   empty or contains a lone surrogate (it would not encode to UTF-8 losslessly).
   */
  pseudonym(subject: PseudonymSubject): string;
}

function assertKey(key: unknown, what: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) {
    throw new LawfulError(ERROR_CODES.INVALID_KEY, `The ${what} must be a Uint8Array (or Buffer) of at least ${MIN_KEY_BYTES} random bytes.`);
  }
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new LawfulError(
      ERROR_CODES.INVALID_KEY,
      `The ${what} is ${key.byteLength} bytes; it must be at least ${MIN_KEY_BYTES} bytes. Generate one with crypto.randomBytes(32) or derivePseudonymKey().`,
    );
  }
}

function invalidSubject(field: "kind" | "value", message: string): never {
  throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, `Invalid pseudonym subject: ${field} ${message}. Pass a normalised SubjectRef.`, {
    issues: [{ path: [field], message, code: "invalid_subject" }],
  });
}

function checkSubject(subject: unknown): PseudonymSubject {
  if (typeof subject !== "object" || subject === null) {
    throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, "Invalid pseudonym subject: expected an object { kind, value }.", {
      issues: [{ path: [], message: "expected an object { kind, value }", code: "invalid_type" }],
    });
  }
  const { kind, value } = subject as { kind?: unknown; value?: unknown };
  if (typeof kind !== "string" || kind.length === 0) invalidSubject("kind", "must be a non-empty string");
  if (kind.includes("\0")) invalidSubject("kind", "must not contain NUL characters");
  if (LONE_SURROGATE.test(kind)) invalidSubject("kind", "must be valid Unicode (it contains a lone surrogate)");
  if (typeof value !== "string" || value.length === 0) invalidSubject("value", "must be a non-empty string");
  if (LONE_SURROGATE.test(value)) invalidSubject("value", "must be valid Unicode (it contains a lone surrogate)");
  return { kind, value };
}

/**
 * Create a {@link Pseudonymizer}: keyed HMAC-SHA-256 over an unambiguous encoding of a
 * normalised subject reference.
 *
 * The HMAC input is `"lawful-pseudonym-v1\0" + kind + "\0" + value` as UTF-8. `kind` may not
 * contain NUL, so the first NUL after the kind ends it and the encoding is unambiguous even if
 * `value` contains NUL. The output is `"ps1_"` followed by the 43-character unpadded base64url
 * digest (see {@link PSEUDONYM_PATTERN}). Pseudonyms are stable for a key and cannot be
 * reversed without the key; they can be recomputed (and so linked) by anyone holding the key,
 * so keep it as secret as the data it protects. Use one key per tenant ({@link derivePseudonymKey})
 * so pseudonyms cannot be linked across tenants.
 *
 * Callers pass a normalised SubjectRef (from the vocabulary module); no normalisation happens here.
 *
 * @throws LawfulError `INVALID_KEY` when `key` is not a Uint8Array of at least 32 bytes.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createPseudonymizer, derivePseudonymKey } from "@lawful/core";
 * const masterSecret = randomBytes(32); // load from your secret manager
 * const p = createPseudonymizer({ key: derivePseudonymKey(masterSecret, "acme") });
 * const id = p.pseudonym({ kind: "email", value: "ada@example.com" }); // "ps1_…" (47 chars)
 * ```
 */
export function createPseudonymizer(options: PseudonymizerOptions): Pseudonymizer {
  if (typeof options !== "object" || options === null) {
    throw new LawfulError(ERROR_CODES.INVALID_CONFIGURATION, "createPseudonymizer() needs an options object { key }.");
  }
  const key: unknown = options.key;
  assertKey(key, "pseudonym key");
  const keyCopy = Buffer.from(key); // copy: later changes to the caller's array do not change pseudonyms
  return Object.freeze({
    pseudonym(subject: PseudonymSubject): string {
      const { kind, value } = checkSubject(subject);
      const digest = createHmac("sha256", keyCopy).update(`${HMAC_DOMAIN}\0${kind}\0${value}`, "utf8").digest();
      return PREFIX + digest.toString("base64url");
    },
  });
}

/**
 * Derive a tenant's 32-byte pseudonym key from one master secret with HKDF-SHA-256
 * (RFC 5869; empty salt, info `lawful/pseudonym/v1/<tenantId>`), so each tenant gets an
 * independent key and pseudonyms cannot be linked across tenants.
 *
 * Deterministic: the same secret and tenant id always give the same key, so nothing needs to be stored.
 *
 * @param tenantSecret - the master secret, at least 32 random bytes.
 * @param tenantId - the tenant id, a non-empty string.
 * @throws LawfulError `INVALID_KEY` when `tenantSecret` is shorter than 32 bytes;
 *   `VALIDATION_FAILED` when `tenantId` is empty, not a string or not valid Unicode.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { derivePseudonymKey } from "@lawful/core";
 * const master = randomBytes(32);
 * const acmeKey = derivePseudonymKey(master, "acme"); // 32 bytes
 * ```
 */
export function derivePseudonymKey(tenantSecret: Uint8Array, tenantId: string): Uint8Array {
  assertKey(tenantSecret, "tenant master secret");
  if (typeof tenantId !== "string" || tenantId.length === 0 || LONE_SURROGATE.test(tenantId)) {
    throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, "Invalid tenant id: it must be a non-empty string of valid Unicode.", {
      issues: [{ path: ["tenantId"], message: "must be a non-empty string of valid Unicode", code: "invalid_tenant_id" }],
    });
  }
  const info = Buffer.from(`lawful/pseudonym/v1/${tenantId}`, "utf8");
  if (info.byteLength > 1024) {
    // node:crypto rejects HKDF info longer than 1024 bytes
    throw new LawfulError(ERROR_CODES.VALIDATION_FAILED, "Invalid tenant id: it is too long to derive a key from (max 1004 UTF-8 bytes).", {
      issues: [{ path: ["tenantId"], message: "too long", code: "too_big" }],
    });
  }
  return new Uint8Array(hkdfSync("sha256", tenantSecret, new Uint8Array(0), info, 32));
}
