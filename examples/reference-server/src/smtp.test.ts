import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { SMTPServer } from "smtp-server";
import type { Clock } from "@lawful/core";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { ConfigError, loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";
import { caller } from "./test-harness.js";

interface Received {
  to: string[];
  raw: string;
}

describe("SMTP delivery of the outbox", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let smtp: SMTPServer;
  let key: string;
  let admin: string;
  let logs = "";
  const received: Received[] = [];
  let refuse: number | undefined; // SMTP reply code for RCPT TO while set
  let now = new Date("2026-03-02T09:00:00Z");
  const clock: Clock = { now: () => now };
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const call = caller(() => lawful);
  const outbox = async () => ((await (await call("/v1/outbox", { key: admin })).json()) as { items: { to: string; status: string; attempts: number; sentAt: string | null; kind: string }[] }).items;
  const signUp = async (email: string) => {
    const res = await call("/p/acme/forms/digest/submit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, digest: true }) });
    expect(res.status, await res.clone().text()).toBe(201);
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refuse === undefined) return callback();
        const error = Object.assign(new Error(refuse >= 500 ? "No such mailbox" : "Try again later"), { responseCode: refuse });
        callback(error);
      },
      onData(stream, session, callback) {
        let raw = "";
        stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
        stream.on("end", () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    file = createTestSqliteFile("smtp.db");
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    lawful = await createLawful(
      loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "debug", SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "Acme Privacy <privacy@acme.example>" }),
      { clock, logger: pino({ level: "debug" }, sink) },
    );
    const t = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    key = (await lawful.tenants.createKey(t.id, { name: "k", scopes: ["consent"] })).secret;
    admin = (await lawful.tenants.createKey(t.id, { name: "a", scopes: ["admin"] })).secret;
    await call("/v1/purposes", { method: "POST", key, json: { id: "digest", name: "Weekly digest", channel: "email", lawfulBasis: "consent", regime: "EU", doubleOptIn: true } });
    await call("/v1/notices", {
      method: "POST",
      key,
      json: { noticeId: "digest-signup", version: 1, locale: "en", contentType: "text/plain", content: "Acme GmbH e-mails you a weekly digest.", controllers: [{ name: "Acme GmbH" }], purposes: ["digest"], dataCategories: ["contact.email"], withdrawalInfo: "Unsubscribe link in every e-mail." },
    });
    await call("/v1/forms", { method: "POST", key, json: { id: "digest", notice: { noticeId: "digest-signup", version: 1 }, fields: [{ purposeId: "digest", fieldName: "digest", label: "Weekly digest" }] } });
  });
  afterAll(async () => {
    await lawful?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    file?.cleanup();
  });

  it("config - SMTP_URL must be smtp:// or smtps:// and needs MAIL_FROM; the error names the variable", () => {
    expect(() => loadConfig({ SMTP_URL: "https://mail.example.com", MAIL_FROM: "a@example.com" })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadConfig({ SMTP_URL: "smtps://mail.example.com:465" })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: "smtps://mail.example.com:465" })).toThrow(/MAIL_FROM/);
  });

  it("a double opt-in mail is queued, delivered once by the outbox-delivery job with the right headers, and recorded as sent", async () => {
    await signUp("cleo@example.com");
    expect((await outbox())[0]).toMatchObject({ kind: "double_opt_in", status: "queued", attempts: 0 });
    const ran = await lawful.scheduler.tick();
    expect(ran).toContain("outbox-delivery");
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.to).toEqual(["cleo@example.com"]);
    expect(mail.raw).toMatch(/^From: Acme Privacy <privacy@acme\.example>\r?$/m);
    expect(mail.raw).toMatch(/^To: cleo@example\.com\r?$/m);
    expect(mail.raw).toMatch(/^Subject: .+$/m);
    expect(mail.raw).toMatch(/^Message-ID: <[0-9a-f-]+@acme\.example>\r?$/im);
    expect(mail.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
    expect(mail.raw).not.toMatch(/^List-Unsubscribe:/m); // a confirmation request, not marketing
    expect(mail.raw).toMatch(/\/p\/acme\/confirm\?token=/);
    expect((await outbox())[0]).toMatchObject({ status: "sent", attempts: 1 });
    expect((await outbox())[0]!.sentAt).toBe(now.toISOString());
    advance(11_000);
    await lawful.scheduler.tick();
    expect(received).toHaveLength(1); // no duplicate send
  });

  it("a temporary refusal (451) is retried after the backoff, exactly once delivered; nothing personal is logged", async () => {
    refuse = 451;
    await signUp("dan@example.com");
    advance(11_000);
    await lawful.scheduler.tick();
    expect((await outbox()).find((m) => m.to === "dan@example.com")).toMatchObject({ status: "queued", attempts: 1 });
    refuse = undefined;
    advance(11_000);
    await lawful.scheduler.tick(); // the job runs, but the retry is not due before 60 s
    expect(received.filter((m) => m.to.includes("dan@example.com"))).toHaveLength(0);
    advance(60_000);
    await lawful.scheduler.tick();
    expect(received.filter((m) => m.to.includes("dan@example.com"))).toHaveLength(1);
    expect((await outbox()).find((m) => m.to === "dan@example.com")).toMatchObject({ status: "sent", attempts: 2 });
    advance(3_600_000);
    await lawful.scheduler.tick();
    expect(received.filter((m) => m.to.includes("dan@example.com"))).toHaveLength(1);
    expect(logs).not.toContain("@example.com");
    expect(logs).not.toContain("confirm?token");
  });

  it("a message left 'sending' by a crashed instance is delivered once its lease has expired", async () => {
    await signUp("fay@example.com");
    // as if an instance claimed it and died before sending
    await lawful.db.sql.run("UPDATE server_outbox SET status = 'sending', next_attempt_at = ? WHERE to_address = ?", [new Date(now.getTime() + 120_000).toISOString(), "fay@example.com"]);
    advance(11_000);
    await lawful.scheduler.tick();
    expect(received.filter((m) => m.to.includes("fay@example.com"))).toHaveLength(0); // lease still held
    advance(120_000);
    await lawful.scheduler.tick();
    expect(received.filter((m) => m.to.includes("fay@example.com"))).toHaveLength(1);
    expect((await outbox()).find((m) => m.to === "fay@example.com")).toMatchObject({ status: "sent" });
  });

  it("a permanent refusal (550) marks the message failed without retrying, and keeps it in the outbox", async () => {
    refuse = 550;
    await signUp("eve@example.com");
    advance(11_000);
    await lawful.scheduler.tick();
    refuse = undefined;
    const failed = (await outbox()).find((m) => m.to === "eve@example.com");
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    const row = await lawful.db.sql.get<{ last_error: string }>("SELECT last_error FROM server_outbox WHERE to_address = ?", ["eve@example.com"]);
    expect(row?.last_error).toMatch(/550/);
    expect(row?.last_error).not.toContain("eve@");
    advance(24 * 3_600_000);
    await lawful.scheduler.tick();
    expect(received.filter((m) => m.to.includes("eve@example.com"))).toHaveLength(0);
  });
});
