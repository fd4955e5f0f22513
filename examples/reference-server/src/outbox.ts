import * as z from "zod";
import type { Clock, IdGenerator, Migration } from "@lawful/core";
import type { Sql } from "./db.js";

/** The built-in mail transport: messages are kept in a table an operator can read (`GET /v1/outbox`). */
export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "outbox",
    sql: [
      "CREATE TABLE server_outbox (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, subject_pseudonym TEXT, kind TEXT NOT NULL, to_address TEXT NOT NULL, mail_subject TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)",
      "CREATE INDEX server_outbox_tenant ON server_outbox (tenant_id, created_at)",
      "CREATE INDEX server_outbox_subject ON server_outbox (tenant_id, subject_pseudonym)",
    ],
  },
];

/** A queued message. */
export const OutboxMessageSchema = z.object({
  id: z.string(),
  kind: z.enum(["double_opt_in", "verification_code", "extension_notice", "request_update"]),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
/** A queued message. */
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

/** The outbox of the built-in mail transport. */
export function createOutbox(sql: Sql, clock: Clock, ids: IdGenerator) {
  return {
    async send(tenantId: string, message: { kind: OutboxMessage["kind"]; to: string; subject: string; body: string; subjectPseudonym?: string | undefined }): Promise<OutboxMessage> {
      const m: OutboxMessage = { id: ids(), kind: message.kind, to: message.to, subject: message.subject, body: message.body, createdAt: clock.now().toISOString() };
      await sql.run("INSERT INTO server_outbox (id, tenant_id, subject_pseudonym, kind, to_address, mail_subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        m.id,
        tenantId,
        message.subjectPseudonym ?? null,
        m.kind,
        m.to,
        m.subject,
        m.body,
        m.createdAt,
      ]);
      return m;
    },
    async list(tenantId: string, limit = 100): Promise<OutboxMessage[]> {
      const rows = await sql.all<{ id: string; kind: OutboxMessage["kind"]; to_address: string; mail_subject: string; body: string; created_at: string }>(
        "SELECT id, kind, to_address, mail_subject, body, created_at FROM server_outbox WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [tenantId, limit],
      );
      return rows.map((r) => ({ id: r.id, kind: r.kind, to: r.to_address, subject: r.mail_subject, body: r.body, createdAt: r.created_at }));
    },
    /** Every message to a subject, oldest first. */
    async listForSubject(tenantId: string, subjectPseudonym: string): Promise<OutboxMessage[]> {
      const rows = await sql.all<{ id: string; kind: OutboxMessage["kind"]; to_address: string; mail_subject: string; body: string; created_at: string }>(
        "SELECT id, kind, to_address, mail_subject, body, created_at FROM server_outbox WHERE tenant_id = ? AND subject_pseudonym = ? ORDER BY created_at, id",
        [tenantId, subjectPseudonym],
      );
      return rows.map((r) => ({ id: r.id, kind: r.kind, to: r.to_address, subject: r.mail_subject, body: r.body, createdAt: r.created_at }));
    },
    /** Delete every message to a subject (erasure). */
    async eraseSubject(tenantId: string, subjectPseudonym: string): Promise<number> {
      return sql.run("DELETE FROM server_outbox WHERE tenant_id = ? AND subject_pseudonym = ?", [tenantId, subjectPseudonym]);
    },
  };
}
/** The outbox. */
export type Outbox = ReturnType<typeof createOutbox>;
