import { timingSafeEqual } from "node:crypto";
import { ERROR_CODES } from "@lawful/core";
import { AuditError } from "./errors.js";
import { bytesToDigest, DigestTree, digestToBytes, EMPTY_DIGEST_BYTES, leafDigest, nodeDigestOfBytes } from "./internal/digest.js";

/**
 * Height difference between two stored levels of subtree hashes. Stores keep the hash of every
 * complete, aligned subtree whose height is a multiple of `NODE_STRIDE` (0 = leaves, 4, 8, 12, …),
 * so a subtree of any other height is combined from at most 2^(NODE_STRIDE−1) = 8 stored hashes.
 *
 * @example
 * ```ts
 * import { NODE_STRIDE } from "@lawful/audit";
 * NODE_STRIDE; // 4
 * ```
 */
export const NODE_STRIDE = 4;

const HASH_BYTES = 32;

/**
 * The RFC 6962 root hash of the empty tree: SHA-256 of the empty string. Treat it as read-only
 * (the library compares against its own private copy).
 *
 * @example
 * ```ts
 * import { EMPTY_TREE_HASH } from "@lawful/audit";
 * Buffer.from(EMPTY_TREE_HASH).toString("hex"); // "e3b0c442…b855"
 * ```
 */
export const EMPTY_TREE_HASH: Uint8Array = new Uint8Array(EMPTY_DIGEST_BYTES);

/**
 * RFC 6962 leaf hash: SHA-256(0x00 ‖ bytes).
 *
 * @example
 * ```ts
 * import { hashLeaf } from "@lawful/audit";
 * const h = hashLeaf(new TextEncoder().encode('{"a":1}')); // 32 bytes
 * ```
 */
export function hashLeaf(bytes: Uint8Array): Buffer {
  return digestToBytes(leafDigest(bytes));
}

/**
 * RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * ```ts
 * import { hashChildren, hashLeaf } from "@lawful/audit";
 * const root = hashChildren(hashLeaf(new Uint8Array([1])), hashLeaf(new Uint8Array([2])));
 * ```
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return digestToBytes(nodeDigestOfBytes(left, right));
}

/**
 * Constant-time equality of two hashes (false when the lengths differ).
 *
 * @example
 * ```ts
 * import { hashesEqual, EMPTY_TREE_HASH } from "@lawful/audit";
 * hashesEqual(EMPTY_TREE_HASH, EMPTY_TREE_HASH); // true
 * ```
 */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;
}

/**
 * Reads stored subtree hashes of one tenant's tree: `level` is 0 (leaf hashes) or a multiple of
 * {@link NODE_STRIDE}; the result holds the hashes of indices `from` (inclusive) to `to` (exclusive),
 * in order. Stores implement it; a missing hash must make the reader throw (or return fewer items).
 *
 * @example
 * ```ts
 * import type { MerkleHashReader } from "@lawful/audit";
 * const leaves: Uint8Array[] = [];
 * const reader: MerkleHashReader = async (level, from, to) => (level === 0 ? leaves.slice(from, to) : []);
 * ```
 */
export type MerkleHashReader = (level: number, from: number, to: number) => Promise<readonly Uint8Array[]>;

/**
 * A stored subtree hash to write: the hash of leaves `[index·2^level, (index+1)·2^level)`.
 *
 * @example
 * ```ts
 * import type { MerkleNode } from "@lawful/audit";
 * const node: MerkleNode = { level: 4, index: 0, hash: new Uint8Array(32) };
 * ```
 */
export interface MerkleNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

async function readExact(read: MerkleHashReader, level: number, from: number, to: number): Promise<readonly Uint8Array[]> {
  const got = await read(level, from, to);
  if (got.length !== to - from || got.some((h) => !(h instanceof Uint8Array) || h.byteLength !== HASH_BYTES)) {
    throw new AuditError(
      ERROR_CODES.INTEGRITY_FAILED,
      `The store is missing subtree hashes at level ${level}, indices ${from}..${to - 1}; the log's hash index is damaged or truncated — run verification.`,
    );
  }
  return got;
}

