import { describe, expect, it } from "vitest";
import { createMemoryAuditSink } from "@lawful/core";
import { issueLegalHold, releaseLegalHold } from "./hold-actions.js";
import { createMemoryRetentionStore } from "./stores/memory.js";
import { evaluateRecord } from "./evaluate.js";

describe("issueLegalHold / releaseLegalHold", () => {
  it("store the hold, audit both steps, and held records fall back to the rules after release", async () => {
    const store = createMemoryRetentionStore();
    const audit = createMemoryAuditSink();
    const actor = { type: "staff" as const, id: "u_legal" };
    await issueLegalHold({ store, audit, tenantId: "acme", actor, hold: { id: "h1", matter: "Claim 17", scope: { subjectIds: ["s1"] }, issuedBy: "u_legal", issuedAt: new Date("2026-01-01T00:00:00Z") } });
    const rules = [{ id: "r", title: "R", kind: "maximum" as const, action: "delete" as const, duration: "P1Y", trigger: { type: "created" as const } }];
    const rec = { id: "x", recordType: "lead", subjectId: "s1", createdAt: "2020-01-01T00:00:00Z" };
    const now = new Date("2026-07-01T00:00:00Z");
    expect(evaluateRecord(rec, { rules, holds: await store.listHolds("acme"), now }).outcome).toBe("hold");
    await releaseLegalHold({ store, audit, tenantId: "acme", actor, holdId: "h1", releasedAt: new Date("2026-06-01T00:00:00Z") });
    expect(evaluateRecord(rec, { rules, holds: await store.listHolds("acme"), now }).outcome).toBe("delete");
    expect(audit.events.map((e) => e.action)).toEqual(["retention.hold_issued", "retention.hold_released"]);
    expect(JSON.stringify(audit.events)).not.toContain("Claim 17");
    await expect(releaseLegalHold({ store, audit, tenantId: "acme", actor, holdId: "nope", releasedAt: now })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
