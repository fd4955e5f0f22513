import type { CheckpointVerifier } from "./checkpoint.js";
import type { AuditStore } from "./store.js";
import { verifyRows, type VerifiableRow, type VerificationReport } from "./verify.js";

/**
 * The `format` of the header line of an export.
 *
 * @example
 * ```ts
 * import { EXPORT_FORMAT } from "@lawful/audit";
 * const isOurs = (firstLine: string) => (JSON.parse(firstLine) as { format?: string }).format === EXPORT_FORMAT;
 * ```
 */
export const EXPORT_FORMAT = "lawful-audit-export/v1";

/**
 * Options of {@link exportNdjson}.
 *
 * @example
 * ```ts
 * import type { ExportOptions } from "@lawful/audit";
 * declare const options: ExportOptions;
 * ```
 */
export interface ExportOptions {
  readonly store: AuditStore;
  readonly tenantId: string;
  /** The checkpoint origin of the tenant log. */
  readonly origin: string;
  /** The signer's C2SP verifier key, written into the header for information (verifiers must get the key out of band). */
  readonly verifierKey?: string | undefined;
  /** Rows read per store call. @default 2000 */
  readonly pageSize?: number | undefined;
  /** Clock for `exportedAt`. @default the current time */
  readonly now?: Date | undefined;
}

/**
 * Export a tenant log as NDJSON: a header line, every stored checkpoint (signed notes), then every
 * event with its exact stored bytes in base64. `lawful-audit verify` and {@link verifyExport} check it offline.
 *
 * @example
 * ```ts
 * import { createWriteStream } from "node:fs";
 * import { exportNdjson } from "@lawful/audit";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const out = createWriteStream("/tmp/acme-audit.ndjson");
 * for await (const line of exportNdjson({ store: createMemoryAuditStore(), tenantId: "acme", origin: "lawful-audit/acme" })) out.write(line);
 * out.end();
 * ```
 */
export async function* exportNdjson(options: ExportOptions): AsyncGenerator<string> {
  const { store, tenantId } = options;
  const checkpoints = await store.listCheckpoints(tenantId);
  yield `${JSON.stringify({
    type: "header",
    format: EXPORT_FORMAT,
    tenantId,
    origin: options.origin,
    verifierKey: options.verifierKey,
    exportedAt: (options.now ?? new Date()).toISOString(),
  })}\n`;
  for (const cp of checkpoints) yield `${JSON.stringify({ type: "checkpoint", treeSize: cp.treeSize, note: cp.note })}\n`;
  const pageSize = options.pageSize ?? 2000;
  let next = 0;
  for (;;) {
    const page = await store.readRange(tenantId, next, pageSize);
    for (const r of page) yield `${JSON.stringify({ type: "event", sequence: r.sequence, bytes: Buffer.from(r.bytes).toString("base64"), leafHash: Buffer.from(r.leafHash).toString("base64") })}\n`;
    if (page.length < pageSize) return;
    next = page[page.length - 1]!.sequence + 1;
  }
}

/**
 * The result of {@link verifyExport}: a verification report plus what the header said.
 *
 * @example
 * ```ts
 * import type { ExportVerification } from "@lawful/audit";
 * function tenant(v: ExportVerification): string | undefined { return v.tenantId; }
 * ```
 */
export type ExportVerification = VerificationReport & { readonly tenantId?: string | undefined; readonly origin?: string | undefined };

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Verify an NDJSON export offline against trusted checkpoint keys: the same checks as the log's own
 * verification (first bad event and why). Sizes and roots come only from checkpoints whose signature
 * verifies with `verifiers`; the key named in the header is never trusted. Never throws for a damaged file.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { createCheckpointVerifier, verifyExport } from "@lawful/audit";
 * declare const vkey: string;
 * const result = await verifyExport(readFileSync("/tmp/acme-audit.ndjson", "utf8"), [createCheckpointVerifier(vkey)]);
 * ```
 */
export async function verifyExport(text: string, verifiers: readonly CheckpointVerifier[]): Promise<ExportVerification> {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const malformed = (line: number, why: string): ExportVerification => ({
    ok: false,
    problem: { kind: "modified", sequence: 0, message: `The export is malformed at line ${line}: ${why}.` },
    eventsChecked: 0,
    treeSize: 0,
    checkpointsVerified: 0,
    coveredSize: 0,
    rootHash: new Uint8Array(32),
  });
  let header: { tenantId?: unknown; origin?: unknown; format?: unknown } | undefined;
  const notes: string[] = [];
  const rows: VerifiableRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    let item: { type?: unknown; note?: unknown; sequence?: unknown; bytes?: unknown; leafHash?: unknown; tenantId?: unknown; origin?: unknown; format?: unknown };
    try {
      item = JSON.parse(lines[i]!) as typeof item;
    } catch {
      return malformed(i + 1, "not JSON");
    }
    if (typeof item !== "object" || item === null) return malformed(i + 1, "not an object");
    if (i === 0) {
      if (item.type !== "header" || item.format !== EXPORT_FORMAT || typeof item.tenantId !== "string" || typeof item.origin !== "string") {
        return malformed(1, `the first line must be a '${EXPORT_FORMAT}' header with tenantId and origin`);
      }
      header = item;
      continue;
    }
    if (item.type === "checkpoint") {
      if (typeof item.note !== "string") return malformed(i + 1, "a checkpoint line lacks its note");
      notes.push(item.note);
    } else if (item.type === "event") {
      const seq = item.sequence;
      if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return malformed(i + 1, "an event line lacks a valid sequence");
      const bytes = typeof item.bytes === "string" && B64.test(item.bytes) ? Buffer.from(item.bytes, "base64") : null;
      const leafHash = typeof item.leafHash === "string" && B64.test(item.leafHash) ? Buffer.from(item.leafHash, "base64") : item.leafHash === undefined ? undefined : null;
      rows.push({ sequence: seq, bytes, leafHash });
    } else {
      return malformed(i + 1, "unknown line type");
    }
  }
  if (header === undefined) return malformed(1, "the file is empty");
  const tenantId = header.tenantId as string;
  const origin = header.origin as string;
  const report = await verifyRows({ tenantId, origin, rows, checkpoints: notes, verifiers });
  return { ...report, tenantId, origin };
}
