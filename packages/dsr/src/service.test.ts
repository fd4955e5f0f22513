import { describe, expect, it } from "vitest";
import { isLawfulError } from "@lawful/core";
import { createHarness, createMapDataSource, recipient } from "./internal/harness.js";
import type { AccessResult, ErasureResult } from "./results.js";
import type { DsrRegime, DsrRequestDetails, DsrRequestType } from "./model.js";

const BERLIN = "Europe/Berlin";
const alice = { kind: "email" as const, value: "Alice@Example.com" };
const staff = { type: "staff" as const, id: "u_ops" };

async function codeOf<T>(p: Promise<T>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isLawfulError(e) ? e.code : "not-lawful";
  }
}

function crmSource() {
  return createMapDataSource("crm", {
    "contact.email": [{ category: "contact.email", provenance: "provided", recordId: "1", fields: { email: "alice@example.com" } }],
    "behaviour.web_activity": [{ category: "behaviour.web_activity", provenance: "observed", recordId: "v1", fields: { page: "/pricing" } }],
    "behaviour.preferences": [{ category: "behaviour.preferences", provenance: "inferred", recordId: "s1", fields: { segment: "likely-buyer" } }],
  });
}

describe("EU lifecycles (A1, A2, A3)", () => {
  it("access - 2025-03-05 is due 2025-04-07 (Saturday rolls to Monday); e-mail code, fan-out, Art. 15 result", async () => {
    const crm = crmSource();
    const h = createHarness("2025-03-05T10:00:00Z", {
      dataSources: [crm],
      consentHistory: { historyFor: () => Promise.resolve([{ purpose: "newsletter", event: "given", at: "2024-01-01" }]) },
      processingInfo: { describe: () => Promise.resolve({ purposes: [{ id: "newsletter", lawfulBasis: "consent" }] }) },
      recipients: { recipientsFor: () => Promise.resolve([recipient("mailer")]) },
    });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    expect(request.state).toBe("received");
    expect(request.deadlines.dueDate).toBe("2025-04-07");
    expect(request.deadlines.respondByDate).toBe("2025-04-07");
    expect(request.verification.requiredLevel).toBe("low");

    h.clock.advance({ hours: 1 });
    const { secret } = await h.dsr.requestVerification("acme", request.id, { pauseClock: false });
    const stored = JSON.stringify(await h.store.getRequest("acme", request.id));
    expect(stored).not.toContain(`"${secret}"`);
    h.clock.advance({ minutes: 5 });
    expect(await h.dsr.submitVerificationSecret("acme", request.id, secret)).toEqual({ ok: true, requestId: request.id });

    await h.dsr.start("acme", request.id, staff);
    const report = await h.dsr.work({ workerId: "w1" });
    expect(report).toMatchObject({ claimed: 1, completed: 1, finalized: [request.id] });
    const done = await h.dsr.get("acme", request.id);
    expect(done.state).toBe("completed");
    const result = done.outcome?.result as AccessResult;
    expect(result.confirmation).toBe(true);
    expect(result.data).toHaveLength(3);
    expect(result.sections.purposes[0]?.id).toBe("newsletter");
    expect(result.sections.recipients.map((r) => r.id)).toEqual(["mailer"]);
    expect(result.sections.rights.length).toBeGreaterThan(3);
    expect(result.sections.complaintRight).toMatch(/Art\. 77/);
    expect(result.consentHistory).toHaveLength(1);
    // every transition wrote an audit event with the pseudonym, never the e-mail
    const transitions = h.audit.events.filter((e) => e.action === "request.transitioned");
    expect(transitions.map((e) => e.details?.action)).toEqual(["submit", "request_verification", "verify", "start", "complete"]);
    expect(JSON.stringify(h.audit.events)).not.toContain("alice@example.com");
    expect(h.audit.events.some((e) => e.action === "data.accessed")).toBe(true);
  });

  it("deadlines - 2025-01-31 → 2025-02-28 and 2024-01-31 → 2024-02-29; a denial for no data closes the request", async () => {
    const h = createHarness("2025-01-31T10:00:00Z");
    const a = (await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    expect(a.deadlines.dueDate).toBe("2025-02-28");
    const b = (
      await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN, receivedAt: new Date("2024-01-31T10:00:00Z") })
    ).request;
    expect(b.deadlines.dueDate).toBe("2024-02-29");
    const denied = await h.dsr.deny("acme", a.id, { reason: "no_data", explanation: "We hold no data about you." }, staff);
    expect(denied.state).toBe("denied");
    expect(denied.denial).toMatchObject({ reason: "no_data", complaintInfoProvided: true });
    expect(h.audit.events.at(-1)?.outcome).toBe("denied");
    expect(await codeOf(h.dsr.withdraw("acme", a.id))).toBe("ILLEGAL_TRANSITION");
  });

  it("extend - 2025-03-05 extended to 2025-06-05 when notified before the original deadline; refused after it", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN, calendarId: "DE" });
    expect(request.deadlines.extendedBy).toBeDefined();
    h.clock.set("2025-03-20T10:00:00Z");
    expect(await codeOf(h.dsr.extend("acme", request.id, { reason: " ", notifiedAt: h.clock.now() }))).toBe("VALIDATION_FAILED");
    const extended = await h.dsr.extend("acme", request.id, { reason: "Many systems to search", notifiedAt: h.clock.now() }, staff);
    expect(extended.deadlines.dueDate).toBe("2025-06-05");
    expect(extended.extension?.reason).toBe("Many systems to search");
    expect(await codeOf(h.dsr.extend("acme", request.id, { reason: "again", notifiedAt: h.clock.now() }))).toBe("POLICY_VIOLATION");

    const late = createHarness("2025-03-05T10:00:00Z");
    const r2 = (await late.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    late.clock.set("2025-04-08T10:00:00Z");
    expect(await codeOf(late.dsr.extend("acme", r2.id, { reason: "complexity", notifiedAt: late.clock.now() }))).toBe("POLICY_VIOLATION");
    expect((await late.dsr.overdue("acme")).map((r) => r.id)).toEqual([r2.id]);
  });

  it("pause - an identity request sent promptly pauses the clock until the code is entered; a late one does not (A3 guard)", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    h.clock.set("2025-03-06T10:00:00Z");
    const asked = await h.dsr.requestVerification("acme", request.id);
    expect(asked.request.deadlines.paused).toBe(true);
    expect(await h.dsr.overdue("acme", new Date("2025-05-01T00:00:00Z"))).toEqual([]);
    h.clock.set("2025-03-06T10:10:00Z");
    const second = await h.dsr.requestVerification("acme", request.id); // re-send; still the same pause
    h.clock.set("2025-03-10T10:00:00Z");
    // the second code replaced the first and expired after 15 minutes: issue a third
    expect(await h.dsr.submitVerificationSecret("acme", request.id, second.secret)).toEqual({ ok: false, reason: "expired" });
    expect(await h.dsr.submitVerificationSecret("acme", request.id, asked.secret)).toEqual({ ok: false, reason: "expired" });
    const third = await h.dsr.requestVerification("acme", request.id);
    expect(await h.dsr.submitVerificationSecret("acme", request.id, third.secret)).toMatchObject({ ok: true });
    const verified = await h.dsr.get("acme", request.id);
    expect(verified.pauses).toHaveLength(1);
    expect(verified.deadlines.pausedDays).toBe(4);
    expect(verified.deadlines.dueDate).toBe("2025-04-09"); // 2025-04-05 + 4 days

    const late = createHarness("2025-03-05T10:00:00Z");
    const r2 = (await late.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    late.clock.set("2025-03-14T10:00:00Z");
    await late.dsr.requestVerification("acme", r2.id);
    late.clock.set("2025-03-20T10:00:00Z");
    const v = await late.dsr.verifyManually("acme", r2.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["matched address and phone"], reviewer: "u_ops" });
    expect(v.deadlines.pausedDays).toBe(0);
    expect(v.deadlines.dueDate).toBe("2025-04-07");
    expect(v.deadlines.ignoredPauses[0]).toMatch(/undue delay/);
    expect(await codeOf(late.dsr.pause("acme", r2.id, "clarification"))).toBe("POLICY_VIOLATION");
  });
});

