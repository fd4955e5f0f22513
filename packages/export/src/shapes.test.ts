import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  ExportError,
  LEAD_EXPORT_COLUMNS,
  collectText,
  createAccessPackage,
  createLeadExport,
  createPortabilityPackage,
  createRecordsOfProcessingExport,
  decodeCsvCell,
  writeCsv,
  writeJson,
} from "./index.js";
import { accessInput, GENERATED_AT } from "./internal/test-fixtures.js";

describe("createAccessPackage", () => {
  it("sections - every Art. 15(1)(a)-(h) and 15(2) topic, named recipients and third-country flags", () => {
    const doc = createAccessPackage(accessInput());
    expect(doc.meta.kind).toBe("access");
    const byKey = new Map(doc.sections.map((s) => [s.key, s]));
    expect(byKey.get("confirmation")!.items).toEqual([{ processing: true }]);
    expect(byKey.get("recipients")!.items[1]).toMatchObject({ name: "Cloud Inc", country: "US", third_country: true });
    expect(byKey.get("rights")!.items.map((i) => i.right)).toEqual(["rectification", "erasure", "restriction", "objection", "portability", "withdraw_consent"]);
    expect(byKey.get("transfer_safeguards")!.items[0]).toMatchObject({ country: "US", mechanism: "EU-US Data Privacy Framework" });
    expect(byKey.get("automated_decisions")!.items).toEqual([]);
    expect(doc.entities.map((e) => e.name)).toEqual(["contacts", "consent_history"]);
  });

  it("validation - retention without period or criteria and a bad consent entry are rejected", async () => {
    const input = accessInput();
    expect(() => createAccessPackage({ ...input, information: { ...input.information, retention: [{ scope: "x" }] } })).toThrow(ExportError);
    const doc = createAccessPackage({ ...input, consentHistory: [{ purpose: "newsletter", action: "maybe", occurredAt: "x" }] });
    const err = await collectText(writeJson(doc)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["consent_history.0.action", "consent_history.0.occurredAt"]));
  });

  it("redaction - the Art. 15(4) hook removes third-party data from every row", async () => {
    const doc = createAccessPackage(accessInput({ redact: (row, entity) => (entity === "contacts" ? { ...row, name: row.name === null ? null : "[redacted]" } : row) }));
    const json = JSON.parse(await collectText(writeJson(doc))) as { entities: Array<{ rows: Array<Record<string, unknown>> }> };
    expect(json.entities[0]!.rows.map((r) => r.name)).toEqual(["[redacted]", null]);
  });
});

describe("createPortabilityPackage", () => {
  it("provenance - keeps provided and observed columns only and projects rows", async () => {
    const input = accessInput();
    const doc = createPortabilityPackage({ controller: input.controller, subjectPseudonym: input.subjectPseudonym, generatedAt: GENERATED_AT, entities: input.entities });
    expect(doc.meta.kind).toBe("portability");
    expect(doc.entities[0]!.columns.map((c) => c.name)).toEqual(["email", "name", "last_seen", "avatar", "prefs"]);
    const json = JSON.parse(await collectText(writeJson(doc))) as { entities: Array<{ rows: Array<Record<string, unknown>> }> };
    expect(Object.keys(json.entities[0]!.rows[0]!)).not.toContain("score");
  });

  it("provenance - entities that are derived or inferred only are dropped; unknown row fields still fail", async () => {
    const doc = createPortabilityPackage({
      controller: { name: "Acme" },
      subjectPseudonym: "ps1_x",
      generatedAt: GENERATED_AT,
      entities: [
        { name: "scores", provenance: "inferred", columns: [{ name: "score", type: "number" }], rows: [{ score: 1 }] },
        { name: "profile", columns: [{ name: "email" }, { name: "segment", provenance: "derived" }], rows: [{ email: "a@example.com", segment: "x", hidden: 1 }] },
      ],
    });
    expect(doc.entities.map((e) => e.name)).toEqual(["profile"]);
    await expect(collectText(writeJson(doc))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("createLeadExport", () => {
  it("columns - consent metadata (IP, form fill time, subscription date, notice version, method) travel with each lead", async () => {
    const doc = createLeadExport({
      controller: { name: "Acme" },
      generatedAt: GENERATED_AT,
      extraColumns: [{ name: "owner" }],
      leads: async function* () {
        await Promise.resolve();
        yield {
          lead_id: "L1",
          email: "ada@example.com",
          consent_ip_address: "203.0.113.7",
          consent_form_filled_at: new Date("2026-01-01T10:00:00Z"),
          subscribed_at: new Date("2026-01-01T10:05:00Z"),
          consent_notice_version: "3",
          consent_method: "double_opt_in",
          owner: "=cmd|' /C calc'!A0",
        };
      },
    });
    const rows = parse<Record<string, string>>(await collectText(writeCsv(doc.entities[0]!, { bom: true })), { bom: true, columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...LEAD_EXPORT_COLUMNS.map((c) => c.name), "owner"]);
    expect(rows[0]).toMatchObject({
      consent_ip_address: "203.0.113.7",
      consent_form_filled_at: "2026-01-01T10:00:00.000Z",
      subscribed_at: "2026-01-01T10:05:00.000Z",
      consent_notice_version: "3",
      consent_method: "double_opt_in",
      owner: "'=cmd|' /C calc'!A0",
    });
    expect(decodeCsvCell(rows[0]!.owner!)).toBe("=cmd|' /C calc'!A0");
  });
});

describe("createRecordsOfProcessingExport", () => {
  it("rows - one row per activity with Art. 30(1) fields; bad activities fail before the document exists", async () => {
    const doc = createRecordsOfProcessingExport({
      controller: { name: "Acme GmbH" },
      generatedAt: GENERATED_AT,
      activities: [
        {
          id: "nl",
          name: "Newsletter",
          purposes: ["Newsletter"],
          lawfulBases: ["consent"],
          dataSubjectCategories: ["subscribers"],
          dataCategories: ["contact.email"],
          recipients: ["Mailer Ltd"],
          thirdCountryTransfers: [{ country: "US", recipient: "Cloud Inc", safeguard: "SCCs" }],
          retention: "until unsubscribe",
        },
      ],
    });
    expect(doc.meta.kind).toBe("records_of_processing");
    expect(doc.meta.categories).toEqual(["contact.email"]);
    const rows = parse<Record<string, string>>(await collectText(writeCsv(doc.entities[0]!)), { columns: true });
    expect(rows[0]).toMatchObject({ id: "nl", third_country_transfers: "US (Cloud Inc): SCCs", lawful_bases: "consent", special_categories: "false" });
    expect(() => createRecordsOfProcessingExport({ controller: { name: "Acme" }, generatedAt: GENERATED_AT, activities: [{ id: "x" } as never] })).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }) as Error,
    );
  });
});
