import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import type { AuditLog } from "@lawful/audit";
import { LawfulError } from "@lawful/core";
import { verificationJson } from "../audit-status.js";
import { requireScope, type AppEnv } from "../http/app.js";
import { apiKeySecurity as security, errorResponses, JsonObject as Json } from "../http/route-kit.js";
import { parseSubjectParam } from "./consent.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/**
 * The tenant's log with its checkpoints as NDJSON lines, each ending with a newline: what `GET /v1/audit/export`
 * streams and `lawful audit export` writes; verify it offline with `verifyExport` from `@lawful/audit`.
 *
 * @example
 * ```ts
 * import type { AuditLog } from "@lawful/audit";
 * import { auditExportLines } from "./audit.js";
 * declare const audit: AuditLog;
 * for await (const line of auditExportLines(audit, "tenant-id")) process.stdout.write(line);
 * ```
 */
export async function* auditExportLines(audit: AuditLog, tenantId: string): AsyncGenerator<string> {
  for await (const line of audit.export(tenantId)) yield line.endsWith("\n") ? line : `${line}\n`;
}

/** Operator routes of the audit log: query, verify, checkpoints, inclusion proofs, export. */
export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, deps: { audit: AuditLog; verifierKey: string; previousVerifierKeys?: readonly string[] }): void {
  const { audit } = deps;
  app.use("/v1/audit/*", requireScope("audit"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit/events",
      tags: ["audit"],
      summary: "Query the tenant's audit log by subject, actor, action prefix, target and time (cursor pages, sequence order)",
      security,
      request: {
        query: z.object({
          subject: z.string().min(3).max(1100).optional().describe("kind:value; matched through its pseudonym"),
          actor: z.string().min(1).max(256).optional(),
          action: z.string().min(1).max(128).optional().describe("an action or namespace, e.g. data or consent.withdrawn"),
          targetSystem: z.string().min(1).max(128).optional(),
          targetRecordType: z.string().min(1).max(128).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          cursor: z.string().max(32).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: { 200: { description: "One page of events", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await audit.query(c.get("principal").tenant.id, {
        ...(q.subject ? { subject: parseSubjectParam(q.subject) as { kind: string; value: string } } : {}),
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.action ? { actionPrefix: q.action } : {}),
        ...(q.targetSystem ? { targetSystem: q.targetSystem } : {}),
        ...(q.targetRecordType ? { targetRecordType: q.targetRecordType } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit ?? 100,
      });
      return c.json(page, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit/verify",
      tags: ["audit"],
      summary: "Verify the whole log against its signed checkpoints now (it rehashes every event); names the first bad event and why. The root hash is base64",
      security,
      responses: { 200: { description: "The verification report", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => c.json(verificationJson(await audit.verify(c.get("principal").tenant.id)), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit/checkpoints/latest",
      tags: ["audit"],
      summary: "The latest signed checkpoint (C2SP signed note) and the key to verify it with",
      security,
      responses: { 200: { description: "The checkpoint", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const cp = await audit.store.latestCheckpoint(c.get("principal").tenant.id);
      if (!cp) throw new LawfulError("NOT_FOUND", "No checkpoint yet: create one with POST /v1/audit/checkpoints.");
      return c.json({ treeSize: cp.treeSize, rootHash: b64(cp.rootHash), note: cp.note, createdAt: cp.createdAt, verifierKey: deps.verifierKey, previousVerifierKeys: deps.previousVerifierKeys ?? [] }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/audit/checkpoints",
      tags: ["audit"],
      summary: "Sign a checkpoint of the log now (they are also written every 1,000 events or 5 minutes)",
      security,
      responses: { 201: { description: "The checkpoint", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const cp = await audit.checkpoint(c.get("principal").tenant.id);
      return c.json({ treeSize: cp.treeSize, rootHash: b64(cp.rootHash), note: cp.note, createdAt: cp.createdAt, verifierKey: deps.verifierKey, previousVerifierKeys: deps.previousVerifierKeys ?? [] }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit/events/{id}/proof",
      tags: ["audit"],
      summary: "Inclusion proof (RFC 6962) of the event with this sequence number in the tree of the latest checkpoint",
      security,
      request: { params: z.object({ id: z.coerce.number().int().min(0).describe("the event's sequence number") }) },
      responses: { 200: { description: "The proof and the checkpoint it is relative to", content: { "application/json": { schema: Json } } }, ...errorResponses },
    }),
    async (c) => {
      const tenantId = c.get("principal").tenant.id;
      const sequence = c.req.valid("param").id;
      if (sequence >= (await audit.size(tenantId))) throw new LawfulError("NOT_FOUND", "This tenant's log has no event with that sequence number.");
      const cp = await audit.store.latestCheckpoint(tenantId);
      if (!cp || cp.treeSize <= sequence) {
        throw new LawfulError("CONFLICT", "No signed checkpoint covers this event yet: create one with POST /v1/audit/checkpoints.");
      }
      const proof = await audit.inclusionProof(tenantId, sequence, cp.treeSize);
      return c.json({ sequence, treeSize: proof.treeSize, leafHash: b64(proof.leafHash), proof: proof.proof.map(b64), checkpoint: cp.note }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/audit/export",
      tags: ["audit"],
      summary: "The log with its checkpoints as NDJSON, for offline verification with `lawful-audit verify`",
      security,
      responses: { 200: { description: "NDJSON", content: { "application/x-ndjson": { schema: z.string() } } }, ...errorResponses },
    }),
    (c) => {
      const tenantId = c.get("principal").tenant.id;
      c.header("content-type", "application/x-ndjson");
      c.header("content-disposition", `attachment; filename="audit-${c.get("principal").tenant.slug}.ndjson"`);
      return stream(c, async (s) => {
        for await (const line of auditExportLines(audit, tenantId)) await s.write(line);
      }) as never;
    },
  );
}
