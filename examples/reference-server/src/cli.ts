#!/usr/bin/env node
import { parseArgs } from "node:util";
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { isLawfulError, systemClock, type SubjectRef } from "@lawful/core";
import { ConfigError, loadConfig } from "./config.js";
import { createLawful, listen } from "./server.js";
import { SCOPES, ScopeSchema, saveControllerDetails } from "./tenants.js";
import { seedDemoContent } from "./demo.js";
import { auditExportLines } from "./routes/audit.js";
import { verificationJson, verifyAndRecord } from "./audit-status.js";
import { planServerRetention, runServerRetention, type RetentionRunDeps } from "./retention-run.js";
import { createProgressBar } from "./progress.js";
import { rewrapSubjectKeys } from "./keys.js";
import { ExportFormatSchema, exportSubject } from "./exports.js";
import { parseSubjectParam } from "./routes/consent.js";

const USAGE = `Usage: lawful <command> [options]

Commands:
  serve [--demo]                          migrate and serve HTTP (--demo: create the demo tenant if missing)
  migrate                                 apply database migrations and exit
  tenant create <slug> [--name N] [--email E] [--dpo-email D] [--json]
                                          create a tenant and print it with an admin API key
  tenant contact <slug> --email E [--phone P] [--dpo-email D] [--json]
                                          set the controller's contact (and DPO) e-mail, shown in the
                                          privacy center and exports and required by the records of processing
  tenant list [--json]                    list tenants
  key create <slug> --scopes a,b [--name N] [--json]
                                          create an API key for a tenant (scopes: ${SCOPES.join(", ")})
  demo seed [--json]                      create the demo tenant, an admin key, the landing page at /p/demo,
                                          its sub-processors, records of processing and retention schedule
  audit verify <slug> [--json]            verify the tenant's audit log; exit code 1 when it is broken
  audit export <slug> [--out FILE]        write the log with its checkpoints as NDJSON (stdout by default),
                                          verifiable offline with verifyExport / lawful-audit verify
  retention plan <slug> [--json]          dry run over the server's own records (outbox, idempotency keys, closed requests, ended consents)
  retention run <slug> --yes [--json]     delete/anonymise what the tenant's rules make due (legal holds win);
                                          resumable: re-run after a crash. Without --yes only the plan is shown
  export subject <slug> <kind:value> [--format zip|json|csv|html] [--out FILE]
                                          the subject's access package (default: the ZIP bundle) to FILE or stdout;
                                          recorded in the audit log as data.exported
  keys rotate-kek [--json]                rewrap every subject key with the current KEK (set LAWFUL_KEK_VERSION first)

Configuration comes from environment variables: DATABASE_URL (sqlite:<file> or postgres://…,
default sqlite:./data/lawful.db), PORT (3000), HOST (127.0.0.1), LOG_LEVEL, LAWFUL_MASTER_KEY
or LAWFUL_MASTER_KEY_FILE (required with PostgreSQL), PUBLIC_BASE_URL, SHUTDOWN_TIMEOUT_MS,
PUBLIC_RATE_LIMIT_PER_MINUTE (120 per address), PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE (3000), WORK_LEASE_MS (300000),
LAWFUL_CHECKPOINT_KEY_FILE, LAWFUL_CHECKPOINT_PREVIOUS_KEYS, LAWFUL_KEK_VERSION (1), SMTP_URL, MAIL_FROM and
ERASURE_COMPACTION_WINDOW (PostgreSQL: a daily UTC window such as 02:00-04:00 for the VACUUM FULL after erasures).`;

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function seedDemo(lawful: Awaited<ReturnType<typeof createLawful>>, json: boolean): Promise<void> {
  const existing = await lawful.tenants.bySlug("demo");
  // landing page, processing activities, processors and retention rules (src/demo.ts): only what is missing
  const content = (tenantId: string) => seedDemoContent(lawful, tenantId);
  if (existing) {
    await content(existing.id);
    print(json, { tenant: existing, key: null }, 'Demo tenant "demo" exists. Create a key with: lawful key create demo --scopes admin');
    return;
  }
  const tenant = await lawful.tenants.create({ slug: "demo", name: "Demo GmbH" });
  await content(tenant.id);
  const { key, secret } = await lawful.tenants.createKey(tenant.id, { name: "demo admin", scopes: ["admin"] });
  print(json, { tenant, key, secret }, `Demo tenant "demo" created.\nAdmin API key (shown once): ${secret}`);
}

type Lawful = Awaited<ReturnType<typeof createLawful>>;

