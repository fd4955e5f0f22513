import { describe, expect, it } from "vitest";
import { MESSAGE_AREAS, negotiateLanguage, t } from "./i18n.js";

describe("i18n", () => {
  it("negotiateLanguage - honours quality values, regional tags and falls back to English", () => {
    expect(negotiateLanguage("de-DE,de;q=0.9,en;q=0.8")).toBe("de");
    expect(negotiateLanguage("fr-FR, en;q=0.5, de;q=0.7")).toBe("de");
    expect(negotiateLanguage("fr, es")).toBe("en");
    expect(negotiateLanguage("de;q=0, en")).toBe("en");
    expect(negotiateLanguage(undefined)).toBe("en");
    expect(negotiateLanguage("\u0000;;;q=abc,,")).toBe("en");
  });

  it("t - fills placeholders in the chosen language", () => {
    expect(t("de", "unsubscribe.done", { controller: "Acme" })).toContain("Acme");
    expect(t("en", "privacy.status.due", { date: "2026-01-31" })).toBe("We will answer by 2026-01-31.");
  });

  it("catalogue - every key is defined once, in both languages, with the same placeholders", () => {
    const seen = new Set<string>();
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const area of MESSAGE_AREAS) {
      expect(Object.keys(area.de).sort()).toEqual(Object.keys(area.en).sort());
      for (const [key, text] of Object.entries(area.en)) {
        expect(seen.has(key), `duplicate message key ${key}`).toBe(false);
        seen.add(key);
        expect(placeholders(area.de[key]!), key).toEqual(placeholders(text));
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });
});
