import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createRetentionEvaluator, evaluateRecord } from "./evaluate.js";
import { RetentionError } from "./errors.js";
import type { LegalHoldInput } from "./holds.js";
import type { RetentionRecord } from "./record.js";
import type { RetentionRuleInput } from "./rules.js";

const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s);

const vouchers: RetentionRuleInput = {
  id: "DE-HGB-257-vouchers-8y",
  title: "Accounting vouchers incl. invoices",
  kind: "minimum",
  action: "delete",
  duration: "P8Y",
  trigger: { type: "endOfCalendarYear", field: "created" },
  selectors: { recordTypes: ["invoice"] },
  citation: "§ 257(4) HGB, § 147(3) AO, § 14b UStG",
};

const invoice: RetentionRecord = { id: "inv_1", recordType: "invoice", createdAt: d("2025-03-15") };

describe("evaluateRecord — DOMAIN.md E2", () => {
  it("keeps an invoice of 2025-03-15 until 2034-01-01 and deletes it from then", () => {
    const before = evaluateRecord(invoice, { rules: [vouchers], now: d("2033-12-31T23:59:59.999Z") });
    expect(before.outcome).toBe("keep");
    expect(before.reason).toBe("minimum-running");
    expect(before.keepUntil?.toISOString()).toBe("2034-01-01T00:00:00.000Z");
    expect(before.nextAction).toBe("delete");
    expect(before.decidingRuleId).toBe("DE-HGB-257-vouchers-8y");
    const after = evaluateRecord(invoice, { rules: [vouchers], now: d("2034-01-01") });
    expect(after.outcome).toBe("delete");
    expect(after.reason).toBe("maximum-expired");
    expect(after.explanation).toContain("DE-HGB-257-vouchers-8y expired at 2034-01-01T00:00:00.000Z");
    expect(before.explanation).toContain("Keep until 2034-01-01T00:00:00.000Z");
    expect(after.toJSON()).toMatchObject({ outcome: "delete", explanation: after.explanation, keepUntil: undefined });
    expect(after.matches).toEqual([{ ruleId: "DE-HGB-257-vouchers-8y", kind: "minimum", action: "delete", status: "expired", expiresAt: d("2034-01-01") }]);
  });

  it("counts from the end of the calendar year for dates on 1 Jan and 31 Dec alike", () => {
    for (const created of ["2025-01-01", "2025-12-31T23:59:59Z"]) {
      const dec = evaluateRecord({ ...invoice, createdAt: d(created) }, { rules: [vouchers], now: d("2030-01-01") });
      expect(dec.keepUntil?.toISOString()).toBe("2034-01-01T00:00:00.000Z");
    }
  });

  it("reads a custom date field for endOfCalendarYear and field triggers", () => {
    const rule: RetentionRuleInput = { ...vouchers, trigger: { type: "endOfCalendarYear", field: "invoiceDate" } };
    const rec = { ...invoice, createdAt: d("2026-02-01"), dates: { invoiceDate: "2025-03-15T00:00:00Z" } };
    expect(evaluateRecord(rec, { rules: [rule], now: d("2030-01-01") }).keepUntil?.toISOString()).toBe("2034-01-01T00:00:00.000Z");
    const field: RetentionRuleInput = { ...vouchers, id: "f", trigger: { type: "field", field: "invoiceDate" } };
    expect(evaluateRecord(rec, { rules: [field], now: d("2030-01-01") }).keepUntil?.toISOString()).toBe("2033-03-15T00:00:00.000Z");
  });

  it("applies the 8-year voucher rule only from 2025-01-01 and the 10-year rule before", () => {
    const rules: RetentionRuleInput[] = [
      { ...vouchers, id: "vouchers-10y", duration: "P10Y", effectiveUntil: "2025-01-01T00:00:00Z" },
      { ...vouchers, id: "vouchers-8y", effectiveFrom: "2025-01-01T00:00:00Z" },
    ];
    const old = { ...invoice, createdAt: d("2015-06-01") };
    expect(evaluateRecord(old, { rules, now: d("2024-12-31") })).toMatchObject({ outcome: "keep", keepUntil: d("2026-01-01"), decidingRuleId: "vouchers-10y" });
    expect(evaluateRecord(old, { rules, now: d("2025-01-01") })).toMatchObject({ outcome: "delete", decidingRuleId: "vouchers-8y" });
  });

  it("takes the end of the calendar year in the configured UTC offset", () => {
    const rec = { ...invoice, createdAt: d("2025-12-31T23:30:00Z") }; // already 2026 in Berlin
    expect(evaluateRecord(rec, { rules: [vouchers], now: d("2030-01-01") }).keepUntil?.toISOString()).toBe("2034-01-01T00:00:00.000Z");
    expect(evaluateRecord(rec, { rules: [vouchers], now: d("2030-01-01"), utcOffsetMinutes: 60 }).keepUntil?.toISOString()).toBe("2034-12-31T23:00:00.000Z");
  });
});

