// Load test of the reference server (issue #10), on demand via `pnpm bench` (or `node scripts/bench.mjs load`).
// autocannon on loopback against the real `lawful serve` in a child process, on SQLite and on PostgreSQL
// (TEST_DATABASE_URL, else a throwaway server from scripts/lib/postgres.mjs, else skipped with a note):
//  (a) public form consent captures, a unique e-mail per request;
//  (b) GET /v1/consent/decision with an API key;
//  baseline: a bare Hono app with one constant route, in its own child process on the same machine, same run.
// Afterwards it checks that every 2xx-acknowledged capture is stored and that the audit log verifies, and
// throws when not. The public rate limits (120/min per address) are lifted for the run through
// PUBLIC_RATE_LIMIT_PER_MINUTE / PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE, never silently.
// The server runs from source (tsx, `@lawful/source` condition), as the crash and concurrency tests do.
// LOAD_SECONDS (default 10) sets the duration of each autocannon run.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import pg from "pg";

const HERE = new URL(".", import.meta.url).pathname;
const ROOT = join(HERE, "../../..");
const CLI = join(HERE, "../src/cli.ts");
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CONNECTIONS = 10;
const LIFTED = { PUBLIC_RATE_LIMIT_PER_MINUTE: "10000000", PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE: "10000000" };

