// Data Rights Protocol (DRP) for authorised agents: signed-message verification, the mapping of
// DRP rights actions onto CCPA request types and of request states onto DRP statuses, and the
// per-tenant agent store. The HTTP routes live in routes/drp.ts.
//
// Spec: consumer-reports-innovation-lab/data-rights-protocol, data-rights-protocol.md (sections
// 2.01-2.06, 3.01-3.07). Choices where the text is ambiguous are documented on each export.
import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { hashSecret } from "./tenants.js";
import { BlockList, isIP } from "node:net";
import * as z from "zod";
import { LawfulError, parseOrThrow, type Clock, type Migration } from "@lawful/core";
import type { DenialReason, DsrDeadlineSnapshot, DsrRequest, DsrRequestType, DsrState } from "@lawful/dsr";
import type { Sql } from "./db.js";

/**
 * Tables of the DRP integration: registered agents (with the hash of their pair-wise bearer
 * token), the link from a request to the agent that submitted it, and the digests of signed
 * messages already accepted (replay protection, kept until the message's `expires-at`).
 *
 * @example
 * ```ts
 * import { DRP_MIGRATIONS } from "./drp.js";
 * DRP_MIGRATIONS[0]?.version; // 1
 * ```
 */
export const DRP_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "drp agents, request links, seen messages",
    sql: [
      `CREATE TABLE drp_agents (tenant_id TEXT NOT NULL REFERENCES server_tenants(id), agent_id TEXT NOT NULL, name TEXT NOT NULL, verify_key TEXT NOT NULL, callback_origin TEXT, token_hash TEXT UNIQUE, token_issued_at TEXT, created_at TEXT NOT NULL, revoked_at TEXT, PRIMARY KEY (tenant_id, agent_id))`,
      `CREATE TABLE drp_requests (tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, agent_id TEXT NOT NULL, agent_request_id TEXT, status_callback TEXT, created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, request_id))`,
      `CREATE TABLE drp_seen_messages (tenant_id TEXT NOT NULL, agent_id TEXT NOT NULL, digest TEXT NOT NULL, expires_at TEXT NOT NULL, PRIMARY KEY (tenant_id, agent_id, digest))`,
      `CREATE INDEX drp_seen_messages_expiry ON drp_seen_messages (expires_at)`,
    ],
  },
  {
    version: 2,
    name: "drp status callbacks",
    sql: [
      // one row per request with a status_callback: the latest status the agent should have (digest and body),
      // whether it reached the agent, and the retry and lease state of its delivery
      `CREATE TABLE drp_callbacks (tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, digest TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, final INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, lease_owner TEXT, lease_until TEXT, last_error TEXT, updated_at TEXT NOT NULL, delivered_at TEXT, PRIMARY KEY (tenant_id, request_id))`,
      `CREATE INDEX drp_callbacks_due ON drp_callbacks (state, next_attempt_at)`,
    ],
  },
  {
    version: 3,
    name: "drp callbacks remember the request version they checked",
    // a pass re-reads only requests whose @lawful/dsr record changed since (its `version`)
    sql: ["ALTER TABLE drp_callbacks ADD COLUMN checked_version INTEGER"],
  },
];

/**
 * The protocol version this server advertises in its discovery document.
 *
 * @example
 * ```ts
 * import { DRP_VERSION } from "./drp.js";
 * DRP_VERSION; // "1.0"
 * ```
 */
export const DRP_VERSION = "1.0";

/**
 * `drp.version` values accepted in signed messages: 1.0 and the 0.9.3/0.9.4 drafts, whose
 * message format 1.0 keeps. Other versions are refused with 400.
 *
 * @example
 * ```ts
 * import { DRP_ACCEPTED_VERSIONS } from "./drp.js";
 * DRP_ACCEPTED_VERSIONS.includes("0.9.4"); // true
 * ```
 */
export const DRP_ACCEPTED_VERSIONS = ["1.0", "0.9.4", "0.9.3"] as const;

/**
 * The longest validity window (`expires-at` − `issued-at`) accepted: one hour. The spec
 * recommends at most 10 minutes; a hard bound keeps the replay store small.
 *
 * @example
 * ```ts
 * import { DRP_MAX_VALIDITY_MS } from "./drp.js";
 * DRP_MAX_VALIDITY_MS / 60_000; // 60
 * ```
 */
