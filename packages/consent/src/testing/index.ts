import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { projectConsentState, type ConsentState } from "../decision.js";
import { ADA, makeService, seed } from "../internal/test-fixtures.js";
import type { ConsentEvent, Notice, Purpose } from "../model.js";
import type { ConsentStore } from "../store.js";

/**
 * Options of {@link describeConsentStoreContract}.
 *
 * @example
 * ```ts
 * import type { ConsentStoreContractOptions } from "@lawful/consent/testing";
 * import { createMemoryConsentStore } from "@lawful/consent/memory";
 * const o: ConsentStoreContractOptions = { name: "memory", create: () => createMemoryConsentStore() };
 * ```
 */
export interface ConsentStoreContractOptions {
  /** Label of the `describe` block. */
  name: string;
  /** A new (or shared) store; tests use unique tenant ids, so a shared database is fine. */
  create: () => ConsentStore | Promise<ConsentStore>;
  /** Called after each test with the store it used (e.g. to close a connection). @default store.close() */
  reset?: ((store: ConsentStore) => void | Promise<void>) | undefined;
  /** Extra tests of your own, run inside the same `describe`. */
  additionalTests?: ((create: () => Promise<ConsentStore>) => void) | undefined;
}

const tenant = (): string => `t-${randomBytes(6).toString("hex")}`;

function event(tenantId: string, id: string, over: Partial<ConsentEvent> = {}): ConsentEvent {
  return {
    id,
    tenantId,
    subjectPseudonym: "ps1_subject-a",
    purposeId: "newsletter",
    type: "given",
    method: "checkbox_checked",
    basis: { type: "gdpr_consent" },
    regime: "EU",
    notice: { noticeId: "signup", version: 1, contentSha256: "a".repeat(64), locale: "en" },
    evidence: { collectionPoint: "form", defaultState: "unchecked" },
    sealedEvidence: null,
    evidenceKeyId: null,
    occurredAt: new Date("2025-03-05T10:00:00.000Z"),
    recordedAt: new Date("2025-03-05T10:00:01.000Z"),
    expiresAt: null,
    actor: { type: "subject", id: "ps1_subject-a" },
    correlationId: null,
    relatedEventId: null,
    ...over,
  };
}

function state(tenantId: string, purposeKey: string, over: Partial<ConsentState> = {}): ConsentState {
  return {
    tenantId,
    subjectPseudonym: "ps1_subject-a",
    purposeKey,
    status: "granted",
    basis: "gdpr_consent",
    eventId: "e1",
    since: new Date("2025-03-05T10:00:00.000Z"),
    until: null,
    asOf: new Date("2025-03-05T10:00:00.000Z"),
    ...over,
  };
}

function notice(tenantId: string, version: number, status: Notice["status"] = "published"): Notice {
  return {
    tenantId,
    noticeId: "signup",
    version,
    locale: "en",
    contentType: "text/plain",
    content: "Text",
    contentSha256: "b".repeat(64),
    controllers: [{ name: "Acme" }],
    purposes: ["newsletter"],
    dataCategories: ["contact.email"],
    withdrawalInfo: "link",
    status,
    createdAt: new Date("2025-01-01T00:00:00.000Z"),
    publishedAt: status === "published" ? new Date("2025-01-01T00:00:00.000Z") : null,
  };
}

/**
 * Run the `ConsentStore` conformance suite against a store implementation: events append-only and atomic with the
 * projection, transactions that roll back, notices immutable once published, the suppression list, erasure and
 * the full consent service (capture, decide, unsubscribe, erasure) on top of the store.
 *
 * @example
 * ```ts
 * import { describeConsentStoreContract } from "@lawful/consent/testing";
 * import { createMemoryConsentStore } from "@lawful/consent/memory";
 * describeConsentStoreContract({ name: "memory", create: () => createMemoryConsentStore() });
 * ```
 */
