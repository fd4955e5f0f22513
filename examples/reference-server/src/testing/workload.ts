// A stream of mixed writes against running servers that remembers every acknowledged one, so a
// test can kill the servers at any moment and then check that nothing acknowledged was lost.
import { randomBytes } from "node:crypto";
import { DSR_STATES } from "@lawful/dsr";
import { SEED_FORM_ID, type SeededTenant } from "./seed.js";

/** One HTTP write. `idem` sets an Idempotency-Key; `ack` runs when a 2xx answer arrived. */
interface Op {
  path: string;
  idem?: string | undefined;
  json?: unknown;
  form?: string | undefined;
  ack(body: unknown): void;
}

interface RequestModel {
  email: string;
  /** The state the last acknowledged transition answered with. */
  state: string;
}

/** Counters of a {@link Workload}. */
export interface WorkloadStats {
  acknowledged: number;
  /** Idempotent writes that got no answer (the server died) and were sent again. */
  retried: number;
  /** Retries answered from the stored response (the first attempt had committed). */
  replayed: number;
  /** Acknowledged `POST /v1/retention/runs`. */
  retentionRuns: number;
}

const STATES = DSR_STATES;
const WORKED = ["completed", "partially_completed"];

/**
 * Mixed writes on one seeded tenant — public form captures, `/v1/consent-events`, request chains
 * (create, verification, verify, start / extend, deny / cancel), retention rules, holds and runs — sent
 * in parallel lanes to the given servers, every `/v1` write with its own Idempotency-Key.
 *
 * @example
 * ```ts
 * import { Workload } from "./workload.js";
 * import { seedTenant } from "./seed.js";
 * import { startServerProcess } from "./server-process.js";
 * const env = { DATABASE_URL: "sqlite:/tmp/lawful-workload-example.db" };
 * const load = new Workload(await seedTenant(env, "acme"));
 * const server = await startServerProcess({ env });
 * await load.run([server.url], () => new Promise((r) => setTimeout(r, 500)));
 * await server.kill("SIGKILL");
 * ```
 */
export class Workload {
  readonly stats: WorkloadStats = { acknowledged: 0, retried: 0, replayed: 0, retentionRuns: 0 };
  /** Answers that were neither 2xx nor a dropped connection, as `status path code`. */
  readonly unexpected: string[] = [];
  private readonly run_ = randomBytes(4).toString("hex");
  private seq = 0;
  private readonly formEvents = new Map<string, string[]>();
  private readonly consentEvents = new Map<string, string>();
  private readonly requests = new Map<string, RequestModel>();
  private readonly rules = new Set<string>();
  private readonly holds = new Set<string>();
  private unacked: Op[] = [];
  private turn = 0;

  constructor(private readonly tenant: SeededTenant) {}

  private next(prefix: string): string {
    return `${prefix}-${this.run_}-${++this.seq}`;
  }

  private base(bases: readonly string[]): string {
    return bases[this.turn++ % bases.length]!;
  }

