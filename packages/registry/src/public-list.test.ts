import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { buildPublicSourceList, buildPublicSubprocessorList, renderPublicListHtml } from "./public-list.js";
import { renderAtomFeed, type ChangeFeedEntry } from "./feed.js";
import { PartyInputSchema, type PartyRecord } from "./party.js";
import { crmFixtureParties } from "./testing/fixtures.js";
import { createDataCategoryTaxonomy } from "@lawful/core";
import { createCrmFixtureRegistry } from "./testing/fixtures.js";

const T = "acme-crm";
const actor = { type: "staff" as const, id: "u_dpo" };
const taxonomy = createDataCategoryTaxonomy();
const fixtureRegistry = () => createCrmFixtureRegistry({ tenantId: T });

const feedOptions = {
  id: "https://acme-crm.example/legal/subprocessors.atom",
  title: "Acme CRM sub-processor changes",
  selfUrl: "https://acme-crm.example/legal/subprocessors.atom",
  alternateUrl: "https://acme-crm.example/legal/subprocessors",
  author: { name: "Acme CRM GmbH", email: "privacy@acme-crm.example" },
};

function parseAtom(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (name) => ["entry", "link", "category"].includes(name) });
  return parser.parse(xml) as { feed: Record<string, unknown> & { entry?: Record<string, unknown>[] } };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("public lists", () => {
  it("buildPublicSubprocessorList - shows only active processors and sub-processors, with their chain and agreements", async () => {
    const { registry, clock } = await fixtureRegistry();
    const { hosting } = crmFixtureParties();
    await registry.createParty(T, { ...hosting, id: "pending", legalName: "Pending Host GmbH" }, { actor });
    await registry.createParty(T, { ...hosting, id: "old", legalName: "Old Host GmbH" }, { actor });
    await registry.activateParty(T, "old", { actor });
    await registry.retireParty(T, "old", { actor });
    const list = buildPublicSubprocessorList(await registry.listParties(T), { generatedAt: clock.now(), describeCategory: taxonomy.describe });
    expect(list.entries.map((e) => e.id)).toEqual(["relay", "analytics", "hosting", "mailer"]);
    const relay = list.entries.find((e) => e.id === "relay")!;
    expect(relay.engagedBy).toEqual([{ id: "mailer", name: "Postbote Mail Ltd" }]);
    expect(relay.agreements.transfer).toMatch(/module 3/);
    const mailer = list.entries.find((e) => e.id === "mailer")!;
    expect(mailer.agreements.dpa).toEqual({ signedAt: "2026-01-10T00:00:00.000Z" });
    expect(mailer.dataCategories).toContainEqual({ key: "contact.email", label: "E-mail address" });
    expect(JSON.stringify(list)).not.toMatch(/DPA-MAIL|notes/);
    const sources = buildPublicSourceList(await registry.listParties(T), { generatedAt: clock.now() });
    expect(sources.entries.map((e) => [e.id, e.publiclyAccessible])).toEqual([["visitor-id", false]]);
  });

  it("buildPublicSubprocessorList - a party never appears before it is active, whatever its history", async () => {
    const { registry, clock } = await fixtureRegistry();
    const { relay } = crmFixtureParties();
    await registry.createParty(T, { ...relay, id: "relay2", legalName: "Relay Two Inc." }, { actor });
    await registry.proposeChange(T, { partyId: "relay2", kind: "addition" }, { actor });
    const parties = await registry.listParties(T);
    const list = buildPublicSubprocessorList(parties, { generatedAt: clock.now() });
    for (const e of list.entries) expect(parties.find((p) => p.id === e.id)?.status).toBe("active");
    expect(list.entries.some((e) => e.id === "relay2")).toBe(false);
  });

  it("renderPublicListHtml - renders an accessible, self-contained document and escapes everything", async () => {
    const { registry, clock } = await fixtureRegistry();
    const { hosting } = crmFixtureParties();
    await registry.createParty(T, { ...hosting, id: "evil", legalName: `<script>alert("x")</script> & Co`, services: [`<img src=x onerror=alert(1)>`] }, { actor });
    await registry.activateParty(T, "evil", { actor });
    const list = buildPublicSubprocessorList(await registry.listParties(T), { generatedAt: clock.now(), describeCategory: taxonomy.describe });
    const html = renderPublicListHtml(list, { organisation: "Acme <CRM>", feedUrl: "https://acme-crm.example/legal/subprocessors.atom" });
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(html).toContain("Acme &lt;CRM&gt;");
    expect(html).toContain("<caption>");
    expect(html).toContain('<th scope="col">Organisation</th>');
    expect(html).toContain('<th scope="row">');
    expect(html).toMatch(/<time datetime="2026-/);
    // no external assets
    expect(html).not.toMatch(/<(script|img|iframe|object|embed)\b|<link\b(?![^>]*rel="alternate")|\ssrc="|@import|url\(/i);
    const fragment = renderPublicListHtml(buildPublicSourceList(await registry.listParties(T), { generatedAt: clock.now() }), { fragment: true });
    expect(fragment).toMatch(/^<section/);
    expect(fragment).toContain("LeadSpotter B.V.");
    expect(() => renderPublicListHtml(list, { feedUrl: "javascript:alert(1)" })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }) as Error);
    expect(renderPublicListHtml(list, { feedUrl: "/legal/subprocessors.atom", fragment: true })).toContain('href="/legal/subprocessors.atom"');
    expect(() => renderPublicListHtml(list, { lang: "not a tag" })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }) as Error);
  });
});

