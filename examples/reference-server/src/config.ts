import { readFileSync } from "node:fs";
import * as z from "zod";
import { parseCompactionWindow } from "./erasure.js";

/** Environment variables the server reads, parsed once at start-up. */
export const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:)/, "must start with postgres://, postgresql:// or sqlite:")
      .default("sqlite:./data/lawful.db"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    LAWFUL_MASTER_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43,}={0,2}$/, "must be at least 32 bytes, base64url-encoded")
      .optional(),
    LAWFUL_MASTER_KEY_FILE: z.string().min(1).optional(),
    PUBLIC_BASE_URL: z.url().optional(),
    LAWFUL_CHECKPOINT_KEY_FILE: z.string().min(1).optional(),
    LAWFUL_CHECKPOINT_KEY_NAME: z
      .string()
      .regex(/^[^\s+]{1,200}$/, "must be a name without spaces or '+', e.g. example.com/audit")
      .default("lawful-reference-server/audit"),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /** Requests per minute one client address may send to the public /p/* routes. */
    PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(120),
    /** Requests per minute all clients together may send to one tenant's public /p/* routes. */
    PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(3000),
    /** How long a worker holds a claimed request task (and the queue job) before another instance, or this one after a crash, takes it over. */
    WORK_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(300_000),
    /** C2SP verifier keys of earlier checkpoint signing keys (comma-separated), trusted and published after a rotation. */
    LAWFUL_CHECKPOINT_PREVIOUS_KEYS: z
      .string()
      .regex(/^[^\s,]+(,[^\s,]+)*$/, "must be a comma-separated list of C2SP verifier keys (name+hash+key)")
      .optional(),
    /** Version of the keyring's key-encryption key derived from the master key; earlier versions stay available for unwrapping. */
    LAWFUL_KEK_VERSION: z.coerce.number().int().min(1).max(1000).default(1),
    /** Deliver outbox mail by SMTP (smtp:// with STARTTLS or smtps://); unset keeps mail in the outbox table only. */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@mail.example.com:465" }).optional(),
    /** Sender of outgoing mail, e.g. `Acme Privacy <privacy@example.com>`. */
    MAIL_FROM: z
      .string()
      .regex(/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, "must be an address such as privacy@example.com or Acme <privacy@example.com>")
      .optional(),
    /**
     * PostgreSQL: run the VACUUM FULL that physically removes erased rows only inside this daily UTC
     * window (`HH:MM-HH:MM`, may wrap midnight), since it locks each table while rewriting it. Unset:
     * as soon as no older transaction is open. Erasures themselves are never delayed.
     */
    ERASURE_COMPACTION_WINDOW: z
      .string()
      .refine((v) => parseCompactionWindow(v) !== undefined, "must be a daily UTC window HH:MM-HH:MM with different start and end, e.g. 02:00-04:00")
      .optional(),
    /** Development and tests only: let DRP agents register, and receive status callbacks on, an `http://127.0.0.1:<port>` (loopback IP) origin. */
    DRP_CALLBACK_ALLOW_HTTP_LOOPBACK: z.stringbool().default(false),
  })
  .refine((c) => !(c.LAWFUL_MASTER_KEY && c.LAWFUL_MASTER_KEY_FILE), {
    message: "set LAWFUL_MASTER_KEY or LAWFUL_MASTER_KEY_FILE, not both",
    path: ["LAWFUL_MASTER_KEY_FILE"],
  })
  .refine((c) => !c.SMTP_URL || c.MAIL_FROM, { message: "required when SMTP_URL is set (the sender of outgoing mail)", path: ["MAIL_FROM"] });

/** Parsed configuration. */
export type Config = z.output<typeof ConfigSchema>;

/** A configuration problem: names the variable and why; printed at start-up instead of a stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parse `env` (default `process.env`) into a {@link Config}, or throw a {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(ConfigSchema.shape ?? {}).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const r = ConfigSchema.safeParse(picked);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`));
  return r.data;
}

/** The 32+ byte master secret from LAWFUL_MASTER_KEY(_FILE), or undefined when neither is set. */
export function readMasterKey(config: Config): Uint8Array | undefined {
  let text = config.LAWFUL_MASTER_KEY;
  if (config.LAWFUL_MASTER_KEY_FILE) {
    try {
      text = readFileSync(config.LAWFUL_MASTER_KEY_FILE, "utf8").trim();
    } catch {
      throw new ConfigError([`LAWFUL_MASTER_KEY_FILE: cannot read the file`]);
    }
  }
  if (!text) return undefined;
  const key = Buffer.from(text, "base64url");
  if (key.length < 32) throw new ConfigError(["LAWFUL_MASTER_KEY: must decode to at least 32 bytes"]);
  return new Uint8Array(key);
}
