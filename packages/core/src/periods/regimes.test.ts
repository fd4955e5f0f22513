import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHolidayCalendar } from "../holidays/index.js";
import { isWorkingDay, weekendOnlyCalendar, type HolidayCalendar } from "./calendar.js";
import { addCalendarMonths, addHours } from "./periods.js";
import {
  REGIMES,
  RegimeTableSchema,
  caslImpliedConsentExpiry,
  computeBreachDeadlines,
  computeDsrDeadlines,
  computePeriod,
  effectiveDueAt,
  optOutHonourBy,
  reOptInAllowedAfter,
  ukClockStart,
  unsubscribeLinkMinLifetime,
  type ClockPause,
  type DsrRegimeId,
  type PeriodSpec,
} from "./regimes.js";
import { REGIME_IDS } from "../vocabulary.js";

const BERLIN = "Europe/Berlin";
const LONDON = "Europe/London";
const LA = "America/Los_Angeles";
const SAO_PAULO = "America/Sao_Paulo";

const DE = createHolidayCalendar("DE");
const UK = createHolidayCalendar("UK");
const US_CA = createHolidayCalendar("US-CA");
const US = createHolidayCalendar("US");
const CA = createHolidayCalendar("CA");
const BR = createHolidayCalendar("BR");

function expectInvalidPeriod(fn: () => unknown, messagePart?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an INVALID_PERIOD error").toMatchObject({ code: "INVALID_PERIOD", name: "LawfulError" });
  if (messagePart) expect((caught as Error).message).toMatch(messagePart);
}

function allSpecs(): PeriodSpec[] {
  const specs: PeriodSpec[] = [];
  for (const config of Object.values(REGIMES)) {
    if (config.dsr) specs.push(...[config.dsr.acknowledge, config.dsr.respond, config.dsr.extendedTotal].filter((s): s is PeriodSpec => s !== undefined));
    if (config.optOut) specs.push(...[config.optOut.honour, config.optOut.limitRequest].filter((s): s is PeriodSpec => s !== undefined));
    if (config.unsubscribeLinkMinLifetime) specs.push(config.unsubscribeLinkMinLifetime);
    if (config.reOptInWait) specs.push(config.reOptInWait);
    if (config.impliedConsent) specs.push(...Object.values(config.impliedConsent));
    if (config.breach) specs.push(...[config.breach.notifyAuthority, config.breach.supplement].filter((s): s is PeriodSpec => s !== undefined));
  }
  return specs;
}