export const DRP_MAX_VALIDITY_MS = 3_600_000;

/**
 * The DRP rights actions (spec 3.01) this server accepts, mapped onto the CCPA request types of
 * `@lawful/dsr`. An unqualified `access` is read as the right to know specific pieces of
 * information (the broader request, verified to the higher standard). `sale:opt_in` has no
 * counterpart among request types and is refused as unsupported. The pre-0.9 spelling
 * `sale:opt-out` is accepted as an alias.
 *
 * @example
 * ```ts
 * import { DRP_EXERCISES } from "./drp.js";
 * DRP_EXERCISES.deletion; // "ccpa_delete"
 * ```
 */
export const DRP_EXERCISES: Readonly<Record<string, DsrRequestType>> = Object.freeze({
  "sale:opt_out": "ccpa_opt_out",
  "sale:opt-out": "ccpa_opt_out",
  deletion: "ccpa_delete",
  access: "ccpa_know_specific",
  "access:categories": "ccpa_know_categories",
  "access:specific": "ccpa_know_specific",
});

/**
 * The actions listed in the discovery document (the spec's spelling, without aliases).
 *
 * @example
 * ```ts
 * import { DRP_SUPPORTED_ACTIONS } from "./drp.js";
 * DRP_SUPPORTED_ACTIONS.includes("sale:opt_out"); // true
 * ```
 */
export const DRP_SUPPORTED_ACTIONS = ["sale:opt_out", "deletion", "access", "access:categories", "access:specific"] as const;

/**
 * DRP request statuses (spec 3.02).
 *
 * @example
 * ```ts
 * import { DRP_STATUSES } from "./drp.js";
 * DRP_STATUSES.includes("revoked"); // true
 * ```
 */
export const DRP_STATUSES = ["open", "in_progress", "fulfilled", "revoked", "denied", "expired"] as const;
/**
 * A DRP request status.
 *
 * @example
 * ```ts
 * import type { DrpStatusValue } from "./drp.js";
 * const s: DrpStatusValue = "fulfilled";
 * ```
 */
export type DrpStatusValue = (typeof DRP_STATUSES)[number];

/**
 * DRP status reasons (spec 3.02).
 *
 * @example
 * ```ts
 * import { DRP_REASONS } from "./drp.js";
 * DRP_REASONS.includes("no_match"); // true
 * ```
 */
export const DRP_REASONS = [
  "need_user_verification",
  "suspected_fraud",
  "insuf_verification",
  "no_match",
  "claim_not_covered",
  "outside_jurisdiction",
  "too_many_requests",
  "other",
] as const;
/**
 * A DRP status reason.
 *
 * @example
 * ```ts
 * import type { DrpReason } from "./drp.js";
 * const r: DrpReason = "suspected_fraud";
 * ```
 */
export type DrpReason = (typeof DRP_REASONS)[number];

/**
 * DRP status (and reason) of every request state. Refinements applied by {@link drpStatusOf}: a
 * `received` request the operator has acknowledged is `in_progress` (spec 3.02: "CB has
 * acknowledged receipt"); a denial's reason comes from {@link DRP_REASON_BY_DENIAL}. A request
 * the business cancelled (e.g. a duplicate) is `denied`/`other` — the DRP has no cancelled
 * status, and `revoked` is reserved for the user's own revocation (= `withdrawn`). `expired` is
 * never reported: an expired signed message is refused before it becomes a request.
 *
 * @example
 * ```ts
 * import { DRP_STATUS_BY_STATE } from "./drp.js";
 * DRP_STATUS_BY_STATE.awaiting_verification; // { status: "in_progress", reason: "need_user_verification" }
 * ```
 */
export const DRP_STATUS_BY_STATE: Readonly<Record<DsrState, { status: DrpStatusValue; reason?: DrpReason }>> = Object.freeze({
  received: { status: "open" },
  awaiting_verification: { status: "in_progress", reason: "need_user_verification" },
  verified: { status: "in_progress" },
  in_progress: { status: "in_progress" },
  completed: { status: "fulfilled" },
  partially_completed: { status: "fulfilled" },
  denied: { status: "denied", reason: "other" },
  cancelled: { status: "denied", reason: "other" },
  withdrawn: { status: "revoked" },
});

