import * as z from "zod";
import {
  ActorSchema,
  AuditEventInputSchema,
  DataCategorySchema,
  ERROR_CODES,
  SubjectRefSchema,
  TenantIdSchema,
  createUuidV7Generator,
  issuesFromZod,
  parseOrThrow,
  systemClock,
  type Actor,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type IdGenerator,
  type LawfulIssue,
  type SubjectRef,
} from "@lawful/core";
import { checkActivationRules, checkStandingRules, type ActivationCheck } from "./activation.js";
import { AdequacyListSchema, EU_ADEQUACY_LIST, UK_ADEQUACY_LIST, ExporterRegimeSchema, classifyDestination, type AdequacyList } from "./adequacy.js";
import { ChangeNoticeInputSchema, type ChangeNotice, type ChangeNoticeInput } from "./change-notice.js";
import { DisclosureInputSchema, type DisclosureInput, type DisclosureQuery, type DisclosureRecord } from "./disclosure.js";
import { RegistryError } from "./errors.js";
import { buildChangeFeed, type ChangeFeedEntry } from "./feed.js";
import { PartyInputSchema, type Party, type PartyInput, type PartyRecord, type PartyRole, type PartyStatus } from "./party.js";
import type { RegistryStore } from "./store.js";
import { TransferMechanismSchema, checkTransfer, type TransferMechanism } from "./transfer.js";

/**
 * The audit actions the registry writes through the injected `AuditSink`, one per kind of change.
 * Disclosures recorded by direct call write core's `data.transferred`.
 *
 * @example
 * ```ts
 * import { REGISTRY_AUDIT_ACTIONS } from "@lawful/registry";
 * REGISTRY_AUDIT_ACTIONS.PARTY_ACTIVATED; // "registry.party_activated"
 * ```
 */
export const REGISTRY_AUDIT_ACTIONS = Object.freeze({
  PARTY_CREATED: "registry.party_created",
  PARTY_UPDATED: "registry.party_updated",
  PARTY_ACTIVATED: "registry.party_activated",
  PARTY_RETIRED: "registry.party_retired",
  CHANGE_PROPOSED: "registry.change_proposed",
  CHANGE_WITHDRAWN: "registry.change_withdrawn",
  CHANGE_COMPLETED: "registry.change_completed",
  CHANGE_REJECTED: "registry.change_rejected",
  OBJECTION_RAISED: "registry.objection_raised",
  OBJECTION_CLOSED: "registry.objection_closed",
} as const);

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === "function", { message: `must be a ${what} function` });
const obj = <T>(what: string, methods: readonly string[]) =>
  z.custom<T>(
    (v) => typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    { message: `must be ${what} (with ${methods.join(", ")})` },
  );

/**
 * Options of {@link createRegistry}, checked with zod (functions and clients for shape only) and frozen.
 *
 * @example
 * ```ts
 * import { RegistryOptionsSchema } from "@lawful/registry";
 * // RegistryOptionsSchema.parse({ store, audit, regime: "UK" })
 * ```
 */
export const RegistryOptionsSchema = z
  .object({
    store: obj<RegistryStore>("a RegistryStore", [
      "transaction",
      "appendPartyVersion",
      "getParty",
      "listParties",
      "listPartyVersions",
      "putChangeNotice",
      "getChangeNotice",
      "listChangeNotices",
      "appendDisclosure",
      "getDisclosure",
      "listDisclosures",
      "close",
    ]),
    audit: obj<AuditSink>("an AuditSink", ["record", "recordMany"]),
    /** @default systemClock */
    clock: obj<Clock>("a Clock", ["now"]).optional(),
    /** @default createUuidV7Generator({ clock }) */
    ids: fn<IdGenerator>("id generator").optional(),
    /** The exporter regime whose Chapter V rules apply. @default "EU" (or the adequacy list's regime) */
    regime: ExporterRegimeSchema.optional(),
    /** The adequacy list. @default EU_ADEQUACY_LIST or UK_ADEQUACY_LIST by regime */
    adequacy: AdequacyListSchema.optional(),
    /** Notice period for change notices when neither the notice nor the party gives one. @default 30 */
    defaultNoticePeriodDays: z.number().int().min(0).max(365).optional(),
    /** Maximum age of a DPF listing check before activation is refused. @default 365 */
    dpfMaxAgeDays: z.number().int().positive().max(3650).optional(),
    /** Turns a subject reference into its pseudonym, e.g. `createPseudonymizer({ key }).pseudonym`. Needed to record or query disclosures by clear subject. */
    pseudonymize: fn<(subject: SubjectRef) => string>("pseudonymize").optional(),
  })
  .superRefine((o, ctx) => {
    if (o.regime && o.adequacy && o.regime !== o.adequacy.regime) {
      ctx.addIssue({ code: "custom", path: ["regime"], message: "must match adequacy.regime" });
    }
  });
/** Options of {@link createRegistry}; see {@link RegistryOptionsSchema}. */
export type RegistryOptions = z.input<typeof RegistryOptionsSchema>;

/**
 * Who makes a change, and optionally why (kept in the party history, never in the audit event).
 *
 * @example
 * ```ts
 * import type { ChangeContext } from "@lawful/registry";
 * const ctx: ChangeContext = { actor: { type: "staff", id: "u_7" }, reason: "Annual review" };
 * ```
 */
export interface ChangeContext {
  actor: Actor;
  reason?: string | undefined;
}

