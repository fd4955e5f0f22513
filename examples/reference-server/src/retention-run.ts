import { createHash } from "node:crypto";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Actor, AuditSink, Clock } from "@lawful/core";
import type { ConsentService, EndedConsentCursor } from "@lawful/consent";
import { TERMINAL_STATES, type DsrRequest, type DsrService } from "@lawful/dsr";
import { applyRetention, planRetention, type ApplyRetentionResult, type RetentionHandler, type RetentionPlan, type RetentionRecord, type RetentionStore } from "@lawful/retention";
import type { Sql } from "./db.js";
import type { AppEnv } from "./http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json, staffActor as actorOf } from "./http/route-kit.js";
import type { Job } from "./scheduler.js";

/**
 * Record types of the server's own records that retention rules can select (`selectors.recordTypes`):
 * `outbox_message` (category `contact.email`, system `lawful.outbox`; messages still waiting for delivery
 * are never offered), `idempotency_key` (stored API responses, system `lawful.api`; in-flight keys are
 * never offered) and `dsr_request` (closed data-subject requests with their tasks, system
 * `lawful.requests`, regime as `regimes`, the closing time as `dates.closedAt` for a `field` trigger; open
 * requests are never offered, and none is deleted before its record's 24 months, CCPA §7101) and
 * `consent_history` (one subject's proof of consent for one purpose once that consent ended — withdrawn,
 * refused, expired or never confirmed — category `consent.proof`, the purpose and its regime, the end as
 * `consentWithdrawnAt`; consents in force, objections, opt-outs and CASL purposes are never offered).
 *
 * @example
 * ```ts
 * import { SERVER_RECORD_TYPES } from "./retention-run.js";
 * const rule = { id: "outbox-90d", title: "Sent mail", selectors: { recordTypes: [SERVER_RECORD_TYPES.outbox] }, trigger: { type: "created" as const }, duration: "P90D", kind: "maximum" as const, action: "delete" as const };
 * ```
 */
export const SERVER_RECORD_TYPES = Object.freeze({ outbox: "outbox_message", idempotency: "idempotency_key", request: "dsr_request", consent: "consent_history" } as const);

/** A record of one of the server's tables, with the row key the handlers act on. */
interface ServerRecord extends RetentionRecord {
  readonly table: "outbox" | "idempotency" | "request" | "consent";
  readonly rowKey: string;
}

/**
 * What a retention run needs: the database, the tenant's rules and holds (and checkpoints), the audit log and the clock.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { RetentionRunDeps } from "./retention-run.js";
 * import type { Lawful } from "./server.js";
 * declare const lawful: Lawful;
 * const deps: RetentionRunDeps = { sql: lawful.db.sql, retention: lawful.services.retention, dsr: lawful.services.dsr, consent: lawful.services.consent, audit: lawful.services.audit, clock: systemClock };
 * ```
 */
export interface RetentionRunDeps {
  sql: Sql;
  retention: RetentionStore;
  /** The request service: closed requests are records, deleted with `purge`. */
  dsr: Pick<DsrService, "list" | "purge">;
  /** The consent service: ended consents are records, their proof deleted with `purgeHistory`. */
  consent: Pick<ConsentService, "listEndedConsents" | "purgeHistory" | "listPurposes">;
  audit: AuditSink;
  clock: Clock;
}

/**
 * Options of {@link planServerRetention} and {@link runServerRetention}.
 *
 * @example
 * ```ts
 * import type { RetentionRunOptions } from "./retention-run.js";
 * const options: RetentionRunOptions = { batchSize: 200, onProgress: (done, total) => console.error(`${done}/${total}`) };
 * ```
 */
export interface RetentionRunOptions {
  /** Rows read per query (the run executes in batches of this size). @default 500 */
  batchSize?: number | undefined;
  /** Called after every batch with the records evaluated so far and the number of records at the start. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Who started the run. @default { type: "system", id: "lawful-retention" } */
  actor?: Actor | undefined;
}

const ONLY_DELIVERED = "status NOT IN ('queued', 'sending')";

const CLOSED_STATES = TERMINAL_STATES.map((s) => `'${s}'`).join(", ");

