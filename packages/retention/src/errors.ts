import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The one error class of `@lawful/retention`. It only sets `name`; the `code`
 * (from core's `ERROR_CODES`) says what went wrong and `issues` names every bad field
 * (for rule sets: the rule index and id).
 *
 * @example
 * ```ts
 * import { RetentionError, compileRules } from "@lawful/retention";
 * try {
 *   compileRules([{ id: "x", title: "X", kind: "maximum", duration: "P10Q", trigger: { type: "created" }, action: "delete", selectors: {} }]);
 * } catch (e) {
 *   if (e instanceof RetentionError && e.code === "VALIDATION_FAILED") console.warn(e.issues);
 * }
 * ```
 */
export class RetentionError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "RetentionError";
  }
}
