import { ERROR_CODES, type Actor, type PauseReason } from "@lawful/core";
import { DsrError } from "./errors.js";
import type { DenialReason, DsrRequest, DsrState, VerificationChallenge, VerificationLevel, VerificationMethod } from "./model.js";
import { TERMINAL_STATES } from "./model.js";

/**
 * The names of the actions of the state machine.
 *
 * @example
 * ```ts
 * import { DSR_ACTIONS } from "@lawful/dsr";
 * DSR_ACTIONS.includes("extend"); // true
 * ```
 */
export const DSR_ACTIONS = [
  "acknowledge",
  "request_verification",
  "verify",
  "start",
  "complete",
  "complete_partially",
  "deny",
  "cancel",
  "withdraw",
  "extend",
  "pause",
  "resume",
  "receive_fee",
] as const;

/**
 * An action name, see {@link DSR_ACTIONS}.
 *
 * @example
 * ```ts
 * import type { DsrActionType } from "@lawful/dsr";
 * const a: DsrActionType = "deny";
 * ```
 */
export type DsrActionType = (typeof DSR_ACTIONS)[number];

const OPEN_SELF = (s: DsrState) => ({ acknowledge: s, extend: s, pause: s, resume: s, receive_fee: s }) as const;

/**
 * The transition table: for each state, the actions allowed and the state they lead to. Anything
 * not listed is refused with `ILLEGAL_TRANSITION`. Self-loops (acknowledge, extend, pause, resume,
 * receive_fee) change the request's clock without changing its state. Terminal states allow nothing.
 *
 * ```
 * received ─request_verification→ awaiting_verification ─verify→ verified ─start→ in_progress
 * received ─verify→ verified                          in_progress ─complete→ completed
 *                                                     in_progress ─complete_partially→ partially_completed
 * any open state ─deny→ denied, ─withdraw→ withdrawn; before in_progress ─cancel→ cancelled
 * ```
 *
 * @example
 * ```ts
 * import { DSR_TRANSITIONS } from "@lawful/dsr";
 * DSR_TRANSITIONS.verified.start; // "in_progress"
 * DSR_TRANSITIONS.completed; // {}
 * ```
 */
export const DSR_TRANSITIONS: Readonly<Record<DsrState, Readonly<Partial<Record<DsrActionType, DsrState>>>>> = Object.freeze({
  received: Object.freeze({
    ...OPEN_SELF("received"),
    request_verification: "awaiting_verification",
    verify: "verified",
    deny: "denied",
    cancel: "cancelled",
    withdraw: "withdrawn",
  }),
  awaiting_verification: Object.freeze({
    ...OPEN_SELF("awaiting_verification"),
    request_verification: "awaiting_verification",
    verify: "verified",
    deny: "denied",
    cancel: "cancelled",
    withdraw: "withdrawn",
  }),
  verified: Object.freeze({ ...OPEN_SELF("verified"), start: "in_progress", deny: "denied", cancel: "cancelled", withdraw: "withdrawn" }),
  in_progress: Object.freeze({
    ...OPEN_SELF("in_progress"),
    complete: "completed",
    complete_partially: "partially_completed",
    deny: "denied",
    withdraw: "withdrawn",
  }),
  completed: Object.freeze({}),
  partially_completed: Object.freeze({}),
  denied: Object.freeze({}),
  cancelled: Object.freeze({}),
  withdrawn: Object.freeze({}),
});

/**
 * An action with its payload, applied by {@link transition}.
 *
 * @example
 * ```ts
 * import type { DsrAction } from "@lawful/dsr";
 * const a: DsrAction = { type: "extend", actor: { type: "staff", id: "u1" }, reason: "complexity", notifiedAt: new Date() };
 * ```
 */
export type DsrAction =
  | { type: "acknowledge"; actor: Actor }
  | { type: "request_verification"; actor: Actor; challenge?: VerificationChallenge | undefined; pauseClock?: boolean | undefined }
  | {
      type: "verify";
      actor: Actor;
      method: VerificationMethod;
      level: VerificationLevel;
      dataPointsMatched?: number | undefined;
      declarationSigned?: boolean | undefined;
      evidence?: readonly string[] | undefined;
      reviewer?: string | undefined;
    }
  | { type: "start"; actor: Actor }
  | { type: "complete"; actor: Actor; nature: string; result?: unknown }
  | { type: "complete_partially"; actor: Actor; nature: string; result?: unknown }
  | { type: "deny"; actor: Actor; reason: DenialReason; explanation: string; evidence?: readonly string[] | undefined }
  | { type: "cancel"; actor: Actor; reason: string; duplicateOf?: string | undefined }
  | { type: "withdraw"; actor: Actor }
  | { type: "extend"; actor: Actor; reason: string; notifiedAt: Date }
  | { type: "pause"; actor: Actor; reason: PauseReason }
  | { type: "resume"; actor: Actor }
  | { type: "receive_fee"; actor: Actor };

