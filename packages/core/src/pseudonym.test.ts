import { createHmac } from "node:crypto";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLawfulError, type LawfulError } from "./errors.js";
import { PSEUDONYM_PATTERN, createPseudonymizer, derivePseudonymKey } from "./pseudonym.js";

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const MASTER = new Uint8Array(48).map((_, i) => 200 - i);

function catchLawful(fn: () => unknown): LawfulError {
  try {
    fn();
  } catch (error) {
    if (isLawfulError(error)) return error;
    throw error;
  }
  throw new Error("expected a LawfulError to be thrown");
}

/** HKDF-SHA-256 (RFC 5869) for L = 32 with an empty salt, written out with HMAC to cross-check node:crypto. */
function referenceHkdf(ikm: Uint8Array, info: string): Uint8Array {
  const prk = createHmac("sha256", new Uint8Array(32)).update(ikm).digest();
  return new Uint8Array(createHmac("sha256", prk).update(Buffer.concat([Buffer.from(info, "utf8"), Buffer.from([1])])).digest());
}

describe("createPseudonymizer", () => {
  it("pseudonym - has the ps1_ + 43 base64url characters format", () => {
    const p = createPseudonymizer({ key: KEY });
    const id = p.pseudonym({ kind: "email", value: "ada@example.com" });
    expect(id).toMatch(PSEUDONYM_PATTERN);
    expect(id).toHaveLength(47);
    expect(Buffer.from(id.slice(4), "base64url")).toHaveLength(32);
  });

  it("pseudonym - is HMAC-SHA-256 over the documented encoding", () => {
    const p = createPseudonymizer({ key: KEY });
    const expected = createHmac("sha256", KEY).update("lawful-pseudonym-v1\0email\0ada@example.com", "utf8").digest("base64url");
    expect(p.pseudonym({ kind: "email", value: "ada@example.com" })).toBe(`ps1_${expected}`);
  });

  it("pseudonym - is stable across calls and pseudonymizer instances", () => {
    const subject = { kind: "phone", value: "+4930123456" };
    const a = createPseudonymizer({ key: KEY });
    const b = createPseudonymizer({ key: Uint8Array.from(KEY) });
    expect(a.pseudonym(subject)).toBe(a.pseudonym(subject));
    expect(a.pseudonym(subject)).toBe(b.pseudonym({ ...subject }));
  });

  it("pseudonym - differs for different keys, tenants, kinds and values", () => {
    const subject = { kind: "email", value: "ada@example.com" };
    const acme = createPseudonymizer({ key: derivePseudonymKey(MASTER, "acme") });
    const globex = createPseudonymizer({ key: derivePseudonymKey(MASTER, "globex") });
    const seen = new Set([
      acme.pseudonym(subject),
      globex.pseudonym(subject),
      createPseudonymizer({ key: KEY }).pseudonym(subject),
      acme.pseudonym({ kind: "customer_id", value: "ada@example.com" }),
      acme.pseudonym({ kind: "email", value: "bob@example.com" }),
      acme.pseudonym({ kind: "email", value: "ada@example.com " }),
    ]);
    expect(seen.size).toBe(6);
  });

  it("pseudonym - the encoding is unambiguous when values contain NUL", () => {
    const p = createPseudonymizer({ key: KEY });
    // "a\0b" + "c" vs "a" + "b\0c" would collide with naive concatenation; kind may not contain NUL.
    expect(() => p.pseudonym({ kind: "a\0b", value: "c" })).toThrow(/kind must not contain NUL/);
    expect(p.pseudonym({ kind: "a", value: "b\0c" })).not.toBe(p.pseudonym({ kind: "a", value: "b\0d" }));
  });

  it("pseudonym - distinct subjects give distinct pseudonyms (property)", () => {
    const p = createPseudonymizer({ key: KEY });
    const subject = fc.record({
      kind: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes("\0")),
      value: fc.string({ minLength: 1, maxLength: 40, unit: "binary" }),
    });
    fc.assert(
      fc.property(subject, subject, (x, y) => {
        fc.pre(x.kind !== y.kind || x.value !== y.value);
        expect(p.pseudonym(x)).not.toBe(p.pseudonym(y));
        expect(p.pseudonym(x)).toMatch(PSEUDONYM_PATTERN);
      }),
      { numRuns: 300 },
    );
  });

  it("pseudonym - a later change to the caller's key array does not change pseudonyms", () => {
    const key = Uint8Array.from(KEY);
    const p = createPseudonymizer({ key });
    const before = p.pseudonym({ kind: "email", value: "ada@example.com" });
    key.fill(0);
    expect(p.pseudonym({ kind: "email", value: "ada@example.com" })).toBe(before);
  });

  it("createPseudonymizer - rejects keys shorter than 32 bytes with INVALID_KEY, without key material", () => {
    const short = new Uint8Array(31).fill(0xab);
    const error = catchLawful(() => createPseudonymizer({ key: short }));
    expect(error.code).toBe("INVALID_KEY");
    expect(error.message).toContain("31 bytes");
    expect(error.message).not.toMatch(/abab|q6ur/i);
    expect(catchLawful(() => createPseudonymizer({ key: "x".repeat(64) as unknown as Uint8Array })).code).toBe("INVALID_KEY");
    expect(catchLawful(() => createPseudonymizer({ key: new Uint8Array(0) })).code).toBe("INVALID_KEY");
    expect(createPseudonymizer({ key: new Uint8Array(64) }).pseudonym({ kind: "k", value: "v" })).toMatch(PSEUDONYM_PATTERN);
  });

  it.each([
    ["empty kind", { kind: "", value: "x" }, "kind"],
    ["non-string kind", { kind: 1, value: "x" }, "kind"],
    ["empty value", { kind: "email", value: "" }, "value"],
    ["non-string value", { kind: "email", value: null }, "value"],
    ["lone surrogate in value", { kind: "email", value: "secret\ud800" }, "value"],
  ])("pseudonym - rejects %s with VALIDATION_FAILED naming the field, not the value", (_name, subject, field) => {
    const p = createPseudonymizer({ key: KEY });
    const error = catchLawful(() => p.pseudonym(subject as never));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.issues[0]?.path).toEqual([field]);
    expect(error.message).not.toContain("secret");
  });
});