/**
 * DRP reason of every denial reason of `@lawful/dsr`. `excessive` (repetitive requests) and
 * `request_limit_reached` (CCPA twice in 12 months) both become `too_many_requests`;
 * `manifestly_unfounded` has no DRP counterpart and becomes `other`.
 *
 * @example
 * ```ts
 * import { DRP_REASON_BY_DENIAL } from "./drp.js";
 * DRP_REASON_BY_DENIAL.no_data; // "no_match"
 * ```
 */
export const DRP_REASON_BY_DENIAL: Readonly<Record<DenialReason, DrpReason>> = Object.freeze({
  identity_not_verified: "insuf_verification",
  manifestly_unfounded: "other",
  excessive: "too_many_requests",
  exemption: "claim_not_covered",
  no_data: "no_match",
  outside_jurisdiction: "outside_jurisdiction",
  request_limit_reached: "too_many_requests",
  suspected_fraud: "suspected_fraud",
});

/**
 * Schema of the Exercise Status object (spec 3.03) this server answers with.
 *
 * @example
 * ```ts
 * import { DrpStatusSchema } from "./drp.js";
 * DrpStatusSchema.parse({ request_id: "r1", received_at: "2026-01-05T10:00:00.000Z", status: "open" });
 * ```
 */
export const DrpStatusSchema = z.object({
  request_id: z.string(),
  received_at: z.string(),
  expected_by: z.string().optional(),
  agent_request_id: z.string().optional(),
  processing_details: z.string().optional(),
  status: z.enum(DRP_STATUSES),
  reason: z.enum(DRP_REASONS).optional(),
});
/**
 * An Exercise Status object.
 *
 * @example
 * ```ts
 * import type { DrpStatus } from "./drp.js";
 * const done = (s: DrpStatus) => s.status === "fulfilled";
 * ```
 */
export type DrpStatus = z.infer<typeof DrpStatusSchema>;

/**
 * The parts of a request the DRP status is computed from.
 *
 * @example
 * ```ts
 * import type { DrpStatusSource } from "./drp.js";
 * const s: DrpStatusSource = { id: "r1", state: "received", receivedAt: new Date(), deadlines: { dueAt: new Date() } };
 * ```
 */
export type DrpStatusSource = Pick<DsrRequest, "id" | "state" | "receivedAt"> &
  Partial<Pick<DsrRequest, "acknowledgedAt" | "denial" | "cancellation" | "outcome" | "extension">> & { deadlines: Pick<DsrDeadlineSnapshot, "dueAt"> };

const FINAL: readonly DsrState[] = ["completed", "partially_completed", "denied", "cancelled", "withdrawn"];

/**
 * The DRP Exercise Status of a request: status and reason from {@link DRP_STATUS_BY_STATE}
 * (refined as documented there), `received_at`, `expected_by` (the binding legal deadline, while
 * the request is open) and `processing_details` (an extension's reason, a denial's explanation, a
 * cancellation's reason or the nature of the response).
 *
 * @example
 * ```ts
 * import { drpStatusOf } from "./drp.js";
 * const s = drpStatusOf({ id: "r1", state: "withdrawn", receivedAt: new Date(), deadlines: { dueAt: new Date() } });
 * s.status; // "revoked"
 * ```
 */
export function drpStatusOf(request: DrpStatusSource, link: { agentRequestId?: string | null | undefined } = {}): DrpStatus {
  let { status, reason } = DRP_STATUS_BY_STATE[request.state];
  if (request.state === "received" && request.acknowledgedAt) status = "in_progress";
  if (request.state === "denied" && request.denial) reason = DRP_REASON_BY_DENIAL[request.denial.reason];
  const final = FINAL.includes(request.state);
  let details: string | undefined;
  if (request.state === "denied") details = request.denial?.explanation;
  else if (request.state === "cancelled") details = request.cancellation && `cancelled by the business: ${request.cancellation.reason}`;
  else if (request.state === "completed" || request.state === "partially_completed") details = request.outcome?.nature;
  else if (!final && request.extension) details = `deadline extended: ${request.extension.reason}`;
  return {
    request_id: request.id,
    received_at: request.receivedAt.toISOString(),
    ...(final ? {} : { expected_by: request.deadlines.dueAt.toISOString() }),
    ...(link.agentRequestId ? { agent_request_id: link.agentRequestId } : {}),
    ...(details ? { processing_details: details } : {}),
    status,
    ...(reason ? { reason } : {}),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

function decodeBase64(text: string): Buffer | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length % 4 === 1 || !BASE64.test(t)) return undefined;
  return Buffer.from(t, /[-_]/.test(t) ? "base64url" : "base64");
}