const LEVEL_RANK: Record<VerificationLevel, number> = { none: 0, low: 1, high: 2 };

/**
 * True when `achieved` satisfies `required` (`high` ⊇ `low` ⊇ `none`).
 *
 * @example
 * ```ts
 * import { levelSatisfies } from "@lawful/dsr";
 * levelSatisfies("high", "low"); // true
 * levelSatisfies("low", "high"); // false
 * ```
 */
export function levelSatisfies(achieved: VerificationLevel, required: VerificationLevel): boolean {
  return LEVEL_RANK[achieved] >= LEVEL_RANK[required];
}

/**
 * True when no action leaves `state`.
 *
 * @example
 * ```ts
 * import { isTerminalState } from "@lawful/dsr";
 * isTerminalState("withdrawn"); // true
 * ```
 */
export function isTerminalState(state: DsrState): boolean {
  return TERMINAL_STATES.includes(state);
}

/**
 * The state `action` leads to from `state`, or `undefined` when the table does not allow it.
 *
 * @example
 * ```ts
 * import { nextState } from "@lawful/dsr";
 * nextState("received", "verify"); // "verified"
 * nextState("completed", "deny"); // undefined
 * ```
 */
export function nextState(state: DsrState, action: DsrActionType): DsrState | undefined {
  return DSR_TRANSITIONS[state][action];
}

function refuse(message: string, path: string): never {
  throw new DsrError(ERROR_CODES.POLICY_VIOLATION, message, { issues: [{ path: [path], message, code: "policy" }] });
}

function openPause(request: DsrRequest) {
  return request.pauses.find((p) => p.resumedAt === undefined);
}

function closePauses(request: DsrRequest, at: Date, reason?: PauseReason): DsrRequest["pauses"] {
  return request.pauses.map((p) => (p.resumedAt === undefined && (reason === undefined || p.reason === reason) ? { ...p, resumedAt: at } : p));
}

/**
 * Apply `action` to `request` at instant `at` and return the new request (pure: nothing is
 * stored, the deadline snapshot is not recomputed — the service does both). Guards:
 * - the table must allow the action from the current state (`ILLEGAL_TRANSITION`);
 * - `extend`: the regime must allow an extension, only once, before the original deadline, with a
 *   reason, and the person notified no later than that deadline (DOMAIN A1, A5);
 * - `pause`: never under the CCPA (A5) or LGPD; EU only for identity (A3); UK only for
 *   clarification (A4); one open pause at a time;
 * - `verify`: the achieved level must satisfy the required one;
 * - `deny` for `manifestly_unfounded` / `excessive` needs evidence (C2);
 * - completing a `restriction_lift` needs `details.subjectNotifiedAt` (Art. 18(3)).
 *
 * @throws DsrError `ILLEGAL_TRANSITION` when the table does not allow the action; `POLICY_VIOLATION` when a guard fails.
 * @example
 * ```ts
 * import { transition, type DsrRequest } from "@lawful/dsr";
 * declare const request: DsrRequest;
 * const next = transition(request, { type: "withdraw", actor: { type: "subject", id: "self" } }, new Date());
 * next.state; // "withdrawn"
 * ```
 */
