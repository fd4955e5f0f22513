import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFixedClock } from "@lawful/core";
import { createRecipientNotifier, signWebhookBody, type RecipientNotice } from "./notifier.js";

const notice = (channel: "webhook" | "email" | "manual", endpoint?: string): RecipientNotice => ({
  tenantId: "acme",
  requestId: "r1",
  recipient: { id: "mailer", name: "Mailer", channel, categories: ["contact.email"], ...(endpoint ? { endpoint } : {}) },
  event: "erasure",
  categories: ["contact.email"],
  subject: { kind: "email", value: "a@example.com" },
  idempotencyKey: "acme:r1:notify:mailer:erasure",
});

describe("createRecipientNotifier", () => {
  const secret = new Uint8Array(32).fill(4);

  it("notify - posts a signed webhook with the idempotency key; 2xx confirms, other answers throw for a retry", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    let status = 204;
    const fetchStub = ((url: string, init: RequestInit) => {
      calls.push({ url, init });
      return Promise.resolve(new Response(null, { status }));
    }) as unknown as typeof fetch;
    const n = createRecipientNotifier({ webhook: { secret, fetch: fetchStub }, clock: createFixedClock("2025-03-05T10:00:00Z") });
    expect(await n.notify(notice("webhook", "https://mailer.example/dsr"))).toEqual({ status: "confirmed", reference: "http-204" });
    const headers = calls[0]!.init.headers as Record<string, string>;
    const body = calls[0]!.init.body as string;
    const t = 1741168800;
    expect(headers["x-lawful-signature"]).toBe(`t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`);
    expect(headers["x-lawful-signature"]).toBe(signWebhookBody(secret, t, body));
    expect(headers["idempotency-key"]).toBe("acme:r1:notify:mailer:erasure");
    status = 500;
    await expect(n.notify(notice("webhook", "https://mailer.example/dsr"))).rejects.toThrow(/HTTP 500/);
  });

  it("notify - e-mail and manual recipients wait for confirmation; a recipient without an endpoint is skipped with a reason", async () => {
    const sent: string[] = [];
    const n = createRecipientNotifier({ email: { send: (m) => Promise.resolve(void sent.push(m.to)) } });
    expect(await n.notify(notice("email", "privacy@mailer.example"))).toMatchObject({ status: "pending_confirmation" });
    expect(sent).toEqual(["privacy@mailer.example"]);
    expect(await n.notify(notice("manual"))).toEqual({ status: "pending_confirmation" });
    expect(await n.notify(notice("email"))).toMatchObject({ status: "skipped", reason: "impossible" });
    await expect(createRecipientNotifier().notify(notice("webhook", "https://x.example"))).rejects.toMatchObject({ code: "INVALID_CONFIGURATION" });
  });
});