describe("UK lifecycle (A4)", () => {
  it("clock start - the month runs from receipt of the identity information (2025-04-05 → 2025-05-06, bank holiday); clarification pauses count", async () => {
    const h = createHarness("2025-03-28T09:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "UK", subject: alice, channel: "email", timeZone: "Europe/London" });
    expect(request.calendarId).toBe("UK");
    expect(request.deadlines.dueDate).toBe("2025-04-28");
    h.clock.set("2025-03-28T10:00:00Z");
    await h.dsr.requestVerification("acme", request.id);
    h.clock.set("2025-04-05T09:00:00Z");
    const v = await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["passport copy seen"], reviewer: "u_ops" });
    expect(v.idReceivedAt?.toISOString()).toBe("2025-04-05T09:00:00.000Z");
    expect(v.deadlines.clockStartedAt.toISOString()).toBe("2025-04-05T09:00:00.000Z");
    expect(v.deadlines.dueDate).toBe("2025-05-06");
    expect(v.deadlines.extendedBy?.toISOString()).toBe("2025-07-07T22:59:59.999Z");
    expect(await codeOf(h.dsr.pause("acme", request.id, "identity"))).toBe("POLICY_VIOLATION");
    h.clock.set("2025-04-07T09:00:00Z");
    await h.dsr.pause("acme", request.id, "clarification", staff);
    h.clock.set("2025-04-10T09:00:00Z");
    const resumed = await h.dsr.resume("acme", request.id, staff);
    expect(resumed.deadlines.pausedDays).toBe(3);
    expect(resumed.deadlines.dueDate).toBe("2025-05-08");
    expect(await codeOf(h.dsr.resume("acme", request.id))).toBe("POLICY_VIOLATION");
  });
});

