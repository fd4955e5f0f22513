import type { ConsentEvent, Decision, DenialReason, Purpose } from "./model.js";

/**
 * Key of the subject-wide state rows kept next to the per-purpose rows of the projection.
 *
 * @example
 * ```ts
 * import { SUBJECT_STATE_KEYS } from "@lawful/consent";
 * SUBJECT_STATE_KEYS.restricted; // "*restricted"
 * ```
 */
export const SUBJECT_STATE_KEYS = Object.freeze({ restricted: "*restricted", suppressed: "*suppressed", evidenceKey: "*evidence" } as const);

/**
 * Status of a row of the current-state projection.
 *
 * @example
 * ```ts
 * import type { ConsentStateStatus } from "@lawful/consent";
 * const s: ConsentStateStatus = "granted";
 * ```
 */
export type ConsentStateStatus =
  | "granted"
  | "pending"
  | "refused"
  | "withdrawn"
  | "gpc"
  | "objected"
  | "expired"
  | "restricted"
  | "suppressed"
  | "evidence_key";

/**
 * One row of the current-state projection `(tenant, subject pseudonym, purpose) → decision fields`, written in the same
 * transaction as the event that changes it. `purposeKey` is a purpose id or one of {@link SUBJECT_STATE_KEYS}
 * (the `*evidence` row holds, in `eventId`, the keyring subject key id that encrypts the subject's evidence).
 *
 * @example
 * ```ts
 * import type { ConsentState } from "@lawful/consent";
 * const isLive = (s: ConsentState, at: Date) => s.status === "granted" && (s.until === null || at < s.until);
 * ```
 */
export interface ConsentState {
  readonly tenantId: string;
  readonly subjectPseudonym: string;
  readonly purposeKey: string;
  readonly status: ConsentStateStatus;
  /** Basis type (`gdpr_consent`, `casl_implied`, …) when granted, else null. */
  readonly basis: string | null;
  /** The event (or suppression entry) that decides the current state. */
  readonly eventId: string;
  /** Since when this state holds. */
  readonly since: Date;
  /** When a granted state ends by itself (CASL implied consent), else null. */
  readonly until: Date | null;
  /** The latest event time folded into this row: the row answers for every instant at or after it; earlier instants replay the history. */
  readonly asOf: Date;
}