const leadsMax: RetentionRuleInput = { id: "leads-2y", title: "Inactive leads", kind: "maximum", action: "delete", duration: "P2Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"] } };
const leadsReview: RetentionRuleInput = { id: "leads-review-1y", title: "Review leads", kind: "maximum", action: "review", duration: "P1Y", trigger: { type: "lastActivity" }, selectors: { recordTypes: ["lead"] } };
const leadsMin: RetentionRuleInput = { id: "leads-claims-3y", title: "Claims", kind: "minimum", duration: "P3Y", trigger: { type: "created" }, selectors: { categories: ["contact.email"] } };
const hold: LegalHoldInput = { id: "hold-1", matter: "Claim 17", scope: { subjectIds: ["s1"] }, issuedBy: "legal", issuedAt: "2024-01-01T00:00:00Z" };
const lead: RetentionRecord = { id: "l1", recordType: "lead", subjectId: "s1", categories: ["contact.email"], createdAt: d("2020-01-01"), lastActivityAt: d("2021-01-01") };

describe("evaluateRecord — precedence", () => {
  it("an active legal hold beats everything and marks the record restricted", () => {
    const dec = evaluateRecord(lead, { rules: [leadsMax], holds: [hold], now: d("2025-01-01") });
    expect(dec).toMatchObject({ outcome: "hold", reason: "legal-hold", restricted: true, holdIds: ["hold-1"] });
    expect(dec.matches[0]).toMatchObject({ ruleId: "leads-2y", status: "expired" });
  });

  it("a released hold, a hold not yet issued or out of scope does not hold", () => {
    const released = { ...hold, releasedAt: "2024-06-01T00:00:00Z" };
    expect(evaluateRecord(lead, { rules: [leadsMax], holds: [released], now: d("2025-01-01") }).outcome).toBe("delete");
    expect(evaluateRecord(lead, { rules: [leadsMax], holds: [hold], now: d("2023-12-31") }).outcome).toBe("delete");
    const other = { ...hold, scope: { subjectIds: ["s2"] } };
    expect(evaluateRecord(lead, { rules: [leadsMax], holds: [other], now: d("2025-01-01") }).outcome).toBe("delete");
    const ranged = { ...hold, scope: { systems: ["crm"], dateRange: { from: "2019-01-01T00:00:00Z", to: "2020-01-01T00:00:00Z" } } };
    expect(evaluateRecord({ ...lead, system: "crm" }, { rules: [leadsMax], holds: [ranged], now: d("2025-01-01") }).outcome).toBe("delete");
    expect(evaluateRecord({ ...lead, system: "crm", createdAt: d("2019-05-01") }, { rules: [leadsMax], holds: [ranged], now: d("2025-01-01") }).outcome).toBe("hold");
  });

  it("a tenant-scoped hold holds records of that tenant and records without a tenant, not other tenants", () => {
    const tenantHold = { ...hold, tenantId: "acme" };
    const now = d("2025-01-01");
    expect(evaluateRecord({ ...lead, tenantId: "acme" }, { rules: [leadsMax], holds: [tenantHold], now }).outcome).toBe("hold");
    expect(evaluateRecord(lead, { rules: [leadsMax], holds: [tenantHold], now }).outcome).toBe("hold");
    expect(evaluateRecord({ ...lead, tenantId: "globex" }, { rules: [leadsMax], holds: [tenantHold], now }).outcome).toBe("delete");
  });

  it("a running minimum keeps the record even when a maximum expired", () => {
    const dec = evaluateRecord(lead, { rules: [leadsMax, leadsMin], now: d("2022-06-01") });
    expect(dec).toMatchObject({ outcome: "keep", reason: "minimum-running", decidingRuleId: "leads-claims-3y", keepUntil: d("2023-01-01"), nextAction: "delete" });
  });

  it("after the minimum the strictest expired maximum decides, independent of which expired first", () => {
    const dec = evaluateRecord(lead, { rules: [leadsReview, leadsMax, leadsMin], now: d("2023-06-01") });
    expect(dec).toMatchObject({ outcome: "delete", reason: "maximum-expired", decidingRuleId: "leads-2y" });
    expect(dec.matches.map((m) => m.ruleId)).toEqual(["leads-2y", "leads-claims-3y", "leads-review-1y"]);
  });

  it("before any expiry the record is kept until the earliest maximum", () => {
    const fresh = { ...lead, lastActivityAt: d("2024-05-01") };
    const dec = evaluateRecord(fresh, { rules: [leadsMax, leadsReview], now: d("2024-06-01") });
    expect(dec).toMatchObject({ outcome: "keep", reason: "maximum-running", decidingRuleId: "leads-review-1y", keepUntil: d("2025-05-01"), nextAction: "review" });
  });

  it("reports pending triggers, ended minimums and unmatched records", () => {
    const noActivity = { ...lead, lastActivityAt: undefined, categories: [] };
    expect(evaluateRecord(noActivity, { rules: [leadsMax], now: d("2030-01-01") })).toMatchObject({ outcome: "keep", reason: "trigger-pending" });
    expect(evaluateRecord(lead, { rules: [leadsMin], now: d("2030-01-01") })).toMatchObject({ outcome: "keep", reason: "minimum-ended" });
    expect(evaluateRecord({ ...lead, recordType: "other", categories: [] }, { rules: [leadsMax, leadsMin], now: d("2030-01-01") })).toMatchObject({
      outcome: "keep",
      reason: "no-matching-rule",
      matches: [],
    });
  });

  it("a minimum whose trigger has not happened keeps the record indefinitely", () => {
    const min: RetentionRuleInput = { ...leadsMin, id: "contract-min", trigger: { type: "contractEnd" } };
    const dec = evaluateRecord(lead, { rules: [leadsMax, min], now: d("2030-01-01") });
    expect(dec).toMatchObject({ outcome: "keep", reason: "minimum-running", keepUntil: undefined, decidingRuleId: "contract-min" });
  });

  it("selectors on tenant, purpose and regime must all match", () => {
    const rule: RetentionRuleInput = { ...leadsMax, selectors: { recordTypes: ["lead"], tenants: ["acme"], purposes: ["marketing"], regimes: ["EU"] } };
    const now = d("2030-01-01");
    expect(evaluateRecord(lead, { rules: [rule], now }).reason).toBe("no-matching-rule");
    expect(evaluateRecord({ ...lead, tenantId: "acme", purposes: ["marketing"], regimes: ["EU"] }, { rules: [rule], now }).outcome).toBe("delete");
    expect(evaluateRecord({ ...lead, tenantId: "acme", purposes: ["marketing"], regimes: ["BR"] }, { rules: [rule], now }).reason).toBe("no-matching-rule");
  });

  it("rejects invalid record dates and an invalid now with a typed error", () => {
    expect(() => evaluateRecord({ ...lead, lastActivityAt: "yesterday" }, { rules: [leadsMax], now: d("2030-01-01") })).toThrow(RetentionError);
    expect(() => evaluateRecord(lead, { rules: [leadsMax], now: new Date(NaN) })).toThrow(RetentionError);
    expect(() => createRetentionEvaluator({ rules: [leadsMax], utcOffsetMinutes: 5000 })).toThrow(RetentionError);
  });
});

