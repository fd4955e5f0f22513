#!/usr/bin/env node
import { parseArgs } from "node:util";
import { isLawfulError } from "@lawful/core";
import { ConfigError, loadConfig } from "./config.js";
import { createLawful, listen } from "./server.js";
import { SCOPES, ScopeSchema } from "./tenants.js";

const USAGE = `Usage: lawful <command> [options]

Commands:
  serve [--demo]                          migrate and serve HTTP (--demo: create the demo tenant if missing)
  migrate                                 apply database migrations and exit
  tenant create <slug> [--name N] [--json] create a tenant and print it with an admin API key
  tenant list [--json]                    list tenants
  key create <slug> --scopes a,b [--name N] [--json]
                                          create an API key for a tenant (scopes: ${SCOPES.join(", ")})
  demo seed [--json]                      create the demo tenant and an admin key

Configuration comes from environment variables: DATABASE_URL (sqlite:<file> or postgres://…,
default sqlite:./data/lawful.db), PORT (3000), HOST (127.0.0.1), LOG_LEVEL, LAWFUL_MASTER_KEY
or LAWFUL_MASTER_KEY_FILE (required with PostgreSQL), PUBLIC_BASE_URL, SHUTDOWN_TIMEOUT_MS.`;

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function seedDemo(lawful: Awaited<ReturnType<typeof createLawful>>, json: boolean): Promise<void> {
  const existing = await lawful.tenants.bySlug("demo");
  if (existing) {
    print(json, { tenant: existing, key: null }, 'Demo tenant "demo" exists. Create a key with: lawful key create demo --scopes admin');
    return;
  }
  const tenant = await lawful.tenants.create({ slug: "demo", name: "Demo GmbH" });
  const { key, secret } = await lawful.tenants.createKey(tenant.id, { name: "demo admin", scopes: ["admin"] });
  print(json, { tenant, key, secret }, `Demo tenant "demo" created.\nAdmin API key (shown once): ${secret}`);
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: "boolean" }, name: { type: "string" }, scopes: { type: "string" }, demo: { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
      const tenant = await lawful.tenants.create({ slug: arg, name: values.name ?? arg });
      const { key, secret } = await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] });
      print(json, { tenant, key, secret }, `Tenant ${tenant.slug} created.\nAdmin API key (shown once): ${secret}`);
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