describe("UK fee (A4)", () => {
  it("receiveFee - a fee for an excessive request moves the clock start to its receipt", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "UK", subject: alice, channel: "email", timeZone: "Europe/London" });
    expect(request.deadlines.dueDate).toBe("2025-04-07");
    h.clock.set("2025-03-12T10:00:00Z");
    const paid = await h.dsr.receiveFee("acme", request.id, staff);
    expect(paid.deadlines.clockStartedAt.toISOString()).toBe("2025-03-12T10:00:00.000Z");
    expect(paid.deadlines.dueDate).toBe("2025-04-14");
  });
});

describe("US-CA lifecycles (A5, A6, C10)", () => {
  const LA = "America/Los_Angeles";
  const bob = { kind: "email" as const, value: "bob@example.com" };

  it("know specific pieces - ack 2025-03-19, due 2025-04-18, extended 2025-06-02; never paused; needs 3 data points and a declaration", async () => {
    const h = createHarness("2025-03-05T17:00:00Z", { dataSources: [crmSource()] });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "ccpa_know_specific", regime: "US-CA", subject: bob, channel: "toll_free_number", timeZone: LA });
    expect(request.deadlines.acknowledgeBy?.toISOString().slice(0, 10)).toBe("2025-03-20"); // end of 2025-03-19 in Los Angeles
    expect(request.deadlines.dueDate).toBe("2025-04-18");
    expect(request.verification.requiredLevel).toBe("high");
    expect((await h.dsr.acknowledgementsDue("acme")).map((r) => r.id)).toEqual([request.id]);
    await h.dsr.acknowledge("acme", request.id, staff);
    expect(await h.dsr.acknowledgementsDue("acme")).toEqual([]);
    expect(await codeOf(h.dsr.pause("acme", request.id, "identity"))).toBe("POLICY_VIOLATION");
    const { secret } = await h.dsr.requestVerification("acme", request.id);
    const asked = await h.dsr.get("acme", request.id);
    expect(asked.pauses).toEqual([]); // CCPA: no identity pause
    await expect(h.dsr.submitVerificationSecret("acme", request.id, secret)).rejects.toMatchObject({ code: "POLICY_VIOLATION" });
    await expect(
      h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 3, declarationSigned: false, evidence: ["3 points"], reviewer: "u" }),
    ).rejects.toMatchObject({ code: "POLICY_VIOLATION" });
    h.clock.set("2025-04-10T17:00:00Z");
    await h.dsr.extend("acme", request.id, { reason: "Backups must be searched", notifiedAt: h.clock.now() }, staff);
    const v = await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 3, declarationSigned: true, evidence: ["3 points", "signed declaration"], reviewer: "u" });
    expect(v.deadlines.dueDate).toBe("2025-06-02");
    await h.dsr.start("acme", request.id, staff);
    await h.dsr.work({ workerId: "w" });
    const done = await h.dsr.get("acme", request.id);
    expect(done.state).toBe("completed");
    expect((done.outcome?.result as AccessResult).sections.rights[0]).toMatch(/Right to know/);
  });

  it("acknowledgement - skips Thanksgiving (2025-11-20 → 2025-12-08); response due 2026-01-03", async () => {
    const h = createHarness("2025-11-20T18:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "ccpa_delete", regime: "US-CA", subject: bob, channel: "web_form", timeZone: LA });
    expect(request.deadlines.acknowledgeBy?.toISOString()).toBe("2025-12-09T07:59:59.999Z");
    expect(request.deadlines.dueDate).toBe("2026-01-03");
  });

  it("opt-out of sale/sharing - needs no verification, is honoured at once, due in 15 business days (2025-11-19 → 2025-12-12)", async () => {
    const h = createHarness("2025-11-19T18:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "ccpa_opt_out", regime: "US-CA", subject: bob, channel: "gpc_signal", timeZone: LA });
    expect(request.state).toBe("completed");
    expect(request.verification).toMatchObject({ requiredLevel: "none", method: "not_required" });
    expect(request.deadlines.dueDate).toBe("2025-12-12");
    expect(h.objections).toEqual([{ kind: "ccpa_opt_out_sale_sharing", requestId: request.id }]);
    const limit = (await h.dsr.submit({ tenantId: "acme", type: "ccpa_limit", regime: "US-CA", subject: bob, channel: "web_form", timeZone: LA })).request;
    expect(limit.state).toBe("completed");
  });

  it("submit - CCPA types only under US-CA and GDPR types elsewhere; bad input names every field", async () => {
    const h = createHarness("2025-03-05T17:00:00Z");
    const err = await h.dsr
      .submit({ tenantId: "acme", type: "ccpa_delete", regime: "EU", subject: { kind: "email", value: "nope" }, channel: "fax" as never, timeZone: "Mars/Base" })
      .catch((e: unknown) => e);
    expect(isLawfulError(err) && err.name).toBe("DsrError");
    const paths = (err as { issues: { path: (string | number)[] }[] }).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["subject.value", "channel", "timeZone"]));
    expect(JSON.stringify(err)).not.toContain("nope");
    expect(await h.store.listRequests("acme")).toEqual([]);
  });
});

