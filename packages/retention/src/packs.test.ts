import { describe, expect, it } from "vitest";
import { evaluateRecord } from "./evaluate.js";
import { CCPA_REQUEST_RECORDS_PACK, CONSENT_PROOF_PACK, GERMAN_COMMERCIAL_TAX_PACK, LGPD_INCIDENT_REGISTER_PACK, POLICY_PACKS, combinePacks, germanCommercialTaxPack } from "./packs.js";
import { RetentionError } from "./errors.js";

const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s);

describe("policy packs", () => {
  it("all load together, every rule has a citation", () => {
    const rules = combinePacks(POLICY_PACKS);
    expect(rules.length).toBe(8);
    for (const r of rules) expect(r.citation).toBeTruthy();
  });

  it("German pack: an invoice of 2025-03-15 is deletable from 2034-01-01 (DOMAIN.md E2)", () => {
    const inv = { id: "inv", recordType: "invoice", createdAt: d("2025-03-15") };
    const rules = GERMAN_COMMERCIAL_TAX_PACK.rules;
    expect(evaluateRecord(inv, { rules, now: d("2033-12-31T23:59:59Z") })).toMatchObject({ outcome: "keep", keepUntil: d("2034-01-01"), decidingRuleId: "DE-HGB-257-vouchers-8y" });
    expect(evaluateRecord(inv, { rules, now: d("2034-01-01") })).toMatchObject({ outcome: "delete", decidingRuleId: "DE-HGB-257-vouchers-8y" });
    expect(evaluateRecord({ ...inv, flags: { taxAssessmentOpen: true } }, { rules, now: d("2034-01-01") }).outcome).toBe("keep");
  });

  it("German pack: books 10 years, letters 6 years, both from the end of the calendar year", () => {
    const rules = GERMAN_COMMERCIAL_TAX_PACK.rules;
    expect(evaluateRecord({ id: "b", recordType: "ledger", createdAt: d("2025-12-31") }, { rules, now: d("2026-01-01") }).keepUntil).toEqual(d("2036-01-01"));
    expect(evaluateRecord({ id: "l", recordType: "business_letter", createdAt: d("2025-01-01") }, { rules, now: d("2026-01-01") }).keepUntil).toEqual(d("2032-01-01"));
  });

  it("German pack: 2016 vouchers became deletable in 2025 (10-year period not ended by 2025-01-01), later for BaFin entities", () => {
    const v = { id: "v", recordType: "voucher", createdAt: d("2016-06-01") };
    expect(evaluateRecord(v, { rules: GERMAN_COMMERCIAL_TAX_PACK.rules, now: d("2024-12-31") }).outcome).toBe("keep");
    expect(evaluateRecord(v, { rules: GERMAN_COMMERCIAL_TAX_PACK.rules, now: d("2025-01-01") }).outcome).toBe("delete");
    const bafin = germanCommercialTaxPack({ bafinSupervised: true }).rules;
    expect(evaluateRecord(v, { rules: bafin, now: d("2025-06-01") })).toMatchObject({ outcome: "keep", keepUntil: d("2027-01-01") });
    expect(evaluateRecord(v, { rules: bafin, now: d("2026-01-01") }).outcome).toBe("delete");
  });

  it("CCPA request records are kept 24 months, LGPD incidents 5 years", () => {
    const rec = { id: "r", recordType: "privacy_request_record", regimes: ["US-CA" as const], createdAt: d("2024-02-29") };
    expect(evaluateRecord(rec, { rules: CCPA_REQUEST_RECORDS_PACK.rules, now: d("2025-01-01") }).keepUntil).toEqual(d("2026-02-28"));
    const inc = { id: "i", recordType: "security_incident", regimes: ["BR" as const], createdAt: d("2025-05-05") };
    expect(evaluateRecord(inc, { rules: LGPD_INCIDENT_REGISTER_PACK.rules, now: d("2025-06-01") }).keepUntil).toEqual(d("2030-05-05"));
  });

  it("consent proof is kept while consent stands and deleted 3 years after the year of withdrawal", () => {
    const proof = { id: "p", recordType: "consent_event", categories: ["consent.proof"], regimes: ["EU" as const], createdAt: d("2020-01-01") };
    const rules = CONSENT_PROOF_PACK.rules;
    expect(evaluateRecord(proof, { rules, now: d("2040-01-01") }).reason).toBe("trigger-pending");
    const withdrawn = { ...proof, consentWithdrawnAt: d("2025-06-01") };
    expect(evaluateRecord(withdrawn, { rules, now: d("2028-12-31") }).keepUntil).toEqual(d("2029-01-01"));
    expect(evaluateRecord(withdrawn, { rules, now: d("2029-01-01") }).outcome).toBe("delete");
  });

  it("packs are frozen data and user rules join them with duplicate detection", () => {
    expect(Object.isFrozen(GERMAN_COMMERCIAL_TAX_PACK.rules)).toBe(true);
    expect(() => combinePacks([GERMAN_COMMERCIAL_TAX_PACK, GERMAN_COMMERCIAL_TAX_PACK])).toThrow(RetentionError);
  });
});