describe("regime table (DOMAIN G)", () => {
  it("validates against its schema, is keyed by id and deeply frozen", () => {
    expect(RegimeTableSchema.safeParse(REGIMES).success).toBe(true);
    expect(Object.keys(REGIMES)).toEqual([...REGIME_IDS]);
    for (const id of REGIME_IDS) expect(REGIMES[id].id).toBe(id);
    expect(Object.isFrozen(REGIMES)).toBe(true);
    expect(Object.isFrozen(REGIMES.EU.dsr?.respond)).toBe(true);
    expect(Object.isFrozen(REGIMES.CA.impliedConsent?.inquiry)).toBe(true);
  });

  it("every period cites a DOMAIN.md rule id", () => {
    const specs = allSpecs();
    expect(specs.length).toBeGreaterThan(15);
    for (const spec of specs) expect(spec.source).toMatch(/^[A-H]\d{1,2}$/);
  });

  it("holds the figures of the parameter table", () => {
    expect(REGIMES.EU.dsr?.respond).toMatchObject({ unit: "months", amount: 1, rollover: true });
    expect(REGIMES.EU.dsr?.extendedTotal).toMatchObject({ unit: "months", amount: 3 });
    expect(REGIMES.EU.dsr?.identityPause).toMatchObject({ mode: "guarded", thresholdWorkingDays: 3, enabledByDefault: true });
    expect(REGIMES.UK.dsr?.identityPause).toMatchObject({ mode: "clock-start", reasons: ["clarification"] });
    expect(REGIMES["US-CA"].dsr?.acknowledge).toMatchObject({ unit: "business-days", amount: 10, source: "A5" });
    expect(REGIMES["US-CA"].dsr?.respond).toMatchObject({ unit: "calendar-days", amount: 45, countStartDay: true, rollover: false });
    expect(REGIMES["US-CA"].dsr?.extendedTotal).toMatchObject({ amount: 90 });
    expect(REGIMES["US-CA"].dsr?.identityPause.mode).toBe("never");
    expect(REGIMES["US-CA"].optOut?.honour).toMatchObject({ unit: "business-days", amount: 15, source: "A6" });
    expect(REGIMES["US-CA"].optOut?.limitRequest).toMatchObject({ amount: 15 });
    expect(REGIMES["US-CA"].reOptInWait).toMatchObject({ unit: "months", amount: 12 });
    expect(REGIMES.US.optOut).toMatchObject({ honour: { amount: 10, source: "A8" }, countFrom: "receipt" });
    expect(REGIMES.US.unsubscribeLinkMinLifetime).toMatchObject({ unit: "calendar-days", amount: 30 });
    expect(REGIMES.CA.optOut).toMatchObject({ honour: { amount: 10, source: "A9" }, countFrom: "indication-sent" });
    expect(REGIMES.CA.unsubscribeLinkMinLifetime).toMatchObject({ amount: 60 });
    expect(REGIMES.CA.impliedConsent?.purchase.amount).toBe(24);
    expect(REGIMES.CA.impliedConsent?.inquiry.amount).toBe(6);
    expect(REGIMES.BR.dsr).toMatchObject({ respond: { unit: "calendar-days", amount: 15 }, smallAgentMultiplier: 2, simplifiedResponseImmediate: true });
    expect(REGIMES.EU.breach?.notifyAuthority).toMatchObject({ unit: "hours", amount: 72 });
    expect(REGIMES.BR.breach).toMatchObject({ notifyAuthority: { unit: "business-days", amount: 3 }, supplement: { amount: 20 } });
    expect(REGIMES.UK.holidayCalendar).toBe("UK");
    expect(REGIMES.EU.holidayCalendar).toBeNull();
  });

  it("computePeriod - tags the deadline with the rule id and validates the spec", () => {
    const d = computePeriod({ unit: "business-days", amount: 10, source: "A8" }, new Date("2025-03-05T15:00:00Z"), { timeZone: "America/New_York" });
    expect(d.dueDate).toBe("2025-03-19");
    expect(d.source).toBe("A8");
    expectInvalidPeriod(() => computePeriod({ unit: "weeks", amount: 1, source: "A1" } as unknown as PeriodSpec, new Date(), { timeZone: "UTC" }));
    expectInvalidPeriod(() => computePeriod({ unit: "hours", amount: 1, source: "A11" }, new Date(), { timeZone: "UTC", multiplier: 0 }));
  });
});

describe("computeDsrDeadlines - EU (A1, A2)", () => {
  const eu = (receivedAt: string, calendar?: HolidayCalendar, extensionFrom?: "receipt" | "base-deadline") =>
    computeDsrDeadlines({ regime: "EU", receivedAt: new Date(receivedAt), timeZone: BERLIN, calendar, options: { extensionFrom } });

  it("A2 worked examples", () => {
    expect(eu("2025-03-05T10:00:00Z").respondBy.dueDate).toBe("2025-04-07");
    expect(eu("2025-01-31T10:00:00Z").respondBy.dueDate).toBe("2025-02-28");
    expect(eu("2024-01-31T10:00:00Z").respondBy.dueDate).toBe("2024-02-29");
    expect(eu("2025-03-05T10:00:00Z").extendedBy?.dueDate).toBe("2025-06-05");
  });

  it("A1 - respond, extension and extension notice deadlines carry their sources", () => {
    const d = eu("2025-03-05T10:00:00Z", DE);
    expect(d.regime).toBe("EU");
    expect(d.clockStartedAt.toISOString()).toBe("2025-03-05T10:00:00.000Z");
    expect(d.respondBy.source).toBe("A1");
    expect(d.respondBy.unadjustedDate).toBe("2025-04-05");
    expect(d.respondBy.rolledOver).toBe(true);
    expect(d.extensionNoticeBy).toBe(d.respondBy);
    expect(d.acknowledgeBy).toBeUndefined();
    expect(d.identityPause.mode).toBe("guarded");
    expect(Object.isFrozen(d)).toBe(true);
  });

  it("A2 - Member State holidays: a deadline on Easter Monday (DE) rolls to Tuesday", () => {
    expect(eu("2025-03-21T10:00:00Z", DE).respondBy.dueDate).toBe("2025-04-22");
    expect(eu("2025-03-21T10:00:00Z", createHolidayCalendar("FR")).respondBy.dueDate).toBe("2025-04-22");
    expect(eu("2025-03-21T10:00:00Z").respondBy.dueDate).toBe("2025-04-21");
  });

  it("A2 - extension computed from receipt, not chained (configurable)", () => {
    // Receipt 2025-01-19: base 2025-02-19; receipt + 3 months = 2025-04-19 (Holy Saturday) → Tuesday 22 in DE.
    expect(eu("2025-01-19T10:00:00Z", DE).extendedBy?.dueDate).toBe("2025-04-22");
    // Receipt 2025-03-05: base rolls to 2025-04-07; chained + 2 months = 2025-06-07 (Sat) → Mon 9 is Whit Monday → Tue 10.
    const chained = eu("2025-03-05T10:00:00Z", DE, "base-deadline").extendedBy;
    expect(chained?.unadjustedDate).toBe("2025-06-07");
    expect(chained?.dueDate).toBe("2025-06-10");
    expect(chained?.source).toBe("A1");
    expect(eu("2025-03-05T10:00:00Z", DE, "receipt").extendedBy?.dueDate).toBe("2025-06-05");
  });
});

