import { createPrivateKey, createPublicKey, generateKeyPairSync, hash as cryptoHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { ERROR_CODES } from "@lawful/core";
import { AuditError } from "./errors.js";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const ALG_ED25519 = 0x01;
const KEY_NAME = /^[^\s+\u2014]+$/u;
const SIGNATURE_PREFIX = "\u2014 ";

/**
 * A checkpoint: the signed tree head of one tenant log (C2SP tlog-checkpoint fields).
 *
 * @example
 * ```ts
 * import type { Checkpoint } from "@lawful/audit";
 * const cp: Checkpoint = { origin: "lawful-audit/acme", treeSize: 0, rootHash: new Uint8Array(32), time: new Date() };
 * ```
 */
export interface Checkpoint {
  /** Unique name of the log, first line of the note (e.g. `example.com/audit/acme`). */
  readonly origin: string;
  /** Number of events covered. */
  readonly treeSize: number;
  /** RFC 6962 root hash of the first `treeSize` events. */
  readonly rootHash: Uint8Array;
  /** When the checkpoint was made (the `time` extension line); `undefined` when absent. */
  readonly time?: Date | undefined;
}

/**
 * Signs checkpoints with an Ed25519 key as C2SP signed notes.
 *
 * @example
 * ```ts
 * import { generateCheckpointKey, type CheckpointSigner } from "@lawful/audit";
 * const { signer }: { signer: CheckpointSigner } = generateCheckpointKey("acme-audit");
 * signer.verifierKey; // "acme-audit+1a2b3c4d+AQ…"
 * ```
 */
export interface CheckpointSigner {
  /** The key name shown in signature lines. */
  readonly name: string;
  /** The 4-byte C2SP key hash. */
  readonly keyHash: Uint8Array;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The C2SP verifier key string `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`; publish it. */
  readonly verifierKey: string;
  /** Ed25519 signature over `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Verifies checkpoint signatures of one Ed25519 key.
 *
 * @example
 * ```ts
 * import { createCheckpointVerifier, type CheckpointVerifier } from "@lawful/audit";
 * declare const vkey: string;
 * const verifier: CheckpointVerifier = createCheckpointVerifier(vkey);
 * ```
 */
export interface CheckpointVerifier {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly publicKey: Uint8Array;
  /** True when `signature` is a valid Ed25519 signature of `message` by this key. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * C2SP signed-note key hash of an Ed25519 key: first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
 *
 * @example
 * ```ts
 * import { noteKeyHash } from "@lawful/audit";
 * noteKeyHash("example.com/log", new Uint8Array(32)).length; // 4
 * ```
 */
export function noteKeyHash(name: string, publicKey: Uint8Array): Uint8Array {
  const digest = cryptoHash("sha256", Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0x0a, ALG_ED25519]), publicKey]), "buffer");
  return new Uint8Array(digest.subarray(0, 4));
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || !KEY_NAME.test(name)) {
    throw new AuditError(ERROR_CODES.INVALID_CONFIGURATION, "A checkpoint key name must be a non-empty string without spaces, '+' or em dashes (e.g. 'example.com/audit').", {
      issues: [{ path: ["name"], message: "invalid key name", code: "invalid_format" }],
    });
  }
  return name;
}

// y-coordinates (little endian, sign bit ignored) of the Ed25519 points of small order, including the
// non-canonical encodings p and p+1 (libsodium's blocklist).
const SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((h) => Buffer.from(h, "hex"));

/**
 * True when a raw Ed25519 public key is weak: a point of small order (which "verifies" forged
 * signatures in lenient verifiers such as Node's) or a non-canonical encoding (y ≥ p).
 *
 * @example
 * ```ts
 * import { isWeakEd25519PublicKey } from "@lawful/audit";
 * isWeakEd25519PublicKey(new Uint8Array(32)); // true (order-4 point)
 * ```
 */
