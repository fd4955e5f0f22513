import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { isLawfulError } from "@lawful/core";
import { verifyExportBundle } from "@lawful/export";
import { crmFixtureParties } from "@lawful/registry/testing";
import { main } from "./cli.js";
import { loadConfig } from "./config.js";
import { accessRequestExportDocument, renderExport } from "./exports.js";
import { createLawful, type Lawful } from "./server.js";
import { BACKENDS, caller, runCli, unzipText, useCliSqliteFile, type Harness } from "./test-harness.js";

const ADA = `/v1/subjects/${encodeURIComponent("email:ada@example.com")}/export`;
const IP = "203.0.113.7";
/** The consent service keeps the form's address truncated (its default IP policy). */
const KEPT_IP = "203.0.113.0";
const HOSTILE_UA = 'Mozilla/5.0 <img src=x onerror="alert(1)">';
const HOSTILE_PURPOSE = "<script>alert('purpose')</script> Partner offers";


/** Purposes, a notice and a form for `acme`, two active processors, a retention rule, and Ada's consent captured through the public form. */
async function seedAcme(lawful: Lawful, key: string): Promise<void> {
  const call = caller(() => lawful);
  const ok = async (res: Response | Promise<Response>) => {
    const r = await res;
    expect(r.status, await r.clone().text()).toBeLessThan(300);
  };
  await ok(call("/v1/purposes", { method: "POST", key, json: { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" } }));
  await ok(call("/v1/purposes", { method: "POST", key, json: { id: "partner-offers", name: HOSTILE_PURPOSE, channel: "email", lawfulBasis: "consent", regime: "EU" } }));
  await ok(
    call("/v1/notices", {
      method: "POST",
      key,
      json: {
        noticeId: "signup",
        version: 1,
        locale: "en",
        contentType: "text/plain",
        content: "Acme GmbH sends you its newsletter and, if you wish, partner offers. You can withdraw at any time.",
        controllers: [{ name: "Acme GmbH" }],
        purposes: ["newsletter", "partner-offers"],
        dataCategories: ["contact.email"],
        withdrawalInfo: "Use the unsubscribe link in every e-mail.",
      },
    }),
  );
  await ok(
    call("/v1/forms", {
      method: "POST",
      key,
      json: {
        id: "landing",
        notice: { noticeId: "signup", version: 1 },
        fields: [
          { purposeId: "newsletter", fieldName: "newsletter", label: "Newsletter" },
          { purposeId: "partner-offers", fieldName: "partners", label: "Partner offers" },
        ],
      },
    }),
  );
  const { hosting, mailer } = crmFixtureParties();
  for (const party of [hosting, mailer]) {
    await ok(call("/v1/registry/parties", { method: "POST", key, json: party }));
    await ok(call(`/v1/registry/parties/${party.id}/activate`, { method: "POST", key }));
  }
  await ok(
    call("/v1/retention/rules", {
      method: "POST",
      key,
      json: { id: "consent-proof-3y", title: "Consent proof", selectors: { categories: ["consent.proof"] }, trigger: { type: "consentWithdrawn" }, duration: "P3Y", kind: "minimum" },
    }),
  );
  const captured = await lawful.app.request(
    "/p/acme/forms/landing/submit",
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": HOSTILE_UA, referer: "https://acme.example/landing" },
      body: "email=Ada%40Example.com&newsletter=on&partners=on",
    },
    { incoming: { socket: { remoteAddress: IP } } },
  );
  expect(captured.status, await captured.clone().text()).toBe(201);
}

describe.each(BACKENDS)("exports on %s", (_name, make) => {
  let h: Harness;
  let admin: string;
  let exportsKey: string;
  let registryKey: string;
  let consentKey: string;
  let otherKey: string;
  const call = caller(() => h.lawful);

  beforeAll(async () => {
    h = await make();
    const acme = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH", controllerDetails: { contact: { email: "privacy@acme.example" } } });
    const other = await h.lawful.tenants.create({ slug: "other", name: "Other Ltd" });
    admin = (await h.lawful.tenants.createKey(acme.id, { name: "admin", scopes: ["admin"] })).secret;
    exportsKey = (await h.lawful.tenants.createKey(acme.id, { name: "exports", scopes: ["exports"] })).secret;
    registryKey = (await h.lawful.tenants.createKey(acme.id, { name: "registry", scopes: ["registry"] })).secret;
    consentKey = (await h.lawful.tenants.createKey(acme.id, { name: "consent", scopes: ["consent"] })).secret;
    otherKey = (await h.lawful.tenants.createKey(other.id, { name: "admin", scopes: ["admin"] })).secret;
    await seedAcme(h.lawful, admin);
  });
  afterAll(async () => h?.cleanup());

  it("GET /v1/subjects/{subject}/export?format=json - the access package carries the consent proof and the Art. 15 information", async () => {
    const res = await call(`${ADA}?format=json`, { key: exportsKey });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="access-acme-\d{4}-\d{2}-\d{2}\.json"$/);
    const doc = (await res.json()) as {
      meta: { kind: string; subjectPseudonym: string; controller: { name: string }; categories: string[] };
      sections: { key: string; items: Record<string, unknown>[] }[];
      entities: { name: string; rows: Record<string, unknown>[] }[];
    };
    expect(doc.meta.kind).toBe("access");
    expect(doc.meta.controller.name).toBe("Acme GmbH");
    expect(doc.meta.subjectPseudonym).not.toContain("ada");
    expect(doc.meta.categories).toEqual(expect.arrayContaining(["consent.proof", "online.ip_address"]));
    const history = doc.entities.find((e) => e.name === "consent_history")!.rows;
    expect(history).toHaveLength(2);
    for (const row of history) {
      expect(row).toMatchObject({ action: "given", ip_address: KEPT_IP, user_agent: HOSTILE_UA, notice_id: "signup", notice_version: "1", form_url: "https://acme.example/landing" });
      expect(row.notice_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(Date.parse(row.occurred_at as string)).not.toBeNaN();
    }
    expect(history.map((r) => r.purpose).sort()).toEqual(["newsletter", "partner-offers"]);
    // the server's own copy of the consent records, from the request engine's data source
    expect(doc.entities.find((e) => e.name === "lawful_consent")!.rows).toHaveLength(2);
    const section = (key: string) => doc.sections.find((s) => s.key === key)!.items;
    expect(section("confirmation")).toEqual([{ processing: true }]);
    expect(section("purposes").map((p) => p.name)).toEqual(expect.arrayContaining(["Newsletter", HOSTILE_PURPOSE]));
    expect(section("recipients").map((r) => r.name)).toEqual(expect.arrayContaining(["Nordhost Rechenzentren GmbH", "Postbote Mail Ltd"]));
    expect(section("retention")).toEqual(expect.arrayContaining([expect.objectContaining({ scope: "consent.proof", period: expect.stringContaining("3 years") as unknown })]));
    expect(section("complaint_right")[0]!.authority).toContain("Art. 77");
  });

  it("GET /v1/subjects/{subject}/export?format=csv - one RFC 4180 table with every part; formulas neutralised", async () => {
    const res = await call(`${ADA}?format=csv`, { key: exportsKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="access-acme-[\d-]+\.csv"$/);
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("part,name,row,field,value");
    expect(lines).toContain(`entity,consent_history,1,ip_address,${KEPT_IP}`);
    expect(lines).toContain("entity,consent_history,1,notice_id,signup");
    expect(lines).toContain("section,purposes,1,lawful_basis,consent");
    expect(lines).toContain("meta,meta,,kind,access");
    expect(text.endsWith("\r\n")).toBe(true);
  });

  it("GET /v1/subjects/{subject}/export?format=html - the report escapes a hostile purpose name and user agent", async () => {
    const res = await call(`${ADA}?format=html`, { key: exportsKey, headers: { "accept-language": "de-DE,de;q=0.9" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('<html lang="de"');
    expect(html).toContain("&lt;script&gt;alert(&#39;purpose&#39;)&lt;/script&gt; Partner offers");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(KEPT_IP);
  });

  it("GET /v1/subjects/{subject}/export?format=zip - the bundle verifies against its manifest and holds the proof", async () => {
    const res = await call(`${ADA}?format=zip`, { key: exportsKey });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="access-acme-[\d-]+\.zip"$/);
    const zip = new Uint8Array(await res.arrayBuffer());
    const check = await verifyExportBundle(zip);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.manifest?.kind).toBe("access");
    const files = unzipText(zip);
    expect([...files.keys()]).toEqual(expect.arrayContaining(["data.json", "report.html", "csv/consent_history.csv", "manifest.json"]));
    expect(files.get("csv/consent_history.csv")).toContain(KEPT_IP);
    expect(files.get("data.json")).toContain("signup");
  });

  it("data.exported - every subject export is audited under the pseudonym, without personal data, and the log verifies", async () => {
    const before = ((await (await call("/v1/audit/events?action=data.exported", { key: admin })).json()) as { events: unknown[] }).events.length;
    expect((await call(`${ADA}?format=json`, { key: exportsKey })).status).toBe(200);
    const events = ((await (await call("/v1/audit/events?action=data.exported", { key: admin })).json()) as { events: { action: string; subject?: string; actor: { id: string } }[] }).events;
    expect(events).toHaveLength(before + 1);
    expect(before).toBeGreaterThanOrEqual(4);
    const raw = JSON.stringify(events);
    expect(raw.toLowerCase()).not.toContain("ada@example.com");
    expect(raw).not.toContain(KEPT_IP);
    expect(events.every((e) => e.action === "data.exported" && typeof e.subject === "string" && e.actor.id.startsWith("key:"))).toBe(true);
    expect(((await (await call("/v1/audit/verify", { key: admin })).json()) as { ok: boolean }).ok).toBe(true);
  });

  it("GET /v1/registry/ropa - the records of processing in JSON, CSV and HTML", async () => {
    const json = await call("/v1/registry/ropa?format=json", { key: registryKey });
    expect(json.status, await json.clone().text()).toBe(200);
    expect(json.headers.get("content-disposition")).toMatch(/^attachment; filename="records-of-processing-acme-[\d-]+\.json"$/);
    const doc = (await json.json()) as { meta: { kind: string }; entities: { name: string; rows: Record<string, unknown>[] }[] };
    expect(doc.meta.kind).toBe("records_of_processing");
    const rows = doc.entities[0]!.rows;
    expect(doc.entities[0]!.name).toBe("processing_activities");
    expect(rows.map((r) => r.id).sort()).toEqual(["newsletter", "partner-offers"]);
    const newsletter = rows.find((r) => r.id === "newsletter")!;
    expect(newsletter).toMatchObject({ name: "Newsletter", lawful_bases: "consent" });
    expect(newsletter.data_categories).toBe("consent.proof; contact.email");
    expect(newsletter.recipients).toContain("Nordhost Rechenzentren GmbH");
    expect(newsletter.recipients).toContain("Postbote Mail Ltd");
    expect(newsletter.retention).toContain("consent.proof: P3Y");
    expect(JSON.stringify(doc)).not.toContain("example.invalid");

    const csv = await call("/v1/registry/ropa?format=csv", { key: registryKey });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).split("\r\n");
    expect(lines[0]).toBe(
      "id,name,controller_role,joint_controllers,purposes,lawful_bases,data_subject_categories,data_categories,special_categories,recipients,third_country_transfers,retention,security_measures,automated_decision_making,dpia_required,updated_at",
    );
    expect(lines.filter((l) => l.startsWith("newsletter,Newsletter,controller,"))).toHaveLength(1);

    const html = await call("/v1/registry/ropa?format=html", { key: registryKey });
    expect(html.status).toBe(200);
    const page = await html.text();
    expect(page).toContain("Nordhost Rechenzentren GmbH");
    expect(page).toContain("&lt;script&gt;alert(&#39;purpose&#39;)&lt;/script&gt;");
    expect(page).not.toContain("<script>");
  });

  it("scopes - the subject export needs `exports`, the ROPA `registry`; `exports` opens no consent route", async () => {
    expect((await call(`${ADA}?format=json`, { key: consentKey })).status).toBe(403);
    expect((await call(`${ADA}?format=json`, { key: registryKey })).status).toBe(403);
    expect((await call("/v1/registry/ropa", { key: exportsKey })).status).toBe(403);
    expect((await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key: exportsKey })).status).toBe(403);
    expect((await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/consents`, { key: consentKey })).status).toBe(200);
    expect((await call(`${ADA}?format=json`)).status).toBe(401);
    expect((await call(`${ADA}?format=json`, { key: admin })).status).toBe(200);
  });

  it("GET /openapi.json - both export routes are documented with their format parameter", async () => {
    const spec = (await (await call("/openapi.json")).json()) as { paths: Record<string, { get?: { parameters?: { name: string; schema: { enum?: string[] } }[] } }> };
    const formats = (path: string) => spec.paths[path]?.get?.parameters?.find((p) => p.name === "format")?.schema.enum;
    expect(formats("/v1/subjects/{subject}/export")).toEqual(["json", "csv", "html", "zip"]);
    expect(formats("/v1/registry/ropa")).toEqual(["json", "csv", "html"]);
  });

  it("tenant isolation - another tenant's key exports nothing of acme", async () => {
    const res = await call(`${ADA}?format=json`, { key: otherKey });
    expect(res.status).toBe(200);
    const text = await res.text();
    const doc = JSON.parse(text) as { meta: { controller: { name: string } }; sections: { key: string; items: Record<string, unknown>[] }[]; entities: { name: string; rows: unknown[] }[] };
    expect(doc.meta.controller.name).toBe("Other Ltd");
    expect(doc.sections.find((s) => s.key === "confirmation")!.items).toEqual([{ processing: false }]);
    expect(doc.entities.flatMap((e) => e.rows)).toEqual([]);
    expect(text).not.toContain(KEPT_IP);
    expect(text).not.toContain("Nordhost");
    // Other Ltd has set no contact details, so it gets no records of processing (Art. 30(1)(a)) — and never acme's
    const ropa = await call("/v1/registry/ropa?format=json", { key: otherKey });
    expect(ropa.status).toBe(409);
    expect(await ropa.text()).not.toContain("Nordhost");
  });

  it("bad input - an unknown format or subject is a 400 problem naming the field; nothing is audited", async () => {
    const before = ((await (await call("/v1/audit/events?action=data.exported", { key: admin })).json()) as { events: unknown[] }).events.length;
    for (const path of [`${ADA}?format=xlsx`, "/v1/registry/ropa?format=zip"]) {
      const res = await call(path, { key: admin });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const body = (await res.json()) as { code: string; issues: { path: (string | number)[] }[] };
      expect(body.code).toBe("VALIDATION_FAILED");
      expect(body.issues.some((i) => i.path.includes("format"))).toBe(true);
    }
    const badSubject = await call(`/v1/subjects/${encodeURIComponent("nonsense:zelda-private")}/export`, { key: admin });
    expect(badSubject.status).toBe(400);
    const body = (await badSubject.json()) as { issues: { path: string[] }[]; detail: string };
    expect(body.issues[0]!.path).toEqual(["subject"]);
    expect(body.detail).not.toContain("zelda");
    const after = ((await (await call("/v1/audit/events?action=data.exported", { key: admin })).json()) as { events: unknown[] }).events.length;
    expect(after).toBe(before);
  });

  it("accessRequestExportDocument - a completed access request exports its stored result; unknown ids and open requests are refused", async () => {
    const { dsr } = h.lawful.services;
    const tenant = (await h.lawful.tenants.bySlug("acme"))!;
    const code = async (p: Promise<unknown>) => p.then(() => "resolved", (e: unknown) => (isLawfulError(e) ? e.code : "other"));
    expect(await code(accessRequestExportDocument(h.lawful.services, tenant, "0192f0c4-0000-7000-8000-000000000000", "en"))).toBe("NOT_FOUND");
    const { request } = await dsr.submit({ tenantId: tenant.id, type: "access", regime: "EU", subject: { kind: "email", value: "ada@example.com" }, channel: "web_form", timeZone: "Europe/Berlin", calendarId: "DE" });
    expect(await code(accessRequestExportDocument(h.lawful.services, tenant, request.id, "en"))).toBe("ILLEGAL_TRANSITION");
    const { secret } = await dsr.requestVerification(tenant.id, request.id, { kind: "code" });
    expect((await dsr.submitVerificationSecret(tenant.id, request.id, secret)).ok).toBe(true);
    await dsr.start(tenant.id, request.id);
    for (let i = 0; i < 10 && (await dsr.get(tenant.id, request.id)).state === "in_progress"; i++) await dsr.work({ workerId: "exports-test" });
    expect((await dsr.get(tenant.id, request.id)).state).toBe("completed");
    // another tenant cannot reach the request
    const other = (await h.lawful.tenants.bySlug("other"))!;
    expect(await code(accessRequestExportDocument(h.lawful.services, other, request.id, "en"))).toBe("NOT_FOUND");

    const doc = await accessRequestExportDocument(h.lawful.services, tenant, request.id, "de");
    expect(doc.meta.language).toBe("de");
    expect(doc.meta.subjectPseudonym).toBe((await dsr.get(tenant.id, request.id)).subjectKey);
    const zip = await new Response((await renderExport(doc, "zip", "de")).body).arrayBuffer();
    const check = await verifyExportBundle(new Uint8Array(zip));
    expect(check.ok).toBe(true);
    const history = (JSON.parse(unzipText(new Uint8Array(zip)).get("data.json")!) as { entities: { name: string; rows: Record<string, unknown>[] }[] }).entities.find((e) => e.name === "consent_history")!.rows;
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ ip_address: KEPT_IP, user_agent: HOSTILE_UA, notice_id: "signup", notice_version: "1" });
  });
});


describe("lawful export subject on a SQLite file", () => {
  const cli = useCliSqliteFile("exports-cli.db");

  beforeAll(async () => {
    const { file } = cli;
    const lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const tenant = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    await seedAcme(lawful, (await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] })).secret);
    await lawful.close();
  });
  it("export subject - writes a verifiable ZIP bundle to --out and audits data.exported as the CLI", async () => {
    const out = join(cli.file.dir, "ada.zip");
    const r = await runCli("export", "subject", "acme", "email:ada@example.com", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^Wrote access-acme-[\d-]+\.zip to /);
    expect(r.err).not.toContain("ada@example.com");
    const check = await verifyExportBundle(out);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(unzipText(new Uint8Array(readFileSync(out))).get("csv/consent_history.csv")).toContain(KEPT_IP);
    const lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${cli.file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    try {
      const tenant = (await lawful.tenants.bySlug("acme"))!;
      const page = await lawful.services.audit.query(tenant.id, { actionPrefix: "data.exported" });
      expect(page.events.map((e) => e.actor)).toEqual([{ type: "system", id: "lawful-cli" }]);
      expect((await lawful.services.audit.verify(tenant.id)).ok).toBe(true);
    } finally {
      await lawful.close();
    }
  });

  it("export subject --format csv - writes the table to stdout", async () => {
    const r = await runCli("export", "subject", "acme", "email:ada@example.com", "--format", "csv");
    expect(r.code, r.err).toBe(0);
    expect(r.out.split("\r\n")[0]).toBe("part,name,row,field,value");
    expect(r.out).toContain(`entity,consent_history,1,ip_address,${KEPT_IP}`);
  });

  it("export subject - an unknown format, tenant or subject kind fails with a message and no output", async () => {
    const badFormat = await runCli("export", "subject", "acme", "email:ada@example.com", "--format", "xlsx");
    expect(badFormat.code).toBe(2);
    expect(badFormat.err).toContain("--format must be one of json, csv, html, zip");
    expect(badFormat.out).toBe("");
    const noTenant = await runCli("export", "subject", "nobody", "email:ada@example.com");
    expect(noTenant.code).toBe(1);
    expect(noTenant.err).toContain('No tenant with slug "nobody"');
    await expect(main(["export", "subject", "acme", "nonsense:ada"])).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
