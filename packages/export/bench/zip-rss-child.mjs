// Child process of export.bench.mjs: streams an N-row export to a ZIP file and prints the peak RSS (bytes) as JSON.
import { createWriteStream, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExportDocument, pipeToNodeWritable, verifyExportBundle, writeExportBundle } from "@lawful/export";
import { COLUMNS, rows } from "./rows.mjs";

const n = Number(process.argv[2] ?? 1_000_000);
const formats = (process.argv[3] ?? "csv,json").split(",");
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const doc = createExportDocument({
  meta: { kind: "leads", controller: { name: "Bench GmbH" }, generatedAt: new Date("2026-01-01T00:00:00Z") },
  entities: [{ name: "leads", columns: COLUMNS, rows: () => rows(n) }],
});
const path = join(tmpdir(), `lawful-export-bench-${process.pid}.zip`);
const start = process.hrtime.bigint();
await pipeToNodeWritable(writeExportBundle(doc, { formats }), createWriteStream(path));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(timer);
const size = statSync(path).size;
const verified = process.argv[4] === "verify" ? (await verifyExportBundle(path)).ok : null;
rmSync(path, { force: true });
process.stdout.write(`${JSON.stringify({ peakRss: peak, seconds, size, verified })}\n`);
