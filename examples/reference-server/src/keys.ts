import { hkdfSync } from "node:crypto";
import { createPseudonymizer, derivePseudonymKey, type Pseudonymizer } from "@lawful/core";

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
  /** Key-encryption key of the subject keyring (crypto-shredding). */
  kek: { id: string; key: Uint8Array };
  /** Per-tenant pseudonymizer (keyed HMAC). */
  pseudonymizer(tenantId: string): Pseudonymizer;
  /** Per-tenant key of the suppression list hashes. */
  suppressionKey(tenantId: string): Uint8Array;
  /** Key of double opt-in and unsubscribe tokens. */
  tokenKey: Uint8Array;
  /** Key of the expiring download links of the privacy center. */
  downloadKey: Uint8Array;
}

/** Derive the server's keys from the master secret. */
export function createServerKeys(master: Uint8Array): ServerKeys {
  const pseudonymizers = new Map<string, Pseudonymizer>();
  return {
    kek: { id: "kek-v1", key: deriveKey(master, "lawful/kek/v1") },
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
