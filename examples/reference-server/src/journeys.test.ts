import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpointVerifier, openCheckpoint, verifyExport } from "@lawful/audit";
import { crmFixtureParties } from "@lawful/registry/testing";
import { BACKENDS, caller, seedNewsletterForm, type Harness } from "./test-harness.js";

/**
 * End-to-end journeys of the reference server (issue #9/#10): consent from a landing form with its
 * proof through to withdrawal by unsubscribe; an erasure that meets a legal hold on part of the data;
 * the registry's public lists and operator API; and, after all of it, the audit log verifies and its
 * signed checkpoint opens with the published verifier key.
 */

const ADA = "ada.journey@example.com";
const HELD = "held.journey@example.com";
const IP = "192.0.2.44";
/** The consent service keeps IPv4 addresses truncated to /24 by default (data minimisation). */
const IP_KEPT = "192.0.2.0";
const UA = "Mozilla/5.0 (journey test)";

interface Decision {
  allowed: boolean;
}

describe.each(BACKENDS)("journeys on %s", (_name, make) => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  const call = caller(() => h.lawful);
  const fromBrowser = (path: string, init: RequestInit) => h.lawful.app.request(path, init, { incoming: { socket: { remoteAddress: IP } } });
  const decision = async (email: string) => (await (await call(`/v1/consent/decision?subject=${encodeURIComponent(`email:${email}`)}&purpose=newsletter`, { key: admin })).json()) as Decision;
  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    expect(r.status, await r.clone().text()).toBe(status);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedNewsletterForm(call, admin);
  });
  afterAll(async () => h?.cleanup());

  it("consent - captured from a landing form with proof (IP, user agent, time, notice version), granted, withdrawn by one-click unsubscribe, denied", async () => {
    const before = Date.now();
    const res = await fromBrowser("/p/acme/forms/landing/submit", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": UA, referer: "https://acme.example/landing" },
      body: `email=${encodeURIComponent(ADA)}&newsletter=on`,
    });
    expect(res.status).toBe(201);
    const after = Date.now();
    expect((await decision(ADA)).allowed).toBe(true);

    const state = await json<{ history: { type: string; occurredAt: string; notice: { noticeId: string; version: number; contentSha256: string }; evidence: { formId?: string; pageUrl?: string; defaultState?: string }; evidenceRequest: { ip?: string; userAgent?: string } }[] }>(
      call(`/v1/subjects/${encodeURIComponent(`email:${ADA}`)}/consents`, { key: admin }),
    );
    const given = state.history.find((e) => e.type === "given")!;
    expect(given.evidenceRequest).toMatchObject({ ip: IP_KEPT, userAgent: UA });
    expect(given.notice).toMatchObject({ noticeId: "signup", version: 1 });
    expect(given.notice.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(given.evidence).toMatchObject({ formId: "landing", pageUrl: "https://acme.example/landing", defaultState: "unchecked" });
    const at = new Date(given.occurredAt).getTime();
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after + 1000);

    // the newsletter mail carries a signed List-Unsubscribe link (RFC 8058); the person clicks it
    const { token } = h.lawful.services.consent.createUnsubscribeToken({ tenantId, subject: { kind: "email", value: ADA }, purposeIds: "all" });
    const unsubscribe = await fromBrowser(`/p/acme/unsubscribe?token=${encodeURIComponent(token)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": UA },
      body: "List-Unsubscribe=One-Click",
    });
    expect(unsubscribe.status).toBe(200);
    expect((await decision(ADA)).allowed).toBe(false);
    const later = await json<{ history: { type: string }[] }>(call(`/v1/subjects/${encodeURIComponent(`email:${ADA}`)}/consents`, { key: admin }));
    expect(later.history.map((e) => e.type)).toEqual(["given", "withdrawn"]);
  });

  it("erasure with a legal hold on part of the data - the held category is kept and restricted and reported with Art. 17(3)(e), the rest is erased", async () => {
    await json(
      fromBrowser("/p/acme/forms/landing/submit", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": UA }, body: `email=${encodeURIComponent(HELD)}&newsletter=on` }),
      201,
    );
    const { request } = await json<{ request: { id: string; subjectKey: string } }>(
      call("/v1/requests", { method: "POST", key: admin, json: { type: "erasure", regime: "EU", subject: { kind: "email", value: HELD }, channel: "email", timeZone: "Europe/Berlin" } }),
      201,
    );
    // litigation: the consent proof of this person must be preserved (the hold names the person by pseudonym)
    await json(
      call("/v1/retention/holds", {
        method: "POST",
        key: admin,
        json: { id: "claim-2026-17", matter: "Claim 2026/17", scope: { subjectIds: [request.subjectKey], categories: ["consent.proof"] }, issuedBy: "legal@acme.example", issuedAt: new Date(Date.now() - 86_400_000).toISOString() },
      }),
      201,
    );
    await json(call(`/v1/requests/${request.id}/verification`, { method: "POST", key: admin }));
    const outbox = await json<{ items: { kind: string; to: string; body: string }[] }>(call("/v1/outbox", { key: admin }));
    const code = /request is (\d{6})\./.exec(outbox.items.find((m) => m.kind === "verification_code" && m.to === HELD)!.body)![1]!;
    expect(await json<{ ok: boolean }>(call(`/v1/requests/${request.id}/verify`, { method: "POST", key: admin, json: { code } }))).toMatchObject({ ok: true });
    await json(call(`/v1/requests/${request.id}/start`, { method: "POST", key: admin }));
    for (let i = 0; i < 10; i++) if ((await h.lawful.services.dsr.work({ workerId: "journey" })).finalized.includes(request.id)) break;

    const done = await json<{
      state: string;
      outcome: { nature: string; result: { categories: { category: string; outcome: string; exemptions: { kind: string; ruleId: string; article: string }[] }[] } };
    }>(call(`/v1/requests/${request.id}`, { key: admin }));
    expect(done.state).toBe("partially_completed");
    expect(done.outcome.nature).toContain("17(3)");
    const byCategory = Object.fromEntries(done.outcome.result.categories.map((c) => [c.category, c]));
    expect(byCategory["consent.proof"]).toMatchObject({ outcome: "kept_restricted", exemptions: [{ kind: "legal_hold", ruleId: "claim-2026-17", article: "GDPR Art. 17(3)(e)" }] });
    expect(byCategory["contact.email"]).toMatchObject({ outcome: "erased", exemptions: [] });

    // kept: the consent proof is still there; erased: the mail to the person is gone; no more marketing
    const kept = await json<{ history: unknown[] }>(call(`/v1/subjects/${encodeURIComponent(`email:${HELD}`)}/consents`, { key: admin }));
    expect(kept.history.length).toBeGreaterThan(0);
    const mails = await json<{ items: { to: string }[] }>(call("/v1/outbox", { key: admin }));
    expect(mails.items.some((m) => m.to === HELD)).toBe(false);
    expect((await decision(HELD)).allowed).toBe(false);

    // once the hold is released a new erasure request removes the rest
    await json(call("/v1/retention/holds/claim-2026-17/release", { method: "POST", key: admin }));
    const again = await json<{ request: { id: string } }>(
      call("/v1/requests", { method: "POST", key: admin, json: { type: "erasure", regime: "EU", subject: { kind: "email", value: HELD }, channel: "email", timeZone: "Europe/Berlin" } }),
      201,
    );
    await h.lawful.services.dsr.verifyManually(tenantId, again.request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["same mailbox as the earlier request"], reviewer: "ops" });
    await json(call(`/v1/requests/${again.request.id}/start`, { method: "POST", key: admin }));
    for (let i = 0; i < 10; i++) if ((await h.lawful.services.dsr.work({ workerId: "journey" })).finalized.includes(again.request.id)) break;
    expect((await json<{ state: string }>(call(`/v1/requests/${again.request.id}`, { key: admin }))).state).toBe("completed");
    expect((await json<{ history: unknown[] }>(call(`/v1/subjects/${encodeURIComponent(`email:${HELD}`)}/consents`, { key: admin }))).history).toEqual([]);
  });

  it("registry - an activated processor appears in the public sub-processor list (JSON, HTML, Atom) and in /v1/registry", async () => {
    const { hosting } = crmFixtureParties();
    await json(call("/v1/registry/parties", { method: "POST", key: admin, json: hosting }), 201);
    expect(((await json<{ entries: unknown[] }>(call("/p/acme/subprocessors.json"))).entries)).toHaveLength(0);
    await json(call(`/v1/registry/parties/${hosting.id}/activate`, { method: "POST", key: admin }));
    const list = await json<{ entries: { name: string }[] }>(call("/p/acme/subprocessors.json"));
    expect(list.entries.map((e) => e.name)).toEqual([hosting.legalName]);
    const html = await call("/p/acme/subprocessors.html");
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(await html.text()).toContain(hosting.legalName);
    const atom = await call("/p/acme/subprocessors.atom");
    expect(atom.headers.get("content-type")).toContain("application/atom+xml");
    const feed = await atom.text();
    expect(feed).toContain("<feed");
    expect(feed).toContain("<entry>");
    const parties = await json<{ items: { id: string; status: string }[] }>(call("/v1/registry/parties", { key: admin }));
    expect(parties.items).toEqual([expect.objectContaining({ id: hosting.id, status: "active" })]);
    const history = await json<{ items: { status: string }[] }>(call(`/v1/registry/parties/${hosting.id}/history`, { key: admin }));
    expect(history.items.map((v) => v.status)).toEqual(["proposed", "active"]);
  });

  it("audit - after all of it the log verifies, the signed checkpoint opens with the published verifier key, and the export verifies offline", async () => {
    const report = await json<{ ok: boolean; eventsChecked: number }>(call("/v1/audit/verify", { key: admin }));
    expect(report.ok).toBe(true);
    const cp = await json<{ treeSize: number; note: string; verifierKey: string }>(call("/v1/audit/checkpoints", { method: "POST", key: admin }), 201);
    expect(cp.treeSize).toBe(await h.lawful.services.audit.size(tenantId));
    expect(cp.treeSize).toBeGreaterThan(20);
    const opened = openCheckpoint(cp.note, [createCheckpointVerifier(cp.verifierKey)]);
    expect(opened.ok).toBe(true);
    if (opened.ok) expect(opened.checkpoint.treeSize).toBe(cp.treeSize);
    // a note changed by one character no longer opens
    expect(openCheckpoint(cp.note.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`), [createCheckpointVerifier(cp.verifierKey)]).ok).toBe(false);
    const latest = await json<{ note: string; verifierKey: string }>(call("/v1/audit/checkpoints/latest", { key: admin }));
    expect(latest.verifierKey).toBe(cp.verifierKey);
    expect(openCheckpoint(latest.note, [createCheckpointVerifier(latest.verifierKey)]).ok).toBe(true);
    const exported = await (await call("/v1/audit/export", { key: admin })).text();
    const offline = await verifyExport(exported, [createCheckpointVerifier(cp.verifierKey)]);
    expect(offline.ok).toBe(true);
    expect(offline.treeSize).toBe(cp.treeSize);
  });
});