/**
 * The Ed25519 public key of a base64 (or base64url) encoded raw 32-byte libsodium verify key, or
 * `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { ed25519VerifyKey } from "./drp.js";
 * const { publicKey } = generateKeyPairSync("ed25519");
 * const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("base64");
 * ed25519VerifyKey(raw) !== undefined; // true
 * ```
 */
export function ed25519VerifyKey(base64: string): KeyObject | undefined {
  const raw = decodeBase64(base64);
  if (!raw || raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch {
    return undefined;
  }
}

/**
 * Open a DRP signed message (spec 3.07.1, libsodium "combined mode"): base64 of a 64-byte
 * Ed25519 signature immediately followed by the message. Returns the message bytes when the
 * signature verifies with `key`.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync, sign } from "node:crypto";
 * import { openSignedMessage } from "./drp.js";
 * const { publicKey, privateKey } = generateKeyPairSync("ed25519");
 * const message = Buffer.from('{"reason":"changed my mind"}');
 * const body = Buffer.concat([sign(null, message, privateKey), message]).toString("base64");
 * openSignedMessage(body, publicKey).ok; // true
 * ```
 */
export function openSignedMessage(body: string, key: KeyObject): { ok: true; message: Buffer } | { ok: false; reason: "not_base64" | "bad_signature" } {
  const bytes = decodeBase64(body);
  if (!bytes || bytes.length <= 64) return { ok: false, reason: "not_base64" };
  const signature = bytes.subarray(0, 64);
  const message = bytes.subarray(64);
  let valid: boolean;
  try {
    valid = verify(null, message, key, signature);
  } catch {
    valid = false;
  }
  return valid ? { ok: true, message } : { ok: false, reason: "bad_signature" };
}

/**
 * Parse the bytes of a signed message as UTF-8 JSON; `undefined` when they are not.
 *
 * @example
 * ```ts
 * import { parseSignedJson } from "./drp.js";
 * parseSignedJson(Buffer.from('{"a":1}')); // { a: 1 }
 * ```
 */
export function parseSignedJson(message: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(message));
  } catch {
    return undefined;
  }
}

// Addresses a status callback must never reach: this host, private networks, link-local (cloud metadata),
// shared/benchmark/documentation ranges, multicast, reserved, and NAT64 prefixes embedding IPv4.
// (BlockList checks IPv4-mapped IPv6 addresses such as ::ffff:10.0.0.1 against the IPv4 rules.)
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.0.2.0", 24],
  ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128], ["::1", 128], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["100::", 64], ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8],
] as const) NON_PUBLIC.addSubnet(net, prefix, "ipv6");

/**
 * Whether a status callback may not be sent to this IP address: any loopback, private, link-local,
 * shared, documentation, multicast or reserved address — except a loopback address when
 * `allowLoopback` is set (the development/test flag `DRP_CALLBACK_ALLOW_HTTP_LOOPBACK`).
 *
 * @example
 * ```ts
 * import { isBlockedCallbackAddress } from "./drp.js";
 * isBlockedCallbackAddress("169.254.169.254"); // true
 * isBlockedCallbackAddress("93.184.215.14"); // false
 * ```
 */
export function isBlockedCallbackAddress(address: string, allowLoopback = false): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (allowLoopback && LOOPBACK.check(address, family)) return false;
  return NON_PUBLIC.check(address, family);
}

/**
 * Why `url` cannot receive DRP status callbacks, or `undefined` when it can. The spec (2.03) leaves
 * the callback's security open; this server takes the strictest reading it allows: `https` only,
 * no user name or password in the URL, and no IP-literal host outside the public internet. With
 * `allowLoopbackHttp` (the `DRP_CALLBACK_ALLOW_HTTP_LOOPBACK` flag, for development and tests only)
 * a loopback IP literal (`127.0.0.0/8`, `[::1]`; never the name `localhost`) is accepted over
 * `http` or `https`. Routes additionally require the URL to be on the agent's registered callback
 * origin, and delivery checks host names against the same ranges after resolving them.
 *
 * @example
 * ```ts
 * import { callbackUrlProblem } from "./drp.js";
 * callbackUrlProblem(new URL("https://agent.example/drp/status")); // undefined
 * callbackUrlProblem(new URL("http://127.0.0.1:8080/cb")) !== undefined; // true: http needs the loopback flag
 * ```
 */