describe("BR lifecycle (A7)", () => {
  it("access - 15 days, no pause", async () => {
    const h = createHarness("2025-03-05T13:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "BR", subject: alice, channel: "web_form", timeZone: "America/Sao_Paulo" });
    expect(request.deadlines.dueDate).toBe("2025-03-20");
    expect(await codeOf(h.dsr.pause("acme", request.id, "identity"))).toBe("POLICY_VIOLATION");
  });
});

describe("other request types", () => {
  it("objection to direct marketing - absolute: suppressed immediately with no review or verification", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({
      tenantId: "acme",
      type: "objection",
      regime: "EU",
      subject: alice,
      channel: "email",
      timeZone: BERLIN,
      details: { objectionScope: "direct_marketing" },
    });
    expect(request.state).toBe("completed");
    expect(h.suppressed).toEqual([{ tenantId: "acme", subject: { kind: "email", value: "alice@example.com" }, reason: "objection" }]);
    expect(h.objections[0]?.kind).toBe("direct_marketing");
  });

  it("denial - manifestly unfounded or excessive needs evidence (burden of proof)", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    expect(await codeOf(h.dsr.deny("acme", request.id, { reason: "excessive", explanation: "Fourth request this month" }))).toBe("POLICY_VIOLATION");
    const d = await h.dsr.deny("acme", request.id, { reason: "excessive", explanation: "Fourth request this month", evidence: ["requests r1, r2, r3"] });
    expect(d.denial?.evidence).toEqual(["requests r1, r2, r3"]);
    expect(await codeOf(h.dsr.deny("acme", request.id, { reason: "bogus", explanation: "x" }))).toBe("VALIDATION_FAILED");
  });

  it("verification - five wrong codes lock the challenge; the right code no longer works", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    const { secret } = await h.dsr.requestVerification("acme", request.id);
    const wrong = secret === "000000" ? "111111" : "000000";
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await h.dsr.submitVerificationSecret("acme", request.id, wrong));
    expect(results.map((r) => (r.ok ? "ok" : r.reason === "mismatch" ? r.attemptsLeft : r.reason))).toEqual([4, 3, 2, 1, "locked"]);
    expect(await h.dsr.submitVerificationSecret("acme", request.id, secret)).toEqual({ ok: false, reason: "locked" });
    expect(h.audit.events.filter((e) => e.action === "request.verification_failed")).toHaveLength(5);
  });

  it("verification - an authenticated session verifies (re-authentication gives high); another person's session is refused", async () => {
    const h = createHarness("2025-03-05T17:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "ccpa_know_specific", regime: "US-CA", subject: alice, channel: "web_form", timeZone: "America/Los_Angeles" });
    await expect(
      h.dsr.verifySession("acme", request.id, { subject: { kind: "email", value: "eve@example.com" }, authenticatedAt: h.clock.now() }),
    ).rejects.toMatchObject({ code: "POLICY_VIOLATION" });
    const v = await h.dsr.verifySession("acme", request.id, { subject: alice, authenticatedAt: h.clock.now(), reauthenticatedAt: h.clock.now() });
    expect(v.verification).toMatchObject({ method: "session", achievedLevel: "high" });
  });

  it("submit - a duplicate within the window is linked and cancelled, not run twice", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const first = (await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    h.clock.advance({ days: 2 });
    const second = await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: { kind: "email", value: "ALICE@example.com" }, channel: "web_form", timeZone: BERLIN });
    expect(second.duplicateOf).toBe(first.id);
    expect(second.request.state).toBe("cancelled");
    expect(second.request.cancellation?.duplicateOf).toBe(first.id);
    const other = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    expect(other.duplicateOf).toBeUndefined();
  });

  it("rectification - fans out to the sources holding the category and notifies recipients (Art. 19) until confirmed", async () => {
    const crm = crmSource();
    const h = createHarness("2025-03-05T10:00:00Z", {
      dataSources: [crm],
      recipients: { recipientsFor: () => Promise.resolve([recipient("mailer"), recipient("gone")]) },
      notifier: {
        notify: (n) =>
          Promise.resolve(n.recipient.id === "gone" ? { status: "skipped", reason: "impossible", explanation: "recipient dissolved" } : { status: "pending_confirmation" }),
      },
    });
    const { request } = await h.dsr.submit({
      tenantId: "acme",
      type: "rectification",
      regime: "EU",
      subject: alice,
      channel: "email",
      timeZone: BERLIN,
      details: { rectifications: [{ category: "contact.email", field: "email", value: "alice@new.example" }] },
    });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["known customer"], reviewer: "u" });
    await h.dsr.start("acme", request.id, staff);
    const report = await h.dsr.work({ workerId: "w" });
    expect(report.completed).toBe(3);
    const done = await h.dsr.get("acme", request.id);
    expect(done.state).toBe("completed");
    expect(crm.data["contact.email"]?.[0]?.fields.email).toBe("alice@new.example");
    expect(done.notifications.map((n) => [n.recipientId, n.status])).toEqual([
      ["mailer", "pending_confirmation"],
      ["gone", "skipped"],
    ]);
    const confirmed = await h.dsr.confirmRecipientNotification("acme", request.id, "mailer", { status: "confirmed" }, staff);
    expect(confirmed.notifications[0]?.status).toBe("confirmed");
    expect(confirmed.state).toBe("completed");
  });

  it("restriction lift - refused until the person was told (Art. 18(3))", async () => {
    const crm = crmSource();
    const h = createHarness("2025-03-05T10:00:00Z", { dataSources: [crm] });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "restriction_lift", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    expect(await codeOf(h.dsr.start("acme", request.id))).toBe("POLICY_VIOLATION");
    const notified = await h.dsr.submit({
      tenantId: "acme",
      type: "restriction_lift",
      regime: "EU",
      subject: { kind: "email", value: "carol@example.com" },
      channel: "email",
      timeZone: BERLIN,
      details: { subjectNotifiedAt: new Date("2025-03-04T10:00:00Z") },
    });
    await h.dsr.verifyManually("acme", notified.request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    await h.dsr.start("acme", notified.request.id);
    await h.dsr.work({ workerId: "w" });
    expect((await h.dsr.get("acme", notified.request.id)).state).toBe("completed");
    expect(crm.calls).toContain("lift");
  });

  it("automated-decision contest - routed to a human; completed by hand", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({
      tenantId: "acme",
      type: "automated_decision_contest",
      regime: "EU",
      subject: alice,
      channel: "web_form",
      timeZone: BERLIN,
      details: { decisionRef: "credit-check-77" },
    });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    const started = await h.dsr.start("acme", request.id);
    expect(started.state).toBe("in_progress");
    const done = await h.dsr.complete("acme", request.id, { nature: "human review upheld the decision; view recorded" }, staff);
    expect(done.state).toBe("completed");
  });

  it("work - a failing source is retried with exponential backoff and the result lists it when retries run out", async () => {
    const flaky = createMapDataSource("flaky", { "contact.email": [] }, { failTimes: 99 });
    const h = createHarness("2025-03-05T10:00:00Z", { dataSources: [crmSource(), flaky], taskMaxAttempts: 3 });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "portability", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    await h.dsr.start("acme", request.id);
    expect(await h.dsr.work({ workerId: "w" })).toMatchObject({ claimed: 2, completed: 1, retried: 1 });
    expect((await h.dsr.work({ workerId: "w" })).claimed).toBe(0); // backoff: not yet available
    h.clock.advance({ seconds: 1 });
    expect(await h.dsr.work({ workerId: "w" })).toMatchObject({ claimed: 1, retried: 1 });
    h.clock.advance({ seconds: 1 });
    expect((await h.dsr.work({ workerId: "w" })).claimed).toBe(0); // second delay is 2 s
    h.clock.advance({ seconds: 1 });
    expect(await h.dsr.work({ workerId: "w" })).toMatchObject({ claimed: 1, dead: 1, finalized: [request.id] });
    const done = await h.dsr.get("acme", request.id);
    expect(done.state).toBe("partially_completed");
    const result = done.outcome?.result as AccessResult;
    expect(result.sources).toEqual([
      { sourceId: "crm", status: "ok" },
      { sourceId: "flaky", status: "failed", error: expect.stringContaining("temporarily down") as string },
    ]);
    // portability keeps provided and observed data only
    expect(result.data.map((d) => d.provenance).sort()).toEqual(["observed", "provided"]);
  });

  it("work - a task whose worker died (lease expired) is retried by another worker and completed once", async () => {
    const crm = crmSource();
    const h = createHarness("2025-03-05T10:00:00Z", { dataSources: [crm] });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    await h.dsr.start("acme", request.id);
    const [task] = await h.store.claimTasks({ workerId: "dead-worker", limit: 1, now: h.clock.now(), leaseMs: 60_000 });
    expect(task).toBeDefined();
    expect((await h.dsr.work({ workerId: "w2", leaseMs: 60_000 })).claimed).toBe(0);
    h.clock.advance({ minutes: 2 });
    expect(await h.dsr.work({ workerId: "w2" })).toMatchObject({ claimed: 1, completed: 1 });
    expect(await h.store.completeTask({ taskId: task!.id, workerId: "dead-worker", now: h.clock.now(), result: {} })).toBe(false);
    expect((await h.dsr.get("acme", request.id)).state).toBe("completed");
  });

  it("erasure - held categories are kept and restricted, the rest erased; key shredded and subject suppressed", async () => {
    const crm = crmSource();
    const h = createHarness("2025-03-05T10:00:00Z", { dataSources: [crm] });
    h.holds.set("behaviour.web_activity", [{ kind: "legal_hold", ruleId: "hold-1", citation: "Litigation 2025-17" }]);
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "erasure", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["e"], reviewer: "u" });
    await h.dsr.start("acme", request.id);
    await h.dsr.work({ workerId: "w" });
    const done = await h.dsr.get("acme", request.id);
    expect(done.state).toBe("partially_completed");
    const result = done.outcome?.result as ErasureResult;
    expect(result.categories.map((c) => [c.category, c.outcome])).toEqual([
      ["behaviour.preferences", "erased"],
      ["behaviour.web_activity", "kept_restricted"],
      ["contact.email", "erased"],
    ]);
    expect(result.categories[1]?.exemptions[0]).toMatchObject({ kind: "legal_hold", article: "GDPR Art. 17(3)(e)" });
    expect(crm.restricted.has("behaviour.web_activity")).toBe(true);
    expect(h.shredded).toEqual([request.subjectKey]);
    expect(h.suppressed.map((s) => s.reason)).toEqual(["erasure"]);
  });

  it("records and metrics - the six §7101 fields, 24-month retention, counts and median days by type", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const a = (await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    const b = (await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: { kind: "email", value: "b@example.com" }, channel: "web_form", timeZone: BERLIN })).request;
    h.clock.advance({ days: 2 });
    await h.dsr.deny("acme", a.id, { reason: "identity_not_verified", explanation: "No answer to the identity request" });
    h.clock.advance({ days: 4 });
    await h.dsr.deny("acme", b.id, { reason: "no_data", explanation: "Nothing held" });
    const records = await h.dsr.records("acme");
    expect(records[0]).toMatchObject({
      dateOfRequest: "2025-03-05T10:00:00.000Z",
      natureOfRequest: "access",
      mannerOfRequest: "email",
      dateOfResponse: "2025-03-07T10:00:00.000Z",
      basisForDenial: "identity_not_verified: No answer to the identity request",
      retainUntil: "2027-03-07T23:59:59.999Z",
    });
    expect(records[0]?.natureOfResponse).toMatch(/^denied/);
    const m = await h.dsr.metrics("acme");
    expect(m.byType).toEqual([
      expect.objectContaining({ type: "access", received: 2, denied: 2, medianDaysToRespond: 4, meanDaysToRespond: 4, deniedByReason: { identity_not_verified: 1, no_data: 1 } }),
    ]);
    expect((await h.dsr.dueSoon("acme", 7)).length).toBe(0);
  });

  it("purge - only a closed request, only after its record's retainUntil; deletes it with its tasks and audits by pseudonym", async () => {
    const h = createHarness("2025-03-05T10:00:00Z", { dataSources: [crmSource()] });
    const open = (await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN })).request;
    expect(await codeOf(h.dsr.purge("acme", open.id))).toBe("ILLEGAL_TRANSITION");
    await h.dsr.verifyManually("acme", open.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["reply"], reviewer: "ops" });
    await h.dsr.start("acme", open.id, staff);
    await h.dsr.work({ workerId: "w1" });
    expect((await h.dsr.get("acme", open.id)).state).toBe("completed");
    expect(await h.store.listTasks("acme", open.id)).not.toHaveLength(0);
    const { retainUntil } = (await h.dsr.records("acme"))[0]!;
    expect(retainUntil).toBe("2027-03-05T23:59:59.999Z");
    h.clock.set("2027-03-05T23:00:00Z");
    expect(await codeOf(h.dsr.purge("acme", open.id))).toBe("POLICY_VIOLATION");
    h.clock.set("2027-03-06T00:00:00Z");
    await h.dsr.purge("acme", open.id, staff);
    expect(await codeOf(h.dsr.get("acme", open.id))).toBe("NOT_FOUND");
    expect(await h.store.listTasks("acme", open.id)).toEqual([]);
    expect(await h.dsr.records("acme")).toEqual([]);
    const event = h.audit.events.find((e) => e.action === "request.deleted")!;
    expect(event).toMatchObject({ actor: staff, correlationId: open.id });
    expect(JSON.stringify(event).toLowerCase()).not.toContain("alice@example.com");
    expect(await codeOf(h.dsr.purge("acme", open.id))).toBe("NOT_FOUND");
  });

  it("purge - refused with UNSUPPORTED by a store that cannot delete requests", async () => {
    const { createMemoryDsrStore } = await import("./stores/memory.js");
    const { deleteRequest: _cannot, ...store } = createMemoryDsrStore();
    const h = createHarness("2025-03-05T10:00:00Z", { store });
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    await h.dsr.deny("acme", request.id, { reason: "no_data", explanation: "Nothing held" });
    h.clock.set("2030-01-01T00:00:00Z");
    expect(await codeOf(h.dsr.purge("acme", request.id))).toBe("UNSUPPORTED");
    expect((await h.dsr.get("acme", request.id)).state).toBe("denied");
  });

  it("countRecentRequests - counts the subject's requests of the last 12 months, duplicates excluded (C2)", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    await h.dsr.submit({ tenantId: "acme", type: "ccpa_know_categories", regime: "US-CA", subject: alice, channel: "web_form", timeZone: "America/Los_Angeles" });
    await h.dsr.submit({ tenantId: "acme", type: "ccpa_know_categories", regime: "US-CA", subject: alice, channel: "web_form", timeZone: "America/Los_Angeles" });
    h.clock.advance({ days: 200 });
    await h.dsr.submit({ tenantId: "acme", type: "ccpa_delete", regime: "US-CA", subject: alice, channel: "web_form", timeZone: "America/Los_Angeles" });
    expect(await h.dsr.countRecentRequests("acme", alice)).toBe(2);
    expect(await h.dsr.countRecentRequests("acme", alice, { types: ["ccpa_delete"] })).toBe(1);
    h.clock.advance({ days: 200 });
    expect(await h.dsr.countRecentRequests("acme", alice)).toBe(1);
  });

  it("dueSoon - open requests due within the window", async () => {
    const h = createHarness("2025-03-05T10:00:00Z");
    const { request } = await h.dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "email", timeZone: BERLIN });
    expect(await h.dsr.dueSoon("acme", 7)).toEqual([]);
    expect((await h.dsr.dueSoon("acme", 7, new Date("2025-04-02T00:00:00Z"))).map((r) => r.id)).toEqual([request.id]);
  });
});

