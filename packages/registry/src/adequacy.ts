import * as z from "zod";
import { parseOrThrow } from "@lawful/core";
import { RegistryError } from "./errors.js";
import { httpUrl } from "./internal/url.js";

/**
 * An ISO 3166-1 alpha-2 country code in upper case (`"DE"`, `"US"`).
 *
 * @example
 * ```ts
 * import { CountryCodeSchema } from "@lawful/registry";
 * CountryCodeSchema.parse("IE");
 * ```
 */
export const CountryCodeSchema = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code in upper case, e.g. 'DE'");
/** An ISO 3166-1 alpha-2 country code; see {@link CountryCodeSchema}. */
export type CountryCode = z.infer<typeof CountryCodeSchema>;

/**
 * The subsets an adequacy decision may be limited to: US organisations self-certified under the
 * EU–US Data Privacy Framework, or those that also opted into the UK Extension ("data bridge").
 *
 * @example
 * ```ts
 * import { AdequacySubsetSchema } from "@lawful/registry";
 * AdequacySubsetSchema.parse("DPF-certified");
 * ```
 */
export const AdequacySubsetSchema = z.enum(["DPF-certified", "UK-Extension"]);
/** One of `DPF-certified`, `UK-Extension`. */
export type AdequacySubset = z.infer<typeof AdequacySubsetSchema>;

/**
 * One adequate destination: the country, the decision or regulation, an optional scope note
 * and, when the decision covers only certified organisations, the subset required.
 *
 * @example
 * ```ts
 * import { AdequacyEntrySchema } from "@lawful/registry";
 * AdequacyEntrySchema.parse({ country: "US", decisionId: "(EU) 2023/1795", requiresSubset: "DPF-certified" });
 * ```
 */
export const AdequacyEntrySchema = z.object({
  country: CountryCodeSchema,
  decisionId: z.string().min(1).max(200),
  scope: z.string().min(1).max(500).optional(),
  requiresSubset: AdequacySubsetSchema.optional(),
});
/** One adequate destination; see {@link AdequacyEntrySchema}. */
export type AdequacyEntry = z.infer<typeof AdequacyEntrySchema>;

/**
 * The exporter regimes whose Chapter V rules the registry applies: EU GDPR or UK GDPR.
 *
 * @example
 * ```ts
 * import { ExporterRegimeSchema } from "@lawful/registry";
 * ExporterRegimeSchema.parse("UK");
 * ```
 */
export const ExporterRegimeSchema = z.enum(["EU", "UK"]);
/** `EU` or `UK`. */
export type ExporterRegime = z.infer<typeof ExporterRegimeSchema>;

/**
 * An adequacy list shipped as data: the exporter regime, where it was read from and when,
 * the countries inside the regime (no transfer at all), and the adequate destinations.
 * Replace it with a fresher list whenever the source changes.
 *
 * @example
 * ```ts
 * import { AdequacyListSchema } from "@lawful/registry";
 * AdequacyListSchema.parse({
 *   regime: "EU", source: "https://example.org/list", asOf: "2026-01-01",
 *   domestic: ["DE", "FR"], entries: [{ country: "CH", decisionId: "2000/518/EC" }],
 * });
 * ```
 */
export const AdequacyListSchema = z
  .object({
    regime: ExporterRegimeSchema,
    source: httpUrl(),
    asOf: z.iso.date(),
    notes: z.string().max(2000).optional(),
    domestic: z.array(CountryCodeSchema).min(1),
    entries: z.array(AdequacyEntrySchema),
  })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.entries.forEach((e, i) => {
      if (seen.has(e.country)) ctx.addIssue({ code: "custom", path: ["entries", i, "country"], message: "is listed twice" });
      seen.add(e.country);
      if (list.domestic.includes(e.country)) ctx.addIssue({ code: "custom", path: ["entries", i, "country"], message: "is also listed as domestic" });
    });
  });
/** An adequacy list; see {@link AdequacyListSchema}. */
export type AdequacyList = z.infer<typeof AdequacyListSchema>;

/**
 * The member states of the European Economic Area (EU 27 plus Iceland, Liechtenstein and Norway).
 *
 * @example
 * ```ts
 * import { EEA_COUNTRIES } from "@lawful/registry";
 * EEA_COUNTRIES.includes("NO"); // true
 * ```
 */
export const EEA_COUNTRIES: readonly CountryCode[] = Object.freeze([
  "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
  "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
]);

/**
 * The European Commission's adequacy decisions under GDPR Art. 45 (countries only), as read on
 * 2025-12-19 from the Commission's page (DOMAIN.md D5). Not included: decisions adopted after that
 * date (check the source; DOMAIN.md H5). The United States is adequate only for organisations
 * self-certified under the EU–US Data Privacy Framework.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST } from "@lawful/registry";
 * EU_ADEQUACY_LIST.entries.find((e) => e.country === "US")?.requiresSubset; // "DPF-certified"
 * ```
 */
