import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { serve, type ServerType } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { createUuidV7Generator, systemClock, type Clock } from "@lawful/core";
import { createCheckpointSigner, createCheckpointVerifier, type CheckpointSigner } from "@lawful/audit";
import { createSmtpMailer, smtpDeliveryJob } from "./smtp.js";
import { retentionRunJob } from "./retention-run.js";
import { ConfigError, readMasterKey, type Config } from "./config.js";
import { openDatabase, type OpenDatabase } from "./db.js";
import { createApp, type App } from "./http/app.js";
import { SERVER_MIGRATIONS, createTenantService, type TenantService } from "./tenants.js";
import { RATE_LIMIT_MIGRATIONS, pruneRateLimits } from "./http/public.js";
import { OPERATOR_SESSION_MIGRATIONS } from "./http/operator-session.js";
import { hostname } from "node:os";
import { SCHEDULER_MIGRATIONS, createScheduler, type Scheduler } from "./scheduler.js";
import { FORM_MIGRATIONS } from "./routes/consent.js";
import { COOKIE_MIGRATIONS } from "./routes/landing.js";
import { createServices, migrateServices, type Services } from "./services.js";
import { parseCompactionWindow } from "./erasure.js";
import { AUDIT_STATUS_MIGRATIONS, auditVerifyJob } from "./audit-status.js";
import { checkpointSeed, createServerKeys } from "./keys.js";
import { OUTBOX_MIGRATIONS, createOutbox } from "./outbox.js";
import { DRP_MIGRATIONS } from "./drp.js";
import { drpCallbackJob } from "./drp-callbacks.js";

/** The wired server: database, services and HTTP app, before it listens. */
export interface Lawful {
  config: Config;
  db: OpenDatabase;
  tenants: TenantService;
  app: App;
  services: Services;
  scheduler: Scheduler;
  logger: Logger;
  masterKey: Uint8Array;
  close(): Promise<void>;
}

/** Create a pino logger. Never log personal data: log ids, routes and codes only. */
export function createLogger(level: Config["LOG_LEVEL"]): Logger {
  return pino({ level, base: null, redact: { paths: ["req.headers.authorization", "*.email", "*.ip", "*.secret"], censor: "[redacted]" } });
}

function ensureMasterKey(config: Config, db: OpenDatabase): Uint8Array {
  const configured = readMasterKey(config);
  if (configured) return configured;
  if (db.kind === "postgres") {
    throw new ConfigError(["LAWFUL_MASTER_KEY: required with PostgreSQL (every instance must share it); generate one with `openssl rand -base64 32 | tr '+/' '-_'`"]);
  }
  // embedded demo: keep a generated key next to the database file, readable by this user only
  const file = join(dirname(db.path), "master.key");
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return new Uint8Array(Buffer.from(readFileSync(file, "utf8").trim(), "base64url"));
}

/**
 * The Ed25519 key that signs audit checkpoints: a PKCS#8 PEM file (LAWFUL_CHECKPOINT_KEY_FILE) or,
 * by default, derived from the master key. Publish its verifier key (`GET /v1/audit/checkpoints/latest`).
 */
export function loadCheckpointSigner(config: Config, masterKey: Uint8Array): CheckpointSigner {
  if (config.LAWFUL_CHECKPOINT_KEY_FILE) {
    let pem: string;
    try {
      pem = readFileSync(config.LAWFUL_CHECKPOINT_KEY_FILE, "utf8");
    } catch {
      throw new ConfigError(["LAWFUL_CHECKPOINT_KEY_FILE: cannot read the file"]);
    }
    try {
      return createCheckpointSigner({ name: config.LAWFUL_CHECKPOINT_KEY_NAME, privateKey: pem });
    } catch {
      throw new ConfigError(["LAWFUL_CHECKPOINT_KEY_FILE: not an Ed25519 private key in PKCS#8 PEM form"]);
    }
  }
  return createCheckpointSigner({ name: config.LAWFUL_CHECKPOINT_KEY_NAME, privateKey: checkpointSeed(masterKey) });
}

/**
 * The verifier keys of earlier checkpoint signing keys (LAWFUL_CHECKPOINT_PREVIOUS_KEYS), checked to be C2SP Ed25519 verifier keys.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.js";
 * import { loadPreviousVerifierKeys } from "./server.js";
 * const keys = loadPreviousVerifierKeys(loadConfig({})); // []
 * ```
 */
export function loadPreviousVerifierKeys(config: Config): string[] {
  const keys = config.LAWFUL_CHECKPOINT_PREVIOUS_KEYS?.split(",") ?? [];
  keys.forEach((k, i) => {
    try {
      createCheckpointVerifier(k);
    } catch {
      throw new ConfigError([`LAWFUL_CHECKPOINT_PREVIOUS_KEYS: entry ${i + 1} is not a C2SP Ed25519 verifier key (name+hash+base64 key)`]);
    }
  });
  return keys;
}

