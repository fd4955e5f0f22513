import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, canonicalizeToBytes } from "./canonical-json.js";
import { isLawfulError, type LawfulError } from "./errors.js";

function fromIeeeHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function catchLawful(fn: () => unknown): LawfulError {
  try {
    fn();
  } catch (error) {
    if (isLawfulError(error)) return error;
    throw error;
  }
  throw new Error("expected a LawfulError to be thrown");
}

/** Rebuild a JSON value with every object's keys inserted in a permuted order. */
function permuteKeys(value: unknown, pick: (n: number) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => permuteKeys(v, pick));
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    const out: Record<string, unknown> = {};
    while (keys.length > 0) {
      const [key] = keys.splice(pick(keys.length), 1);
      Object.defineProperty(out, key!, {
        value: permuteKeys((value as Record<string, unknown>)[key!], pick),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

describe("canonicalize - RFC 8785 examples", () => {
  it("§3.2.2 sample - serialises numbers, strings and literals exactly", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalize(JSON.parse(input))).toBe(expected);
  });

  it("§3.2.2 sample - UTF-8 bytes match the RFC hex dump prefix", () => {
    const bytes = canonicalizeToBytes({ literals: [null, true, false], string: "€$" });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).toString("hex")).toBe(
      Buffer.from('{"literals":[null,true,false],"string":"\u20ac$"}', "utf8").toString("hex"),
    );
    // € is e2 82 ac in UTF-8
    expect(Buffer.from(bytes).includes(Buffer.from([0xe2, 0x82, 0xac]))).toBe(true);
  });

  it("§3.2.3 sorting - sorts keys by UTF-16 code units", () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`) as Record<string, string>;
    const out = canonicalize(input);
    expect(out).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // the order of keys as they appear in the output text
    const order = [...out.matchAll(/"([^"]*)":"/g)].map((m) => m[1]);
    expect(order).toEqual(["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical JSON form.
  const appendixB: readonly (readonly [string, string])[] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  it.each(appendixB)("Appendix B - 0x%s serialises as %s", (hex, expected) => {
    const n = fromIeeeHex(hex);
    expect(canonicalize(n)).toBe(expected);
    expect(canonicalize([n])).toBe(`[${expected}]`);
    expect(canonicalize({ n })).toBe(`{"n":${expected}}`);
  });

  it.each([
    ["7fffffffffffffff", "NaN"],
    ["7ff0000000000000", "Infinity"],
    ["fff0000000000000", "Infinity"],
  ])("Appendix B - 0x%s (%s) is rejected", (hex, reason) => {
    const error = catchLawful(() => canonicalize({ x: fromIeeeHex(hex) }));
    expect(error.code).toBe("NOT_JSON_SERIALIZABLE");
    expect(error.message).toContain("$.x");
    expect(error.message).toContain(reason);
  });
});

describe("canonicalize - serialisation", () => {
  it("literals - serialises null, true, false and root primitives", () => {
    expect(canonicalize(null)).toBe("null");
    expect(canonicalize(true)).toBe("true");
    expect(canonicalize(false)).toBe("false");
    expect(canonicalize("x")).toBe('"x"');
    expect(canonicalize(-0)).toBe("0");
    expect(canonicalize([])).toBe("[]");
    expect(canonicalize({})).toBe("{}");
  });

  it("strings - escapes controls, quotes and backslash like JSON.stringify, keeps other characters", () => {
    expect(canonicalize("\b\t\n\f\r\"\\\u0000\u001f\u007f/é😀")).toBe('"\\b\\t\\n\\f\\r\\"\\\\\\u0000\\u001f\u007f/é😀"');
  });

  it("objects - accepts null-prototype objects and shared (non-cyclic) references", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare["b"] = 1;
    bare["a"] = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    const shared = { x: 1 };
    expect(canonicalize({ p: shared, q: [shared, shared] })).toBe('{"p":{"x":1},"q":[{"x":1},{"x":1}]}');
  });

  it("objects - does not call toJSON", () => {
    expect(() => canonicalize({ toJSON: () => "x" })).toThrow(/\$\.toJSON/);
  });

  it("bytes - canonicalizeToBytes is the UTF-8 encoding of canonicalize", () => {
    const value = { z: "ö€😀", a: [1.5, "x"] };
    expect(new TextDecoder().decode(canonicalizeToBytes(value))).toBe(canonicalize(value));
  });
});

describe("canonicalize - rejections", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const cyclicObject: Record<string, unknown> = { a: 1 };
  cyclicObject["self"] = cyclicObject;
  const cyclicArray: unknown[] = [1];
  cyclicArray.push({ back: cyclicArray });
  const withSymbolKey = { [Symbol("s")]: 1 };
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];

  const cases: readonly { name: string; value: unknown; path: string; reason: RegExp }[] = [
    { name: "NaN", value: { a: [0, 1, { b: Number.NaN }] }, path: "$.a[2].b", reason: /NaN/ },
    { name: "Infinity", value: { a: Number.POSITIVE_INFINITY }, path: "$.a", reason: /Infinity/ },
    { name: "-Infinity", value: [Number.NEGATIVE_INFINITY], path: "$[0]", reason: /Infinity/ },
    { name: "undefined in an object", value: { a: { b: undefined } }, path: "$.a.b", reason: /undefined/ },
    { name: "undefined in an array", value: { list: [1, undefined] }, path: "$.list[1]", reason: /undefined/ },
    { name: "undefined at the root", value: undefined, path: "$", reason: /undefined/ },
    { name: "sparse array hole", value: { s: sparse }, path: "$.s[1]", reason: /hole/ },
    { name: "function", value: { f: () => 1 }, path: "$.f", reason: /function/ },
    { name: "symbol", value: { s: Symbol("secret") }, path: "$.s", reason: /symbol/ },
    { name: "symbol-keyed property", value: { o: withSymbolKey }, path: "$.o", reason: /symbol/ },
    { name: "bigint", value: { n: 10n }, path: "$.n", reason: /bigint/ },
    { name: "cycle through an object", value: cyclicObject, path: "$.self", reason: /cycle/ },
    { name: "cycle through an array", value: cyclicArray, path: "$[1].back", reason: /cycle/ },
    { name: "Date", value: { at: new Date(0) }, path: "$.at", reason: /Date/ },
    { name: "Map", value: { m: new Map() }, path: "$.m", reason: /Map/ },
    { name: "Set", value: { s: new Set() }, path: "$.s", reason: /Set/ },
    { name: "class instance", value: { p: new Point(1) }, path: "$.p", reason: /Point/ },
    { name: "Buffer", value: { b: Buffer.from("secret") }, path: "$.b", reason: /binary/ },
    { name: "Uint8Array", value: { b: new Uint8Array(2) }, path: "$.b", reason: /binary/ },
    { name: "boxed string", value: { s: new String("secret") }, path: "$.s", reason: /boxed/ },
    { name: "array subclass", value: { a: new (class Items extends Array<number> {})() }, path: "$.a", reason: /Items/ },
    { name: "lone high surrogate in a string", value: { s: "ab\ud800" }, path: "$.s", reason: /surrogate/ },
    { name: "lone low surrogate in a string", value: ["\udc00x"], path: "$[0]", reason: /surrogate/ },
    { name: "lone surrogate in a key", value: { o: { "k\ud800": 1 } }, path: "$.o", reason: /key.*surrogate/ },
    { name: "non-identifier key in the path", value: { "a b": { "c-d": [Number.NaN] } }, path: '$["a b"]["c-d"][0]', reason: /NaN/ },
  ];

  it.each(cases)("rejects $name - NOT_JSON_SERIALIZABLE naming $path", ({ value, path, reason }) => {
    const error = catchLawful(() => canonicalize(value));
    expect(error.code).toBe("NOT_JSON_SERIALIZABLE");
    expect(error.message).toContain(`Value at ${path} `);
    expect(error.message).toMatch(reason);
    expect(error.issues).toHaveLength(1);
    expect(error.message).not.toContain("secret");
    expect(() => canonicalizeToBytes(value)).toThrow(error.message);
  });

  it("rejects - issues carry the path as segments", () => {
    const error = catchLawful(() => canonicalize({ a: [0, 1, { b: Number.NaN }] }));
    expect(error.issues[0]?.path).toEqual(["a", 2, "b"]);
    expect(error.issues[0]?.code).toBe("not_finite");
  });
});

describe("canonicalize - properties", () => {
  const jsonValues = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: "binary" }), fc.jsonValue({ stringUnit: "grapheme" }));

  it("round trip - JSON.parse(canonicalize(x)) deep-equals x", () => {
    fc.assert(
      fc.property(jsonValues, (x) => {
        // JSON has no negative zero; compare with the value JSON itself would round-trip to
        expect(JSON.parse(canonicalize(x))).toStrictEqual(JSON.parse(JSON.stringify(x)) as unknown);
      }),
      { numRuns: 500 },
    );
  });

  it("round trip - agrees with JSON.stringify except for key order", () => {
    fc.assert(
      fc.property(jsonValues, (x) => {
        expect(canonicalize(x)).toBe(canonicalize(JSON.parse(JSON.stringify(x))));
      }),
      { numRuns: 300 },
    );
  });

  it("idempotence - canonicalize(JSON.parse(c)) === c", () => {
    fc.assert(
      fc.property(jsonValues, (x) => {
        const c = canonicalize(x);
        expect(canonicalize(JSON.parse(c))).toBe(c);
      }),
      { numRuns: 500 },
    );
  });

  it("key order - insertion order of keys does not change the output", () => {
    fc.assert(
      fc.property(jsonValues, fc.infiniteStream(fc.nat()), (x, stream) => {
        const it = stream[Symbol.iterator]();
        const permuted = permuteKeys(x, (n) => (it.next().value as number) % n);
        expect(canonicalize(permuted)).toBe(canonicalize(x));
      }),
      { numRuns: 300 },
    );
  });

  it("numbers - every finite double serialises as Number::toString and round-trips exactly", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const c = canonicalize(n);
        expect(c).toBe(Object.is(n, -0) ? "0" : String(n));
        expect(Object.is(JSON.parse(c), n === 0 ? 0 : n)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
