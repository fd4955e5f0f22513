import { canonicalize } from "@lawful/core";

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;
// JSON.stringify escapes a lone surrogate as a \ud800-\udfff escape; RFC 8785 (and core's canonicalize) refuse it
const ESCAPED_SURROGATE = /\\ud[89a-f]/i;

class Fallback extends Error {}

/** A key-sorted copy of a JSON value; throws Fallback for anything JSON.stringify would not serialise exactly as RFC 8785. */
function sorted(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Fallback();
    return value;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw new Fallback();
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new Fallback();
      out[i] = sorted(value[i]);
    }
    return out;
  }
  if (typeof value !== "object") throw new Fallback();
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Fallback();
  const keys = Object.keys(value).sort();
  // a null prototype, so a "__proto__" key is an own property like any other
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of keys) {
    // integer-like keys would be reordered by the engine; undefined values would be dropped silently
    if (INTEGER_KEY.test(k)) throw new Fallback();
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) throw new Fallback();
    out[k] = sorted(v);
  }
  return out;
}

/**
 * RFC 8785 canonical JSON, exactly as core's `canonicalize`, but faster for the common case: a key-sorted
 * copy serialised by `JSON.stringify` (whose string escaping and number formatting are the ones RFC 8785
 * prescribes). Anything where the two could differ (integer-like keys, lone surrogates, non-finite
 * numbers, non-plain objects, undefined) falls back to core's `canonicalize`, which also raises the errors.
 * Equivalence is property-tested against core's implementation.
 */
export function fastCanonicalize(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(sorted(value));
  } catch (error) {
    if (!(error instanceof Fallback) && !(error instanceof RangeError)) throw error;
  }
  if (text === undefined || ESCAPED_SURROGATE.test(text)) return canonicalize(value);
  return text;
}
