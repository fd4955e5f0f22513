import { describe, expect, it } from "vitest";
import { GERMAN_COMMERCIAL_TAX_PACK, CONSENT_PROOF_PACK } from "./packs.js";
import { buildRetentionSchedule, renderScheduleHtml, renderScheduleMarkdown } from "./schedule.js";
import type { RetentionRuleInput } from "./rules.js";

const evil: RetentionRuleInput = {
  id: "evil",
  title: `<script>alert("x")</script> | pipe\nnewline **bold** [link](javascript:x)`,
  kind: "maximum",
  action: "delete",
  duration: "P2Y6M",
  trigger: { type: "lastActivity" },
  selectors: { categories: ["contact.email"] },
  citation: `Art. 5 & "quotes" 'single' \`tick\``,
  sources: ["https://example.com/?a=1&b=<2>"],
};

describe("buildRetentionSchedule", () => {
  it("lists per category how long, from when, then and why", () => {
    const s = buildRetentionSchedule([...GERMAN_COMMERCIAL_TAX_PACK.rules, ...CONSENT_PROOF_PACK.rules], { asOf: new Date("2026-01-01T00:00:00Z") });
    expect(s.groups.map((g) => g.category)).toEqual(["consent.proof", "*"]);
    expect(s.groups[0]?.label).toBe("Proof of consent");
    const vouchers = s.groups[1]?.entries.find((e) => e.ruleId === "DE-HGB-257-vouchers-8y");
    expect(vouchers).toMatchObject({
      period: "at least 8 years",
      from: 'from the end of the calendar year of the creation date (longer while "taxAssessmentOpen" applies)',
      then: "then deleted",
      effectiveFrom: "2025-01-01T00:00:00.000Z",
    });
    expect(vouchers?.why).toContain("§ 257");
    // the 10-year voucher rule is no longer in force
    expect(s.groups[1]?.entries.some((e) => e.ruleId === "DE-HGB-257-vouchers-10y")).toBe(false);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe("renderScheduleMarkdown", () => {
  it("renders a table per category and escapes everything", () => {
    const out = renderScheduleMarkdown(buildRetentionSchedule([evil], { title: "Retention <at> Acme" }));
    expect(out).toContain("# Retention &lt;at&gt; Acme");
    expect(out).toContain("| Records | How long | From when | Then | Why |");
    expect(out).not.toContain("<script>");
    expect(out).toContain("\\| pipe newline");
    expect(out).toContain("\\*\\*bold\\*\\*");
    expect(out).toContain("at most 2 years 6 months");
    const row = out.split("\n").find((l) => l.includes("evil"))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });
});

describe("renderScheduleHtml", () => {
  it("renders an accessible document and escapes everything", () => {
    const out = renderScheduleHtml(buildRetentionSchedule([evil], { title: `"Retention" <b>` }), { lang: "de" });
    expect(out).toContain('<html lang="de">');
    expect(out).toContain("<caption>");
    expect(out).toContain('<th scope="col">How long</th>');
    expect(out).not.toContain("<script>");
    expect(out).not.toContain("<b>");
    expect(out).toContain("&#60;script&#62;");
    expect(out).toContain('href="https://example.com/?a=1&#38;b=&#60;2&#62;"');
    expect(renderScheduleHtml(buildRetentionSchedule([]), { lang: '"><x' })).toContain('<html lang="en">');
    expect(renderScheduleHtml(buildRetentionSchedule([evil]), { fragment: true }).startsWith("<section")).toBe(true);
  });
});