describe("every request type runs to a terminal state", () => {
  interface Case {
    type: DsrRequestType;
    regime: DsrRegime;
    tz: string;
    expectKind: string;
    source: string | undefined;
    details?: DsrRequestDetails;
  }
  const cases: Case[] = [
    { type: "restriction", regime: "EU", tz: BERLIN, expectKind: "restriction", source: "restrict" },
    { type: "objection", regime: "UK", tz: "Europe/London", expectKind: "objection", source: "restrict", details: { objectionScope: "legitimate_interests" } },
    { type: "ccpa_correct", regime: "US-CA", tz: "America/Los_Angeles", expectKind: "rectification", source: "rectify", details: { rectifications: [{ category: "contact.email", value: "x@example.com" }] } },
    { type: "ccpa_know_categories", regime: "US-CA", tz: "America/Los_Angeles", expectKind: "ccpa_know_categories", source: undefined },
    { type: "ccpa_delete", regime: "US-CA", tz: "America/Los_Angeles", expectKind: "erasure", source: "erase" },
    { type: "access", regime: "BR", tz: "America/Sao_Paulo", expectKind: "access", source: "export" },
    { type: "portability", regime: "UK", tz: "Europe/London", expectKind: "portability", source: "export" },
  ];
  for (const c of cases) {
    it(`lifecycle - ${c.type} under ${c.regime}: submit, verify, start, work, completed with a ${c.expectKind} result`, async () => {
      const crm = crmSource();
      const h = createHarness("2025-06-02T10:00:00Z", { dataSources: [crm] });
      const { request } = await h.dsr.submit({
        tenantId: "acme",
        type: c.type,
        regime: c.regime,
        subject: alice,
        channel: "web_form",
        timeZone: c.tz,
        ...(c.details ? { details: c.details } : {}),
      });
      if (request.state !== "verified") {
        await h.dsr.verifyManually("acme", request.id, { dataPointsMatched: 3, declarationSigned: true, evidence: ["e"], reviewer: "u" });
      }
      await h.dsr.start("acme", request.id, staff);
      await h.dsr.work({ workerId: "w" });
      const done = await h.dsr.get("acme", request.id);
      expect(["completed", "partially_completed"]).toContain(done.state);
      expect((done.outcome?.result as { kind: string }).kind).toBe(c.expectKind);
      if (c.source) expect(crm.calls).toContain(c.source);
      if (c.type === "ccpa_know_categories") expect((done.outcome?.result as AccessResult).data).toEqual([]);
      expect(h.audit.events.filter((e) => e.action === "request.transitioned").at(-1)?.details?.to).toBe(done.state);
    });
  }
});

