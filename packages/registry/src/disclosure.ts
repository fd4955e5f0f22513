import * as z from "zod";
import { DataCategorySchema, PurposeIdSchema, SubjectRefSchema, TenantIdSchema } from "@lawful/core";
import { CountryCodeSchema } from "./adequacy.js";
import { PartyIdSchema } from "./party.js";

/**
 * A disclosure to record directly: the recipient party, the subject (in clear, pseudonymised by
 * the registry's `pseudonymize` option, never stored) or its pseudonym, the data categories
 * disclosed, and optionally purpose, time, destination country and a correlation id.
 *
 * @example
 * ```ts
 * import { DisclosureInputSchema } from "@lawful/registry";
 * DisclosureInputSchema.parse({ recipientId: "mailer", subjectPseudonym: "ps1_x", categories: ["contact.email"] });
 * ```
 */
export const DisclosureInputSchema = z
  .object({
    recipientId: PartyIdSchema,
    subject: SubjectRefSchema.optional(),
    subjectPseudonym: z.string().min(1).max(128).optional(),
    categories: z.array(DataCategorySchema).min(1).max(256),
    purpose: PurposeIdSchema.optional(),
    occurredAt: z.coerce.date().optional(),
    country: CountryCodeSchema.optional(),
    correlationId: z.string().min(1).max(256).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.subject === undefined) === (d.subjectPseudonym === undefined)) {
      ctx.addIssue({ code: "custom", path: ["subjectPseudonym"], message: "give exactly one of subject or subjectPseudonym" });
    }
  });
/** Input of a disclosure; see {@link DisclosureInputSchema}. */
export type DisclosureInput = z.input<typeof DisclosureInputSchema>;

/**
 * One stored disclosure: which categories went to which recipient, for which subject pseudonym,
 * and when (DOMAIN.md C1, C6). `origin` tells whether it came from a direct call or an audit event.
 *
 * @example
 * ```ts
 * import { DisclosureRecordSchema } from "@lawful/registry";
 * // DisclosureRecordSchema.parse(row) revives dates when reading a stored disclosure
 * ```
 */
export const DisclosureRecordSchema = z.object({
  tenantId: TenantIdSchema,
  id: z.string().min(1).max(128),
  recipientId: PartyIdSchema,
  subjectPseudonym: z.string().min(1).max(128),
  categories: z.array(DataCategorySchema).min(1),
  purpose: PurposeIdSchema.optional(),
  occurredAt: z.coerce.date(),
  recordedAt: z.coerce.date(),
  country: CountryCodeSchema.optional(),
  correlationId: z.string().min(1).max(256).optional(),
  origin: z.enum(["direct", "audit"]),
});
/** A stored disclosure; see {@link DisclosureRecordSchema}. */
export type DisclosureRecord = z.output<typeof DisclosureRecordSchema>;

/**
 * Filters of a disclosure query; all optional and combined with AND. `from` is inclusive, `to` exclusive.
 *
 * @example
 * ```ts
 * import type { DisclosureQuery } from "@lawful/registry";
 * const q: DisclosureQuery = { subjectPseudonym: "ps1_x", from: new Date("2026-01-01") };
 * ```
 */
export interface DisclosureQuery {
  subjectPseudonym?: string | undefined;
  recipientId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** At most this many, oldest first. */
  limit?: number | undefined;
}
