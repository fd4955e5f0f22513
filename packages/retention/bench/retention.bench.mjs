// Benchmarks of @lawful/retention (issue 6):
// 1. record evaluations per second on one core with 20 rules, vs a loop that only reads the same records;
// 2. peak RSS of streaming 10M vs 1M lazily generated records through planRetention (child processes).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createRetentionEvaluator } from "@lawful/retention";
import { holds, makeRecord, now, rules } from "./fixtures.mjs";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));

function timeLoop(fn, records, minMs) {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed;
  do {
    ops += fn(records);
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return (ops / elapsed) * 1000;
}

async function rss(n, log) {
  const { stdout } = await run(process.execPath, ["--expose-gc", `${here}retention-rss-child.mjs`, String(n)], { cwd: here, maxBuffer: 1 << 20, timeout: 240_000 });
  const r = JSON.parse(stdout);
  log(`streamed ${r.records.toLocaleString("en-US")} records in ${r.seconds.toFixed(1)} s; peak RSS ${(r.peakRss / 2 ** 20).toFixed(1)} MiB (maxRSS ${(r.maxRss / 2 ** 20).toFixed(1)} MiB); heap retained after full GC ${(r.retainedHeap / 2 ** 20).toFixed(1)} MiB`);
  return r;
}

export default async function bench(ctx) {
  const log = ctx?.log ?? console.error;
  const evaluator = createRetentionEvaluator({ rules, holds });
  const records = Array.from({ length: 100_000 }, (_, i) => makeRecord(i));
  let sink = 0;
  const evaluate = (rs) => {
    for (let i = 0; i < rs.length; i++) sink += evaluator.evaluate(rs[i], now).matches.length;
    return rs.length;
  };
  const readOnly = (rs) => {
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      sink += r.recordType.length + r.categories.length + r.createdAt.getTime();
    }
    return rs.length;
  };
  // warm up both loops, then alternate measurements and keep the best of three
  timeLoop(evaluate, records, 500);
  timeLoop(readOnly, records, 200);
  let evalRate = 0;
  let readRate = 0;
  for (let k = 0; k < 3; k++) {
    evalRate = Math.max(evalRate, timeLoop(evaluate, records, 1000));
    readRate = Math.max(readRate, timeLoop(readOnly, records, 300));
  }
  log(`evaluations: ${Math.round(evalRate).toLocaleString("en-US")}/s; read-only loop: ${Math.round(readRate).toLocaleString("en-US")}/s (sink ${sink % 7})`);

  const small = await rss(1_000_000, log);
  const large = await rss(10_000_000, log);
  return [
    {
      name: "retention: record evaluations per second (20 rules, 2 holds, one core)",
      unit: "evaluations/s",
      value: evalRate,
      better: "higher",
      baseline: { name: "loop that only reads the same records", value: readRate },
      target: ">= 1,000,000 evaluations/s",
    },
    {
      name: "retention: peak RSS streaming 10M records through planRetention",
      unit: "MiB",
      value: large.peakRss / 2 ** 20,
      better: "lower",
      baseline: { name: "peak RSS streaming 1M records", value: small.peakRss / 2 ** 20 },
      target: "within 20% of the 1M run (ratio >= 0.83)",
    },
    {
      name: "retention: heap retained after streaming 10M records (after a full GC)",
      unit: "MiB",
      value: large.retainedHeap / 2 ** 20,
      better: "lower",
      baseline: { name: "heap retained after streaming 1M records", value: small.retainedHeap / 2 ** 20 },
      target: "flat (ratio ~1)",
    },
    {
      name: "retention: streamed records per second (planRetention, async generator, 10M)",
      unit: "records/s",
      value: large.records / large.seconds,
      better: "higher",
    },
  ];
}
