import { describe, expect, it } from "vitest";
import { deadlineTable } from "./deadlines.js";

describe("example: DSR deadlines", () => {
  it("deadlineTable - gives each regime's legal dates for a request of 5 March 2025", () => {
    const rows = deadlineTable(new Date("2025-03-05T10:00:00Z"));
    const eu = rows.find((r) => r.regime === "EU");
    // one month lands on Saturday 5 April: rolls to Monday (Reg. 1182/71 Art. 3(4)); extension from receipt
    expect(eu).toEqual({ regime: "EU", respondBy: "2025-04-07", extendedBy: "2025-06-05" });
    const ca = rows.find((r) => r.regime === "US-CA");
    // 45 days counting the receipt day as day 1 (conservative default), 10 business days to acknowledge
    expect(ca?.respondBy).toBe("2025-04-18");
    expect(ca?.acknowledgeBy).toBe("2025-03-19");
    expect(rows.map((r) => r.regime)).toEqual(["EU", "UK", "US-CA", "BR"]);
  });
});