/** Spawn a node child; resolve once stdout matches `ready` (its first group is the port). */
function startChild(args, env, ready) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ port: Number(m[1]), stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once("exit", () => done()), child.kill("SIGTERM")))) });
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before it was ready:\n${out}`)));
  });
}

/** Run the CLI to completion and return its stdout. */
function runCli(args, env) {
  const child = spawn(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`lawful ${args.join(" ")} failed (${code}): ${err}`)))));
}

async function cannon(url, options) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...options });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r["2xx"], failed: r.non2xx + r.errors + r.timeouts };
}

async function seedForm(base, key) {
  const post = async (path, json) => {
    const res = await fetch(`${base}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(json) });
    if (res.status !== 201) throw new Error(`seeding ${path}: ${res.status} ${await res.text()}`);
  };
  await post("/v1/purposes", { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
  await post("/v1/purposes", { id: "partner-offers", name: "Partner offers", channel: "email", lawfulBasis: "consent", regime: "EU" });
  await post("/v1/notices", {
    noticeId: "signup",
    version: 1,
    locale: "en",
    contentType: "text/plain",
    content: "Bench GmbH sends you its newsletter and, if you wish, partner offers. You can withdraw at any time.",
    controllers: [{ name: "Bench GmbH" }],
    purposes: ["newsletter", "partner-offers"],
    dataCategories: ["contact.email"],
    withdrawalInfo: "Use the unsubscribe link in every e-mail.",
  });
  await post("/v1/forms", {
    id: "landing",
    notice: { noticeId: "signup", version: 1 },
    fields: [
      { purposeId: "newsletter", fieldName: "newsletter", label: "Send me the newsletter" },
      { purposeId: "partner-offers", fieldName: "partners", label: "Send me partner offers" },
    ],
  });
}

/** Load one database: seed, run (a) and (b), then check storage and the audit log. */
async function loadDatabase(ctx, label, env, countEvents, baseline) {
  const seeded = JSON.parse(await runCli(["tenant", "create", "bench", "--json"], { ...env, LOG_LEVEL: "silent" }));
  const server = await startChild(["--conditions=@lawful/source", "--import", "tsx", CLI, "serve"], { ...env, ...LIFTED, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" }, /on http:\/\/127\.0\.0\.1:(\d+)/);
  ctx.log(`${label}: server on port ${server.port}; public rate limits lifted to ${LIFTED.PUBLIC_RATE_LIMIT_PER_MINUTE}/min for this run`);
  const base = `http://127.0.0.1:${server.port}`;
  const auth = { authorization: `Bearer ${seeded.secret}` };
  try {
    await seedForm(base, seeded.secret);
    const run = randomBytes(4).toString("hex");
    let n = 0;
    const capture = await cannon(base, {
      requests: [
        {
          method: "POST",
          path: "/p/bench/forms/landing/submit",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          setupRequest: (req) => ({ ...req, body: `email=load-${run}-${++n}%40example.com&newsletter=on` }),
        },
      ],
    });
    const decision = await cannon(`${base}/v1/consent/decision?subject=${encodeURIComponent(`email:load-${run}-1@example.com`)}&purpose=newsletter`, { headers: auth });
    // every acknowledged capture stored: two events (newsletter given, partner offers refused) per submission;
    // captures still in flight when autocannon stopped may be stored without having been counted
    const events = await countEvents(seeded.tenant.id);
    const stored = events / 2;
    ctx.log(`${label}: captures acknowledged ${capture.ok}, stored ${stored} (${events} events), failed ${capture.failed}`);
    if (stored < capture.ok || stored > capture.ok + CONNECTIONS) throw new Error(`${label}: ${capture.ok} captures acknowledged but ${stored} stored`);
    const verify = await (await fetch(`${base}/v1/audit/verify`, { headers: auth })).json();
    ctx.log(`${label}: audit log verifies: ${verify.ok}`);
    if (verify.ok !== true) throw new Error(`${label}: the audit log does not verify after the load: ${JSON.stringify(verify).slice(0, 400)}`);
    // autocannon records latencies in whole milliseconds: a 0 ms baseline latency gives no ratio, so none is attached
    const vs = (name, value) => (value > 0 ? { baseline: { name, value } } : {});
    const rel = (name, what, m, b) => [
      { name: `reference server ${label}: ${name}, throughput`, unit: "req/s", value: m.rps, better: "higher", baseline: { name: `bare Hono constant route (${what})`, value: b.rps } },
      { name: `reference server ${label}: ${name}, p50 latency`, unit: "ms", value: m.p50, better: "lower", ...vs("bare Hono constant route, p50", b.p50) },
      { name: `reference server ${label}: ${name}, p99 latency`, unit: "ms", value: m.p99, better: "lower", ...vs("bare Hono constant route, p99", b.p99) },
      { name: `reference server ${label}: ${name}, errors (non-2xx, socket errors, timeouts)`, unit: "responses", value: m.failed, better: "lower" },
    ];
    return [
      ...rel(`public form capture POST /p/{tenant}/forms/{form}/submit (${CONNECTIONS} connections, ${SECONDS} s)`, "req/s", capture, baseline),
      { name: `reference server ${label}: form captures acknowledged (2xx) and verified stored`, unit: "captures", value: capture.ok, better: "higher" },
      ...rel(`GET /v1/consent/decision (${CONNECTIONS} connections, ${SECONDS} s)`, "req/s", decision, baseline),
    ];
  } finally {
    await server.stop();
  }
}

async function withPostgres(ctx, fn) {
  if (process.env.TEST_DATABASE_URL) return fn(process.env.TEST_DATABASE_URL);
  let server;
  try {
    const { startPostgres } = await import(new URL("../../../scripts/lib/postgres.mjs", import.meta.url).href);
    server = await startPostgres();
  } catch (error) {
    ctx.log(`PostgreSQL load skipped: ${error.message.split("\n")[0]}`);
    return [];
  }
  ctx.log(`started a throwaway PostgreSQL at ${server.url}`);
  try {
    return await fn(server.url);
  } finally {
    server.stop();
  }
}

export default async function (ctx) {
  const bare = await startChild([join(HERE, "baseline-server.mjs")], {}, /baseline on http:\/\/127\.0\.0\.1:(\d+)/);
  let baseline;
  try {
    baseline = await cannon(`http://127.0.0.1:${bare.port}/`, {});
  } finally {
    await bare.stop();
  }
  ctx.log(`bare Hono: ${Math.round(baseline.rps)} req/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`);
  const metrics = [
    { name: `bare Hono app, one constant route, @hono/node-server child process (${CONNECTIONS} connections, ${SECONDS} s)`, unit: "req/s", value: baseline.rps, better: "higher" },
  ];

  const dir = mkdtempSync(join(tmpdir(), "lawful-load-"));
  try {
    const file = join(dir, "load.db");
    metrics.push(
      ...(await loadDatabase(ctx, "SQLite", { DATABASE_URL: `sqlite:${file}` }, async (tenantId) => {
        const db = new Database(file, { readonly: true });
        try {
          return db.prepare("SELECT count(*) AS n FROM consent_events WHERE tenant_id = ?").get(tenantId).n;
        } finally {
          db.close();
        }
      }, baseline)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  metrics.push(
    ...(await withPostgres(ctx, async (adminUrl) => {
      const name = `load_bench_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      try {
        return await loadDatabase(ctx, "PostgreSQL", { DATABASE_URL: u.toString(), LAWFUL_MASTER_KEY: randomBytes(32).toString("base64url") }, async (tenantId) => {
          const c = new pg.Client({ connectionString: u.toString() });
          await c.connect();
          try {
            return Number((await c.query("SELECT count(*) AS n FROM consent_events WHERE tenant_id = $1", [tenantId])).rows[0].n);
          } finally {
            await c.end();
          }
        }, baseline);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    })),
  );
  return metrics;
}
