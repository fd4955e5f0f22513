import { createHash, generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createCheckpointSigner,
  createCheckpointVerifier,
  formatCheckpoint,
  generateCheckpointKey,
  isWeakEd25519PublicKey,
  noteKeyHash,
  openCheckpoint,
  signCheckpoint,
} from "./checkpoint.js";

// Known answer from the Go signed-note documentation (golang.org/x/mod/sumdb/note).
const SKEY_SEED = Buffer.from("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "base64").subarray(1);
const VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

describe("signed notes", () => {
  it("createCheckpointSigner - reproduces the C2SP/Go signed-note known answer", () => {
    const signer = createCheckpointSigner({ name: "PeterNeumann", privateKey: SKEY_SEED });
    expect(signer.verifierKey).toBe(VKEY);
    const sig = Buffer.from(SIG, "base64");
    expect(Buffer.from(signer.keyHash).toString("hex")).toBe("c74f20a3");
    expect(Buffer.from(signer.sign(Buffer.from(TEXT))).equals(sig.subarray(4))).toBe(true);
    const opened = openCheckpoint(`${TEXT}\n\u2014 PeterNeumann ${SIG}\n`, [createCheckpointVerifier(VKEY)]);
    // the text is not a checkpoint (line 2 is not a number), so it is refused as malformed — but the signature format matches
    expect(opened.ok).toBe(false);
    expect(createCheckpointVerifier(VKEY).verify(Buffer.from(TEXT), sig.subarray(4))).toBe(true);
  });

  it("noteKeyHash - is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)", () => {
    const key = Buffer.alloc(32, 7);
    const expected = createHash("sha256").update("log.example/x").update(Buffer.from([0x0a, 0x01])).update(key).digest().subarray(0, 4);
    expect(Buffer.from(noteKeyHash("log.example/x", key)).equals(expected)).toBe(true);
  });

  it("signCheckpoint - writes the tlog-checkpoint body and opens with the right key only", () => {
    const { signer, verifierKey } = generateCheckpointKey("example.com/audit");
    const root = createHash("sha256").update("x").digest();
    const note = signCheckpoint({ origin: "example.com/audit/acme", treeSize: 42, rootHash: root, time: new Date("2025-01-02T03:04:05Z") }, signer);
    expect(note.startsWith(`example.com/audit/acme\n42\n${root.toString("base64")}\ntime 2025-01-02T03:04:05.000Z\n\n\u2014 example.com/audit `)).toBe(true);
    const opened = openCheckpoint(note, [createCheckpointVerifier(verifierKey)]);
    expect(opened.ok && opened.checkpoint.treeSize).toBe(42);
    expect(opened.ok && Buffer.from(opened.checkpoint.rootHash).equals(root)).toBe(true);
    expect(openCheckpoint(note.replace("\n42\n", "\n43\n"), [createCheckpointVerifier(verifierKey)])).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(openCheckpoint(note, [createCheckpointVerifier(generateCheckpointKey("example.com/audit").verifierKey)])).toMatchObject({ ok: false });
    expect(openCheckpoint("garbage", [createCheckpointVerifier(verifierKey)])).toMatchObject({ ok: false, reason: "malformed" });
    expect(formatCheckpoint({ origin: "o", treeSize: 0, rootHash: new Uint8Array(32) })).toBe(`o\n0\n${Buffer.alloc(32).toString("base64")}\n`);
  });

  it("openCheckpoint - never throws on arbitrary input", () => {
    const verifier = createCheckpointVerifier(generateCheckpointKey("k").verifierKey);
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(openCheckpoint(s, [verifier]).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("weak Ed25519 keys", () => {
  const smallOrder = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  ];

  it("createCheckpointVerifier - refuses every small-order and non-canonical public key", () => {
    for (const hex of smallOrder) {
      for (const sign of [0, 0x80]) {
        const key = Buffer.from(hex, "hex");
        key[31] = key[31]! | sign;
        expect(isWeakEd25519PublicKey(key)).toBe(true);
        expect(() => createCheckpointVerifier({ name: "weak", publicKey: key })).toThrow(expect.objectContaining({ code: "INVALID_KEY" }) as Error);
        const vkey = `weak+${Buffer.from(noteKeyHash("weak", key)).toString("hex")}+${Buffer.concat([Buffer.from([1]), key]).toString("base64")}`;
        expect(() => createCheckpointVerifier(vkey)).toThrow(expect.objectContaining({ code: "INVALID_KEY" }) as Error);
      }
    }
    const nonCanonical = Buffer.from("f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex");
    expect(isWeakEd25519PublicKey(nonCanonical)).toBe(true);
  });

  it("isWeakEd25519PublicKey - accepts real keys", () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync("ed25519");
      const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
      expect(isWeakEd25519PublicKey(raw)).toBe(false);
    }
  });

  it("createCheckpointVerifier - refuses a verifier key whose key hash does not match", () => {
    const { verifierKey } = generateCheckpointKey("example.com/audit");
    const tampered = verifierKey.replace(/\+([0-9a-f]{8})\+/, (_m, h: string) => `+${h === "00000000" ? "00000001" : "00000000"}+`);
    expect(() => createCheckpointVerifier(tampered)).toThrow(expect.objectContaining({ code: "INVALID_KEY" }) as Error);
    expect(() => createCheckpointSigner({ name: "bad name", privateKey: SKEY_SEED })).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
    expect(() => createCheckpointSigner({ name: "x", privateKey: new Uint8Array(5) })).toThrow(expect.objectContaining({ code: "INVALID_KEY" }) as Error);
  });
});
