import { describe, expect, it } from "vitest";
import { isLawfulError } from "@lawful/core";
import { RetentionError } from "./errors.js";
import { loadRules, type RetentionRuleInput } from "./rules.js";

const base = (over: Partial<RetentionRuleInput> & { id: string }): RetentionRuleInput => ({
  title: "Rule",
  kind: "maximum",
  duration: "P2Y",
  trigger: { type: "created" },
  action: "delete",
  selectors: { recordTypes: ["lead"] },
  ...over,
});

function problems(input: unknown): RetentionError {
  try {
    loadRules(input);
  } catch (e) {
    if (e instanceof RetentionError) return e;
    throw e;
  }
  throw new Error("expected loadRules to throw");
}

describe("loadRules", () => {
  it("returns parsed rules sorted by id", () => {
    const rules = loadRules([base({ id: "b" }), base({ id: "a", effectiveFrom: "2025-01-01T00:00:00Z" })]);
    expect(rules.map((r) => r.id)).toEqual(["a", "b"]);
    expect(rules[0]?.effectiveFrom).toEqual(new Date("2025-01-01T00:00:00Z"));
  });

  it("reports every problem at once with the rule ids involved", () => {
    const e = problems([
      base({ id: "bad-duration", duration: "10 years" }),
      { ...base({ id: "bad-trigger" }), trigger: { type: "birthday" } },
      base({ id: "ok" }),
      base({ id: "ok" }),
      base({ id: "no-action", action: undefined }),
    ]);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(isLawfulError(e)).toBe(true);
    expect(e.name).toBe("RetentionError");
    const paths = e.issues.map((i) => i.path.join("."));
    expect(paths).toContain("0.duration");
    expect(paths).toContain("1.trigger.type");
    expect(paths).toContain("3.id");
    expect(paths).toContain("4.action");
    expect(e.message).toContain("bad-duration");
    expect(e.message).toContain("bad-trigger");
    expect(e.message).toContain("no-action");
    expect(e.issues.find((i) => i.path[0] === 3)?.code).toBe("duplicate_rule_id");
  });

  it("reports a maximum shorter than a minimum with identical selectors and trigger", () => {
    const e = problems([
      base({ id: "min-10y", kind: "minimum", duration: "P10Y", action: undefined }),
      base({ id: "max-6y", kind: "maximum", duration: "P6Y" }),
    ]);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]?.code).toBe("contradictory_rules");
    expect(e.message).toContain("max-6y");
    expect(e.message).toContain("min-10y");
  });

  it("accepts a shorter maximum when selectors, triggers or effective periods differ", () => {
    expect(() =>
      loadRules([
        base({ id: "min", kind: "minimum", duration: "P10Y", action: undefined, selectors: { recordTypes: ["invoice"] } }),
        base({ id: "max", duration: "P6Y", selectors: { recordTypes: ["lead"] } }),
        base({ id: "min2", kind: "minimum", duration: "P10Y", action: undefined, trigger: { type: "lastActivity" } }),
        base({ id: "old", kind: "minimum", duration: "P10Y", action: undefined, selectors: { categories: ["finance.voucher"] }, effectiveUntil: "2025-01-01T00:00:00Z" }),
        base({ id: "new", kind: "maximum", duration: "P8Y", selectors: { categories: ["finance.voucher"] }, effectiveFrom: "2025-01-01T00:00:00Z" }),
      ]),
    ).not.toThrow();
  });

  it("treats selector order and duplicates as identical when looking for contradictions", () => {
    const e = problems([
      base({ id: "min", kind: "minimum", duration: "P24M", action: undefined, selectors: { recordTypes: ["a", "b"] } }),
      base({ id: "max", duration: "P1Y11M", selectors: { recordTypes: ["b", "a", "a"] } }),
    ]);
    expect(e.issues[0]?.code).toBe("contradictory_rules");
  });

  it("rejects non-arrays, unknown fields and bad effective windows", () => {
    expect(problems({}).issues[0]?.path).toEqual([]);
    const e = problems([{ ...base({ id: "x" }), colour: "red" }, base({ id: "y", effectiveFrom: "2026-01-01T00:00:00Z", effectiveUntil: "2025-01-01T00:00:00Z" })]);
    expect(e.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["0", "1.effectiveUntil"]));
  });
});

describe("loadRules — sources", () => {
  it("accepts only http(s) source links", () => {
    expect(() => loadRules([base({ id: "a", sources: ["javascript:alert(1)"] })])).toThrow(RetentionError);
    expect(loadRules([base({ id: "a", sources: ["https://example.com/x"] })])[0]?.sources).toEqual(["https://example.com/x"]);
  });
});
