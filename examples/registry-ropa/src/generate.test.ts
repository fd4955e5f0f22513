import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { configureSqlite, createMemoryAuditSink } from "@lawful/core";
import type { ControllerRopaEntry } from "@lawful/registry";
import { TENANT, generateDocuments, registerCompany, tableToCsv } from "./generate.js";

const dir = mkdtempSync(join(tmpdir(), "lawful-ropa-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function documents() {
  const db = new Database(join(dir, `registry-${Math.random().toString(36).slice(2)}.db`));
  configureSqlite(db);
  const audit = createMemoryAuditSink();
  const { registry, clock } = await registerCompany({ database: db, audit });
  const docs = await generateDocuments(registry, clock);
  return { db, audit, registry, clock, docs };
}

const names = (e: ControllerRopaEntry, category: string) => e.recipientCategories.find((c) => c.category === category)?.recipients.map((r) => r.name) ?? [];

describe("example: records of processing and public sub-processor list", () => {
  it("buildControllerRopa - one Art. 30(1) record per purpose, with recipients, transfers and erasure limits, and no gaps", async () => {
    const { docs, db } = await documents();
    const { ropa } = docs;
    expect(ropa.kind).toBe("controller");
    expect(ropa.gaps).toEqual([]);
    const entries = ropa.entries as readonly ControllerRopaEntry[];
    expect(entries.map((e) => e.activity.id)).toEqual(["orders", "newsletter", "support"]);
    const [orders, newsletter, support] = entries;
    // (a) controller with DPO
    expect(orders?.controller.name).toBe("Elbkaffee Rösterei GmbH");
    expect(orders?.controller.dpo?.email).toBe("dpo@elbkaffee.example");
    // (d) recipients by category: the host, and the payment provider and carrier as independent controllers
    expect(names(orders!, "Processors")).toEqual(["Elbhost Rechenzentrum GmbH"]);
    expect(names(orders!, "Independent controllers (recipients)").sort()).toEqual(["Nordpaket Logistik GmbH", "PayFlux Europe S.A."]);
    expect(names(newsletter!, "Sub-processors")).toEqual(["PostRelay Inc."]);
    // (e) third-country transfers with their mechanism
    expect(orders?.thirdCountryTransfers).toEqual([]);
    expect(newsletter?.thirdCountryTransfers.map((t) => [t.country, t.recipient.name, t.mechanismKind])).toEqual([["US", "PostRelay Inc.", "scc"]]);
    expect(support?.thirdCountryTransfers.map((t) => [t.country, t.recipient.name, t.mechanismKind])).toEqual([["US", "HelpLoop Inc.", "adequacy"]]);
    // (f) erasure time limits linked to the retention rule ids
    expect(orders?.erasureTimeLimits?.find((l) => l.dataCategory === "financial.transactions")).toMatchObject({ period: "P8Y", retentionRuleIds: ["DE-HGB-257-vouchers-8y"] });
    expect(newsletter?.erasureTimeLimits?.find((l) => l.dataCategory === "contact.email")?.retentionRuleIds).toEqual(["newsletter-until-withdrawal"]);
    // (g) security description
    expect(support?.securityMeasures).toMatch(/ISO 27001/);
    // labels come from core's data-category taxonomy
    expect(orders?.personalDataCategories.find((c) => c.key === "contact.postal")?.label).toBe("Postal address");
    db.close();
  });

  it("ropaToJson / ropaToTable - give plain JSON and a table whose columns name the Art. 30(1) points", async () => {
    const { docs, db } = await documents();
    const json = JSON.parse(JSON.stringify(docs.ropaJson)) as { kind: string; generatedAt: string; entries: unknown[] };
    expect(json.kind).toBe("controller");
    expect(json.generatedAt).toBe("2026-03-05T08:00:00.000Z");
    expect(json.entries).toHaveLength(3);
    expect(docs.ropaTable.columns.map((c) => c.label.match(/Art\. 30\(1\)\((\w)\)/)?.[1]).filter(Boolean)).toEqual(["a", "b", "c", "c", "d", "e", "f", "g"]);
    const csv = tableToCsv(docs.ropaTable);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(4); // header + 3 records
    expect(csv).toContain('"US: PostRelay Inc. (');
    db.close();
  });

  it("buildPublicSubprocessorList - lists the active processors and sub-processors with their chain, nothing internal", async () => {
    const { docs, db } = await documents();
    const list = docs.subprocessors;
    expect(list.kind).toBe("subprocessors");
    expect(list.entries.map((e) => e.name)).toEqual(["Brevio SAS", "Elbhost Rechenzentrum GmbH", "HelpLoop Inc.", "PostRelay Inc."]);
    const relay = list.entries.find((e) => e.id === "smtp-relay");
    expect(relay?.engagedBy).toEqual([{ id: "newsletter-tool", name: "Brevio SAS" }]);
    expect(relay?.agreements.transfer).toMatch(/2021\/914/);
    expect(list.entries.find((e) => e.id === "hosting")?.agreements.dpa).toBeDefined();
    // independent controllers are recipients, not sub-processors; contract references are never published
    expect(list.entries.some((e) => e.id === "payments" || e.id === "carrier")).toBe(false);
    expect(JSON.stringify(list)).not.toContain("AVV-ELBHOST-2025");
    db.close();
  });

  it("renderPublicListHtml - a self-contained, escaped page that links the feed", async () => {
    const { docs, db } = await documents();
    const html = docs.subprocessorsHtml;
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<caption>Sub-processors of Elbkaffee Rösterei GmbH</caption>");
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(html).toContain("https://elbkaffee.example/privacy/subprocessors.atom");
    expect(html).not.toMatch(/<script|src=/i);
    expect((html.match(/<tr>/g) ?? []).length).toBe(5); // header + 4 entries
    db.close();
  });

  it("renderAtomFeed - announces the relay with its objection deadline, then its activation", async () => {
    const { docs, db } = await documents();
    const atom = docs.feedAtom;
    expect(atom).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    expect(atom).toContain("<id>https://elbkaffee.example/privacy/subprocessors.atom</id>");
    expect(atom).toContain('<category term="intended"');
    expect(atom).toContain("<lawful:objectionDeadline>2026-03-04T08:00:00Z</lawful:objectionDeadline>");
    expect(atom).toContain("Now in use: PostRelay Inc.");
    expect(atom).not.toContain("Nordpaket"); // independent controllers are not in the sub-processor feed
    db.close();
  });

  it("registerCompany - every registry change was audited, and a second run on the same file changes nothing", async () => {
    const { db, audit, registry, clock } = await documents();
    const actions = audit.events.map((e) => e.action);
    expect(actions.filter((a) => a === "registry.party_activated")).toHaveLength(6);
    expect(actions).toContain("registry.change_proposed");
    const before = (await registry.listParties(TENANT)).map((p) => `${p.id}@${p.version}`);
    const again = await registerCompany({ database: db, start: clock.now().toISOString() });
    expect((await again.registry.listParties(TENANT)).map((p) => `${p.id}@${p.version}`)).toEqual(before);
    db.close();
  });
});
