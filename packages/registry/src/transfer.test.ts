import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { EEA_COUNTRIES, EU_ADEQUACY_LIST, UK_ADEQUACY_LIST, classifyDestination, type AdequacyList } from "./adequacy.js";
import { TransferMechanismSchema, checkTransfer } from "./transfer.js";
import { describeTransferMechanism } from "./describe.js";

const country = fc.stringMatching(/^[A-Z]{2}$/);
const lists: AdequacyList[] = [EU_ADEQUACY_LIST, UK_ADEQUACY_LIST];

describe("adequacy lists", () => {
  it("EU_ADEQUACY_LIST - the EEA is domestic, the UK and Switzerland adequate, the US only for DPF-certified recipients", () => {
    expect(EU_ADEQUACY_LIST.domestic).toHaveLength(30);
    for (const c of EEA_COUNTRIES) expect(classifyDestination(c, EU_ADEQUACY_LIST).status).toBe("domestic");
    expect(classifyDestination("GB", EU_ADEQUACY_LIST).status).toBe("adequate");
    expect(classifyDestination("CH", EU_ADEQUACY_LIST).status).toBe("adequate");
    expect(classifyDestination("US", EU_ADEQUACY_LIST)).toMatchObject({ status: "adequate_subset", entry: { requiresSubset: "DPF-certified" } });
    expect(classifyDestination("IN", EU_ADEQUACY_LIST).status).toBe("third_country");
    expect(Object.isFrozen(EU_ADEQUACY_LIST.entries[0])).toBe(true);
  });

  it("UK_ADEQUACY_LIST - the UK is domestic, the EEA adequate, the US only under the UK Extension", () => {
    expect(classifyDestination("GB", UK_ADEQUACY_LIST).status).toBe("domestic");
    expect(classifyDestination("DE", UK_ADEQUACY_LIST).status).toBe("adequate");
    expect(classifyDestination("US", UK_ADEQUACY_LIST)).toMatchObject({ status: "adequate_subset", entry: { requiresSubset: "UK-Extension" } });
  });

  it("checkTransfer - property: a mechanism is required exactly for destinations outside the regime that are not fully adequate", () => {
    fc.assert(
      fc.property(fc.constantFrom(...lists), fc.array(country, { minLength: 1, maxLength: 4 }), (list, countries) => {
        const issues = checkTransfer(countries, undefined, list);
        const needs = countries.some((c) => {
          const s = classifyDestination(c, list).status;
          return s === "third_country" || s === "adequate_subset";
        });
        expect(issues.length > 0).toBe(needs);
        for (const i of issues) expect(i.code).toBe("transfer_mechanism_required");
      }),
      { numRuns: 300 },
    );
  });

  it("checkTransfer - property: SCCs and BCRs satisfy any destination for either regime", () => {
    const scc = TransferMechanismSchema.parse({ kind: "scc", instrument: "2021/914", module: 2, tiaRef: "TIA-1" });
    const bcr = TransferMechanismSchema.parse({ kind: "bcr", approvalRef: "BCR-1" });
    fc.assert(
      fc.property(fc.constantFrom(...lists), fc.array(country, { maxLength: 4 }), fc.constantFrom(scc, bcr), (list, countries, m) => {
        expect(checkTransfer(countries, m, list)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("TransferMechanismSchema - refuses the old SCCs and a DPF listing that is not current", () => {
    expect(TransferMechanismSchema.safeParse({ kind: "scc", instrument: "2010/87/EU", module: 2, tiaRef: "x" }).success).toBe(false);
    const r = TransferMechanismSchema.safeParse({
      kind: "adequacy",
      decisionId: "(EU) 2023/1795",
      coversSubset: "DPF-certified",
      dpfCertification: { listed: false, checkedAt: "2026-01-01" },
      lastCheckedAt: "2026-01-01",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["dpfCertification.listed"]);
  });

  it("describeTransferMechanism - describes every kind", () => {
    const kinds = [
      { kind: "adequacy", decisionId: "2000/518/EC", lastCheckedAt: "2026-01-01" },
      { kind: "scc", instrument: "2021/914", module: 1, tiaRef: "T" },
      { kind: "bcr", approvalRef: "B" },
      { kind: "idta", reference: "I" },
      { kind: "uk_addendum", reference: "U" },
      { kind: "derogation", ground: "49.1.a", justification: "J" },
    ].map((m) => describeTransferMechanism(TransferMechanismSchema.parse(m)));
    expect(kinds).toEqual([
      "Adequacy decision 2000/518/EC",
      "Standard contractual clauses (Decision (EU) 2021/914), module 1 (controller to controller); transfer impact assessment T",
      "Binding corporate rules (approval B)",
      "UK International Data Transfer Agreement (I)",
      "UK Addendum to the EU standard contractual clauses (U)",
      "Derogation: explicit consent after being informed of the risks (Art. 49(1)(a))",
    ]);
  });
});
