// Data Rights Protocol status callbacks (spec 2.03, 3.08): when the DRP status of a request with a
// `status_callback` changes, POST the Exercise Status object to that URL, with retries.
import { createHash, randomUUID } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { Logger } from "pino";
import { isLawfulError, type Clock } from "@lawful/core";
import type { DsrService } from "@lawful/dsr";
import type { Sql } from "./db.js";
import type { Job } from "./scheduler.js";
import { callbackUrlProblem, drpStatusOf, isBlockedCallbackAddress, type DrpStatus } from "./drp.js";

/**
 * Retry delays after the 1st, 2nd, … failed delivery of one status; after the last one the
 * callback is given up (`failed`) until the status changes again.
 *
 * @example
 * ```ts
 * import { DRP_CALLBACK_RETRY_DELAYS_MS } from "./drp-callbacks.js";
 * DRP_CALLBACK_RETRY_DELAYS_MS[0]; // 30000: the first retry after 30 seconds
 * ```
 */
export const DRP_CALLBACK_RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 600_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000];

/**
 * How long one callback POST may take (connect, send, response headers) before it counts as failed.
 *
 * @example
 * ```ts
 * import { DRP_CALLBACK_TIMEOUT_MS } from "./drp-callbacks.js";
 * DRP_CALLBACK_TIMEOUT_MS / 1000; // 10
 * ```
 */
export const DRP_CALLBACK_TIMEOUT_MS = 10_000;

/** How long a claimed callback row is held; longer than the timeout plus a DNS lookup. */
const ROW_LEASE_MS = 60_000;
const FINAL_STATUSES: readonly string[] = ["fulfilled", "revoked", "denied", "expired"];
const digestOf = (body: string) => createHash("sha256").update(body).digest("hex");

/**
 * Record that the agent already holds `status` of a request because it was the synchronous answer
 * of its exercise or revoke call: the status becomes the delivered baseline, so no callback repeats
 * it, and a pending older status is dropped. Call it only for requests with a `status_callback`.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { Sql } from "./db.js";
 * import { recordAnsweredStatus } from "./drp-callbacks.js";
 * declare const sql: Sql;
 * await recordAnsweredStatus(sql, systemClock, "tenant-id", { request_id: "r1", received_at: "2026-01-05T10:00:00.000Z", status: "open" });
 * ```
 */
export async function recordAnsweredStatus(sql: Sql, clock: Clock, tenantId: string, status: DrpStatus): Promise<void> {
  const body = JSON.stringify(status);
  const now = clock.now().toISOString();
  await sql.run(
    `INSERT INTO drp_callbacks (tenant_id, request_id, digest, body, status, final, state, attempts, updated_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, 'delivered', 0, ?, ?)
     ON CONFLICT (tenant_id, request_id) DO UPDATE SET digest = excluded.digest, body = excluded.body, status = excluded.status, final = excluded.final,
       state = 'delivered', attempts = 0, next_attempt_at = NULL, last_error = NULL, updated_at = excluded.updated_at, delivered_at = excluded.delivered_at`,
    [tenantId, status.request_id, digestOf(body), body, status.status, FINAL_STATUSES.includes(status.status) ? 1 : 0, now, now],
  );
}

/**
 * What one callback pass did: status changes found, callbacks delivered, attempts that failed and
 * will be retried, and callbacks given up.
 *
 * @example
 * ```ts
 * import type { DrpCallbackResult } from "./drp-callbacks.js";
 * const idle: DrpCallbackResult = { detected: 0, delivered: 0, retried: 0, failed: 0 };
 * ```
 */