describe("Atom feed", () => {
  it("renderAtomFeed - the change feed validates as Atom 1.0 with every required element", async () => {
    const { registry, clock, notice } = await fixtureRegistry();
    const { relay } = crmFixtureParties();
    await registry.createParty(T, { ...relay, id: "relay2", legalName: "Relay & Sons <Inc>" }, { actor });
    await registry.proposeChange(T, { partyId: "relay2", kind: "replacement", replacesPartyId: "relay", noticePeriodDays: 45 }, { actor });
    clock.advance({ days: 1 });
    await registry.retireParty(T, "visitor-id", { actor });
    const entries = await registry.changeFeed(T);
    const xml = renderAtomFeed(entries, feedOptions);
    const doc = parseAtom(xml);
    const feed = doc.feed;
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    // RFC 4287 §4.1.1: atom:id, atom:title, atom:updated exactly once; author (feed level); link rel=self
    expect(feed.id).toBe(feedOptions.id);
    expect((feed.title as Record<string, string>)["#text"]).toBe(feedOptions.title);
    expect(feed.updated).toMatch(RFC3339);
    expect((feed.author as Record<string, string>).name).toBe("Acme CRM GmbH");
    expect((feed.link as Record<string, string>[]).some((l) => l["@_rel"] === "self" && l["@_href"] === feedOptions.selfUrl)).toBe(true);
    const list = feed.entry!;
    expect(list.length).toBe(entries.length);
    const ids = new Set<string>();
    for (const e of list) {
      // §4.1.2: id, title, updated; summary because there is no content
      expect(typeof e.id).toBe("string");
      expect(e.id as string).toMatch(/^https:\/\/acme-crm\.example\/legal\/subprocessors\.atom#/);
      ids.add(e.id as string);
      expect((e.title as Record<string, string>)["#text"]).toMatch(/effective \d{4}-\d{2}-\d{2}/);
      expect(e.updated).toMatch(RFC3339);
      expect((e.summary as Record<string, string>)["#text"]).toMatch(/Effective date: \d{4}-\d{2}-\d{2}/);
      expect(e["lawful:effective"]).toMatch(RFC3339);
    }
    expect(ids.size).toBe(list.length);
    const kinds = list.map((e) => (e.category as Record<string, string>[])[0]!["@_term"]);
    expect(kinds[0]).toBe("retired");
    expect(kinds).toEqual(expect.arrayContaining(["intended", "activated", "retired"]));
    // the intended replacement is announced with its deadline and effective date, names escaped
    const intended = list.find((e) => ((e.summary as Record<string, string>)["#text"] ?? "").includes("Relay & Sons <Inc>"))!;
    expect(intended["lawful:objectionDeadline"]).toBe("2026-04-17T09:00:00Z");
    expect((intended.summary as Record<string, string>)["#text"]).toContain("Replaces: CloudRelay Inc.");
    expect(xml).toContain("Relay &amp; Sons &lt;Inc&gt;");
    // the first relay notice has its effective date
    const first = list.find((e) => (e.id as string).endsWith(`notice/${notice.id}/proposed`))!;
    expect(first["lawful:effective"]).toBe("2026-03-03T09:00:00Z");
    // feed updated = newest entry
    expect(feed.updated).toBe(list[0]!.updated);
  });

  it("renderAtomFeed - an empty feed is still valid Atom", () => {
    const doc = parseAtom(renderAtomFeed([], feedOptions));
    expect(doc.feed.updated).toBe("1970-01-01T00:00:00Z");
    expect(doc.feed.entry).toBeUndefined();
  });

  it("renderAtomFeed - strips characters XML forbids and refuses a relative feed id", () => {
    const xml = renderAtomFeed(
      [
        {
          key: "party/x/v2",
          kind: "activated",
          partyId: "x",
          partyName: "Bad\u0001Name\uFFFE",
          role: "processor",
          country: "DE",
          services: ["a"],
          effectiveAt: new Date("2026-01-01T00:00:00Z"),
          updatedAt: new Date("2026-01-01T00:00:00Z"),
        },
      ],
      feedOptions,
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain("BadName");
    expect(() => renderAtomFeed([], { ...feedOptions, id: "relative/id" })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }) as Error);
  });
});

