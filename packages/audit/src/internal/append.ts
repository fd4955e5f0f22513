import { ERROR_CODES } from "@lawful/core";
import { AuditError } from "../errors.js";
import type { AuditRecord } from "../model.js";

/** Check what an AppendBuilder returned: consecutive sequences from `first`, the right tenant, 32-byte leaf hashes. */
export function checkAppended(records: readonly AuditRecord[], tenantId: string, first: number): readonly AuditRecord[] {
  records.forEach((r, i) => {
    if (r.tenantId !== tenantId || r.sequence !== first + i || !(r.bytes instanceof Uint8Array) || !(r.leafHash instanceof Uint8Array) || r.leafHash.byteLength !== 32) {
      throw new AuditError(ERROR_CODES.VALIDATION_FAILED, `The append builder returned record #${i} with the wrong tenant, sequence or hash; nothing was written.`, {
        issues: [{ path: [i], message: "wrong tenant, sequence or hash", code: "custom" }],
      });
    }
  });
  return records;
}

