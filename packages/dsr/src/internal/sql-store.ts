import type { DsrRequestQuery, DsrStore, DsrStoreCapabilities, DsrTask } from "../store.js";
import {
  closedError,
  conflict,
  notFound,
  queryLimit,
  requestFromJson,
  requestToJson,
  storeFailed,
  taskFromRow,
  validateRequest,
  type TaskRow,
} from "./store-helpers.js";

export interface StoreExecutor {
  readonly dialect: "sqlite" | "postgres";
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  run(sql: string, params: unknown[]): Promise<number>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Claim ready tasks atomically (dialect-specific locking). */
  claim(input: { workerId: string; limit: number; now: Date; leaseMs: number }): Promise<TaskRow[]>;
  ready(): Promise<void>;
}

export function createSqlDsrStore(name: string, capabilities: DsrStoreCapabilities, x: StoreExecutor): DsrStore {
  let closed = false;
  const pg = x.dialect === "postgres";
  const ts = (d: Date | undefined): unknown => (d === undefined ? null : pg ? d : d.toISOString());
  const json = (v: unknown): unknown => (v === undefined ? null : JSON.stringify(v));
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw closedError(name);
    try {
      await x.ready();
      return await fn();
    } catch (e) {
      throw storeFailed(name, e);
    }
  };
  const ph = (i: number) => (pg ? `$${i}` : "?");

  return {
    name,
    capabilities: Object.freeze({ ...capabilities }),
    insertRequest: (request) =>
      guard(async () => {
        const r = validateRequest(request);
        const n = await x.run(
          `INSERT INTO dsr_requests (tenant_id, id, type, state, subject_key, received_at, due_at, version, record) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(ph).join(", ")}) ON CONFLICT DO NOTHING`,
          [r.tenantId, r.id, r.type, r.state, r.subjectKey, ts(r.receivedAt), ts(r.deadlines.dueAt), r.version, requestToJson(r)],
        );
        if (n === 0) throw conflict(`Request ${r.id} already exists in tenant ${r.tenantId}.`);
      }),
    updateRequest: (request) =>
      guard(async () => {
        const r = validateRequest(request);
        const n = await x.run(
          `UPDATE dsr_requests SET type = ${ph(1)}, state = ${ph(2)}, subject_key = ${ph(3)}, received_at = ${ph(4)}, due_at = ${ph(5)}, version = ${ph(6)}, record = ${ph(7)} WHERE tenant_id = ${ph(8)} AND id = ${ph(9)} AND version = ${ph(10)}`,
          [r.type, r.state, r.subjectKey, ts(r.receivedAt), ts(r.deadlines.dueAt), r.version, requestToJson(r), r.tenantId, r.id, r.version - 1],
        );
        if (n === 1) return;
        const exists = await x.all(`SELECT version FROM dsr_requests WHERE tenant_id = ${ph(1)} AND id = ${ph(2)}`, [r.tenantId, r.id]);
        if (exists.length === 0) throw notFound(r.tenantId, r.id);
        throw conflict(`Request ${r.id} changed concurrently (stored version ${String(exists[0]!.version)}, expected ${r.version - 1}); reload and retry.`);
      }),
    getRequest: (tenantId, id) =>
      guard(async () => {
        const rows = await x.all(`SELECT record FROM dsr_requests WHERE tenant_id = ${ph(1)} AND id = ${ph(2)}`, [tenantId, id]);
        return rows[0] ? requestFromJson(rows[0].record) : undefined;
      }),
    listRequests: (tenantId, query: DsrRequestQuery = {}) =>
      guard(async () => {
        const where: string[] = [];
        const params: unknown[] = [];
        const add = (sql: (p: string) => string, value: unknown) => {
          params.push(value);
          where.push(sql(ph(params.length)));
        };
        add((p) => `tenant_id = ${p}`, tenantId);
        const inList = (col: string, values: readonly string[]) => {
          if (values.length === 0) {
            where.push("1 = 0");
            return;
          }
          const marks = values.map((v) => {
            params.push(v);
            return ph(params.length);
          });
          where.push(`${col} IN (${marks.join(", ")})`);
        };
        if (query.states) inList("state", query.states);
        if (query.types) inList("type", query.types);
        if (query.subjectKey !== undefined) add((p) => `subject_key = ${p}`, query.subjectKey);
        if (query.receivedFrom) add((p) => `received_at >= ${p}`, ts(query.receivedFrom));
        if (query.receivedBefore) add((p) => `received_at < ${p}`, ts(query.receivedBefore));
        if (query.dueBefore) add((p) => `due_at < ${p}`, ts(query.dueBefore));
        params.push(queryLimit(query));
        const rows = await x.all(`SELECT record FROM dsr_requests WHERE ${where.join(" AND ")} ORDER BY received_at, id LIMIT ${ph(params.length)}`, params);
        return rows.map((row) => requestFromJson(row.record));
      }),
    enqueueTasks: (tasks: readonly DsrTask[]) =>
      guard(() =>
        x.transaction(async () => {
          let added = 0;
          for (const t of tasks) {
            added += await x.run(
              `INSERT INTO dsr_tasks (id, tenant_id, request_id, idempotency_key, payload, status, attempts, max_attempts, available_at, created_at, updated_at) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(ph).join(", ")}) ON CONFLICT DO NOTHING`,
              [t.id, t.tenantId, t.requestId, t.idempotencyKey, json(t.payload), t.status, t.attempts, t.maxAttempts, ts(t.availableAt), ts(t.createdAt), ts(t.updatedAt)],
            );
          }
          return added;
        }),
      ),
    claimTasks: (input) => guard(async () => (await x.claim(input)).map(taskFromRow)),
    completeTask: ({ taskId, workerId, now, result }) =>
      guard(async () => {
        const n = await x.run(
          `UPDATE dsr_tasks SET status = 'done', result = ${ph(1)}, completed_at = ${ph(2)}, updated_at = ${ph(3)}, claimed_until = NULL WHERE id = ${ph(4)} AND status = 'claimed' AND claimed_by = ${ph(5)}`,
          [json(result ?? null), ts(now), ts(now), taskId, workerId],
        );
        return n === 1;
      }),
    failTask: ({ taskId, workerId, now, error, retryAt }) =>
      guard(async () => {
        const n = retryAt
          ? await x.run(
              `UPDATE dsr_tasks SET status = 'pending', last_error = ${ph(1)}, available_at = ${ph(2)}, updated_at = ${ph(3)}, claimed_until = NULL WHERE id = ${ph(4)} AND status = 'claimed' AND claimed_by = ${ph(5)}`,
              [error, ts(retryAt), ts(now), taskId, workerId],
            )
          : await x.run(
              `UPDATE dsr_tasks SET status = 'dead', last_error = ${ph(1)}, completed_at = ${ph(2)}, updated_at = ${ph(3)}, claimed_until = NULL WHERE id = ${ph(4)} AND status = 'claimed' AND claimed_by = ${ph(5)}`,
              [error, ts(now), ts(now), taskId, workerId],
            );
        return n === 1;
      }),
    listTasks: (tenantId, requestId) =>
      guard(async () => {
        const rows = await x.all(`SELECT * FROM dsr_tasks WHERE tenant_id = ${ph(1)} AND request_id = ${ph(2)} ORDER BY id`, [tenantId, requestId]);
        return rows.map((r) => taskFromRow(r as unknown as TaskRow));
      }),
    clearTaskResults: (tenantId, requestId) =>
      guard(() =>
        x.run(`UPDATE dsr_tasks SET result = NULL WHERE tenant_id = ${ph(1)} AND request_id = ${ph(2)} AND status IN ('done', 'dead') AND result IS NOT NULL`, [tenantId, requestId]),
      ),
    deleteRequest: (tenantId, requestId) =>
      guard(() =>
        x.transaction(async () => {
          await x.run(`DELETE FROM dsr_tasks WHERE tenant_id = ${ph(1)} AND request_id = ${ph(2)}`, [tenantId, requestId]);
          return (await x.run(`DELETE FROM dsr_requests WHERE tenant_id = ${ph(1)} AND id = ${ph(2)}`, [tenantId, requestId])) === 1;
        }),
      ),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}

