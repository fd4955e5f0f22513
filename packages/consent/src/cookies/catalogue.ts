import * as z from "zod";
import { ConsentError } from "../errors.js";
import { zodIssues } from "../internal/util.js";
import { ERROR_CODES } from "@lawful/core";

/**
 * Cookie and tracker categories (DOMAIN B10). `strictly_necessary` and `communication` are exempt from consent
 * (ePrivacy Art. 5(3)) and need an exemption rationale.
 *
 * @example
 * ```ts
 * import { COOKIE_CATEGORIES } from "@lawful/consent";
 * COOKIE_CATEGORIES[0]; // "strictly_necessary"
 * ```
 */
export const COOKIE_CATEGORIES = ["strictly_necessary", "communication", "preferences", "analytics", "marketing"] as const;

/**
 * Schema of a {@link CookieCategory}.
 *
 * @example
 * ```ts
 * import { CookieCategorySchema } from "@lawful/consent";
 * CookieCategorySchema.parse("analytics");
 * ```
 */
export const CookieCategorySchema = z.enum(COOKIE_CATEGORIES);
/** A cookie category; see {@link COOKIE_CATEGORIES}. */
export type CookieCategory = z.infer<typeof CookieCategorySchema>;

/**
 * One cookie or tracker: the fields of an IAB TCF `deviceStorage.json` disclosure (`identifier`, `type`,
 * `maxAgeSeconds`, `cookieRefresh`, `domain`/`domains`, `purposes`) plus `category`, a description, the provider and,
 * for exempt categories, the `exemptionRationale`.
 *
 * @example
 * ```ts
 * import { CookieEntrySchema } from "@lawful/consent";
 * CookieEntrySchema.parse({ identifier: "_ga", type: "cookie", maxAgeSeconds: 63072000, domain: "*", purposes: [8], category: "analytics", provider: "Google" });
 * ```
 */
export const CookieEntrySchema = z
  .object({
    identifier: z.string().min(1).max(256),
    type: z.enum(["cookie", "web", "app"]),
    maxAgeSeconds: z.number().int().min(0).nullable(),
    cookieRefresh: z.boolean().optional(),
    domain: z.string().min(1).max(256).optional(),
    domains: z.array(z.string().min(1).max(256)).max(64).optional(),
    /** IAB TCF purpose ids. */
    purposes: z.array(z.number().int().min(1).max(11)).max(11),
    specialPurposes: z.array(z.number().int().min(1).max(3)).max(3).optional(),
    category: CookieCategorySchema,
    provider: z.string().min(1).max(256).optional(),
    description: z.string().min(1).max(2000).optional(),
    exemptionRationale: z.string().min(1).max(2000).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.category === "strictly_necessary" || c.category === "communication") && !c.exemptionRationale) {
      ctx.addIssue({ code: "custom", path: ["exemptionRationale"], message: "an exempt cookie needs the reason it is strictly necessary or needed for the communication (ePrivacy Art. 5(3))" });
    }
  });
/** A cookie entry; see {@link CookieEntrySchema}. */
export type CookieEntry = z.infer<typeof CookieEntrySchema>;

/**
 * A cookie and tracker catalogue: `{ disclosures: CookieEntry[] }`, the top-level shape of IAB `deviceStorage.json`.
 *
 * @example
 * ```ts
 * import { CookieCatalogueSchema } from "@lawful/consent";
 * CookieCatalogueSchema.parse({ disclosures: [] });
 * ```
 */
export const CookieCatalogueSchema = z.object({ disclosures: z.array(CookieEntrySchema).max(1000) });
/** A cookie catalogue; see {@link CookieCatalogueSchema}. */
export type CookieCatalogue = z.infer<typeof CookieCatalogueSchema>;

/**
 * Parse and validate a catalogue.
 *
 * @throws ConsentError `VALIDATION_FAILED` listing every bad entry (e.g. a strictly necessary cookie without rationale).
 * @example
 * ```ts
 * import { parseCookieCatalogue } from "@lawful/consent";
 * const cat = parseCookieCatalogue({ disclosures: [{ identifier: "sid", type: "cookie", maxAgeSeconds: null, purposes: [], category: "strictly_necessary", exemptionRationale: "Keeps you logged in." }] });
 * ```
 */
export function parseCookieCatalogue(input: unknown): CookieCatalogue {
  const r = CookieCatalogueSchema.safeParse(input);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new ConsentError(ERROR_CODES.VALIDATION_FAILED, `Invalid cookie catalogue: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { issues });
  }
  return r.data;
}

/**
 * Export the catalogue as an IAB TCF `deviceStorage.json` document (only the fields that format defines).
 *
 * @example
 * ```ts
 * import { toDeviceStorageJson } from "@lawful/consent";
 * const json = JSON.stringify(toDeviceStorageJson({ disclosures: [] })); // '{"disclosures":[]}'
 * ```
 */
export function toDeviceStorageJson(catalogue: CookieCatalogue): { disclosures: Record<string, unknown>[] } {
  return {
    disclosures: catalogue.disclosures.map((c) => ({
      identifier: c.identifier,
      type: c.type,
      maxAgeSeconds: c.maxAgeSeconds,
      ...(c.cookieRefresh !== undefined ? { cookieRefresh: c.cookieRefresh } : {}),
      ...(c.domain !== undefined ? { domain: c.domain } : {}),
      ...(c.domains !== undefined ? { domains: c.domains } : {}),
      purposes: c.purposes,
      ...(c.specialPurposes !== undefined ? { specialPurposes: c.specialPurposes } : {}),
    })),
  };
}
