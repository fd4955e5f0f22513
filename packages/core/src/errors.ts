import type * as z from "zod";

/**
 * Every stable error code Lawful packages throw, in one registry.
 *
 * Codes never change meaning once published; new ones are appended.
 *
 * @example
 * ```ts
 * import { ERROR_CODES } from "@lawful/core";
 * console.log(ERROR_CODES.VALIDATION_FAILED); // "VALIDATION_FAILED"
 * ```
 */
export const ERROR_CODES = {
  /** Input failed schema validation; `issues` names every bad field. */
  VALIDATION_FAILED: "VALIDATION_FAILED",
  /** A value cannot be represented as JSON (NaN, Infinity, undefined, cycles, non-plain objects). */
  NOT_JSON_SERIALIZABLE: "NOT_JSON_SERIALIZABLE",
  /** Options or configuration given to a factory are invalid. */
  INVALID_CONFIGURATION: "INVALID_CONFIGURATION",
  /** A record that was asked for does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** A record with the same identity already exists. */
  CONFLICT: "CONFLICT",
  /** A state transition is not allowed from the current state. */
  ILLEGAL_TRANSITION: "ILLEGAL_TRANSITION",
  /** A ciphertext cannot be decrypted because its subject key was shredded. */
  KEY_SHREDDED: "KEY_SHREDDED",
  /** A ciphertext failed authentication or is malformed. */
  DECRYPTION_FAILED: "DECRYPTION_FAILED",
  /** A cryptographic key is unusable (wrong length, weak, unknown id). */
  INVALID_KEY: "INVALID_KEY",
  /** A signature or token failed verification. */
  INVALID_SIGNATURE: "INVALID_SIGNATURE",
  /** A token or link is past its lifetime. */
  EXPIRED: "EXPIRED",
  /** Too many attempts; the resource is locked. */
  LOCKED: "LOCKED",
  /** A date or period computation got an impossible input (unknown zone, calendar). */
  INVALID_PERIOD: "INVALID_PERIOD",
  /** A database migration failed or the schema is newer than this code. */
  MIGRATION_FAILED: "MIGRATION_FAILED",
  /** A storage backend failed; `cause` holds the driver error. */
  STORE_FAILED: "STORE_FAILED",
  /** The store was closed and cannot be used any more. */
  STORE_CLOSED: "STORE_CLOSED",
  /** Data failed an integrity check (tampering, corruption). */
  INTEGRITY_FAILED: "INTEGRITY_FAILED",
  /** A legal or policy rule forbids the operation (e.g. activation before an objection deadline). */
  POLICY_VIOLATION: "POLICY_VIOLATION",
  /** The operation is not supported by this store or configuration. */
  UNSUPPORTED: "UNSUPPORTED",
} as const;

/**
 * A stable error code from {@link ERROR_CODES}, or a package-specific code in UPPER_SNAKE form.
 *
 * @example
 * ```ts
 * import type { LawfulErrorCode } from "@lawful/core";
 * const code: LawfulErrorCode = "NOT_FOUND";
 * ```
 */
export type LawfulErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | (string & {});

/**
 * One problem with an input, shaped like a zod issue: where, what, and a machine code.
 *
 * @example
 * ```ts
 * import type { LawfulIssue } from "@lawful/core";
 * const issue: LawfulIssue = { path: ["email"], message: "Invalid email", code: "invalid_format" };
 * ```
 */
export interface LawfulIssue {
  /** Path to the offending field, e.g. `["purposes", 0, "id"]`. */
  readonly path: readonly (string | number)[];
  /** What is wrong, written for a person. Never contains the offending value. */
  readonly message: string;
  /** A machine-readable reason, e.g. zod's issue code. */
  readonly code: string;
}

/**
 * Options accepted by the {@link LawfulError} constructor.
 *
 * @example
 * ```ts
 * import { LawfulError, type LawfulErrorOptions } from "@lawful/core";
 * const opts: LawfulErrorOptions = { issues: [{ path: ["id"], message: "Required", code: "required" }] };
 * throw new LawfulError("VALIDATION_FAILED", "The request is invalid.", opts);
 * ```
 */
