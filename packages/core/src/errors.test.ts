import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ERROR_CODES, LawfulError, isLawfulError, lawfulErrorFromZod, parseOrThrow } from "./errors.js";

class AuditError extends LawfulError {
  constructor(...args: ConstructorParameters<typeof LawfulError>) {
    super(...args);
    this.name = "AuditError";
  }
}

describe("LawfulError", () => {
  it("constructor - keeps code, message, issues and cause", () => {
    const cause = new Error("driver");
    const e = new LawfulError("NOT_FOUND", "missing", { issues: [{ path: ["id"], message: "Required", code: "required" }], cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("NOT_FOUND");
    expect(e.issues).toEqual([{ path: ["id"], message: "Required", code: "required" }]);
    expect(e.cause).toBe(cause);
    expect(Object.isFrozen(e.issues)).toBe(true);
    expect(e.toJSON()).toEqual({ name: "LawfulError", code: "NOT_FOUND", message: "missing", issues: e.issues });
  });

  it("isLawfulError - recognises subclasses and look-alikes from a duplicated install", () => {
    expect(isLawfulError(new AuditError("CONFLICT", "x"))).toBe(true);
    const foreign = Object.assign(new Error("x"), { name: "ConsentError", code: "CONFLICT", issues: [] });
    expect(isLawfulError(foreign)).toBe(true);
    expect(isLawfulError(new Error("x"))).toBe(false);
    expect(isLawfulError({ name: "LawfulError", code: "X", issues: [] })).toBe(false);
    expect(isLawfulError(null)).toBe(false);
  });

  it("lawfulErrorFromZod - names every bad field and never echoes the value", () => {
    const schema = z.object({ email: z.email(), age: z.number().int(), tags: z.array(z.string()) });
    const r = schema.safeParse({ email: "secret-person@@", age: 1.5, tags: [1] });
    expect(r.success).toBe(false);
    if (r.success) return;
    const e = lawfulErrorFromZod(r.error, "contact", AuditError);
    expect(e).toBeInstanceOf(AuditError);
    expect(e.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    expect(e.issues.map((i) => i.path.join("."))).toEqual(["email", "age", "tags.0"]);
    expect(e.message).toContain("Invalid contact: 3 problems");
    expect(e.message).not.toContain("secret-person");
  });

  it("parseOrThrow - returns parsed data or throws VALIDATION_FAILED", () => {
    expect(parseOrThrow(z.coerce.number(), "4")).toBe(4);
    expect(() => parseOrThrow(z.string(), 4, "name")).toThrowError(/Invalid name/);
  });
});