export const EU_ADEQUACY_LIST: AdequacyList = deepFreeze({
  regime: "EU",
  source: "https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en",
  asOf: "2025-12-19",
  notes:
    "Countries only. Canada: commercial organisations subject to PIPEDA. Japan: private sector. United States: DPF-certified organisations only (Implementing Decision (EU) 2023/1795, upheld in T-553/23; verify appeal status). United Kingdom: renewed on 19 Dec 2025 until Dec 2031.",
  domestic: [...EEA_COUNTRIES],
  entries: [
    { country: "AD", decisionId: "2010/625/EU" },
    { country: "AR", decisionId: "2003/490/EC" },
    { country: "CA", decisionId: "2002/2/EC", scope: "commercial organisations subject to PIPEDA" },
    { country: "FO", decisionId: "2010/146/EU" },
    { country: "GG", decisionId: "2003/821/EC" },
    { country: "IL", decisionId: "2011/61/EU" },
    { country: "IM", decisionId: "2004/411/EC" },
    { country: "JP", decisionId: "(EU) 2019/419", scope: "private sector (APPI)" },
    { country: "JE", decisionId: "2008/393/EC" },
    { country: "NZ", decisionId: "2013/65/EU" },
    { country: "KR", decisionId: "(EU) 2022/254" },
    { country: "CH", decisionId: "2000/518/EC" },
    { country: "GB", decisionId: "(EU) 2021/1772", scope: "renewed 19 Dec 2025 until Dec 2031" },
    { country: "US", decisionId: "(EU) 2023/1795", scope: "EU-US Data Privacy Framework", requiresSubset: "DPF-certified" },
    { country: "UY", decisionId: "2012/484/EU" },
  ],
});

/**
 * The UK's adequacy regulations ("data bridges") under UK GDPR Art. 45, as read on 2025-12-19:
 * the EEA and Gibraltar, the destinations carried over from EU decisions, the Republic of Korea
 * (2022) and the UK Extension to the DPF for the United States (SI 2023/1028).
 *
 * @example
 * ```ts
 * import { UK_ADEQUACY_LIST } from "@lawful/registry";
 * UK_ADEQUACY_LIST.entries.find((e) => e.country === "US")?.requiresSubset; // "UK-Extension"
 * ```
 */
export const UK_ADEQUACY_LIST: AdequacyList = deepFreeze({
  regime: "UK",
  source: "https://www.gov.uk/guidance/uk-adequacy",
  asOf: "2025-12-19",
  notes: "EEA states and Gibraltar under DPA 2018 Sch. 21; United States only for organisations certified under the UK Extension to the DPF.",
  domestic: ["GB"],
  entries: [
    ...EEA_COUNTRIES.map((country) => ({ country, decisionId: "DPA 2018 Sch. 21 para. 5" })),
    { country: "GI", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "AD", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "AR", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "CA", decisionId: "DPA 2018 Sch. 21 para. 5", scope: "commercial organisations subject to PIPEDA" },
    { country: "FO", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "GG", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "IL", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "IM", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "JP", decisionId: "DPA 2018 Sch. 21 para. 5", scope: "private sector (APPI)" },
    { country: "JE", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "NZ", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "CH", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "UY", decisionId: "DPA 2018 Sch. 21 para. 5" },
    { country: "KR", decisionId: "Data Protection (Adequacy) (Republic of Korea) Regulations 2022" },
    { country: "US", decisionId: "SI 2023/1028", scope: "UK Extension to the EU-US Data Privacy Framework", requiresSubset: "UK-Extension" },
  ],
});

/**
 * Where a destination stands for an exporter: inside the regime (no transfer), covered by an
 * adequacy decision (possibly only for a certified subset), or a third country that needs an
 * Art. 46 safeguard or an Art. 49 derogation.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, classifyDestination } from "@lawful/registry";
 * classifyDestination("US", EU_ADEQUACY_LIST); // { status: "adequate_subset", entry: {...} }
 * ```
 */
export type DestinationStatus =
  | { readonly status: "domestic" }
  | { readonly status: "adequate"; readonly entry: AdequacyEntry }
  | { readonly status: "adequate_subset"; readonly entry: AdequacyEntry }
  | { readonly status: "third_country" };

/**
 * Classify `country` against an adequacy list; see {@link DestinationStatus}.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, classifyDestination } from "@lawful/registry";
 * classifyDestination("DE", EU_ADEQUACY_LIST).status; // "domestic"
 * classifyDestination("IN", EU_ADEQUACY_LIST).status; // "third_country"
 * ```
 */
export function classifyDestination(country: string, list: AdequacyList): DestinationStatus {
  if (list.domestic.includes(country)) return { status: "domestic" };
  const entry = list.entries.find((e) => e.country === country);
  if (!entry) return { status: "third_country" };
  return entry.requiresSubset ? { status: "adequate_subset", entry } : { status: "adequate", entry };
}

/**
 * Validate a custom adequacy list (e.g. a fresher copy of the Commission's page) and freeze it.
 *
 * @throws RegistryError `VALIDATION_FAILED` naming every bad field.
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, defineAdequacyList } from "@lawful/registry";
 * const list = defineAdequacyList({ ...EU_ADEQUACY_LIST, asOf: "2026-06-01", entries: [...EU_ADEQUACY_LIST.entries, { country: "BR", decisionId: "(EU) 2026/..." }] });
 * ```
 */
export function defineAdequacyList(input: unknown): AdequacyList {
  return deepFreeze(parseOrThrow(AdequacyListSchema, input, "adequacy list", RegistryError));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
