import { openCheckpoint, type Checkpoint, type CheckpointVerifier } from "./checkpoint.js";
import { bytesToDigest, DigestTree, digestMatches, leafDigest } from "./internal/digest.js";
import { hashesEqual } from "./merkle.js";

/**
 * Why verification failed:
 * - `modified`: an event's bytes differ from what was hashed (or cannot be read);
 * - `missing`: an event is absent (a gap, or later rows renumbered to hide it);
 * - `inserted`: an event that was not in the log appears (a duplicate or a forged row);
 * - `reordered`: events are out of order;
 * - `truncated`: the log ends before the size of a signed checkpoint;
 * - `checkpoint_mismatch`: the recomputed root differs from a signed checkpoint (the bytes and
 *   their stored hashes were rewritten consistently somewhere before that size);
 * - `bad_checkpoint`: a checkpoint's signature does not verify, it is malformed, signed by an unknown
 *   key, or names another log.
 *
 * @example
 * ```ts
 * import type { AuditProblemKind } from "@lawful/audit";
 * const kind: AuditProblemKind = "missing";
 * ```
 */
export type AuditProblemKind = "modified" | "missing" | "inserted" | "reordered" | "truncated" | "checkpoint_mismatch" | "bad_checkpoint";

/**
 * The first problem verification found.
 *
 * @example
 * ```ts
 * import type { AuditProblem } from "@lawful/audit";
 * const p: AuditProblem = { kind: "modified", sequence: 41, message: "event 41 was modified" };
 * ```
 */
export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The first bad event's sequence number; for a checkpoint problem, the checkpoint's tree size. */
  readonly sequence: number;
  /** A sentence for a person (no personal data). */
  readonly message: string;
}

/**
 * The result of verifying a log, a range of it, or an export.
 *
 * @example
 * ```ts
 * import type { VerificationReport } from "@lawful/audit";
 * function verdict(r: VerificationReport): string { return r.ok ? "valid" : `invalid: ${r.problem?.message}`; }
 * ```
 */
export interface VerificationReport {
  /** True when no problem was found. */
  readonly ok: boolean;
  /** The first problem, when `ok` is false. */
  readonly problem?: AuditProblem | undefined;
  /** Number of events read and checked. */
  readonly eventsChecked: number;
  /** Tree size reached (sequence of the last checked event + 1). */
  readonly treeSize: number;
  /** Number of signed checkpoints whose signature and root matched. */
  readonly checkpointsVerified: number;
  /** Largest tree size covered by a matching signed checkpoint (0 when none). */
  readonly coveredSize: number;
  /** The root hash at `treeSize`. */
  readonly rootHash: Uint8Array;
}

/**
 * A row to verify: the stored sequence column, the exact stored bytes, and optionally the stored leaf hash.
 *
 * @example
 * ```ts
 * import type { VerifiableRow } from "@lawful/audit";
 * const row: VerifiableRow = { sequence: 0, bytes: new Uint8Array(), leafHash: undefined };
 * ```
 */
export interface VerifiableRow {
  readonly sequence: number;
  readonly bytes: Uint8Array | null;
  readonly leafHash?: Uint8Array | null | undefined;
}

/**
 * Options of {@link verifyRows}.
 *
 * @example
 * ```ts
 * import type { VerifyRowsOptions } from "@lawful/audit";
 * const options: Partial<VerifyRowsOptions> = { tenantId: "acme", from: 0 };
 * ```
 */
export interface VerifyRowsOptions {
  readonly tenantId: string;
  /** Rows in stored order: an array or iterable, or an async iterable of rows or of pages (arrays) of rows. */
  readonly rows: Iterable<VerifiableRow> | AsyncIterable<VerifiableRow | readonly VerifiableRow[]>;
  /** Signed checkpoint notes (from the store, an export, or kept elsewhere by the controller). */
  readonly checkpoints: readonly string[];
  /** Trusted checkpoint keys. */
  readonly verifiers: readonly CheckpointVerifier[];
  /** Expected checkpoint origin; checkpoints of another origin are `bad_checkpoint`. */
  readonly origin?: string | undefined;
  /** First sequence number of `rows`. @default 0 */
  readonly from?: number | undefined;
  /** Perfect-subtree hashes of the first `from` leaves (see `treeFrontier`); required when `from` > 0. */
  readonly frontier?: readonly Uint8Array[] | undefined;
  /** Stop after this sequence number (exclusive). @default the end of `rows` */
  readonly to?: number | undefined;
}

const SEQ_NEEDLE = Buffer.from(',"sequence":');
const COMMA = 0x2c;

/** Byte equality in JS (no native call; the data compared is public, so constant time is not needed). */
function sameBytes(a: Uint8Array, aOffset: number, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aOffset + i] !== b[i]) return false;
  return true;
}

