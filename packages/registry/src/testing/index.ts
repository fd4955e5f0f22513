/**
 * `@lawful/registry/testing`: the contract suite every {@link RegistryStore} must pass, and the
 * realistic CRM fixture used by the package's own tests.
 * @module
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, createMemoryAuditSink, isLawfulError } from "@lawful/core";
import { createRegistry } from "../registry.js";
import type { ChangeNotice } from "../change-notice.js";
import type { DisclosureRecord } from "../disclosure.js";
import { PartyInputSchema, type PartyRecord } from "../party.js";
import type { RegistryStore } from "../store.js";
import { crmFixtureParties } from "./fixtures.js";

export {
  completeDpaFixture,
  createCrmFixtureRegistry,
  crmFixtureParties,
  crmFixturePurposes,
  crmFixtureRetentionRules,
  type CrmFixtureRegistry,
} from "./fixtures.js";

/**
 * Options of {@link describeRegistryStoreContract}.
 *
 * @example
 * ```ts
 * import type { RegistryStoreContractOptions } from "@lawful/registry/testing";
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * const o: RegistryStoreContractOptions = { name: "memory", create: () => createMemoryRegistryStore() };
 * ```
 */
export interface RegistryStoreContractOptions {
  /** Shown in the suite title. */
  name: string;
  /** A store to test; called once per test. Tests use unique tenant ids, so stores may share a database. */
  create: () => RegistryStore | Promise<RegistryStore>;
  /** Called before each test (e.g. to truncate tables). */
  reset?: (() => void | Promise<void>) | undefined;
  /** Called after the suite (e.g. to drop the database). */
  teardown?: (() => void | Promise<void>) | undefined;
  /** More tests for this store, registered inside the suite. */
  additionalTests?: ((getStore: () => RegistryStore) => void) | undefined;
}

const actor = { type: "staff" as const, id: "u_contract" };

function tenantId(): string {
  return `t-${randomBytes(5).toString("hex")}`;
}

function party(tenant: string, id: string, version: number, at: string, status: PartyRecord["status"] = "proposed"): PartyRecord {
  const data = PartyInputSchema.parse({ ...crmFixtureParties().hosting, id });
  return {
    tenantId: tenant,
    id,
    version,
    status,
    change: version === 1 ? "created" : "updated",
    recordedAt: new Date(at),
    recordedBy: actor,
    party: data,
  };
}

function notice(tenant: string, id: string, revision: number, partyId = "relay", at = "2026-02-01T00:00:00.000Z"): ChangeNotice {
  return {
    tenantId: tenant,
    id,
    revision,
    partyId,
    kind: "addition",
    proposedAt: new Date(at),
    proposedBy: actor,
    noticePeriodDays: 30,
    objectionDeadline: new Date(new Date(at).getTime() + 30 * 86_400_000),
    effectiveAt: new Date(new Date(at).getTime() + 30 * 86_400_000),
    status: "open",
    objections: [],
  };
}