// ---- property tests -------------------------------------------------------

const ACTIONS = ["delete", "anonymise", "archive", "review"] as const;
const TYPES = ["lead", "invoice", "contact"] as const;
const CATS = ["contact.email", "finance.voucher", "contact.phone"] as const;
const DURS = ["P1M", "P6M", "P1Y", "P2Y", "P30D", "PT72H", "P2Y6M", "P8Y", "P10Y"] as const;
const TRIGGERS = [
  { type: "created" },
  { type: "lastActivity" },
  { type: "contractEnd" },
  { type: "endOfCalendarYear", field: "created" },
  { type: "field", field: "invoiceDate" },
] as const;

const ruleArb = fc
  .record({
    kind: fc.constantFrom("minimum", "maximum"),
    action: fc.constantFrom(...ACTIONS),
    minAction: fc.boolean(),
    duration: fc.constantFrom(...DURS),
    trigger: fc.constantFrom(...TRIGGERS),
    recordTypes: fc.option(fc.subarray([...TYPES], { minLength: 1 }), { nil: undefined }),
    categories: fc.option(fc.subarray([...CATS], { minLength: 1 }), { nil: undefined }),
  })
  .map(({ kind, action, minAction, duration, trigger, recordTypes, categories }): Omit<RetentionRuleInput, "id"> => ({
    title: "generated",
    kind,
    action: kind === "maximum" || minAction ? action : undefined,
    duration,
    trigger,
    selectors: { ...(recordTypes ? { recordTypes } : {}), ...(categories ? { categories } : {}) },
  }));

