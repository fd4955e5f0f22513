import { isLawfulError, type AuditSink, type Clock, type Migration, type SubjectRef } from "@lawful/core";
import type { DsrRequest, DsrStore, RetentionExemptions } from "@lawful/dsr";
import type { RetentionStore } from "@lawful/retention";
import type { OpenDatabase } from "./db.js";

/**
 * A compaction that is still due survives restarts: one row, with the PostgreSQL transaction id every
 * older transaction must have ended before (0 on SQLite).
 */
export const ERASURE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "pending storage compaction after erasures",
    sql: ["CREATE TABLE server_erasure_compaction (id INTEGER PRIMARY KEY CHECK (id = 1), due_since TEXT NOT NULL, mark TEXT NOT NULL)"],
  },
];

/**
 * A daily UTC window `HH:MM-HH:MM` (it may wrap midnight, e.g. `22:00-04:00`); parsed by {@link parseCompactionWindow}.
 *
 * @example
 * ```ts
 * import type { CompactionWindow } from "./erasure.js";
 * const window: CompactionWindow = { startMinute: 120, endMinute: 240 }; // 02:00-04:00 UTC
 * ```
 */
export interface CompactionWindow {
  readonly startMinute: number;
  readonly endMinute: number;
}

/**
 * Parse `HH:MM-HH:MM` (UTC) into a {@link CompactionWindow}; undefined for any other text.
 *
 * @example
 * ```ts
 * import { parseCompactionWindow } from "./erasure.js";
 * parseCompactionWindow("22:00-04:00"); // { startMinute: 1320, endMinute: 240 }
 * ```
 */
export function parseCompactionWindow(text: string): CompactionWindow | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) return undefined;
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  return startMinute === endMinute ? undefined : { startMinute, endMinute };
}

function inWindow(window: CompactionWindow | undefined, at: Date): boolean {
  if (!window) return true;
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  const { startMinute: s, endMinute: e } = window;
  return s < e ? minute >= s && minute < e : minute >= s || minute < e;
}

const ERASURES = new Set<DsrRequest["type"]>(["erasure", "ccpa_delete"]);
const DONE = new Set<DsrRequest["state"]>(["completed", "partially_completed"]);
const CLOSED = new Set<DsrRequest["state"]>(["completed", "partially_completed", "denied", "cancelled", "withdrawn"]);
const ERASED_RESPONSE = JSON.stringify({
  headers: { "content-type": "application/problem+json" },
  body: JSON.stringify({
    type: "urn:lawful:problem:erased",
    title: "Gone",
    status: 410,
    detail: "The stored response of this Idempotency-Key was erased together with the data subject's personal data.",
    code: "ERASED",
  }),
});

/**
 * True once {@link createErasureFinisher} replaced the request's subject by its pseudonym.
 *
 * @example
 * ```ts
 * import { isRedactedSubject } from "./erasure.js";
 * isRedactedSubject({ subject: { kind: "customer_id", value: "erased:3f9a" } }); // true
 * ```
 */
export function isRedactedSubject(request: Pick<DsrRequest, "subject">): boolean {
  return request.subject.kind === "customer_id" && request.subject.value.startsWith("erased:");
}

