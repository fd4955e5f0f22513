import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { createManualClock, createMemoryAuditSink, isLawfulError, type LawfulError } from "@lawful/core";
import { createRegistry } from "./registry.js";
import { createMemoryRegistryStore } from "./stores/memory.js";
import { completeDpaFixture, crmFixtureParties } from "./testing/fixtures.js";
import { EU_ADEQUACY_LIST, UK_ADEQUACY_LIST, defineAdequacyList } from "./adequacy.js";
import type { PartyInput } from "./party.js";
import { RegistryError } from "./errors.js";

const actor = { type: "staff" as const, id: "u_1" };
const T = "acme";

function setup(options: { regime?: "EU" | "UK"; start?: string } = {}) {
  const clock = createManualClock(options.start ?? "2026-02-01T09:00:00.000Z");
  const audit = createMemoryAuditSink();
  const store = createMemoryRegistryStore();
  const registry = createRegistry({ store, audit, clock, ...(options.regime ? { regime: options.regime } : {}) });
  return { clock, audit, store, registry };
}

async function caught(p: Promise<unknown>): Promise<LawfulError> {
  try {
    await p;
  } catch (e) {
    if (isLawfulError(e)) return e;
    throw e;
  }
  throw new Error("expected a LawfulError");
}

const codes = (e: LawfulError) => e.issues.map((i) => i.code);
const paths = (e: LawfulError) => e.issues.map((i) => i.path.join("."));

