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

// Node flags of the RSS children, identical for both sizes. A 32 MiB semi-space (the young generation's
// half; Node 20's default is 16 MiB) is what a user running a large batch retention job would pick: the
// per-record garbage of an async record source then dies young instead of being promoted, so old space
// stays flat. The run without it is reported too.
const RSS_FLAGS = ["--max-semi-space-size=32"];

/** Runs fn over the records repeatedly for about ms milliseconds; returns operations per second. */
function timeLoop(fn, records, ms) {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed;
  do {
    ops += fn(records);
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < ms);
  return (ops / elapsed) * 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function rss(n, flags, log, kind = "async") {
  const { stdout } = await run(process.execPath, ["--expose-gc", ...flags, `${here}retention-rss-child.mjs`, String(n), kind], { cwd: here, maxBuffer: 1 << 20, timeout: 240_000 });
  const r = JSON.parse(stdout);
  log(`[node ${["--expose-gc", ...flags].join(" ")}, ${kind} source] streamed ${r.records.toLocaleString("en-US")} records in ${r.seconds.toFixed(1)} s; peak RSS (maxRSS) ${(r.maxRss / 2 ** 20).toFixed(1)} MiB; heap retained after full GC ${(r.retainedHeap / 2 ** 20).toFixed(1)} MiB`);
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
  // the same loop reading only what a bulk job reads (outcome and deciding rule)
  const evaluateOutcome = (rs) => {
    for (let i = 0; i < rs.length; i++) {
      const d = evaluator.evaluate(rs[i], now);
      sink += d.outcome.length + (d.decidingRuleId === undefined ? 0 : 1);
    }
    return rs.length;
  };
  // warm up, then interleave rounds (read-only, evaluate, evaluate-outcome) so that machine load hits
  // all loops alike; report the median round of each and the ratio of medians measured in this run
  timeLoop(evaluate, records, 500);
  timeLoop(evaluateOutcome, records, 300);
  timeLoop(readOnly, records, 200);
  const ROUNDS = 9;
  const evalRates = [];
  const outcomeRates = [];
  const readRates = [];
  for (let k = 0; k < ROUNDS; k++) {
    readRates.push(timeLoop(readOnly, records, 150));
    evalRates.push(timeLoop(evaluate, records, 600));
    outcomeRates.push(timeLoop(evaluateOutcome, records, 300));
  }
  const evalRate = median(evalRates);
  const outcomeRate = median(outcomeRates);
  const readRate = median(readRates);
  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  log(`evaluations (reading matches), ${ROUNDS} interleaved rounds: median ${fmt(evalRate)}/s (min ${fmt(Math.min(...evalRates))}, max ${fmt(Math.max(...evalRates))})`);
  log(`evaluations (reading outcome only): median ${fmt(outcomeRate)}/s; read-only loop: median ${fmt(readRate)}/s; ratio evaluate/read-only ${(evalRate / readRate).toFixed(3)} (sink ${sink % 7})`);

  const small = await rss(1_000_000, RSS_FLAGS, log);
  const large = await rss(10_000_000, RSS_FLAGS, log);
  const smallDefault = await rss(1_000_000, [], log);
  const largeDefault = await rss(10_000_000, [], log);
  // control: the same records from a plain generator, default flags (no async-iteration garbage from the source)
  const smallSync = await rss(1_000_000, [], log, "sync");
  const largeSync = await rss(10_000_000, [], log, "sync");
  log(
    `peak RSS 10M/1M: async source ${(large.maxRss / small.maxRss).toFixed(3)} with ${RSS_FLAGS.join(" ")}, ${(largeDefault.maxRss / smallDefault.maxRss).toFixed(3)} with default flags; sync source ${(largeSync.maxRss / smallSync.maxRss).toFixed(3)} with default flags`,
  );
  return [
    {
      name: "retention: record evaluations per second, reading matches (20 rules, 2 holds, one core; median of 9 interleaved rounds)",
      unit: "evaluations/s",
      value: evalRate,
      better: "higher",
      baseline: { name: "loop that only reads the same records", value: readRate },
      target: ">= 1,000,000 evaluations/s",
    },
    {
      name: "retention: record evaluations per second, reading outcome and deciding rule only",
      unit: "evaluations/s",
      value: outcomeRate,
      better: "higher",
      baseline: { name: "loop that only reads the same records", value: readRate },
    },
    {
      name: `retention: peak RSS streaming 10M records through planRetention (node ${RSS_FLAGS.join(" ")})`,
      unit: "MiB",
      value: large.maxRss / 2 ** 20,
      better: "lower",
      baseline: { name: "peak RSS streaming 1M records, same flags", value: small.maxRss / 2 ** 20 },
      target: "within 20% of the 1M run (ratio >= 0.83)",
    },
    {
      name: "retention: peak RSS streaming 10M records through planRetention (default node flags)",
      unit: "MiB",
      value: largeDefault.maxRss / 2 ** 20,
      better: "lower",
      baseline: { name: "peak RSS streaming 1M records, default flags", value: smallDefault.maxRss / 2 ** 20 },
    },
    {
      name: "retention: peak RSS streaming 10M records from a plain (sync) generator (default node flags)",
      unit: "MiB",
      value: largeSync.maxRss / 2 ** 20,
      better: "lower",
      baseline: { name: "peak RSS streaming 1M records, same source and flags", value: smallSync.maxRss / 2 ** 20 },
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
      name: `retention: streamed records per second (planRetention, async generator, 10M, node ${RSS_FLAGS.join(" ")})`,
      unit: "records/s",
      value: large.records / large.seconds,
      better: "higher",
    },
  ];
}
