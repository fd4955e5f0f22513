import type { TransferMechanism } from "./transfer.js";

const GROUNDS: Record<string, string> = {
  "49.1.a": "explicit consent after being informed of the risks (Art. 49(1)(a))",
  "49.1.b": "performance of a contract with the data subject (Art. 49(1)(b))",
  "49.1.c": "contract concluded in the data subject's interest (Art. 49(1)(c))",
  "49.1.d": "important reasons of public interest (Art. 49(1)(d))",
  "49.1.e": "establishment, exercise or defence of legal claims (Art. 49(1)(e))",
  "49.1.f": "vital interests (Art. 49(1)(f))",
  "49.1.g": "transfer from a public register (Art. 49(1)(g))",
  "49.1.2": "compelling legitimate interests (Art. 49(1) second subparagraph)",
};

/**
 * A short human description of a transfer mechanism, for public lists, feeds and records of processing.
 *
 * @example
 * ```ts
 * import { describeTransferMechanism } from "@lawful/registry";
 * describeTransferMechanism({ kind: "scc", instrument: "2021/914", module: 3, tiaRef: "TIA-1" });
 * // "Standard contractual clauses (Decision (EU) 2021/914), module 3 (processor to processor); transfer impact assessment TIA-1"
 * ```
 */
export function describeTransferMechanism(m: TransferMechanism): string {
  switch (m.kind) {
    case "adequacy":
      return `Adequacy decision ${m.decisionId}${m.coversSubset === "DPF-certified" ? " (EU-US Data Privacy Framework, recipient certified)" : m.coversSubset === "UK-Extension" ? " (UK Extension to the Data Privacy Framework, recipient certified)" : ""}`;
    case "scc": {
      const modules = { 1: "controller to controller", 2: "controller to processor", 3: "processor to processor", 4: "processor to controller" } as const;
      return `Standard contractual clauses (Decision (EU) 2021/914), module ${m.module} (${modules[m.module]}); transfer impact assessment ${m.tiaRef}`;
    }
    case "bcr":
      return `Binding corporate rules (approval ${m.approvalRef})`;
    case "idta":
      return `UK International Data Transfer Agreement (${m.reference})`;
    case "uk_addendum":
      return `UK Addendum to the EU standard contractual clauses (${m.reference})`;
    case "derogation":
      return `Derogation: ${GROUNDS[m.ground] ?? m.ground}`;
  }
}
