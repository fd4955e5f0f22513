import { canonicalize } from "@lawful/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastCanonicalize } from "./canonical.js";

describe("fastCanonicalize", () => {
  it("fastCanonicalize - equals core's RFC 8785 canonicalize for arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(fastCanonicalize(v)).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("fastCanonicalize - equals canonicalize for tricky keys, numbers and strings, and throws the same errors", () => {
    const cases: unknown[] = [
      { b: 1, 10: 2, 2: 3, a: { "1": null } },
      { "\u20ac": 1, "\r": 2, "\ud83d\ude00": 3, a: -0, n: 1e21, m: 1e-7, x: 0.1 + 0.2 },
      { s: "\u0000\u001f\u007f\u2028\"\\/" },
      { s: "literal \\ud800 text" },
      [1, [2, [3, { z: 1, y: 2 }]]],
      JSON.parse('{"__proto__":{"a":1},"constructor":2}'),
    ];
    for (const c of cases) expect(fastCanonicalize(c)).toBe(canonicalize(c));
    for (const bad of [{ s: "\ud800" }, { n: Number.NaN }, { d: new Date(0) }, { u: undefined }]) {
      expect(() => fastCanonicalize(bad)).toThrow(expect.objectContaining({ code: "NOT_JSON_SERIALIZABLE" }) as Error);
    }
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), fc.oneof(fc.string({ unit: "binary" }), fc.double({ noNaN: true, noDefaultInfinity: true }))), (v) => {
        let expected: string | undefined;
        try {
          expected = canonicalize(v);
        } catch {
          expect(() => fastCanonicalize(v)).toThrow();
          return;
        }
        expect(fastCanonicalize(v)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
