import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crmFixtureParties } from "@lawful/registry/testing";
import type { Lawful } from "./server.js";
import { BACKENDS, caller, postgresHarness, sqliteHarness, type Harness } from "./test-harness.js";
import { DUE_SOON_DAYS } from "./routes/operator.js";
import { OPERATOR_SESSION_TTL_MS } from "./http/operator-session.js";

const DAY = 86_400_000;

/** A browser stand-in for `lawful.app`: keeps cookies, posts forms with the CSRF field. */
function agent(get: () => Lawful, origin = "http://localhost") {
  const jar = new Map<string, string>();
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await get().app.request(`${origin}${path}`, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [name = "", value = ""] = line.split(";")[0]!.split("=");
      if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ _csrf: jar.get("lawful_csrf") ?? "", ...fields }).toString(),
    });
  const login = async (key: string) => {
    await request("/ops/login");
    return form("/ops/login", { key });
  };
  return { jar, request, form, login, html: async (path: string, init?: RequestInit) => (await request(path, init)).text() };
}

/** Monday (UTC) of the week of `d`, as YYYY-MM-DD. */
const mondayOf = (d: Date) => {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
};
/** The `<tr>` of a queue row for a request id. */
const rowOf = (html: string, id: string) => new RegExp(`<tr class="due-(\\w+)"[^>]*data-request="${id}">(.*?)</tr>`).exec(html);