export function callbackUrlProblem(url: URL, allowLoopbackHttp = false): string | undefined {
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = isIP(host) !== 0;
  const loopback = literal && LOOPBACK.check(host, isIP(host) === 6 ? "ipv6" : "ipv4");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowLoopbackHttp && loopback)) return "must be an https URL";
  if (literal && isBlockedCallbackAddress(host, allowLoopbackHttp)) return "must not point to a loopback, private, link-local or reserved address";
  return undefined;
}

const Timestamp = z.iso.datetime({ offset: true, message: "must be an ISO 8601 timestamp with a time zone offset" });
const Flag = z.boolean().optional();

/**
 * The envelope claims of every signed message (spec 2.01 group 1): who signs, for which
 * business, and its validity window. Timestamps must carry an offset (`Z` or `±hh:mm`); a local
 * time would be ambiguous.
 *
 * @example
 * ```ts
 * import { DrpEnvelopeSchema } from "./drp.js";
 * DrpEnvelopeSchema.parse({ "agent-id": "AGENT", "business-id": "acme", "issued-at": "2026-01-05T10:00:00Z", "expires-at": "2026-01-05T10:05:00Z" });
 * ```
 */
export const DrpEnvelopeSchema = z.looseObject({
  "agent-id": z.string().min(1).max(128),
  "business-id": z.string().min(1).max(128),
  "issued-at": Timestamp,
  "expires-at": Timestamp,
});
/**
 * Envelope claims of a signed message.
 *
 * @example
 * ```ts
 * import type { DrpEnvelope } from "./drp.js";
 * const lifetime = (e: DrpEnvelope) => Date.parse(e["expires-at"]) - Date.parse(e["issued-at"]);
 * ```
 */
export type DrpEnvelope = z.infer<typeof DrpEnvelopeSchema>;

/**
 * The signed message of the Pair-wise Key Setup endpoint (spec 2.05).
 *
 * @example
 * ```ts
 * import { DrpAgentSetupSchema } from "./drp.js";
 * DrpAgentSetupSchema.shape["drp.version"];
 * ```
 */
export const DrpAgentSetupSchema = DrpEnvelopeSchema.extend({ "drp.version": z.enum(DRP_ACCEPTED_VERSIONS) });

/**
 * The signed message of a Data Rights Exercise request (spec 2.01): envelope, request data and
 * the schema.org/Person identity claims of spec 3.04 (other claims are allowed and ignored).
 * `exercise` and `regime` are checked against this server's support separately, so an
 * unsupported action gets the spec's "Unsupported rights actions" error.
 *
 * @example
 * ```ts
 * import { DrpExerciseSchema } from "./drp.js";
 * DrpExerciseSchema.shape.exercise;
 * ```
 */
export const DrpExerciseSchema = DrpEnvelopeSchema.extend({
  "agent-request-id": z.string().min(1).max(256).optional(),
  "drp.version": z.enum(DRP_ACCEPTED_VERSIONS),
  exercise: z.string().min(1).max(64),
  regime: z.string().min(1).max(32).optional(),
  relationships: z.array(z.string().min(1).max(64)).max(32).optional(),
  // the scheme and host are checked against the agent's registered origin and callbackUrlProblem() by the route
  status_callback: z.url({ protocol: /^https?$/, message: "must be an https URL" }).max(2048).optional(),
  name: z.string().max(512).optional(),
  email: z.string().max(320).optional(),
  email_verified: Flag,
  phone_number: z.string().max(32).optional(),
  phone_number_verified: Flag,
  address: z.union([z.string().max(2000), z.record(z.string(), z.unknown())]).optional(),
  address_verified: Flag,
  power_of_attorney: z.string().max(10_000).optional(),
});
/**
 * The claims of a Data Rights Exercise request.
 *
 * @example
 * ```ts
 * import type { DrpExercise } from "./drp.js";
 * const action = (e: DrpExercise) => e.exercise;
 * ```
 */
export type DrpExercise = z.infer<typeof DrpExerciseSchema>;