describe("effectiveDueAt - identity pauses (A3)", () => {
  const receivedAt = new Date("2025-03-05T10:00:00Z"); // Wednesday
  const { respondBy } = computeDsrDeadlines({ regime: "EU", receivedAt, timeZone: BERLIN, calendar: DE });
  const pause = (pausedAt: string, resumedAt?: string, reason: ClockPause["reason"] = "identity"): ClockPause => ({
    pausedAt: new Date(pausedAt),
    ...(resumedAt ? { resumedAt: new Date(resumedAt) } : {}),
    reason,
  });

  it("adds the paused whole days to the unadjusted end and re-applies the rollover", () => {
    const e = effectiveDueAt(respondBy, [pause("2025-03-06T10:00:00Z", "2025-03-10T15:00:00Z")], { regime: "EU", calendar: DE });
    expect(e.pausedDays).toBe(4);
    expect(e.dueDate).toBe("2025-04-09"); // 2025-04-05 + 4
    expect(e.base).toBe(respondBy);
    expect(e.appliedPauses).toHaveLength(1);
    expect(e.ignoredPauses).toHaveLength(0);
    expect(e.clockPaused).toBe(false);
    expect(e.rule).toMatch(/4 paused days/);
    // 1 paused day: 2025-04-06 is a Sunday → Monday 7th.
    expect(effectiveDueAt(respondBy, [pause("2025-03-06T10:00:00Z", "2025-03-07T08:00:00Z")], { regime: "EU", calendar: DE }).dueDate).toBe("2025-04-07");
  });

  it("counts overlapping pauses once and same-day pauses as zero", () => {
    const e = effectiveDueAt(
      respondBy,
      [pause("2025-03-06T10:00:00Z", "2025-03-09T10:00:00Z"), pause("2025-03-07T10:00:00Z", "2025-03-10T10:00:00Z"), pause("2025-03-20T08:00:00Z", "2025-03-20T12:00:00Z")],
      { calendar: DE },
    );
    expect(e.pausedDays).toBe(4);
  });

  it("EU - a pause requested after the 3-working-day threshold does not count", () => {
    // Threshold: Wed 5 March + 3 working days = end of Monday 10 March.
    const late = effectiveDueAt(respondBy, [pause("2025-03-11T09:00:00Z", "2025-03-14T09:00:00Z")], { regime: "EU", calendar: DE });
    expect(late.pausedDays).toBe(0);
    expect(late.ignoredPauses[0]?.reason).toMatch(/undue delay/);
    const onTime = effectiveDueAt(respondBy, [pause("2025-03-10T20:00:00Z", "2025-03-14T09:00:00Z")], { regime: "EU", calendar: DE });
    expect(onTime.pausedDays).toBe(4);
    const configured = effectiveDueAt(respondBy, [pause("2025-03-11T09:00:00Z", "2025-03-14T09:00:00Z")], {
      regime: "EU",
      calendar: DE,
      identityPauseThresholdWorkingDays: 5,
    });
    expect(configured.pausedDays).toBe(3);
  });

  it("EU - only identity pauses count, and the policy flag can switch them off", () => {
    const other = effectiveDueAt(respondBy, [pause("2025-03-06T10:00:00Z", "2025-03-10T10:00:00Z", "clarification")], { regime: "EU", calendar: DE });
    expect(other.pausedDays).toBe(0);
    expect(other.ignoredPauses[0]?.reason).toMatch(/identity/);
    const off = effectiveDueAt(respondBy, [pause("2025-03-06T10:00:00Z", "2025-03-10T10:00:00Z")], { regime: "EU", calendar: DE, identityPausesClock: false });
    expect(off.pausedDays).toBe(0);
    expect(off.dueDate).toBe(respondBy.dueDate);
  });

  it("an open pause counts up to now and marks the clock as paused", () => {
    const open = [pause("2025-03-06T10:00:00Z")];
    const withoutNow = effectiveDueAt(respondBy, open, { regime: "EU", calendar: DE });
    expect(withoutNow.pausedDays).toBe(0);
    expect(withoutNow.clockPaused).toBe(true);
    const withNow = effectiveDueAt(respondBy, open, { regime: "EU", calendar: DE, now: new Date("2025-03-16T10:00:00Z") });
    expect(withNow.pausedDays).toBe(10);
    expect(withNow.clockPaused).toBe(true);
  });

  it("pauses after the deadline passed or before receipt do not count", () => {
    const e = effectiveDueAt(respondBy, [pause("2025-04-08T10:00:00Z", "2025-04-12T10:00:00Z"), pause("2025-03-01T10:00:00Z", "2025-03-06T10:00:00Z")], {
      calendar: DE,
    });
    expect(e.pausedDays).toBe(0);
    expect(e.ignoredPauses.map((i) => i.reason)).toEqual([expect.stringMatching(/before the period/), expect.stringMatching(/already passed/)]);
  });

  it("rejects bad pauses, a different calendar and instant clocks", () => {
    expectInvalidPeriod(() => effectiveDueAt(respondBy, [pause("2025-03-10T10:00:00Z", "2025-03-06T10:00:00Z")], { calendar: DE }), /before its pausedAt/);
    expectInvalidPeriod(() => effectiveDueAt(respondBy, [], { calendar: UK }), /"DE"/);
    expectInvalidPeriod(() => effectiveDueAt(respondBy, []), /"DE"/);
    expectInvalidPeriod(() => effectiveDueAt(addHours(receivedAt, 72), []), /exact-instant/);
    expectInvalidPeriod(() => effectiveDueAt(respondBy, [{ pausedAt: new Date("x"), reason: "identity" }], { calendar: DE }), /pausedAt/);
  });
});

