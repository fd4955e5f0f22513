import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How long a download link of the privacy center works: 7 days.
 *
 * @example
 * ```ts
 * import { DOWNLOAD_TOKEN_LIFETIME_MS } from "./download-token.js";
 * const days = DOWNLOAD_TOKEN_LIFETIME_MS / 86_400_000; // 7
 * ```
 */
export const DOWNLOAD_TOKEN_LIFETIME_MS = 7 * 24 * 3600_000;

/**
 * What a valid download token grants: one request's export in one tenant, until `expiresAt`.
 *
 * @example
 * ```ts
 * import type { DownloadGrant } from "./download-token.js";
 * const grant: DownloadGrant = { tenantId: "t1", requestId: "r1", expiresAt: new Date() };
 * ```
 */
export interface DownloadGrant {
  tenantId: string;
  requestId: string;
  expiresAt: Date;
}

/**
 * The outcome of {@link verifyDownloadToken}: the grant, or why the token is refused.
 *
 * @example
 * ```ts
 * import type { DownloadTokenCheck } from "./download-token.js";
 * const status = (check: DownloadTokenCheck) => (check.ok ? 200 : check.reason === "expired" ? 410 : 403);
 * ```
 */
export type DownloadTokenCheck = ({ ok: true } & DownloadGrant) | { ok: false; reason: "forged" | "expired" };

const mac = (key: Uint8Array, payload: string) => createHmac("sha256", key).update(`lawful-download/v1\n${payload}`).digest();

/**
 * Make an expiring download token: `base64url(tenant id, request id, expiry) . base64url(HMAC-SHA-256)`,
 * keyed with the server's download key (`ServerKeys.downloadKey`). Nothing is stored: the token
 * itself is the grant, so it only carries ids, never personal data.
 *
 * @example
 * ```ts
 * import { createDownloadToken } from "./download-token.js";
 * const token = createDownloadToken(new Uint8Array(32), { tenantId: "t1", requestId: "r1" }, new Date());
 * ```
 */
export function createDownloadToken(
  key: Uint8Array,
  grant: { tenantId: string; requestId: string; lifetimeMs?: number | undefined },
  now: Date,
): string {
  const expiresAt = Math.floor((now.getTime() + (grant.lifetimeMs ?? DOWNLOAD_TOKEN_LIFETIME_MS)) / 1000);
  const payload = JSON.stringify([grant.tenantId, grant.requestId, expiresAt]);
  return `${Buffer.from(payload).toString("base64url")}.${mac(key, payload).toString("base64url")}`;
}

/**
 * Check a download token: the HMAC is compared in constant time; a token whose MAC does not match
 * (forged, altered or made with another key) is `forged`, a genuine one past its expiry `expired`.
 *
 * @example
 * ```ts
 * import { createDownloadToken, verifyDownloadToken } from "./download-token.js";
 * const key = new Uint8Array(32);
 * const check = verifyDownloadToken(key, createDownloadToken(key, { tenantId: "t1", requestId: "r1" }, new Date()), new Date());
 * if (check.ok) console.log(check.requestId);
 * ```
 */
export function verifyDownloadToken(key: Uint8Array, token: string, now: Date): DownloadTokenCheck {
  const m = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: "forged" };
  const payloadBytes = Buffer.from(m[1]!, "base64url");
  const given = Buffer.from(m[2]!, "base64url");
  // only the canonical encoding: a variant in the unused low bits of the last character is another token
  if (payloadBytes.toString("base64url") !== m[1] || given.toString("base64url") !== m[2]) return { ok: false, reason: "forged" };
  const payload = payloadBytes.toString("utf8");
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "forged" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { ok: false, reason: "forged" };
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || typeof parsed[1] !== "string" || !Number.isSafeInteger(parsed[2])) return { ok: false, reason: "forged" };
  const expiresAt = new Date((parsed[2] as number) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, tenantId: parsed[0], requestId: parsed[1], expiresAt };
}
