import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isLawfulError } from "@lawful/core";
import { createHarness, createMapDataSource } from "./internal/harness.js";
import { DSR_STATES, TERMINAL_STATES } from "./model.js";
import { DSR_ACTIONS, DSR_TRANSITIONS, isTerminalState, nextState } from "./state-machine.js";

describe("transition table", () => {
  it("DSR_TRANSITIONS - covers every state, only names known actions and states, terminal states allow nothing", () => {
    expect(Object.keys(DSR_TRANSITIONS).sort()).toEqual([...DSR_STATES].sort());
    for (const [state, actions] of Object.entries(DSR_TRANSITIONS)) {
      for (const [action, to] of Object.entries(actions)) {
        expect(DSR_ACTIONS).toContain(action);
        expect(DSR_STATES).toContain(to);
      }
      if (TERMINAL_STATES.includes(state as never)) expect(actions).toEqual({});
    }
    expect(nextState("verified", "start")).toBe("in_progress");
    expect(nextState("in_progress", "cancel")).toBeUndefined();
    expect(isTerminalState("partially_completed")).toBe(true);
  });
});

type Op =
  | { op: "submit"; type: "access" | "erasure" | "ccpa_know_categories" | "ccpa_opt_out" | "objection"; who: number }
  | { op: "askCode" | "goodCode" | "badCode" | "verify" | "start" | "extend" | "pause" | "resume" | "deny" | "cancel" | "withdraw" | "complete"; pick: number }
  | { op: "work" }
  | { op: "advance"; hours: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("submit" as const), type: fc.constantFrom("access" as const, "erasure" as const, "ccpa_know_categories" as const, "ccpa_opt_out" as const, "objection" as const), who: fc.nat(3) }),
  fc.record({
    op: fc.constantFrom("askCode" as const, "goodCode" as const, "badCode" as const, "verify" as const, "start" as const, "extend" as const, "pause" as const, "resume" as const, "deny" as const, "cancel" as const, "withdraw" as const, "complete" as const),
    pick: fc.nat(20),
  }),
  fc.record({ op: fc.constant("work" as const) }),
  fc.record({ op: fc.constant("advance" as const), hours: fc.integer({ min: 1, max: 24 * 20 }) }),
);

const ALLOWED_CODES = new Set(["ILLEGAL_TRANSITION", "POLICY_VIOLATION", "VALIDATION_FAILED"]);

describe("state machine under random API calls", () => {
  it("property - random sequences never reach a state outside the table and never lose a request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const h = createHarness("2025-03-05T10:00:00Z", {
          dataSources: [createMapDataSource("crm", { "contact.email": [{ category: "contact.email", provenance: "provided", fields: { e: 1 } }] })],
        });
        const submitted: string[] = [];
        const secrets = new Map<string, string>();
        const pick = (n: number) => submitted[n % Math.max(1, submitted.length)];
        for (const o of ops) {
          try {
            if (o.op === "submit") {
              const us = o.type.startsWith("ccpa");
              const { request } = await h.dsr.submit({
                tenantId: "t1",
                type: o.type,
                regime: us ? "US-CA" : "EU",
                subject: { kind: "email", value: `p${o.who}@example.com` },
                channel: "web_form",
                timeZone: us ? "America/Los_Angeles" : "Europe/Berlin",
                ...(o.type === "objection" ? { details: { objectionScope: o.who % 2 === 0 ? ("direct_marketing" as const) : ("legitimate_interests" as const) } } : {}),
              });
              submitted.push(request.id);
            } else if (o.op === "work") {
              await h.dsr.work({ workerId: "w" });
            } else if (o.op === "advance") {
              h.clock.advance({ hours: o.hours });
            } else {
              const id = pick(o.pick);
              if (id === undefined) continue;
              const actor = { type: "staff" as const, id: "u" };
              switch (o.op) {
                case "askCode":
                  secrets.set(id, (await h.dsr.requestVerification("t1", id)).secret);
                  break;
                case "goodCode":
                  await h.dsr.submitVerificationSecret("t1", id, secrets.get(id) ?? "123456");
                  break;
                case "badCode":
                  await h.dsr.submitVerificationSecret("t1", id, "not-a-code");
                  break;
                case "verify":
                  await h.dsr.verifyManually("t1", id, { dataPointsMatched: 3, declarationSigned: true, evidence: ["e"], reviewer: "u" }, actor);
                  break;
                case "start":
                  await h.dsr.start("t1", id, actor);
                  break;
                case "extend":
                  await h.dsr.extend("t1", id, { reason: "complexity", notifiedAt: h.clock.now() }, actor);
                  break;
                case "pause":
                  await h.dsr.pause("t1", id, "identity", actor);
                  break;
                case "resume":
                  await h.dsr.resume("t1", id, actor);
                  break;
                case "deny":
                  await h.dsr.deny("t1", id, { reason: "no_data", explanation: "none held" }, actor);
                  break;
                case "cancel":
                  await h.dsr.cancel("t1", id, "operator cancelled", actor);
                  break;
                case "withdraw":
                  await h.dsr.withdraw("t1", id, actor);
                  break;
                case "complete":
                  await h.dsr.complete("t1", id, { nature: "done by hand" }, actor);
                  break;
              }
            }
          } catch (e) {
            if (!(isLawfulError(e) && ALLOWED_CODES.has(e.code))) throw e;
          }
        }
        const stored = await h.store.listRequests("t1");
        expect(stored.map((r) => r.id).sort()).toEqual([...submitted].sort());
        for (const r of stored) {
          expect(DSR_STATES).toContain(r.state);
          expect(r.version).toBeGreaterThanOrEqual(r.history.length);
          let state = "received";
          for (const [i, entry] of r.history.entries()) {
            if (i === 0) {
              expect(entry.action).toBe("submit");
              continue;
            }
            expect(entry.from).toBe(state);
            expect(DSR_TRANSITIONS[entry.from][entry.action as never]).toBe(entry.to);
            state = entry.to;
          }
          expect(r.state).toBe(state);
        }
        const transitions = h.audit.events.filter((e) => e.action === "request.transitioned").length;
        expect(transitions).toBe(stored.reduce((n, r) => n + r.history.length, 0));
      }),
      { numRuns: 60 },
    );
  });
});
