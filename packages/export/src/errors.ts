import { LawfulError, type LawfulErrorCode, type LawfulErrorOptions } from "@lawful/core";

/**
 * The one error class of `@lawful/export`. It only sets `name`; the `code`
 * (from core's `ERROR_CODES`) says what went wrong and `issues` names every bad field.
 *
 * Codes used: `VALIDATION_FAILED` (a document, section or option is invalid),
 * `NOT_JSON_SERIALIZABLE` (a row value cannot be represented: functions, symbols,
 * NaN/Infinity, cycles, binary outside a `binary` column, objects outside a `json` column,
 * invalid dates, lone surrogates), `UNSUPPORTED` (a one-shot row iterable consumed twice,
 * a ZIP entry over 4 GiB) and `INTEGRITY_FAILED` (a ZIP bundle that cannot be read).
 *
 * @example
 * ```ts
 * import { ExportError } from "@lawful/export";
 * try {
 *   // await collect(writeCsv(...))
 * } catch (e) {
 *   if (e instanceof ExportError && e.code === "NOT_JSON_SERIALIZABLE") console.warn(e.issues);
 * }
 * ```
 */
export class ExportError extends LawfulError {
  constructor(code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) {
    super(code, message, options);
    this.name = "ExportError";
  }
}