describe("party validation", () => {
  it("createParty - refuses an invalid party listing every problem at once", async () => {
    const { registry, audit } = setup();
    const bad = {
      id: "Bad Id",
      role: "processor",
      legalName: "",
      address: { lines: [], locality: "X", country: "Germany" },
      contact: { email: "not-an-email", url: "javascript:alert(1)" },
      country: "IN",
      services: [],
      dataCategories: ["Contact Email"],
      purposes: ["crm"],
      subjectCategories: ["customers"],
    } as unknown as PartyInput;
    const e = await caught(registry.createParty(T, bad, { actor }));
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.name).toBe("RegistryError");
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(paths(e)).toEqual(
      expect.arrayContaining(["id", "legalName", "address.lines", "address.country", "contact.email", "contact.url", "services", "dataCategories.0", "transfer"]),
    );
    expect(codes(e)).toContain("transfer_mechanism_required");
    expect(e.message).not.toContain("not-an-email");
    expect(audit.events).toHaveLength(0);
    expect(await registry.listParties(T)).toEqual([]);
  });

  it("createParty - a recipient in a third country without a mechanism is invalid", async () => {
    const { registry } = setup();
    const { relay, hosting } = crmFixtureParties();
    await registry.createParty(T, { ...hosting, id: "mailer" }, { actor });
    const noMechanism = { ...relay };
    delete (noMechanism as { transfer?: unknown }).transfer;
    const e = await caught(registry.createParty(T, noMechanism, { actor }));
    expect(codes(e)).toEqual(["transfer_mechanism_required"]);
  });

  it("createParty - a processing location in a third country also needs a mechanism", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    const e = await caught(registry.createParty(T, { ...hosting, processingLocations: ["IN"] }, { actor }));
    expect(codes(e)).toEqual(["transfer_mechanism_required"]);
  });

  it("createParty - an EEA or fully adequate destination needs no mechanism", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    await registry.createParty(T, hosting, { actor });
    const ch = await registry.createParty(T, { ...hosting, id: "swiss", country: "CH", address: { ...hosting.address, country: "CH" } }, { actor });
    expect(ch.status).toBe("proposed");
  });

  it("createParty - a US recipient under adequacy needs the DPF subset and a listing check", async () => {
    const { registry } = setup();
    const { analytics } = crmFixtureParties();
    const e = await caught(
      registry.createParty(T, { ...analytics, transfer: { kind: "adequacy", decisionId: "(EU) 2023/1795", lastCheckedAt: "2026-01-05" } }, { actor }),
    );
    expect(codes(e).sort()).toEqual(["dpf_certification_required", "subset_required"]);
    const ok = await registry.createParty(T, analytics, { actor });
    expect(ok.party.transfer?.kind).toBe("adequacy");
  });

  it("createParty - adequacy claimed for a country without a decision is refused", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    const e = await caught(
      registry.createParty(T, { ...hosting, country: "IN", transfer: { kind: "adequacy", decisionId: "none", lastCheckedAt: "2026-01-05" } }, { actor }),
    );
    expect(codes(e)).toEqual(["not_adequate"]);
  });

  it("createParty - SCCs need the 2021/914 instrument, a module 1-4 and a TIA reference", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    const e = await caught(
      registry.createParty(T, { ...hosting, country: "IN", transfer: { kind: "scc", instrument: "2010/87", module: 5, tiaRef: "" } } as unknown as PartyInput, { actor }),
    );
    expect(paths(e).sort()).toEqual(["transfer.instrument", "transfer.module", "transfer.tiaRef"]);
  });

  it("createParty - an Art. 49(1) second-subparagraph derogation needs safeguards, SA notice and subject information", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    const e = await caught(
      registry.createParty(T, { ...hosting, country: "IN", transfer: { kind: "derogation", ground: "49.1.2", justification: "One-off legal dispute support" } }, { actor }),
    );
    expect(paths(e).sort()).toEqual(["transfer.saNotifiedAt", "transfer.safeguards", "transfer.subjectInformedAt"]);
    const ok = await registry.createParty(
      T,
      {
        ...hosting,
        country: "IN",
        transfer: {
          kind: "derogation",
          ground: "49.1.2",
          justification: "One-off legal dispute support",
          safeguards: "Pseudonymised extract, deletion after 30 days",
          saNotifiedAt: "2026-01-20",
          subjectInformedAt: "2026-01-21",
        },
      },
      { actor },
    );
    expect(ok.party.transfer?.kind).toBe("derogation");
  });

  it("createParty - IDTA and UK Addendum are refused for an EU exporter and accepted for a UK one", async () => {
    const { hosting } = crmFixtureParties();
    const party: PartyInput = { ...hosting, country: "IN", transfer: { kind: "idta", reference: "IDTA-1" } };
    const eu = setup();
    expect(codes(await caught(eu.registry.createParty(T, party, { actor })))).toEqual(["wrong_regime"]);
    const uk = setup({ regime: "UK" });
    expect((await uk.registry.createParty(T, party, { actor })).party.transfer?.kind).toBe("idta");
    expect(uk.registry.adequacy).toBe(UK_ADEQUACY_LIST);
  });

  it("createParty - a UK exporter relying on the data bridge needs the UK Extension", async () => {
    const { analytics } = crmFixtureParties();
    const uk = setup({ regime: "UK" });
    const e = await caught(uk.registry.createParty(T, analytics, { actor }));
    expect(codes(e).sort()).toEqual(["subset_required", "uk_extension_required"]);
    const ok = await uk.registry.createParty(
      T,
      {
        ...analytics,
        transfer: { kind: "adequacy", decisionId: "SI 2023/1028", coversSubset: "UK-Extension", dpfCertification: { listed: true, ukExtension: true, checkedAt: "2026-01-05" }, lastCheckedAt: "2026-01-05" },
      },
      { actor },
    );
    expect(ok.status).toBe("proposed");
  });

  it("createRegistry - the adequacy list is configurable data with its source and date", async () => {
    const list = defineAdequacyList({ ...EU_ADEQUACY_LIST, asOf: "2026-06-01", entries: [...EU_ADEQUACY_LIST.entries, { country: "BR", decisionId: "(EU) 2026/0000" }] });
    expect(Object.isFrozen(list)).toBe(true);
    const registry = createRegistry({ store: createMemoryRegistryStore(), audit: createMemoryAuditSink(), adequacy: list });
    const { hosting } = crmFixtureParties();
    await registry.createParty(T, { ...hosting, country: "BR" }, { actor });
    expect(EU_ADEQUACY_LIST.source).toMatch(/^https:\/\/commission\.europa\.eu\//);
    expect(() => defineAdequacyList({ ...EU_ADEQUACY_LIST, asOf: "yesterday", source: "nope" })).toThrow(RegistryError);
    expect(() => createRegistry({ store: createMemoryRegistryStore(), audit: createMemoryAuditSink(), regime: "UK", adequacy: EU_ADEQUACY_LIST })).toThrow(/regime/);
  });

  it("createParty - a sub-processor's parent must exist and be a processor; under general authorisation a notice period is required", async () => {
    const { registry } = setup();
    const { relay, visitorId } = crmFixtureParties();
    const e1 = await caught(registry.createParty(T, relay, { actor }));
    expect(codes(e1)).toEqual(["parent_missing"]);
    await registry.createParty(T, { ...visitorId, id: "mailer" }, { actor });
    const withoutPeriod = { ...relay };
    delete (withoutPeriod as { noticePeriodDays?: unknown }).noticePeriodDays;
    const e2 = await caught(registry.createParty(T, withoutPeriod, { actor }));
    expect(codes(e2).sort()).toEqual(["custom", "parent_not_processor"]);
    expect(paths(e2)).toContain("noticePeriodDays");
  });

  it("createParty - refuses a duplicate id with CONFLICT", async () => {
    const { registry } = setup();
    const { hosting } = crmFixtureParties();
    await registry.createParty(T, hosting, { actor });
    expect((await caught(registry.createParty(T, hosting, { actor }))).code).toBe("CONFLICT");
  });
});

