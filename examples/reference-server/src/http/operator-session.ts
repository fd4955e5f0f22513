import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Clock, Migration } from "@lawful/core";
import type { Sql } from "../db.js";
import { hashSecret, TENANT_JOIN_COLUMNS, tenantFromJoin, type Principal, type Scope, type TenantJoinRow } from "../tenants.js";

/**
 * Name of the operator session cookie (path `/ops`, HttpOnly, SameSite=Strict, Secure over https).
 *
 * @example
 * ```ts
 * import { OPERATOR_SESSION_COOKIE } from "./operator-session.js";
 * const signedIn = (cookieHeader: string) => cookieHeader.includes(`${OPERATOR_SESSION_COOKIE}=`);
 * ```
 */
export const OPERATOR_SESSION_COOKIE = "lawful_ops";
/**
 * How long an operator session lasts after sign-in, in milliseconds (8 hours, not extended by use).
 *
 * @example
 * ```ts
 * import { OPERATOR_SESSION_TTL_MS } from "./operator-session.js";
 * const expiresAt = new Date(Date.now() + OPERATOR_SESSION_TTL_MS);
 * ```
 */
export const OPERATOR_SESSION_TTL_MS = 8 * 3_600_000;

/**
 * Schema of the server-side operator sessions: only a SHA-256 hash of the session id is stored.
 *
 * @example
 * ```ts
 * import type { Sql } from "../db.js";
 * import { OPERATOR_SESSION_MIGRATIONS } from "./operator-session.js";
 * declare const sql: Sql;
 * await sql.migrate("@lawful/reference-server/operator-sessions", OPERATOR_SESSION_MIGRATIONS);
 * ```
 */
export const OPERATOR_SESSION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "operator sessions",
    sql: [
      "CREATE TABLE server_operator_sessions (id_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES server_tenants(id), key_id TEXT NOT NULL REFERENCES server_api_keys(id), created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
      "CREATE INDEX server_operator_sessions_expiry ON server_operator_sessions (expires_at)",
    ],
  },
];

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const secure = (c: Context) => new URL(c.req.url).protocol === "https:";

interface SessionRow extends TenantJoinRow {
  key_id: string;
  scopes: string;
}

/**
 * Operator sign-in sessions on the server's database, bound to the API key that signed in: a
 * revoked key ends its sessions at once, and the key's scopes are read on every request.
 *
 * @example
 * ```ts
 * import type { Context } from "hono";
 * import { systemClock } from "@lawful/core";
 * import type { Sql } from "../db.js";
 * import { createOperatorSessions } from "./operator-session.js";
 * declare const sql: Sql;
 * declare const c: Context;
 * const sessions = createOperatorSessions(sql, systemClock);
 * const principal = await sessions.read(c); // undefined when signed out or expired
 * ```
 */
export function createOperatorSessions(sql: Sql, clock: Clock) {
  const forget = async (c: Context) => {
    const id = getCookie(c, OPERATOR_SESSION_COOKIE);
    if (id && SESSION_ID.test(id)) await sql.run("DELETE FROM server_operator_sessions WHERE id_hash = ?", [hashSecret(id)]);
  };
  return {
    /** Start a session for an authenticated key and set its cookie; any previous session of this browser ends. */
    async start(c: Context, principal: Principal): Promise<void> {
      await forget(c);
      const now = clock.now();
      await sql.run("DELETE FROM server_operator_sessions WHERE expires_at <= ?", [now.toISOString()]);
      const id = randomBytes(32).toString("base64url");
      const expires = new Date(now.getTime() + OPERATOR_SESSION_TTL_MS);
      await sql.run("INSERT INTO server_operator_sessions (id_hash, tenant_id, key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", [
        hashSecret(id),
        principal.tenant.id,
        principal.keyId,
        now.toISOString(),
        expires.toISOString(),
      ]);
      setCookie(c, OPERATOR_SESSION_COOKIE, id, { httpOnly: true, sameSite: "Strict", path: "/ops", secure: secure(c), maxAge: OPERATOR_SESSION_TTL_MS / 1000 });
    },
    /** The principal of this browser's live session, or undefined. */
    async read(c: Context): Promise<Principal | undefined> {
      const id = getCookie(c, OPERATOR_SESSION_COOKIE);
      if (!id || !SESSION_ID.test(id)) return undefined;
      const row = await sql.get<SessionRow>(
        `SELECT k.id AS key_id, k.scopes, ${TENANT_JOIN_COLUMNS}
         FROM server_operator_sessions s JOIN server_api_keys k ON k.id = s.key_id AND k.tenant_id = s.tenant_id JOIN server_tenants t ON t.id = s.tenant_id
         WHERE s.id_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL`,
        [hashSecret(id), clock.now().toISOString()],
      );
      if (!row) return undefined;
      return {
        tenant: tenantFromJoin(row),
        keyId: row.key_id,
        scopes: new Set(JSON.parse(row.scopes) as Scope[]),
      };
    },
    /** End this browser's session (sign-out): delete the row and the cookie. */
    async end(c: Context): Promise<void> {
      await forget(c);
      deleteCookie(c, OPERATOR_SESSION_COOKIE, { path: "/ops", secure: secure(c), httpOnly: true, sameSite: "Strict" });
    },
  };
}

/**
 * The operator session store of {@link createOperatorSessions}.
 *
 * @example
 * ```ts
 * import type { Context } from "hono";
 * import type { OperatorSessions } from "./operator-session.js";
 * const signOut = (sessions: OperatorSessions, c: Context) => sessions.end(c);
 * ```
 */
export type OperatorSessions = ReturnType<typeof createOperatorSessions>;