function basisOf(event: ConsentEvent): string | null {
  if (!event.basis) return null;
  return event.basis.type === "lawful_basis" ? event.basis.lawfulBasis : event.basis.type;
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function grant(prev: ConsentState | undefined, event: ConsentEvent): ConsentState {
  const basis = basisOf(event) ?? "gdpr_consent";
  if (prev?.status === "granted") {
    const asOf = later(prev.asOf, event.occurredAt);
    // A running grant: express (no expiry) beats implied; implied windows run to the latest end.
    if (prev.until === null && event.expiresAt !== null) return { ...prev, asOf };
    if (prev.until !== null && event.expiresAt !== null && event.expiresAt.getTime() <= prev.until.getTime()) return { ...prev, asOf };
    return { ...prev, basis, eventId: event.id, until: event.expiresAt, asOf };
  }
  return {
    tenantId: event.tenantId,
    subjectPseudonym: event.subjectPseudonym,
    purposeKey: event.purposeId,
    status: "granted",
    basis,
    eventId: event.id,
    since: event.occurredAt,
    until: event.expiresAt,
    asOf: prev ? later(prev.asOf, event.occurredAt) : event.occurredAt,
  };
}

function deny(event: ConsentEvent, status: ConsentStateStatus, prev?: ConsentState): ConsentState {
  return {
    tenantId: event.tenantId,
    subjectPseudonym: event.subjectPseudonym,
    purposeKey: event.purposeId,
    status,
    basis: null,
    eventId: event.id,
    since: event.occurredAt,
    until: null,
    asOf: prev ? later(prev.asOf, event.occurredAt) : event.occurredAt,
  };
}

/**
 * Fold one event into the current state of its `(subject, purpose)`.
 *
 * - `given` grants (an express grant replaces an implied one; implied grants extend to the latest expiry);
 * - `renewed` extends a grant; after a refusal, withdrawal, objection or GPC opt-out only a positive act
 *   (not an implied CASL qualifying event) grants again — the subject's "no" stands until they say yes;
 * - `requested` (double opt-in sent) makes a non-granted state pending;
 * - `refused` and `withdrawn` deny (`gpc` when the method is `gpc_signal`); `objected` denies; `expired` ends a grant.
 *
 * @example
 * ```ts
 * import { applyConsentEvent, type ConsentEvent } from "@lawful/consent";
 * const first = (event: ConsentEvent) => applyConsentEvent(undefined, event);
 * ```
 */
export function applyConsentEvent(prev: ConsentState | undefined, event: ConsentEvent): ConsentState {
  const keep = (p: ConsentState): ConsentState => ({ ...p, asOf: later(p.asOf, event.occurredAt) });
  switch (event.type) {
    case "given":
      return grant(prev, event);
    case "renewed": {
      if (prev?.status === "granted") return grant(prev, event);
      const said = prev?.status === "refused" || prev?.status === "withdrawn" || prev?.status === "objected" || prev?.status === "gpc";
      const implied = event.basis?.type === "casl_implied" || event.method === "transaction";
      if (prev && said && implied) return keep(prev);
      return grant(prev, event);
    }
    case "requested":
      return prev?.status === "granted" ? keep(prev) : deny(event, "pending", prev);
    case "refused":
    case "withdrawn":
      return deny(event, event.method === "gpc_signal" ? "gpc" : event.type, prev);
    case "objected":
      return deny(event, "objected", prev);
    case "expired":
      return prev?.status === "granted" ? deny(event, "expired", prev) : prev ? keep(prev) : deny(event, "expired");
  }
}

/**
 * Replay events (any order; sorted by `occurredAt`, then id) into the state at `at` (default: after all of them).
 *
 * @example
 * ```ts
 * import { projectConsentState, type ConsentEvent } from "@lawful/consent";
 * const stateOn1June = (events: ConsentEvent[]) => projectConsentState(events, new Date("2025-06-01T00:00:00Z"));
 * ```
 */
export function projectConsentState(events: readonly ConsentEvent[], at?: Date): ConsentState | undefined {
  const sorted = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let state: ConsentState | undefined;
  for (const e of sorted) {
    if (at !== undefined && e.occurredAt.getTime() > at.getTime()) break;
    state = applyConsentEvent(state, e);
  }
  return state;
}

const REASON_OF: Partial<Record<ConsentStateStatus, DenialReason>> = {
  pending: "pending_confirmation",
  refused: "refused",
  withdrawn: "withdrawn",
  gpc: "gpc",
  objected: "objected",
  expired: "expired",
};

/**
 * The subject-wide rows and the purpose row that {@link decideFromState} reads.
 *
 * @example
 * ```ts
 * import type { DecisionInputs } from "@lawful/consent";
 * const inputs: DecisionInputs = { purposeState: undefined, restricted: undefined, suppressed: undefined };
 * ```
 */
export interface DecisionInputs {
  readonly purposeState: ConsentState | undefined;
  readonly restricted: ConsentState | undefined;
  readonly suppressed: ConsentState | undefined;
}

function denied(purposeId: string, at: Date, reason: DenialReason, s: ConsentState | undefined, until: Date | null = null): Decision {
  return { allowed: false, purposeId, basis: null, reason, decidingEventId: s?.eventId ?? null, since: s?.since ?? null, until, at };
}

/**
 * Decide whether `purpose` is allowed at `at` from the projection rows: restriction first, then suppression
 * (direct-marketing purposes on the suppressed channel), then the purpose row (expiry checked against `at`), then the purpose's model when
 * nothing was recorded (`opt_in` → `never_given`; `opt_out` → allowed, e.g. CAN-SPAM).
 *
 * @example
 * ```ts
 * import { PurposeSchema, decideFromState } from "@lawful/consent";
 * const purpose = PurposeSchema.parse({ tenantId: "acme", id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
 * const d = decideFromState(purpose, { purposeState: undefined, restricted: undefined, suppressed: undefined }, new Date());
 * d.reason; // "never_given" for an opt-in purpose
 * ```
 */
export function decideFromState(purpose: Purpose, inputs: DecisionInputs, at: Date): Decision {
  const { purposeState: s, restricted, suppressed } = inputs;
  if (restricted) return denied(purpose.id, at, "restricted", restricted);
  // the suppressed row keeps the suppressed channel in `basis` (null: every channel)
  if (suppressed && purpose.directMarketing && (suppressed.basis === null || suppressed.basis === purpose.channel)) {
    return denied(purpose.id, at, "suppressed", suppressed);
  }
  if (!s) {
    if (purpose.model === "opt_out") {
      const basis = purpose.lawfulBasis !== "consent" ? purpose.lawfulBasis : purpose.regime === "US" ? "can_spam" : "opt_out_model";
      return { allowed: true, purposeId: purpose.id, basis, reason: null, decidingEventId: null, since: null, until: null, at };
    }
    return denied(purpose.id, at, "never_given", undefined);
  }
  if (s.status === "granted") {
    if (s.until !== null && at.getTime() >= s.until.getTime()) {
      return { allowed: false, purposeId: purpose.id, basis: null, reason: "expired", decidingEventId: s.eventId, since: s.until, until: null, at };
    }
    return { allowed: true, purposeId: purpose.id, basis: s.basis, reason: null, decidingEventId: s.eventId, since: s.since, until: s.until, at };
  }
  return denied(purpose.id, at, REASON_OF[s.status] ?? "withdrawn", s);
}