async function withMailer(s: ReturnType<typeof setup>, agreedNoticeDays = 30) {
  const { mailer, relay } = crmFixtureParties();
  await s.registry.createParty(T, mailer, { actor });
  await s.registry.activateParty(T, "mailer", { actor });
  await s.registry.createParty(T, { ...relay, noticePeriodDays: agreedNoticeDays }, { actor });
}

describe("activation rules", () => {
  it("activateParty - a processor with an incomplete DPA checklist cannot become active", async () => {
    const s = setup();
    const { hosting } = crmFixtureParties();
    await s.registry.createParty(
      T,
      { ...hosting, dpa: completeDpaFixture({ dataTypes: hosting.dataCategories, checklist: { a: true, b: true, c: false, d: true, e: true, f: true, g: false, h: true } }) },
      { actor },
    );
    const e = await caught(s.registry.activateParty(T, "hosting", { actor }));
    expect(e.code).toBe("POLICY_VIOLATION");
    expect(paths(e).sort()).toEqual(["dpa.checklist.c", "dpa.checklist.g"]);
    expect((await s.registry.getParty(T, "hosting"))?.status).toBe("proposed");
  });

  it("activateParty - a processor without a DPA or with missing preamble fields cannot become active", async () => {
    const s = setup();
    const { hosting } = crmFixtureParties();
    const noDpa = { ...hosting };
    delete (noDpa as { dpa?: unknown }).dpa;
    await s.registry.createParty(T, noDpa, { actor });
    expect(codes(await caught(s.registry.activateParty(T, "hosting", { actor })))).toEqual(["dpa_required"]);
    await s.registry.updateParty(T, "hosting", { ...hosting, dpa: { checklist: completeDpaFixture().checklist } }, { actor });
    const e = await caught(s.registry.activateParty(T, "hosting", { actor }));
    expect(paths(e).sort()).toEqual(["dpa.dataTypes", "dpa.duration", "dpa.natureAndPurpose", "dpa.reference", "dpa.signedAt", "dpa.subjectCategories", "dpa.subjectMatter"]);
    await s.registry.updateParty(T, "hosting", hosting, { actor });
    expect((await s.registry.activateParty(T, "hosting", { actor })).status).toBe("active");
  });

  it("activateParty - the DPA must cover every data category the processor receives", async () => {
    const s = setup();
    const { mailer } = crmFixtureParties();
    await s.registry.createParty(T, { ...mailer, dpa: completeDpaFixture({ dataTypes: ["contact"] }) }, { actor });
    const e = await caught(s.registry.activateParty(T, "mailer", { actor }));
    expect(e.issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["dpa_scope_missing", "dataCategories.1"],
      ["dpa_scope_missing", "dataCategories.2"],
    ]);
  });

  it("activateParty - a sub-processor under general authorisation needs a change notice", async () => {
    const s = setup();
    await withMailer(s);
    const check = await s.registry.checkActivation(T, "relay");
    expect(check.allowed).toBe(false);
    expect(check.issues.map((i) => i.code)).toEqual(["change_notice_required"]);
  });

  it("activateParty - blocked before the objection deadline, allowed after it", async () => {
    const s = setup();
    await withMailer(s);
    const notice = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition" }, { actor });
    expect(notice.noticePeriodDays).toBe(30);
    expect(notice.objectionDeadline.toISOString()).toBe("2026-03-03T09:00:00.000Z");
    s.clock.advance({ days: 29 });
    const e = await caught(s.registry.activateParty(T, "relay", { actor }));
    expect(e.code).toBe("POLICY_VIOLATION");
    expect(codes(e).sort()).toEqual(["effective_date_not_reached", "objection_deadline_not_reached"]);
    s.clock.advance({ days: 1 });
    const active = await s.registry.activateParty(T, "relay", { actor });
    expect(active.status).toBe("active");
    expect((await s.registry.getChangeNotice(T, notice.id))?.status).toBe("completed");
  });

  it("activateParty - blocked while an objection is open, allowed once it is withdrawn", async () => {
    const s = setup();
    await withMailer(s, 0);
    const notice = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: 14 }, { actor });
    s.clock.advance({ days: 3 });
    const withObjection = await s.registry.raiseObjection(T, notice.id, { raisedBy: "customer-42", reason: "US transfer" }, { actor });
    const objection = withObjection.objections[0]!;
    s.clock.advance({ days: 20 });
    const e = await caught(s.registry.activateParty(T, "relay", { actor }));
    expect(codes(e)).toEqual(["objection_open"]);
    await s.registry.closeObjection(T, notice.id, objection.id, { status: "withdrawn", resolution: "Customer accepted SCC module 3" }, { actor });
    expect((await s.registry.activateParty(T, "relay", { actor })).status).toBe("active");
  });

  it("activateParty - an upheld objection rejects the change and blocks activation for good", async () => {
    const s = setup();
    await withMailer(s, 0);
    const notice = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: 10 }, { actor });
    const n = await s.registry.raiseObjection(T, notice.id, { raisedBy: "customer-7" }, { actor });
    const closed = await s.registry.closeObjection(T, notice.id, n.objections[0]!.id, { status: "upheld" }, { actor });
    expect(closed.status).toBe("rejected");
    s.clock.advance({ days: 30 });
    expect(codes(await caught(s.registry.activateParty(T, "relay", { actor })))).toEqual(["objection_upheld"]);
  });

  it("raiseObjection - refused after the objection deadline", async () => {
    const s = setup();
    await withMailer(s, 0);
    const notice = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: 5 }, { actor });
    s.clock.advance({ days: 5, ms: 1 });
    const e = await caught(s.registry.raiseObjection(T, notice.id, { raisedBy: "late" }, { actor }));
    expect(e.code).toBe("POLICY_VIOLATION");
  });

  it("proposeChange - the notice period may not be shorter than the one agreed for the sub-processor", async () => {
    const s = setup();
    await withMailer(s, 30);
    const e = await caught(s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: 29 }, { actor }));
    expect(paths(e)).toEqual(["noticePeriodDays"]);
    expect((await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: 45 }, { actor })).noticePeriodDays).toBe(45);
  });

  it("proposeChange - the effective date may not precede the objection deadline; only one open notice per party", async () => {
    const s = setup();
    await withMailer(s);
    const e = await caught(s.registry.proposeChange(T, { partyId: "relay", kind: "addition", effectiveAt: "2026-02-10T00:00:00Z" }, { actor }));
    expect(paths(e)).toEqual(["effectiveAt"]);
    const n = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", effectiveAt: "2026-04-01T00:00:00Z" }, { actor });
    expect((await caught(s.registry.proposeChange(T, { partyId: "relay", kind: "addition" }, { actor }))).code).toBe("CONFLICT");
    await s.registry.withdrawChange(T, n.id, { actor });
    expect((await s.registry.getChangeNotice(T, n.id))?.status).toBe("withdrawn");
  });

  it("activateParty - a sub-processor needs an active parent and, under specific authorisation, a recorded authorisation", async () => {
    const s = setup();
    const { mailer, relay } = crmFixtureParties();
    await s.registry.createParty(T, mailer, { actor });
    await s.registry.createParty(T, { ...relay, authorisationType: "specific" }, { actor });
    const check = await s.registry.checkActivation(T, "relay");
    expect(check.issues.map((i) => i.code).sort()).toEqual(["parent_not_active", "specific_authorisation_required"]);
    await s.registry.activateParty(T, "mailer", { actor });
    await s.registry.updateParty(T, "relay", { ...relay, authorisationType: "specific", specificAuthorisation: { authorisedAt: "2026-01-30", reference: "AUTH-9" } }, { actor });
    expect((await s.registry.activateParty(T, "relay", { actor })).status).toBe("active");
  });

  it("activateParty - a stale DPF listing check blocks activation", async () => {
    const s = setup({ start: "2027-06-01T00:00:00Z" });
    const { analytics } = crmFixtureParties();
    await s.registry.createParty(T, analytics, { actor });
    expect(codes(await caught(s.registry.activateParty(T, "analytics", { actor })))).toEqual(["dpf_check_stale"]);
  });

  it("updateParty - an active processor cannot lose its complete DPA", async () => {
    const s = setup();
    const { hosting } = crmFixtureParties();
    await s.registry.createParty(T, hosting, { actor });
    await s.registry.activateParty(T, "hosting", { actor });
    const e = await caught(s.registry.updateParty(T, "hosting", { ...hosting, dpa: completeDpaFixture({ dataTypes: hosting.dataCategories, checklist: { ...completeDpaFixture().checklist, h: false } }) }, { actor }));
    expect(e.code).toBe("POLICY_VIOLATION");
    expect(paths(e)).toEqual(["dpa.checklist.h"]);
  });

  it("retireParty - refused while active sub-processors depend on the processor", async () => {
    const s = setup();
    const { mailer, relay } = crmFixtureParties();
    await s.registry.createParty(T, mailer, { actor });
    await s.registry.activateParty(T, "mailer", { actor });
    await s.registry.createParty(T, { ...relay, authorisationType: "specific", specificAuthorisation: { authorisedAt: "2026-01-30", reference: "A" } }, { actor });
    await s.registry.activateParty(T, "relay", { actor });
    expect((await caught(s.registry.retireParty(T, "mailer", { actor }))).code).toBe("POLICY_VIOLATION");
    await s.registry.retireParty(T, "relay", { actor });
    expect((await s.registry.retireParty(T, "mailer", { actor })).status).toBe("retired");
    expect((await caught(s.registry.retireParty(T, "mailer", { actor }))).code).toBe("ILLEGAL_TRANSITION");
    expect((await caught(s.registry.updateParty(T, "mailer", mailer, { actor }))).code).toBe("ILLEGAL_TRANSITION");
  });

  it("activateParty - property: allowed exactly when the deadline has passed and no objection is open", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 90 }),
        fc.option(fc.constantFrom<"open" | "withdrawn" | "resolved" | "upheld">("open", "withdrawn", "resolved", "upheld"), { nil: undefined }),
        async (period, waitDays, objection) => {
          const s = setup();
          await withMailer(s, 0);
          const n = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition", noticePeriodDays: period }, { actor });
          if (objection) {
            const withO = await s.registry.raiseObjection(T, n.id, { raisedBy: "c1" }, { actor });
            if (objection !== "open") await s.registry.closeObjection(T, n.id, withO.objections[0]!.id, { status: objection }, { actor });
          }
          s.clock.advance({ days: waitDays });
          const check = await s.registry.checkActivation(T, "relay");
          expect(check.allowed).toBe(waitDays >= period && (objection === undefined || objection === "withdrawn" || objection === "resolved"));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("history and audit", () => {
  it("every change appends a version and writes a registry.* audit event", async () => {
    const s = setup();
    const { mailer, relay } = crmFixtureParties();
    await s.registry.createParty(T, mailer, { actor, reason: "Onboarding" });
    s.clock.advance({ hours: 1 });
    await s.registry.updateParty(T, "mailer", { ...mailer, services: ["E-mail delivery"] }, { actor });
    await s.registry.activateParty(T, "mailer", { actor });
    await s.registry.createParty(T, relay, { actor });
    const n = await s.registry.proposeChange(T, { partyId: "relay", kind: "addition" }, { actor });
    const o = await s.registry.raiseObjection(T, n.id, { raisedBy: "customer-1" }, { actor });
    await s.registry.closeObjection(T, n.id, o.objections[0]!.id, { status: "resolved" }, { actor });
    s.clock.advance({ days: 31 });
    await s.registry.activateParty(T, "relay", { actor });
    await s.registry.retireParty(T, "relay", { actor });

    const history = await s.registry.getPartyHistory(T, "mailer");
    expect(history.map((h) => [h.version, h.change, h.status])).toEqual([
      [1, "created", "proposed"],
      [2, "updated", "proposed"],
      [3, "activated", "active"],
    ]);
    expect(history[0]?.reason).toBe("Onboarding");
    expect(history[1]?.reason).toBeUndefined();
    expect(history[0]?.party.services).toHaveLength(2);
    expect(history[2]?.effectiveFrom?.toISOString()).toBe("2026-02-01T10:00:00.000Z");

    expect(s.audit.events.map((e) => e.action)).toEqual([
      "registry.party_created",
      "registry.party_updated",
      "registry.party_activated",
      "registry.party_created",
      "registry.change_proposed",
      "registry.objection_raised",
      "registry.objection_closed",
      "registry.party_activated",
      "registry.change_completed",
      "registry.party_retired",
    ]);
    for (const e of s.audit.events) {
      expect(e.tenantId).toBe(T);
      expect(e.actor).toEqual(actor);
      expect(JSON.stringify(e)).not.toMatch(/@|Onboarding/);
    }
    const chain = await s.registry.getChain(T, "relay");
    expect(chain.map((c) => c.id)).toEqual(["relay", "mailer"]);
  });

  it("a failing audit sink leaves nothing written", async () => {
    const store = createMemoryRegistryStore();
    const failing = { record: () => Promise.reject(new Error("sink down")), recordMany: () => Promise.reject(new Error("sink down")) };
    const registry = createRegistry({ store, audit: failing });
    await expect(registry.createParty(T, crmFixtureParties().hosting, { actor })).rejects.toThrow("sink down");
    expect(await registry.listParties(T)).toEqual([]);
  });

  it("createRegistry - refuses invalid options with INVALID_CONFIGURATION", () => {
    expect(() => createRegistry({ store: {} as never, audit: createMemoryAuditSink() })).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }) as Error);
  });
});