/**
 * The signed message of a Data Rights Revoke request (spec 2.04): a `reason` and, optionally,
 * the envelope claims. When any envelope claim is present all four are required and checked
 * like an exercise request's (and the message cannot be replayed); without them the revocation
 * is accepted on the signature alone, since revoking twice changes nothing.
 *
 * @example
 * ```ts
 * import { DrpRevokeSchema } from "./drp.js";
 * DrpRevokeSchema.parse({ reason: "changed my mind" });
 * ```
 */
export const DrpRevokeSchema = z.looseObject({
  reason: z.string().max(2000).optional(),
  "agent-id": z.string().optional(),
  "business-id": z.string().optional(),
  "issued-at": z.string().optional(),
  "expires-at": z.string().optional(),
});

/**
 * Why a signed message was refused: the HTTP status, a message for the agent and whether the
 * request is final (`fatal`, spec 3.06: retrying the same message cannot succeed).
 *
 * @example
 * ```ts
 * import type { DrpRefusal } from "./drp.js";
 * const r: DrpRefusal = { status: 400, message: "expired", fatal: true };
 * ```
 */
export interface DrpRefusal {
  status: 400 | 401 | 403 | 404 | 409 | 422;
  message: string;
  fatal?: boolean;
}

/**
 * Check a verified envelope in the order of spec 3.07: the `agent-id` is the agent of the bearer
 * token (403), the `business-id` is this business — the tenant slug (403), the current time is
 * not before `issued-at` (400, retryable: the agent's clock runs fast) and before `expires-at`
 * (400, fatal). A window longer than {@link DRP_MAX_VALIDITY_MS} or ending before it starts is
 * refused (400, fatal). Returns `undefined` when the envelope is acceptable.
 *
 * @example
 * ```ts
 * import { checkEnvelope } from "./drp.js";
 * const now = new Date("2026-01-05T10:01:00Z");
 * const env = { "agent-id": "AGENT", "business-id": "acme", "issued-at": "2026-01-05T10:00:00Z", "expires-at": "2026-01-05T10:05:00Z" };
 * checkEnvelope(env, { agentId: "AGENT", businessId: "acme", now }); // undefined
 * ```
 */
export function checkEnvelope(envelope: DrpEnvelope, expected: { agentId: string; businessId: string; now: Date }): DrpRefusal | undefined {
  if (envelope["agent-id"] !== expected.agentId) return { status: 403, message: "agent-id does not name the agent of the bearer token.", fatal: true };
  if (envelope["business-id"] !== expected.businessId) return { status: 403, message: "business-id does not name this business.", fatal: true };
  const issued = Date.parse(envelope["issued-at"]);
  const expires = Date.parse(envelope["expires-at"]);
  const now = expected.now.getTime();
  if (expires <= issued || expires - issued > DRP_MAX_VALIDITY_MS) {
    return { status: 400, message: `expires-at must be after issued-at and at most ${DRP_MAX_VALIDITY_MS / 60_000} minutes later.`, fatal: true };
  }
  if (now < issued) return { status: 400, message: "issued-at is in the future; check the agent's clock." };
  if (now >= expires) return { status: 400, message: "The request expired (expires-at has passed); sign a new one.", fatal: true };
  return undefined;
}

/**
 * Schema of an agent id: 1-128 letters, digits, `_`, `.` or `-` (the directory's `[A-Z_]+` ids
 * fit).
 *
 * @example
 * ```ts
 * import { DrpAgentIdSchema } from "./drp.js";
 * DrpAgentIdSchema.parse("CONSUMER_REPORTS");
 * ```
 */
export const DrpAgentIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit");

/**
 * The schema of {@link RegisterDrpAgentSchema}, with `callbackOrigin` checked by
 * {@link callbackUrlProblem} under the given loopback flag (`DRP_CALLBACK_ALLOW_HTTP_LOOPBACK`).
 *
 * @example
 * ```ts
 * import { registerDrpAgentSchema } from "./drp.js";
 * const devSchema = registerDrpAgentSchema({ allowLoopbackHttpCallbacks: true });
 * ```
 */