/** The tenant's ended consents, page by page. */
async function* endedConsents(consent: RetentionRunDeps["consent"], tenantId: string, batchSize: number) {
  for (let after: EndedConsentCursor | undefined; ; ) {
    const page = await consent.listEndedConsents(tenantId, { after, limit: batchSize });
    yield* page.items;
    if (!page.next) return;
    after = page.next;
  }
}

/** Ended consents as records of type `consent_history`. */
async function* consentRecords(consent: RetentionRunDeps["consent"], tenantId: string, batchSize: number): AsyncGenerator<ServerRecord> {
  const regimes = new Map((await consent.listPurposes(tenantId)).map((p) => [p.id, p.regime]));
  for await (const c of endedConsents(consent, tenantId, batchSize)) {
    const regime = regimes.get(c.purposeId);
    yield {
      id: `consent/${c.subjectPseudonym}/${c.purposeId}`,
      recordType: SERVER_RECORD_TYPES.consent,
      categories: ["consent.proof"],
      purposes: [c.purposeId],
      ...(regime ? { regimes: [regime] } : {}),
      system: "lawful.consent",
      subjectId: c.subjectPseudonym,
      createdAt: c.since,
      lastActivityAt: c.since,
      consentWithdrawnAt: c.since,
      table: "consent",
      rowKey: `${c.subjectPseudonym}\u0000${c.purposeId}`,
    };
  }
}

/** Number of records a run would look at (for the progress bar; closed requests counted in @lawful/dsr's table). */
async function countRecords(deps: Pick<RetentionRunDeps, "sql" | "consent">, tenantId: string, batchSize: number): Promise<number> {
  const { sql } = deps;
  let consents = 0;
  for await (const _ of endedConsents(deps.consent, tenantId, batchSize)) consents++;
  const a = await sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM server_outbox WHERE tenant_id = ? AND ${ONLY_DELIVERED}`, [tenantId]);
  const b = await sql.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM server_idempotency WHERE tenant_id = ? AND status IS NOT NULL", [tenantId]);
  const c = await sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM dsr_requests WHERE tenant_id = ? AND state IN (${CLOSED_STATES})`, [tenantId]);
  return Number(a?.n ?? 0) + Number(b?.n ?? 0) + Number(c?.n ?? 0) + consents;
}

/** When a closed request closed: its last transition into a terminal state. */
function closedAt(r: DsrRequest): Date {
  for (let i = r.history.length - 1; i >= 0; i--) if (TERMINAL_STATES.includes(r.history[i]!.to)) return r.history[i]!.at;
  return r.updatedAt;
}

/** The tenant's closed requests, in pages of `batchSize` by receipt (requests deleted meanwhile are simply not seen again). */
async function* closedRequests(dsr: RetentionRunDeps["dsr"], tenantId: string, batchSize: number): AsyncGenerator<ServerRecord> {
  let from: Date | undefined;
  let seen = new Set<string>();
  for (;;) {
    const page = await dsr.list(tenantId, { states: TERMINAL_STATES, ...(from ? { receivedFrom: from } : {}), limit: batchSize });
    const fresh = page.filter((r) => !seen.has(r.id));
    for (const r of fresh) {
      const closed = closedAt(r);
      yield {
        id: `request/${r.id}`,
        recordType: SERVER_RECORD_TYPES.request,
        regimes: [r.regime],
        system: "lawful.requests",
        subjectId: r.subjectKey,
        createdAt: r.receivedAt,
        lastActivityAt: closed,
        dates: { closedAt: closed },
        table: "request",
        rowKey: r.id,
      };
    }
    if (page.length < batchSize || fresh.length === 0) break;
    // the next page starts at the last receipt time (inclusive); skip what this one already gave
    const last = page[page.length - 1]!.receivedAt;
    if (from === undefined || last.getTime() !== from.getTime()) seen = new Set();
    for (const r of page) if (r.receivedAt.getTime() === last.getTime()) seen.add(r.id);
    from = last;
  }
}