describe("derivePseudonymKey", () => {
  it("derivePseudonymKey - is HKDF-SHA-256 with info lawful/pseudonym/v1/<tenantId>, 32 bytes", () => {
    const key = derivePseudonymKey(MASTER, "acme");
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key).toHaveLength(32);
    expect(Buffer.from(key).equals(Buffer.from(referenceHkdf(MASTER, "lawful/pseudonym/v1/acme")))).toBe(true);
  });

  it("derivePseudonymKey - is deterministic and differs per tenant and per secret", () => {
    const a1 = Buffer.from(derivePseudonymKey(MASTER, "acme"));
    const a2 = Buffer.from(derivePseudonymKey(Uint8Array.from(MASTER), "acme"));
    const b = Buffer.from(derivePseudonymKey(MASTER, "globex"));
    const other = Buffer.from(derivePseudonymKey(new Uint8Array(32).fill(7), "acme"));
    expect(a1.equals(a2)).toBe(true);
    expect(a1.equals(b)).toBe(false);
    expect(a1.equals(other)).toBe(false);
  });

  it("derivePseudonymKey - rejects short secrets with INVALID_KEY and bad tenant ids with VALIDATION_FAILED", () => {
    expect(catchLawful(() => derivePseudonymKey(new Uint8Array(16), "acme")).code).toBe("INVALID_KEY");
    expect(catchLawful(() => derivePseudonymKey(MASTER, "")).code).toBe("VALIDATION_FAILED");
    expect(catchLawful(() => derivePseudonymKey(MASTER, 42 as unknown as string)).code).toBe("VALIDATION_FAILED");
    expect(catchLawful(() => derivePseudonymKey(MASTER, "x".repeat(2000))).code).toBe("VALIDATION_FAILED");
  });
});
