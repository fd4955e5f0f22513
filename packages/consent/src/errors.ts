import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The one error class of `@lawful/consent`: a `LawfulError` (from `@lawful/core`) whose `name` is `"ConsentError"`.
 *
 * Codes used: `VALIDATION_FAILED` (bad input; `issues` lists every problem), `NOT_FOUND`,
 * `CONFLICT` (a published notice or an existing id), `INVALID_SIGNATURE`, `EXPIRED`,
 * `POLICY_VIOLATION`, `STORE_FAILED`, `STORE_CLOSED`, `INVALID_CONFIGURATION`.
 *
 * @example
 * ```ts
 * import { ConsentError, type ConsentService, type FormSubmission } from "@lawful/consent";
 * async function capture(consent: ConsentService, submission: FormSubmission) {
 *   try { await consent.captureForm(submission); } catch (e) {
 *     if (e instanceof ConsentError && e.code === "VALIDATION_FAILED") console.log(e.issues);
 *   }
 * }
 * ```
 */
export class ConsentError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "ConsentError";
  }
}
