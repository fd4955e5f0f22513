import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectText, createExportDocument, decodeCsvCell, encodeCsvField, ExportError, writeCsv, csvFiles, collectBytes, type ExportRow } from "./index.js";

const HOSTILE = ['"', ",", "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", "'", " ", ";", "a", "é", "ß", "😀", "中", "\u0000", "\u2028", "\uFEFF"];

const cell = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r", "'"), fc.string({ unit: "grapheme", maxLength: 8 })).map(([a, b]) => a + b),
);

function doc(rows: Iterable<ExportRow> | AsyncIterable<ExportRow> | (() => Iterable<ExportRow>), columns = [{ name: "a" }, { name: "b" }, { name: "c" }]) {
  return createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z") }, entities: [{ name: "t", columns, rows }] });
}

function parseCsv(text: string): Array<Array<string | null>> {
  return parse(text, {
    bom: true,
    relax_column_count: false,
    cast: (value, context) => (context.quoting ? decodeCsvCell(value) : value === "" ? null : decodeCsvCell(value)),
  });
}

describe("writeCsv", () => {
  it("round trip - hostile values survive csv-parse exactly (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell, cell), { maxLength: 20 }), async (rows) => {
        const text = await collectText(writeCsv(doc(rows.map(([a, b, c]) => ({ a, b, c }))).entities[0]!, { chunkSize: 1024 }));
        const parsed = parseCsv(text);
        expect(parsed[0]).toEqual(["a", "b", "c"]);
        expect(parsed.slice(1)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it("round trip - also with a BOM and tiny chunks (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 50 }), async (rows) => {
        const bytes = await collectBytes(writeCsv(doc(rows.map(([a, b, c]) => ({ a, b, c }))).entities[0]!, { bom: true, chunkSize: 1 }));
        expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        expect(parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)).slice(1)).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  });

  it("format - RFC 4180 quoting, CRLF, doubled quotes, null vs empty", async () => {
    const text = await collectText(
      writeCsv(doc([{ a: 'say "hi"', b: "x,y", c: "line1\nline2" }, { a: null, b: "", c: undefined }, { a: "plain" }]).entities[0]!),
    );
    expect(text).toBe('a,b,c\r\n"say ""hi""","x,y","line1\nline2"\r\n,"",\r\nplain,,\r\n');
  });

  it("format - formula injection neutralised with a quote prefix for = + - @ tab CR and '", () => {
    for (const s of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"]) {
      expect(encodeCsvField(s)).toBe(`"'${s.replaceAll('"', '""')}"`);
      expect(parseCsv(`${encodeCsvField(s)}\r\n`)[0]![0]).toBe(s);
    }
    expect(encodeCsvField("=x", { neutraliseFormulas: false })).toBe("=x");
    expect(encodeCsvField("a=1")).toBe("a=1");
  });

  it("format - numbers, booleans, bigints and dates are encoded by documented rules", async () => {
    const d = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [
        {
          name: "t",
          columns: [{ name: "n", type: "number" }, { name: "b", type: "boolean" }, { name: "i", type: "integer" }, { name: "dt", type: "datetime" }, { name: "d", type: "date" }, { name: "bin", type: "binary" }, { name: "j", type: "json" }],
          rows: [{ n: -1.5, b: true, i: 12345678901234567890n, dt: new Date("2026-02-03T04:05:06.007Z"), d: new Date("2026-02-03T00:00:00Z"), bin: new Uint8Array([1, 2, 255]), j: { z: 1, a: ["=x", null] } }],
        },
      ],
    });
    const text = await collectText(writeCsv(d.entities[0]!));
    expect(text.split("\r\n")[1]).toBe('-1.5,true,12345678901234567890,2026-02-03T04:05:06.007Z,2026-02-03,base64:AQL/,"{""a"":[""=x"",null],""z"":1}"');
  });

  it("validation - an unrepresentable value fails with a typed error before any byte of the file", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: Array<[string, unknown, string]> = [
      ["string", () => 1, "NOT_JSON_SERIALIZABLE"],
      ["number", Number.NaN, "NOT_JSON_SERIALIZABLE"],
      ["number", Number.POSITIVE_INFINITY, "NOT_JSON_SERIALIZABLE"],
      ["string", new Uint8Array([1]), "NOT_JSON_SERIALIZABLE"],
      ["string", { a: 1 }, "NOT_JSON_SERIALIZABLE"],
      ["json", cyclic, "NOT_JSON_SERIALIZABLE"],
      ["string", "\ud800x", "NOT_JSON_SERIALIZABLE"],
      ["string", Symbol("s"), "NOT_JSON_SERIALIZABLE"],
      ["datetime", new Date(Number.NaN), "NOT_JSON_SERIALIZABLE"],
      ["binary", "text", "NOT_JSON_SERIALIZABLE"],
    ];
    for (const [type, value, code] of bad) {
      const d = createExportDocument({
        meta: { controller: { name: "Acme" }, generatedAt: new Date() },
        entities: [{ name: "t", columns: [{ name: "v", type: type as "string" }], rows: [{ v: value }] }],
      });
      const chunks: Uint8Array[] = [];
      const err = await (async () => {
        for await (const c of writeCsv(d.entities[0]!)) chunks.push(c);
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExportError);
      expect((err as ExportError).code).toBe(code);
      expect((err as ExportError).issues[0]?.path).toEqual(type === "json" ? ["t", 0, "v", "self"] : ["t", 0, "v"]);
      expect(chunks).toEqual([]);
    }
  });

  it("validation - a row with an undeclared field fails, naming the field", async () => {
    const err = await collectText(writeCsv(doc([{ a: "1", secret: "x" }]).entities[0]!)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).code).toBe("VALIDATION_FAILED");
    expect((err as ExportError).issues[0]?.path).toEqual(["t", 0, "secret"]);
  });

  it("rows - async iterables stream; a one-shot generator read twice fails instead of writing an empty table", async () => {
    async function* gen() {
      yield { a: "1" };
      await Promise.resolve();
      yield { a: "2" };
    }
    const d = doc(gen());
    expect(await collectText(writeCsv(d.entities[0]!))).toBe("a,b,c\r\n1,,\r\n2,,\r\n");
    await expect(collectText(writeCsv(d.entities[0]!))).rejects.toMatchObject({ code: "UNSUPPORTED" });
    const again = doc(() => [{ a: "x" }]);
    expect(await collectText(writeCsv(again.entities[0]!))).toBe(await collectText(writeCsv(again.entities[0]!)));
  });

  it("chunks - rows larger than the chunk size and multi-byte text are written intact", async () => {
    const big = "é,😀\n".repeat(30_000);
    const rows = [{ a: "x" }, { a: big, b: "y" }, { a: "z" }];
    const chunks: Uint8Array[] = [];
    for await (const c of writeCsv(doc(rows).entities[0]!, { chunkSize: 2048 })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    expect(parseCsv(Buffer.concat(chunks).toString("utf8")).slice(1)).toEqual([["x", null, null], [big, "y", null], ["z", null, null]]);
  });

  it("csvFiles - one file per entity plus metadata, sections and a data dictionary", async () => {
    const d = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z"), subjectPseudonym: "ps1_x" },
      sections: [{ key: "purposes", items: [{ name: "Newsletter", tags: ["a", "b"] }] }],
      entities: [
        { name: "contacts", sourceSystem: "crm", columns: [{ name: "email", category: "contact.email" }], rows: [{ email: "a@example.com" }] },
        { name: "orders", columns: [{ name: "total", type: "number", provenance: "observed" }], rows: [{ total: 3 }] },
      ],
    });
    const files = csvFiles(d);
    expect(files.map((f) => f.path)).toEqual(["metadata.csv", "sections.csv", "data_dictionary.csv", "contacts.csv", "orders.csv"]);
    const dict = parseCsv(await collectText(files[2]!.content()));
    expect(dict[0]).toEqual(["entity", "column", "label", "description", "type", "encoding", "nullable", "category", "category_description", "provenance", "source_system"]);
    expect(dict[1]).toEqual(["contacts", "email", null, null, "string", "text", "true", "contact.email", "E-mail address", "provided", "crm"]);
    expect(dict[2]?.[9]).toBe("observed");
    const sections = parseCsv(await collectText(files[1]!.content()));
    expect(sections).toContainEqual(["purposes", null, "1", "tags", "a; b"]);
    const meta = parseCsv(await collectText(files[0]!.content()));
    expect(meta).toContainEqual(["subject_pseudonym", "ps1_x"]);
    expect(meta).toContainEqual(["controller_address", null]);
  });

  it("csvFiles - the metadata carries the controller's contact, address, Art. 27 representative and DPO", async () => {
    const controller = { name: "Acme", contact: "privacy@acme.example", address: "1 Main St, 10115 Berlin, DE", representative: "Rep GmbH, rep@rep.example", dpoContact: "dpo@acme.example" };
    const meta = parseCsv(await collectText(csvFiles(createExportDocument({ meta: { controller, generatedAt: new Date("2026-01-01T00:00:00Z") } }))[0]!.content()));
    expect(meta).toEqual(
      expect.arrayContaining([
        ["controller_contact", controller.contact],
        ["controller_address", controller.address],
        ["controller_representative", controller.representative],
        ["controller_dpo", controller.dpoContact],
      ]),
    );
  });
});
