import { describe, expect, it } from "vitest";
import { createMemoryAuditSink } from "./audit-sink.js";
import { isLawfulError } from "./errors.js";

describe("memory audit sink", () => {
  it("record - validates, applies defaults and numbers events per tenant", async () => {
    const sink = createMemoryAuditSink();
    const a = await sink.record({ tenantId: "t1", action: "data.accessed", actor: { type: "system", id: "crm" } });
    const b = await sink.record({ tenantId: "t2", action: "data.accessed", actor: { type: "system", id: "crm" } });
    const c = await sink.record({ tenantId: "t1", action: "consent.given", actor: { type: "subject", id: "ps1_x" }, subject: { kind: "email", value: "A@B.co" } });
    expect([a.sequence, b.sequence, c.sequence]).toEqual([0, 0, 1]);
    expect(sink.events[0]!.outcome).toBe("succeeded");
    expect(sink.events[2]!.subject).toEqual({ kind: "email", value: "a@b.co" });
  });

  it("recordMany - writes all or nothing and names the bad event and field", async () => {
    const sink = createMemoryAuditSink();
    const err = await sink
      .recordMany([
        { tenantId: "t1", action: "data.accessed", actor: { type: "system", id: "crm" } },
        { tenantId: "t1", action: "NotNamespaced", actor: { type: "system", id: "crm" } },
      ])
      .catch((e: unknown) => e);
    expect(isLawfulError(err) && err.code).toBe("VALIDATION_FAILED");
    expect(isLawfulError(err) && err.issues[0]!.path).toEqual(["action"]);
    expect(String((err as Error).message)).toContain("audit event #1");
    expect(sink.events).toHaveLength(0);
  });

  it("record - refuses both subject and subjectPseudonym", async () => {
    const sink = createMemoryAuditSink();
    await expect(
      sink.record({ tenantId: "t", action: "data.accessed", actor: { type: "system", id: "x" }, subject: { kind: "customer_id", value: "1" }, subjectPseudonym: "ps1_a" }),
    ).rejects.toThrow(/either subject or subjectPseudonym/);
  });
});
