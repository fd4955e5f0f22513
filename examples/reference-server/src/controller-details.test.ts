import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, caller, runCli, useCliSqliteFile, type Harness } from "./test-harness.js";

const DETAILS = {
  contact: { email: "privacy@acme.example", phone: "+49 30 1234567" },
  address: { lines: ["Hauptstraße 5"], postalCode: "10115", locality: "Berlin", country: "DE" },
  representative: { name: "EU Rep <b>Ltd</b>", contact: { email: "rep@rep.example" }, country: "IE" },
  dpo: { name: "Dana Schutz", email: "dpo@acme.example" },
};

describe.each(BACKENDS)("controller details of a tenant (%s)", (_name, open) => {
  let h: Harness;
  let admin = "";
  let registryKey = "";
  const call = caller(() => h.lawful);

  beforeAll(async () => {
    h = await open();
    const acme = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    admin = (await h.lawful.tenants.createKey(acme.id, { name: "admin", scopes: ["admin"] })).secret;
    registryKey = (await h.lawful.tenants.createKey(acme.id, { name: "registry", scopes: ["registry"] })).secret;
  });
  afterAll(async () => h?.cleanup());

  it("records of processing - refused with 409 naming Art. 30(1)(a) until the contact details are set", async () => {
    expect(((await (await call("/v1/tenant", { key: admin })).json()) as { controllerDetails: unknown }).controllerDetails).toBeNull();
    const res = await call("/v1/registry/ropa?format=json", { key: registryKey });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Art. 30(1)(a)");
  });

  it("PUT /v1/tenant/controller-details - needs the admin scope; a bad field is a 400 naming it, and nothing is stored", async () => {
    expect((await call("/v1/tenant/controller-details", { method: "PUT", key: registryKey, json: DETAILS })).status).toBe(403);
    const bad = await call("/v1/tenant/controller-details", { method: "PUT", key: admin, json: { ...DETAILS, contact: { email: "not an address" } } });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { issues: { path: (string | number)[] }[] };
    expect(problem.issues.map((i) => i.path.join("."))).toContain("body.contact.email");
    expect(JSON.stringify(problem)).not.toContain("not an address");
    const unknown = await call("/v1/tenant/controller-details", { method: "PUT", key: admin, json: { ...DETAILS, vatId: "DE123" } });
    expect(unknown.status).toBe(400);
    expect(((await (await call("/v1/tenant", { key: admin })).json()) as { controllerDetails: unknown }).controllerDetails).toBeNull();
  });

  it("PUT /v1/tenant/controller-details - stores them, shows them on GET /v1/tenant and audits the change", async () => {
    const res = await call("/v1/tenant/controller-details", { method: "PUT", key: admin, json: DETAILS });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { controllerDetails: unknown }).controllerDetails).toEqual(DETAILS);
    expect(((await (await call("/v1/tenant", { key: registryKey })).json()) as { controllerDetails: unknown }).controllerDetails).toEqual(DETAILS);
    const events = (await (await call("/v1/audit/events?action=registry.controller_details_saved", { key: admin })).json()) as { events: { target: { recordId: string } }[] };
    expect(events.events.map((e) => e.target.recordId)).toEqual(["acme"]);
  });

  it("records of processing - name the controller with contact, address, representative and DPO in JSON, CSV and HTML", async () => {
    const doc = (await (await call("/v1/registry/ropa?format=json", { key: registryKey })).json()) as { meta: { controller: Record<string, string> } };
    expect(doc.meta.controller).toEqual({
      id: "acme",
      name: "Acme GmbH",
      contact: "privacy@acme.example, +49 30 1234567",
      address: "Hauptstraße 5, 10115 Berlin, DE",
      representative: "EU Rep <b>Ltd</b>, rep@rep.example, IE",
      dpoContact: "Dana Schutz, dpo@acme.example",
    });
    const csv = await (await call("/v1/registry/ropa?format=csv", { key: registryKey })).arrayBuffer();
    expect(csv.byteLength).toBeGreaterThan(0);
    const html = await (await call("/v1/registry/ropa?format=html", { key: registryKey })).text();
    expect(html).toContain("Dana Schutz, dpo@acme.example");
    expect(html).toContain("EU Rep &lt;b&gt;Ltd&lt;/b&gt;");
  });

  it("privacy center - shows the controller's contact, address, representative and DPO, escaped, in the visitor's language", async () => {
    const en = await (await call("/p/acme/privacy")).text();
    expect(en).toContain("<dt>Data protection officer</dt><dd>Dana Schutz, dpo@acme.example</dd>");
    expect(en).toContain("EU Rep &#60;b&#62;Ltd&#60;/b&#62;, rep@rep.example, IE");
    expect(en).not.toContain("<b>Ltd</b>");
    const de = await (await call("/p/acme/privacy", { headers: { "accept-language": "de" } })).text();
    expect(de).toContain("<dt>Anschrift</dt><dd>Hauptstraße 5, 10115 Berlin, DE</dd>");
  });

  it("subject export - the access package names the controller with its contact details", async () => {
    const res = await call(`/v1/subjects/${encodeURIComponent("email:ada@example.com")}/export?format=json`, { key: admin });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { meta: { controller: Record<string, string> } };
    expect(doc.meta.controller).toMatchObject({ name: "Acme GmbH", contact: "privacy@acme.example, +49 30 1234567", dpoContact: "Dana Schutz, dpo@acme.example" });
  });
});

describe("lawful tenant create --email / tenant contact", () => {
  useCliSqliteFile("tenant-contact.db");

  it("tenant create --email --dpo-email - the tenant starts with its contact and DPO", async () => {
    const r = await runCli("tenant", "create", "acme", "--name", "Acme GmbH", "--email", "privacy@acme.example", "--dpo-email", "dpo@acme.example", "--json");
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { tenant: { controllerDetails: unknown } }).tenant.controllerDetails).toEqual({ contact: { email: "privacy@acme.example" }, dpo: { email: "dpo@acme.example" } });
  });

  it("tenant contact - replaces the contact, keeps the DPO unless given, refuses a bad address with the field named", async () => {
    const r = await runCli("tenant", "contact", "acme", "--email", "datenschutz@acme.example", "--phone", "+49 30 999", "--json");
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { controllerDetails: unknown }).controllerDetails).toEqual({ contact: { email: "datenschutz@acme.example", phone: "+49 30 999" }, dpo: { email: "dpo@acme.example" } });
    // main() throws typed errors; the bin prints them as "CODE: message" and exits 1
    const bad = await runCli("tenant", "contact", "acme", "--email", "nope").catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("contact.email") as unknown });
    expect((bad as Error).message).not.toContain("nope");
    expect((await runCli("tenant", "contact", "acme")).code).toBe(2);
    expect((await runCli("tenant", "contact", "nobody", "--email", "a@b.example")).code).toBe(1);
    const list = JSON.parse((await runCli("tenant", "list", "--json")).out) as { controllerDetails: { contact: { email: string } } }[];
    expect(list[0]!.controllerDetails.contact.email).toBe("datenschutz@acme.example");
  });
});
