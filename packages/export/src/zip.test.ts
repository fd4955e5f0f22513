import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yauzl from "yauzl";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryAuditSink } from "@lawful/core";
import {
  BundleManifestSchema,
  collectBytes,
  createAccessPackage,
  createExportDocument,
  pipeToNodeWritable,
  verifyExportBundle,
  writeExportBundle,
  writeZip,
  type BundleManifest,
} from "./index.js";
import { accessInput } from "./internal/test-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "lawful-export-zip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Read every entry with yauzl (independent reader): path → bytes. */
async function readWithYauzl(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const parts: Buffer[] = [];
        stream.on("data", (c: Buffer) => parts.push(c));
        stream.on("error", reject);
        stream.on("end", () => {
          out.set(entry.fileName, Buffer.concat(parts));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return out;
}

describe("writeExportBundle", () => {
  it("yauzl - the bundle opens with an independent reader and every checksum in the manifest matches", async () => {
    const doc = createAccessPackage(accessInput());
    let reported: BundleManifest | undefined;
    const bytes = await collectBytes(writeExportBundle(doc, { formats: ["json", "ndjson", "csv", "html"], onManifest: (m) => (reported = m) }));
    const entries = await readWithYauzl(bytes);
    const manifest = BundleManifestSchema.parse(JSON.parse(entries.get("manifest.json")!.toString("utf8")));
    expect(manifest).toEqual(reported);
    expect(manifest.controller.name).toBe("Acme GmbH");
    expect(manifest.subjectPseudonym).toBe(doc.meta.subjectPseudonym);
    expect(manifest.generatedAt).toBe("2026-03-01T12:00:00.000Z");
    expect(manifest.schemaVersion).toBe("1.0.0");
    expect(manifest.categories).toEqual(expect.arrayContaining(["contact.email", "online.ip_address"]));
    expect(manifest.sourceSystems).toEqual(["crm"]);
    expect(manifest.files.map((f) => f.path)).toEqual([
      "data.json",
      "schema/access-package.schema.json",
      "data.ndjson",
      "csv/metadata.csv",
      "csv/sections.csv",
      "csv/data_dictionary.csv",
      "csv/contacts.csv",
      "csv/consent_history.csv",
      "report.html",
    ]);
    expect([...entries.keys()].sort()).toEqual([...manifest.files.map((f) => f.path), "manifest.json"].sort());
    for (const f of manifest.files) {
      const content = entries.get(f.path)!;
      expect(createHash("sha256").update(content).digest("hex"), f.path).toBe(f.sha256);
      expect(content.length).toBe(f.size);
    }
    const verification = await verifyExportBundle(bytes);
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(verification.files).toHaveLength(9);
  });

  it("audit - a data.exported event with the pseudonym and manifest hash is recorded once the bundle is complete", async () => {
    const sink = createMemoryAuditSink();
    const doc = createAccessPackage(accessInput());
    const stream = writeExportBundle(doc, { formats: ["json"], audit: { sink, tenantId: "acme", actor: { type: "staff", id: "u_1" } } });
    const bytes = await collectBytes(stream);
    expect(sink.events).toHaveLength(1);
    const event = sink.events[0]!;
    expect(event).toMatchObject({ action: "data.exported", subjectPseudonym: doc.meta.subjectPseudonym });
    const entries = await readWithYauzl(bytes);
    expect((event.details as { manifestSha256: string }).manifestSha256).toBe(createHash("sha256").update(entries.get("manifest.json")!).digest("hex"));
    expect(JSON.stringify(event)).not.toContain("ada@example.com");
  });

  it("verifyExportBundle - a file on disk verifies; a changed byte, a missing or an extra file is reported", async () => {
    const doc = createAccessPackage(accessInput());
    const path = join(dir, "bundle.zip");
    await pipeToNodeWritable(writeExportBundle(doc, { formats: ["json", "csv"] }), createWriteStream(path));
    expect((await verifyExportBundle(path)).ok).toBe(true);

    // tamper: rebuild the archive with one file changed but the original manifest
    const entries = await readWithYauzl(readFileSync(path));
    const tampered = new Map(entries);
    tampered.set("data.json", Buffer.concat([entries.get("data.json")!, Buffer.from(" ")]));
    tampered.delete("csv/metadata.csv");
    tampered.set("extra.txt", Buffer.from("hi"));
    const rebuilt = await collectBytes(writeZip([...tampered].map(([p, content]) => ({ path: p, content }))));
    const result = await verifyExportBundle(rebuilt);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => `${p.code}:${p.path}`).sort()).toEqual(
      ["checksum_mismatch:data.json", "missing_file:csv/metadata.csv", "size_mismatch:data.json", "unlisted_file:extra.txt"].sort(),
    );
    const noManifest = await collectBytes(writeZip([{ path: "a.txt", content: Buffer.from("a") }]));
    expect((await verifyExportBundle(noManifest)).problems[0]?.code).toBe("missing_manifest");
    expect((await verifyExportBundle(new Uint8Array([1, 2, 3]))).problems[0]?.code).toBe("corrupt");
  });

  it("verifyExportBundle - a corrupted compressed byte is reported, not thrown", async () => {
    const doc = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date("2026-01-01T00:00:00Z") },
      entities: [{ name: "t", columns: [{ name: "n", type: "integer" }], rows: Array.from({ length: 2000 }, (_, i) => ({ n: i })) }],
    });
    const bytes = Buffer.from(await collectBytes(writeExportBundle(doc, { formats: ["json"] })));
    bytes[200] = bytes[200]! ^ 0xff;
    const result = await verifyExportBundle(bytes);
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.path === "data.json")).toBe(true);
  });
});

