import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The one error class of `@lawful/dsr`. It only sets `name`; the `code` (from core's
 * `ERROR_CODES`, e.g. `ILLEGAL_TRANSITION`, `POLICY_VIOLATION`, `VALIDATION_FAILED`) says what
 * went wrong and `issues` names every bad field. Messages never contain personal data.
 *
 * @example
 * ```ts
 * import { DsrError } from "@lawful/dsr";
 * try {
 *   // await dsr.extend(...)
 * } catch (e) {
 *   if (e instanceof DsrError && e.code === "ILLEGAL_TRANSITION") console.warn(e.message);
 * }
 * ```
 */
export class DsrError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "DsrError";
  }
}