describe("computeDsrDeadlines - UK (A4)", () => {
  it("ukClockStart - the latest of receipt, ID and fee", () => {
    const receivedAt = new Date("2025-07-01T09:00:00Z");
    expect(ukClockStart({ receivedAt }).toISOString()).toBe("2025-07-01T09:00:00.000Z");
    expect(ukClockStart({ receivedAt, idReceivedAt: new Date("2025-07-04T12:00:00Z") }).toISOString()).toBe("2025-07-04T12:00:00.000Z");
    expect(
      ukClockStart({ receivedAt, idReceivedAt: new Date("2025-07-04T12:00:00Z"), feeReceivedAt: new Date("2025-07-08T12:00:00Z") }).toISOString(),
    ).toBe("2025-07-08T12:00:00.000Z");
    expect(ukClockStart({ receivedAt, idReceivedAt: new Date("2025-06-30T12:00:00Z") }).toISOString()).toBe("2025-07-01T09:00:00.000Z");
    expectInvalidPeriod(() => ukClockStart({ receivedAt, feeReceivedAt: new Date("x") }), /feeReceivedAt/);
  });

  it("counts the month from the clock start and rolls over bank holidays", () => {
    const d = computeDsrDeadlines({
      regime: "UK",
      receivedAt: new Date("2025-03-28T09:00:00Z"),
      timeZone: LONDON,
      calendar: UK,
      options: { idReceivedAt: new Date("2025-04-05T09:00:00Z") },
    });
    expect(d.clockStartedAt.toISOString()).toBe("2025-04-05T09:00:00.000Z");
    expect(d.respondBy.dueDate).toBe("2025-05-06"); // 2025-05-05 is the Early May bank holiday
    expect(d.respondBy.dueAt.toISOString()).toBe("2025-05-06T22:59:59.999Z");
    expect(d.extendedBy?.dueDate).toBe("2025-07-07"); // 2025-07-05 is a Saturday
    expect(d.identityPause.mode).toBe("clock-start");
  });

  it("clarification pauses count; identity pauses are replaced by the clock start", () => {
    const { respondBy } = computeDsrDeadlines({ regime: "UK", receivedAt: new Date("2025-03-05T10:00:00Z"), timeZone: LONDON, calendar: UK });
    const pauses: ClockPause[] = [
      { pausedAt: new Date("2025-03-06T10:00:00Z"), resumedAt: new Date("2025-03-09T10:00:00Z"), reason: "clarification" },
      { pausedAt: new Date("2025-03-20T10:00:00Z"), resumedAt: new Date("2025-03-25T10:00:00Z"), reason: "identity" },
    ];
    const e = effectiveDueAt(respondBy, pauses, { regime: "UK", calendar: UK });
    expect(e.pausedDays).toBe(3);
    expect(e.dueDate).toBe("2025-04-08"); // 2025-04-05 + 3
    expect(e.ignoredPauses[0]?.reason).toMatch(/ukClockStart/);
  });
});