describe("per-tenant pseudonyms", () => {
  it("submit - a pseudonymizer function gives each tenant its own subject key, matching the audit log's", async () => {
    const { createDsrService } = await import("./service.js");
    const { createMemoryDsrStore } = await import("./stores/memory.js");
    const { createMemoryAuditSink, createPseudonymizer } = await import("@lawful/core");
    const keys: Record<string, Uint8Array> = { acme: new Uint8Array(32).fill(1), globex: new Uint8Array(32).fill(2) };
    const perTenant = (tenantId: string) => createPseudonymizer({ key: keys[tenantId]! });
    const dsr = createDsrService({ store: createMemoryDsrStore(), audit: createMemoryAuditSink(), pseudonymizer: perTenant });
    const a = await dsr.submit({ tenantId: "acme", type: "access", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    const g = await dsr.submit({ tenantId: "globex", type: "access", regime: "EU", subject: alice, channel: "web_form", timeZone: BERLIN });
    const normalised = { kind: "email", value: "alice@example.com" };
    expect(a.request.subjectKey).toBe(perTenant("acme").pseudonym(normalised));
    expect(g.request.subjectKey).toBe(perTenant("globex").pseudonym(normalised));
    expect(a.request.subjectKey).not.toBe(g.request.subjectKey);
  });
});