const ChangeContextSchema = z.object({ actor: ActorSchema, reason: z.string().max(1000).optional() });

/**
 * A recipient that actually received a subject's data, with the categories, purposes, dates
 * and the Chapter V safeguard — what an Art. 15(1)(c)/(2) answer must name (CJEU C-154/21)
 * and whom Art. 19 notifications go to.
 *
 * @example
 * ```ts
 * import type { SubjectRecipient } from "@lawful/registry";
 * // (await registry.recipientsForSubject("acme", { subjectPseudonym })).map((r) => r.recipient.legalName)
 * ```
 */
export interface SubjectRecipient {
  readonly recipient: {
    readonly id: string;
    readonly legalName: string;
    readonly role: PartyRole;
    readonly status: PartyStatus;
    readonly country: string;
    readonly address: Party["address"];
    readonly contact: Party["contact"];
  };
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly firstDisclosedAt: Date;
  readonly lastDisclosedAt: Date;
  readonly disclosures: number;
  /** True when a destination of a disclosure lies outside the exporter's regime. */
  readonly thirdCountry: boolean;
  readonly countries: readonly string[];
  /** The Art. 46/45/49 mechanism on file for the recipient, when a third country is involved. */
  readonly safeguard?: TransferMechanism | undefined;
}

/**
 * One processor or sub-processor with the sub-processors it engages, down the chain
 * (EDPB Opinion 22/2024: the identity of every processor down the chain must be at hand).
 *
 * @example
 * ```ts
 * import type { ProcessorTreeNode } from "@lawful/registry";
 * const names = (n: ProcessorTreeNode): string[] => [n.party.party.legalName, ...n.subprocessors.flatMap(names)];
 * ```
 */
export interface ProcessorTreeNode {
  readonly party: PartyRecord;
  readonly subprocessors: readonly ProcessorTreeNode[];
}

/**
 * An active party that no longer keeps the standing rules, e.g. because its DPF listing check is
 * stale or a newer adequacy list no longer covers its destination.
 *
 * @example
 * ```ts
 * import type { PartyReview } from "@lawful/registry";
 * // for (const r of await registry.reviewActiveParties("acme")) console.warn(r.partyId, r.issues.map((i) => i.code));
 * ```
 */
export interface PartyReview {
  readonly partyId: string;
  readonly issues: readonly LawfulIssue[];
}

/**
 * The registry service: parties with append-only history, activation rules, sub-processor
 * change notices and objections, the disclosure log and the change feed. Every change writes
 * an audit event in the same store transaction.
 *
 * @example
 * ```ts
 * import { createMemoryAuditSink } from "@lawful/core";
 * import { createRegistry, type Registry } from "@lawful/registry";
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * const registry: Registry = createRegistry({ store: createMemoryRegistryStore(), audit: createMemoryAuditSink() });
 * ```
 */
