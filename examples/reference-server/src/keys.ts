import { hkdfSync } from "node:crypto";
import { createPseudonymizer, derivePseudonymKey, type Keyring, type Pseudonymizer } from "@lawful/core";
import type { Sql } from "./db.js";

/** Derive a 32-byte purpose-bound key from the master secret (HKDF-SHA-256). */
export function deriveKey(master: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", master, new Uint8Array(0), info, 32));
}

/** A 32-byte Ed25519 seed for signing audit checkpoints when no key file is configured. */
export function checkpointSeed(master: Uint8Array): Uint8Array {
  return deriveKey(master, "lawful/checkpoint/v1");
}

/** Every key the server derives from LAWFUL_MASTER_KEY; nothing here is ever logged. */
export interface ServerKeys {
  /** Current key-encryption key of the subject keyring (crypto-shredding): `kek-v<LAWFUL_KEK_VERSION>`. */
  kek: { id: string; key: Uint8Array };
  /** Earlier KEK versions, newest first: kept so keys wrapped before a rotation still unwrap until `lawful keys rotate-kek` rewraps them. */
  previousKeks: { id: string; key: Uint8Array }[];
  /** Per-tenant pseudonymizer (keyed HMAC). */
  pseudonymizer(tenantId: string): Pseudonymizer;
  /** Per-tenant key of the suppression list hashes. */
  suppressionKey(tenantId: string): Uint8Array;
  /** Key of double opt-in and unsubscribe tokens. */
  tokenKey: Uint8Array;
  /** Key of the expiring download links of the privacy center. */
  downloadKey: Uint8Array;
}

/**
 * Derive the server's keys from the master secret. `kekVersion` (LAWFUL_KEK_VERSION) picks the current
 * key-encryption key `kek-v<n>`; versions 1…n-1 are derived too, for unwrapping keys not yet rewrapped.
 * Pseudonym, suppression and token keys do not depend on the KEK version, so a KEK rotation never changes a pseudonym.
 *
 * @example
 * ```ts
 * import { createServerKeys } from "./keys.js";
 * const keys = createServerKeys(new Uint8Array(32).fill(7), 2);
 * keys.kek.id; // "kek-v2"
 * keys.previousKeks.map((k) => k.id); // ["kek-v1"]
 * ```
 */
export function createServerKeys(master: Uint8Array, kekVersion = 1): ServerKeys {
  const pseudonymizers = new Map<string, Pseudonymizer>();
  const kek = (v: number) => ({ id: `kek-v${v}`, key: deriveKey(master, `lawful/kek/v${v}`) });
  return {
    kek: kek(kekVersion),
    previousKeks: Array.from({ length: kekVersion - 1 }, (_, i) => kek(kekVersion - 1 - i)),
    pseudonymizer(tenantId) {
      let p = pseudonymizers.get(tenantId);
      if (!p) {
        p = createPseudonymizer({ key: derivePseudonymKey(master, tenantId) });
        pseudonymizers.set(tenantId, p);
      }
      return p;
    },
    suppressionKey: (tenantId) => deriveKey(master, `lawful/suppression/v1/${tenantId}`),
    tokenKey: deriveKey(master, "lawful/tokens/v1"),
    downloadKey: deriveKey(master, "lawful/download/v1"),
  };
}

/**
 * What {@link rewrapSubjectKeys} did.
 *
 * @example
 * ```ts
 * import type { RewrapSummary } from "./keys.js";
 * const show = (s: RewrapSummary) => `${s.rewrapped} keys now on ${s.currentKekId}`;
 * ```
 */
export interface RewrapSummary {
  /** The KEK every live subject key is wrapped with afterwards. */
  currentKekId: string;
  /** Keys moved from an older KEK to the current one. */
  rewrapped: number;
  /** Keys that were already on the current KEK (e.g. rewrapped concurrently). */
  alreadyCurrent: number;
  /** Keys shredded meanwhile (nothing to rewrap). */
  shredded: number;
}

/**
 * Rewrap every live subject key of every tenant that is wrapped by an older KEK with the keyring's
 * current KEK (`Keyring.rewrap`): the data keys, so every ciphertext and every pseudonym, stay the same.
 * Works in pages of `batchSize` and is safe to re-run or to run while the server serves requests.
 *
 * @example
 * ```ts
 * import type { Keyring } from "@lawful/core";
 * import type { Sql } from "./db.js";
 * import { rewrapSubjectKeys } from "./keys.js";
 * declare const sql: Sql;
 * declare const keyring: Keyring;
 * const { rewrapped } = await rewrapSubjectKeys(sql, keyring);
 * ```
 */
export async function rewrapSubjectKeys(sql: Sql, keyring: Keyring, batchSize = 500): Promise<RewrapSummary> {
  const summary: RewrapSummary = { currentKekId: keyring.currentKekId, rewrapped: 0, alreadyCurrent: 0, shredded: 0 };
  let after = ["", ""];
  for (;;) {
    const rows = await sql.all<{ tenant_id: string; subject_key_id: string }>(
      "SELECT tenant_id, subject_key_id FROM lawful_subject_keys WHERE wrapped_key IS NOT NULL AND kek_id <> ? AND (tenant_id > ? OR (tenant_id = ? AND subject_key_id > ?)) ORDER BY tenant_id, subject_key_id LIMIT ?",
      [keyring.currentKekId, after[0], after[0], after[1], batchSize],
    );
    for (const row of rows) {
      const result = await keyring.rewrap(row.tenant_id, row.subject_key_id);
      if (result.status === "rewrapped") summary.rewrapped++;
      else if (result.status === "already_current") summary.alreadyCurrent++;
      else if (result.status === "shredded") summary.shredded++;
    }
    if (rows.length < batchSize) return summary;
    const last = rows[rows.length - 1]!;
    after = [last.tenant_id, last.subject_key_id];
  }
}