describe("computeDsrDeadlines - US-CA (A5)", () => {
  const receivedAt = new Date("2025-03-05T17:00:00Z");

  it("conservative count by default: receipt day is day 1", () => {
    const d = computeDsrDeadlines({ regime: "US-CA", receivedAt, timeZone: LA, calendar: US_CA });
    expect(d.acknowledgeBy?.dueDate).toBe("2025-03-19");
    expect(d.acknowledgeBy?.source).toBe("A5");
    expect(d.respondBy.dueDate).toBe("2025-04-18");
    expect(d.extendedBy?.dueDate).toBe("2025-06-02");
    expect(d.extensionNoticeBy).toBe(d.respondBy);
    expect(d.identityPause.mode).toBe("never");
  });

  it("civilCode10 count: receipt + 45 / + 90; no rollover unless asked", () => {
    const d = computeDsrDeadlines({ regime: "US-CA", receivedAt, timeZone: LA, calendar: US_CA, options: { ccpaDayCount: "civilCode10" } });
    expect(d.respondBy.dueDate).toBe("2025-04-19");
    expect(d.extendedBy?.dueDate).toBe("2025-06-03");
    const rolled = computeDsrDeadlines({ regime: "US-CA", receivedAt, timeZone: LA, calendar: US_CA, options: { ccpaDayCount: "civilCode10", rollover: true } });
    expect(rolled.respondBy.dueDate).toBe("2025-04-21");
  });

  it("acknowledgement skips Thanksgiving and the day after (US-CA calendar)", () => {
    const d = computeDsrDeadlines({ regime: "US-CA", receivedAt: new Date("2025-11-20T18:00:00Z"), timeZone: LA, calendar: US_CA });
    expect(d.acknowledgeBy?.dueDate).toBe("2025-12-08");
    expect(d.respondBy.dueDate).toBe("2026-01-03"); // calendar days, a Saturday, kept
  });

  it("the clock is never paused", () => {
    const { respondBy } = computeDsrDeadlines({ regime: "US-CA", receivedAt, timeZone: LA, calendar: US_CA });
    const e = effectiveDueAt(respondBy, [{ pausedAt: new Date("2025-03-06T17:00:00Z"), resumedAt: new Date("2025-03-20T17:00:00Z"), reason: "identity" }], {
      regime: "US-CA",
      calendar: US_CA,
    });
    expect(e.pausedDays).toBe(0);
    expect(e.dueAt.getTime()).toBe(respondBy.dueAt.getTime());
    expect(e.ignoredPauses[0]?.reason).toMatch(/never paused/);
  });
});