describe.each(BACKENDS)("operator pages on %s", (_name, make) => {
  let h: Harness;
  let admin: string;
  let requestsOnly: string;
  let auditOnly: string;
  let other: string;
  let tenantId: string;
  const ids: Record<string, string> = {};
  const received: Date[] = [];
  const call = caller(() => h.lawful);
  const hostileTenant = `Acme "<img src=x onerror=alert(1)>"`;
  const hostileParty = `<script>alert("pwned")</script> Hosting`;

  const submit = async (name: string, receivedAt: Date, extra: Record<string, unknown> = {}) => {
    const res = await call("/v1/requests", {
      method: "POST",
      key: admin,
      json: { type: "access", regime: "EU", subject: { kind: "email", value: `${name}@example.com` }, channel: "email", timeZone: "Europe/Berlin", receivedAt: receivedAt.toISOString(), ...extra },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    ids[name] = ((await res.json()) as { request: { id: string } }).request.id;
    received.push(receivedAt);
  };

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: hostileTenant });
    const o = await h.lawful.tenants.create({ slug: "globex", name: "Globex" });
    tenantId = t.id;
    admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    requestsOnly = (await h.lawful.tenants.createKey(t.id, { name: "queue", scopes: ["requests"] })).secret;
    auditOnly = (await h.lawful.tenants.createKey(t.id, { name: "audit", scopes: ["audit"] })).secret;
    other = (await h.lawful.tenants.createKey(o.id, { name: "admin", scopes: ["admin"] })).secret;
    // EU: one calendar month (28-31 days) plus at most a weekend: 45 days ago is overdue, 28 days ago is due
    // within 0-6 days in any month, a minute ago is due in four weeks or more
    const now = Date.now();
    await submit("overdue", new Date(now - 45 * DAY));
    await submit("soon", new Date(now - 28 * DAY));
    await submit("later", new Date(now - 60_000));
    await submit("cancelled", new Date(now - 2 * 60_000));
    await submit("worked", new Date(now - 3 * 60_000), { type: "erasure" });
    await submit("objection", new Date(now - 2 * DAY), { type: "objection", details: { objectionScope: "direct_marketing" } });
    expect((await call(`/v1/requests/${ids.cancelled}/cancel`, { method: "POST", key: admin, json: { reason: "duplicate of an earlier request" } })).status).toBe(200);
    // identity check by a mailed code (pauses the EU clock while it is out), then the fan-out tasks
    const { secret } = await h.lawful.services.dsr.requestVerification(tenantId, ids.worked!);
    await h.lawful.services.dsr.submitVerificationSecret(tenantId, ids.worked!, secret);
    expect((await call(`/v1/requests/${ids.worked}/start`, { method: "POST", key: admin })).status).toBe(200);
    // another tenant's request, which acme must never see
    const foreign = await call("/v1/requests", { method: "POST", key: other, json: { type: "access", regime: "EU", subject: { kind: "email", value: "zed@example.com" }, channel: "email", timeZone: "Europe/Berlin" } });
    ids.foreign = ((await foreign.json()) as { request: { id: string } }).request.id;

    await call("/v1/purposes", { method: "POST", key: admin, json: { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" } });
    const notice = await call("/v1/notices", {
      method: "POST",
      key: admin,
      json: { noticeId: "signup", version: 1, locale: "en", contentType: "text/plain", content: "Acme sends you its newsletter.", controllers: [{ name: "Acme" }], purposes: ["newsletter"], dataCategories: ["contact.email"], withdrawalInfo: "Unsubscribe link in every e-mail." },
    });
    expect(notice.status, await notice.clone().text()).toBe(201);
    for (const [who, type] of [["a", "given"], ["b", "given"], ["c", "refused"]] as const) {
      const res = await call("/v1/consent-events", {
        method: "POST",
        key: admin,
        json: { subject: { kind: "email", value: `${who}@example.com` }, purposeId: "newsletter", type, method: type === "given" ? "checkbox_checked" : "button_clicked", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "signup-form" } },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const { hosting } = crmFixtureParties();
    const party = await call("/v1/registry/parties", { method: "POST", key: admin, json: { ...hosting, legalName: hostileParty } });
    expect(party.status, await party.clone().text()).toBe(201);
    expect((await call("/v1/audit/checkpoints", { method: "POST", key: admin })).status).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it("sign-in - a valid key opens a server-side session in an HttpOnly SameSite=Strict cookie; only its hash is stored", async () => {
    const a = agent(() => h.lawful);
    expect((await a.request("/ops")).headers.get("location")).toBe("/ops/login");
    const res = await a.login(admin);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ops");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("lawful_ops="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/ops/);
    expect(cookie).toMatch(new RegExp(`Max-Age=${OPERATOR_SESSION_TTL_MS / 1000}`));
    expect(cookie).not.toMatch(/Secure/);
    const id = a.jar.get("lawful_ops")!;
    const rows = await h.lawful.db.sql.all<{ id_hash: string; tenant_id: string }>("SELECT id_hash, tenant_id FROM server_operator_sessions");
    expect(rows.map((r) => r.id_hash)).toContain(createHash("sha256").update(id).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(id);
    const queue = await a.request("/ops");
    expect(queue.status).toBe(200);
    expect(queue.headers.get("cache-control")).toBe("no-store");
    expect(queue.headers.get("content-security-policy")).toContain("script-src 'self'");

    const secure = agent(() => h.lawful, "https://ops.example.com");
    const https = await secure.login(admin);
    expect(https.headers.getSetCookie().find((c) => c.startsWith("lawful_ops="))).toMatch(/Secure/);
  });

  it("sign-in - a wrong or malformed key is refused without a session", async () => {
    const a = agent(() => h.lawful);
    for (const [key, status] of [[`lk_${"A".repeat(43)}`, 401], ["not-a-key", 401], ["", 400]] as const) {
      const res = await a.login(key);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain("This API key is not valid or has been revoked.");
      expect(a.jar.has("lawful_ops")).toBe(false);
    }
    expect((await a.request("/ops")).status).toBe(303);
  });

  it("sign-out - ends the session on the server, so the old cookie no longer opens pages", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const stolen = a.jar.get("lawful_ops")!;
    const out = await a.form("/ops/logout", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/ops/login?out=1");
    expect(a.jar.has("lawful_ops")).toBe(false);
    expect(await a.html("/ops/login?out=1")).toContain("You have signed out.");
    const replay = await h.lawful.app.request("http://localhost/ops", { headers: { cookie: `lawful_ops=${stolen}` } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/ops/login");
  });

  it("revocation - revoking the API key ends its sessions at once", async () => {
    const t = (await h.lawful.tenants.bySlug("acme"))!;
    const temp = await h.lawful.tenants.createKey(t.id, { name: "temp", scopes: ["requests"] });
    const a = agent(() => h.lawful);
    await a.login(temp.secret);
    expect((await a.request("/ops")).status).toBe(200);
    await h.lawful.tenants.revokeKey(t.id, temp.key.id);
    expect((await a.request("/ops")).status).toBe(303);
  });

  it("csrf - sign-in, sign-out and the plan form are refused without the token or from another site", async () => {
    const a = agent(() => h.lawful);
    await a.request("/ops/login");
    const noToken = await a.request("/ops/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `key=${admin}` });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ code: "CSRF_REJECTED" });
    expect(a.jar.has("lawful_ops")).toBe(false);
    await a.login(admin);
    const crossSite = await a.form("/ops/logout", {}, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect((await a.request("/ops")).status).toBe(200);
    const forged = await a.form("/ops/retention/plan", { records: "[]", _csrf: "x".repeat(43) });
    expect(forged.status).toBe(403);
  });

  it("scopes - a page whose data the key may not read answers a 403 page; sign-in lands on a page the key may open", async () => {
    const a = agent(() => h.lawful);
    await a.login(requestsOnly);
    expect((await a.request("/ops")).status).toBe(200);
    for (const [path, scope] of [["/ops/audit", "audit"], ["/ops/registry", "registry"], ["/ops/retention", "retention"], ["/ops/charts", "consent"]] as const) {
      const res = await a.request(path);
      expect(res.status, path).toBe(403);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain(`lacks the “${scope}” scope`);
    }
    const b = agent(() => h.lawful);
    expect((await b.login(auditOnly)).headers.get("location")).toBe("/ops/audit");
    expect((await b.request("/ops")).status).toBe(403);
    const nav = await b.html("/ops/audit");
    expect(nav).not.toContain('href="/ops/registry"');
    expect(nav).toContain('href="/ops/audit"');
  });

  it("queue - open requests coloured overdue / due soon / later by the binding deadline, with days left", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const html = await a.html("/ops");
    const now = Date.now();
    for (const [name, urgency] of [["overdue", "overdue"], ["soon", "soon"], ["later", "later"], ["worked", "later"]] as const) {
      const row = rowOf(html, ids[name]!);
      expect(row, name).not.toBeNull();
      expect(row![1], name).toBe(urgency);
      const request = (await (await call(`/v1/requests/${ids[name]}`, { key: admin })).json()) as { deadlines: { dueAt: string } };
      const daysLeft = Math.ceil((new Date(request.deadlines.dueAt).getTime() - now) / DAY);
      expect(row![2], name).toContain(`<td>${daysLeft}</td>`);
      if (urgency === "overdue") expect(daysLeft).toBeLessThanOrEqual(0);
      if (urgency === "soon") expect(daysLeft).toBeLessThanOrEqual(DUE_SOON_DAYS);
      if (urgency === "later") expect(daysLeft).toBeGreaterThan(DUE_SOON_DAYS);
      expect(row![2]).toContain(`href="/ops/requests/${ids[name]}"`);
    }
    expect(rowOf(html, ids.overdue!)![0]).toContain("background:#fbd5d2");
    // closed requests are not in the open view; the state filter shows them
    expect(rowOf(html, ids.cancelled!)).toBeNull();
    expect(rowOf(html, ids.objection!)).toBeNull();
    const cancelled = await a.html("/ops?state=cancelled");
    expect(rowOf(cancelled, ids.cancelled!)![1]).toBe("closed");
    expect(rowOf(cancelled, ids.overdue!)).toBeNull();
    const bad = await a.request("/ops?state=bogus");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(((await bad.json()) as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(["query", "state"]);
    expect(await a.html("/ops", { headers: { "accept-language": "de-DE,de;q=0.9" } })).toContain("<h1>Anfragen</h1>");
  });

  it("timeline - history with times and actors, deadlines, pauses and the fan-out tasks with their status", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const res = await a.request(`/ops/requests/${ids.worked}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const request = (await (await call(`/v1/requests/${ids.worked}`, { key: admin })).json()) as {
      history: { action: string; to: string; actor: { type: string; id: string } }[];
      pauses: { reason: string }[];
      deadlines: { dueAt: string };
    };
    for (const entry of request.history) {
      expect(html).toContain(`<code>${entry.action}</code>`);
      expect(html).toContain(`${entry.actor.type}:${entry.actor.id}`);
    }
    expect(request.history.map((e) => e.to)).toContain("in_progress");
    expect(request.pauses.length).toBeGreaterThan(0);
    expect(html).toContain(`<td>${request.pauses[0]!.reason}</td>`);
    expect(html).toContain(`${request.deadlines.dueAt.slice(0, 16).replace("T", " ")} UTC`);
    const tasks = await h.lawful.services.requestTasks(tenantId, ids.worked!);
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) expect(html).toContain(`<td>${task.status}</td>`);
    expect(html).toContain("pending");
    await h.lawful.services.dsr.work({ workerId: "test" });
    expect(await a.html(`/ops/requests/${ids.worked}`)).toContain("<td>done</td>");
    const cancelled = await a.html(`/ops/requests/${ids.cancelled}`);
    expect(cancelled).toContain("duplicate of an earlier request");
    expect((await a.request("/ops/requests/no-such-request")).status).toBe(404);
  });

  it("audit - the chain verifies; tree size, the latest signed checkpoint and the verifier key are shown", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const html = await a.html("/ops/audit");
    expect(html).toContain('<strong class="audit-ok" style="color:#1d6b1d">verified</strong>');
    expect(html).toContain(h.lawful.services.checkpointVerifierKey);
    const size = await h.lawful.services.audit.size(tenantId);
    expect(html).toContain(`<td>${size}</td>`);
    const cp = (await h.lawful.services.audit.store.latestCheckpoint(tenantId))!;
    expect(html).toContain(Buffer.from(cp.rootHash).toString("base64"));
  });

  it("audit - the page shows the last verification and its time; damage shows after Verify now, and again once repaired", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    expect(await a.html("/ops/audit")).toMatch(/<th scope="row">Last verified<\/th><td><time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">/);
    const row = (await h.lawful.db.sql.get<{ bytes: Uint8Array }>("SELECT bytes FROM audit_events WHERE tenant_id = ? AND sequence = 0", [tenantId]))!;
    const original = Buffer.from(row.bytes);
    const damaged = Buffer.from(original);
    damaged[damaged.length - 3]! ^= 1;
    await h.lawful.db.sql.run("UPDATE audit_events SET bytes = ? WHERE tenant_id = ? AND sequence = 0", [damaged, tenantId]);
    try {
      // a page view does not rehash the log: it shows the stored result
      expect(await a.html("/ops/audit")).toContain('class="audit-ok"');
      const verify = await a.form("/ops/audit/verify", {});
      expect(verify.status).toBe(303);
      expect(verify.headers.get("location")).toBe("/ops/audit");
      const broken = await a.html("/ops/audit");
      expect(broken).toContain('class="audit-broken"');
      expect(broken).toContain("<code>modified</code> #0");
    } finally {
      await h.lawful.db.sql.run("UPDATE audit_events SET bytes = ? WHERE tenant_id = ? AND sequence = 0", [original, tenantId]);
    }
    // the API verifies as well, as a read: the page keeps the recorded result until the next recorded verification
    expect(((await (await call("/v1/audit/verify", { key: admin })).json()) as { ok: boolean }).ok).toBe(true);
    expect(await a.html("/ops/audit")).toContain('class="audit-broken"');
    expect((await a.form("/ops/audit/verify", {})).status).toBe(303);
    expect(await a.html("/ops/audit")).toContain('class="audit-ok"');
    expect((await a.form("/ops/audit/verify", {}, { origin: "https://evil.example" })).status).toBe(403);
  });

  it("registry and retention - parties with role, country, transfer and DPA status; rules, holds and a dry-run plan", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const registry = await a.html("/ops/registry");
    const { hosting } = crmFixtureParties();
    expect(registry).toContain("<td>processor</td>");
    expect(registry).toContain(`<td>${hosting.country}`);
    expect(registry).toMatch(/<td>(complete|incomplete: \d+ open items|missing)<\/td>/);
    const rule = { id: "de-vouchers-8y", title: "Accounting vouchers", selectors: { categories: ["financial.transactions"] }, trigger: { type: "endOfCalendarYear", field: "documentDate" }, duration: "P8Y", kind: "minimum", action: "delete", citation: "§ 257 HGB" };
    expect((await call("/v1/retention/rules", { method: "POST", key: admin, json: rule })).status).toBe(201);
    expect((await call("/v1/retention/holds", { method: "POST", key: admin, json: { id: "matter-7", matter: "Supplier dispute", scope: { recordTypes: ["contract"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" } })).status).toBe(201);
    const page = await a.html("/ops/retention");
    expect(page).toContain("<code>de-vouchers-8y</code>");
    expect(page).toContain("Supplier dispute");
    const records = JSON.stringify([{ id: "inv-1", recordType: "invoice", categories: ["financial.transactions"], createdAt: "2025-03-15", dates: { documentDate: "2025-03-15" } }]);
    const plan = await a.form("/ops/retention/plan", { records });
    expect(plan.status).toBe(200);
    const planHtml = await plan.text();
    expect(planHtml).toContain("2034-01-01 00:00 UTC");
    expect(planHtml).toMatch(/Records evaluated<\/th><td>1<\/td>/);
    const bad = await a.form("/ops/retention/plan", { records: JSON.stringify([{ id: "x" }]) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/records\.0\.\w+/);
    const notJson = await a.form("/ops/retention/plan", { records: "{" });
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toContain("records: not valid JSON");
  });

  it("charts - SVG bars and tables match the request counts per week, the median days and the consent acceptance rate", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    const html = await a.html("/ops/charts");
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).not.toMatch(/<script/i);
    const expected = new Map<string, number>();
    for (const d of received) expected.set(mondayOf(d), (expected.get(mondayOf(d)) ?? 0) + 1);
    const weeks = [...html.matchAll(/<tr><td>(\d{4}-\d{2}-\d{2})<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(weeks).toHaveLength(12);
    for (const [week, count] of weeks) {
      expect(count, week).toBe(expected.get(week) ?? 0);
      expect(html).toContain(`data-label="${week}" data-value="${count}"`);
    }
    expect(weeks.reduce((n, [, c]) => n + c, 0)).toBe(received.length);
    expect(html).toMatch(/<tr><td><code>objection<\/code><\/td><td>1<\/td><td>2<\/td><\/tr>/);
    expect(html).toContain('data-label="objection" data-value="2"');
    expect(html).toContain("<tr><td>signup v1</td><td>2</td><td>1</td><td>67 %</td></tr>");
    expect(html).toContain('data-label="signup v1" data-value="0.667"');
    expect(html).not.toContain("@example.com");
  });

  it("tenant isolation - another tenant's operator sees none of acme's requests, parties, consents or counts", async () => {
    const a = agent(() => h.lawful);
    await a.login(other);
    const queue = await a.html("/ops");
    expect(rowOf(queue, ids.foreign!)).not.toBeNull();
    for (const name of ["overdue", "soon", "later", "worked"]) expect(queue).not.toContain(ids[name]!);
    expect((await a.request(`/ops/requests/${ids.overdue}`)).status).toBe(404);
    expect(await a.html("/ops/registry")).not.toContain("Hosting");
    const charts = await a.html("/ops/charts");
    expect(charts).not.toContain("signup v1");
    expect([...charts.matchAll(/data-value="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0)).toBe(1);
    expect(await a.html("/ops/retention")).not.toContain("de-vouchers-8y");
    expect(await a.html("/ops/audit")).toContain("Globex");
  });

  it("escaping - hostile tenant and party names are shown as text, never as markup", async () => {
    const a = agent(() => h.lawful);
    await a.login(admin);
    for (const path of ["/ops", "/ops/registry", "/ops/audit"]) {
      const html = await a.html(path);
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&#60;img src=x onerror=alert(1)&#62;");
    }
    const registry = await a.html("/ops/registry");
    expect(registry).not.toContain('<script>alert("pwned")</script>');
    expect(registry).toContain("&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62; Hosting");
  });
});

/** A server with a clock the test moves. */
async function clockedServer(kind: "sqlite" | "postgres", clock: { now(): Date }): Promise<Harness> {
  return kind === "sqlite" ? sqliteHarness("operator-clock.db", {}, { clock }) : postgresHarness("operator", {}, { clock });
}

describe.each(["sqlite", "postgres"] as const)("operator session expiry on %s", (kind) => {
  let h: Harness;
  let at = Date.parse("2026-11-02T09:00:00Z");
  const clock = { now: () => new Date(at) };
  beforeAll(async () => {
    h = await clockedServer(kind, clock);
  });
  afterAll(async () => h?.cleanup());

  it("expiry - the session ends 8 hours after sign-in, however active it was", async () => {
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme" });
    const { secret } = await h.lawful.tenants.createKey(t.id, { name: "ops", scopes: ["requests"] });
    const a = agent(() => h.lawful);
    expect((await a.login(secret)).status).toBe(303);
    at += OPERATOR_SESSION_TTL_MS - 60_000;
    expect((await a.request("/ops")).status).toBe(200);
    at += 60_000;
    const expired = await a.request("/ops");
    expect(expired.status).toBe(303);
    expect(expired.headers.get("location")).toBe("/ops/login");
    // a new sign-in clears expired rows
    await a.login(secret);
    const rows = await h.lawful.db.sql.all<{ expires_at: string }>("SELECT expires_at FROM server_operator_sessions");
    expect(rows).toEqual([{ expires_at: new Date(at + OPERATOR_SESSION_TTL_MS).toISOString() }]);
  });
});