export function registerDrpAgentSchema(options: { allowLoopbackHttpCallbacks?: boolean | undefined } = {}) {
  return z.object({
    id: DrpAgentIdSchema,
    name: z.string().trim().min(1).max(200),
    verifyKey: z
      .string()
      .max(100)
      .refine((k) => ed25519VerifyKey(k) !== undefined, "must be a base64-encoded 32-byte Ed25519 (libsodium) verify key"),
    callbackOrigin: z
      .url({ protocol: /^https?$/, message: "must be an https origin such as https://agent.example" })
      .max(300)
      .superRefine((u, ctx) => {
        const problem = callbackUrlProblem(new URL(u), options.allowLoopbackHttpCallbacks === true);
        if (problem) ctx.addIssue({ code: "custom", message: problem === "must be an https URL" ? "must be an https origin such as https://agent.example" : problem });
        else if (new URL(u).origin !== u.replace(/\/$/, "")) ctx.addIssue({ code: "custom", message: "must be an origin only (scheme, host and port, no path)" });
      })
      .transform((u) => new URL(u).origin)
      .optional(),
  });
}

/**
 * Input to register an authorised agent (the tenant's operator stands in for the DRP Authorized
 * Agent Directory, spec 3.05.1): id, name, base64 libsodium verify key and, optionally, the
 * https origin its `status_callback` URLs must be on (without it, requests with a callback are
 * refused). The origin must pass {@link callbackUrlProblem}; an `http` loopback origin needs
 * {@link registerDrpAgentSchema} with the development flag.
 *
 * @example
 * ```ts
 * import { RegisterDrpAgentSchema } from "./drp.js";
 * RegisterDrpAgentSchema.shape.verifyKey;
 * ```
 */
export const RegisterDrpAgentSchema = registerDrpAgentSchema();

/**
 * A registered agent as listed (never its token).
 *
 * @example
 * ```ts
 * import { DrpAgentSchema } from "./drp.js";
 * DrpAgentSchema.shape.tokenIssuedAt;
 * ```
 */
export const DrpAgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  verifyKey: z.string(),
  callbackOrigin: z.string().nullable(),
  tokenIssuedAt: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
/**
 * A registered agent.
 *
 * @example
 * ```ts
 * import type { DrpAgent } from "./drp.js";
 * const active = (a: DrpAgent) => a.revokedAt === null;
 * ```
 */
export type DrpAgent = z.infer<typeof DrpAgentSchema>;

interface AgentRow {
  agent_id: string;
  name: string;
  verify_key: string;
  callback_origin: string | null;
  token_issued_at: string | null;
  created_at: string;
  revoked_at: string | null;
}
const toAgent = (r: AgentRow): DrpAgent => ({
  id: r.agent_id,
  name: r.name,
  verifyKey: r.verify_key,
  callbackOrigin: r.callback_origin,
  tokenIssuedAt: r.token_issued_at,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});
const AGENT_COLUMNS = "agent_id, name, verify_key, callback_origin, token_issued_at, created_at, revoked_at";
/** Digest of a signed message, kept to refuse replays until it expires. */
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const TOKEN = /^drp_[A-Za-z0-9_-]{43}$/;

/**
 * The per-tenant DRP store: agents and their pair-wise bearer tokens (only a SHA-256 hash is
 * kept; tokens carry 256 random bits), request links and the replay store. With
 * `allowLoopbackHttpCallbacks` (development and tests only) agents may register an `http`
 * loopback callback origin.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { Sql } from "./db.js";
 * import { createDrpStore } from "./drp.js";
 * declare const sql: Sql;
 * const agents = await createDrpStore(sql, systemClock).list("tenant-id");
 * ```
 */
