// Benchmarks of @lawful/export (built package):
// 1. CSV throughput on 1,000,000 rows against csv-stringify configured for the same output
//    (header, CRLF, quoting as needed, formula escaping, ISO dates, true/false), same rows, same run;
// 2. peak RSS of a child process streaming a 1,000,000-row export (CSV + JSON) to a ZIP file.
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { stringify } from "csv-stringify";
import { createExportDocument, writeCsv } from "@lawful/export";
import { COLUMNS, rows } from "./rows.mjs";

const N = Number(process.env.EXPORT_BENCH_ROWS ?? 1_000_000);

async function runLawful(n) {
  const doc = createExportDocument({
    meta: { controller: { name: "Bench" }, generatedAt: new Date("2026-01-01T00:00:00Z") },
    entities: [{ name: "leads", columns: COLUMNS, rows: () => rows(n) }],
  });
  let bytes = 0;
  const start = process.hrtime.bigint();
  for await (const chunk of writeCsv(doc.entities[0])) bytes += chunk.length;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

async function runCsvStringify(n) {
  const stringifier = stringify({
    header: true,
    columns: COLUMNS.map((c) => c.name),
    record_delimiter: "windows",
    escape_formulas: true,
    cast: { date: (d) => d.toISOString(), boolean: (b) => (b ? "true" : "false") },
  });
  let bytes = 0;
  const start = process.hrtime.bigint();
  Readable.from(rows(n)).pipe(stringifier);
  for await (const chunk of stringifier) bytes += chunk.length;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

export default async function exportBench(ctx) {
  await runLawful(20_000);
  await runCsvStringify(20_000);
  const ours = [];
  const theirs = [];
  for (let round = 0; round < 2; round++) {
    ours.push(await runLawful(N));
    theirs.push(await runCsvStringify(N));
  }
  const best = (xs) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const o = best(ours);
  const t = best(theirs);
  ctx.log(`lawful writeCsv: ${o.seconds.toFixed(2)} s, ${(o.bytes / 2 ** 20).toFixed(1)} MiB; csv-stringify: ${t.seconds.toFixed(2)} s, ${(t.bytes / 2 ** 20).toFixed(1)} MiB`);

  const child = fileURLToPath(new URL("./zip-rss-child.mjs", import.meta.url));
  const out = JSON.parse(execFileSync(process.execPath, [child, String(N), "csv,json"], { encoding: "utf8", maxBuffer: 1 << 20 }));
  const idle = JSON.parse(execFileSync(process.execPath, [child, "0", "csv"], { encoding: "utf8" }));
  ctx.log(`ZIP of ${N} rows (CSV + JSON): ${(out.size / 2 ** 20).toFixed(1)} MiB in ${out.seconds.toFixed(1)} s, peak RSS ${(out.peakRss / 2 ** 20).toFixed(1)} MiB (empty export: ${(idle.peakRss / 2 ** 20).toFixed(1)} MiB)`);

  return [
    {
      name: `CSV writer throughput, ${N.toLocaleString("en-US")} rows x ${COLUMNS.length} columns`,
      unit: "rows/s",
      value: N / o.seconds,
      better: "higher",
      baseline: { name: "csv-stringify (same output options, same rows)", value: N / t.seconds },
      target: 1.0,
    },
    {
      name: `peak RSS streaming a ${N.toLocaleString("en-US")}-row export (CSV + JSON) to a ZIP`,
      unit: "MB",
      value: out.peakRss / 1e6,
      better: "lower",
      target: 150,
    },
    { name: "ZIP bundle write rate (CSV + JSON, deflate level 6)", unit: "rows/s", value: N / out.seconds, better: "higher" },
  ];
}