describe("opt-out and marketing clocks (A6, A8, A9, A10)", () => {
  it("A6 - CCPA opt-out and limit requests: 15 business days from receipt", () => {
    const received = new Date("2025-11-19T18:00:00Z"); // Wednesday
    const optOut = optOutHonourBy("US-CA", received, { timeZone: LA, calendar: US_CA });
    expect(optOut.dueDate).toBe("2025-12-12");
    expect(optOut.source).toBe("A6");
    expect(optOutHonourBy("US-CA", received, { timeZone: LA, calendar: US_CA, request: "limit" }).dueDate).toBe("2025-12-12");
  });

  it("A6 - re-opt-in may be requested 12 months after the opt-out", () => {
    expect(reOptInAllowedAfter("US-CA", new Date("2025-03-05T10:00:00Z"))?.toISOString()).toBe("2026-03-05T10:00:00.000Z");
    expect(reOptInAllowedAfter("US-CA", new Date("2024-02-29T10:00:00Z"))?.toISOString()).toBe("2025-02-28T10:00:00.000Z");
    expect(reOptInAllowedAfter("EU", new Date("2025-03-05T10:00:00Z"))).toBeUndefined();
  });

  it("A8 - CAN-SPAM: 10 business days from receipt, skipping federal holidays", () => {
    const d = optOutHonourBy("US", new Date("2025-06-30T15:00:00Z"), { timeZone: "America/New_York", calendar: US });
    expect(d.dueDate).toBe("2025-07-15"); // 4 July skipped
    expect(d.source).toBe("A8");
    expectInvalidPeriod(() => optOutHonourBy("US", new Date(), { timeZone: "UTC", request: "limit" }), /limit/);
  });

  it("A9 - CASL: 10 business days from the sending of the indication, skipping federal holidays", () => {
    const d = optOutHonourBy("CA", new Date("2025-06-27T14:00:00Z"), { timeZone: "America/Toronto", calendar: CA });
    expect(d.dueDate).toBe("2025-07-14"); // Canada Day skipped
    expect(d.source).toBe("A9");
  });

  it("opt-out - regimes without an opt-out deadline are rejected", () => {
    expectInvalidPeriod(() => optOutHonourBy("EU" as unknown as "US", new Date(), { timeZone: "UTC" }), /no opt-out deadline/);
    expectInvalidPeriod(() => optOutHonourBy("XX" as unknown as "US", new Date(), { timeZone: "UTC" }));
  });

  it("A8/A9 - the unsubscribe link lives for the longest requirement (CASL 60 beats CAN-SPAM 30)", () => {
    const sentAt = new Date("2025-03-05T12:00:00Z");
    expect(unsubscribeLinkMinLifetime(sentAt, ["US"]).toISOString()).toBe("2025-04-04T23:59:59.999Z");
    expect(unsubscribeLinkMinLifetime(sentAt, ["US", "CA"]).toISOString()).toBe("2025-05-04T23:59:59.999Z");
    expect(unsubscribeLinkMinLifetime(sentAt, ["CA", "US", "EU"]).toISOString()).toBe("2025-05-04T23:59:59.999Z");
    expect(unsubscribeLinkMinLifetime(sentAt, ["EU"]).toISOString()).toBe(sentAt.toISOString());
    expect(unsubscribeLinkMinLifetime(sentAt, ["US"], { timeZone: "America/New_York" }).toISOString()).toBe("2025-04-05T03:59:59.999Z");
    expectInvalidPeriod(() => unsubscribeLinkMinLifetime(sentAt, ["ZZ" as unknown as "US"]));
  });

  it("unsubscribe lifetime - always at least N × 24 hours, even across a spring-forward DST change", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }), (sentAt) => {
        const until = unsubscribeLinkMinLifetime(sentAt, ["US", "CA"], { timeZone: "America/Toronto" });
        expect(until.getTime()).toBeGreaterThanOrEqual(sentAt.getTime() + 60 * 86_400_000);
      }),
    );
  });

  it("A10 - CASL implied consent: 2 years after purchase, contract end and other relationships; 6 months after an inquiry", () => {
    const at = new Date("2025-03-05T10:00:00Z");
    expect(caslImpliedConsentExpiry("purchase", at).toISOString()).toBe("2027-03-05T10:00:00.000Z");
    expect(caslImpliedConsentExpiry("contract", at).toISOString()).toBe("2027-03-05T10:00:00.000Z");
    expect(caslImpliedConsentExpiry("business-opportunity", at).toISOString()).toBe("2027-03-05T10:00:00.000Z");
    expect(caslImpliedConsentExpiry("non-business", at).toISOString()).toBe("2027-03-05T10:00:00.000Z");
    expect(caslImpliedConsentExpiry("inquiry", at).toISOString()).toBe("2025-09-05T10:00:00.000Z");
    expect(caslImpliedConsentExpiry("purchase", new Date("2024-02-29T15:00:00Z")).toISOString()).toBe("2026-02-28T15:00:00.000Z");
    // Same local time across a DST change in Toronto (EST → EDT).
    expect(caslImpliedConsentExpiry("inquiry", new Date("2025-01-15T15:00:00Z"), { timeZone: "America/Toronto" }).toISOString()).toBe(
      "2025-07-15T14:00:00.000Z",
    );
    expectInvalidPeriod(() => caslImpliedConsentExpiry("express" as unknown as "purchase", at), /express/);
    expectInvalidPeriod(() => caslImpliedConsentExpiry("purchase", new Date("x")));
  });
});