/** The tenant's retention-relevant rows, read in keyset pages of `batchSize` (rows deleted meanwhile are simply not seen again). */
async function* serverRecords(deps: Pick<RetentionRunDeps, "sql" | "dsr" | "consent">, tenantId: string, batchSize: number): AsyncGenerator<ServerRecord> {
  const { sql } = deps;
  for (let after = ""; ; ) {
    const rows = await sql.all<{ id: string; subject_pseudonym: string | null; created_at: string; sent_at: string | null }>(
      `SELECT id, subject_pseudonym, created_at, sent_at FROM server_outbox WHERE tenant_id = ? AND ${ONLY_DELIVERED} AND id > ? ORDER BY id LIMIT ?`,
      [tenantId, after, batchSize],
    );
    for (const r of rows) {
      yield {
        id: `outbox/${r.id}`,
        recordType: SERVER_RECORD_TYPES.outbox,
        categories: ["contact.email"],
        system: "lawful.outbox",
        subjectId: r.subject_pseudonym ?? undefined,
        createdAt: r.created_at,
        lastActivityAt: r.sent_at ?? r.created_at,
        table: "outbox",
        rowKey: r.id,
      };
    }
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]!.id;
  }
  for (let after = ""; ; ) {
    const rows = await sql.all<{ idem_key: string; created_at: string }>(
      "SELECT idem_key, created_at FROM server_idempotency WHERE tenant_id = ? AND status IS NOT NULL AND idem_key > ? ORDER BY idem_key LIMIT ?",
      [tenantId, after, batchSize],
    );
    for (const r of rows) {
      // the key is chosen by the client: the record id (audited) is its hash
      const id = `idempotency/${createHash("sha256").update(r.idem_key).digest("hex").slice(0, 32)}`;
      yield { id, recordType: SERVER_RECORD_TYPES.idempotency, system: "lawful.api", createdAt: r.created_at, table: "idempotency", rowKey: r.idem_key };
    }
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]!.idem_key;
  }
  yield* closedRequests(deps.dsr, tenantId, batchSize);
  yield* consentRecords(deps.consent, tenantId, batchSize);
}

async function rulesAndHolds(deps: RetentionRunDeps, tenantId: string) {
  const [rules, holds] = await Promise.all([deps.retention.listRules(tenantId), deps.retention.listHolds(tenantId)]);
  return { rules, holds };
}

/**
 * Dry run over the server's own records of a tenant: what its retention rules and legal holds decide
 * now (counts per outcome, rule and hold). Nothing is changed or audited.
 *
 * @example
 * ```ts
 * import { planServerRetention, type RetentionRunDeps } from "./retention-run.js";
 * declare const deps: RetentionRunDeps;
 * const { plan } = await planServerRetention(deps, "tenant-id");
 * plan.byOutcome.delete;
 * ```
 */
export async function planServerRetention(deps: RetentionRunDeps, tenantId: string, options: RetentionRunOptions = {}): Promise<{ total: number; plan: RetentionPlan }> {
  const batchSize = options.batchSize ?? 500;
  const total = await countRecords(deps, tenantId, batchSize);
  const plan = await planRetention(serverRecords(deps, tenantId, batchSize), {
    ...(await rulesAndHolds(deps, tenantId)),
    now: deps.clock.now(),
    progressEvery: batchSize,
    onProgress: (p) => options.onProgress?.(p.processed, total),
    signal: options.signal,
  });
  return { total, plan };
}

/**
 * Execute retention over the server's own records of a tenant with the package executor: delete or
 * anonymise what is due, never touch what a legal hold covers, audit every action (`retention.*`) and
 * checkpoint it in the retention store, so a run that crashed is resumed by running it again (done actions
 * are skipped, deleted rows are gone) and a second run is a no-op. Anonymising an outbox message blanks its
 * address, subject line, body and pseudonym; an idempotency key is deleted for either action.
 *
 * @example
 * ```ts
 * import { runServerRetention, type RetentionRunDeps } from "./retention-run.js";
 * declare const deps: RetentionRunDeps;
 * const result = await runServerRetention(deps, "tenant-id", { batchSize: 200 });
 * result.applied.delete;
 * ```
 */