describe("escaping (property)", () => {
  // eslint-disable-next-line no-control-regex
  const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
  const text = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });

  it("renderAtomFeed - any party name and service text gives well-formed XML with the same structure and the text intact", () => {
    const entry = (name: string, service: string): ChangeFeedEntry => ({
      key: "party/x/v2",
      kind: "intended",
      partyId: "x",
      partyName: name,
      role: "subprocessor",
      country: "US",
      services: [service],
      effectiveAt: new Date("2026-03-01T00:00:00Z"),
      updatedAt: new Date("2026-02-01T00:00:00Z"),
      objectionDeadline: new Date("2026-03-01T00:00:00Z"),
      description: service,
    });
    const tags = (xml: string) => xml.split("<").length;
    const baseline = tags(renderAtomFeed([entry("a", "b")], feedOptions));
    fc.assert(
      fc.property(text, text, (name, service) => {
        const xml = renderAtomFeed([entry(name, service)], feedOptions);
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(tags(xml)).toBe(baseline);
        const parsed = new XMLParser({ trimValues: false, isArray: (n) => n === "entry" }).parse(xml) as { feed: { entry: { title: string }[] } };
        const title = String(parsed.feed.entry[0]!.title).replace(/&#39;/g, "'").replace(/&#13;/g, "\r");
        const clean = name.replace(forbidden, "").replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
        expect(title).toBe(`Intended change: ${clean} (effective 2026-03-01)`);
      }),
      { numRuns: 200 },
    );
  });

  it("renderPublicListHtml - user text never adds markup", () => {
    const { hosting } = crmFixtureParties();
    const record = (name: string, service: string, email: string): PartyRecord => ({
      tenantId: T,
      id: "p",
      version: 2,
      status: "active",
      change: "activated",
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
      recordedAt: new Date("2026-01-01T00:00:00Z"),
      recordedBy: actor,
      party: { ...PartyInputSchema.parse(hosting), legalName: name, services: [service], contact: { email } },
    });
    const tags = (html: string) => html.split("<").length;
    const render = (r: PartyRecord) => renderPublicListHtml(buildPublicSubprocessorList([r], { generatedAt: new Date("2026-02-01T00:00:00Z") }));
    const baseline = tags(render(record("a", "b", "c@d.example")));
    fc.assert(
      fc.property(text, text, text, (name, service, email) => {
        const html = render(record(name, service, email));
        expect(tags(html)).toBe(baseline);
        // eslint-disable-next-line no-control-regex
        expect(html).not.toMatch(/[\u0000-\u0008]/);
      }),
      { numRuns: 200 },
    );
  });
});
