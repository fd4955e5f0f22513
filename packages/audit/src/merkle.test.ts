import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EMPTY_TREE_HASH,
  NODE_STRIDE,
  consistencyProof,
  createTreeBuilder,
  hashChildren,
  hashLeaf,
  inclusionProof,
  merkleRoot,
  newStoredNodes,
  treeFrontier,
  verifyConsistency,
  verifyInclusion,
  type MerkleHashReader,
} from "./merkle.js";

// ---- an independent, naive RFC 6962 implementation (createHash, recursion over arrays) ----
const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const naiveLeaf = (d: Uint8Array): Buffer => sha(Buffer.from([0]), d);
const k = (n: number): number => {
  let x = 1;
  while (x * 2 < n) x *= 2;
  return x;
};
function mth(d: readonly Uint8Array[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return naiveLeaf(d[0]!);
  const s = k(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: readonly Uint8Array[]): Buffer[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: readonly Uint8Array[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}
const naiveConsistency = (m: number, d: readonly Uint8Array[]): Buffer[] => (m === 0 || m === d.length ? [] : subproof(m, d, true));

/** A store-like reader built the way the stores build it: leaves plus stride levels via newStoredNodes, in random batches. */
async function buildStore(data: readonly Uint8Array[], batch: number): Promise<MerkleHashReader> {
  const levels = new Map<number, Uint8Array[]>([[0, []]]);
  const read: MerkleHashReader = (level, from, to) => Promise.resolve((levels.get(level) ?? []).slice(from, to));
  for (let i = 0; i < data.length; i += batch) {
    const leaves = data.slice(i, i + batch).map(hashLeaf);
    const nodes = await newStoredNodes(read, i, leaves);
    levels.get(0)!.push(...leaves);
    for (const n of nodes) {
      const arr = levels.get(n.level) ?? [];
      expect(arr.length).toBe(n.index);
      arr.push(n.hash);
      levels.set(n.level, arr);
    }
  }
  return read;
}

const items = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => Buffer.from(`event-${i}`));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("RFC 6962 known answers", () => {
  it("hash - the empty tree hashes to SHA-256 of the empty string", async () => {
    expect(hex(EMPTY_TREE_HASH)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex(await merkleRoot(() => Promise.resolve([]), 0))).toBe(hex(EMPTY_TREE_HASH));
    expect(hex(createTreeBuilder().root())).toBe(hex(EMPTY_TREE_HASH));
  });
  it("hash - leaf and node hashes use the 0x00 and 0x01 prefixes", () => {
    // SHA-256(0x00) — the hash of the empty leaf (certificate-transparency test vector)
    expect(hex(hashLeaf(new Uint8Array(0)))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    const l = hashLeaf(Buffer.from("L"));
    const r = hashLeaf(Buffer.from("R"));
    expect(hex(hashChildren(l, r))).toBe(hex(sha(Buffer.from([1]), l, r)));
    expect(hex(l)).toBe(hex(naiveLeaf(Buffer.from("L"))));
  });
  it("hash - the RFC 6962 reference tree of 8 leaves has the published root", () => {
    // leaves from the certificate-transparency merkle_tree_test vectors
    const leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map((h) => Buffer.from(h, "hex"));
    const tree = createTreeBuilder();
    const roots: string[] = [];
    for (const l of leaves) {
      tree.push(hashLeaf(l));
      roots.push(hex(tree.root()));
    }
    expect(roots).toEqual([
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]);
  });
});

describe("proofs against an independent computation", () => {
  it("inclusionProof - matches the naive audit path and verifies, for every size 1..64 and every leaf", async () => {
    const all = items(64);
    for (let n = 1; n <= 64; n++) {
      const data = all.slice(0, n);
      const read = await buildStore(data, 1 + (n % 7));
      const root = await merkleRoot(read, n);
      expect(hex(root)).toBe(hex(mth(data)));
      for (let m = 0; m < n; m++) {
        const proof = await inclusionProof(read, m, n);
        expect(proof.map(hex)).toEqual(path(m, data).map(hex));
        expect(verifyInclusion({ index: m, size: n, leafHash: naiveLeaf(data[m]!), proof, root })).toBe(true);
        expect(verifyInclusion({ index: m, size: n, leafHash: naiveLeaf(Buffer.from("x")), proof, root })).toBe(false);
        if (n > 1) expect(verifyInclusion({ index: (m + 1) % n, size: n, leafHash: naiveLeaf(data[m]!), proof, root })).toBe(false);
      }
    }
  });

  it("consistencyProof - matches the naive proof and verifies, for every pair of sizes up to 64", async () => {
    const data = items(64);
    const read = await buildStore(data, 5);
    const roots = [EMPTY_TREE_HASH, ...Array.from({ length: 64 }, (_, i) => mth(data.slice(0, i + 1)))];
    for (let n = 1; n <= 64; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = await consistencyProof(read, m, n);
        expect(proof.map(hex)).toEqual(naiveConsistency(m, data.slice(0, n)).map(hex));
        expect(verifyConsistency({ first: m, second: n, firstRoot: roots[m]!, secondRoot: roots[n]!, proof })).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency({ first: m, second: n, firstRoot: roots[m - 1]!, secondRoot: roots[n]!, proof })).toBe(false);
          expect(verifyConsistency({ first: m, second: n, firstRoot: roots[m]!, secondRoot: roots[n - 1]!, proof })).toBe(false);
          expect(verifyConsistency({ first: m, second: n, firstRoot: roots[m]!, secondRoot: roots[n]!, proof: proof.slice(1) })).toBe(false);
        }
      }
    }
  });

  it("proofs - match the naive computation for random larger sizes and random batchings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 65, max: 1200 }), fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), async (n, batch, a, b) => {
        const data = items(n);
        const read = await buildStore(data, batch);
        const m = a % n;
        const first = 1 + (b % n);
        const root = await merkleRoot(read, n);
        expect(hex(root)).toBe(hex(mth(data)));
        const proof = await inclusionProof(read, m, n);
        expect(proof.map(hex)).toEqual(path(m, data).map(hex));
        expect(verifyInclusion({ index: m, size: n, leafHash: naiveLeaf(data[m]!), proof, root })).toBe(true);
        const cproof = await consistencyProof(read, first, n);
        expect(cproof.map(hex)).toEqual(naiveConsistency(first, data).map(hex));
        expect(verifyConsistency({ first, second: n, firstRoot: mth(data.slice(0, first)), secondRoot: root, proof: cproof })).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it("newStoredNodes - stores exactly the complete subtrees at stride levels", async () => {
    const data = items(300);
    const read = await buildStore(data, 37);
    const level4 = await read(NODE_STRIDE, 0, 1000);
    expect(level4.length).toBe(Math.floor(300 / 16));
    expect(hex(level4[3]!)).toBe(hex(mth(data.slice(48, 64))));
    const level8 = await read(2 * NODE_STRIDE, 0, 10);
    expect(level8.map(hex)).toEqual([hex(mth(data.slice(0, 256)))]);
  });

  it("verifyInclusion - rejects malformed input without throwing", () => {
    const h = hashLeaf(Buffer.from("a"));
    expect(verifyInclusion({ index: 0, size: 0, leafHash: h, proof: [], root: h })).toBe(false);
    expect(verifyInclusion({ index: -1, size: 2, leafHash: h, proof: [], root: h })).toBe(false);
    expect(verifyInclusion({ index: 0, size: 1, leafHash: h, proof: [h], root: h })).toBe(false);
    expect(verifyInclusion({ index: 0, size: 1, leafHash: h, proof: [], root: new Uint8Array(3) })).toBe(false);
    expect(verifyConsistency({ first: 3, second: 2, firstRoot: h, secondRoot: h, proof: [] })).toBe(false);
    expect(verifyConsistency({ first: 1, second: 2, firstRoot: h, secondRoot: h, proof: [] })).toBe(false);
  });
});

describe("hashing through latin1 digests", () => {
  it("hashLeaf - matches the naive leaf hash for any input, including inputs larger than the scratch buffer, before and after it grows", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }).chain((a) => fc.constantFrom(a, new Uint8Array(70_000 + a.length).fill(a[0] ?? 7))), { minLength: 1, maxLength: 6 }), (inputs) => {
        for (const input of inputs) expect(hex(hashLeaf(input))).toBe(hex(naiveLeaf(input)));
      }),
      { numRuns: 40 },
    );
  });
  it("hashChildren - matches the naive node hash, for every byte value in every position of both children", () => {
    for (let i = 0; i < 32; i++) {
      const l = new Uint8Array(32).fill(0xff);
      const r = new Uint8Array(32);
      l[i] = i * 8;
      r[31 - i] = 0x80 + i;
      expect(hex(hashChildren(l, r))).toBe(hex(sha(Buffer.from([1]), l, r)));
    }
  });
  it("createTreeBuilder - the root after every push equals the naive root, also when seeded with a frontier", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(300), async (n, cut) => {
        const data = items(n);
        const from = cut % (n + 1);
        const leaves = data.map(hashLeaf);
        const read = await buildStore(data.slice(0, from), 50);
        const tree = createTreeBuilder({ size: from, subtrees: await treeFrontier(read, from) });
        expect(hex(tree.root())).toBe(hex(mth(data.slice(0, from))));
        for (let i = from; i < n; i++) {
          tree.push(leaves[i]!);
          expect(tree.size).toBe(i + 1);
        }
        expect(hex(tree.root())).toBe(hex(mth(data)));
      }),
      { numRuns: 30 },
    );
  });
  it("createTreeBuilder - refuses a seed whose subtree hashes do not fit its size", () => {
    const h = hashLeaf(Buffer.from("a"));
    expect(() => createTreeBuilder({ size: 3, subtrees: [h] })).toThrow(/one 32-byte subtree hash per set bit/);
    expect(() => createTreeBuilder({ size: 1, subtrees: [h.subarray(0, 31)] })).toThrow(/one 32-byte subtree hash per set bit/);
    expect(() => createTreeBuilder({ size: 1.5, subtrees: [h] })).toThrow(/non-negative integer size/);
    expect(() => createTreeBuilder({ size: -1, subtrees: [] })).toThrow(/non-negative integer size/);
    expect(() => createTreeBuilder({ size: Number.POSITIVE_INFINITY, subtrees: [] })).toThrow(/non-negative integer size/);
    expect(() => createTreeBuilder({ size: Number.NaN, subtrees: [] })).toThrow(/non-negative integer size/);
    expect(hex(createTreeBuilder({ size: 3, subtrees: [h, h] }).root())).toBe(hex(hashChildren(h, h)));
  });
});