function foldPerfect(hashes: readonly Uint8Array[]): Uint8Array {
  let layer: readonly Uint8Array[] = hashes;
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(hashChildren(layer[i]!, layer[i + 1]!));
    layer = next;
  }
  return layer[0]!;
}

/** Hash of the complete aligned subtree of height h at index i, from stored levels. */
async function subtreeHash(read: MerkleHashReader, h: number, i: number): Promise<Uint8Array> {
  const r = h % NODE_STRIDE;
  const base = h - r;
  const width = 2 ** r;
  return foldPerfect(await readExact(read, base, i * width, (i + 1) * width));
}

/** MTH(D[lo:hi]) for hi > lo, where lo is aligned as in the RFC 6962 recursion. */
async function rangeHash(read: MerkleHashReader, lo: number, hi: number): Promise<Uint8Array> {
  const n = hi - lo;
  if (isPowerOfTwo(n) && lo % n === 0) return subtreeHash(read, Math.log2(n), lo / n);
  const k = splitPoint(n);
  const [left, right] = await Promise.all([rangeHash(read, lo, lo + k), rangeHash(read, lo + k, hi)]);
  return hashChildren(left, right);
}

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AuditError(ERROR_CODES.VALIDATION_FAILED, `${what} must be a non-negative safe integer.`, {
      issues: [{ path: [what], message: "must be a non-negative safe integer", code: "invalid_type" }],
    });
  }
}

/**
 * The RFC 6962 root hash of the first `size` leaves, computed from stored subtree hashes in O(log n) reads.
 *
 * @throws AuditError `INTEGRITY_FAILED` when the store lacks a needed hash; `VALIDATION_FAILED` for a bad size.
 * @example
 * ```ts
 * import { hashLeaf, merkleRoot } from "@lawful/audit";
 * const leaves = [hashLeaf(new Uint8Array([1]))];
 * const root = await merkleRoot(async (level, from, to) => leaves.slice(from, to), 1);
 * ```
 */