/**
 * What the server does once an erasure (or CCPA delete) request is completed, so that the
 * person's identifiers are gone from the raw storage too, not only from the query results:
 *
 * 1. stored Idempotency-Key responses that mention the subject or the request are replaced by a
 *    410 problem (a replay neither shows the data nor runs the request again);
 * 2. the request record, and every closed earlier request of the person, keeps only the subject's
 *    pseudonym (`customer_id` `erased:<pseudonym>`) and loses the requester's free text, corrections
 *    and manual-review evidence; earlier requests also lose their result and their tasks' results
 *    (an access export is a copy of the data) — the records themselves stay as proof of compliance;
 *    requests still open are left to be answered;
 * 3. the storage is compacted: SQLite (opened with `secure_delete`, so freed cells and pages are
 *    zeroed) checkpoints and truncates its write-ahead log; PostgreSQL runs `VACUUM FULL` on the tables
 *    that held personal data, rewriting their files without the dead row versions — postponed, and
 *    retried on the next worker run, while any transaction of the cluster is older than the erasure
 *    (an older snapshot could still see the rows, so VACUUM FULL would have to keep them). VACUUM FULL
 *    locks each table while it rewrites it; with `compactionWindow` (`ERASURE_COMPACTION_WINDOW`) it
 *    waits for that daily UTC window instead. A compaction still due is stored, so a restart does not
 *    forget it.
 *
 * PostgreSQL's own write-ahead log and base backups still hold the old rows until they age out;
 * keep their retention as short as your recovery needs allow.
 *
 * @example
 * ```ts
 * import { createErasureFinisher } from "./erasure.js";
 * import { openDatabase } from "./db.js";
 * import { createSqliteDsrStore } from "@lawful/dsr/sqlite";
 * import { createMemoryAuditSink, systemClock } from "@lawful/core";
 * const db = openDatabase("sqlite:./data/lawful.db");
 * if (db.kind === "sqlite") {
 *   const store = createSqliteDsrStore({ database: db.database });
 *   const finisher = createErasureFinisher({ db, store, audit: createMemoryAuditSink(), clock: systemClock });
 *   await finisher.finishAll();
 * }
 * ```
 */
