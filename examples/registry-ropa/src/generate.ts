import { createDataCategoryTaxonomy, createManualClock, createMemoryAuditSink, type AuditSink, type Clock, type ManualClock, type SqliteDatabase } from "@lawful/core";
import {
  buildControllerRopa,
  buildPublicSubprocessorList,
  createRegistry,
  renderAtomFeed,
  renderPublicListHtml,
  ropaToJson,
  ropaToTable,
  type PublicList,
  type RecordsOfProcessing,
  type Registry,
  type RopaTable,
} from "@lawful/registry";
import { createSqliteRegistryStore } from "@lawful/registry/sqlite";
import { controller, parties, purposes, retentionRules, securityMeasures } from "./company.js";

/** The tenant (controller) id used in the registry. */
export const TENANT = "elbkaffee";
/** Where the company publishes its list and feed. */
export const PUBLIC_BASE = "https://elbkaffee.example/privacy";

const actor = { type: "staff" as const, id: "dpo" };

/**
 * Register the company's parties in a registry on `database` (a better-sqlite3 connection the
 * caller owns), the way a DPO would over time: direct processors and recipients first, then the
 * newsletter tool's relay through a change notice and its 30-day objection window.
 * Returns the registry and the clock (a manual clock, so the example is reproducible).
 */
export async function registerCompany(options: { database: SqliteDatabase; audit?: AuditSink | undefined; start?: string | undefined }): Promise<{ registry: Registry; clock: ManualClock }> {
  const clock = createManualClock(options.start ?? "2026-02-02T08:00:00Z");
  const registry = createRegistry({
    store: createSqliteRegistryStore({ database: options.database }),
    audit: options.audit ?? createMemoryAuditSink(),
    clock,
  });
  for (const party of [parties.hosting, parties.newsletter, parties.support, parties.payments, parties.carrier]) {
    if (await registry.getParty(TENANT, party.id)) continue; // idempotent over a persistent file
    await registry.createParty(TENANT, party, { actor }); // refused with every problem when invalid
    await registry.activateParty(TENANT, party.id, { actor }); // refused while the DPA checklist is incomplete
  }
  if (!(await registry.getParty(TENANT, parties.relay.id))) {
    await registry.createParty(TENANT, parties.relay, { actor, reason: "Brevio announced a US relay" });
    await registry.proposeChange(TENANT, { partyId: parties.relay.id, kind: "addition", description: "Brevio adds an outbound e-mail relay in the US (SCC module 3)." }, { actor });
    clock.advance({ days: 31 }); // the objection window (30 days) has passed with no objection
    await registry.activateParty(TENANT, parties.relay.id, { actor });
  }
  return { registry, clock };
}

/** Everything the company publishes or keeps, generated from the registry. */
export interface CompanyDocuments {
  /** Art. 30(1) records of processing, one entry per purpose. */
  readonly ropa: RecordsOfProcessing;
  /** The same records as plain JSON (for the supervisory authority, Art. 30(4)). */
  readonly ropaJson: Record<string, unknown>;
  /** The same records as a labelled table (for CSV or HTML). */
  readonly ropaTable: RopaTable;
  /** The public list of processors and sub-processors. */
  readonly subprocessors: PublicList;
  /** That list as a self-contained HTML page. */
  readonly subprocessorsHtml: string;
  /** The Atom feed of sub-processor changes. */
  readonly feedAtom: string;
}

/** Generate the records of processing, the public sub-processor list (JSON, HTML) and the Atom feed. */
export async function generateDocuments(registry: Registry, clock: Clock): Promise<CompanyDocuments> {
  const now = clock.now();
  const all = await registry.listParties(TENANT);
  const describeCategory = createDataCategoryTaxonomy().describe;
  const ropa = buildControllerRopa({ controller, purposes, retentionRules, securityMeasures, parties: all, adequacy: registry.adequacy, generatedAt: now, describeCategory });
  const subprocessors = buildPublicSubprocessorList(all, { generatedAt: now, describeCategory });
  const feedUrl = `${PUBLIC_BASE}/subprocessors.atom`;
  return {
    ropa,
    ropaJson: ropaToJson(ropa),
    ropaTable: ropaToTable(ropa),
    subprocessors,
    subprocessorsHtml: renderPublicListHtml(subprocessors, { organisation: controller.name, feedUrl }),
    feedAtom: renderAtomFeed(await registry.changeFeed(TENANT), {
      id: feedUrl,
      title: `${controller.name}: changes to sub-processors`,
      selfUrl: feedUrl,
      alternateUrl: `${PUBLIC_BASE}/subprocessors.html`,
      author: { name: controller.name, email: controller.contact.email },
    }),
  };
}

/** RFC 4180 CSV of a records-of-processing table: every cell quoted, formula-like cells prefixed with `'`. */
export function tableToCsv(table: RopaTable): string {
  const cell = (s: string) => `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
  return [table.columns.map((c) => cell(c.label)).join(","), ...table.rows.map((r) => table.columns.map((c) => cell(r[c.key] ?? "")).join(","))].join("\r\n") + "\r\n";
}