export interface DrpCallbackResult {
  detected: number;
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * What the callback pass needs. `allowLoopbackHttpCallbacks` is the development/test flag
 * `DRP_CALLBACK_ALLOW_HTTP_LOOPBACK` (see `callbackUrlProblem` in drp.ts).
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { DsrService } from "@lawful/dsr";
 * import type { Sql } from "./db.js";
 * import type { DrpCallbackDeps } from "./drp-callbacks.js";
 * declare const sql: Sql;
 * declare const dsr: DsrService;
 * const deps: DrpCallbackDeps = { sql, dsr, clock: systemClock };
 * ```
 */
export interface DrpCallbackDeps {
  sql: Sql;
  dsr: DsrService;
  clock: Clock;
  allowLoopbackHttpCallbacks?: boolean | undefined;
  logger?: Logger | undefined;
}

/** Error code of a failed attempt: a name or code, never a message (it may quote the URL). */
function failureCode(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  if (e.name === "TimeoutError") return "timeout";
  const code = typeof e.cause?.code === "string" ? e.cause.code : typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
  return code.slice(0, 60);
}

/** The error a {@link publicOnlyLookup} connection fails with when a name resolves to a non-public address. */
const BLOCKED = "EBLOCKEDADDRESS";

/**
 * A `lookup` for outgoing connections that resolves a host name and refuses it unless every address is
 * public. The connection then uses exactly the addresses checked, so a name cannot resolve to a public
 * address for the check and to a private one for the connection (DNS rebinding). IP literals never reach
 * a lookup; `callbackUrlProblem` checks them.
 *
 * @example
 * ```ts
 * import { request } from "node:https";
 * import { publicOnlyLookup } from "./drp-callbacks.js";
 * request("https://agent.example/status", { method: "POST", lookup: publicOnlyLookup() });
 * ```
 */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, verbatim: true }, (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      if (addresses.length === 0 || addresses.some((a) => isBlockedCallbackAddress(a.address))) {
        return callback(Object.assign(new Error("The host name resolves to a non-public address."), { code: BLOCKED }), "", 0);
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (wanted.length === 0) return callback(Object.assign(new Error("No address of the requested family."), { code: "ENOTFOUND" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
      callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}

/** POST `body` to `url`; `undefined` when the agent answered 2xx, else the error code of the attempt. */
function post(url: URL, body: string, signal: AbortSignal): Promise<string | undefined> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "lawful-reference-server drp-status-callback" },
      lookup: publicOnlyLookup(),
      signal: AbortSignal.any([signal, AbortSignal.timeout(DRP_CALLBACK_TIMEOUT_MS)]),
    });
    req.on("response", (res) => {
      // spec 2.03.1: the response body is discarded unread; redirects are never followed
      res.destroy();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? undefined : `http_${status}`);
    });
    req.on("error", (error: NodeJS.ErrnoException & { cause?: unknown }) => {
      const reason = error.name === "AbortError" ? (error.cause as { name?: string } | undefined) : undefined;
      resolve(error.code === BLOCKED ? "blocked_address" : reason?.name === "TimeoutError" ? "timeout" : failureCode(error));
    });
    req.end(body);
  });
}

interface Candidate {
  tenant_id: string;
  request_id: string;
  agent_request_id: string | null;
  digest: string | null;
}
interface Claimed {
  digest: string;
  body: string;
  attempts: number | string;
  status_callback: string | null;
  callback_origin: string | null;
  revoked_at: string | null;
}

/**
 * One pass of DRP status callbacks, safe to run on several instances at once.
 *
 * 1. Detect: for every request with a `status_callback` whose agent is active, whose last known
 *    DRP status is not final and whose record changed since the last check (its `version`), compute
 *    the current Exercise Status (`drpStatusOf`); when it differs
 *    from the stored one (status, reason, `expected_by` or `processing_details`, spec 3.08) store it
 *    as pending. Only the most recent status is kept (spec 2.03.1: a 200 for the most recent
 *    update); a status the agent received as the synchronous answer of its own call
 *    ({@link recordAnsweredStatus}) is not sent again.
 * 2. Deliver: claim each due row with an atomic conditional UPDATE (a lease with a fresh owner id)
 *    and POST the status as JSON. A 2xx marks it delivered; anything else — a redirect (never
 *    followed), another status, a timeout after {@link DRP_CALLBACK_TIMEOUT_MS}, a network error —
 *    is retried after {@link DRP_CALLBACK_RETRY_DELAYS_MS} and given up after the last delay. The
 *    URL is checked again before sending: on the agent's current registered origin, acceptable to
 *    `callbackUrlProblem`, and a host name must resolve to public addresses only — checked in the
 *    connection's own lookup ({@link publicOnlyLookup}), so it connects to the addresses checked. Response bodies
 *    are discarded unread; logs carry ids and error codes only, never the URL or the status body.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { DsrService } from "@lawful/dsr";
 * import type { Sql } from "./db.js";
 * import { deliverDrpCallbacks } from "./drp-callbacks.js";
 * declare const sql: Sql;
 * declare const dsr: DsrService;
 * const result = await deliverDrpCallbacks({ sql, dsr, clock: systemClock });
 * ```
 */
export async function deliverDrpCallbacks(deps: DrpCallbackDeps, options: { signal?: AbortSignal; limit?: number } = {}): Promise<DrpCallbackResult> {
  const { sql, dsr, clock } = deps;
  const signal = options.signal ?? new AbortController().signal;
  const allowLoopback = deps.allowLoopbackHttpCallbacks === true;
  const result: DrpCallbackResult = { detected: 0, delivered: 0, retried: 0, failed: 0 };

  // only requests whose record changed since the last pass checked them: the status is a function of
  // the stored request (@lawful/dsr's `version` column counts its writes), so an unchanged one is skipped
  const candidates = await sql.all<Candidate>(
    `SELECT r.tenant_id, r.request_id, r.agent_request_id, cb.digest FROM drp_requests r
     JOIN drp_agents a ON a.tenant_id = r.tenant_id AND a.agent_id = r.agent_id
     JOIN dsr_requests d ON d.tenant_id = r.tenant_id AND d.id = r.request_id
     LEFT JOIN drp_callbacks cb ON cb.tenant_id = r.tenant_id AND cb.request_id = r.request_id
     WHERE r.status_callback IS NOT NULL AND a.revoked_at IS NULL
       AND (cb.request_id IS NULL OR (cb.final = 0 AND (cb.checked_version IS NULL OR cb.checked_version <> d.version)))
     ORDER BY r.created_at`,
  );
  for (const c of candidates) {
    if (signal.aborted) return result;
    let status: DrpStatus;
    let version: number;
    try {
      const request = await dsr.get(c.tenant_id, c.request_id);
      status = drpStatusOf(request, { agentRequestId: c.agent_request_id });
      version = request.version;
    } catch (error) {
      if (isLawfulError(error) && error.code === "NOT_FOUND") continue;
      throw error;
    }
    const body = JSON.stringify(status);
    const digest = digestOf(body);
    if (digest === c.digest) {
      await sql.run("UPDATE drp_callbacks SET checked_version = ? WHERE tenant_id = ? AND request_id = ? AND digest = ?", [version, c.tenant_id, c.request_id, digest]);
      continue;
    }
    const now = clock.now().toISOString();
    const final = FINAL_STATUSES.includes(status.status) ? 1 : 0;
    // optimistic: only from the digest this pass read, so a concurrent pass or answer is not overwritten
    const changed =
      c.digest === null
        ? await sql.run(
            `INSERT INTO drp_callbacks (tenant_id, request_id, digest, body, status, final, state, attempts, next_attempt_at, updated_at, checked_version) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
             ON CONFLICT (tenant_id, request_id) DO NOTHING`,
            [c.tenant_id, c.request_id, digest, body, status.status, final, now, now, version],
          )
        : await sql.run(
            `UPDATE drp_callbacks SET digest = ?, body = ?, status = ?, final = ?, state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?, checked_version = ?
             WHERE tenant_id = ? AND request_id = ? AND digest = ?`,
            [digest, body, status.status, final, now, now, version, c.tenant_id, c.request_id, c.digest],
          );
    result.detected += changed;
  }

  const now = clock.now();
  const due = await sql.all<{ tenant_id: string; request_id: string }>(
    "SELECT tenant_id, request_id FROM drp_callbacks WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?",
    [now.toISOString(), now.toISOString(), options.limit ?? 25],
  );
  for (const d of due) {
    if (signal.aborted) break;
    const owner = randomUUID();
    const at = clock.now();
    const won = await sql.run(
      "UPDATE drp_callbacks SET lease_owner = ?, lease_until = ? WHERE tenant_id = ? AND request_id = ? AND state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
      [owner, new Date(at.getTime() + ROW_LEASE_MS).toISOString(), d.tenant_id, d.request_id, at.toISOString(), at.toISOString()],
    );
    if (won !== 1) continue;
    const row = await sql.get<Claimed>(
      `SELECT cb.digest, cb.body, cb.attempts, r.status_callback, a.callback_origin, a.revoked_at FROM drp_callbacks cb
       JOIN drp_requests r ON r.tenant_id = cb.tenant_id AND r.request_id = cb.request_id
       JOIN drp_agents a ON a.tenant_id = r.tenant_id AND a.agent_id = r.agent_id
       WHERE cb.tenant_id = ? AND cb.request_id = ?`,
      [d.tenant_id, d.request_id],
    );
    if (!row) continue;
    const url = row.status_callback === null ? undefined : new URL(row.status_callback);
    let error: string | undefined;
    let retry = true;
    if (row.revoked_at !== null) [error, retry] = ["agent_revoked", false];
    else if (!url || url.origin !== row.callback_origin || callbackUrlProblem(url, allowLoopback)) [error, retry] = ["refused_url", false];
    else error = await post(url, row.body, signal);
    if (signal.aborted) {
      // shutting down: the attempt does not count; the row is due again for the next pass
      await sql.run("UPDATE drp_callbacks SET lease_owner = NULL, lease_until = NULL WHERE tenant_id = ? AND request_id = ? AND lease_owner = ?", [d.tenant_id, d.request_id, owner]);
      break;
    }

    const attempts = Number(row.attempts);
    const done = clock.now();
    const delay = retry ? DRP_CALLBACK_RETRY_DELAYS_MS[attempts] : undefined;
    const marked =
      error === undefined
        ? await sql.run(
            "UPDATE drp_callbacks SET state = 'delivered', attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL, delivered_at = ?, lease_owner = NULL, lease_until = NULL WHERE tenant_id = ? AND request_id = ? AND lease_owner = ? AND digest = ?",
            [done.toISOString(), d.tenant_id, d.request_id, owner, row.digest],
          )
        : await sql.run(
            "UPDATE drp_callbacks SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE tenant_id = ? AND request_id = ? AND lease_owner = ? AND digest = ?",
            [delay === undefined ? "failed" : "pending", error, delay === undefined ? null : new Date(done.getTime() + delay).toISOString(), d.tenant_id, d.request_id, owner, row.digest],
          );
    if (marked === 0) {
      // a newer status arrived meanwhile: it stays pending (with its own attempt count); release the lease
      await sql.run("UPDATE drp_callbacks SET lease_owner = NULL, lease_until = NULL WHERE tenant_id = ? AND request_id = ? AND lease_owner = ?", [d.tenant_id, d.request_id, owner]);
    }
    if (error === undefined) {
      result.delivered++;
    } else if (delay === undefined) {
      result.failed++;
      deps.logger?.warn({ tenantId: d.tenant_id, requestId: d.request_id, attempts: attempts + 1, error }, "drp status callback given up");
    } else {
      result.retried++;
      deps.logger?.info({ tenantId: d.tenant_id, requestId: d.request_id, attempts: attempts + 1, error }, "drp status callback failed; will retry");
    }
  }
  return result;
}

/**
 * The scheduler job `drp-callbacks` (every 15 seconds) that runs {@link deliverDrpCallbacks}; the
 * scheduler's job lease keeps instances from running passes at once, and row leases keep even
 * overlapping passes from sending one status twice.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { DsrService } from "@lawful/dsr";
 * import type { Sql } from "./db.js";
 * import { drpCallbackJob } from "./drp-callbacks.js";
 * declare const sql: Sql;
 * declare const dsr: DsrService;
 * const job = drpCallbackJob({ sql, dsr, clock: systemClock });
 * ```
 */
export function drpCallbackJob(deps: DrpCallbackDeps): Job {
  return { name: "drp-callbacks", intervalMs: 15_000, leaseMs: 300_000, run: async (signal) => void (await deliverDrpCallbacks(deps, { signal })) };
}