  /** Send `op`; true when it was acknowledged. A dropped connection keeps an idempotent op for {@link retryUnacknowledged}. */
  private async send(base: string, op: Op, retry = false): Promise<boolean> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.tenant.adminKey}` };
    if (op.idem) headers["idempotency-key"] = op.idem;
    let body: string | undefined;
    if (op.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(op.json);
    } else if (op.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = op.form;
    }
    let res: Response;
    try {
      res = await fetch(`${base}${op.path}`, { method: "POST", headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(20_000) });
    } catch {
      if (op.idem) this.unacked.push(op);
      return false;
    }
    const text = await res.text().catch(() => undefined);
    if (text === undefined) {
      if (op.idem) this.unacked.push(op);
      return false;
    }
    if (res.status < 200 || res.status > 299) {
      this.unexpected.push(`${res.status} ${op.path.replace(/\/v1\/requests\/[^/]+/, "/v1/requests/{id}")} ${/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? ""}`);
      return false;
    }
    if (retry && res.headers.get("idempotent-replayed") === "true") this.stats.replayed++;
    this.stats.acknowledged++;
    op.ack(JSON.parse(text) as unknown);
    return true;
  }

  private async get<T>(base: string, path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${this.tenant.adminKey}` }, signal: AbortSignal.timeout(20_000) });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  private formLane(bases: readonly string[]) {
    const email = `${this.next("form")}@example.com`;
    return this.send(this.base(bases), {
      path: `/p/${this.tenant.slug}/forms/${SEED_FORM_ID}/submit`,
      form: `email=${encodeURIComponent(email)}&newsletter=on`,
      ack: (b) => this.formEvents.set(email, (b as { events: { id: string }[] }).events.map((e) => e.id)),
    });
  }

  private consentLane(bases: readonly string[]) {
    const email = `${this.next("event")}@example.com`;
    return this.send(this.base(bases), {
      path: "/v1/consent-events",
      idem: this.next("k"),
      json: { subject: { kind: "email", value: email }, purposeId: "newsletter", type: "given", notice: { noticeId: "signup", version: 1 }, method: "button_clicked", evidence: { collectionPoint: "crash-suite" } },
      ack: (b) => this.consentEvents.set(email, (b as { id: string }).id),
    });
  }

  private retentionLane(bases: readonly string[]) {
    if (this.seq % 5 === 0) {
      // a retention run over the server's own records (its rules here keep everything recent)
      return this.send(this.base(bases), { path: "/v1/retention/runs", idem: this.next("k"), json: { dryRun: false }, ack: () => void this.stats.retentionRuns++ });
    }
    if (this.seq % 2 === 0) {
      const id = this.next("rule");
      return this.send(this.base(bases), {
        path: "/v1/retention/rules",
        idem: this.next("k"),
        json: { id, title: "Support tickets", selectors: { categories: ["support.tickets"] }, trigger: { type: "created" }, duration: "P2Y", kind: "maximum", action: "delete" },
        ack: () => this.rules.add(id),
      });
    }
    const id = this.next("hold");
    return this.send(this.base(bases), {
      path: "/v1/retention/holds",
      idem: this.next("k"),
      json: { id, matter: "Supplier dispute", scope: { recordTypes: ["invoice"] }, issuedBy: "legal", issuedAt: "2026-01-01T00:00:00Z" },
      ack: () => this.holds.add(id),
    });
  }

  /** One request through a chain of transitions; stops at the first unacknowledged step. */
  private async requestLane(bases: readonly string[]) {
    const email = `${this.next("dsr")}@example.com`;
    const kind = this.seq % 3;
    let id: string | undefined;
    const step = (path: string, json?: unknown) =>
      this.send(this.base(bases), {
        path: `/v1/requests/${id}/${path}`,
        idem: this.next("k"),
        json,
        ack: (b) => {
          const state = (b as { state?: string }).state ?? ((b as { ok?: boolean }).ok ? "verified" : undefined);
          if (state) this.requests.get(id!)!.state = state;
        },
      });
    const created = await this.send(this.base(bases), {
      path: "/v1/requests",
      idem: this.next("k"),
      json: { type: kind === 0 ? "access" : "erasure", regime: "EU", subject: { kind: "email", value: email }, channel: "email", timeZone: "Europe/Berlin", calendarId: "DE" },
      ack: (b) => {
        const r = (b as { request: { id: string; state: string } }).request;
        id = r.id;
        this.requests.set(r.id, { email, state: r.state });
      },
    });
    if (!created || !id) return;
    if (kind === 0) {
      if (!(await step("verification"))) return;
      const outbox = await this.get<{ items: { to: string; body: string }[] }>(this.base(bases), "/v1/outbox").catch(() => undefined);
      const code = outbox?.items.find((m) => m.to === email)?.body.match(/request is (\S+)\./)?.[1];
      if (!code || !(await step("verify", { code }))) return;
      await step("start");
    } else if (kind === 1) {
      if (!(await step("extend", { reason: "Many requests this month", notifiedAt: new Date().toISOString() }))) return;
      await step("deny", { reason: "manifestly_unfounded", explanation: "Repeated request within a week.", evidence: ["ticket log: five identical requests"] });
    } else {
      await step("cancel", { reason: "duplicate" });
    }
  }

  /** Send writes on `lanes` parallel lanes to `bases` (round robin) until `until` resolves (e.g. after killing the servers); in-flight writes finish or fail. */
  async run(bases: readonly string[], until: () => Promise<void>, lanes = 6): Promise<void> {
    let stop = false;
    const kinds = [this.formLane, this.requestLane, this.consentLane, this.retentionLane, this.formLane, this.requestLane];
    const lane = async (i: number) => {
      const work = kinds[i % kinds.length]!.bind(this);
      while (!stop) await work(bases);
    };
    const running = Array.from({ length: lanes }, (_, i) => lane(i));
    await until();
    stop = true;
    await Promise.all(running);
  }

  /** Send every unacknowledged idempotent write again, with its key and body, to `base`. */
  async retryUnacknowledged(base: string): Promise<void> {
    const ops = this.unacked;
    this.unacked = [];
    for (const op of ops) {
      this.stats.retried++;
      await this.send(base, op, true);
    }
  }

  /** Requests whose last acknowledged state is in_progress and that are not worked yet. */
  async unworked(base: string): Promise<string[]> {
    const open: string[] = [];
    for (const [id, m] of this.requests) {
      if (m.state !== "in_progress") continue;
      const r = await this.get<{ state: string }>(base, `/v1/requests/${id}`);
      if (!WORKED.includes(r.state)) open.push(id);
    }
    return open;
  }

  /** Compare the database behind `base` with every acknowledged write; returns the problems found (empty when all is well). */
  async check(base: string): Promise<string[]> {
    const problems: string[] = [];
    const history = async (email: string) =>
      (await this.get<{ history: { id: string }[] }>(base, `/v1/subjects/${encodeURIComponent(`email:${email}`)}/consents`)).history.map((e) => e.id);
    for (const [email, ids] of this.formEvents) {
      const stored = await history(email);
      for (const id of ids) if (!stored.includes(id)) problems.push(`form capture event ${id} lost`);
    }
    for (const [email, id] of this.consentEvents) {
      const stored = await history(email);
      if (stored.length !== 1 || stored[0] !== id) problems.push(`consent event ${id}: stored ${stored.length} event(s) for its subject, expected exactly it`);
    }
    const perSubject = new Map<string, number>();
    for (const state of STATES) {
      const { items } = await this.get<{ items: { subject: { value: string } }[] }>(base, `/v1/requests?status=${state}&limit=500`);
      if (items.length === 500) problems.push(`too many ${state} requests to count`);
      for (const r of items) perSubject.set(r.subject.value, (perSubject.get(r.subject.value) ?? 0) + 1);
    }
    for (const [id, m] of this.requests) {
      if ((perSubject.get(m.email) ?? 0) !== 1) problems.push(`request ${id}: ${perSubject.get(m.email) ?? 0} requests stored for its subject, expected 1`);
      const r = await this.get<{ state: string }>(base, `/v1/requests/${id}`);
      const ok = r.state === m.state || (m.state === "in_progress" && WORKED.includes(r.state));
      if (!ok) problems.push(`request ${id}: state ${r.state}, last acknowledged ${m.state}`);
    }
    const rules = new Set((await this.get<{ items: { id: string }[] }>(base, "/v1/retention/rules")).items.map((r) => r.id));
    for (const id of this.rules) if (!rules.has(id)) problems.push(`retention rule ${id} lost`);
    const holds = new Set((await this.get<{ items: { id: string }[] }>(base, "/v1/retention/holds")).items.map((h) => h.id));
    for (const id of this.holds) if (!holds.has(id)) problems.push(`legal hold ${id} lost`);
    const verify = await this.get<{ ok: boolean }>(base, "/v1/audit/verify");
    if (!verify.ok) problems.push(`audit log does not verify: ${JSON.stringify(verify).slice(0, 500)}`);
    return problems;
  }

  /** How many requests the workload created (acknowledged). */
  get requestCount(): number {
    return this.requests.size;
  }
}