export function isWeakEd25519PublicKey(key: Uint8Array): boolean {
  if (key.byteLength !== 32) return true;
  const y = Buffer.from(key);
  y[31] = y[31]! & 0x7f;
  if (SMALL_ORDER.some((s) => s.equals(y))) return true;
  // non-canonical: y >= p = 2^255 - 19, i.e. bytes ed..ff ff .. 7f
  if (y[31] === 0x7f && y.subarray(1, 31).every((b) => b === 0xff) && y[0]! >= 0xed) return true;
  return false;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: "der", type: "spki" });
  return new Uint8Array(der.subarray(der.byteLength - 32));
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

function toPrivateKey(privateKey: KeyObject | string | Uint8Array): KeyObject {
  try {
    if (typeof privateKey === "string") return createPrivateKey(privateKey);
    if (privateKey instanceof Uint8Array) {
      if (privateKey.byteLength !== 32) throw new Error("seed must be 32 bytes");
      return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, privateKey]), format: "der", type: "pkcs8" });
    }
    return privateKey;
  } catch (cause) {
    throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint private key is not usable: pass an Ed25519 KeyObject, a PKCS#8 PEM string or a 32-byte seed.", { cause });
  }
}

/**
 * Create a {@link CheckpointSigner} from an Ed25519 private key.
 *
 * @throws AuditError `INVALID_KEY` when the key is not an Ed25519 private key or its public key is weak;
 *   `INVALID_CONFIGURATION` for a bad name.
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { createCheckpointSigner } from "@lawful/audit";
 * const { privateKey } = generateKeyPairSync("ed25519");
 * const signer = createCheckpointSigner({ name: "example.com/audit", privateKey });
 * ```
 */
export function createCheckpointSigner(options: { readonly name: string; readonly privateKey: KeyObject | string | Uint8Array }): CheckpointSigner {
  const name = checkName(options.name);
  const key = toPrivateKey(options.privateKey);
  if (key.type !== "private" || key.asymmetricKeyType !== "ed25519") {
    throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint private key must be an Ed25519 private key.");
  }
  const publicKey = rawPublicKey(createPublicKey(key));
  if (isWeakEd25519PublicKey(publicKey)) throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint key is weak (small-order public key); generate a new one.");
  const keyHash = noteKeyHash(name, publicKey);
  return Object.freeze({
    name,
    keyHash,
    publicKey,
    verifierKey: `${name}+${Buffer.from(keyHash).toString("hex")}+${Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString("base64")}`,
    sign: (message: Uint8Array) => new Uint8Array(cryptoSign(null, message, key)),
  });
}

/**
 * Generate a new Ed25519 checkpoint key: a signer, its PKCS#8 PEM private key (keep it secret) and the
 * public verifier key string (publish it; `lawful-audit verify --public-key` accepts it).
 *
 * @example
 * ```ts
 * import { generateCheckpointKey } from "@lawful/audit";
 * const { signer, privateKeyPem, verifierKey } = generateCheckpointKey("example.com/audit");
 * ```
 */
export function generateCheckpointKey(name: string): { signer: CheckpointSigner; privateKeyPem: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const signer = createCheckpointSigner({ name, privateKey });
  return { signer, privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), verifierKey: signer.verifierKey };
}

/**
 * Create a {@link CheckpointVerifier} from a C2SP verifier key string (`name+hash+base64`) or from a
 * name and a public key (raw 32 bytes, base64 of them, an SPKI PEM or a `KeyObject`).
 * Small-order and non-canonical public keys are refused.
 *
 * @throws AuditError `INVALID_KEY` for a malformed, mismatched (key hash) or weak key.
 * @example
 * ```ts
 * import { createCheckpointVerifier, generateCheckpointKey } from "@lawful/audit";
 * const { verifierKey } = generateCheckpointKey("example.com/audit");
 * const verifier = createCheckpointVerifier(verifierKey);
 * ```
 */
