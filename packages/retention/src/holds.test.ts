import { describe, expect, it } from "vitest";
import { isHoldActive, loadHolds, nextHoldReview } from "./holds.js";
import { RetentionError } from "./errors.js";

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe("legal holds", () => {
  it("loadHolds parses dates, sorts by id and reports every problem", () => {
    const holds = loadHolds([
      { id: "b", matter: "M", scope: { systems: ["erp"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" },
      { id: "a", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z", reviewEvery: "P3M" },
    ]);
    expect(holds.map((h) => h.id)).toEqual(["a", "b"]);
    expect(holds[0]?.issuedAt).toEqual(d("2026-01-01"));
    try {
      loadHolds([
        { id: "x", matter: "", scope: { colour: "red" }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z", releasedAt: "2025-01-01T00:00:00Z" },
        { id: "y", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z", reviewEvery: "quarterly" },
        { id: "z", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z", releasedAt: "2025-01-01T00:00:00Z" },
        { id: "w", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" },
        { id: "w", matter: "M", scope: {}, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" },
      ]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RetentionError);
      const paths = (e as RetentionError).issues.map((i) => i.path.join("."));
      expect(paths).toEqual(expect.arrayContaining(["0.matter", "0.scope", "1.reviewEvery", "2.releasedAt", "4.id"]));
    }
  });

  it("isHoldActive is true from issuedAt until releasedAt (exclusive)", () => {
    const h = { issuedAt: d("2026-01-01"), releasedAt: d("2026-06-01") };
    expect(isHoldActive(h, d("2025-12-31"))).toBe(false);
    expect(isHoldActive(h, d("2026-01-01"))).toBe(true);
    expect(isHoldActive(h, d("2026-06-01"))).toBe(false);
  });

  it("nextHoldReview counts whole intervals from the issue date without month-end drift", () => {
    const h = { issuedAt: d("2026-01-31"), releasedAt: undefined, reviewEvery: "P1M" };
    expect(nextHoldReview(h, d("2026-02-01"))).toEqual(d("2026-02-28"));
    expect(nextHoldReview(h, d("2026-03-01"))).toEqual(d("2026-03-31"));
    expect(nextHoldReview({ ...h, releasedAt: d("2026-02-01") }, d("2026-03-01"))).toBeUndefined();
    expect(nextHoldReview({ ...h, reviewEvery: undefined }, d("2026-03-01"))).toBeUndefined();
  });
});
