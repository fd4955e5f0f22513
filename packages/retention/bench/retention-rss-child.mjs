// Child process of retention.bench.mjs: streams N lazily generated records through
// planRetention (bounded memory) and prints peak RSS and timing as JSON.
import { planRetention } from "@lawful/retention";
import { holds, now, rules, streamRecords, syncRecords } from "./fixtures.mjs";

const n = Number(process.argv[2] ?? 1_000_000);
// "async": an async generator (like a database cursor); "sync": a plain generator (like a file read in chunks)
const kind = process.argv[3] ?? "async";
let peak = process.memoryUsage().rss;
const started = process.hrtime.bigint();
const plan = await planRetention(kind === "sync" ? syncRecords(n) : streamRecords(n), {
  rules,
  holds,
  now,
  progressEvery: 50_000,
  onProgress: () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  },
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// what is really retained after the run: heap after a full GC (the child runs with --expose-gc)
globalThis.gc?.();
const retainedHeap = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ n, kind, records: plan.records, peakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024, retainedHeap, seconds }));
