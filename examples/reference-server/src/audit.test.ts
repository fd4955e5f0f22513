import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckpointVerifier, openCheckpoint, verifyExport, verifyInclusion } from "@lawful/audit";
import { BACKENDS, caller, type Harness } from "./test-harness.js";

describe.each(BACKENDS)("audit trail of the server on %s", (_name, make) => {
  let h: Harness;
  let key: string;
  let other: string;
  let tenantId = "";
  const call = caller(() => h.lawful);
  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    const o = await h.lawful.tenants.create({ slug: "globex", name: "Globex" });
    key = (await h.lawful.tenants.createKey(t.id, { name: "all", scopes: ["admin"] })).secret;
    other = (await h.lawful.tenants.createKey(o.id, { name: "all", scopes: ["admin"] })).secret;
    await call("/v1/purposes", { method: "POST", key, json: { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" } });
    for (const type of ["refused", "withdrawn"]) {
      await call("/v1/consent-events", { method: "POST", key, json: { subject: { kind: "email", value: "ada@example.com" }, purposeId: "newsletter", type, method: "button_clicked", evidence: { collectionPoint: "crm", ip: "203.0.113.9" } } });
    }
  });
  afterAll(async () => h?.cleanup());

  it("every state change is in the log, by pseudonym only; the log verifies", async () => {
    const page = (await (await call(`/v1/audit/events?subject=${encodeURIComponent("email:ada@example.com")}&action=consent`, { key })).json()) as { events: unknown[] };
    expect(page.events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(page)).not.toContain("ada@example.com");
    expect(JSON.stringify(page)).not.toContain("203.0.113.9");
    const report = (await (await call("/v1/audit/verify", { key })).json()) as { ok: boolean; eventsChecked: number; treeSize: number; rootHash: string };
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBeGreaterThanOrEqual(3);
    // the root of the whole log, as base64 (not a byte array serialised as an object)
    expect(report.rootHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(report.treeSize).toBe(await h.lawful.services.audit.size(tenantId));
  });

  it("checkpoints and proofs - a signed checkpoint verifies with the published key, and an inclusion proof against it", async () => {
    expect((await call("/v1/audit/checkpoints", { method: "POST", key })).status).toBe(201);
    const latest = (await (await call("/v1/audit/checkpoints/latest", { key })).json()) as { note: string; verifierKey: string; treeSize: number };
    const verifier = createCheckpointVerifier(latest.verifierKey);
    const opened = openCheckpoint(latest.note, [verifier]);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const proof = (await (await call("/v1/audit/events/1/proof", { key })).json()) as { leafHash: string; proof: string[]; treeSize: number };
    expect(proof.treeSize).toBe(opened.checkpoint.treeSize);
    const ok = verifyInclusion({
      index: 1,
      size: proof.treeSize,
      leafHash: new Uint8Array(Buffer.from(proof.leafHash, "base64")),
      proof: proof.proof.map((p) => new Uint8Array(Buffer.from(p, "base64"))),
      root: opened.checkpoint.rootHash,
    });
    expect(ok).toBe(true);
    expect((await call(`/v1/audit/events/${latest.treeSize + 5}/proof`, { key })).status).toBe(404);
  });

  it("export - the NDJSON export verifies offline against the public key", async () => {
    const res = await call("/v1/audit/export", { key });
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const text = await res.text();
    const { verifierKey } = (await (await call("/v1/audit/checkpoints/latest", { key })).json()) as { verifierKey: string };
    const result = await verifyExport(text, [createCheckpointVerifier(verifierKey)]);
    expect(result.ok).toBe(true);
  });

  it("tenant isolation - another tenant's log is separate", async () => {
    const page = (await (await call("/v1/audit/events", { key: other })).json()) as { events: unknown[] };
    expect(page.events).toEqual([]);
    expect((await call("/v1/audit/events/0/proof", { key: other })).status).toBe(404);
  });
});
