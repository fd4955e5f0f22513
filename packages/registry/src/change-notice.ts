import * as z from "zod";
import { ActorSchema, TenantIdSchema } from "@lawful/core";
import { PartyIdSchema } from "./party.js";

/**
 * The state of an objection to a change: `open` (blocks activation), `withdrawn` by the
 * objecting party, `resolved` by agreement, or `upheld` (the sub-processor may not be used).
 *
 * @example
 * ```ts
 * import { ObjectionStatusSchema } from "@lawful/registry";
 * ObjectionStatusSchema.parse("open");
 * ```
 */
export const ObjectionStatusSchema = z.enum(["open", "withdrawn", "resolved", "upheld"]);
/** An objection status; see {@link ObjectionStatusSchema}. */
export type ObjectionStatus = z.infer<typeof ObjectionStatusSchema>;

/**
 * An objection raised against a proposed change. `raisedBy` is an organisation or account id,
 * never a person's e-mail.
 *
 * @example
 * ```ts
 * import { ObjectionSchema } from "@lawful/registry";
 * ObjectionSchema.parse({ id: "o1", raisedAt: "2026-03-02", raisedBy: "customer-42", status: "open" });
 * ```
 */
export const ObjectionSchema = z.object({
  id: z.string().min(1).max(128),
  raisedAt: z.coerce.date(),
  raisedBy: z.string().trim().min(1).max(256),
  reason: z.string().trim().min(1).max(2000).optional(),
  status: ObjectionStatusSchema,
  closedAt: z.coerce.date().optional(),
  resolution: z.string().trim().min(1).max(2000).optional(),
});
/** An objection; see {@link ObjectionSchema}. */
export type Objection = z.infer<typeof ObjectionSchema>;

/**
 * The state of a change notice: `open` during the objection window, `completed` once the
 * change took effect, `withdrawn` by the proposer, or `rejected` after an upheld objection.
 *
 * @example
 * ```ts
 * import { ChangeNoticeStatusSchema } from "@lawful/registry";
 * ChangeNoticeStatusSchema.parse("completed");
 * ```
 */
export const ChangeNoticeStatusSchema = z.enum(["open", "completed", "withdrawn", "rejected"]);
/** A change-notice status; see {@link ChangeNoticeStatusSchema}. */
export type ChangeNoticeStatus = z.infer<typeof ChangeNoticeStatusSchema>;

/**
 * What a proposed sub-processor change asks for, as given by the caller: the party concerned
 * (a proposed party for an addition or replacement), optionally the party it replaces, the
 * notice period (default: the party's `noticePeriodDays`, else the registry default) and the
 * intended effective date (default: the objection deadline).
 *
 * @example
 * ```ts
 * import { ChangeNoticeInputSchema } from "@lawful/registry";
 * ChangeNoticeInputSchema.parse({ partyId: "new-mailer", kind: "replacement", replacesPartyId: "old-mailer", noticePeriodDays: 30 });
 * ```
 */
export const ChangeNoticeInputSchema = z
  .object({
    partyId: PartyIdSchema,
    kind: z.enum(["addition", "replacement"]),
    replacesPartyId: PartyIdSchema.optional(),
    noticePeriodDays: z.number().int().min(0).max(365).optional(),
    effectiveAt: z.coerce.date().optional(),
    /** Public description of the change, shown in the feed. */
    description: z.string().trim().min(1).max(2000).optional(),
  })
  .superRefine((n, ctx) => {
    if (n.kind === "replacement" && n.replacesPartyId === undefined) {
      ctx.addIssue({ code: "custom", path: ["replacesPartyId"], message: "is required for a replacement" });
    }
    if (n.kind === "addition" && n.replacesPartyId !== undefined) {
      ctx.addIssue({ code: "custom", path: ["replacesPartyId"], message: "is only allowed for a replacement" });
    }
    if (n.replacesPartyId !== undefined && n.replacesPartyId === n.partyId) {
      ctx.addIssue({ code: "custom", path: ["replacesPartyId"], message: "must differ from partyId" });
    }
  });
/** Input of a change notice; see {@link ChangeNoticeInputSchema}. */
export type ChangeNoticeInput = z.input<typeof ChangeNoticeInputSchema>;

/**
 * A stored change notice (DOMAIN.md D1): when it was proposed, the notice period, the objection
 * deadline (proposal + notice period), the effective date (never before the deadline), its
 * status and every objection. `revision` increases with each update (optimistic concurrency).
 *
 * @example
 * ```ts
 * import { ChangeNoticeSchema } from "@lawful/registry";
 * // ChangeNoticeSchema.parse(row) revives dates when reading a stored notice
 * ```
 */
export const ChangeNoticeSchema = z.object({
  tenantId: TenantIdSchema,
  id: z.string().min(1).max(128),
  revision: z.number().int().positive(),
  partyId: PartyIdSchema,
  kind: z.enum(["addition", "replacement"]),
  replacesPartyId: PartyIdSchema.optional(),
  description: z.string().max(2000).optional(),
  proposedAt: z.coerce.date(),
  proposedBy: ActorSchema,
  noticePeriodDays: z.number().int().min(0).max(365),
  objectionDeadline: z.coerce.date(),
  effectiveAt: z.coerce.date(),
  status: ChangeNoticeStatusSchema,
  closedAt: z.coerce.date().optional(),
  objections: z.array(ObjectionSchema),
});
/** A stored change notice; see {@link ChangeNoticeSchema}. */
export type ChangeNotice = z.output<typeof ChangeNoticeSchema>;