describe("computeDsrDeadlines - BR (A7)", () => {
  it("15 days for the complete declaration, immediate simplified answer", () => {
    const receivedAt = new Date("2025-03-05T13:00:00Z");
    const d = computeDsrDeadlines({ regime: "BR", receivedAt, timeZone: SAO_PAULO, calendar: BR });
    expect(d.respondBy.dueDate).toBe("2025-03-20");
    expect(d.respondBy.source).toBe("A7");
    expect(d.simplifiedResponseBy?.dueAt.toISOString()).toBe(receivedAt.toISOString());
    expect(d.simplifiedResponseBy?.kind).toBe("instant");
    expect(d.extendedBy).toBeUndefined();
    expect(d.extensionNoticeBy).toBeUndefined();
  });

  it("doubled for small processing agents", () => {
    const d = computeDsrDeadlines({ regime: "BR", receivedAt: new Date("2025-03-05T13:00:00Z"), timeZone: SAO_PAULO, options: { smallAgent: true } });
    expect(d.respondBy.dueDate).toBe("2025-04-04");
  });
});

describe("computeBreachDeadlines (A11, F1, F4)", () => {
  it("EU/UK - 72 hours exactly, no rollover over Easter", () => {
    for (const regime of ["EU", "UK"] as const) {
      const b = computeBreachDeadlines({ regime, awareAt: new Date("2025-04-18T16:00:00Z"), timeZone: BERLIN, calendar: DE });
      expect(b.notifyAuthorityBy.dueAt.toISOString()).toBe("2025-04-21T16:00:00.000Z");
      expect(b.notifyAuthorityBy.kind).toBe("instant");
      expect(b.notifyAuthorityBy.source).toBe("A11");
      expect(b.supplementBy).toBeUndefined();
    }
  });

  it("BR - 3 business days (national holidays skipped), 20 for the supplement, doubled for small agents", () => {
    const awareAt = new Date("2025-04-17T13:00:00Z"); // Thursday before Good Friday; Monday 21 is Tiradentes
    const b = computeBreachDeadlines({ regime: "BR", awareAt, timeZone: SAO_PAULO, calendar: BR });
    expect(b.notifyAuthorityBy.dueDate).toBe("2025-04-24");
    expect(b.notifyAuthorityBy.source).toBe("F4");
    expect(b.supplementBy?.dueDate).toBe("2025-05-20"); // Good Friday, Tiradentes and 1 May skipped
    const small = computeBreachDeadlines({ regime: "BR", awareAt, timeZone: SAO_PAULO, calendar: BR, smallAgent: true });
    expect(small.notifyAuthorityBy.dueDate).toBe("2025-04-29");
  });

  it("rejects regimes without a breach clock", () => {
    expectInvalidPeriod(() => computeBreachDeadlines({ regime: "US" as unknown as "EU", awareAt: new Date(), timeZone: "UTC" }), /regime/);
  });
});

describe("computeDsrDeadlines - input errors", () => {
  it("rejects regimes without DSR deadlines, bad dates, zones and calendars with INVALID_PERIOD", () => {
    const receivedAt = new Date("2025-03-05T10:00:00Z");
    expectInvalidPeriod(() => computeDsrDeadlines({ regime: "US" as unknown as DsrRegimeId, receivedAt, timeZone: "UTC" }), /regime/);
    expectInvalidPeriod(() => computeDsrDeadlines({ regime: "EU", receivedAt: new Date("nope"), timeZone: "UTC" }), /receivedAt/);
    expectInvalidPeriod(() => computeDsrDeadlines({ regime: "EU", receivedAt, timeZone: "Europe/Atlantis" }), /Europe\/Atlantis/);
    expectInvalidPeriod(() => computeDsrDeadlines({ regime: "EU", receivedAt, timeZone: BERLIN, calendar: { id: "x" } as unknown as HolidayCalendar }), /calendar/);
    expectInvalidPeriod(
      () => computeDsrDeadlines({ regime: "US-CA", receivedAt, timeZone: LA, options: { ccpaDayCount: "weird" as unknown as "conservative" } }),
      /ccpaDayCount/,
    );
  });
});

// ---------------------------------------------------------------------------
// Properties.