/** Open the database, migrate, and build the app. */
export async function createLawful(config: Config, options: { clock?: Clock; logger?: Logger } = {}): Promise<Lawful> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL);
  try {
    const masterKey = ensureMasterKey(config, db);
    await db.sql.migrate("@lawful/reference-server", SERVER_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/rate-limits", RATE_LIMIT_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/operator-sessions", OPERATOR_SESSION_MIGRATIONS);
    await migrateServices(db);
    await db.sql.migrate("@lawful/reference-server/forms", FORM_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/cookies", COOKIE_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/outbox", OUTBOX_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/scheduler", SCHEDULER_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/audit-status", AUDIT_STATUS_MIGRATIONS);
    await db.sql.migrate("@lawful/reference-server/drp", DRP_MIGRATIONS);
    const ids = createUuidV7Generator({ clock });
    const tenants = createTenantService(db.sql, clock, ids);
    const keys = createServerKeys(masterKey, config.LAWFUL_KEK_VERSION);
    const outbox = createOutbox(db.sql, clock, ids, { queue: config.SMTP_URL !== undefined });
    const signer = loadCheckpointSigner(config, masterKey);
    const previousVerifierKeys = loadPreviousVerifierKeys(config);
    const erasureCompactionWindow = config.ERASURE_COMPACTION_WINDOW === undefined ? undefined : parseCompactionWindow(config.ERASURE_COMPACTION_WINDOW);
    const services = createServices(db, { signer, clock, ids, keys, masterKey, outbox, previousVerifierKeys, erasureCompactionWindow });
    const mailer = config.SMTP_URL && config.MAIL_FROM ? createSmtpMailer(config.SMTP_URL) : undefined;
    const audit = services.audit;
    const app = createApp({
      sql: db.sql, tenants, clock, logger, services, keys, outbox, audit,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      drpAllowLoopbackHttpCallbacks: config.DRP_CALLBACK_ALLOW_HTTP_LOOPBACK,
      publicRateLimits: { perAddressPerMinute: config.PUBLIC_RATE_LIMIT_PER_MINUTE, perTenantPerMinute: config.PUBLIC_TENANT_RATE_LIMIT_PER_MINUTE },
    });
    const instance = `${hostname()}:${process.pid}:${ids().slice(-8)}`;
    const scheduler = createScheduler(db.sql, clock, instance, [
      // the request queue: fan-out tasks with leases, safe with several instances
      // (a short WORK_LEASE_MS lets a restarted or surviving instance take over a crashed one's tasks sooner)
      {
        name: "dsr-worker",
        intervalMs: 2_000,
        leaseMs: config.WORK_LEASE_MS,
        run: async () => void (await services.dsr.work({ workerId: instance, limit: 50, leaseMs: config.WORK_LEASE_MS })),
      },
      {
        name: "consent-expiry",
        intervalMs: 3_600_000,
        run: async () => {
          for (const t of await tenants.list()) await services.consent.expireDue(t.id);
        },
      },
      { name: "rate-limit-prune", intervalMs: 600_000, run: async () => void (await pruneRateLimits(db.sql, clock)) },
      {
        // signed tree heads even for quiet logs (appends also checkpoint every 1,000 events)
        name: "audit-checkpoints",
        intervalMs: 300_000,
        run: async () => {
          for (const t of await tenants.list()) {
            const latest = await services.audit.store.latestCheckpoint(t.id);
            if (!latest || latest.treeSize < (await services.audit.size(t.id))) await services.audit.checkpoint(t.id);
          }
        },
      },
      // every tenant's whole log rehashed once a day; pages show the stored result
      auditVerifyJob({ sql: db.sql, audit: services.audit, clock }, () => tenants.list(), logger),
      // the server's own records (outbox, idempotency keys, closed requests, ended consents' proof) under the tenants' retention rules and holds
      retentionRunJob({ sql: db.sql, retention: services.retention, dsr: services.dsr, consent: services.consent, audit, clock }, () => tenants.list()),
      // SMTP delivery of queued outbox mail with retries (only when SMTP_URL is set)
      ...(mailer ? [smtpDeliveryJob(outbox, mailer, { from: config.MAIL_FROM!, clock })] : []),
      // Data Rights Protocol status callbacks to authorised agents, with retries
      drpCallbackJob({ sql: db.sql, dsr: services.dsr, clock, logger, allowLoopbackHttpCallbacks: config.DRP_CALLBACK_ALLOW_HTTP_LOOPBACK }),
    ]);
    await scheduler.register();
    const close = async () => {
      mailer?.close();
      await db.sql.close();
    };
    return { config, db, tenants, app, services, scheduler, logger, masterKey, close };
  } catch (error) {
    await db.sql.close();
    throw error;
  }
}

/** Listen on HOST:PORT; resolves with the bound port and a graceful `stop()`. */
export async function listen(lawful: Lawful): Promise<{ port: number; server: ServerType; stop(): Promise<void> }> {
  const inFlight = new Set<Promise<unknown>>();
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        fetch: (req: Request) => {
          const p = lawful.app.fetch(req);
          const tracked = Promise.resolve(p).finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
          return p;
        },
        port: lawful.config.PORT,
        hostname: lawful.config.HOST,
      },
      () => resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : lawful.config.PORT;
  lawful.scheduler.start();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // finish in-flight requests, then stop waiting after the timeout
        const timer = setTimeout(() => {
          if ("closeAllConnections" in server) (server as { closeAllConnections(): void }).closeAllConnections();
          resolve();
        }, lawful.config.SHUTDOWN_TIMEOUT_MS);
        timer.unref();
        void Promise.allSettled([...inFlight]).then(() => {
          if ("closeIdleConnections" in server) (server as { closeIdleConnections(): void }).closeIdleConnections();
        });
      });
      await lawful.scheduler.stop();
      await lawful.close();
    })());
  return { port, server, stop };
}
