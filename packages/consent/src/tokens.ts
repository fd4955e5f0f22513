import { createHmac, timingSafeEqual } from "node:crypto";
import { ERROR_CODES } from "@lawful/core";
import { ConsentError } from "./errors.js";

const PREFIX = "ct1";
const DOMAIN = "lawful-consent-token-v1";

/**
 * The claims carried by a signed consent token (double opt-in confirmation or unsubscribe link).
 *
 * @example
 * ```ts
 * import type { TokenClaims } from "@lawful/consent";
 * const c: TokenClaims = { typ: "unsubscribe", ten: "acme", sub: "ps1_…", pur: ["newsletter"], iat: 0, exp: 1 };
 * ```
 */
export interface TokenClaims {
  /** Token type: `doi` (double opt-in confirmation) or `unsubscribe`. */
  readonly typ: "doi" | "unsubscribe";
  /** Tenant id. */
  readonly ten: string;
  /** Subject pseudonym (never the identifier). */
  readonly sub: string;
  /** Purpose ids, or `["*"]` for every direct-marketing purpose. */
  readonly pur: readonly string[];
  /** Issued at, ms since the epoch. */
  readonly iat: number;
  /** Expires at, ms since the epoch. */
  readonly exp: number;
  /** Event ids awaiting confirmation (double opt-in). */
  readonly evt?: readonly string[] | undefined;
  /** When the message carrying the link was sent, ms (unsubscribe). */
  readonly snt?: number | undefined;
  /** Regimes the message was sent under (unsubscribe). */
  readonly reg?: readonly string[] | undefined;
}

/**
 * Signs and verifies consent tokens: `ct1.<base64url JSON claims>.<base64url HMAC-SHA-256>`, compared in constant time.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createTokenSigner } from "@lawful/consent";
 * const signer = createTokenSigner({ key: randomBytes(32) });
 * const t = signer.sign({ typ: "doi", ten: "acme", sub: "ps1_x", pur: ["newsletter"], iat: 0, exp: Date.now() + 60_000 });
 * signer.verify(t, "doi", new Date()).ten; // "acme"
 * ```
 */
export interface TokenSigner {
  /** Sign claims into a token string. */
  sign(claims: TokenClaims): string;
  /**
   * Verify signature, type and expiry.
   * @throws ConsentError `INVALID_SIGNATURE` (malformed, forged or wrong type), `EXPIRED` (past `exp`).
   */
  verify(token: string, type: TokenClaims["typ"], at: Date): TokenClaims;
}

/**
 * Create a {@link TokenSigner} with a secret key of at least 32 bytes.
 *
 * @throws ConsentError `INVALID_CONFIGURATION` when the key is shorter than 32 bytes.
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createTokenSigner } from "@lawful/consent";
 * const signer = createTokenSigner({ key: randomBytes(32) });
 * ```
 */
export function createTokenSigner(options: { key: Uint8Array }): TokenSigner {
  if (!(options?.key instanceof Uint8Array) || options.key.byteLength < 32) {
    throw new ConsentError(ERROR_CODES.INVALID_CONFIGURATION, "The token key must be a Uint8Array of at least 32 random bytes.");
  }
  const key = Buffer.from(options.key);
  const mac = (body: string): Buffer => createHmac("sha256", key).update(`${DOMAIN}.${body}`).digest();
  const invalid = (): never => {
    throw new ConsentError(ERROR_CODES.INVALID_SIGNATURE, "The token is malformed or its signature does not verify; ask for a new link.");
  };
  return Object.freeze({
    sign(claims: TokenClaims): string {
      const body = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
      return `${PREFIX}.${body}.${mac(body).toString("base64url")}`;
    },
    verify(token: string, type: TokenClaims["typ"], at: Date): TokenClaims {
      if (typeof token !== "string" || token.length > 8192) return invalid();
      const parts = token.split(".");
      if (parts.length !== 3 || parts[0] !== PREFIX) return invalid();
      const [, body, sig] = parts as [string, string, string];
      const given = Buffer.from(sig, "base64url");
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid();
      let claims: TokenClaims;
      try {
        claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
      } catch {
        return invalid();
      }
      if (claims.typ !== type || typeof claims.exp !== "number" || typeof claims.ten !== "string" || typeof claims.sub !== "string" || !Array.isArray(claims.pur)) {
        return invalid();
      }
      if (at.getTime() >= claims.exp) {
        throw new ConsentError(ERROR_CODES.EXPIRED, `The ${type === "doi" ? "confirmation" : "unsubscribe"} link expired; ask for a new one.`);
      }
      return claims;
    },
  });
}
