import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createCheckpointVerifier, verifyExport } from "@lawful/audit";
import { createUuidV7Generator, type Clock } from "@lawful/core";
import { loadConfig } from "./config.js";
import { createOutbox } from "./outbox.js";
import { createLawful } from "./server.js";
import { runCli, useCliSqliteFile } from "./test-harness.js";
import { createProgressBar } from "./progress.js";

const OLD: Clock = { now: () => new Date("2021-06-01T08:00:00Z") };


describe("lawful CLI: audit and retention commands on a SQLite file", () => {
  const cli = useCliSqliteFile("cli.db");
  let verifierKey: string;

  beforeAll(async () => {
    const { file } = cli;
    const created = await runCli("tenant", "create", "acme", "--json");
    expect(created.code).toBe(0);
    // some history: a retention rule (audited), two old outbox messages and a checkpoint
    const lawful = await createLawful(loadConfig({ DATABASE_URL: `sqlite:${file.path}`, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    const tenant = (await lawful.tenants.bySlug("acme"))!;
    await lawful.services.retention.putRule(tenant.id, { id: "outbox-1y", title: "Delivered mail", selectors: { recordTypes: ["outbox_message"] }, trigger: { type: "created" }, duration: "P1Y", kind: "maximum", action: "delete" });
    await lawful.services.audit.record({ tenantId: tenant.id, action: "retention.rule_saved", actor: { type: "staff", id: "cli-test" }, target: { system: "lawful", recordType: "retention_rule", recordId: "outbox-1y" } });
    const outbox = createOutbox(lawful.db.sql, OLD, createUuidV7Generator({ clock: OLD }));
    await outbox.send(tenant.id, { kind: "verification_code", to: "ada@example.com", subject: "Code", body: "111111", subjectPseudonym: "ps-ada" });
    await outbox.send(tenant.id, { kind: "request_update", to: "ada@example.com", subject: "Update", body: "Done", subjectPseudonym: "ps-ada" });
    await lawful.services.audit.checkpoint(tenant.id);
    verifierKey = lawful.services.checkpointVerifierKey;
    await lawful.close();
  });

  it("audit verify - an intact log verifies with exit code 0; an unknown tenant is exit code 1", async () => {
    const r = await runCli("audit", "verify", "acme", "--json");
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; eventsChecked: number; checkpointsVerified: number };
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBeGreaterThanOrEqual(1);
    expect(report.checkpointsVerified).toBeGreaterThanOrEqual(1);
    const missing = await runCli("audit", "verify", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("No tenant");
  });

  it("audit export --out - writes the NDJSON export that verifies offline with the published key", async () => {
    const out = join(cli.file.dir, "audit.ndjson");
    const r = await runCli("audit", "export", "acme", "--out", out);
    expect(r.code, r.err).toBe(0);
    const text = readFileSync(out, "utf8");
    expect((await verifyExport(text, [createCheckpointVerifier(verifierKey)])).ok).toBe(true);
    const toStdout = await runCli("audit", "export", "acme");
    expect(toStdout.out).toBe(text.replace(/"exportedAt":"[^"]+"/, /"exportedAt":"[^"]+"/.exec(toStdout.out)![0]));
  });

  it("retention plan / run - plan changes nothing, run without --yes refuses, run --yes deletes, a rerun is a no-op", async () => {
    const plan = await runCli("retention", "plan", "acme", "--json");
    expect(plan.code, plan.err).toBe(0);
    expect((JSON.parse(plan.out) as { plan: { byOutcome: { delete: number } } }).plan.byOutcome.delete).toBe(2);
    const refused = await runCli("retention", "run", "acme");
    expect(refused.code).toBe(2);
    expect(refused.out).toContain("--yes");
    expect(refused.err).toContain("retention run acme: 2 records evaluated"); // non-TTY stderr: one final line, no bar
    const done = await runCli("retention", "run", "acme", "--yes", "--json");
    expect(done.code, done.err).toBe(0);
    const result = JSON.parse(done.out) as { executed: boolean; applied: { delete: number }; failed: number };
    expect(result).toMatchObject({ executed: true, applied: { delete: 2 }, failed: 0 });
    const again = JSON.parse((await runCli("retention", "run", "acme", "--yes", "--json")).out) as { processed: number; applied: { delete: number } };
    expect(again).toMatchObject({ processed: 0, applied: { delete: 0 } });
    const verify = await runCli("audit", "verify", "acme", "--json");
    expect(verify.code).toBe(0);
    expect(verify.out).not.toContain("ada@example.com");
  });

  it("audit verify - a row tampered with in the SQLite file is exit code 1 naming the event", async () => {
    const db = cli.file.open();
    const row = db.prepare("SELECT bytes FROM audit_events WHERE sequence = 0").get() as { bytes: Buffer };
    const tampered = Buffer.from(row.bytes.toString("utf8").replace("retention.rule_saved", "retention.rule_s4ved"));
    expect(tampered.equals(row.bytes)).toBe(false);
    db.prepare("UPDATE audit_events SET bytes = ? WHERE sequence = 0").run(tampered);
    db.close();
    const r = await runCli("audit", "verify", "acme", "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { ok: boolean; problem: { sequence: number } };
    expect(report.ok).toBe(false);
    expect(report.problem.sequence).toBe(0);
    expect((await runCli("audit", "verify", "acme")).out).toContain("BROKEN");
  });
});

describe("progress bar", () => {
  it("redraws one line on a terminal and prints only a final line elsewhere", () => {
    let t = 0;
    const tty = { isTTY: true, columns: 80, text: "", write(s: string) { this.text += s; } };
    const bar = createProgressBar(tty, "retention", 200, { now: () => (t += 1000) });
    bar.update(50);
    bar.update(100);
    bar.finish("200 records");
    expect(tty.text).toContain("\r");
    expect(tty.text).toContain(" 50% 100/200");
    expect(tty.text).toContain("100% 200/200\nretention: 200 records\n");
    const pipe = { isTTY: false, text: "", write(s: string) { this.text += s; } };
    const quiet = createProgressBar(pipe, "retention", 200);
    quiet.update(100);
    quiet.finish("200 records");
    expect(pipe.text).toBe("retention: 200 records\n");
  });
});