// rule sets with unique ids; contradictory ones are filtered by the fact that max < min on identical selectors throws
const rulesArb = fc.array(ruleArb, { minLength: 1, maxLength: 8 }).map((rs) => rs.map((r, i): RetentionRuleInput => ({ ...r, id: `r${i}` })));

const DAY = 86_400_000;
const dateArb = fc.integer({ min: Date.UTC(2000, 0, 1) / DAY, max: Date.UTC(2040, 0, 1) / DAY }).map((n) => new Date(n * DAY));
const recordArb = fc.record({
  recordType: fc.constantFrom(...TYPES),
  categories: fc.subarray([...CATS]),
  createdAt: dateArb,
  lastActivityAt: fc.option(dateArb, { nil: undefined }),
  contractEndedAt: fc.option(dateArb, { nil: undefined }),
  invoiceDate: fc.option(dateArb, { nil: undefined }),
  subjectId: fc.constantFrom("s1", "s2", "s3"),
}).map(({ invoiceDate, ...r }): RetentionRecord => ({ id: "rec", ...r, dates: invoiceDate ? { invoiceDate } : {} }));
const holdsArb = fc.array(
  fc.record({ subject: fc.constantFrom("s1", "s2", "s3"), issuedAt: dateArb, releasedAfterDays: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }) }),
  { maxLength: 3 },
).map((hs) =>
  hs.map((h, i): LegalHoldInput => ({
    id: `h${i}`,
    matter: "m",
    scope: { subjectIds: [h.subject] },
    issuedBy: "legal",
    issuedAt: h.issuedAt,
    releasedAt: h.releasedAfterDays === undefined ? undefined : new Date(h.issuedAt.getTime() + h.releasedAfterDays * DAY),
  })),
);

function tryEvaluator(rules: RetentionRuleInput[], holds: LegalHoldInput[]) {
  try {
    return createRetentionEvaluator({ rules, holds });
  } catch (e) {
    if (e instanceof RetentionError && e.issues.every((i) => i.code === "contradictory_rules")) return undefined;
    throw e;
  }
}