export function transition(request: DsrRequest, action: DsrAction, at: Date): DsrRequest {
  const to = nextState(request.state, action.type);
  if (to === undefined) {
    throw new DsrError(
      ERROR_CODES.ILLEGAL_TRANSITION,
      `Request ${request.id} is ${request.state}; the action "${action.type}" is not allowed from that state (see DSR_TRANSITIONS).`,
      { issues: [{ path: ["state"], message: `"${action.type}" not allowed from ${request.state}`, code: "illegal_transition" }] },
    );
  }
  let next: DsrRequest = { ...request, state: to };
  switch (action.type) {
    case "acknowledge":
      next.acknowledgedAt = request.acknowledgedAt ?? at;
      break;
    case "request_verification": {
      next.verification = { ...request.verification, requestedAt: at, ...(action.challenge ? { challenge: action.challenge } : {}) };
      if (action.pauseClock === true && request.regime === "EU" && !openPause(request)) {
        next.pauses = [...request.pauses, { pausedAt: at, reason: "identity" }];
      }
      break;
    }
    case "verify": {
      if (!levelSatisfies(action.level, request.verification.requiredLevel)) {
        refuse(
          `Verification by ${action.method} reached level "${action.level}" but request type ${request.type} under ${request.regime} needs "${request.verification.requiredLevel}".`,
          "verification",
        );
      }
      const { challenge: _challenge, ...rest } = request.verification;
      next.verification = {
        ...rest,
        achievedLevel: action.level,
        method: action.method,
        verifiedAt: at,
        ...(action.dataPointsMatched === undefined ? {} : { dataPointsMatched: action.dataPointsMatched }),
        ...(action.declarationSigned === undefined ? {} : { declarationSigned: action.declarationSigned }),
        ...(action.evidence === undefined ? {} : { evidence: [...action.evidence] }),
        ...(action.reviewer === undefined ? {} : { reviewer: action.reviewer }),
      };
      next.pauses = closePauses(request, at, "identity");
      // UK (A4): identity information the controller asked for moves the clock start.
      if (request.regime === "UK" && request.state === "awaiting_verification" && action.method !== "not_required") next.idReceivedAt = at;
      break;
    }
    case "start":
      break;
    case "complete":
    case "complete_partially": {
      if (request.type === "restriction_lift") {
        const notified = request.details.subjectNotifiedAt;
        if (notified === undefined || notified.getTime() > at.getTime()) {
          refuse("A restriction may only be lifted after the person was told (GDPR Art. 18(3)); set details.subjectNotifiedAt first.", "details.subjectNotifiedAt");
        }
      }
      next.outcome = { respondedAt: at, nature: action.nature, ...(action.result === undefined ? {} : { result: action.result }) };
      next.pauses = closePauses(request, at);
      break;
    }
    case "deny": {
      if ((action.reason === "manifestly_unfounded" || action.reason === "excessive") && (action.evidence ?? []).length === 0) {
        refuse(`Denying as ${action.reason} needs evidence: the controller bears the burden of proof (GDPR Art. 12(5)).`, "evidence");
      }
      if (action.explanation.trim() === "") refuse("A denial needs an explanation for the person (GDPR Art. 12(4)).", "explanation");
      next.denial = {
        reason: action.reason,
        explanation: action.explanation,
        ...(action.evidence && action.evidence.length > 0 ? { evidence: [...action.evidence] } : {}),
        complaintInfoProvided: true,
      };
      next.outcome = { respondedAt: at, nature: `denied: ${action.reason}` };
      next.pauses = closePauses(request, at);
      break;
    }
    case "cancel":
      next.cancellation = { reason: action.reason, ...(action.duplicateOf === undefined ? {} : { duplicateOf: action.duplicateOf }) };
      next.pauses = closePauses(request, at);
      break;
    case "withdraw":
      next.outcome = { respondedAt: at, nature: "withdrawn by the requester" };
      next.pauses = closePauses(request, at);
      break;
    case "extend": {
      const d = request.deadlines;
      if (d.extendedBy === undefined) refuse(`Regime ${request.regime} allows no extension for ${request.type} requests.`, "type");
      if (request.extension) refuse(`Request ${request.id} was already extended; only one extension is allowed.`, "extension");
      if (action.reason.trim() === "") refuse("An extension needs a reason given to the person (GDPR Art. 12(3)).", "reason");
      const notice = d.extensionNoticeBy ?? d.respondBy;
      if (at.getTime() > notice.getTime()) {
        refuse(`The original deadline (${d.respondByDate}) has passed; an extension is only valid if notified before it (DOMAIN A1).`, "at");
      }
      if (action.notifiedAt.getTime() > notice.getTime()) {
        refuse(`The person must be told about the extension by ${d.respondByDate} (DOMAIN A1/A5).`, "notifiedAt");
      }
      next.extension = { reason: action.reason, notifiedAt: action.notifiedAt, extendedAt: at };
      break;
    }
    case "pause": {
      if (request.regime === "US-CA") refuse("The CCPA clock is never paused, whatever verification needs (DOMAIN A5).", "regime");
      if (request.regime === "BR") refuse("The LGPD has no pause rule; the clock keeps running (DOMAIN A7).", "regime");
      if (request.regime === "EU" && action.reason !== "identity") refuse("EU: only identity checks pause the clock (DOMAIN A3).", "reason");
      if (request.regime === "UK" && action.reason !== "clarification") {
        refuse("UK: only clarification of scope pauses the clock; identity and fees move the clock start instead (DOMAIN A4).", "reason");
      }
      if (openPause(request)) refuse(`Request ${request.id} is already paused.`, "pauses");
      next.pauses = [...request.pauses, { pausedAt: at, reason: action.reason }];
      break;
    }
    case "resume":
      if (!openPause(request)) refuse(`Request ${request.id} is not paused.`, "pauses");
      next.pauses = closePauses(request, at);
      break;
    case "receive_fee":
      next.feeReceivedAt = at;
      break;
  }
  next = {
    ...next,
    history: [...request.history, { action: action.type, from: request.state, to, at, actor: action.actor }],
    version: request.version + 1,
    updatedAt: at,
  };
  return next;
}
