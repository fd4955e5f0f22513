import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ActorSchema,
  DataCategorySchema,
  PurposeIdSchema,
  SubjectRefSchema,
  TenantIdSchema,
  createDataCategoryTaxonomy,
  normalizeSubjectValue,
} from "./vocabulary.js";

describe("vocabulary", () => {
  it("SubjectRefSchema - normalises e-mail and phone", () => {
    expect(SubjectRefSchema.parse({ kind: "email", value: "  Ada.Lovelace@Example.COM " })).toEqual({ kind: "email", value: "ada.lovelace@example.com" });
    expect(SubjectRefSchema.parse({ kind: "phone", value: "0049 (30) 123-4567" })).toEqual({ kind: "phone", value: "+49301234567" });
    expect(SubjectRefSchema.parse({ kind: "customer_id", value: " c-1 " })).toEqual({ kind: "customer_id", value: "c-1" });
  });

  it("SubjectRefSchema - rejects invalid identifiers at `value` without echoing them", () => {
    const r = SubjectRefSchema.safeParse({ kind: "email", value: "private-but-broken" });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues[0]!.path).toEqual(["value"]);
      expect(r.error.issues[0]!.message).not.toContain("private-but-broken");
    }
    expect(SubjectRefSchema.safeParse({ kind: "phone", value: "12" }).success).toBe(false);
    expect(SubjectRefSchema.safeParse({ kind: "device_id", value: "a\u0000b" }).success).toBe(false);
    expect(SubjectRefSchema.safeParse({ kind: "fax", value: "1" }).success).toBe(false);
  });

  it("normalizeSubjectValue - is idempotent for e-mail", () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const once = normalizeSubjectValue("email", email);
        return once === undefined || normalizeSubjectValue("email", once) === once;
      }),
    );
  });

  it("schemas - accept and reject ids by their documented shapes", () => {
    expect(TenantIdSchema.safeParse("acme-gmbh").success).toBe(true);
    expect(TenantIdSchema.safeParse("../etc").success).toBe(false);
    expect(PurposeIdSchema.safeParse("marketing.email").success).toBe(true);
    expect(PurposeIdSchema.safeParse("Marketing").success).toBe(false);
    expect(DataCategorySchema.safeParse("contact.email").success).toBe(true);
    expect(DataCategorySchema.safeParse("contact..email").success).toBe(false);
    expect(ActorSchema.safeParse({ type: "robot", id: "x" }).success).toBe(false);
  });

  it("createDataCategoryTaxonomy - extends the defaults and answers hierarchy questions", () => {
    const tax = createDataCategoryTaxonomy({ "behaviour.lead_score": "Lead score" });
    expect(tax.isKnown("behaviour.lead_score")).toBe(true);
    expect(tax.isKnown("contact.email")).toBe(true);
    expect(tax.isSpecial("special.health")).toBe(true);
    expect(tax.isSpecial("contact.email")).toBe(false);
    expect(tax.ancestors("a.b.c")).toEqual(["a.b", "a"]);
    expect(tax.isWithin("contact.email", "contact")).toBe(true);
    expect(tax.isWithin("contactx", "contact")).toBe(false);
    expect(tax.describe("behaviour.lead_score")).toBe("Lead score");
    expect(() => createDataCategoryTaxonomy({ "Bad Key": "x" })).toThrow(/data category taxonomy/);
  });
});