describe("chain and reviews", () => {
  it("getProcessorTree - lists each processor with its sub-processors down the chain", async () => {
    const s = setup();
    const { mailer, relay, hosting } = crmFixtureParties();
    await s.registry.createParty(T, mailer, { actor });
    await s.registry.createParty(T, hosting, { actor });
    await s.registry.createParty(T, relay, { actor });
    await s.registry.createParty(T, { ...relay, id: "relay-backup", parentId: "relay", legalName: "Backup Relay Inc." }, { actor });
    const tree = await s.registry.getProcessorTree(T);
    const shape = (n: { party: { id: string }; subprocessors: readonly unknown[] }): unknown => [n.party.id, (n.subprocessors as (typeof n)[]).map(shape)];
    expect(tree.map(shape)).toEqual([
      ["hosting", []],
      ["mailer", [["relay", [["relay-backup", []]]]]],
    ]);
    expect((await s.registry.getChain(T, "relay-backup")).map((p) => p.id)).toEqual(["relay-backup", "relay", "mailer"]);
  });

  it("reviewActiveParties - flags active parties whose DPF listing check has gone stale", async () => {
    const s = setup();
    const { analytics, hosting } = crmFixtureParties();
    for (const p of [analytics, hosting]) {
      await s.registry.createParty(T, p, { actor });
      await s.registry.activateParty(T, p.id, { actor });
    }
    expect(await s.registry.reviewActiveParties(T)).toEqual([]);
    s.clock.advance({ days: 400 });
    const review = await s.registry.reviewActiveParties(T);
    expect(review.map((r) => [r.partyId, r.issues.map((i) => i.code)])).toEqual([["analytics", ["dpf_check_stale"]]]);
  });
});

describe("updates", () => {
  it("updateParty - refuses a changed id or role together with every other problem", async () => {
    const s = setup();
    const { hosting, visitorId } = crmFixtureParties();
    await s.registry.createParty(T, hosting, { actor });
    const e = await caught(s.registry.updateParty(T, "hosting", { ...visitorId, id: "other", services: [] }, { actor }));
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(paths(e).sort()).toEqual(["id", "role", "services"]);
    expect((await s.registry.getPartyHistory(T, "hosting")).length).toBe(1);
    expect((await caught(s.registry.updateParty(T, "nobody", hosting, { actor }))).code).toBe("NOT_FOUND");
  });
});
