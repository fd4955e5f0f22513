// Shared by the server's test files: a wired server on a real SQLite file or a fresh PostgreSQL
// database, and a request helper that adds the API key and JSON body.
import { inflateRawSync } from "node:zlib";
import pino from "pino";
import type { Clock } from "@lawful/core";
import { createTestPgDatabase, createTestSqliteFile, type TestSqliteFile } from "@lawful/testkit";
import { afterAll, beforeAll, vi } from "vitest";
import { main } from "./cli.js";
import { loadConfig } from "./config.js";
import { createLawful, type Lawful } from "./server.js";

/** A wired server and how to tear it down. */
export interface Harness {
  lawful: Lawful;
  /** Restart: close the server and open a new one on the same database with `env` (sets `lawful`). */
  reopen(env?: Record<string, string>): Promise<Lawful>;
  cleanup(): Promise<void>;
}

const MASTER = Buffer.alloc(32, 7).toString("base64url");

/** Options of the harnesses: a clock the test moves (default the system clock). */
export interface HarnessOptions {
  clock?: Clock | undefined;
}

async function harness(base: Record<string, string>, env: Record<string, string>, options: HarnessOptions, drop: () => void | Promise<void>): Promise<Harness> {
  const open = (more: Record<string, string>) =>
    createLawful(loadConfig({ ...more, ...base, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }), ...(options.clock ? { clock: options.clock } : {}) });
  const h: Harness = {
    lawful: await open(env),
    async reopen(more = {}) {
      await h.lawful.close();
      h.lawful = await open(more);
      return h.lawful;
    },
    async cleanup() {
      await h.lawful.close();
      await drop();
    },
  };
  return h;
}

/** A server on a SQLite file in a temp directory; `env` adds configuration variables. */
export async function sqliteHarness(name = "server.db", env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const file = createTestSqliteFile(name);
  return harness({ DATABASE_URL: `sqlite:${file.path}` }, env, options, () => file.cleanup());
}

/** A server on a fresh PostgreSQL database of the test server; `env` adds configuration variables. */
export async function postgresHarness(prefix = "server", env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const pg = await createTestPgDatabase(prefix);
  return harness({ DATABASE_URL: pg.url, LAWFUL_MASTER_KEY: MASTER }, env, options, () => pg.drop());
}

/** Both databases, for `describe.each`; `make(env)` may add configuration variables. */
export const BACKENDS: [string, (env?: Record<string, string>) => Promise<Harness>][] = [
  ["sqlite", (env) => sqliteHarness(undefined, env)],
  ["postgres", (env) => postgresHarness(undefined, env)],
];

/** Request options of {@link caller}: an API key and a JSON body. */
export type CallInit = RequestInit & { key?: string | undefined; json?: unknown };

/** A request function for `lawful.app` that adds `Authorization: Bearer` and a JSON body. */
export function caller(get: () => Lawful): (path: string, init?: CallInit) => Response | Promise<Response> {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    else if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    const { key: _key, json, ...rest } = init;
    return get().app.request(path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  };
}

/**
 * Define the `newsletter` purpose, the published `signup` notice (v1) and the `landing` form that asks
 * for it, through the operator API with an admin key; throws unless each answers 201.
 *
 * @example
 * ```ts
 * import { caller, seedNewsletterForm, sqliteHarness } from "./test-harness.js";
 * const h = await sqliteHarness();
 * const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
 * const { secret } = await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] });
 * await seedNewsletterForm(caller(() => h.lawful), secret);
 * ```
 */
export async function seedNewsletterForm(call: ReturnType<typeof caller>, adminKey: string, options: { doubleOptIn?: boolean } = {}): Promise<void> {
  const created = async (res: Response | Promise<Response>) => {
    const r = await res;
    if (r.status !== 201) throw new Error(`seeding failed with ${r.status}: ${await r.text()}`);
  };
  const purpose = { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU", ...(options.doubleOptIn ? { doubleOptIn: true } : {}) };
  await created(call("/v1/purposes", { method: "POST", key: adminKey, json: purpose }));
  await created(
    call("/v1/notices", {
      method: "POST",
      key: adminKey,
      json: {
        noticeId: "signup",
        version: 1,
        locale: "en",
        contentType: "text/plain",
        content: "Acme GmbH sends you its newsletter. You can withdraw at any time.",
        controllers: [{ name: "Acme GmbH" }],
        purposes: ["newsletter"],
        dataCategories: ["contact.email"],
        withdrawalInfo: "Use the unsubscribe link in every e-mail.",
      },
    }),
  );
  await created(
    call("/v1/forms", { method: "POST", key: adminKey, json: { id: "landing", notice: { noticeId: "signup", version: 1 }, fields: [{ purposeId: "newsletter", fieldName: "newsletter", label: "Newsletter" }] } }),
  );
}

/**
 * The entries of a ZIP (stored or deflated) as text, read through its central directory: an
 * independent reader, so tests do not check @lawful/export's ZIP writer with its own reader.
 *
 * @example
 * ```ts
 * import { unzipText } from "./test-harness.js";
 * declare const zip: Uint8Array;
 * const manifest = unzipText(zip).get("manifest.json");
 * ```
 */
export function unzipText(bytes: Uint8Array): Map<string, string> {
  const buf = Buffer.from(bytes);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString("utf8"));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Run the `lawful` CLI in-process with `argv`, capturing what it writes to stdout and stderr.
 *
 * @example
 * ```ts
 * import { runCli } from "./test-harness.js";
 * const { code, out } = await runCli("tenant", "list", "--json");
 * ```
 */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += Buffer.from(chunk).toString("utf8")), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += Buffer.from(chunk).toString("utf8")), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/**
 * For a describe block of `lawful` CLI tests: a fresh SQLite file the commands use through DATABASE_URL
 * (with LOG_LEVEL silent), set before the block's own `beforeAll` hooks and restored, with the file
 * removed, after it. Call it first in the block; `file` is there once the block's hooks run.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest";
 * import { runCli, useCliSqliteFile } from "./test-harness.js";
 * describe("lawful tenant list", () => {
 *   const cli = useCliSqliteFile("cli.db");
 *   it("lists nothing yet", async () => void (await runCli("tenant", "list", "--json"), cli.file.path));
 * });
 * ```
 */
export function useCliSqliteFile(name: string): { readonly file: TestSqliteFile } {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
  let file: TestSqliteFile | undefined;
  beforeAll(() => {
    file = createTestSqliteFile(name);
    process.env.DATABASE_URL = `sqlite:${file.path}`;
    process.env.LOG_LEVEL = "silent";
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    file?.cleanup();
  });
  return {
    get file() {
      if (!file) throw new Error("useCliSqliteFile: the file exists once the describe block's hooks run");
      return file;
    },
  };
}