export function createErasureFinisher(deps: { db: OpenDatabase; store: DsrStore; audit: AuditSink; clock: Clock; compactionWindow?: CompactionWindow | undefined }) {
  const { db, audit, clock } = deps;
  const pending = new Map<string, { tenantId: string; id: string }>();

  /** The store as the request engine should use it: notes every erasure request that completes. */
  const store: DsrStore = {
    ...deps.store,
    async updateRequest(request) {
      await deps.store.updateRequest(request);
      if (ERASURES.has(request.type) && DONE.has(request.state) && !isRedactedSubject(request)) pending.set(`${request.tenantId}\u0000${request.id}`, { tenantId: request.tenantId, id: request.id });
    },
  };

  /** Replace stored Idempotency-Key responses that mention the subject by a 410 problem, so a replay neither leaks nor re-runs. */
  async function purgeIdempotency(tenantId: string, needles: readonly string[]): Promise<number> {
    const contains = db.kind === "sqlite" ? "instr(lower(response), ?) > 0" : "strpos(lower(response), ?) > 0";
    return db.sql.run(`UPDATE server_idempotency SET status = 410, response = ? WHERE tenant_id = ? AND response IS NOT NULL AND (${needles.map(() => contains).join(" OR ")})`, [
      ERASED_RESPONSE,
      tenantId,
      ...needles.map((n) => n.toLowerCase()),
    ]);
  }

  /**
   * Replace the subject of a closed request by its pseudonym and drop what holds the person's data:
   * free text, corrections, manual-review evidence, an access result and its tasks' results. The
   * erasure request keeps its own result (categories and counts, no personal data).
   */
  async function redact(tenantId: string, id: string, keepResult: boolean): Promise<DsrRequest | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const r = await deps.store.getRequest(tenantId, id);
      if (!r || !CLOSED.has(r.state) || isRedactedSubject(r)) return undefined;
      const { description: _description, rectifications: _rectifications, ...details } = r.details;
      const { evidence: _evidence, ...verification } = r.verification;
      const outcome = r.outcome && !keepResult ? { respondedAt: r.outcome.respondedAt, nature: r.outcome.nature } : r.outcome;
      try {
        await deps.store.updateRequest({
          ...r,
          subject: { kind: "customer_id", value: `erased:${r.subjectKey}` },
          details,
          verification,
          ...(outcome ? { outcome } : {}),
          version: r.version + 1,
          updatedAt: clock.now(),
        });
        if (!keepResult) await deps.store.clearTaskResults?.(tenantId, id);
        return r;
      } catch (error) {
        if (!(isLawfulError(error) && error.code === "CONFLICT")) throw error;
      }
    }
    return undefined;
  }

  let caughtUp = false;

  /** PostgreSQL: the next transaction id to be assigned (every transaction that could see what was just changed is older); 0 on SQLite. */
  async function currentMark(): Promise<bigint> {
    if (db.kind !== "postgres") return 0n;
    const next = await db.sql.get<{ xmax: string }>("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax");
    return BigInt(next?.xmax ?? "0");
  }

  /** Record that the storage needs compacting once every transaction older than `mark` ended (kept if a larger mark is stored). */
  async function compactionDue(mark: bigint): Promise<void> {
    await db.sql.run(
      `INSERT INTO server_erasure_compaction (id, due_since, mark) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET mark = CASE WHEN LENGTH(excluded.mark) > LENGTH(server_erasure_compaction.mark)
         OR (LENGTH(excluded.mark) = LENGTH(server_erasure_compaction.mark) AND excluded.mark > server_erasure_compaction.mark)
         THEN excluded.mark ELSE server_erasure_compaction.mark END`,
      [clock.now().toISOString(), mark.toString()],
    );
  }

  /** Compact the storage; false when PostgreSQL still runs a transaction that may see the erased rows (retried on the next run). */
  async function compact(mark: bigint): Promise<boolean> {
    if (db.kind === "sqlite") {
      // a checkpoint cannot run inside a transaction: with one in flight on the connection, retry on the next run
      if (db.database.inTransaction) return false;
      const [result] = db.database.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      return result?.busy === 0;
    }
    // VACUUM FULL keeps row versions an older snapshot could still see, on any database of the cluster
    const oldest = await db.sql.get<{ xmin: string }>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin");
    if (BigInt(oldest?.xmin ?? "0") < mark) return false;
    const tables = await db.sql.all<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()
       AND (tablename LIKE 'consent\\_%' OR tablename LIKE 'dsr\\_%' OR tablename IN ('server_outbox', 'server_idempotency', 'server_rate_limits', 'lawful_subject_keys'))`,
    );
    for (const { name } of tables) await db.pool.query(`VACUUM FULL "${name.replace(/"/g, '""')}"`);
    return true;
  }

  /** Finish one completed erasure request: redact, purge, audit. Returns false when there was nothing to do. */
  async function finish(tenantId: string, id: string): Promise<boolean> {
    const erasure = await deps.store.getRequest(tenantId, id);
    if (!erasure || !ERASURES.has(erasure.type) || !DONE.has(erasure.state)) return false;
    const r = await redact(tenantId, id, true);
    if (!r) return false;
    // the person's earlier, closed requests (an access request's result is a copy of their data); open ones are still being answered
    const others = (await deps.store.listRequests(tenantId, { subjectKey: r.subjectKey })).filter((q) => q.id !== r.id && CLOSED.has(q.state) && !isRedactedSubject(q));
    for (const q of others) await redact(tenantId, q.id, false);
    await purgeIdempotency(tenantId, [r.id, r.subjectKey, r.subject.value, ...others.map((q) => q.id)]);
    await compactionDue(await currentMark());
    await audit.record({
      tenantId,
      action: "data.deleted",
      actor: { type: "system", id: `request:${r.id}` },
      target: { system: "lawful", recordType: "dsr_request", recordId: r.id },
      correlationId: r.id,
      details: { component: "reference-server", requests: 1 + others.length, redacted: ["subject", "details", "verification evidence", "earlier results", "idempotency responses"] },
    });
    return true;
  }

  return {
    store,
    finish,
    /**
     * Finish every erasure request that completed since the last call (the first call also picks up
     * completed ones left unfinished by a crash), then compact the storage; a compaction PostgreSQL
     * had to postpone is retried here (the request worker calls this every run).
     */
    async finishAll(): Promise<number> {
      if (!caughtUp) {
        // erasures completed before a crash or restart, by this or another instance
        caughtUp = true;
        // a compaction left due: a crash may have come between a redaction and raising the stored mark
        if (await db.sql.get("SELECT 1 AS due FROM server_erasure_compaction WHERE id = 1")) await compactionDue(await currentMark());
        for (const { id: tenantId } of await db.sql.all<{ id: string }>("SELECT id FROM server_tenants")) {
          for (const r of await deps.store.listRequests(tenantId, { types: [...ERASURES], states: [...DONE] })) {
            if (!isRedactedSubject(r)) pending.set(`${tenantId}\u0000${r.id}`, { tenantId, id: r.id });
          }
        }
      }
      const due = [...pending.values()];
      pending.clear();
      let n = 0;
      for (const [i, { tenantId, id }] of due.entries()) {
        try {
          if (await finish(tenantId, id)) n++;
        } catch (error) {
          // keep the rest for the next run (the worker calls again), then report the failure
          for (const d of due.slice(i)) pending.set(`${d.tenantId}\u0000${d.id}`, d);
          throw error;
        }
      }
      const compaction = await db.sql.get<{ mark: string }>("SELECT mark FROM server_erasure_compaction WHERE id = 1");
      if (compaction && db.kind === "sqlite") {
        // SQLite's WAL checkpoint is cheap (no window) and must be the last write, so the WAL ends empty:
        // clear the row first and put it back when the checkpoint could not run
        await db.sql.run("DELETE FROM server_erasure_compaction WHERE id = 1");
        if (!(await compact(0n))) await compactionDue(0n);
      } else if (compaction && inWindow(deps.compactionWindow, clock.now()) && (await compact(BigInt(compaction.mark)))) {
        // when an erasure finished meanwhile (here or on another instance) it raised the mark: the row stays for the next run
        await db.sql.run("DELETE FROM server_erasure_compaction WHERE id = 1 AND mark = ?", [compaction.mark]);
      }
      return n;
    },
  };
}

