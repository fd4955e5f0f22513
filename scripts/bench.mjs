#!/usr/bin/env node
// `pnpm bench`: runs every package's benchmarks (packages/*/bench/*.bench.mjs,
// importing the built packages) and writes bench/results.json and
// bench/results.md. A benchmark module default-exports
//   async function (ctx) => Metric[]
// where Metric = { name, unit, value, better?: "higher" | "lower",
//                  baseline?: { name, value } }  (baseline measured in the same run).
// ratio = value / baseline for "higher is better" metrics and baseline / value
// for "lower is better" ones, so a ratio >= 1 always means "as good as the baseline".
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, release } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv[2];
const files = [];
for (const area of ["packages", "examples"]) {
  if (!existsSync(join(root, area))) continue;
  for (const pkg of readdirSync(join(root, area))) {
    const dir = join(root, area, pkg, "bench");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith(".bench.mjs")) files.push(join(dir, f));
  }
}
const selected = files.filter((f) => !filter || f.includes(filter));
const metrics = [];
for (const file of selected) {
  const rel = relative(root, file);
  console.error(`▶ ${rel}`);
  const mod = await import(pathToFileURL(file).href);
  const out = await mod.default({ log: (...a) => console.error("  ", ...a) });
  for (const m of out) {
    const entry = { name: m.name, unit: m.unit, value: m.value, source: rel };
    if (m.better) entry.better = m.better;
    if (m.baseline) {
      entry.baseline = { name: m.baseline.name, value: m.baseline.value };
      entry.ratio = m.better === "lower" ? m.baseline.value / m.value : m.value / m.baseline.value;
    }
    if (m.target !== undefined) entry.target = m.target;
    metrics.push(entry);
    console.error(`   ${m.name}: ${fmt(m.value)} ${m.unit}${entry.ratio !== undefined ? `  (ratio ${entry.ratio.toFixed(2)} vs ${m.baseline.name})` : ""}`);
  }
}
function fmt(v) {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(4)).toString();
}
// a filtered run (`node scripts/bench.mjs load`) replaces only the selected files' metrics in results.json
if (filter && existsSync(join(root, "bench/results.json"))) {
  const ran = new Set(selected.map((f) => relative(root, f)));
  metrics.unshift(...JSON.parse(readFileSync(join(root, "bench/results.json"), "utf8")).metrics.filter((m) => !ran.has(m.source)));
}
const machine = { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), date: new Date().toISOString() };
mkdirSync(join(root, "bench"), { recursive: true });
writeFileSync(join(root, "bench/results.json"), `${JSON.stringify({ machine, metrics }, null, 2)}\n`);
const rows = metrics.map((m) => `| ${m.name} | ${fmt(m.value)} ${m.unit} | ${m.baseline ? `${m.baseline.name}: ${fmt(m.baseline.value)}` : ""} | ${m.ratio !== undefined ? m.ratio.toFixed(2) : ""} | ${m.target ?? ""} |`);
writeFileSync(
  join(root, "bench/results.md"),
  `# Benchmark results\n\n${machine.cpuModel}, ${machine.cpus} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}\n\n| metric | value | baseline (same run) | ratio | target |\n|---|---|---|---|---|\n${rows.join("\n")}\n`,
);
console.error(`Wrote bench/results.json and bench/results.md (${metrics.length} metrics from ${selected.length} file(s)).`);