/** Backward Horspool shifts for SEQ_NEEDLE: for byte c, the smallest k ≥ 1 with needle[k] = c, else the needle's length. */
const SEQ_SHIFT = new Uint8Array(256).fill(SEQ_NEEDLE.byteLength);
for (let k = SEQ_NEEDLE.byteLength - 1; k >= 1; k--) SEQ_SHIFT[SEQ_NEEDLE[k]!] = k;

/**
 * The sequence number inside canonical event bytes, found without parsing: the top-level
 * `"sequence"` member is the last one in the text, since only `subject`, `target`, `tenantId` and `v`
 * follow it in RFC 8785 key order and none of them can contain that member (inside a JSON string the
 * needle's quotes would be escaped). -1 when absent.
 */
function embeddedSequence(buf: Uint8Array, end = buf.byteLength): number {
  const nl = SEQ_NEEDLE.byteLength;
  let at = -1;
  // the member is near the end: search backwards from `end` (Horspool, keyed on the window's first byte)
  for (let j = end - nl; j >= 0; ) {
    const c = buf[j]!;
    if (c === COMMA && buf[j + nl - 1] === 0x3a && sameBytes(buf, j, SEQ_NEEDLE, nl)) {
      at = j;
      break;
    }
    j -= SEQ_SHIFT[c]!;
  }
  if (at < 0) return -1;
  let n = 0;
  let i = at + nl;
  const start = i;
  for (; i < buf.byteLength && i - start < 16; i++) {
    const c = buf[i]!;
    if (c === COMMA) break;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return i === start || buf[i] !== COMMA ? -1 : n;
}

interface CheckpointTarget {
  readonly checkpoint: Checkpoint;
}

/**
 * Verify rows of one tenant log against signed checkpoints, streaming, in O(log n) memory.
 * Reports the first bad event and why; never throws for damaged data.
 *
 * Checks per row: its sequence column continues the previous one, the sequence and tenant inside its
 * bytes match, and SHA-256(0x00 ‖ bytes) equals the stored leaf hash; then the recomputed RFC 6962
 * root at every checkpoint size equals the signed root, and the log is at least as long as the
 * largest checkpoint. Bytes are hashed as stored, never re-canonicalised.
 *
 * @example
 * ```ts
 * import { verifyRows, type CheckpointVerifier, type VerifiableRow } from "@lawful/audit";
 * declare const rows: VerifiableRow[], notes: string[], verifier: CheckpointVerifier;
 * const report = await verifyRows({ tenantId: "acme", rows, checkpoints: notes, verifiers: [verifier] });
 * if (!report.ok) console.error(report.problem);
 * ```
 */
export async function verifyRows(options: VerifyRowsOptions): Promise<VerificationReport> {
  const from = options.from ?? 0;
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  const tenantSuffix = Buffer.from(`,"tenantId":${JSON.stringify(options.tenantId)},"v":1}`);
  let problem: AuditProblem | undefined;
  let checkpointsVerified = 0;
  let coveredSize = 0;

  // 1. open checkpoints
  const targets: CheckpointTarget[] = [];
  for (const note of options.checkpoints) {
    const opened = openCheckpoint(note, options.verifiers);
    if (!opened.ok) {
      const size = /^[^\n]*\n(\d+)\n/.exec(note)?.[1];
      const p: AuditProblem = {
        kind: "bad_checkpoint",
        sequence: size === undefined ? 0 : Number(size),
        message: `A checkpoint${size === undefined ? "" : ` for tree size ${size}`} is refused: ${opened.message}.`,
      };
      if (problem === undefined || p.sequence < problem.sequence) problem = p;
      continue;
    }
    const cp = opened.checkpoint;
    if (options.origin !== undefined && cp.origin !== options.origin) {
      const p: AuditProblem = { kind: "bad_checkpoint", sequence: cp.treeSize, message: `The checkpoint for tree size ${cp.treeSize} belongs to another log (origin differs).` };
      if (problem === undefined || p.sequence < problem.sequence) problem = p;
      continue;
    }
    if (cp.treeSize >= from) targets.push({ checkpoint: cp });
  }
  targets.sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize);

  // 2. stream rows
  let tree: DigestTree;
  try {
    tree = new DigestTree(from > 0 ? { size: from, subtrees: (options.frontier ?? []).map(bytesToDigest) } : undefined);
  } catch {
    return { ok: false, problem: { kind: "modified", sequence: from, message: `The stored subtree hashes before event ${from} are damaged.` }, eventsChecked: 0, treeSize: from, checkpointsVerified, coveredSize, rootHash: new Uint8Array(32) };
  }
  let expected = from;
  let next = 0; // index into targets
  let eventsChecked = 0;
  let rowProblem: AuditProblem | undefined;
  // lookahead state: an event for `expected` was replaced by a later one; is it somewhere later (reordered) or gone (missing)?
  let pendingMissing: number | undefined;
  // a checkpoint whose root differs: rows are still checked, since a row-level finding is more precise
  let mismatch: AuditProblem | undefined;
  let mismatchSize = 0;

  const checkTargets = (): void => {
    while (next < targets.length && targets[next]!.checkpoint.treeSize <= expected) {
      const cp = targets[next]!.checkpoint;
      next++;
      if (cp.treeSize < expected) continue; // sizes below `from` are skipped earlier; equal sizes handled once
      if (mismatch !== undefined) continue;
      if (hashesEqual(tree.root(), cp.rootHash)) {
        checkpointsVerified++;
        coveredSize = Math.max(coveredSize, cp.treeSize);
      } else {
        mismatchSize = cp.treeSize;
        mismatch = {
          kind: "checkpoint_mismatch",
          sequence: coveredSize,
          message: `The log does not match the signed checkpoint for tree size ${cp.treeSize}: an event between sequence ${coveredSize} and ${cp.treeSize - 1} was altered together with its stored hash.`,
        };
      }
    }
  };
  checkTargets();

  /** Check one row; false once the range end is reached. */
  const visit = (row: VerifiableRow): boolean => {
    if (row.sequence >= to) return false;
    if (rowProblem !== undefined) {
      if (pendingMissing !== undefined && row.bytes instanceof Uint8Array && embeddedSequence(row.bytes) === pendingMissing) {
        rowProblem = { kind: "reordered", sequence: pendingMissing, message: `Event ${pendingMissing} is out of order: it was moved to a later position.` };
        pendingMissing = undefined;
      }
      return true;
    }
    eventsChecked++;
    if (row.sequence !== expected) {
      rowProblem =
        row.sequence > expected
          ? { kind: "missing", sequence: expected, message: `Event ${expected} is missing: the next stored event is ${row.sequence}.` }
          : { kind: "inserted", sequence: row.sequence, message: `A second event with sequence ${row.sequence} was inserted.` };
      return true;
    }
    if (row.bytes === null || !(row.bytes instanceof Uint8Array)) {
      rowProblem = { kind: "modified", sequence: expected, message: `Event ${expected} has no stored bytes.` };
      return true;
    }
    const buf = row.bytes;
    // hash first: the copy it makes brings the row into cache for the scans below
    const leaf = leafDigest(buf);
    const ownTenant = buf.byteLength >= tenantSuffix.byteLength && sameBytes(buf, buf.byteLength - tenantSuffix.byteLength, tenantSuffix, tenantSuffix.byteLength);
    // the sequence member precedes the tenant suffix, so skip scanning it when it matched
    const inner = embeddedSequence(buf, ownTenant ? buf.byteLength - tenantSuffix.byteLength : buf.byteLength);
    if (inner !== expected && inner >= 0) {
      if (inner > expected) {
        pendingMissing = expected;
        rowProblem = { kind: "missing", sequence: expected, message: `Event ${expected} is missing: later events were renumbered to hide the gap.` };
      } else {
        rowProblem = { kind: "inserted", sequence: inner, message: `An event was inserted before sequence ${inner}: the event stored at ${expected} was written as ${inner}.` };
      }
      return true;
    }
    if (inner < 0 || (row.leafHash !== undefined && (row.leafHash === null || !digestMatches(leaf, row.leafHash)))) {
      rowProblem = { kind: "modified", sequence: expected, message: `Event ${expected} was modified: its bytes no longer match the hash written when it was appended.` };
      return true;
    }
    if (!ownTenant) {
      rowProblem = { kind: "inserted", sequence: expected, message: `Event ${expected} belongs to another tenant log.` };
      return true;
    }
    tree.push(leaf);
    expected++;
    checkTargets();
    return true;
  };
  const source = options.rows;
  if (Symbol.iterator in source) {
    for (const row of source) if (!visit(row)) break;
  } else {
    outer: for await (const item of source) {
      const page = Array.isArray(item) ? (item as readonly VerifiableRow[]) : [item as VerifiableRow];
      for (const row of page) if (!visit(row)) break outer;
    }
  }

  const rowLevel: AuditProblem | undefined = mismatch === undefined || (rowProblem !== undefined && rowProblem.sequence < mismatchSize) ? rowProblem : mismatch;
  if (problem === undefined || (rowLevel !== undefined && rowLevel.sequence < problem.sequence)) problem = rowLevel ?? problem;
  if (problem === undefined && next < targets.length) {
    const largest = targets[targets.length - 1]!.checkpoint.treeSize;
    if (options.to === undefined || largest <= options.to) {
      problem = { kind: "truncated", sequence: expected, message: `The log ends at ${expected} events, but a signed checkpoint covers ${largest}: events from ${expected} on were removed.` };
    }
  }
  return {
    ok: problem === undefined,
    problem,
    eventsChecked,
    treeSize: expected,
    checkpointsVerified,
    coveredSize,
    rootHash: tree.root(),
  };
}