/** `lawful audit …` and `lawful retention …` for one tenant; returns the exit code. */
async function tenantCommand(lawful: Lawful, command: string, sub: string, slug: string, opts: { json: boolean; out?: string | undefined; yes: boolean }): Promise<number> {
  const tenant = await lawful.tenants.bySlug(slug);
  if (!tenant) {
    process.stderr.write(`No tenant with slug "${slug}".\n`);
    return 1;
  }
  const { json } = opts;
  if (command === "audit" && sub === "verify") {
    const report = await verifyAndRecord({ sql: lawful.db.sql, audit: lawful.services.audit, clock: systemClock }, tenant.id);
    const text = report.ok
      ? `Audit log of ${slug} verifies: ${report.eventsChecked} events, ${report.checkpointsVerified} signed checkpoints (covering ${report.coveredSize}).`
      : `Audit log of ${slug} is BROKEN at ${report.problem?.sequence ?? "?"} (${report.problem?.kind ?? "unknown"}): ${report.problem?.message ?? ""}`;
    print(json, verificationJson(report), text);
    return report.ok ? 0 : 1;
  }
  if (command === "audit" && sub === "export") {
    const out: NodeJS.WritableStream = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
    let lines = 0;
    for await (const line of auditExportLines(lawful.services.audit, tenant.id)) {
      lines++;
      if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    if (opts.out) {
      await finished(out.end());
      process.stderr.write(`Wrote ${lines} lines to ${opts.out}.\n`);
    }
    return 0;
  }
  const deps: RetentionRunDeps = { sql: lawful.db.sql, retention: lawful.services.retention, dsr: lawful.services.dsr, consent: lawful.services.consent, audit: lawful.services.audit, clock: systemClock };
  const bar = (total: number) => createProgressBar(process.stderr, `retention ${sub} ${slug}`, total);
  if (command === "retention" && (sub === "plan" || (sub === "run" && !opts.yes))) {
    let progress: ReturnType<typeof bar> | undefined;
    const { total, plan } = await planServerRetention(deps, tenant.id, { onProgress: (done, all) => (progress ??= bar(all)).update(done) });
    progress?.finish(`${total} records evaluated`);
    const due = plan.byOutcome.delete + plan.byOutcome.anonymise;
    const hint = sub === "run" ? "\nNothing was changed: run again with --yes to execute." : "";
    print(json, { executed: false, total, plan }, `${plan.records} records: ${plan.byOutcome.delete} to delete, ${plan.byOutcome.anonymise} to anonymise, ${plan.byOutcome.hold} held, ${plan.byOutcome.keep} kept (${due} due).${hint}`);
    return sub === "run" ? 2 : 0;
  }
  if (command === "retention" && sub === "run") {
    let progress: ReturnType<typeof bar> | undefined;
    const result = await runServerRetention(deps, tenant.id, { actor: { type: "system", id: "lawful-cli" }, onProgress: (done, all) => (progress ??= bar(all)).update(done) });
    progress?.finish(`${result.processed} records evaluated`);
    print(
      json,
      { executed: true, ...result },
      `Run ${result.runId}: ${result.processed} records, ${result.applied.delete} deleted, ${result.applied.anonymise} anonymised, ${result.byOutcome.hold} held, ${result.skippedAlreadyDone} already done, ${result.failed} failed.`,
    );
    return result.failed ? 1 : 0;
  }
  process.stderr.write(`Unknown command.\n\n${USAGE}\n`);
  return 2;
}

/** `lawful export subject <slug> <kind:value>`: the access package to `--out` or stdout; returns the exit code. */
async function exportCommand(lawful: Lawful, slug: string, subject: string, opts: { format?: string | undefined; out?: string | undefined }): Promise<number> {
  const tenant = await lawful.tenants.bySlug(slug);
  if (!tenant) {
    process.stderr.write(`No tenant with slug "${slug}".\n`);
    return 1;
  }
  const format = ExportFormatSchema.safeParse(opts.format ?? "zip");
  if (!format.success) {
    process.stderr.write(`--format must be one of ${ExportFormatSchema.options.join(", ")}.\n`);
    return 2;
  }
  const file = await exportSubject(lawful.services, tenant, parseSubjectParam(subject) as SubjectRef, format.data, "en", { actor: { type: "system", id: "lawful-cli" }, channel: "cli" });
  const out: NodeJS.WritableStream = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
  for await (const chunk of file.body) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  if (opts.out) {
    await finished(out.end());
    process.stderr.write(`Wrote ${file.filename} to ${opts.out}.\n`);
  }
  return 0;
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      name: { type: "string" },
      scopes: { type: "string" },
      demo: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      out: { type: "string" },
      yes: { type: "boolean" },
      format: { type: "string" },
      email: { type: "string" },
      phone: { type: "string" },
      "dpo-email": { type: "string" },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const json = values.json ?? false;
  const config = loadConfig();
  if (command === "serve") {
    const lawful = await createLawful(config);
    if (values.demo) await seedDemo(lawful, false);
    const { port, stop } = await listen(lawful);
    lawful.logger.info({ port, database: lawful.db.kind }, "listening");
    process.stdout.write(`Lawful reference server on http://${config.HOST}:${port} (${lawful.db.kind}) — API docs at /docs\n`);
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        lawful.logger.info({ signal }, "shutting down");
        void stop().then(resolve);
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
    return 0;
  }
  const lawful = await createLawful({ ...config, LOG_LEVEL: "silent" });
  try {
    if (command === "migrate") {
      print(json, { migrated: true }, "Database is up to date.");
      return 0;
    }
    if (command === "tenant" && sub === "create" && arg) {
      const dpo = values["dpo-email"] === undefined ? {} : { dpo: { email: values["dpo-email"] } };
      const controllerDetails = values.email === undefined ? undefined : { contact: { email: values.email, ...(values.phone === undefined ? {} : { phone: values.phone }) }, ...dpo };
      const tenant = await lawful.tenants.create({ slug: arg, name: values.name ?? arg, ...(controllerDetails ? { controllerDetails } : {}) });
      const { key, secret } = await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] });
      print(json, { tenant, key, secret }, `Tenant ${tenant.slug} created.\nAdmin API key (shown once): ${secret}`);
      return 0;
    }
    if (command === "tenant" && sub === "contact" && arg) {
      const tenant = await lawful.tenants.bySlug(arg);
      if (!tenant) {
        process.stderr.write(`No tenant with slug "${arg}".\n`);
        return 1;
      }
      if (values.email === undefined) {
        process.stderr.write(`tenant contact needs --email.\n\n${USAGE}\n`);
        return 2;
      }
      // replaces the contact (and the DPO when --dpo-email is given); keeps an address and representative set through the API
      const before = tenant.controllerDetails;
      const details = {
        ...before,
        contact: { email: values.email, ...(values.phone === undefined ? {} : { phone: values.phone }) },
        ...(values["dpo-email"] === undefined ? {} : { dpo: { email: values["dpo-email"] } }),
      };
      const updated = await saveControllerDetails({ tenants: lawful.tenants, audit: lawful.services.audit }, tenant, details, { type: "system", id: "lawful-cli" });
      print(json, updated, `Controller contact details of ${tenant.slug} saved.`);
      return 0;
    }
    if (command === "tenant" && sub === "list") {
      const tenants = await lawful.tenants.list();
      print(json, tenants, tenants.map((t) => `${t.slug}\t${t.name}`).join("\n") || "(no tenants)");
      return 0;
    }
    if (command === "key" && sub === "create" && arg) {
      const tenant = await lawful.tenants.bySlug(arg);
      if (!tenant) {
        process.stderr.write(`No tenant with slug "${arg}".\n`);
        return 1;
      }
      const scopes = (values.scopes ?? "").split(",").filter(Boolean).map((s) => ScopeSchema.parse(s));
      const { key, secret } = await lawful.tenants.createKey(tenant.id, { name: values.name ?? "cli", scopes });
      print(json, { key, secret }, `API key ${key.prefix}… created with scopes ${key.scopes.join(", ")}.\nSecret (shown once): ${secret}`);
      return 0;
    }
    if ((command === "audit" || command === "retention") && sub && arg) {
      return await tenantCommand(lawful, command, sub, arg, { json, out: values.out, yes: values.yes ?? false });
    }
    if (command === "export" && sub === "subject" && arg && positionals[3]) {
      return await exportCommand(lawful, arg, positionals[3], { format: values.format, out: values.out });
    }
    if (command === "keys" && sub === "rotate-kek") {
      const summary = await rewrapSubjectKeys(lawful.db.sql, lawful.services.keyring);
      print(json, summary, `Subject keys now wrapped by ${summary.currentKekId}: ${summary.rewrapped} rewrapped, ${summary.alreadyCurrent} already current, ${summary.shredded} shredded meanwhile.`);
      return 0;
    }
    if (command === "demo" && sub === "seed") {
      await seedDemo(lawful, json);
      return 0;
    }
    process.stderr.write(`Unknown command.\n\n${USAGE}\n`);
    return 2;
  } finally {
    await lawful.close();
  }
}

const isEntry = process.argv[1] !== undefined && /cli\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
      else if (isLawfulError(error)) process.stderr.write(`${error.code}: ${error.message}\n`);
      else process.stderr.write(`lawful: ${(error as Error).name}: failed (set LOG_LEVEL=debug for details)\n`);
      process.exit(1);
    },
  );
}