function disclosure(tenant: string, id: string, pseudonym: string, recipientId: string, at: string): DisclosureRecord {
  return {
    tenantId: tenant,
    id,
    recipientId,
    subjectPseudonym: pseudonym,
    categories: ["contact.email"],
    occurredAt: new Date(at),
    recordedAt: new Date(at),
    origin: "direct",
    country: "IE",
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(isLawfulError(caught), `expected a LawfulError with code ${code}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

/**
 * Register the contract tests of a {@link RegistryStore} implementation with vitest. Test names
 * read `"<operation> - <expected behaviour>"`; capabilities decide what a store may skip.
 *
 * @example
 * ```ts
 * import { describeRegistryStoreContract } from "@lawful/registry/testing";
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * describeRegistryStoreContract({ name: "memory", create: () => createMemoryRegistryStore() });
 * ```
 */
export function describeRegistryStoreContract(options: RegistryStoreContractOptions): void {
  describe(`RegistryStore contract: ${options.name}`, () => {
    let store: RegistryStore;
    const opened: RegistryStore[] = [];
    beforeEach(async () => {
      await options.reset?.();
      store = await options.create();
      opened.push(store);
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await options.teardown?.();
    });

    it("appendPartyVersion - stores version 1 and returns it as the latest, with dates revived", async () => {
      const t = tenantId();
      await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
      const got = await store.getParty(t, "hosting");
      expect(got?.version).toBe(1);
      expect(got?.recordedAt).toBeInstanceOf(Date);
      expect(got?.recordedAt.toISOString()).toBe("2026-01-01T00:00:00.000Z");
      expect(got?.party.role).toBe("processor");
      const dpa = got?.party.role === "processor" ? got.party.dpa : undefined;
      expect(dpa?.signedAt).toBeInstanceOf(Date);
    });

    it("appendPartyVersion - refuses a version other than latest + 1 with CONFLICT", async () => {
      const t = tenantId();
      await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
      await expectCode(store.appendPartyVersion(party(t, "hosting", 1, "2026-01-02T00:00:00.000Z")), "CONFLICT");
      await expectCode(store.appendPartyVersion(party(t, "hosting", 3, "2026-01-02T00:00:00.000Z")), "CONFLICT");
      await expectCode(store.appendPartyVersion(party(t, "other", 2, "2026-01-02T00:00:00.000Z")), "CONFLICT");
    });

    it("appendPartyVersion - refuses an invalid record with VALIDATION_FAILED", async () => {
      const t = tenantId();
      const bad = { ...party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"), status: "unknown" } as unknown as PartyRecord;
      await expectCode(store.appendPartyVersion(bad), "VALIDATION_FAILED");
      expect(await store.getParty(t, "hosting")).toBeUndefined();
    });

    it("getParty - returns the latest version, a given version, or undefined", async () => {
      const t = tenantId();
      await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
      await store.appendPartyVersion(party(t, "hosting", 2, "2026-01-02T00:00:00.000Z", "active"));
      expect((await store.getParty(t, "hosting"))?.version).toBe(2);
      expect((await store.getParty(t, "hosting", 1))?.status).toBe("proposed");
      expect(await store.getParty(t, "hosting", 7)).toBeUndefined();
      expect(await store.getParty(t, "nobody")).toBeUndefined();
    });

    it("listParties - returns the latest version of each party of the tenant, ordered by id", async () => {
      const t = tenantId();
      const other = tenantId();
      await store.appendPartyVersion(party(t, "zeta", 1, "2026-01-01T00:00:00.000Z"));
      await store.appendPartyVersion(party(t, "alpha", 1, "2026-01-01T00:00:00.000Z"));
      await store.appendPartyVersion(party(t, "alpha", 2, "2026-01-03T00:00:00.000Z", "active"));
      await store.appendPartyVersion(party(other, "beta", 1, "2026-01-01T00:00:00.000Z"));
      const list = await store.listParties(t);
      expect(list.map((p) => [p.id, p.version])).toEqual([
        ["alpha", 2],
        ["zeta", 1],
      ]);
    });

    it("listPartyVersions - returns every version in recording order, per party or for the tenant", async () => {
      const t = tenantId();
      await store.appendPartyVersion(party(t, "b", 1, "2026-01-01T00:00:00.000Z"));
      await store.appendPartyVersion(party(t, "a", 1, "2026-01-02T00:00:00.000Z"));
      await store.appendPartyVersion(party(t, "b", 2, "2026-01-03T00:00:00.000Z"));
      expect((await store.listPartyVersions(t)).map((p) => `${p.id}@${p.version}`)).toEqual(["b@1", "a@1", "b@2"]);
      expect((await store.listPartyVersions(t, "b")).map((p) => p.version)).toEqual([1, 2]);
    });

    it("putChangeNotice - stores revision 1 and accepts only the next revision", async () => {
      const t = tenantId();
      await store.putChangeNotice(notice(t, "n1", 1));
      await expectCode(store.putChangeNotice(notice(t, "n1", 1)), "CONFLICT");
      await expectCode(store.putChangeNotice(notice(t, "n1", 3)), "CONFLICT");
      await expectCode(store.putChangeNotice(notice(t, "n2", 2)), "CONFLICT");
      const updated = { ...notice(t, "n1", 2), objections: [{ id: "o1", raisedAt: new Date("2026-02-03T00:00:00.000Z"), raisedBy: "customer-1", status: "open" as const }] };
      await store.putChangeNotice(updated);
      const got = await store.getChangeNotice(t, "n1");
      expect(got?.revision).toBe(2);
      expect(got?.objections[0]?.raisedAt).toBeInstanceOf(Date);
      expect(got?.objectionDeadline.toISOString()).toBe("2026-03-03T00:00:00.000Z");
    });

    it("listChangeNotices - returns the tenant's notices in proposal order, filtered by party", async () => {
      const t = tenantId();
      await store.putChangeNotice(notice(t, "n2", 1, "b", "2026-02-02T00:00:00.000Z"));
      await store.putChangeNotice(notice(t, "n1", 1, "a", "2026-02-01T00:00:00.000Z"));
      await store.putChangeNotice(notice(tenantId(), "n3", 1, "a", "2026-02-01T00:00:00.000Z"));
      expect((await store.listChangeNotices(t)).map((n) => n.id)).toEqual(["n1", "n2"]);
      expect((await store.listChangeNotices(t, { partyId: "b" })).map((n) => n.id)).toEqual(["n2"]);
      expect(await store.getChangeNotice(t, "n3")).toBeUndefined();
    });

    it("appendDisclosure - refuses a duplicate id with CONFLICT", async () => {
      const t = tenantId();
      await store.appendDisclosure(disclosure(t, "d1", "ps1_a", "mailer", "2026-01-01T00:00:00.000Z"));
      await expectCode(store.appendDisclosure(disclosure(t, "d1", "ps1_b", "mailer", "2026-01-02T00:00:00.000Z")), "CONFLICT");
      expect(await store.listDisclosures(t)).toHaveLength(1);
      expect((await store.getDisclosure(t, "d1"))?.subjectPseudonym).toBe("ps1_a");
      expect(await store.getDisclosure(tenantId(), "d1")).toBeUndefined();
    });

    it("listDisclosures - filters by subject, recipient and time range, oldest first, with a limit", async () => {
      const t = tenantId();
      await store.appendDisclosure(disclosure(t, "d3", "ps1_a", "mailer", "2026-01-03T00:00:00.000Z"));
      await store.appendDisclosure(disclosure(t, "d1", "ps1_a", "hosting", "2026-01-01T00:00:00.000Z"));
      await store.appendDisclosure(disclosure(t, "d2", "ps1_b", "mailer", "2026-01-02T00:00:00.000Z"));
      await store.appendDisclosure(disclosure(tenantId(), "d4", "ps1_a", "mailer", "2026-01-02T00:00:00.000Z"));
      expect((await store.listDisclosures(t, { subjectPseudonym: "ps1_a" })).map((d) => d.id)).toEqual(["d1", "d3"]);
      expect((await store.listDisclosures(t, { recipientId: "mailer" })).map((d) => d.id)).toEqual(["d2", "d3"]);
      expect(
        (await store.listDisclosures(t, { from: new Date("2026-01-02T00:00:00.000Z"), to: new Date("2026-01-03T00:00:00.000Z") })).map((d) => d.id),
      ).toEqual(["d2"]);
      expect((await store.listDisclosures(t, { limit: 2 })).map((d) => d.id)).toEqual(["d1", "d2"]);
      const [first] = await store.listDisclosures(t);
      expect(first?.occurredAt).toBeInstanceOf(Date);
      expect(first?.categories).toEqual(["contact.email"]);
    });

    it("transaction - rolls back every write when the function throws", async () => {
      if (!store.capabilities.atomicTransactions) return; // the store declares it cannot roll back
      const t = tenantId();
      await expect(
        store.transaction(async () => {
          await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
          await store.putChangeNotice(notice(t, "n1", 1));
          await store.appendDisclosure(disclosure(t, "d1", "ps1_a", "hosting", "2026-01-01T00:00:00.000Z"));
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.getParty(t, "hosting")).toBeUndefined();
      expect(await store.getChangeNotice(t, "n1")).toBeUndefined();
      expect(await store.listDisclosures(t)).toEqual([]);
    });

    it("transaction - commits writes and returns the function's value; nested calls join", async () => {
      const t = tenantId();
      const value = await store.transaction(async () => {
        await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
        return store.transaction(async () => {
          await store.appendPartyVersion(party(t, "hosting", 2, "2026-01-02T00:00:00.000Z"));
          return 42;
        });
      });
      expect(value).toBe(42);
      expect((await store.getParty(t, "hosting"))?.version).toBe(2);
    });

    it("appendPartyVersion - concurrent appends of the same version: exactly one wins", async () => {
      const t = tenantId();
      await store.appendPartyVersion(party(t, "hosting", 1, "2026-01-01T00:00:00.000Z"));
      const results = await Promise.allSettled([
        store.appendPartyVersion(party(t, "hosting", 2, "2026-01-02T00:00:00.000Z")),
        store.appendPartyVersion(party(t, "hosting", 2, "2026-01-02T00:00:01.000Z")),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect((await store.listPartyVersions(t, "hosting")).map((p) => p.version)).toEqual([1, 2]);
    });

    it("close - is idempotent and later calls throw STORE_CLOSED", async () => {
      const s = await options.create();
      opened.push(s);
      await s.close();
      await s.close();
      await expectCode(s.listParties(tenantId()), "STORE_CLOSED");
    });

    it("createRegistry - a failing audit sink leaves nothing written in this store", async () => {
      if (!store.capabilities.atomicTransactions) return; // the store declares it cannot roll back
      const t = tenantId();
      const failing = { record: () => Promise.reject(new Error("sink down")), recordMany: () => Promise.reject(new Error("sink down")) };
      const registry = createRegistry({ store, audit: failing });
      await expect(registry.createParty(t, crmFixtureParties().hosting, { actor })).rejects.toThrow("sink down");
      expect(await store.listPartyVersions(t)).toEqual([]);
    });

    it("createRegistry - the CRM fixture flows through this store: rules, notices, history, disclosures", async () => {
      const t = tenantId();
      const clock = createManualClock("2026-02-01T09:00:00.000Z");
      const audit = createMemoryAuditSink();
      const registry = createRegistry({ store, audit, clock });
      const p = crmFixtureParties();
      for (const x of [p.hosting, p.mailer, p.analytics, p.visitorId]) {
        await registry.createParty(t, x, { actor });
        await registry.activateParty(t, x.id, { actor });
      }
      await registry.createParty(t, p.relay, { actor });
      const n = await registry.proposeChange(t, { partyId: "relay", kind: "addition" }, { actor });
      const withObjection = await registry.raiseObjection(t, n.id, { raisedBy: "customer-1" }, { actor });
      clock.advance({ days: 31 });
      const blocked = await registry.checkActivation(t, "relay");
      expect(blocked.issues.map((i) => i.code)).toEqual(["objection_open"]);
      await registry.closeObjection(t, n.id, withObjection.objections[0]!.id, { status: "resolved" }, { actor });
      await registry.activateParty(t, "relay", { actor });
      expect((await registry.getChangeNotice(t, n.id))?.status).toBe("completed");
      expect((await registry.getPartyHistory(t, "relay")).map((v) => v.status)).toEqual(["proposed", "active"]);
      expect((await registry.listParties(t, { status: "active" })).map((x) => x.id)).toEqual(["analytics", "hosting", "mailer", "relay", "visitor-id"]);
      await registry.recordDisclosure(t, { recipientId: "analytics", subjectPseudonym: "ps1_s", categories: ["online.ip_address"] }, { actor });
      const recipients = await registry.recipientsForSubject(t, { subjectPseudonym: "ps1_s" });
      expect(recipients.map((r) => [r.recipient.id, r.thirdCountry])).toEqual([["analytics", true]]);
      expect((await registry.changeFeed(t)).length).toBe(6);
      expect(audit.events.length).toBe(15);
    });

    options.additionalTests?.(() => store);
  });
}