export function createCheckpointVerifier(key: string | { readonly name: string; readonly publicKey: Uint8Array | string | KeyObject }): CheckpointVerifier {
  let name: string;
  let raw: Uint8Array;
  if (typeof key === "string") {
    const text = key.trim();
    const a = text.indexOf("+");
    const parts = a < 0 || text[a + 9] !== "+" ? [text] : [text.slice(0, a), text.slice(a + 1, a + 9), text.slice(a + 10)];
    const encoded = parts[2] === undefined ? undefined : Buffer.from(parts[2], "base64");
    if (parts.length !== 3 || !/^[0-9a-f]{8}$/.test(parts[1]!) || encoded?.byteLength !== 33 || encoded[0] !== ALG_ED25519) {
      throw new AuditError(ERROR_CODES.INVALID_KEY, "The verifier key must have the C2SP form '<name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>'.");
    }
    name = checkName(parts[0]);
    raw = new Uint8Array(encoded.subarray(1));
    if (Buffer.from(noteKeyHash(name, raw)).toString("hex") !== parts[1]) {
      throw new AuditError(ERROR_CODES.INVALID_KEY, "The verifier key's key hash does not match its name and public key.");
    }
  } else {
    name = checkName(key.name);
    raw = decodePublicKey(key.publicKey);
  }
  if (isWeakEd25519PublicKey(raw)) {
    throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint public key is weak (a small-order or non-canonical Ed25519 point) and is refused.");
  }
  let keyObject: KeyObject;
  try {
    keyObject = publicKeyObject(raw);
  } catch (cause) {
    throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint public key is not a valid Ed25519 key.", { cause });
  }
  const keyHash = noteKeyHash(name, raw);
  return Object.freeze({
    name,
    keyHash,
    publicKey: raw,
    verify(message: Uint8Array, signature: Uint8Array): boolean {
      if (signature.byteLength !== 64) return false;
      try {
        return cryptoVerify(null, message, keyObject, signature);
      } catch {
        return false;
      }
    },
  });
}

function decodePublicKey(input: Uint8Array | string | KeyObject): Uint8Array {
  try {
    if (input instanceof Uint8Array) {
      if (input.byteLength !== 32) throw new Error("not 32 bytes");
      return new Uint8Array(input);
    }
    if (typeof input === "string") {
      if (input.includes("-----BEGIN")) return decodePublicKey(createPublicKey(input));
      const bytes = Buffer.from(input.trim(), "base64");
      if (bytes.byteLength === 32) return new Uint8Array(bytes);
      if (bytes.byteLength === 44 && bytes.subarray(0, 12).equals(SPKI_ED25519_PREFIX)) return new Uint8Array(bytes.subarray(12));
      throw new Error("not a 32-byte key");
    }
    if (input.asymmetricKeyType !== "ed25519") throw new Error("not ed25519");
    return rawPublicKey(input.type === "private" ? createPublicKey(input) : input);
  } catch (cause) {
    throw new AuditError(ERROR_CODES.INVALID_KEY, "The checkpoint public key must be an Ed25519 key: 32 raw bytes, their base64, an SPKI PEM or a KeyObject.", { cause });
  }
}

/**
 * Format the C2SP tlog-checkpoint body: origin, tree size, base64 root hash, and a `time <RFC 3339>`
 * extension line when `time` is set. Every line ends with a newline.
 *
 * @example
 * ```ts
 * import { formatCheckpoint } from "@lawful/audit";
 * formatCheckpoint({ origin: "example.com/audit", treeSize: 0, rootHash: new Uint8Array(32) });
 * ```
 */