export async function merkleRoot(read: MerkleHashReader, size: number): Promise<Uint8Array> {
  checkSize(size, "size");
  if (size === 0) return new Uint8Array(EMPTY_DIGEST_BYTES);
  return rangeHash(read, 0, size);
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index` in the tree of `size` leaves,
 * read from stored subtree hashes in O(log n) reads. Ordered from the leaf upwards.
 *
 * @throws AuditError `VALIDATION_FAILED` unless `0 ≤ index < size`; `INTEGRITY_FAILED` when hashes are missing.
 * @example
 * ```ts
 * import { hashLeaf, inclusionProof } from "@lawful/audit";
 * const leaves = [1, 2, 3].map((b) => hashLeaf(new Uint8Array([b])));
 * const proof = await inclusionProof(async (_level, from, to) => leaves.slice(from, to), 1, 3);
 * ```
 */
export async function inclusionProof(read: MerkleHashReader, index: number, size: number): Promise<Uint8Array[]> {
  checkSize(index, "index");
  checkSize(size, "size");
  if (index >= size) {
    throw new AuditError(ERROR_CODES.VALIDATION_FAILED, `Leaf index ${index} is not in a tree of size ${size}.`, {
      issues: [{ path: ["index"], message: "must be smaller than the tree size", code: "too_big" }],
    });
  }
  const siblings: Promise<Uint8Array>[] = [];
  // iterate the recursion top-down, collecting siblings; reverse at the end (leaf first)
  let lo = 0;
  let hi = size;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      siblings.push(rangeHash(read, lo + k, hi));
      hi = lo + k;
    } else {
      siblings.push(rangeHash(read, lo, lo + k));
      lo = lo + k;
      m -= k;
    }
  }
  return (await Promise.all(siblings)).reverse();
}

/**
 * RFC 9162 §2.1.4.1 consistency proof between tree sizes `first` and `second` (0 < first ≤ second),
 * read from stored subtree hashes in O(log n) reads. Empty when `first === second`.
 *
 * @throws AuditError `VALIDATION_FAILED` unless `0 ≤ first ≤ second`; `INTEGRITY_FAILED` when hashes are missing.
 * @example
 * ```ts
 * import { consistencyProof, hashLeaf } from "@lawful/audit";
 * const leaves = [1, 2, 3].map((b) => hashLeaf(new Uint8Array([b])));
 * const proof = await consistencyProof(async (_level, from, to) => leaves.slice(from, to), 2, 3);
 * ```
 */
export async function consistencyProof(read: MerkleHashReader, first: number, second: number): Promise<Uint8Array[]> {
  checkSize(first, "first");
  checkSize(second, "second");
  if (first > second) {
    throw new AuditError(ERROR_CODES.VALIDATION_FAILED, `A consistency proof needs first ≤ second (got ${first} > ${second}).`, {
      issues: [{ path: ["first"], message: "must not exceed second", code: "too_big" }],
    });
  }
  if (first === 0 || first === second) return [];
  const parts: Promise<Uint8Array>[] = [];
  let lo = 0;
  let hi = second;
  let m = first;
  let complete = true;
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!complete) parts.push(rangeHash(read, lo, hi));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      parts.push(rangeHash(read, lo + k, hi));
      hi = lo + k;
    } else {
      parts.push(rangeHash(read, lo, lo + k));
      lo = lo + k;
      m -= k;
      complete = false;
    }
  }
  return (await Promise.all(parts)).reverse();
}

/**
 * Verify an RFC 9162 §2.1.3.2 inclusion proof. Pure; never throws on bad input (returns false).
 *
 * @example
 * ```ts
 * import { verifyInclusion } from "@lawful/audit";
 * declare const leafHash: Uint8Array, proof: Uint8Array[], root: Uint8Array;
 * verifyInclusion({ index: 1, size: 3, leafHash, proof, root }); // true or false
 * ```
 */
export function verifyInclusion(args: {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}): boolean {
  const { index, size, leafHash, proof, root } = args;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!validHash(leafHash) || !validHash(root) || !Array.isArray(proof) || !proof.every(validHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashesEqual(r, root);
}

function validHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.byteLength === HASH_BYTES;
}

/**
 * Verify an RFC 9162 §2.1.4.2 consistency proof between two tree heads. Pure; never throws (returns false).
 * Take the sizes and roots from verified checkpoints, never from the party that sent the proof.
 *
 * @example
 * ```ts
 * import { verifyConsistency } from "@lawful/audit";
 * declare const oldRoot: Uint8Array, newRoot: Uint8Array, proof: Uint8Array[];
 * verifyConsistency({ first: 2, second: 3, firstRoot: oldRoot, secondRoot: newRoot, proof });
 * ```
 */
export function verifyConsistency(args: {
  readonly first: number;
  readonly second: number;
  readonly firstRoot: Uint8Array;
  readonly secondRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
}): boolean {
  const { first, second, firstRoot, secondRoot, proof } = args;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (!validHash(firstRoot) || !validHash(secondRoot) || !Array.isArray(proof) || !proof.every(validHash)) return false;
  if (first === second) return proof.length === 0 && hashesEqual(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && hashesEqual(firstRoot, EMPTY_DIGEST_BYTES);
  if (proof.length === 0) return false;
  const path: readonly Uint8Array[] = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashesEqual(fr, firstRoot) && hashesEqual(sr, secondRoot);
}

/**
 * The stored subtree hashes (levels {@link NODE_STRIDE}, 2·{@link NODE_STRIDE}, …) that become complete
 * when `newLeafHashes` are appended to a tree of `oldSize` leaves. Stores call it inside their append
 * transaction and write the result; it reads at most 15 existing hashes per level.
 *
 * @example
 * ```ts
 * import { hashLeaf, newStoredNodes } from "@lawful/audit";
 * const leaves = Array.from({ length: 16 }, (_, i) => hashLeaf(new Uint8Array([i])));
 * const nodes = await newStoredNodes(async () => [], 0, leaves); // [{ level: 4, index: 0, hash }]
 * ```
 */
export async function newStoredNodes(read: MerkleHashReader, oldSize: number, newLeafHashes: readonly Uint8Array[]): Promise<MerkleNode[]> {
  const out: MerkleNode[] = [];
  const newSize = oldSize + newLeafHashes.length;
  const fan = 2 ** NODE_STRIDE;
  // hashes created in this append, per level: index -> hash
  let fresh = new Map<number, Uint8Array>();
  newLeafHashes.forEach((h, i) => fresh.set(oldSize + i, h));
  for (let level = NODE_STRIDE; 2 ** level <= newSize; level += NODE_STRIDE) {
    const below = level - NODE_STRIDE;
    const storedBelow = Math.floor(oldSize / 2 ** below); // hashes at `below` that existed before
    const first = Math.floor(oldSize / 2 ** level);
    const last = Math.floor(newSize / 2 ** level);
    const next = new Map<number, Uint8Array>();
    for (let i = first; i < last; i++) {
      const lo = i * fan;
      const hi = lo + fan;
      const children: Uint8Array[] = [];
      if (lo < storedBelow) children.push(...(await readExact(read, below, lo, Math.min(hi, storedBelow))));
      for (let j = Math.max(lo, storedBelow); j < hi; j++) children.push(fresh.get(j)!);
      const hash = foldPerfect(children);
      next.set(i, hash);
      out.push({ level, index: i, hash });
    }
    fresh = next;
  }
  return out;
}

/**
 * A streaming RFC 6962 tree builder ("compact range" from index 0): push leaf hashes in order and ask
 * for the root at the current size at any time. Memory O(log n).
 *
 * @example
 * ```ts
 * import { createTreeBuilder, hashLeaf } from "@lawful/audit";
 * const tree = createTreeBuilder();
 * tree.push(hashLeaf(new Uint8Array([1])));
 * tree.root(); // root of a one-leaf tree
 * ```
 */
export function createTreeBuilder(seed?: { readonly size: number; readonly subtrees: readonly Uint8Array[] }): TreeBuilder {
  const tree = new DigestTree(seed === undefined ? undefined : { size: seed.size, subtrees: seed.subtrees.map(bytesToDigest) });
  return {
    get size() {
      return tree.size;
    },
    push(leafHash: Uint8Array) {
      tree.push(bytesToDigest(leafHash));
    },
    root() {
      return tree.root();
    },
  };
}

/**
 * The hashes of the perfect subtrees that make up the first `size` leaves (largest first), read from
 * stored hashes: the seed of {@link createTreeBuilder} to continue a tree from `size`.
 *
 * @example
 * ```ts
 * import { createTreeBuilder, hashLeaf, treeFrontier } from "@lawful/audit";
 * const leaves = [1, 2, 3].map((b) => hashLeaf(new Uint8Array([b])));
 * const read = async (_level: number, from: number, to: number) => leaves.slice(from, to);
 * const tree = createTreeBuilder({ size: 3, subtrees: await treeFrontier(read, 3) });
 * ```
 */
export async function treeFrontier(read: MerkleHashReader, size: number): Promise<Uint8Array[]> {
  checkSize(size, "size");
  const out: Promise<Uint8Array>[] = [];
  let lo = 0;
  for (let bit = 52; bit >= 0; bit--) {
    const w = 2 ** bit;
    if (size - lo >= w) {
      out.push(subtreeHash(read, bit, lo / w));
      lo += w;
    }
  }
  return Promise.all(out);
}

/**
 * A streaming tree builder; see {@link createTreeBuilder}.
 *
 * @example
 * ```ts
 * import { createTreeBuilder, type TreeBuilder } from "@lawful/audit";
 * const tree: TreeBuilder = createTreeBuilder();
 * ```
 */
export interface TreeBuilder {
  /** Number of leaves pushed. */
  readonly size: number;
  /** Append one leaf hash. */
  push(leafHash: Uint8Array): void;
  /** Root hash of the leaves pushed so far. */
  root(): Uint8Array;
}
