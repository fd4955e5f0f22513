// Benchmarks of @lawful/consent on SQLite (built package):
// 1. decide() with 1,000,000 subjects x 3 purposes in the projection, against a bare indexed SELECT of one row by key;
// 2. form capture (3 purposes per submission, with audit events and encrypted evidence) against the same rows inserted bare.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  configureSqlite,
  createKeyring,
  createMemoryAuditSink,
  createMemoryKeyStore,
  createPseudonymizer,
  createUuidV7Generator,
} from "@lawful/core";
import { createConsentService } from "@lawful/consent";
import { createSqliteConsentStore } from "@lawful/consent/sqlite";

const SUBJECTS = Number(process.env.CONSENT_BENCH_SUBJECTS ?? 1_000_000);
const PURPOSES = ["newsletter", "offers", "partners"];
const DECIDE_SAMPLES = 50_000;
const CAPTURES = 1_500;
const TENANT = "bench";

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

export default async function consentBench(ctx) {
  const dir = mkdtempSync(join(tmpdir(), "lawful-consent-bench-"));
  const db = new Database(join(dir, "consent.db"));
  configureSqlite(db);
  try {
    const pseudonymizer = createPseudonymizer({ key: new Uint8Array(32).fill(1) });
    const keyring = createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: new Uint8Array(32).fill(2) }], currentKekId: "k1" });
    const audit = createMemoryAuditSink();
    const store = createSqliteConsentStore({ database: db });
    const service = createConsentService({
      store,
      audit,
      pseudonymizer,
      keyring,
      suppressionKey: new Uint8Array(32).fill(3),
      tokenKey: new Uint8Array(32).fill(4),
    });
    for (const id of PURPOSES) await service.definePurpose({ tenantId: TENANT, id, name: id, channel: "email", lawfulBasis: "consent", regime: "EU" });
    await service.publishNotice({
      tenantId: TENANT,
      noticeId: "signup",
      version: 1,
      locale: "en",
      contentType: "text/plain",
      content: "Bench notice",
      controllers: [{ name: "Bench Ltd" }],
      purposes: PURPOSES,
      dataCategories: ["contact.email"],
      withdrawalInfo: "Unsubscribe link in every e-mail.",
    });

    // --- seed the projection with bulk inserts ---------------------------------------------------
    ctx.log(`seeding ${SUBJECTS.toLocaleString("en-US")} subjects x ${PURPOSES.length} purposes`);
    const t0 = process.hrtime.bigint();
    const pseudonyms = new Array(SUBJECTS);
    const insert = db.prepare(
      "INSERT INTO consent_state (tenant_id, subject, purpose_key, status, basis, event_id, since, until, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
    );
    const since = Date.parse("2025-01-01T00:00:00Z");
    for (let i = 0; i < SUBJECTS; i++) pseudonyms[i] = pseudonymizer.pseudonym({ kind: "email", value: `user${i}@example.com` });
    // insert in key order: a bulk load, like a restore or a migration would do
    const order = Array.from({ length: SUBJECTS }, (_, i) => i).sort((a, b) => (pseudonyms[a] < pseudonyms[b] ? -1 : pseudonyms[a] > pseudonyms[b] ? 1 : 0));
    const seedChunk = db.transaction((from, to) => {
      for (let k = from; k < to; k++) {
        const i = order[k];
        for (let p = 0; p < PURPOSES.length; p++) {
          const granted = (i + p) % 3 !== 0;
          insert.run(TENANT, pseudonyms[i], PURPOSES[p], granted ? "granted" : "withdrawn", granted ? "gdpr_consent" : null, `e${i}-${p}`, since, since);
        }
      }
    });
    for (let i = 0; i < SUBJECTS; i += 200_000) seedChunk(i, Math.min(SUBJECTS, i + 200_000));
    db.pragma("wal_checkpoint(TRUNCATE)");
    ctx.log(`seeded in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);

    // --- decide() vs a bare indexed SELECT of one row by key, interleaved rounds (machine noise hits both alike) ---
    const bare = db.prepare("SELECT status, basis, event_id, since, until, as_of FROM consent_state WHERE tenant_id = ? AND subject = ? AND purpose_key = ?");
    const rnd = lcg(42);
    const at = new Date("2025-06-01T00:00:00Z");
    const emails = Array.from({ length: 4096 }, () => `user${rnd() % SUBJECTS}@example.com`);
    for (let i = 0; i < 5_000; i++) bare.get(TENANT, pseudonyms[rnd() % SUBJECTS], PURPOSES[rnd() % 3]);
    for (let i = 0; i < 5_000; i++) await service.decide(TENANT, { kind: "email", value: `user${rnd() % SUBJECTS}@example.com` }, PURPOSES[rnd() % 3], at);
    const ROUNDS_D = 5;
    const perRoundD = DECIDE_SAMPLES / ROUNDS_D;
    let bareNsD = 0n;
    let decideNsD = 0n;
    let allowed = 0;
    for (let r = 0; r < ROUNDS_D; r++) {
      let start = process.hrtime.bigint();
      for (let i = 0; i < perRoundD; i++) bare.get(TENANT, pseudonyms[rnd() % SUBJECTS], PURPOSES[rnd() % 3]);
      bareNsD += process.hrtime.bigint() - start;
      start = process.hrtime.bigint();
      for (let i = 0; i < perRoundD; i++) {
        // decide() by e-mail address: normalisation, pseudonym (HMAC) and the projection read are all inside
        const d = await service.decide(TENANT, { kind: "email", value: `user${rnd() % SUBJECTS}@example.com` }, PURPOSES[rnd() % 3], at);
        if (d.allowed) allowed++;
      }
      decideNsD += process.hrtime.bigint() - start;
    }
    const bareRate = DECIDE_SAMPLES / (Number(bareNsD) / 1e9);
    const decideRate = DECIDE_SAMPLES / (Number(decideNsD) / 1e9);
    // latency distribution in a separate pass (per-call timing would slow the rate pass)
    const lat = new Float64Array(DECIDE_SAMPLES / 2);
    for (let i = 0; i < lat.length; i++) {
      const subject = { kind: "email", value: emails[i % emails.length] };
      const purpose = PURPOSES[rnd() % 3];
      const s = process.hrtime.bigint();
      await service.decide(TENANT, subject, purpose, at);
      lat[i] = Number(process.hrtime.bigint() - s) / 1e3;
    }
    const sorted = Array.from(lat).sort((a, b) => a - b);
    ctx.log(`decide: ${allowed} of ${DECIDE_SAMPLES} allowed; bare SELECT ${Math.round(bareRate)}/s, decide ${Math.round(decideRate)}/s`);

    // --- form capture vs bare inserts ----------------------------------------------------------
    const ids = createUuidV7Generator();
    const bareEvent = db.prepare("INSERT INTO consent_events (tenant_id, id, subject, purpose_id, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?)");
    const bareState = db.prepare(
      "INSERT INTO consent_state (tenant_id, subject, purpose_key, status, basis, event_id, since, until, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (tenant_id, subject, purpose_key) DO UPDATE SET status = excluded.status, event_id = excluded.event_id, since = excluded.since, as_of = excluded.as_of",
    );
    // the same rows a capture writes: 3 events (a real event's JSON) and 4 projection rows (3 purposes + the evidence key row)
    await service.captureForm({
      tenantId: TENANT,
      formId: "signup",
      pageUrl: "https://bench.example/signup",
      subject: { kind: "email", value: "warmup@example.com" },
      notice: { noticeId: "signup", version: 1 },
      choices: PURPOSES.map((p) => ({ purposeId: p, fieldName: p, checked: true, defaultChecked: false })),
      request: { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (bench)" },
    });
    const sample = db.prepare("SELECT data FROM consent_events WHERE tenant_id = ? LIMIT 1").get(TENANT).data;
    const bareSubmission = db.transaction((ps) => {
      const now = Date.now();
      for (const p of PURPOSES) {
        const id = ids();
        bareEvent.run(TENANT, id, ps, p, now, sample);
        bareState.run(TENANT, ps, p, "granted", "gdpr_consent", id, now, now);
      }
      bareState.run(TENANT, ps, "*evidence", "evidence_key", null, `${ps}~${ids()}`, now, now);
    });
    // interleave rounds so that disk (fsync) speed drifts affect both sides alike
    const ROUNDS = 6;
    const perRound = Math.ceil(CAPTURES / ROUNDS);
    let bareNs = 0n;
    let captureNs = 0n;
    let n = 0;
    for (let r = 0; r < ROUNDS; r++) {
      let start = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) bareSubmission(pseudonymizer.pseudonym({ kind: "email", value: `bare${r}-${i}@example.com` }));
      bareNs += process.hrtime.bigint() - start;
      start = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++, n++) {
        await service.captureForm({
          tenantId: TENANT,
          formId: "signup",
          pageUrl: "https://bench.example/signup",
          subject: { kind: "email", value: `new${n}@example.com` },
          notice: { noticeId: "signup", version: 1 },
          choices: PURPOSES.map((p, j) => ({ purposeId: p, fieldName: p, checked: (n + j) % 2 === 0, defaultChecked: false })),
          request: { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (bench)" },
        });
      }
      captureNs += process.hrtime.bigint() - start;
    }
    const bareInsertRate = (perRound * ROUNDS) / (Number(bareNs) / 1e9);
    const captureRate = (perRound * ROUNDS) / (Number(captureNs) / 1e9);
    ctx.log(`capture: ${Math.round(captureRate)} submissions/s vs bare ${Math.round(bareInsertRate)}/s; audit events ${audit.events.length}`);

    return [
      { name: "consent decide() rate, SQLite, 1M subjects x 3 purposes", unit: "ops/s", value: decideRate, better: "higher", baseline: { name: "bare indexed SELECT by key", value: bareRate }, target: 0.5 },
      { name: "consent decide() median latency", unit: "µs", value: percentile(sorted, 50), better: "lower" },
      { name: "consent decide() p99 latency", unit: "µs", value: percentile(sorted, 99), better: "lower" },
      { name: "consent form capture (3 purposes, audit, encrypted evidence), SQLite", unit: "submissions/s", value: captureRate, better: "higher", baseline: { name: "same rows inserted bare", value: bareInsertRate }, target: 0.3 },
    ];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
