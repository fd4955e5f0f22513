import nodemailer from "nodemailer";
import type { Clock } from "@lawful/core";
import type { Job } from "./scheduler.js";
import type { Outbox, OutboxMessage } from "./outbox.js";

/**
 * One mail as the delivery job hands it to the transport.
 *
 * @example
 * ```ts
 * import type { OutgoingMail } from "./smtp.js";
 * const mail: OutgoingMail = { from: "privacy@example.com", to: "ada@example.com", subject: "Code", text: "123456", messageId: "<id@example.com>", headers: {} };
 * ```
 */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** A stable `Message-ID` per outbox message, so a receiver can drop a duplicate after a crash between send and mark. */
  messageId: string;
  headers: Record<string, string>;
}

/**
 * The seam between the delivery job and SMTP (nodemailer in production).
 *
 * @example
 * ```ts
 * import type { Mailer, OutgoingMail } from "./smtp.js";
 * const sent: OutgoingMail[] = [];
 * const memory: Mailer = { send: async (m) => void sent.push(m), close: () => undefined };
 * ```
 */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * A {@link Mailer} on nodemailer for `SMTP_URL` (`smtp://` upgrades with STARTTLS when offered, `smtps://` is TLS from the start).
 *
 * @example
 * ```ts
 * import { createSmtpMailer } from "./smtp.js";
 * const mailer = createSmtpMailer("smtp://127.0.0.1:2525");
 * mailer.close();
 * ```
 */
export function createSmtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId, headers: mail.headers });
    },
    close: () => transport.close(),
  };
}

/**
 * Retry delays after the 1st, 2nd, … failed attempt; after the last one the message is marked `failed`.
 *
 * @example
 * ```ts
 * import { SMTP_RETRY_DELAYS_MS } from "./smtp.js";
 * SMTP_RETRY_DELAYS_MS[0]; // 60000: the first retry after a minute
 * ```
 */
export const SMTP_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 3_600_000 * 3, 3_600_000 * 6, 3_600_000 * 12, 3_600_000 * 24];

/**
 * What one delivery pass did.
 *
 * @example
 * ```ts
 * import type { DeliveryResult } from "./smtp.js";
 * const idle: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
 * ```
 */
export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

/** The mail for an outbox message: plain text, `Auto-Submitted` (RFC 3834) since every kind is a transactional notice. */
function mailFor(message: OutboxMessage, from: string): OutgoingMail {
  const domain = /@([^\s@<>]+)>?$/.exec(from)?.[1] ?? "lawful.invalid";
  // none of the outbox kinds is marketing (double opt-in and verification mails are transactional), so no List-Unsubscribe
  return { from, to: message.to, subject: message.subject, text: message.body, messageId: `<${message.id}@${domain}>`, headers: { "Auto-Submitted": "auto-generated" } };
}

/** A code for the outbox row and logs: the error's code and SMTP reply code, never its message (it may quote addresses). */
function errorCode(error: unknown): { code: string; permanent: boolean } {
  const e = error as { code?: unknown; responseCode?: unknown; name?: unknown };
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const code = [typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error", reply].filter((p) => p !== undefined).join(" ");
  return { code, permanent: reply !== undefined && reply >= 500 && reply < 600 };
}

/**
 * Deliver due outbox messages once: claim them (leased, so several instances never send one twice), send
 * each by `mailer`, mark it `sent`; a temporary failure (connection, 4xx) queues it again after
 * {@link SMTP_RETRY_DELAYS_MS}, a permanent refusal (5xx) or the last retry marks it `failed`. Nothing is deleted.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { Outbox } from "./outbox.js";
 * import { createSmtpMailer, deliverOutbox } from "./smtp.js";
 * declare const outbox: Outbox;
 * const result = await deliverOutbox(outbox, createSmtpMailer("smtp://127.0.0.1:2525"), { from: "privacy@example.com", clock: systemClock });
 * ```
 */
export async function deliverOutbox(outbox: Outbox, mailer: Mailer, options: { from: string; clock: Clock; limit?: number; leaseMs?: number }): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  for (const message of await outbox.claimDue(options.limit ?? 50, options.leaseMs ?? 120_000)) {
    try {
      await mailer.send(mailFor(message, options.from));
    } catch (error) {
      const { code, permanent } = errorCode(error);
      const delay = permanent ? undefined : SMTP_RETRY_DELAYS_MS[message.attempts];
      await outbox.markAttemptFailed(message.id, code, delay === undefined ? undefined : new Date(options.clock.now().getTime() + delay));
      if (delay === undefined) result.failed++;
      else result.retried++;
      continue;
    }
    await outbox.markSent(message.id);
    result.sent++;
  }
  return result;
}

/**
 * The scheduler job `outbox-delivery` (every 10 seconds) that runs {@link deliverOutbox}.
 *
 * @example
 * ```ts
 * import { systemClock } from "@lawful/core";
 * import type { Outbox } from "./outbox.js";
 * import { createSmtpMailer, smtpDeliveryJob } from "./smtp.js";
 * declare const outbox: Outbox;
 * const job = smtpDeliveryJob(outbox, createSmtpMailer("smtp://127.0.0.1:2525"), { from: "privacy@example.com", clock: systemClock });
 * ```
 */
export function smtpDeliveryJob(outbox: Outbox, mailer: Mailer, options: { from: string; clock: Clock }): Job {
  return { name: "outbox-delivery", intervalMs: 10_000, leaseMs: 150_000, run: async () => void (await deliverOutbox(outbox, mailer, options)) };
}
