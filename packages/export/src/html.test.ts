import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectText, createAccessPackage, createExportDocument, escapeHtml, reportString, resolveReportLanguage, writeHtml } from "./index.js";
import { accessInput } from "./internal/test-fixtures.js";

describe("writeHtml", () => {
  it("structure - lang, title, headings, captions, th scope, print CSS, no scripts or external assets", async () => {
    const html = await collectText(writeHtml(createAccessPackage(accessInput()), { chunkSize: 1024 }));
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain("<title>Copy of your personal data (GDPR Art. 15)</title>");
    expect(html).toContain("<h1>");
    expect(html.match(/<h2 /g)!.length).toBeGreaterThanOrEqual(13);
    expect(html).toContain("<caption>Consent history with proof</caption>");
    expect(html).toContain('<th scope="col">email</th>');
    expect(html).toContain("@media print");
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:\/\/(?!www\.bfdi|acme\.example)/i);
    expect(html).toContain("Rows: 2");
  });

  it("escaping - every value and title is HTML-escaped", async () => {
    const hostile = `<script>alert("x")</script>&'`;
    const doc = createExportDocument({
      meta: { controller: { name: hostile }, generatedAt: new Date("2026-01-01T00:00:00Z"), title: hostile },
      sections: [{ key: "notes", title: hostile, text: hostile, items: [{ field: hostile, list: [hostile] }] }],
      entities: [{ name: "t", title: hostile, description: hostile, columns: [{ name: "v", label: hostile, description: hostile }], rows: [{ v: hostile }] }],
    });
    const html = await collectText(writeHtml(doc));
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`"x"`);
    expect(html).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
  });

  it("controller - contact, address, Art. 27 representative and DPO are listed, escaped, in the language asked", async () => {
    const controller = { name: "Acme", contact: "privacy@acme.example", address: "1 <Main> St, Berlin", representative: "Rep & Co, Dublin", dpoContact: "dpo@acme.example" };
    const doc = createExportDocument({ meta: { controller, generatedAt: new Date("2026-01-01T00:00:00Z"), language: "de" } });
    const html = await collectText(writeHtml(doc));
    expect(html).toContain("<dt>Anschrift</dt><dd>1 &lt;Main&gt; St, Berlin</dd>");
    expect(html).toContain("<dt>Vertreter (DSGVO Art. 27)</dt><dd>Rep &amp; Co, Dublin</dd>");
    expect(html).toContain("<dt>Kontakt</dt><dd>privacy@acme.example</dd>");
    expect(html).toContain("<dt>Datenschutzbeauftragte(r)</dt><dd>dpo@acme.example</dd>");
    expect(await collectText(writeHtml(createExportDocument({ meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z") } })))).not.toContain("<dt>Address</dt>");
  });

  it("escaping - no value can open a tag or an attribute (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: fc.constantFrom("<", ">", "&", '"', "'", "a", "/", "=", " ", "é") , maxLength: 30 }), { maxLength: 10 }), async (values) => {
        const doc = createExportDocument({
          meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z") },
          entities: [{ name: "t", columns: [{ name: "v" }], rows: values.map((v) => ({ v })) }],
        });
        const html = await collectText(writeHtml(doc));
        const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
        const cells = [...body.matchAll(/<td(?: class="null")?>([^<]*)<\/td>/g)].map((m) => m[1]);
        expect(cells).toHaveLength(values.length);
        cells.forEach((c, i) => {
          expect(c).not.toMatch(/[<>"']/);
          const decoded = c!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
          expect(decoded).toBe(values[i] === "" ? "" : values[i]);
        });
      }),
      { numRuns: 100 },
    );
  });

  it("language - German catalogue for 'de-AT', English fallback for unknown languages", async () => {
    const de = await collectText(writeHtml(createAccessPackage(accessInput({ language: "de-AT" }))));
    expect(de).toContain('<html lang="de">');
    expect(de).toContain("Kopie Ihrer personenbezogenen Daten");
    expect(de).toContain("Ihre Rechte");
    expect(de).toContain("Berichtigung unrichtiger");
    const fr = await collectText(writeHtml(createAccessPackage(accessInput({ language: "fr" }))));
    expect(fr).toContain('<html lang="en">');
    expect(fr).toContain("Your rights");
    expect(resolveReportLanguage("DE")).toBe("de");
    expect(reportString("de", "value.null")).toBe("—");
  });

  it("values - null, booleans, binary and JSON follow the documented text rules", async () => {
    const doc = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [{ name: "t", columns: [{ name: "n" }, { name: "b", type: "binary" }, { name: "j", type: "json" }], rows: [{ n: null, b: new Uint8Array([255]), j: { a: "<" } }] }],
    });
    const html = await collectText(writeHtml(doc));
    expect(html).toContain('<td class="null">—</td><td>base64:/w==</td><td>{&quot;a&quot;:&quot;&lt;&quot;}</td>');
  });
});
