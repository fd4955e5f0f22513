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
  {
    version: 2,
    name: "outbox delivery status",
    sql: [
      "ALTER TABLE server_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'stored'",
      "ALTER TABLE server_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE server_outbox ADD COLUMN next_attempt_at TEXT",
      "ALTER TABLE server_outbox ADD COLUMN sent_at TEXT",
      "ALTER TABLE server_outbox ADD COLUMN last_error TEXT",
      "CREATE INDEX server_outbox_due ON server_outbox (status, next_attempt_at)",
    ],
  },
];

/**
 * Delivery states of an outbox message: `stored` (no mail transport configured: the table is the outbox),
 * `queued` (waiting for SMTP delivery or a retry), `sending` (claimed by a delivery job), `sent`, `failed`
 * (refused permanently or out of attempts; the message stays in the table for the operator).
 *
 * @example
 * ```ts
 * import { OUTBOX_STATUSES } from "./outbox.js";
 * OUTBOX_STATUSES.includes("sent"); // true
 * ```
 */
export const OUTBOX_STATUSES = ["stored", "queued", "sending", "sent", "failed"] as const;
/**
 * One of {@link OUTBOX_STATUSES}.
 *
 * @example
 * ```ts
 * import type { OutboxStatus } from "./outbox.js";
 * const pending: OutboxStatus[] = ["queued", "sending"];
 * ```
 */
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A queued message. */
export const OutboxMessageSchema = z.object({
  id: z.string(),
  kind: z.enum(["double_opt_in", "verification_code", "extension_notice", "request_update"]),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
  status: z.enum(OUTBOX_STATUSES),
  attempts: z.number().int(),
  sentAt: z.string().nullable(),
});
/** A queued message. */
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

type OutboxRow = { id: string; kind: OutboxMessage["kind"]; to_address: string; mail_subject: string; body: string; created_at: string; status: OutboxStatus; attempts: number; sent_at: string | null };
const COLUMNS = "id, kind, to_address, mail_subject, body, created_at, status, attempts, sent_at";
const toMessage = (r: OutboxRow): OutboxMessage => ({
  id: r.id,
  kind: r.kind,
  to: r.to_address,
  subject: r.mail_subject,
  body: r.body,
  createdAt: r.created_at,
  status: r.status,
  attempts: Number(r.attempts),
  sentAt: r.sent_at,
});

/**
 * The outbox of the mail transport. Without SMTP (`queue: false`) a message is only `stored`; with SMTP every
 * message is written `queued` in the same table and a delivery job (src/smtp.ts) claims, sends and marks it.
 *
 * @example
 * ```ts
 * import { createUuidV7Generator, systemClock } from "@lawful/core";
 * import type { Sql } from "./db.js";
 * import { createOutbox } from "./outbox.js";
 * declare const sql: Sql;
 * const outbox = createOutbox(sql, systemClock, createUuidV7Generator(), { queue: true });
 * await outbox.send("tenant-id", { kind: "verification_code", to: "ada@example.com", subject: "Your code", body: "123456" });
 * ```
 */
export function createOutbox(sql: Sql, clock: Clock, ids: IdGenerator, options: { queue?: boolean } = {}) {
  return {
    async send(tenantId: string, message: { kind: OutboxMessage["kind"]; to: string; subject: string; body: string; subjectPseudonym?: string | undefined }): Promise<OutboxMessage> {
      const now = clock.now().toISOString();
      const status: OutboxStatus = options.queue ? "queued" : "stored";
      const m: OutboxMessage = { id: ids(), kind: message.kind, to: message.to, subject: message.subject, body: message.body, createdAt: now, status, attempts: 0, sentAt: null };
      await sql.run("INSERT INTO server_outbox (id, tenant_id, subject_pseudonym, kind, to_address, mail_subject, body, created_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        m.id,
        tenantId,
        message.subjectPseudonym ?? null,
        m.kind,
        m.to,
        m.subject,
        m.body,
        m.createdAt,
        status,
        options.queue ? now : null,
      ]);
      return m;
    },
    async list(tenantId: string, limit = 100): Promise<OutboxMessage[]> {
      const rows = await sql.all<OutboxRow>(`SELECT ${COLUMNS} FROM server_outbox WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, [tenantId, limit]);
      return rows.map(toMessage);
    },
    /** Every message to a subject, oldest first. */
    async listForSubject(tenantId: string, subjectPseudonym: string): Promise<OutboxMessage[]> {
      const rows = await sql.all<OutboxRow>(`SELECT ${COLUMNS} FROM server_outbox WHERE tenant_id = ? AND subject_pseudonym = ? ORDER BY created_at, id`, [tenantId, subjectPseudonym]);
      return rows.map(toMessage);
    },
    /** Delete every message to a subject (erasure). */
    async eraseSubject(tenantId: string, subjectPseudonym: string): Promise<number> {
      return sql.run("DELETE FROM server_outbox WHERE tenant_id = ? AND subject_pseudonym = ?", [tenantId, subjectPseudonym]);
    },
    /**
     * Claim up to `limit` messages due for delivery (queued and due, or `sending` with an expired lease after a crash)
     * for `leaseMs`; a conditional UPDATE per message, so two instances never claim the same one.
     */
    async claimDue(limit: number, leaseMs: number): Promise<(OutboxMessage & { tenantId: string })[]> {
      const now = clock.now();
      const due = await sql.all<{ id: string; status: OutboxStatus; next_attempt_at: string }>(
        "SELECT id, status, next_attempt_at FROM server_outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        [now.toISOString(), limit],
      );
      const claimed: (OutboxMessage & { tenantId: string })[] = [];
      const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
      for (const d of due) {
        const won = await sql.run("UPDATE server_outbox SET status = 'sending', next_attempt_at = ? WHERE id = ? AND status = ? AND next_attempt_at = ?", [leaseUntil, d.id, d.status, d.next_attempt_at]);
        if (won !== 1) continue;
        const row = await sql.get<OutboxRow & { tenant_id: string }>(`SELECT ${COLUMNS}, tenant_id FROM server_outbox WHERE id = ?`, [d.id]);
        if (row) claimed.push({ ...toMessage(row), tenantId: row.tenant_id });
      }
      return claimed;
    },
    /** Mark a claimed message sent. */
    async markSent(id: string): Promise<void> {
      await sql.run("UPDATE server_outbox SET status = 'sent', sent_at = ?, next_attempt_at = NULL, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'sending'", [clock.now().toISOString(), id]);
    },
    /** Record a failed attempt: queued again at `retryAt`, or `failed` for good when `retryAt` is undefined. `error` is a code, never a message text. */
    async markAttemptFailed(id: string, error: string, retryAt: Date | undefined): Promise<void> {
      await sql.run("UPDATE server_outbox SET status = ?, next_attempt_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'sending'", [
        retryAt ? "queued" : "failed",
        retryAt ? retryAt.toISOString() : null,
        error.slice(0, 200),
        id,
      ]);
    },
  };
}
/** The outbox. */
export type Outbox = ReturnType<typeof createOutbox>;
