import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "@lawful/core";
import { createTestPgDatabase, createTestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";
import { caller, seedNewsletterForm } from "./test-harness.js";

/**
 * Abuse of the public surface: per-address and per-tenant rate limits (429 problem+json with
 * Retry-After), request flooding from one address (linked to the first request, then throttled),
 * brute force of the one-time verification code, and body size limits on public and /v1 routes.
 */

const PER_ADDRESS = 6;
const PER_TENANT = 15;
/** The attempt limit of a verification code: the request engine's default (routes/requests.ts documents it). */
const MAX_ATTEMPTS = 5;
const MASTER = Buffer.alloc(32, 9).toString("base64url");

interface Server {
  lawful: Lawful;
  clock: ManualClock;
  cleanup(): Promise<void>;
}

async function start(backend: "sqlite" | "postgres"): Promise<Server> {
  // 10:00:05 — five seconds into a one-minute window, so Retry-After is 55
  const clock = createManualClock("2026-03-02T10:00:05Z");
  const limits = { PUBLIC_RATE_LIMIT_PER_MINUTE: String(PER_ADDRESS), PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE: String(PER_TENANT), LOG_LEVEL: "silent" };
  const logger = pino({ level: "silent" });
  if (backend === "sqlite") {
    const file = createTestSqliteFile("abuse.db");
    const lawful = await createLawful(loadConfig({ ...limits, DATABASE_URL: `sqlite:${file.path}` }), { clock, logger });
    return { lawful, clock, cleanup: async () => void (await lawful.close(), file.cleanup()) };
  }
  const pg = await createTestPgDatabase("abuse");
  const lawful = await createLawful(loadConfig({ ...limits, DATABASE_URL: pg.url, LAWFUL_MASTER_KEY: MASTER }), { clock, logger });
  return { lawful, clock, cleanup: async () => void (await lawful.close(), await pg.drop()) };
}

describe.each(["sqlite", "postgres"] as const)("abuse of the public surface on %s", (backend) => {
  let s: Server;
  let admin: string;
  let ip = 0;
  /** A fresh client address for every call site that needs one. */
  const nextIp = () => `198.51.100.${++ip}`;
  const call = caller(() => s.lawful);
  const from = (address: string, path: string, init: RequestInit = {}) => s.lawful.app.request(path, init, { incoming: { socket: { remoteAddress: address } } });
  /** Move to the start of the next one-minute window (plus five seconds). */
  const nextWindow = () => {
    const now = s.clock.now().getTime();
    s.clock.set(new Date(now - (now % 60_000) + 65_000));
  };
  const form = (email: string) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${encodeURIComponent(email)}&newsletter=on` });
  const csrf = randomBytes(32).toString("base64url");
  const privacyForm = (fields: Record<string, string>) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `lawful_csrf=${csrf}`, accept: "text/html", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
  });
  const history = async (email: string) =>
    ((await (await call(`/v1/subjects/${encodeURIComponent(`email:${email}`)}/consents`, { key: admin })).json()) as { history: unknown[] }).history;
  const latestCode = async (email: string) => {
    const out = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; to: string; body: string }[] };
    const mail = out.items.find((m) => m.kind === "verification_code" && m.to === email);
    return /\b(\d{6})\b/.exec(mail?.body ?? "")?.[1];
  };
  const wrongCode = (right: string, n: number) => String((Number(right) + 1 + n) % 1_000_000).padStart(6, "0");

  beforeAll(async () => {
    s = await start(backend);
    const t = await s.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    await s.lawful.tenants.create({ slug: "globex", name: "Globex" });
    admin = (await s.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedNewsletterForm(call, admin);
  });
  afterAll(async () => s?.cleanup());

  it("per address - the request over the limit is 429 problem+json with Retry-After, stores nothing; another address is unaffected; the next window admits again", async () => {
    nextWindow();
    const [a, b] = [nextIp(), nextIp()];
    for (let i = 0; i < PER_ADDRESS; i++) expect((await from(a, "/p/acme/subprocessors.json")).status).toBe(200);
    const limited = await from(a, "/p/acme/subprocessors.json");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    expect(limited.headers.get("retry-after")).toBe("55");
    expect(((await limited.json()) as { code: string; status: number }).code).toBe("RATE_LIMITED");
    // a write over the limit is refused before it runs
    expect((await from(a, "/p/acme/forms/landing/submit", form("limited@example.com"))).status).toBe(429);
    expect(await history("limited@example.com")).toEqual([]);
    expect((await from(b, "/p/acme/subprocessors.json")).status).toBe(200);
    nextWindow();
    expect((await from(a, "/p/acme/subprocessors.json")).status).toBe(200);
  });

  it("per tenant - all addresses together are limited, a fresh address too; another tenant is unaffected", async () => {
    nextWindow();
    for (let i = 0; i < PER_TENANT; i++) expect((await from(nextIp(), "/p/acme/retention-schedule.json")).status).toBe(200);
    const limited = await from(nextIp(), "/p/acme/retention-schedule.json");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await from(nextIp(), "/p/globex/retention-schedule.json")).status).toBe(200);
  });

  it("flooding from one address - landing-form captures are throttled; privacy-center submissions for one address are linked to the first request", async () => {
    nextWindow();
    const flooder = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 4; i++) statuses.push((await from(flooder, "/p/acme/forms/landing/submit", form(`flood-${i}@example.com`))).status);
    expect(statuses).toEqual([...Array<number>(PER_ADDRESS).fill(201), ...Array<number>(4).fill(429)]);
    expect(await history(`flood-${PER_ADDRESS - 1}@example.com`)).toHaveLength(1);
    expect(await history(`flood-${PER_ADDRESS}@example.com`)).toEqual([]);

    nextWindow();
    const email = "flood.target@example.com";
    const results: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 2; i++) results.push((await from(flooder, "/p/acme/privacy/requests", privacyForm({ email, type: "erasure" }))).status);
    expect(results.slice(0, PER_ADDRESS).every((st) => st === 200)).toBe(true);
    expect(results.slice(PER_ADDRESS)).toEqual([429, 429]);
    const requests = ((await (await call("/v1/requests", { key: admin })).json()) as { items: { id: string; state: string; subject: { value: string }; cancellation?: { duplicateOf?: string } }[] }).items.filter(
      (r) => r.subject.value === email,
    );
    expect(requests).toHaveLength(PER_ADDRESS);
    const open = requests.filter((r) => r.state !== "cancelled");
    expect(open).toHaveLength(1);
    expect(requests.filter((r) => r.state === "cancelled").every((r) => r.cancellation?.duplicateOf === open[0]!.id)).toBe(true);
  });

  it(`verification brute force over HTTP - locked after ${MAX_ATTEMPTS} wrong codes, the right code is refused afterwards`, async () => {
    const created = (await (
      await call("/v1/requests", { method: "POST", key: admin, json: { type: "erasure", regime: "EU", subject: { kind: "email", value: "brute@example.com" }, channel: "web_form", timeZone: "Europe/Berlin" } })
    ).json()) as { request: { id: string } };
    const id = created.request.id;
    expect((await call(`/v1/requests/${id}/verification`, { method: "POST", key: admin })).status).toBe(200);
    const right = (await latestCode("brute@example.com"))!;
    const verify = async (code: string) => (await (await call(`/v1/requests/${id}/verify`, { method: "POST", key: admin, json: { code } })).json()) as { ok: boolean; reason?: string; attemptsLeft?: number };
    for (let i = 1; i < MAX_ATTEMPTS; i++) expect(await verify(wrongCode(right, i))).toEqual({ ok: false, reason: "mismatch", attemptsLeft: MAX_ATTEMPTS - i });
    expect(await verify(wrongCode(right, MAX_ATTEMPTS))).toEqual({ ok: false, reason: "locked" });
    expect(await verify(right)).toEqual({ ok: false, reason: "locked" });
    expect(((await (await call(`/v1/requests/${id}`, { key: admin })).json()) as { state: string }).state).toBe("awaiting_verification");
  });

  it("verification brute force through the privacy center - re-submitting the form for a new code does not reset the attempt count", async () => {
    nextWindow();
    const email = "brute.center@example.com";
    const page = await (await from(nextIp(), "/p/acme/privacy/requests", privacyForm({ email, type: "erasure" }))).text();
    const action = /action="([^"]+\/verify)"/.exec(page)?.[1];
    const secret = /name="s" value="([^"]+)"/.exec(page)?.[1];
    expect(action && secret, "the code page carries the verify form").toBeTruthy();
    const attempt = async (code: string) => from(nextIp(), action!.replace(/&amp;/g, "&"), privacyForm({ s: secret!, code }));
    let right = (await latestCode(email))!;
    for (let i = 1; i < MAX_ATTEMPTS; i++) expect((await attempt(wrongCode(right, i))).status).toBe(400);
    // the attacker asks for a fresh code by sending the form again (a duplicate, linked to the same request)
    await from(nextIp(), "/p/acme/privacy/requests", privacyForm({ email, type: "erasure" }));
    right = (await latestCode(email))!;
    expect((await attempt(wrongCode(right, 0))).status).toBe(423);
    // locked: even the right code of the newest mail is refused
    expect((await attempt(right)).status).toBe(423);
    const requests = ((await (await call("/v1/requests", { key: admin })).json()) as { items: { state: string; subject: { value: string } }[] }).items.filter((r) => r.subject.value === email);
    expect(requests.some((r) => r.state === "verified" || r.state === "in_progress")).toBe(false);
  });

  it("body size - public and /v1 routes answer 413 problem+json above 1 MiB, with or without Content-Length, and store nothing", async () => {
    nextWindow();
    const big = `email=big%40example.com&newsletter=on&pad=${"x".repeat(1024 * 1024 + 16)}`;
    const pub = await from(nextIp(), "/p/acme/forms/landing/submit", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big });
    expect(pub.status).toBe(413);
    expect(pub.headers.get("content-type")).toBe("application/problem+json");
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? "email=big%40example.com&newsletter=on&pad=" : "y".repeat(64 * 1024)));
          controller.close();
        },
      });
    const chunked = await from(nextIp(), "/p/acme/forms/landing/submit", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream(), duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await history("big@example.com")).toEqual([]);

    const event = { subject: { kind: "email", value: "big@example.com" }, purposeId: "newsletter", type: "given", method: "checkbox_checked", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "x".repeat(2 * 1024 * 1024) } };
    const v1 = await call("/v1/consent-events", { method: "POST", key: admin, json: event });
    expect(v1.status).toBe(413);
    expect(v1.headers.get("content-type")).toBe("application/problem+json");
    const v1Chunked = await call("/v1/consent-events", { method: "POST", key: admin, headers: { "content-type": "application/json" }, body: stream(), duplex: "half" } as RequestInit);
    expect(v1Chunked.status).toBe(413);
    expect(await history("big@example.com")).toEqual([]);
  });
});