const DESTRUCTIVE = new Set(["delete", "anonymise", "archive"]);

describe("evaluateRecord — properties", () => {
  it("a record covered by an active hold is never deleted, anonymised or archived", () => {
    fc.assert(
      fc.property(rulesArb, holdsArb, recordArb, dateArb, (rules, holds, record, now) => {
        const ev = tryEvaluator(rules, holds);
        if (!ev) return;
        const dec = ev.evaluate(record, now);
        const t = now.getTime();
        const held = holds.some(
          (h) => h.scope.subjectIds?.includes(record.subjectId!) && (h.issuedAt as Date).getTime() <= t && (h.releasedAt === undefined || (h.releasedAt as Date).getTime() > t),
        );
        if (held) {
          expect(dec.outcome).toBe("hold");
          expect(dec.restricted).toBe(true);
        } else expect(dec.outcome).not.toBe("hold");
      }),
      { numRuns: 400 },
    );
  });

  it("no record is deleted (or otherwise acted on) before a matching minimum ends", () => {
    fc.assert(
      fc.property(rulesArb, recordArb, dateArb, (rules, record, now) => {
        const ev = tryEvaluator(rules, []);
        if (!ev) return;
        const dec = ev.evaluate(record, now);
        const runningMin = dec.matches.some((m) => m.kind === "minimum" && m.status !== "expired");
        if (runningMin) {
          expect(DESTRUCTIVE.has(dec.outcome) || dec.outcome === "review").toBe(false);
          expect(dec.outcome).toBe("keep");
          for (const m of dec.matches) if (m.kind === "minimum" && m.expiresAt && dec.keepUntil) expect(dec.keepUntil.getTime()).toBeGreaterThanOrEqual(m.expiresAt.getTime());
        }
        if (DESTRUCTIVE.has(dec.outcome)) {
          for (const m of dec.matches) if (m.kind === "minimum") expect(m.expiresAt!.getTime()).toBeLessThanOrEqual(now.getTime());
        }
      }),
      { numRuns: 400 },
    );
  });

  it("evaluation is deterministic and independent of rule and hold order", () => {
    fc.assert(
      fc.property(rulesArb, holdsArb, recordArb, dateArb, fc.integer(), (rules, holds, record, now, seed) => {
        const ev = tryEvaluator(rules, holds);
        if (!ev) return;
        const shuffle = <T>(xs: T[]) => {
          const out = [...xs];
          let s = seed;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) | 0;
            const j = Math.abs(s) % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const ev2 = createRetentionEvaluator({ rules: shuffle([...rules].reverse()), holds: shuffle([...holds].reverse()) });
        const a = ev.evaluate(record, now).toJSON();
        expect(ev.evaluate(record, now).toJSON()).toEqual(a);
        expect(ev2.evaluate(record, now).toJSON()).toEqual(a);
        expect(JSON.parse(JSON.stringify(ev2.evaluate(record, now)))).toEqual(JSON.parse(JSON.stringify(a)));
      }),
      { numRuns: 400 },
    );
  });
});

describe("evaluateRecord — extensions", () => {
  it("a set extendWhile flag keeps the minimum running (§ 147(3) AO)", () => {
    const rule: RetentionRuleInput = { ...vouchers, extendWhile: "taxAssessmentOpen" };
    const now = d("2035-01-01");
    expect(evaluateRecord(invoice, { rules: [rule], now }).outcome).toBe("delete");
    const open = evaluateRecord({ ...invoice, flags: { taxAssessmentOpen: true } }, { rules: [rule], now });
    expect(open).toMatchObject({ outcome: "keep", reason: "minimum-running", keepUntil: undefined });
    expect(open.matches[0]?.status).toBe("extended");
    expect(evaluateRecord({ ...invoice, flags: { taxAssessmentOpen: false } }, { rules: [rule], now }).outcome).toBe("delete");
  });
});