const instantArb = fc.date({ min: new Date("2019-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:59Z"), noInvalidDate: true });
const SETUPS: { regime: DsrRegimeId; timeZone: string; calendar: HolidayCalendar }[] = [
  { regime: "EU", timeZone: BERLIN, calendar: DE },
  { regime: "EU", timeZone: "Europe/Dublin", calendar: createHolidayCalendar("IE") },
  { regime: "UK", timeZone: LONDON, calendar: UK },
  { regime: "US-CA", timeZone: LA, calendar: US_CA },
  { regime: "BR", timeZone: SAO_PAULO, calendar: BR },
  { regime: "EU", timeZone: "Europe/Paris", calendar: weekendOnlyCalendar },
];

describe("properties - regimes", () => {
  it("a later receipt never gives an earlier DSR deadline", () => {
    fc.assert(
      fc.property(instantArb, instantArb, fc.constantFrom(...SETUPS), fc.boolean(), (x, y, setup, chained) => {
        const [a, b] = x.getTime() <= y.getTime() ? [x, y] : [y, x];
        const options = { extensionFrom: chained ? ("base-deadline" as const) : ("receipt" as const) };
        const da = computeDsrDeadlines({ ...setup, receivedAt: a, options });
        const db = computeDsrDeadlines({ ...setup, receivedAt: b, options });
        expect(da.respondBy.dueAt.getTime()).toBeLessThanOrEqual(db.respondBy.dueAt.getTime());
        if (da.extendedBy && db.extendedBy) expect(da.extendedBy.dueAt.getTime()).toBeLessThanOrEqual(db.extendedBy.dueAt.getTime());
        if (da.acknowledgeBy && db.acknowledgeBy) expect(da.acknowledgeBy.dueAt.getTime()).toBeLessThanOrEqual(db.acknowledgeBy.dueAt.getTime());
        if (da.extendedBy) expect(da.extendedBy.dueAt.getTime()).toBeGreaterThanOrEqual(da.respondBy.dueAt.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it("EU/UK DSR and business-day deadlines never land on a weekend or holiday of their calendar", () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...SETUPS), fc.boolean(), (receivedAt, setup, chained) => {
        const d = computeDsrDeadlines({ ...setup, receivedAt, options: { extensionFrom: chained ? "base-deadline" : "receipt" } });
        if (setup.regime === "EU" || setup.regime === "UK") {
          expect(isWorkingDay(d.respondBy.dueDate, setup.calendar)).toBe(true);
          expect(isWorkingDay(d.extendedBy?.dueDate ?? "", setup.calendar)).toBe(true);
        }
        if (d.acknowledgeBy) expect(isWorkingDay(d.acknowledgeBy.dueDate, setup.calendar)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("EU extension from receipt equals addCalendarMonths(receipt, 3)", () => {
    fc.assert(
      fc.property(instantArb, (receivedAt) => {
        const d = computeDsrDeadlines({ regime: "EU", receivedAt, timeZone: BERLIN, calendar: DE });
        expect(d.extendedBy?.dueAt.getTime()).toBe(addCalendarMonths(receivedAt, 3, { timeZone: BERLIN, calendar: DE }).dueAt.getTime());
      }),
      { numRuns: 100 },
    );
  });

  it("pauses never make a deadline earlier, and longer pauses never make it earlier than shorter ones", () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (receivedAt, offsetDays, shortDays, extraDays) => {
          const { respondBy } = computeDsrDeadlines({ regime: "EU", receivedAt, timeZone: BERLIN, calendar: DE });
          const pausedAt = new Date(receivedAt.getTime() + offsetDays * 86_400_000);
          const shortPause: ClockPause = { pausedAt, resumedAt: new Date(pausedAt.getTime() + shortDays * 86_400_000), reason: "identity" };
          const longPause: ClockPause = { ...shortPause, resumedAt: new Date(pausedAt.getTime() + (shortDays + extraDays) * 86_400_000) };
          const short = effectiveDueAt(respondBy, [shortPause], { calendar: DE });
          const long = effectiveDueAt(respondBy, [longPause], { calendar: DE });
          expect(short.dueAt.getTime()).toBeGreaterThanOrEqual(respondBy.dueAt.getTime());
          expect(long.dueAt.getTime()).toBeGreaterThanOrEqual(short.dueAt.getTime());
          expect(isWorkingDay(long.dueDate, DE)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
