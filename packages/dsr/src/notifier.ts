import { createHmac } from "node:crypto";
import { ERROR_CODES, systemClock, type Clock, type SubjectRef } from "@lawful/core";
import { DsrError } from "./errors.js";
import type { Recipient } from "./ports.js";

/**
 * What a recipient is told: which request, what happened (erasure, rectification, restriction or
 * its lifting), for which categories and which person.
 *
 * @example
 * ```ts
 * import type { RecipientNotice } from "@lawful/dsr";
 * declare const notice: RecipientNotice;
 * notice.event; // "erasure"
 * ```
 */
export interface RecipientNotice {
  tenantId: string;
  requestId: string;
  recipient: Recipient;
  event: "erasure" | "rectification" | "restriction" | "restriction_lift";
  categories: readonly string[];
  subject: SubjectRef;
  idempotencyKey: string;
}

/**
 * The outcome of one notification: confirmed by the recipient, sent and awaiting confirmation, or
 * skipped with a recorded reason (Art. 19: impossible or disproportionate effort). Throw to retry.
 *
 * @example
 * ```ts
 * import type { RecipientNotifyResult } from "@lawful/dsr";
 * const r: RecipientNotifyResult = { status: "skipped", reason: "impossible", explanation: "The recipient no longer exists." };
 * ```
 */
export type RecipientNotifyResult =
  | { status: "confirmed"; reference?: string | undefined }
  | { status: "pending_confirmation"; reference?: string | undefined }
  | { status: "skipped"; reason: "impossible" | "disproportionate"; explanation: string };

/**
 * Tells recipients about rectification, erasure and restriction (GDPR Art. 19, CCPA
 * §1798.105(c)). Must be idempotent per `notice.idempotencyKey`.
 *
 * @example
 * ```ts
 * import type { RecipientNotifier } from "@lawful/dsr";
 * const manual: RecipientNotifier = { notify: async () => ({ status: "pending_confirmation" }) };
 * ```
 */
export interface RecipientNotifier {
  /** Tell one recipient; throw to have the task retried with backoff. */
  notify(notice: RecipientNotice): Promise<RecipientNotifyResult>;
}

/**
 * Options of {@link createRecipientNotifier}.
 *
 * @example
 * ```ts
 * import type { RecipientNotifierOptions } from "@lawful/dsr";
 * const o: RecipientNotifierOptions = { webhook: { secret: new Uint8Array(32) } };
 * ```
 */
export interface RecipientNotifierOptions {
  /** Signed webhooks: `x-lawful-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
  webhook?:
    | {
        /** HMAC key for the signature header. */
        secret: Uint8Array;
        /** @default globalThis.fetch */
        fetch?: typeof fetch | undefined;
      }
    | undefined;
  /** E-mail to the recipient's privacy contact; confirmation is recorded later. */
  email?:
    | {
        /** Send one message (idempotent per `idempotencyKey`). */
        send(message: { to: string; subject: string; text: string; idempotencyKey: string }): Promise<void>;
      }
    | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
}

/**
 * Sign a webhook body the way {@link createRecipientNotifier} does, for recipients to check.
 *
 * @example
 * ```ts
 * import { signWebhookBody } from "@lawful/dsr";
 * signWebhookBody(new Uint8Array(32), 1700000000, "{}"); // "t=1700000000,v1=…"
 * ```
 */
export function signWebhookBody(secret: Uint8Array, unixSeconds: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`, "utf8").digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * A {@link RecipientNotifier} that dispatches on `recipient.channel`: a signed webhook (a 2xx
 * answer counts as confirmation; anything else throws so the task is retried), an e-mail (pending
 * confirmation) or manual (pending confirmation, for an operator to confirm with
 * `dsr.confirmRecipientNotification`).
 *
 * @throws DsrError `INVALID_CONFIGURATION` when a recipient uses a channel that is not configured.
 * @example
 * ```ts
 * import { createRecipientNotifier } from "@lawful/dsr";
 * const notifier = createRecipientNotifier({ webhook: { secret: new Uint8Array(32).fill(7) } });
 * ```
 */
export function createRecipientNotifier(options: RecipientNotifierOptions = {}): RecipientNotifier {
  const clock = options.clock ?? systemClock;
  return Object.freeze({
    async notify(notice: RecipientNotice): Promise<RecipientNotifyResult> {
      const { recipient } = notice;
      if (recipient.channel === "manual") return { status: "pending_confirmation" };
      if (!recipient.endpoint) return { status: "skipped", reason: "impossible", explanation: `Recipient ${recipient.id} has no ${recipient.channel} endpoint on record.` };
      if (recipient.channel === "webhook") {
        if (!options.webhook) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, "A webhook recipient needs createRecipientNotifier({ webhook }).");
        const body = JSON.stringify({
          type: "lawful.dsr.recipient_notice",
          event: notice.event,
          requestId: notice.requestId,
          categories: notice.categories,
          subject: notice.subject,
          idempotencyKey: notice.idempotencyKey,
        });
        const t = Math.floor(clock.now().getTime() / 1000);
        const res = await (options.webhook.fetch ?? fetch)(recipient.endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": notice.idempotencyKey, "x-lawful-signature": signWebhookBody(options.webhook.secret, t, body) },
          body,
        });
        if (!res.ok) throw new DsrError(ERROR_CODES.STORE_FAILED, `Recipient ${recipient.id} answered HTTP ${res.status}; will retry.`);
        return { status: "confirmed", reference: `http-${res.status}` };
      }
      if (!options.email) throw new DsrError(ERROR_CODES.INVALID_CONFIGURATION, "An e-mail recipient needs createRecipientNotifier({ email }).");
      await options.email.send({
        to: recipient.endpoint,
        subject: `Data-subject request ${notice.requestId}: ${notice.event}`,
        text: `Please apply the ${notice.event} of request ${notice.requestId} to the categories ${notice.categories.join(", ")} and confirm. Reference: ${notice.idempotencyKey}`,
        idempotencyKey: notice.idempotencyKey,
      });
      return { status: "pending_confirmation", reference: notice.idempotencyKey };
    },
  });
}