export async function runServerRetention(deps: RetentionRunDeps, tenantId: string, options: RetentionRunOptions = {}): Promise<ApplyRetentionResult> {
  const { sql } = deps;
  const batchSize = options.batchSize ?? 500;
  const total = await countRecords(deps, tenantId, batchSize);
  const actor = options.actor ?? { type: "system" as const, id: "lawful-retention" };
  const remove: RetentionHandler<ServerRecord> = async (record) => {
    if (record.table === "outbox") await sql.run("DELETE FROM server_outbox WHERE tenant_id = ? AND id = ?", [tenantId, record.rowKey]);
    else if (record.table === "idempotency") await sql.run("DELETE FROM server_idempotency WHERE tenant_id = ? AND idem_key = ?", [tenantId, record.rowKey]);
    // refused (and retried by the next run) while the request's record must be kept: 24 months, CCPA §7101
    else if (record.table === "request") await deps.dsr.purge(tenantId, record.rowKey, actor);
    else {
      const [subject, purposeId] = record.rowKey.split("\u0000") as [string, string];
      await deps.consent.purgeHistory(tenantId, subject, purposeId, { actor });
    }
  };
  const anonymise: RetentionHandler<ServerRecord> = async (record, context) => {
    if (record.table !== "outbox") return remove(record, context);
    await sql.run("UPDATE server_outbox SET to_address = '', mail_subject = '', body = '', subject_pseudonym = NULL WHERE tenant_id = ? AND id = ?", [tenantId, record.rowKey]);
  };
  const now = deps.clock.now();
  return applyRetention({
    source: serverRecords(deps, tenantId, batchSize),
    ...(await rulesAndHolds(deps, tenantId)),
    now,
    tenantId,
    handlers: { delete: remove, anonymise },
    audit: deps.audit,
    checkpointStore: deps.retention,
    actor,
    runId: `retention-${tenantId}-${now.toISOString()}`,
    defaultSystem: "lawful",
    clock: deps.clock,
    progressEvery: batchSize,
    onProgress: (p) => options.onProgress?.(p.processed, total),
    signal: options.signal,
  });
}

/**
 * `POST /v1/retention/runs` (scope `retention`, like every `/v1/retention/*` route): run retention over the
 * server's own records with `{ "dryRun": false }`, or only plan it with `{ "dryRun": true }`.
 *
 * @example
 * ```ts
 * import { OpenAPIHono } from "@hono/zod-openapi";
 * import type { AppEnv } from "./http/app.js";
 * import { registerRetentionRunRoute, type RetentionRunDeps } from "./retention-run.js";
 * declare const deps: RetentionRunDeps;
 * registerRetentionRunRoute(new OpenAPIHono<AppEnv>(), deps);
 * ```
 */
export function registerRetentionRunRoute(app: OpenAPIHono<AppEnv>, deps: RetentionRunDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/retention/runs",
      tags: ["retention"],
      summary: "Run retention over the server's own records (outbox messages, idempotency keys): delete or anonymise what the tenant's rules make due, except what a legal hold covers",
      security,
      request: {
        body: {
          required: true,
          // a destructive run is asked for explicitly: `{ "dryRun": false }`
          content: { "application/json": { schema: z.object({ dryRun: z.boolean().describe("true: only plan (count what would happen); false: run") }).strict() } },
        },
      },
      responses: {
        200: { description: "The plan (dry run) or what the run did", content: { "application/json": { schema: Json } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const { dryRun } = c.req.valid("json");
      if (dryRun) return c.json({ dryRun, ...(await planServerRetention(deps, tenantId)) }, 200);
      const result = await runServerRetention(deps, tenantId, { actor: actorOf(c) });
      return c.json({ dryRun, result }, 200);
    },
  );
}

/**
 * The daily scheduler job `retention-run`: {@link runServerRetention} for every tenant.
 *
 * @example
 * ```ts
 * import { retentionRunJob, type RetentionRunDeps } from "./retention-run.js";
 * declare const deps: RetentionRunDeps;
 * const job = retentionRunJob(deps, async () => [{ id: "tenant-id" }]);
 * ```
 */
export function retentionRunJob(deps: RetentionRunDeps, tenants: () => Promise<readonly { id: string }[]>): Job {
  return {
    name: "retention-run",
    intervalMs: 86_400_000,
    leaseMs: 3_600_000,
    run: async (signal) => {
      for (const t of await tenants()) await runServerRetention(deps, t.id, { signal });
    },
  };
}