export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp.origin !== "string" || cp.origin.length === 0 || /[\n\u2014]/.test(cp.origin)) {
    throw new AuditError(ERROR_CODES.VALIDATION_FAILED, "A checkpoint origin must be a non-empty single line.", {
      issues: [{ path: ["origin"], message: "must be a non-empty single line", code: "invalid_format" }],
    });
  }
  const lines = [cp.origin, String(cp.treeSize), Buffer.from(cp.rootHash).toString("base64")];
  if (cp.time !== undefined) lines.push(`time ${cp.time.toISOString()}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Sign a checkpoint as a C2SP signed note: the body, a blank line, and `— <name> <base64(key hash ‖ signature)>`.
 *
 * @example
 * ```ts
 * import { generateCheckpointKey, signCheckpoint } from "@lawful/audit";
 * const { signer } = generateCheckpointKey("example.com/audit");
 * const note = signCheckpoint({ origin: "example.com/audit", treeSize: 0, rootHash: new Uint8Array(32) }, signer);
 * ```
 */
export function signCheckpoint(cp: Checkpoint, signer: CheckpointSigner): string {
  const body = formatCheckpoint(cp);
  const sig = signer.sign(Buffer.from(body, "utf8"));
  return `${body}\n${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([signer.keyHash, sig]).toString("base64")}\n`;
}

/**
 * The result of {@link openCheckpoint}: the parsed checkpoint, or why it was refused.
 *
 * @example
 * ```ts
 * import type { OpenedCheckpoint } from "@lawful/audit";
 * function size(r: OpenedCheckpoint): number | undefined { return r.ok ? r.checkpoint.treeSize : undefined; }
 * ```
 */
export type OpenedCheckpoint =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly body: string }
  | { readonly ok: false; readonly reason: "malformed" | "unknown_key" | "bad_signature"; readonly message: string };

/**
 * Parse a signed checkpoint note and verify its signature with one of `verifiers` (matched by name and key hash).
 * Never throws: a malformed note, an unknown key or a bad signature is reported in the result.
 *
 * @example
 * ```ts
 * import { createCheckpointVerifier, generateCheckpointKey, openCheckpoint, signCheckpoint } from "@lawful/audit";
 * const { signer, verifierKey } = generateCheckpointKey("example.com/audit");
 * const note = signCheckpoint({ origin: "example.com/audit", treeSize: 0, rootHash: new Uint8Array(32) }, signer);
 * openCheckpoint(note, [createCheckpointVerifier(verifierKey)]).ok; // true
 * ```
 */
export function openCheckpoint(note: string, verifiers: readonly CheckpointVerifier[]): OpenedCheckpoint {
  const bad = (message: string): OpenedCheckpoint => ({ ok: false, reason: "malformed", message });
  if (typeof note !== "string") return bad("the checkpoint is not text");
  const split = note.indexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return bad("the note has no signature block");
  const body = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split("\n");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) return bad("the checkpoint body needs origin, tree size and root hash lines");
  const [origin, sizeLine, rootLine] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) return bad("the tree size line is not a decimal number");
  const rootHash = Buffer.from(rootLine, "base64");
  if (rootHash.byteLength !== 32 || rootHash.toString("base64") !== rootLine) return bad("the root hash line is not the base64 of 32 bytes");
  let time: Date | undefined;
  for (const ext of lines.slice(3)) {
    if (ext.startsWith("time ")) {
      const t = new Date(ext.slice(5));
      if (Number.isNaN(t.getTime())) return bad("the time extension line is not a date");
      time = t;
    }
  }
  const message = Buffer.from(body, "utf8");
  let sawKnownKey = false;
  for (const line of sigLines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return bad("a signature line does not start with an em dash");
    const [name, b64] = line.slice(SIGNATURE_PREFIX.length).split(" ");
    if (name === undefined || b64 === undefined) return bad("a signature line lacks the key name or signature");
    const raw = Buffer.from(b64, "base64");
    if (raw.byteLength < 5) return bad("a signature is too short");
    for (const v of verifiers) {
      if (v.name !== name || !raw.subarray(0, 4).equals(v.keyHash)) continue;
      sawKnownKey = true;
      if (v.verify(message, raw.subarray(4))) {
        return { ok: true, body, checkpoint: Object.freeze({ origin, treeSize: Number(sizeLine), rootHash: new Uint8Array(rootHash), time }) };
      }
    }
  }
  return sawKnownKey
    ? { ok: false, reason: "bad_signature", message: "the signature by the trusted key does not verify" }
    : { ok: false, reason: "unknown_key", message: "no signature by a trusted key" };
}
