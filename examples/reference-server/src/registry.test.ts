import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { XMLValidator } from "fast-xml-parser";
import { crmFixtureParties } from "@lawful/registry/testing";
import { createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";

describe("registry over HTTP", () => {
  let file: TestSqliteFile;
  let lawful: Lawful;
  let admin: string;
  let other: string;
  let consentOnly: string;
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    if (init.body) headers.set("content-type", "application/json");
    return lawful.app.request(path, { ...init, headers });
  };

  beforeAll(async () => {
    file = createTestSqliteFile("registry.db");
    lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const a = await lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    const b = await lawful.tenants.create({ slug: "globex", name: "Globex" });
    admin = (await lawful.tenants.createKey(a.id, { name: "a", scopes: ["registry"] })).secret;
    consentOnly = (await lawful.tenants.createKey(a.id, { name: "c", scopes: ["consent"] })).secret;
    other = (await lawful.tenants.createKey(b.id, { name: "b", scopes: ["admin"] })).secret;
  });
  afterAll(async () => {
    await lawful?.close();
    file?.cleanup();
  });

  it("POST /v1/registry/parties - registers a processor; activation publishes it on the public list and feed", async () => {
    const { hosting } = crmFixtureParties();
    const created = await call("/v1/registry/parties", { method: "POST", key: admin, body: JSON.stringify(hosting) });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { status: string }).status).toBe("proposed");
    let list = (await (await call("/p/acme/subprocessors.json")).json()) as { entries: unknown[] };
    expect(list.entries).toHaveLength(0); // proposed parties are never public
    const activated = await call("/v1/registry/parties/hosting/activate", { method: "POST", key: admin });
    expect(activated.status).toBe(200);
    list = (await (await call("/p/acme/subprocessors.json")).json()) as { entries: { name: string }[] };
    expect(list.entries.map((e) => (e as { name: string }).name)).toEqual(["Nordhost Rechenzentren GmbH"]);
    const html = await (await call("/p/acme/subprocessors.html")).text();
    expect(html).toContain("Nordhost Rechenzentren GmbH");
    const atom = await call("/p/acme/subprocessors.atom");
    expect(atom.headers.get("content-type")).toContain("application/atom+xml");
    expect(XMLValidator.validate(await atom.text())).toBe(true);
  });

  it("POST /v1/registry/parties - an invalid party is refused with every problem, nothing stored", async () => {
    const { hosting } = crmFixtureParties();
    const res = await call("/v1/registry/parties", { method: "POST", key: admin, body: JSON.stringify({ ...hosting, id: "broken", country: "XX1", contact: {} }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: (string | number)[] }[] };
    expect(body.issues.length).toBeGreaterThanOrEqual(2);
    expect((await call("/v1/registry/parties/broken", { key: admin })).status).toBe(404);
  });

  it("tenant isolation and scopes - another tenant sees 404, a key without the scope gets 403", async () => {
    expect((await call("/v1/registry/parties/hosting", { key: other })).status).toBe(404);
    expect((await call("/v1/registry/parties/hosting/activate", { method: "POST", key: other })).status).toBe(404);
    const otherList = (await (await call("/v1/registry/parties", { key: other })).json()) as { items: unknown[] };
    expect(otherList.items).toHaveLength(0);
    expect((await call("/v1/registry/parties", { key: consentOnly })).status).toBe(403);
    expect(((await (await call("/p/globex/subprocessors.json")).json()) as { entries: unknown[] }).entries).toHaveLength(0);
    expect((await call("/p/nobody/subprocessors.json")).status).toBe(404);
  });
});
