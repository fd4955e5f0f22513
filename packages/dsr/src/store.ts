import * as z from "zod";
import type { DsrRequest, DsrRequestType, DsrState } from "./model.js";

/**
 * Schema of the payload of a queued task: an operation on one data source, or a notification to
 * one recipient (Art. 19).
 *
 * @example
 * ```ts
 * import { DsrTaskPayloadSchema } from "@lawful/dsr";
 * DsrTaskPayloadSchema.parse({ kind: "source", sourceId: "crm", operation: "export" });
 * ```
 */
export const DsrTaskPayloadSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("source"),
    sourceId: z.string().min(1).max(128),
    operation: z.enum(["locate", "export", "rectify", "erase", "restrict", "lift_restriction"]),
    categories: z.array(z.string()).optional(),
    eraseCategories: z.array(z.string()).optional(),
    restrictCategories: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal("notify_recipient"),
    recipient: z.object({
      id: z.string().min(1).max(256),
      name: z.string().min(1).max(512),
      channel: z.enum(["webhook", "email", "manual"]),
      endpoint: z.string().max(2048).optional(),
      categories: z.array(z.string()),
      country: z.string().max(8).optional(),
      role: z.enum(["processor", "sub_processor", "controller", "third_party", "service_provider", "contractor"]).optional(),
    }),
    event: z.enum(["erasure", "rectification", "restriction", "restriction_lift"]),
    categories: z.array(z.string()),
  }),
]);

/**
 * The payload of a queued task.
 *
 * @example
 * ```ts
 * import type { DsrTaskPayload } from "@lawful/dsr";
 * const p: DsrTaskPayload = {
 *   kind: "notify_recipient", event: "erasure", categories: ["contact.email"],
 *   recipient: { id: "mailer", name: "Mailer Inc.", channel: "manual", categories: ["contact.email"] },
 * };
 * ```
 */
export type DsrTaskPayload = z.infer<typeof DsrTaskPayloadSchema>;

/**
 * Task status: `pending` (waiting, maybe for its retry time), `claimed` (a worker holds the lease),
 * `done`, or `dead` (retries exhausted).
 *
 * @example
 * ```ts
 * import type { DsrTaskStatus } from "@lawful/dsr";
 * const s: DsrTaskStatus = "dead";
 * ```
 */
export type DsrTaskStatus = "pending" | "claimed" | "done" | "dead";

/**
 * One unit of fan-out work in the durable queue.
 *
 * @example
 * ```ts
 * import type { DsrTask } from "@lawful/dsr";
 * const finished = (t: DsrTask) => t.status === "done" || t.status === "dead";
 * ```
 */
export interface DsrTask {
  id: string;
  tenantId: string;
  requestId: string;
  /** Unique per queue; enqueuing the same key twice adds nothing. */
  idempotencyKey: string;
  payload: DsrTaskPayload;
  status: DsrTaskStatus;
  attempts: number;
  maxAttempts: number;
  availableAt: Date;
  claimedBy?: string | undefined;
  claimedUntil?: Date | undefined;
  result?: unknown;
  lastError?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date | undefined;
}

/**
 * A query over a tenant's requests; every given filter must match.
 *
 * @example
 * ```ts
 * import type { DsrRequestQuery } from "@lawful/dsr";
 * const q: DsrRequestQuery = { states: ["received", "verified"], dueBefore: new Date() };
 * ```
 */
export interface DsrRequestQuery {
  states?: readonly DsrState[] | undefined;
  types?: readonly DsrRequestType[] | undefined;
  subjectKey?: string | undefined;
  receivedFrom?: Date | undefined;
  /** Exclusive. */
  receivedBefore?: Date | undefined;
  /** Binding deadline strictly before this instant. */
  dueBefore?: Date | undefined;
  limit?: number | undefined;
}

/**
 * What a {@link DsrStore} guarantees.
 *
 * @example
 * ```ts
 * import type { DsrStoreCapabilities } from "@lawful/dsr";
 * const caps: DsrStoreCapabilities = { durable: true, multiProcessWorkers: true };
 * ```
 */
export interface DsrStoreCapabilities {
  /** Data survive a process restart. */
  readonly durable: boolean;
  /** Several processes may work the queue at once (PostgreSQL `FOR UPDATE SKIP LOCKED`). */
  readonly multiProcessWorkers: boolean;
}

/**
 * Persistence of requests and the fan-out task queue. Requests are written with optimistic
 * concurrency (`version`); tasks are claimed with a lease and completed only by the lease owner.
 *
 * @example
 * ```ts
 * import { createMemoryDsrStore } from "@lawful/dsr/memory";
 * import type { DsrStore } from "@lawful/dsr";
 * const store: DsrStore = createMemoryDsrStore();
 * ```
 */
export interface DsrStore {
  readonly name: string;
  readonly capabilities: DsrStoreCapabilities;
  /** @throws DsrError `CONFLICT` when the id exists. */
  insertRequest(request: DsrRequest): Promise<void>;
  /** Replace a request whose stored version is `request.version - 1`. @throws DsrError `CONFLICT` on a version mismatch, `NOT_FOUND`. */
  updateRequest(request: DsrRequest): Promise<void>;
  /** The request, or `undefined`. */
  getRequest(tenantId: string, id: string): Promise<DsrRequest | undefined>;
  /** Ordered by `receivedAt`, then id. */
  listRequests(tenantId: string, query?: DsrRequestQuery): Promise<DsrRequest[]>;
  /** Add tasks; a task whose idempotency key exists is skipped. Returns how many were added. */
  enqueueTasks(tasks: readonly DsrTask[]): Promise<number>;
  /** Claim up to `limit` tasks that are pending and available, or claimed with an expired lease. */
  claimTasks(input: { workerId: string; limit: number; now: Date; leaseMs: number }): Promise<DsrTask[]>;
  /** Mark done if `workerId` still owns the claim. Returns false otherwise. */
  completeTask(input: { taskId: string; workerId: string; now: Date; result: unknown }): Promise<boolean>;
  /** Record a failure if `workerId` still owns the claim: back to pending at `retryAt`, or dead when `retryAt` is undefined. */
  failTask(input: { taskId: string; workerId: string; now: Date; error: string; retryAt?: Date | undefined }): Promise<boolean>;
  /** The tasks of one request, in id order. */
  listTasks(tenantId: string, requestId: string): Promise<DsrTask[]>;
  /**
   * Drop the results of a request's finished (done or dead) tasks: once its subject is erased they must
   * go, because an export task's result is a copy of the person's data. Returns how many were cleared.
   * Optional: a store without it keeps the results.
   */
  clearTaskResults?(tenantId: string, requestId: string): Promise<number>;
  /**
   * Delete a request and its tasks for good, in one transaction: its retention period ended. Returns
   * false when the tenant has no such request. The service only deletes closed requests.
   * Optional: a store without it keeps requests forever.
   */
  deleteRequest?(tenantId: string, requestId: string): Promise<boolean>;
  /** Idempotent. */
  close(): Promise<void>;
}