export interface Registry {
  readonly adequacy: AdequacyList;
  /** Register a party as `proposed`. @throws RegistryError `VALIDATION_FAILED` (all problems), `CONFLICT` when the id exists. */
  createParty(tenantId: string, input: PartyInput, ctx: ChangeContext): Promise<PartyRecord>;
  /** Replace a party's data (new version); an active party must keep the standing rules. @throws `VALIDATION_FAILED`, `NOT_FOUND`, `ILLEGAL_TRANSITION`, `POLICY_VIOLATION`. */
  updateParty(tenantId: string, partyId: string, input: PartyInput, ctx: ChangeContext): Promise<PartyRecord>;
  /** Every reason the party may not be activated now. @throws `NOT_FOUND`. */
  checkActivation(tenantId: string, partyId: string): Promise<ActivationCheck>;
  /** Activate a proposed party; completes its open change notice. @throws `POLICY_VIOLATION` with every reason, `NOT_FOUND`. */
  activateParty(tenantId: string, partyId: string, ctx: ChangeContext & { effectiveFrom?: Date | string | undefined }): Promise<PartyRecord>;
  /** Retire a party; withdraws its open notices. @throws `POLICY_VIOLATION` while active sub-processors depend on it, `ILLEGAL_TRANSITION` when already retired. */
  retireParty(tenantId: string, partyId: string, ctx: ChangeContext & { effectiveUntil?: Date | string | undefined }): Promise<PartyRecord>;
  /** The latest version of a party, or `undefined`. */
  getParty(tenantId: string, partyId: string): Promise<PartyRecord | undefined>;
  /** The latest version of every party, optionally filtered by status and role, ordered by id. */
  listParties(tenantId: string, filter?: { status?: PartyStatus | undefined; role?: PartyRole | undefined }): Promise<PartyRecord[]>;
  /** Every version of a party, oldest first. */
  getPartyHistory(tenantId: string, partyId: string): Promise<PartyRecord[]>;
  /** Processors with their sub-processors down the chain (retired parties left out unless asked). */
  getProcessorTree(tenantId: string, options?: { includeRetired?: boolean | undefined }): Promise<ProcessorTreeNode[]>;
  /** Active parties that break a standing rule now (stale DPF check, destination no longer adequate, …): run it periodically. */
  reviewActiveParties(tenantId: string): Promise<PartyReview[]>;
  /** The party and its engaging processors up the chain, nearest first. */
  getChain(tenantId: string, partyId: string): Promise<PartyRecord[]>;
  /** Announce an intended sub-processor addition or replacement. @throws `VALIDATION_FAILED`, `NOT_FOUND`, `CONFLICT` when a notice is already open, `ILLEGAL_TRANSITION` when the party is not proposed. */
  proposeChange(tenantId: string, input: ChangeNoticeInput, ctx: ChangeContext): Promise<ChangeNotice>;
  /** Record an objection during the window. @throws `POLICY_VIOLATION` after the deadline, `ILLEGAL_TRANSITION` when the notice is closed. */
  raiseObjection(tenantId: string, noticeId: string, objection: { raisedBy: string; reason?: string | undefined }, ctx: ChangeContext): Promise<ChangeNotice>;
  /** Close an open objection: withdrawn, resolved, or upheld (which rejects the change). */
  closeObjection(
    tenantId: string,
    noticeId: string,
    objectionId: string,
    outcome: { status: "withdrawn" | "resolved" | "upheld"; resolution?: string | undefined },
    ctx: ChangeContext,
  ): Promise<ChangeNotice>;
  /** Withdraw an open change notice. @throws `ILLEGAL_TRANSITION` when it is not open, `NOT_FOUND`. */
  withdrawChange(tenantId: string, noticeId: string, ctx: ChangeContext): Promise<ChangeNotice>;
  /** One change notice, or `undefined`. */
  getChangeNotice(tenantId: string, noticeId: string): Promise<ChangeNotice | undefined>;
  /** Change notices in proposal order, optionally of one party. */
  listChangeNotices(tenantId: string, filter?: { partyId?: string | undefined }): Promise<ChangeNotice[]>;
  /** Record a disclosure by direct call; writes a `data.transferred` audit event. @throws `VALIDATION_FAILED` (also for an unregistered recipient), `INVALID_CONFIGURATION` for a clear subject without `pseudonymize`. */
  recordDisclosure(tenantId: string, input: DisclosureInput, ctx: ChangeContext): Promise<DisclosureRecord>;
  /**
   * Record the disclosure an audit `data.transferred` event describes (no new audit event).
   * With `eventId` (e.g. the audit receipt id) a replayed event is recorded once.
   */
  recordDisclosureFromAuditEvent(event: AuditEventInput, options?: { eventId?: string | undefined }): Promise<DisclosureRecord>;
  /** Disclosures matching the query (a clear `subject` is pseudonymised first), oldest first. */
  listDisclosures(tenantId: string, query?: DisclosureQuery & { subject?: SubjectRefInput | undefined }): Promise<DisclosureRecord[]>;
  /**
   * The actual recipients of one subject's data, grouped per recipient. With `categories` (e.g. the
   * categories rectified or erased, for Art. 19) only disclosures of those categories, their
   * sub-categories or their parents count.
   */
  recipientsForSubject(
    tenantId: string,
    who: { subject?: SubjectRefInput | undefined; subjectPseudonym?: string | undefined; categories?: readonly string[] | undefined },
  ): Promise<SubjectRecipient[]>;
  /** Public changes (intended, activated, retired, withdrawn, rejected) newest first, for the Atom feed. */
  changeFeed(tenantId: string, options?: { roles?: readonly PartyRole[] | undefined }): Promise<ChangeFeedEntry[]>;
}

/**
 * A subject reference before normalisation (`{ kind, value }`); the registry normalises it with
 * core's `SubjectRefSchema` before pseudonymising.
 *
 * @example
 * ```ts
 * import type { SubjectRefInput } from "@lawful/registry";
 * const who: SubjectRefInput = { kind: "email", value: " Ada@Example.com" };
 * ```
 */
export type SubjectRefInput = z.input<typeof SubjectRefSchema>;

const DAY = 86_400_000;

/**
 * Create the {@link Registry} service over a store and an audit sink.
 *
 * @throws RegistryError `INVALID_CONFIGURATION` when options are invalid.
 * @example
 * ```ts
 * import { createManualClock, createMemoryAuditSink } from "@lawful/core";
 * import { createRegistry } from "@lawful/registry";
 * import { createMemoryRegistryStore } from "@lawful/registry/memory";
 * const registry = createRegistry({
 *   store: createMemoryRegistryStore(),
 *   audit: createMemoryAuditSink(),
 *   clock: createManualClock("2026-01-01T00:00:00Z"),
 * });
 * const actor = { type: "staff" as const, id: "u_1" };
 * await registry.createParty("acme", {
 *   id: "hosting", role: "processor", legalName: "Hosting GmbH",
 *   address: { lines: ["Hauptstr. 1"], locality: "Berlin", country: "DE" },
 *   contact: { email: "privacy@hosting.example" }, country: "DE", services: ["Hosting"],
 *   dataCategories: ["contact.email"], purposes: ["crm"], subjectCategories: ["customers"],
 * }, { actor });
 * ```
 */