export interface LawfulErrorOptions {
  /** Field-level problems, zod-shaped. */
  issues?: readonly LawfulIssue[] | undefined;
  /** The underlying error when wrapping. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by Lawful packages.
 *
 * Carries a stable `code`, a message that says what happened and how to fix
 * it, zod-shaped `issues` naming the bad fields, and `cause` when wrapping.
 * Messages and issues never contain personal data.
 *
 * @example
 * ```ts
 * import { LawfulError } from "@lawful/core";
 * throw new LawfulError("NOT_FOUND", "Request req_1 does not exist in tenant acme.");
 * ```
 */
export class LawfulError extends Error {
  /** Stable machine-readable code. */
  readonly code: LawfulErrorCode;
  /** Field-level problems; empty when the error is not about input. */
  readonly issues: readonly LawfulIssue[];

  constructor(code: LawfulErrorCode, message: string, options: LawfulErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LawfulError";
    this.code = code;
    this.issues = Object.freeze([...(options.issues ?? [])]);
  }

  /** A plain JSON form for logs and HTTP problem documents (no stack, no cause). */
  toJSON(): { name: string; code: string; message: string; issues: readonly LawfulIssue[] } {
    return { name: this.name, code: this.code, message: this.message, issues: this.issues };
  }
}

const LAWFUL_ERROR_NAME = /^(Lawful|[A-Z][A-Za-z]*)Error$/;

/**
 * True when `value` is a {@link LawfulError} or a subclass, also across
 * duplicated installs of `@lawful/core` (it checks `name` and `code`, not only `instanceof`).
 *
 * @example
 * ```ts
 * import { isLawfulError } from "@lawful/core";
 * function findOrNull<T>(find: () => T): T | null {
 *   try { return find(); } catch (e) { if (isLawfulError(e) && e.code === "NOT_FOUND") return null; throw e; }
 * }
 * ```
 */
export function isLawfulError(value: unknown): value is LawfulError {
  if (value instanceof LawfulError) return true;
  if (typeof value !== "object" || value === null) return false;
  const v = value as { name?: unknown; code?: unknown; issues?: unknown };
  return (
    value instanceof Error &&
    typeof v.name === "string" &&
    LAWFUL_ERROR_NAME.test(v.name) &&
    typeof v.code === "string" &&
    Array.isArray(v.issues)
  );
}

/**
 * Turn zod issues into {@link LawfulIssue}s, keeping path, message and code but never the input value.
 *
 * @example
 * ```ts
 * import * as z from "zod";
 * import { issuesFromZod } from "@lawful/core";
 * const r = z.object({ a: z.string() }).safeParse({});
 * if (!r.success) console.log(issuesFromZod(r.error.issues)); // [{ path: ["a"], ... }]
 * ```
 */
export function issuesFromZod(issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[] = []): LawfulIssue[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: issue.message,
    code: issue.code,
  }));
}

/**
 * Build a {@link LawfulError} with code `VALIDATION_FAILED` from a zod error.
 *
 * @param what - what was being validated, for the message (e.g. "consent event").
 * @example
 * ```ts
 * import * as z from "zod";
 * import { lawfulErrorFromZod } from "@lawful/core";
 * const r = z.string().email().safeParse("nope");
 * if (!r.success) throw lawfulErrorFromZod(r.error, "subject e-mail");
 * ```
 */
export function lawfulErrorFromZod(
  error: z.ZodError | { issues: readonly z.core.$ZodIssue[] },
  what = "input",
  ErrorClass: new (code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) => LawfulError = LawfulError,
): LawfulError {
  const issues = issuesFromZod(error.issues);
  const fields = [...new Set(issues.map((i) => (i.path.length ? i.path.join(".") : "(root)")))];
  const message = `Invalid ${what}: ${issues.length} problem${issues.length === 1 ? "" : "s"} at ${fields.join(", ")}. ${issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ")}`;
  return new ErrorClass(ERROR_CODES.VALIDATION_FAILED, message, { issues, cause: error });
}

/**
 * Parse `input` with `schema`, throwing a `VALIDATION_FAILED` {@link LawfulError} that names every bad field.
 *
 * @throws LawfulError `VALIDATION_FAILED`
 * @example
 * ```ts
 * import * as z from "zod";
 * import { parseOrThrow } from "@lawful/core";
 * const n = parseOrThrow(z.number().int(), 42, "retry count"); // 42
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = "input",
  ErrorClass?: new (code: LawfulErrorCode, message: string, options?: LawfulErrorOptions) => LawfulError,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw lawfulErrorFromZod(result.error, what, ErrorClass);
  return result.data;
}
