import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The error class of `@lawful/audit`: a core `LawfulError` whose `name` is `"AuditError"`.
 * Codes come from core's `ERROR_CODES` (`VALIDATION_FAILED`, `INVALID_KEY`, `INTEGRITY_FAILED`, …).
 *
 * @example
 * ```ts
 * import { AuditError } from "@lawful/audit";
 * throw new AuditError("NOT_FOUND", "Event 42 does not exist in tenant acme.");
 * ```
 */
export class AuditError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "AuditError";
  }
}