export function createDrpStore(sql: Sql, clock: Clock, options: { allowLoopbackHttpCallbacks?: boolean | undefined } = {}) {
  const registration = options.allowLoopbackHttpCallbacks ? registerDrpAgentSchema(options) : RegisterDrpAgentSchema;
  const get = async (tenantId: string, agentId: string): Promise<DrpAgent | undefined> => {
    const row = await sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM drp_agents WHERE tenant_id = ? AND agent_id = ?`, [tenantId, agentId]);
    return row && toAgent(row);
  };
  return {
    /** Register an agent. @throws LawfulError `VALIDATION_FAILED`, `CONFLICT` when the id is taken in this tenant (even by a revoked agent). */
    async register(tenantId: string, input: z.input<typeof RegisterDrpAgentSchema>): Promise<DrpAgent> {
      const data = parseOrThrow(registration, input, "DRP agent");
      const agent: DrpAgent = {
        id: data.id,
        name: data.name,
        verifyKey: data.verifyKey.trim(),
        callbackOrigin: data.callbackOrigin ?? null,
        tokenIssuedAt: null,
        createdAt: clock.now().toISOString(),
        revokedAt: null,
      };
      const inserted = await sql.run(
        "INSERT INTO drp_agents (tenant_id, agent_id, name, verify_key, callback_origin, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, agent_id) DO NOTHING",
        [tenantId, agent.id, agent.name, agent.verifyKey, agent.callbackOrigin, agent.createdAt],
      );
      if (inserted === 0) throw new LawfulError("CONFLICT", `This tenant already has an agent "${agent.id}"; register a new key under a new agent id.`);
      return agent;
    },
    async list(tenantId: string): Promise<DrpAgent[]> {
      return (await sql.all<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM drp_agents WHERE tenant_id = ? ORDER BY agent_id`, [tenantId])).map(toAgent);
    },
    /** The agent, revoked or not. */
    get,
    /** Revoke an agent and its token; `undefined` when the tenant has no such agent. */
    async revoke(tenantId: string, agentId: string): Promise<DrpAgent | undefined> {
      await sql.run("UPDATE drp_agents SET revoked_at = ?, token_hash = NULL WHERE tenant_id = ? AND agent_id = ? AND revoked_at IS NULL", [
        clock.now().toISOString(),
        tenantId,
        agentId,
      ]);
      return get(tenantId, agentId);
    },
    /** Issue a new bearer token for an active agent (replacing any earlier one); returned once. */
    async issueToken(tenantId: string, agentId: string): Promise<string | undefined> {
      const token = `drp_${randomBytes(32).toString("base64url")}`;
      const changed = await sql.run("UPDATE drp_agents SET token_hash = ?, token_issued_at = ? WHERE tenant_id = ? AND agent_id = ? AND revoked_at IS NULL", [
        hashSecret(token),
        clock.now().toISOString(),
        tenantId,
        agentId,
      ]);
      return changed === 1 ? token : undefined;
    },
    /** The active agent of this tenant holding `token`. */
    async byToken(tenantId: string, token: string): Promise<DrpAgent | undefined> {
      if (!TOKEN.test(token)) return undefined;
      const row = await sql.get<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM drp_agents WHERE tenant_id = ? AND token_hash = ? AND revoked_at IS NULL`, [tenantId, hashSecret(token)]);
      return row && toAgent(row);
    },
    /** Remember a signed message until it expires; false when it was seen before (a replay). */
    async remember(tenantId: string, agentId: string, message: Uint8Array, expiresAt: Date): Promise<boolean> {
      await sql.run("DELETE FROM drp_seen_messages WHERE expires_at < ?", [new Date(clock.now().getTime() - DRP_MAX_VALIDITY_MS).toISOString()]);
      const inserted = await sql.run(
        "INSERT INTO drp_seen_messages (tenant_id, agent_id, digest, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, agent_id, digest) DO NOTHING",
        [tenantId, agentId, sha256(message), expiresAt.toISOString()],
      );
      return inserted === 1;
    },
    /** Record which agent submitted a request. */
    async link(tenantId: string, requestId: string, link: { agentId: string; agentRequestId?: string | undefined; statusCallback?: string | undefined }): Promise<void> {
      await sql.run("INSERT INTO drp_requests (tenant_id, request_id, agent_id, agent_request_id, status_callback, created_at) VALUES (?, ?, ?, ?, ?, ?)", [
        tenantId,
        requestId,
        link.agentId,
        link.agentRequestId ?? null,
        link.statusCallback ?? null,
        clock.now().toISOString(),
      ]);
    },
    /** The agent link of a request submitted through the DRP. */
    async linkOf(tenantId: string, requestId: string): Promise<{ agentId: string; agentRequestId: string | null; statusCallback: string | null } | undefined> {
      const row = await sql.get<{ agent_id: string; agent_request_id: string | null; status_callback: string | null }>(
        "SELECT agent_id, agent_request_id, status_callback FROM drp_requests WHERE tenant_id = ? AND request_id = ?",
        [tenantId, requestId],
      );
      return row && { agentId: row.agent_id, agentRequestId: row.agent_request_id, statusCallback: row.status_callback };
    },
  };
}

/**
 * The DRP store.
 *
 * @example
 * ```ts
 * import type { DrpStore } from "./drp.js";
 * const revoke = (s: DrpStore) => s.revoke("tenant-id", "AGENT");
 * ```
 */
export type DrpStore = ReturnType<typeof createDrpStore>;
