import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The one error class of `@lawful/registry`. It only sets `name`; the `code`
 * (from core's `ERROR_CODES`) says what went wrong and `issues` names every bad field.
 *
 * @example
 * ```ts
 * import { RegistryError } from "@lawful/registry";
 * try {
 *   // registry.activateParty(...)
 * } catch (e) {
 *   if (e instanceof RegistryError && e.code === "POLICY_VIOLATION") console.warn(e.issues);
 * }
 * ```
 */
export class RegistryError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "RegistryError";
  }
}
