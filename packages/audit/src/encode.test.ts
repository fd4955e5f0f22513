import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLawfulError } from "@lawful/core";
import { encodeAuditEvent, prepareAuditEvent } from "./log.js";
import type { StoredAuditEvent } from "./model.js";

type Open = Omit<StoredAuditEvent, "sequence" | "recordedAt">;

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme" }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("recordedAt", "sequence", "é", "\u{1F600}", "a\"b")), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const event: fc.Arbitrary<Open> = fc.record(
  {
    v: fc.constant(1 as const),
    id: fc.string({ minLength: 1, maxLength: 20 }),
    tenantId: fc.constantFrom("t1", "tenant-ä"),
    occurredAt: fc.constant("2026-01-01T00:00:00.000Z"),
    actor: fc.record({ type: fc.constantFrom("staff" as const, "system" as const), id: fc.string({ minLength: 1, maxLength: 8 }) }),
    action: fc.constantFrom("data.accessed", "consent.given"),
    outcome: fc.constantFrom("success" as const, "failure" as const),
    subject: fc.string({ minLength: 1, maxLength: 10 }),
    purpose: fc.constantFrom("support", "newsletter"),
    correlationId: fc.string({ minLength: 1, maxLength: 10 }),
    details: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
  },
  { requiredKeys: ["v", "id", "tenantId", "occurredAt", "actor", "action", "outcome"] },
) as unknown as fc.Arbitrary<Open>;

describe("prepareAuditEvent", () => {
  it("prepareAuditEvent - splices sequence and time into bytes and a leaf hash identical to encodeAuditEvent", () => {
    fc.assert(
      fc.property(event, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.date({ noInvalidDate: true, min: new Date(0), max: new Date("9999-12-31") }), (e, sequence, at) => {
        const recordedAt = at.toISOString();
        const expected = encodeAuditEvent({ ...e, sequence, recordedAt });
        const got = prepareAuditEvent(e)(sequence, recordedAt);
        expect(Buffer.from(got.bytes).toString("utf8")).toBe(expected.bytes.toString("utf8"));
        expect(Buffer.from(got.leafHash).equals(expected.leafHash)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("prepareAuditEvent - an undefined member is refused like encodeAuditEvent refuses it", () => {
    const e = { v: 1, id: "e1", tenantId: "t1", occurredAt: "2026-01-01T00:00:00.000Z", actor: { type: "system", id: "s" }, action: "data.accessed", outcome: "success", purpose: undefined } as unknown as Open;
    const encode = prepareAuditEvent(e);
    let error: unknown;
    try {
      encode(0, "2026-01-01T00:00:00.000Z");
    } catch (caught) {
      error = caught;
    }
    expect(isLawfulError(error) && error.code).toBe("NOT_JSON_SERIALIZABLE");
  });
});