describe("writeZip", () => {
  it("store and deflate - both methods read back with yauzl, UTF-8 names included", async () => {
    const bytes = await collectBytes(
      writeZip([
        { path: "stored.txt", content: Buffer.from("stored ✓"), method: "store" },
        { path: "dir/ümlaut.txt", content: [Buffer.from("a".repeat(100_000)), Buffer.from("b")] },
        { path: "empty.txt", content: new Uint8Array(0) },
      ]),
    );
    const entries = await readWithYauzl(bytes);
    expect(entries.get("stored.txt")!.toString()).toBe("stored ✓");
    expect(entries.get("dir/ümlaut.txt")!.length).toBe(100_001);
    expect(entries.get("empty.txt")!.length).toBe(0);
  });

  it("ZIP64 - more than 65,535 entries use the ZIP64 end records and still open with yauzl", async () => {
    const count = 65_600;
    const entries = function* () {
      for (let i = 0; i < count; i++) yield { path: `f/${i}`, content: Buffer.from(String(i)), method: "store" as const };
    };
    const bytes = await collectBytes(writeZip(entries()));
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
    expect(zip.entryCount).toBe(count);
    zip.close();
  });

  it("determinism - the same document gives the same bundle bytes; a bad level fails before any byte", async () => {
    const a = await collectBytes(writeExportBundle(createAccessPackage(accessInput())));
    const b = await collectBytes(writeExportBundle(createAccessPackage(accessInput())));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const chunks: Uint8Array[] = [];
    const err = await (async () => {
      for await (const c of writeZip([{ path: "a", content: Buffer.from("x") }], { level: 12 })) chunks.push(c);
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(chunks).toEqual([]);
  });

  it("paths - absolute, parent and duplicate paths are rejected", async () => {
    for (const path of ["/abs", "a/../b", "a\\b", ""]) {
      await expect(collectBytes(writeZip([{ path, content: Buffer.from("x") }]))).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    await expect(
      collectBytes(writeZip([{ path: "a", content: Buffer.from("x") }, { path: "a", content: Buffer.from("y") }])),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("errors - a bad row inside a bundle surfaces the writer's typed error", async () => {
    const doc = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [{ name: "t", columns: [{ name: "v" }], rows: [{ v: Number.NaN }] }],
    });
    await expect(collectBytes(writeExportBundle(doc, { formats: ["csv"] }))).rejects.toMatchObject({ name: "ExportError", code: "NOT_JSON_SERIALIZABLE" });
    const late = createExportDocument({
      meta: { controller: { name: "Acme" }, generatedAt: new Date() },
      entities: [{ name: "t", columns: [{ name: "v", type: "number" }], rows: () => [...Array.from({ length: 5000 }, (_, i) => ({ v: i })), { v: Number.NaN }] }],
    });
    const withoutPreflight: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const c of writeExportBundle(late, { formats: ["csv"] })) withoutPreflight.push(c);
      })(),
    ).rejects.toMatchObject({ code: "NOT_JSON_SERIALIZABLE" });
    expect(withoutPreflight.length).toBeGreaterThan(0);
    const withPreflight: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const c of writeExportBundle(late, { formats: ["csv"], preflight: true })) withPreflight.push(c);
      })(),
    ).rejects.toMatchObject({ code: "NOT_JSON_SERIALIZABLE" });
    expect(withPreflight).toEqual([]);
    expect(() => writeExportBundle(doc, { formats: [] })).toThrow(expect.objectContaining({ code: "VALIDATION_FAILED" }) as Error);
  });
});
