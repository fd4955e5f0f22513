// Writes the records of processing and the public sub-processor list of Elbkaffee into a folder.
// Usage: pnpm --filter @lawful/example-registry-ropa start [out-dir] [registry.db]
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { configureSqlite } from "@lawful/core";
import { generateDocuments, registerCompany, tableToCsv } from "./generate.js";

const out = resolve(process.argv[2] ?? "out");
const db = new Database(process.argv[3] ?? ":memory:");
configureSqlite(db);
try {
  const { registry, clock } = await registerCompany({ database: db });
  const docs = await generateDocuments(registry, clock);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "records-of-processing.json"), `${JSON.stringify(docs.ropaJson, null, 2)}\n`);
  writeFileSync(join(out, "records-of-processing.csv"), tableToCsv(docs.ropaTable));
  writeFileSync(join(out, "subprocessors.json"), `${JSON.stringify(docs.subprocessors, null, 2)}\n`);
  writeFileSync(join(out, "subprocessors.html"), docs.subprocessorsHtml);
  writeFileSync(join(out, "subprocessors.atom"), docs.feedAtom);
  console.log(`Wrote 5 files to ${out}`);
  if (docs.ropa.gaps.length) console.warn(`Gaps to follow up: ${docs.ropa.gaps.map((g) => `${g.path.join(".")}: ${g.message}`).join("; ")}`);
} finally {
  db.close();
}
