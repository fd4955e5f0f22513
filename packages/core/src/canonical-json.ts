import { ERROR_CODES, LawfulError } from "./errors.js";

/**
 * Matches a lone (unpaired) UTF-16 surrogate. With the `u` flag a well-formed
 * surrogate pair is one code point, so only unpaired halves match `\p{Cs}`.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const utf8 = new TextEncoder();

type PathSegment = string | number;

function formatPath(path: readonly PathSegment[]): string {
  let out = "$";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    // A lone surrogate in a key would make the path itself ill-formed; such keys are rejected anyway.
    else out += `[${LONE_SURROGATE.test(segment) ? '"<invalid key>"' : JSON.stringify(segment)}]`;
  }
  return out;
}

function fail(path: readonly PathSegment[], reason: string, code: string): never {
  const where = formatPath(path);
  throw new LawfulError(
    ERROR_CODES.NOT_JSON_SERIALIZABLE,
    `Value at ${where} cannot be canonicalised as JSON (RFC 8785): ${reason}. Convert it to a JSON value (string, finite number, boolean, null, array or plain object) first.`,
    { issues: [{ path: [...path], message: reason, code }] },
  );
}

function describeNonPlain(value: object): string {
  if (value instanceof Date) return "a Date is not a JSON value (use an ISO 8601 string)";
  if (value instanceof Map) return "a Map is not a JSON value (use a plain object)";
  if (value instanceof Set) return "a Set is not a JSON value (use an array)";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return "binary data (Buffer, typed array, ArrayBuffer) is not a JSON value (encode it as a base64url string)";
  if (value instanceof RegExp) return "a RegExp is not a JSON value";
  if (value instanceof Promise) return "a Promise is not a JSON value (await it first)";
  if (value instanceof Error) return "an Error is not a JSON value";
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return "a boxed primitive is not a JSON value (use the primitive)";
  const ctor = (value as { constructor?: unknown }).constructor;
  const name = typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "an unknown class";
  return `an instance of ${name} is not a plain object`;
}

function serializeString(value: string, path: readonly PathSegment[], isKey: boolean): string {
  if (LONE_SURROGATE.test(value)) {
    fail(
      path,
      isKey ? "an object key contains a lone UTF-16 surrogate and is not valid Unicode" : "the string contains a lone UTF-16 surrogate and is not valid Unicode",
      "invalid_unicode",
    );
  }
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires: \b \t \n \f \r \" \\,
  // other C0 controls as \u00xx (lower-case hex), everything else verbatim.
  return JSON.stringify(value);
}

function serialize(value: unknown, path: PathSegment[], ancestors: Set<object>, out: string[]): void {
  switch (typeof value) {
    case "string":
      out.push(serializeString(value, path, false));
      return;
    case "number":
      if (Number.isNaN(value)) fail(path, "NaN is not a JSON number", "not_finite");
      if (!Number.isFinite(value)) fail(path, "Infinity is not a JSON number", "not_finite");
      // Number::toString is the ECMAScript algorithm RFC 8785 §3.2.2.3 mandates; -0 becomes "0".
      out.push(String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "undefined":
      return fail(path, "undefined is not a JSON value (omit the property or use null)", "undefined");
    case "bigint":
      return fail(path, "a bigint is not a JSON number (convert it to a string or a safe integer)", "bigint");
    case "symbol":
      return fail(path, "a symbol is not a JSON value", "symbol");
    case "function":
      return fail(path, "a function is not a JSON value", "function");
    case "object":
      break;
  }
  if (value === null) {
    out.push("null");
    return;
  }
  const obj = value;
  if (ancestors.has(obj)) fail(path, "the value contains a cycle (it refers to one of its own ancestors)", "cycle");

  if (Array.isArray(obj)) {
    if (Object.getPrototypeOf(obj) !== Array.prototype) fail(path, describeNonPlain(obj), "not_plain");
    ancestors.add(obj);
    out.push("[");
    const arr = obj as readonly unknown[];
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out.push(",");
      path.push(i);
      if (!(i in arr)) fail(path, "the array has a hole (sparse arrays are not JSON; use null)", "undefined");
      serialize(arr[i], path, ancestors, out);
      path.pop();
    }
    out.push("]");
    ancestors.delete(obj);
    return;
  }

  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) fail(path, describeNonPlain(obj), "not_plain");
  if (Object.getOwnPropertySymbols(obj).some((s) => Object.prototype.propertyIsEnumerable.call(obj, s))) {
    fail(path, "the object has symbol-keyed properties, which JSON cannot represent", "symbol");
  }
  ancestors.add(obj);
  // Default sort compares UTF-16 code units, exactly as RFC 8785 §3.2.3 requires.
  const keys = Object.keys(obj).sort();
  const record = obj as Record<string, unknown>;
  out.push("{");
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out.push(",");
    out.push(serializeString(key, path, true), ":");
    path.push(key);
    serialize(record[key], path, ancestors, out);
    path.pop();
  }
  out.push("}");
  ancestors.delete(obj);
}

/**
 * Serialise a JSON value with the RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Object members are sorted by the UTF-16 code units of their names, numbers use
 * the ECMAScript `Number::toString` form (`-0` becomes `0`), strings are escaped
 * as `JSON.stringify` does, and no whitespace is emitted. Equal JSON values always
 * give identical strings, so the result is safe to hash or sign.
 *
 * Only JSON values are accepted: strings (valid Unicode), finite numbers, booleans,
 * `null`, arrays and plain objects (prototype `Object.prototype` or `null`).
 * Nothing is silently dropped or converted: `toJSON` methods are not called.
 * Shared (non-cyclic) references are allowed and serialised at each occurrence.
 *
 * @param value - the value to serialise.
 * @returns the canonical JSON text.
 * @throws LawfulError `NOT_JSON_SERIALIZABLE` for NaN, ±Infinity, `undefined` (in objects,
 *   arrays or at the root), sparse array holes, functions, symbols (as values or keys), bigint, cycles,
 *   strings or keys with lone surrogates, and non-plain objects (Date, Map, Set, Buffer, typed arrays,
 *   class instances, boxed primitives). The message and `issues[0].path` name the JSON path
 *   (e.g. `$.a[2].b`) and the reason, never the value.
 * @example
 * ```ts
 * import { canonicalize } from "@lawful/core";
 * canonicalize({ b: [1, 2.50, -0], a: "€" }); // '{"a":"€","b":[1,2.5,0]}'
 * ```
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  serialize(value, [], new Set(), out);
  return out.join("");
}

/**
 * Serialise a JSON value with RFC 8785 (see {@link canonicalize}) and encode it as UTF-8 bytes,
 * ready for hashing or signing.
 *
 * @throws LawfulError `NOT_JSON_SERIALIZABLE` as {@link canonicalize}.
 * @example
 * ```ts
 * import { createHash } from "node:crypto";
 * import { canonicalizeToBytes } from "@lawful/core";
 * const digest = createHash("sha256").update(canonicalizeToBytes({ id: 1, ok: true })).digest("hex");
 * ```
 */
export function canonicalizeToBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalize(value));
}