export function describeConsentStoreContract(options: ConsentStoreContractOptions): void {
  const stores: ConsentStore[] = [];
  const create = async (): Promise<ConsentStore> => {
    const s = await options.create();
    stores.push(s);
    return s;
  };
  const withStore = (fn: (store: ConsentStore) => Promise<void>) => async () => {
    const store = await create();
    try {
      await fn(store);
    } finally {
      await (options.reset ?? ((s: ConsentStore) => s.close()))(store);
    }
  };

  describe(`ConsentStore contract: ${options.name}`, () => {
    it("name - store declares a name and capabilities", withStore(async (store) => {
      expect(typeof store.name).toBe("string");
      expect(typeof store.capabilities.durable).toBe("boolean");
      expect(typeof store.capabilities.transactions).toBe("boolean");
      expect(await store.listPurposes(tenant())).toEqual([]);
    }));

    it("putPurpose - inserts, replaces and lists purposes per tenant ordered by id", withStore(async (store) => {
      const t = tenant();
      const p = (id: string, name: string): Purpose => ({ tenantId: t, id, name, channel: "email", lawfulBasis: "consent", regime: "EU", model: "opt_in", directMarketing: true, saleOrSharing: false, doubleOptIn: false });
      await store.putPurpose(p("zeta", "Z"));
      await store.putPurpose(p("alpha", "A"));
      await store.putPurpose(p("alpha", "A2"));
      expect((await store.listPurposes(t)).map((x) => [x.id, x.name])).toEqual([["alpha", "A2"], ["zeta", "Z"]]);
      expect(await store.listPurposes(tenant())).toEqual([]);
    }));

    it("insertNotice - a version is stored once; a second insert is a CONFLICT", withStore(async (store) => {
      const t = tenant();
      await store.insertNotice(notice(t, 1));
      await expect(store.insertNotice(notice(t, 1))).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await store.getNotice(t, "signup", 1)).toEqual(notice(t, 1));
      expect(await store.getNotice(t, "signup", 2)).toBeUndefined();
    }));

    it("publishNotice - publishes a draft once; missing is NOT_FOUND, published is CONFLICT", withStore(async (store) => {
      const t = tenant();
      await store.insertNotice(notice(t, 2, "draft"));
      await store.insertNotice(notice(t, 1));
      const at = new Date("2025-02-01T00:00:00.000Z");
      const p = await store.publishNotice(t, "signup", 2, at);
      expect(p).toMatchObject({ status: "published", publishedAt: at });
      await expect(store.publishNotice(t, "signup", 2, at)).rejects.toMatchObject({ code: "CONFLICT" });
      await expect(store.publishNotice(t, "signup", 9, at)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await store.listNotices(t)).map((n) => [n.version, n.status])).toEqual([[1, "published"], [2, "published"]]);
      expect(await store.listNotices(t, "other")).toEqual([]);
    }));

    it("commit - appends events and upserts the projection; events round-trip exactly", withStore(async (store) => {
      const t = tenant();
      const e1 = event(t, "e1", { expiresAt: new Date("2027-01-01T00:00:00.000Z"), basis: { type: "casl_implied", kind: "purchase" }, sealedEvidence: "lk1.x", evidenceKeyId: "k" });
      await store.commit({ events: [e1], upsertStates: [state(t, "newsletter", { until: new Date("2027-01-01T00:00:00.000Z") })], deleteStates: [] });
      expect(await store.getEvent(t, "e1")).toEqual(e1);
      expect(await store.readStates(t, "ps1_subject-a", ["newsletter", "*restricted"])).toEqual([state(t, "newsletter", { until: new Date("2027-01-01T00:00:00.000Z") })]);
      const e2 = event(t, "e2", { type: "withdrawn", occurredAt: new Date("2025-04-01T00:00:00.000Z") });
      await store.commit({ events: [e2], upsertStates: [state(t, "newsletter", { status: "withdrawn", eventId: "e2", basis: null })], deleteStates: [] });
      expect((await store.readStates(t, "ps1_subject-a", ["newsletter"]))[0]).toMatchObject({ status: "withdrawn", eventId: "e2", basis: null, until: null });
      expect((await store.listEvents(t, "ps1_subject-a")).map((e) => e.id)).toEqual(["e1", "e2"]);
    }));

    it("commit - a duplicate event id is a CONFLICT and nothing of the commit is written", withStore(async (store) => {
      const t = tenant();
      await store.commit({ events: [event(t, "e1")], upsertStates: [state(t, "newsletter")], deleteStates: [] });
      await expect(
        store.transaction(() => store.commit({ events: [event(t, "e9"), event(t, "e1")], upsertStates: [state(t, "newsletter", { status: "refused", eventId: "e9" })], deleteStates: [] })),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await store.getEvent(t, "e9")).toBeUndefined();
      expect((await store.readStates(t, "ps1_subject-a", ["newsletter"]))[0]?.status).toBe("granted");
    }));

    it("transaction - rolls back every write when the callback throws", withStore(async (store) => {
      const t = tenant();
      await expect(
        store.transaction(async () => {
          await store.commit({ events: [event(t, "e1")], upsertStates: [state(t, "newsletter")], deleteStates: [] });
          await store.addSuppression({ tenantId: t, hash: "sh1_x", reason: "r", channel: null, id: "s1", createdAt: new Date(0) });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.getEvent(t, "e1")).toBeUndefined();
      expect(await store.readStates(t, "ps1_subject-a", ["newsletter"])).toEqual([]);
      expect(await store.getSuppression(t, "sh1_x")).toBeUndefined();
    }));

    it("listEvents - orders by occurredAt then id and filters by purpose and subject", withStore(async (store) => {
      const t = tenant();
      await store.commit({
        events: [
          event(t, "b", { occurredAt: new Date(2000) }),
          event(t, "a", { occurredAt: new Date(2000) }),
          event(t, "c", { occurredAt: new Date(1000), purposeId: "offers" }),
          event(t, "d", { occurredAt: new Date(500), subjectPseudonym: "ps1_other" }),
        ],
        upsertStates: [],
        deleteStates: [],
      });
      expect((await store.listEvents(t, "ps1_subject-a")).map((e) => e.id)).toEqual(["c", "a", "b"]);
      expect((await store.listEvents(t, "ps1_subject-a", "newsletter")).map((e) => e.id)).toEqual(["a", "b"]);
    }));

    it("readStates - returns only the requested keys; deleteStates removes rows", withStore(async (store) => {
      const t = tenant();
      await store.commit({ events: [], upsertStates: [state(t, "newsletter"), state(t, "*restricted", { status: "restricted", basis: null }), state(t, "offers")], deleteStates: [] });
      expect((await store.readStates(t, "ps1_subject-a", ["newsletter", "*restricted", "*suppressed"])).map((s) => s.purposeKey).sort()).toEqual(["*restricted", "newsletter"]);
      await store.commit({ events: [], upsertStates: [], deleteStates: [{ tenantId: t, subjectPseudonym: "ps1_subject-a", purposeKey: "*restricted" }] });
      expect((await store.listStates(t, "ps1_subject-a")).map((s) => s.purposeKey)).toEqual(["newsletter", "offers"]);
    }));

    it("listExpiring - lists granted rows whose until has passed, oldest first, up to the limit", withStore(async (store) => {
      const t = tenant();
      await store.commit({
        events: [],
        upsertStates: [
          state(t, "p1", { until: new Date(3000) }),
          state(t, "p2", { until: new Date(1000) }),
          state(t, "p3", { until: new Date(9000) }),
          state(t, "p4", { until: new Date(500), status: "withdrawn" }),
          state(t, "p5"),
        ],
        deleteStates: [],
      });
      expect((await store.listExpiring(t, new Date(5000), 10)).map((s) => s.purposeKey)).toEqual(["p2", "p1"]);
      expect((await store.listExpiring(t, new Date(5000), 1)).map((s) => s.purposeKey)).toEqual(["p2"]);
    }));

    it("addSuppression - is idempotent per hash; removeSuppression removes it", withStore(async (store) => {
      const t = tenant();
      const entry = { tenantId: t, hash: "sh1_abc", reason: "unsubscribe", channel: null, id: "s1", createdAt: new Date("2025-01-01T00:00:00.000Z") };
      expect(await store.addSuppression(entry)).toBe(true);
      expect(await store.addSuppression({ ...entry, id: "s2", reason: "other" })).toBe(false);
      expect(await store.getSuppression(t, "sh1_abc")).toEqual(entry);
      expect(await store.removeSuppression(t, "sh1_abc")).toBe(true);
      expect(await store.removeSuppression(t, "sh1_abc")).toBe(false);
    }));

    it("eraseSubject - deletes the subject's events and projection but not the suppression list nor other subjects", withStore(async (store) => {
      const t = tenant();
      await store.commit({ events: [event(t, "e1"), event(t, "e2", { subjectPseudonym: "ps1_other" })], upsertStates: [state(t, "newsletter")], deleteStates: [] });
      await store.addSuppression({ tenantId: t, hash: "sh1_a", reason: "r", channel: null, id: "s1", createdAt: new Date(0) });
      expect(await store.eraseSubject(t, "ps1_subject-a")).toEqual({ events: 1, states: 1 });
      expect(await store.listEvents(t, "ps1_subject-a")).toEqual([]);
      expect(await store.listEvents(t, "ps1_other")).toHaveLength(1);
      expect(await store.getSuppression(t, "sh1_a")).toBeDefined();
    }));

    it("listStatesByStatus - rows of the statuses asked for across subjects, in (subject, purpose) order, paged after a cursor", withStore(async (store) => {
      if (!store.listStatesByStatus) return; // optional: the store offers no consent records to retention
      const t = tenant();
      const rows = [
        state(t, "newsletter", { subjectPseudonym: "ps1_b", status: "withdrawn" }),
        state(t, "partners", { subjectPseudonym: "ps1_a", status: "refused" }),
        state(t, "newsletter", { subjectPseudonym: "ps1_a", status: "withdrawn" }),
        state(t, "offers", { subjectPseudonym: "ps1_a", status: "granted" }),
        state(t, "*suppressed", { subjectPseudonym: "ps1_a", status: "suppressed", basis: null }),
      ];
      await store.commit({ events: [], upsertStates: rows, deleteStates: [] });
      await store.commit({ events: [], upsertStates: [state(tenant(), "newsletter", { status: "withdrawn" })], deleteStates: [] });
      const key = (s: ConsentState) => `${s.subjectPseudonym}/${s.purposeKey}/${s.status}`;
      const all = await store.listStatesByStatus(t, ["withdrawn", "refused"], undefined, 10);
      expect(all.map(key)).toEqual(["ps1_a/newsletter/withdrawn", "ps1_a/partners/refused", "ps1_b/newsletter/withdrawn"]);
      expect(all[0]).toEqual(state(t, "newsletter", { subjectPseudonym: "ps1_a", status: "withdrawn" }));
      const first = await store.listStatesByStatus(t, ["withdrawn", "refused"], undefined, 1);
      const rest = await store.listStatesByStatus(t, ["withdrawn", "refused"], { subjectPseudonym: first[0]!.subjectPseudonym, purposeKey: first[0]!.purposeKey }, 10);
      expect([...first, ...rest].map(key)).toEqual(all.map(key));
      expect(await store.listStatesByStatus(t, [], undefined, 10)).toEqual([]);
    }));

    it("deletePurposeHistory - deletes one subject's events and row of one purpose, nothing else", withStore(async (store) => {
      if (!store.deletePurposeHistory) return; // optional
      const t = tenant();
      await store.commit({
        events: [event(t, "e1"), event(t, "e2", { type: "withdrawn" }), event(t, "e3", { purposeId: "partners" }), event(t, "e4", { subjectPseudonym: "ps1_other" })],
        upsertStates: [state(t, "newsletter", { status: "withdrawn" }), state(t, "partners"), state(t, "newsletter", { subjectPseudonym: "ps1_other" })],
        deleteStates: [],
      });
      expect(await store.deletePurposeHistory(t, "ps1_subject-a", "newsletter")).toEqual({ events: 2, states: 1 });
      expect((await store.listEvents(t, "ps1_subject-a")).map((e) => e.id)).toEqual(["e3"]);
      expect((await store.listStates(t, "ps1_subject-a")).map((s) => s.purposeKey)).toEqual(["partners"]);
      expect(await store.listEvents(t, "ps1_other")).toHaveLength(1);
      expect(await store.getEvent(t, "e1")).toBeUndefined();
      expect(await store.deletePurposeHistory(t, "ps1_subject-a", "newsletter")).toEqual({ events: 0, states: 0 });
    }));

    it("service - form capture, decide, unsubscribe and erasure work end to end on this store", withStore(async (store) => {
      const { service } = makeService(store);
      const t = tenant();
      await seed(service, t);
      const r = await service.captureForm({
        tenantId: t,
        formId: "signup",
        subject: ADA,
        notice: { noticeId: "signup", version: 1 },
        choices: [{ purposeId: "newsletter", fieldName: "nl", checked: true, defaultChecked: false }],
        request: { ip: "203.0.113.5", userAgent: "UA" },
      });
      expect(await service.decide(t, ADA, "newsletter")).toMatchObject({ allowed: true, decidingEventId: r.events[0]!.id });
      expect(await service.evidenceOf((await service.history(t, ADA))[0]!)).toEqual({ ip: "203.0.113.0", userAgent: "UA" });
      const { token } = service.createUnsubscribeToken({ tenantId: t, subject: ADA, purposeIds: "all" });
      await service.handleUnsubscribe({ token, httpMethod: "POST", body: "List-Unsubscribe=One-Click" });
      expect(await service.decide(t, ADA, "newsletter")).toMatchObject({ allowed: false, reason: "suppressed" });
      await service.eraseSubject(t, ADA);
      expect(await service.history(t, ADA)).toEqual([]);
      expect(await service.decide(t, ADA, "us-promo")).toMatchObject({ allowed: false, reason: "suppressed" });
    }));

    it("lockSubject - concurrent captures of one subject all land and the projection equals the replay", withStore(async (store) => {
      const { service } = makeService(store);
      const t = tenant();
      await seed(service, t);
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          service.captureForm({
            tenantId: t,
            formId: "signup",
            subject: ADA,
            notice: { noticeId: "signup", version: 1 },
            choices: [{ purposeId: "newsletter", fieldName: "nl", checked: i % 2 === 0, defaultChecked: false }],
            request: { ip: "203.0.113.5" },
          }),
        ),
      );
      const history = await service.history(t, ADA, "newsletter");
      expect(history).toHaveLength(6);
      const ps = service.pseudonymOf(t, ADA);
      const [row] = await store.readStates(t, ps, ["newsletter"]);
      expect(row?.eventId).toBe(projectConsentState(history)?.eventId);
      expect(new Set(history.map((e) => e.evidenceKeyId)).size).toBe(1);
    }));

    it("close - is idempotent and later calls fail with STORE_CLOSED", async () => {
      const store = await create();
      await store.close();
      await store.close();
      await expect(store.listPurposes(tenant())).rejects.toMatchObject({ code: "STORE_CLOSED" });
    });

    options.additionalTests?.(create);
  });
}