/** The finisher of {@link createErasureFinisher}. */
export type ErasureFinisher = ReturnType<typeof createErasureFinisher>;

/**
 * The request engine's view of the tenant's legal holds: an active hold whose scope covers the
 * subject (by `kind:value` or pseudonym in `subjectIds`) and the category keeps that category's data,
 * restricted, when an erasure runs (GDPR Art. 17(3)(e), 18(1)(c)). A hold limited to `systems` covers
 * the server's own data only when it names `lawful`; `recordTypes` and `dateRange` cannot be judged per
 * category and count as covering: holding too much is the safe error.
 *
 * @example
 * ```ts
 * import { createHoldExemptions } from "./erasure.js";
 * import { createMemoryRetentionStore } from "@lawful/retention/memory";
 * import { systemClock } from "@lawful/core";
 * const exemptions = createHoldExemptions(createMemoryRetentionStore(), systemClock, () => "pseudonym");
 * await exemptions.exemptionsFor("acme", { kind: "email", value: "ada@example.com" }, "consent.proof"); // []
 * ```
 */
export function createHoldExemptions(retention: RetentionStore, clock: Clock, pseudonymOf: (tenantId: string, subject: SubjectRef) => string): RetentionExemptions {
  return {
    async exemptionsFor(tenantId, subject, category) {
      const ids = new Set([`${subject.kind}:${subject.value}`, pseudonymOf(tenantId, subject)]);
      return (await retention.listHolds(tenantId, { activeAt: clock.now() }))
        .filter((h) => (!h.scope.subjectIds || h.scope.subjectIds.some((s) => ids.has(s))) && (!h.scope.categories || h.scope.categories.includes(category)))
        .filter((h) => !h.scope.systems || h.scope.systems.includes("lawful"))
        .map((h) => ({ kind: "legal_hold" as const, ruleId: h.id, citation: `Legal hold ${h.id} (${h.matter})` }));
    },
  };
}
