import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { DsrRegime, DsrRequestType, VerificationChallenge, VerificationLevel } from "./model.js";

/**
 * The default verification level per regime and request type (DOMAIN C10):
 * - US-CA: opt-out and limit need none (§7026); requests to know categories need `low` (two data
 *   points); specific pieces need `high` (three data points plus a signed declaration); delete
 *   and correct need `low` (raise to `high` for sensitive data through options).
 * - EU/UK/BR: objection needs none (an objection to direct marketing is absolute, Art. 21(2)–(3));
 *   everything else needs `low` ("reasonable measures", Recital 64).
 *
 * @example
 * ```ts
 * import { DEFAULT_VERIFICATION_LEVELS } from "@lawful/dsr";
 * DEFAULT_VERIFICATION_LEVELS["US-CA"].ccpa_know_specific; // "high"
 * ```
 */
export const DEFAULT_VERIFICATION_LEVELS: Readonly<Record<DsrRegime, Readonly<Partial<Record<DsrRequestType, VerificationLevel>>>>> = Object.freeze({
  "US-CA": Object.freeze({
    ccpa_opt_out: "none",
    ccpa_limit: "none",
    ccpa_know_categories: "low",
    ccpa_know_specific: "high",
    ccpa_delete: "low",
    ccpa_correct: "low",
  }),
  EU: Object.freeze({ objection: "none" }),
  UK: Object.freeze({ objection: "none" }),
  BR: Object.freeze({ objection: "none" }),
});

/**
 * Per-regime overrides of {@link DEFAULT_VERIFICATION_LEVELS}.
 *
 * @example
 * ```ts
 * import type { VerificationLevelOverrides } from "@lawful/dsr";
 * const o: VerificationLevelOverrides = { "US-CA": { ccpa_delete: "high" } };
 * ```
 */
export type VerificationLevelOverrides = Partial<Record<DsrRegime, Partial<Record<DsrRequestType, VerificationLevel>>>>;

/**
 * The verification level a request of `type` under `regime` needs. Opt-outs and limit requests
 * always need none: the CCPA forbids verifying them (§7026).
 *
 * @example
 * ```ts
 * import { requiredVerificationLevel } from "@lawful/dsr";
 * requiredVerificationLevel("US-CA", "ccpa_know_categories"); // "low"
 * requiredVerificationLevel("EU", "erasure"); // "low"
 * ```
 */
export function requiredVerificationLevel(regime: DsrRegime, type: DsrRequestType, overrides: VerificationLevelOverrides = {}): VerificationLevel {
  if (type === "ccpa_opt_out" || type === "ccpa_limit") return "none";
  return overrides[regime]?.[type] ?? DEFAULT_VERIFICATION_LEVELS[regime][type] ?? "low";
}

/**
 * The level manual review reaches: three or more matched data points plus a signed declaration →
 * `high`; two or more → `low`; fewer → `none` (CCPA §7062, DOMAIN C10).
 *
 * @example
 * ```ts
 * import { levelFromDataPoints } from "@lawful/dsr";
 * levelFromDataPoints(3, true); // "high"
 * levelFromDataPoints(3, false); // "low"
 * ```
 */
export function levelFromDataPoints(dataPointsMatched: number, declarationSigned: boolean): VerificationLevel {
  if (dataPointsMatched >= 3 && declarationSigned) return "high";
  if (dataPointsMatched >= 2) return "low";
  return "none";
}

/** @internal */
export function hashSecret(key: Uint8Array, requestId: string, secret: string): string {
  return createHmac("sha256", key).update(`lawful-dsr-verification\u0000${requestId}\u0000${secret}`, "utf8").digest("hex");
}

/** @internal */
export function newSecret(kind: "code" | "link"): string {
  if (kind === "code") return String(randomInt(0, 1_000_000)).padStart(6, "0");
  return randomBytes(32).toString("base64url");
}

/** @internal */
export function secretMatches(challenge: VerificationChallenge, key: Uint8Array, requestId: string, secret: string): boolean {
  const expected = Buffer.from(challenge.hash, "hex");
  const given = Buffer.from(hashSecret(key, requestId, secret.trim()), "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The result of submitting a one-time code or link token: verified, or why not (a mismatch with
 * the attempts left, expired, locked after too many attempts, or no challenge issued).
 *
 * @example
 * ```ts
 * import type { VerificationAttemptResult } from "@lawful/dsr";
 * const r: VerificationAttemptResult = { ok: false, reason: "mismatch", attemptsLeft: 4 };
 * ```
 */
export type VerificationAttemptResult =
  | { ok: true; requestId: string }
  | { ok: false; reason: "mismatch"; attemptsLeft: number }
  | { ok: false; reason: "expired" | "locked" | "no_challenge" | "not_awaiting_verification" };