export function createRegistry(options: RegistryOptions): Registry {
  const parsed = RegistryOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error.issues);
    throw new RegistryError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid registry options: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}.`, {
      issues,
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  const clock = o.clock ?? systemClock;
  const config = Object.freeze({
    store: o.store,
    audit: o.audit,
    clock,
    ids: o.ids ?? createUuidV7Generator({ clock }),
    adequacy: o.adequacy ?? (o.regime === "UK" ? UK_ADEQUACY_LIST : EU_ADEQUACY_LIST),
    defaultNoticePeriodDays: o.defaultNoticePeriodDays ?? 30,
    dpfMaxAgeDays: o.dpfMaxAgeDays ?? 365,
    pseudonymize: o.pseudonymize,
  });
  const { store, audit, adequacy } = config;

  const tenant = (t: string) => parseOrThrow(TenantIdSchema, t, "tenant id", RegistryError);
  const context = (c: ChangeContext) => parseOrThrow(ChangeContextSchema, c, "change context", RegistryError);
  const notFound = (what: string, id: string) => new RegistryError(ERROR_CODES.NOT_FOUND, `${what} ${id} is not in the registry of this tenant.`);

  const mustGet = async (t: string, id: string): Promise<PartyRecord> => {
    const r = await store.getParty(t, id);
    if (!r) throw notFound("Party", id);
    return r;
  };

  const auditEvent = (t: string, action: string, actor: Actor, recordType: string, recordId: string, details: Record<string, unknown>): AuditEventInput => ({
    tenantId: t,
    action,
    actor,
    occurredAt: clock.now(),
    target: { system: "registry", recordType, recordId },
    details,
  });

  /** Schema + semantic validation of a party; every problem at once. */
  async function validateParty(t: string, input: unknown, current?: PartyRecord): Promise<Party> {
    const selfId = current?.id;
    const r = PartyInputSchema.safeParse(input);
    const issues: LawfulIssue[] = r.success ? [] : issuesFromZod(r.error.issues);
    const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
    if (current && raw.id !== current.id) issues.push({ path: ["id"], code: "id_changed", message: "must equal the id of the party being updated" });
    if (current && raw.role !== current.party.role) {
      issues.push({ path: ["role"], code: "role_changed", message: `cannot change from ${current.party.role}; retire the party and register a new one` });
    }
    // transfer rules, also when other fields failed
    if (raw.role !== "source" && !issues.some((i) => i.path[0] === "transfer" || i.path[0] === "country" || i.path[0] === "processingLocations")) {
      const party = r.success ? r.data : undefined;
      const country = party?.country ?? (raw.country as string | undefined);
      if (typeof country === "string") {
        const locs = party?.processingLocations ?? (Array.isArray(raw.processingLocations) ? (raw.processingLocations as string[]) : []);
        const mechanism = party ? party.transfer : TransferMechanismSchema.optional().safeParse(raw.transfer).data;
        issues.push(...checkTransfer([country, ...locs], mechanism, adequacy));
      }
    }
    // the chain
    if (raw.role === "subprocessor" && typeof raw.parentId === "string") {
      const parent = await store.getParty(t, raw.parentId);
      if (!parent) issues.push({ path: ["parentId"], code: "parent_missing", message: "is not a registered party" });
      else if (parent.party.role !== "processor" && parent.party.role !== "subprocessor") {
        issues.push({ path: ["parentId"], code: "parent_not_processor", message: `must be a processor or sub-processor, not a ${parent.party.role}` });
      } else if (parent.status === "retired") {
        issues.push({ path: ["parentId"], code: "parent_retired", message: "is retired" });
      } else if (selfId !== undefined) {
        // no cycles: walk up from the parent
        let cursor: PartyRecord | undefined = parent;
        const seen = new Set<string>();
        while (cursor && cursor.party.role === "subprocessor" && !seen.has(cursor.id)) {
          if (cursor.party.parentId === selfId || cursor.id === selfId) {
            issues.push({ path: ["parentId"], code: "cycle", message: "would make the processing chain circular" });
            break;
          }
          seen.add(cursor.id);
          cursor = await store.getParty(t, cursor.party.parentId);
        }
      }
    }
    if (issues.length > 0 || !r.success) {
      const dedup = issues.filter((i, n) => issues.findIndex((j) => j.code === i.code && j.path.join(".") === i.path.join(".") && j.message === i.message) === n);
      const fields = [...new Set(dedup.map((i) => i.path.join(".") || "(root)"))];
      throw new RegistryError(
        ERROR_CODES.VALIDATION_FAILED,
        `Invalid party: ${dedup.length} problem${dedup.length === 1 ? "" : "s"} at ${fields.join(", ")}. ${dedup.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
        { issues: dedup },
      );
    }
    return r.data;
  }

  const activationContext = async (t: string, record: PartyRecord) => ({
    now: clock.now(),
    adequacy,
    parent: record.party.role === "subprocessor" ? await store.getParty(t, record.party.parentId) : undefined,
    notices: await store.listChangeNotices(t, { partyId: record.id }),
    dpfMaxAgeDays: config.dpfMaxAgeDays,
  });

  const policyError = (what: string, issues: readonly LawfulIssue[]) =>
    new RegistryError(ERROR_CODES.POLICY_VIOLATION, `${what}: ${issues.map((i) => i.code).join(", ")}. See issues for each rule.`, { issues });

  const nextVersion = (prev: PartyRecord, patch: Partial<PartyRecord> & Pick<PartyRecord, "change">, ctx: { actor: Actor; reason?: string | undefined }): PartyRecord => {
    const next: PartyRecord = { ...prev, ...patch, version: prev.version + 1, recordedAt: clock.now(), recordedBy: ctx.actor };
    delete next.reason;
    if (ctx.reason !== undefined) next.reason = ctx.reason;
    return next;
  };

  const partyDetails = (r: PartyRecord) => ({ role: r.party.role, status: r.status, version: r.version });

  async function saveNotice(prev: ChangeNotice | undefined, next: Omit<ChangeNotice, "revision">): Promise<ChangeNotice> {
    const n: ChangeNotice = { ...next, revision: (prev?.revision ?? 0) + 1 };
    await store.putChangeNotice(n);
    return n;
  }

  const mustNotice = async (t: string, id: string) => {
    const n = await store.getChangeNotice(t, id);
    if (!n) throw notFound("Change notice", id);
    return n;
  };

  const pseudonymOf = (who: { subject?: SubjectRefInput | undefined; subjectPseudonym?: string | undefined }): string => {
    if (who.subjectPseudonym !== undefined) return who.subjectPseudonym;
    if (!who.subject) throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, "Give a subject or a subject pseudonym.", { issues: [{ path: ["subject"], message: "is required", code: "required" }] });
    if (!config.pseudonymize) {
      throw new RegistryError(ERROR_CODES.INVALID_CONFIGURATION, "The registry has no pseudonymize option; pass subjectPseudonym or configure createRegistry({ pseudonymize }).");
    }
    return config.pseudonymize(parseOrThrow(SubjectRefSchema, who.subject, "subject", RegistryError));
  };

  const registry: Registry = {
    adequacy,

    async createParty(tenantId, input, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      return store.transaction(async () => {
        const party = await validateParty(t, input);
        if (await store.getParty(t, party.id)) throw new RegistryError(ERROR_CODES.CONFLICT, `Party ${party.id} already exists; update it instead.`);
        const record: PartyRecord = { tenantId: t, id: party.id, version: 1, status: "proposed", change: "created", recordedAt: clock.now(), recordedBy: c.actor, party };
        if (c.reason !== undefined) record.reason = c.reason;
        await store.appendPartyVersion(record);
        await audit.record(auditEvent(t, REGISTRY_AUDIT_ACTIONS.PARTY_CREATED, c.actor, "party", party.id, partyDetails(record)));
        return record;
      });
    },

    async updateParty(tenantId, partyId, input, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      return store.transaction(async () => {
        const prev = await mustGet(t, partyId);
        if (prev.status === "retired") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Party ${partyId} is retired; register a new party instead.`);
        const party = await validateParty(t, input, prev);
        const next = nextVersion(prev, { party, change: "updated" }, c);
        if (next.status === "active") {
          const standing = checkStandingRules(next, await activationContext(t, next));
          if (standing.length) throw policyError(`Party ${partyId} is active and the update breaks its rules`, standing);
        }
        await store.appendPartyVersion(next);
        await audit.record(auditEvent(t, REGISTRY_AUDIT_ACTIONS.PARTY_UPDATED, c.actor, "party", partyId, partyDetails(next)));
        return next;
      });
    },

    async checkActivation(tenantId, partyId) {
      const t = tenant(tenantId);
      const record = await mustGet(t, partyId);
      return checkActivationRules(record, await activationContext(t, record));
    },

    async activateParty(tenantId, partyId, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const effectiveFrom = ctx.effectiveFrom === undefined ? undefined : parseOrThrow(z.coerce.date(), ctx.effectiveFrom, "effectiveFrom", RegistryError);
      return store.transaction(async () => {
        const prev = await mustGet(t, partyId);
        const actx = await activationContext(t, prev);
        const check = checkActivationRules(prev, actx);
        if (!check.allowed) throw policyError(`Party ${partyId} cannot be activated`, check.issues);
        const now = actx.now;
        if (effectiveFrom && effectiveFrom.getTime() > now.getTime()) {
          throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, "effectiveFrom must not be in the future; activate when the change takes effect.", {
            issues: [{ path: ["effectiveFrom"], message: "must not be in the future", code: "too_big" }],
          });
        }
        const next = nextVersion(prev, { status: "active", change: "activated", effectiveFrom: effectiveFrom ?? now }, c);
        await store.appendPartyVersion(next);
        const events: AuditEventInput[] = [auditEvent(t, REGISTRY_AUDIT_ACTIONS.PARTY_ACTIVATED, c.actor, "party", partyId, partyDetails(next))];
        for (const n of actx.notices.filter((x) => x.status === "open")) {
          await saveNotice(n, { ...n, status: "completed", closedAt: now });
          events.push(auditEvent(t, REGISTRY_AUDIT_ACTIONS.CHANGE_COMPLETED, c.actor, "change_notice", n.id, { partyId }));
        }
        await audit.recordMany(events);
        return next;
      });
    },

    async retireParty(tenantId, partyId, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const until = ctx.effectiveUntil === undefined ? undefined : parseOrThrow(z.coerce.date(), ctx.effectiveUntil, "effectiveUntil", RegistryError);
      return store.transaction(async () => {
        const prev = await mustGet(t, partyId);
        if (prev.status === "retired") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Party ${partyId} is already retired.`);
        const dependants = (await store.listParties(t)).filter((p) => p.status === "active" && p.party.role === "subprocessor" && p.party.parentId === partyId);
        if (dependants.length) {
          throw policyError(
            `Party ${partyId} still engages active sub-processors`,
            dependants.map((d) => ({ path: ["subprocessors", d.id], code: "active_subprocessor", message: "retire this sub-processor first" })),
          );
        }
        const now = clock.now();
        const next = nextVersion(prev, { status: "retired", change: "retired", effectiveUntil: until ?? now }, c);
        await store.appendPartyVersion(next);
        const events: AuditEventInput[] = [auditEvent(t, REGISTRY_AUDIT_ACTIONS.PARTY_RETIRED, c.actor, "party", partyId, partyDetails(next))];
        for (const n of await store.listChangeNotices(t, { partyId })) {
          if (n.status !== "open") continue;
          await saveNotice(n, { ...n, status: "withdrawn", closedAt: now });
          events.push(auditEvent(t, REGISTRY_AUDIT_ACTIONS.CHANGE_WITHDRAWN, c.actor, "change_notice", n.id, { partyId }));
        }
        await audit.recordMany(events);
        return next;
      });
    },

    async getParty(tenantId, partyId) {
      return store.getParty(tenant(tenantId), partyId);
    },

    async listParties(tenantId, filter) {
      const all = await store.listParties(tenant(tenantId));
      return all.filter((p) => (filter?.status === undefined || p.status === filter.status) && (filter?.role === undefined || p.party.role === filter.role));
    },

    async getPartyHistory(tenantId, partyId) {
      return store.listPartyVersions(tenant(tenantId), partyId);
    },

    async getChain(tenantId, partyId) {
      const t = tenant(tenantId);
      const chain: PartyRecord[] = [await mustGet(t, partyId)];
      const seen = new Set([partyId]);
      for (;;) {
        const last = chain[chain.length - 1]!;
        if (last.party.role !== "subprocessor" || seen.has(last.party.parentId)) return chain;
        const parent = await store.getParty(t, last.party.parentId);
        if (!parent) return chain;
        seen.add(parent.id);
        chain.push(parent);
      }
    },

    async getProcessorTree(tenantId, options) {
      const t = tenant(tenantId);
      const all = (await store.listParties(t)).filter((p) => options?.includeRetired === true || p.status !== "retired");
      const children = new Map<string, PartyRecord[]>();
      for (const p of all) {
        if (p.party.role === "subprocessor") children.set(p.party.parentId, [...(children.get(p.party.parentId) ?? []), p]);
      }
      const node = (p: PartyRecord, seen: ReadonlySet<string>): ProcessorTreeNode => ({
        party: p,
        subprocessors: (children.get(p.id) ?? []).filter((c) => !seen.has(c.id)).map((c) => node(c, new Set([...seen, c.id]))),
      });
      return all.filter((p) => p.party.role === "processor").map((p) => node(p, new Set([p.id])));
    },

    async reviewActiveParties(tenantId) {
      const t = tenant(tenantId);
      const out: PartyReview[] = [];
      for (const p of await store.listParties(t)) {
        if (p.status !== "active") continue;
        const issues = checkStandingRules(p, await activationContext(t, p));
        if (issues.length) out.push({ partyId: p.id, issues });
      }
      return out;
    },

    async proposeChange(tenantId, input, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const n = parseOrThrow(ChangeNoticeInputSchema, input, "change notice", RegistryError);
      return store.transaction(async () => {
        const party = await mustGet(t, n.partyId);
        if (party.party.role !== "subprocessor" && party.party.role !== "processor") {
          throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, "Change notices apply to processors and sub-processors.", {
            issues: [{ path: ["partyId"], code: "not_a_processor", message: `is a ${party.party.role}` }],
          });
        }
        if (party.status !== "proposed") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Party ${n.partyId} is ${party.status}; only a proposed party can be announced.`);
        if (n.replacesPartyId !== undefined) await mustGet(t, n.replacesPartyId);
        const existing = await store.listChangeNotices(t, { partyId: n.partyId });
        if (existing.some((x) => x.status === "open")) throw new RegistryError(ERROR_CODES.CONFLICT, `Party ${n.partyId} already has an open change notice; withdraw it first.`);
        const now = clock.now();
        const agreed = party.party.role === "subprocessor" ? party.party.noticePeriodDays : undefined;
        if (n.noticePeriodDays !== undefined && agreed !== undefined && n.noticePeriodDays < agreed) {
          throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, `The notice period must be at least the ${agreed} days agreed for ${n.partyId}.`, {
            issues: [{ path: ["noticePeriodDays"], code: "too_small", message: `must be at least the agreed ${agreed} days` }],
          });
        }
        const days = n.noticePeriodDays ?? agreed ?? config.defaultNoticePeriodDays;
        const objectionDeadline = new Date(now.getTime() + days * DAY);
        const effectiveAt = n.effectiveAt ?? objectionDeadline;
        if (effectiveAt.getTime() < objectionDeadline.getTime()) {
          throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, "The effective date must not be before the objection deadline.", {
            issues: [{ path: ["effectiveAt"], code: "too_small", message: `must be on or after the objection deadline ${objectionDeadline.toISOString()}` }],
          });
        }
        const notice: Omit<ChangeNotice, "revision"> = {
          tenantId: t,
          id: config.ids(),
          partyId: n.partyId,
          kind: n.kind,
          proposedAt: now,
          proposedBy: c.actor,
          noticePeriodDays: days,
          objectionDeadline,
          effectiveAt,
          status: "open",
          objections: [],
        };
        if (n.replacesPartyId !== undefined) notice.replacesPartyId = n.replacesPartyId;
        if (n.description !== undefined) notice.description = n.description;
        const saved = await saveNotice(undefined, notice);
        await audit.record(
          auditEvent(t, REGISTRY_AUDIT_ACTIONS.CHANGE_PROPOSED, c.actor, "change_notice", saved.id, {
            partyId: n.partyId,
            kind: n.kind,
            noticePeriodDays: days,
            objectionDeadline: objectionDeadline.toISOString(),
            effectiveAt: effectiveAt.toISOString(),
          }),
        );
        return saved;
      });
    },

    async raiseObjection(tenantId, noticeId, objection, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const ob = parseOrThrow(z.object({ raisedBy: z.string().trim().min(1).max(256), reason: z.string().trim().min(1).max(2000).optional() }), objection, "objection", RegistryError);
      return store.transaction(async () => {
        const n = await mustNotice(t, noticeId);
        if (n.status !== "open") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Change notice ${noticeId} is ${n.status}; objections are closed.`);
        const now = clock.now();
        if (now.getTime() > n.objectionDeadline.getTime()) {
          throw new RegistryError(ERROR_CODES.POLICY_VIOLATION, `The objection window of change notice ${noticeId} closed at ${n.objectionDeadline.toISOString()}.`, {
            issues: [{ path: ["objectionDeadline"], code: "objection_window_closed", message: "has passed" }],
          });
        }
        const entry: ChangeNotice["objections"][number] = { id: config.ids(), raisedAt: now, raisedBy: ob.raisedBy, status: "open" };
        if (ob.reason !== undefined) entry.reason = ob.reason;
        const saved = await saveNotice(n, { ...n, objections: [...n.objections, entry] });
        await audit.record(auditEvent(t, REGISTRY_AUDIT_ACTIONS.OBJECTION_RAISED, c.actor, "change_notice", noticeId, { partyId: n.partyId, objectionId: entry.id }));
        return saved;
      });
    },

    async closeObjection(tenantId, noticeId, objectionId, outcome, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const out = parseOrThrow(
        z.object({ status: z.enum(["withdrawn", "resolved", "upheld"]), resolution: z.string().trim().min(1).max(2000).optional() }),
        outcome,
        "objection outcome",
        RegistryError,
      );
      return store.transaction(async () => {
        const n = await mustNotice(t, noticeId);
        const o = n.objections.find((x) => x.id === objectionId);
        if (!o) throw notFound("Objection", objectionId);
        if (o.status !== "open") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Objection ${objectionId} is already ${o.status}.`);
        const now = clock.now();
        const closed: typeof o = { ...o, status: out.status, closedAt: now };
        if (out.resolution !== undefined) closed.resolution = out.resolution;
        const next: Omit<ChangeNotice, "revision"> = { ...n, objections: n.objections.map((x) => (x.id === objectionId ? closed : x)) };
        const events = [auditEvent(t, REGISTRY_AUDIT_ACTIONS.OBJECTION_CLOSED, c.actor, "change_notice", noticeId, { partyId: n.partyId, objectionId, outcome: out.status })];
        if (out.status === "upheld" && n.status === "open") {
          next.status = "rejected";
          next.closedAt = now;
          events.push(auditEvent(t, REGISTRY_AUDIT_ACTIONS.CHANGE_REJECTED, c.actor, "change_notice", noticeId, { partyId: n.partyId }));
        }
        const saved = await saveNotice(n, next);
        await audit.recordMany(events);
        return saved;
      });
    },

    async withdrawChange(tenantId, noticeId, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      return store.transaction(async () => {
        const n = await mustNotice(t, noticeId);
        if (n.status !== "open") throw new RegistryError(ERROR_CODES.ILLEGAL_TRANSITION, `Change notice ${noticeId} is ${n.status}, not open.`);
        const saved = await saveNotice(n, { ...n, status: "withdrawn", closedAt: clock.now() });
        await audit.record(auditEvent(t, REGISTRY_AUDIT_ACTIONS.CHANGE_WITHDRAWN, c.actor, "change_notice", noticeId, { partyId: n.partyId }));
        return saved;
      });
    },

    async getChangeNotice(tenantId, noticeId) {
      return store.getChangeNotice(tenant(tenantId), noticeId);
    },

    async listChangeNotices(tenantId, filter) {
      return store.listChangeNotices(tenant(tenantId), filter);
    },

    async recordDisclosure(tenantId, input, ctx) {
      const t = tenant(tenantId);
      const c = context(ctx);
      const d = parseOrThrow(DisclosureInputSchema, input, "disclosure", RegistryError);
      return store.transaction(async () => {
        const record = await makeDisclosure(t, d, "direct", config.ids());
        await store.appendDisclosure(record);
        const event: AuditEventInput = {
          tenantId: t,
          action: "data.transferred",
          actor: c.actor,
          occurredAt: record.occurredAt,
          recipient: { partyId: record.recipientId, categories: record.categories, ...(record.country ? { country: record.country } : {}) },
          target: { system: "registry", recordType: "disclosure", recordId: record.id },
        };
        if (d.subject) event.subject = d.subject;
        else event.subjectPseudonym = record.subjectPseudonym;
        if (record.purpose) event.purpose = record.purpose;
        if (record.correlationId) event.correlationId = record.correlationId;
        await audit.record(event);
        return record;
      });
    },

    async recordDisclosureFromAuditEvent(event, options) {
      const e = parseOrThrow(AuditEventInputSchema, event, "audit event", RegistryError);
      const issues: LawfulIssue[] = [];
      if (e.action !== "data.transferred") issues.push({ path: ["action"], code: "not_a_transfer", message: "must be 'data.transferred'" });
      if (!e.recipient) issues.push({ path: ["recipient"], code: "required", message: "is required: the registry party that received the data" });
      if (!e.subject && !e.subjectPseudonym) issues.push({ path: ["subject"], code: "required", message: "give subject or subjectPseudonym" });
      const categories = e.recipient?.categories ?? e.target?.fields ?? [];
      if (categories.length === 0) issues.push({ path: ["recipient", "categories"], code: "required", message: "name the data categories transferred" });
      if (issues.length) throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, `The audit event does not describe a disclosure: ${issues.map((i) => i.path.join(".")).join(", ")}.`, { issues });
      const input = {
        recipientId: e.recipient!.partyId,
        categories,
        ...(e.subject ? { subject: e.subject } : { subjectPseudonym: e.subjectPseudonym }),
        ...(e.purpose ? { purpose: e.purpose } : {}),
        ...(e.occurredAt ? { occurredAt: e.occurredAt } : {}),
        ...(e.recipient?.country ? { country: e.recipient.country } : {}),
        ...(e.correlationId ? { correlationId: e.correlationId } : {}),
      };
      const d = parseOrThrow(DisclosureInputSchema, input, "disclosure", RegistryError);
      const t = e.tenantId;
      return store.transaction(async () => {
        const id = options?.eventId !== undefined ? `audit:${parseOrThrow(z.string().min(1).max(120), options.eventId, "eventId", RegistryError)}` : config.ids();
        if (options?.eventId !== undefined) {
          const dup = await store.getDisclosure(t, id);
          if (dup) return dup;
        }
        const record = await makeDisclosure(t, d, "audit", id);
        await store.appendDisclosure(record);
        return record;
      });
    },

    async listDisclosures(tenantId, query) {
      const t = tenant(tenantId);
      const { subject, ...rest } = query ?? {};
      const q: DisclosureQuery = { ...rest };
      if (subject) q.subjectPseudonym = pseudonymOf({ subject });
      return store.listDisclosures(t, q);
    },

    async recipientsForSubject(tenantId, who) {
      const t = tenant(tenantId);
      const pseudonym = pseudonymOf(who);
      const wanted = who.categories === undefined ? undefined : parseOrThrow(z.array(DataCategorySchema).min(1), who.categories, "categories", RegistryError);
      const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
      const rows = (await store.listDisclosures(t, { subjectPseudonym: pseudonym })).filter(
        (d) => wanted === undefined || d.categories.some((c) => wanted.some((w) => related(c, w))),
      );
      const groups = new Map<string, DisclosureRecord[]>();
      for (const r of rows) groups.set(r.recipientId, [...(groups.get(r.recipientId) ?? []), r]);
      const out: SubjectRecipient[] = [];
      for (const [recipientId, list] of groups) {
        const party = await store.getParty(t, recipientId);
        if (!party) continue;
        const countries = [...new Set([...list.map((d) => d.country ?? party.party.country)])].sort();
        const thirdCountry = countries.some((c) => classifyDestination(c, adequacy).status !== "domestic");
        const entry: SubjectRecipient = {
          recipient: {
            id: party.id,
            legalName: party.party.legalName,
            role: party.party.role,
            status: party.status,
            country: party.party.country,
            address: party.party.address,
            contact: party.party.contact,
          },
          categories: [...new Set(list.flatMap((d) => d.categories))].sort(),
          purposes: [...new Set(list.flatMap((d) => (d.purpose ? [d.purpose] : [])))].sort(),
          firstDisclosedAt: list[0]!.occurredAt,
          lastDisclosedAt: list[list.length - 1]!.occurredAt,
          disclosures: list.length,
          thirdCountry,
          countries,
          ...(thirdCountry && party.party.transfer ? { safeguard: party.party.transfer } : {}),
        };
        out.push(entry);
      }
      return out.sort((a, b) => a.recipient.legalName.localeCompare(b.recipient.legalName) || (a.recipient.id < b.recipient.id ? -1 : 1));
    },

    async changeFeed(tenantId, options) {
      const t = tenant(tenantId);
      const [versions, notices, latest] = await Promise.all([store.listPartyVersions(t), store.listChangeNotices(t), store.listParties(t)]);
      return buildChangeFeed({ versions, notices, parties: latest, roles: options?.roles });
    },
  };

  async function makeDisclosure(t: string, d: z.output<typeof DisclosureInputSchema>, origin: "direct" | "audit", id: string): Promise<DisclosureRecord> {
    const party = await store.getParty(t, d.recipientId);
    if (!party) {
      throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, `Disclosure recipient ${d.recipientId} is not a registered party; register every recipient first.`, {
        issues: [{ path: ["recipientId"], code: "unknown_recipient", message: "is not a registered party" }],
      });
    }
    const pseudonym = pseudonymOf(d);
    const record: DisclosureRecord = {
      tenantId: t,
      id,
      recipientId: d.recipientId,
      subjectPseudonym: pseudonym,
      categories: [...new Set(d.categories)].sort(),
      occurredAt: d.occurredAt ?? clock.now(),
      recordedAt: clock.now(),
      origin,
      country: d.country ?? party.party.country,
    };
    if (d.purpose) record.purpose = d.purpose;
    if (d.correlationId) record.correlationId = d.correlationId;
    return record;
  }

  return Object.freeze(registry);
}
