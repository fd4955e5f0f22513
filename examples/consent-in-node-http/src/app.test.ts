import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { configureSqlite, createMemoryAuditSink } from "@lawful/core";
import { createApp } from "./app.js";
import { TENANT, randomConsentKeys, setupConsent } from "./consent-setup.js";

const dir = mkdtempSync(join(tmpdir(), "lawful-consent-http-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = "internal-test-token";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function startApp() {
  const db = new Database(join(dir, `app-${Math.random().toString(36).slice(2)}.db`));
  configureSqlite(db);
  const audit = createMemoryAuditSink();
  const consent = await setupConsent({ database: db, keys: randomConsentKeys(), audit });
  const mails: { to: string; link: string }[] = [];
  const server = createApp({
    consent,
    publicOrigin: "https://kiezbuch.example",
    internalToken: TOKEN,
    sendConfirmation: (to, link) => Promise.resolve(void mails.push({ to, link })),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  );
  const postForm = (fields: Record<string, string>) =>
    fetch(`${base}/signup`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "Mozilla/5.0 (test)" },
      body: new URLSearchParams(fields).toString(),
    });
  const decide = (email: string, purposeId: string, token = TOKEN) =>
    fetch(`${base}/internal/consent/decision`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ email, purposeId }),
    });
  return { base, consent, audit, mails, postForm, decide };
}

describe("example: consent capture and decisions in a plain node:http app", () => {
  it("GET /signup - renders every box unticked with the notice, and the app's own routes still answer", async () => {
    const { base } = await startApp();
    const page = await (await fetch(`${base}/signup`)).text();
    expect(page).toContain('name="newsletter" value="yes">');
    expect(page).not.toMatch(/checked/);
    expect(page).toContain("Kiezbuch Buchhandlung GmbH");
    expect(page).toContain('name="notice_version" value="1"');
    expect((await fetch(`${base}/healthz`)).status).toBe(204);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  it("POST /signup - records each box, sends the double opt-in link, and decide() follows the confirmation", async () => {
    const { base, consent, audit, mails, postForm, decide } = await startApp();
    const res = await postForm({ email: "Mia.Krause@Example.com", newsletter: "yes", notice_version: "1" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Please confirm");

    // newsletter: double opt-in pending; readings: the box was left empty, so refused
    const pending = (await (await decide("mia.krause@example.com", "newsletter")).json()) as Record<string, unknown>;
    expect(pending).toMatchObject({ allowed: false, reason: "pending_confirmation", purposeId: "newsletter" });
    expect(await (await decide("mia.krause@example.com", "readings")).json()).toMatchObject({ allowed: false, reason: "refused" });

    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe("Mia.Krause@Example.com");
    const link = new URL(mails[0]!.link);
    expect(link.origin + link.pathname).toBe("https://kiezbuch.example/signup/confirm");
    const confirmed = await fetch(`${base}${link.pathname}${link.search}`);
    expect(confirmed.status).toBe(200);

    const allowed = (await (await decide(" MIA.KRAUSE@example.com ", "newsletter")).json()) as Record<string, unknown>;
    expect(allowed).toMatchObject({ allowed: true, basis: "gdpr_consent", reason: null });
    expect(typeof allowed.decidingEventId).toBe("string");

    // the proof: which notice, which box, from where — stored without the clear address
    const history = await consent.history(TENANT, { kind: "email", value: "mia.krause@example.com" }, "newsletter");
    expect(history.map((e) => [e.type, e.method])).toEqual([
      ["requested", "checkbox_checked"],
      ["given", "double_opt_in_confirmed"],
    ]);
    expect(history[0]?.notice).toMatchObject({ noticeId: "signup", version: 1 });
    expect(history[0]?.evidence).toMatchObject({ collectionPoint: "signup", fieldName: "newsletter", defaultState: "unchecked", pageUrl: "https://kiezbuch.example/signup" });
    expect(await consent.evidenceOf(history[0]!)).toEqual({ ip: "127.0.0.0", userAgent: "Mozilla/5.0 (test)" }); // truncated to /24
    expect(JSON.stringify(history)).not.toMatch(/mia\.krause/i);
    expect(JSON.stringify(audit.events)).not.toMatch(/mia\.krause/i);
  });

  it("POST /signup - a bad submission is refused whole with every problem, and nothing is recorded", async () => {
    const { consent, postForm } = await startApp();
    const res = await postForm({ email: "not-an-address", readings: "yes", notice_version: "7" });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { title: string; issues: { path: string; code: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["subject.value", "notice"]));
    expect(JSON.stringify(body)).not.toContain("not-an-address");

    // a valid address with a notice version that was never published: refused, nothing stored
    const stale = await postForm({ email: "lena@example.com", newsletter: "yes", readings: "yes", notice_version: "2" });
    expect(stale.status).toBe(422);
    expect(await consent.history(TENANT, { kind: "email", value: "lena@example.com" })).toEqual([]);
  });

  it("GET /signup/confirm - a forged token confirms nothing", async () => {
    const { base, mails, postForm, decide } = await startApp();
    await postForm({ email: "jonas@example.com", newsletter: "yes", notice_version: "1" });
    const link = new URL(mails[0]!.link);
    const forged = `${link.searchParams.get("token")!.slice(0, -2)}xx`;
    expect((await fetch(`${base}/signup/confirm?token=${encodeURIComponent(forged)}`)).status).toBe(400);
    expect(await (await decide("jonas@example.com", "newsletter")).json()).toMatchObject({ allowed: false, reason: "pending_confirmation" });
  });

  it("POST /internal/consent/decision - refuses callers without the internal token, and unknown purposes", async () => {
    const { decide } = await startApp();
    expect((await decide("jonas@example.com", "newsletter", "wrong")).status).toBe(401);
    expect((await decide("jonas@example.com", "no-such-purpose")).status).toBe(404);
    expect(await (await decide("never-seen@example.com", "readings")).json()).toMatchObject({ allowed: false, reason: "never_given" });
  });
});
