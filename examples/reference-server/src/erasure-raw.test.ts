import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, caller, seedNewsletterForm, type Harness } from "./test-harness.js";

/**
 * Erasure that erases: after a subject's erasure request runs to completion, none of their
 * identifiers may be found anywhere in the raw storage — SQLite database, `-wal` and `-journal`
 * files; PostgreSQL table rows read as text and the relation files on disk. Only the keyed
 * suppression hash and the shredded (unreadable) audit ciphertext may remain, and neither contains
 * the values in any of the searched encodings.
 */

const EMAIL = "Quorbelina.Tranthamsworth@Example.ORG";
const NAME = "Quorbelina Tranthamsworth";
const PHONE = "+4930555019987";
const IP = "203.0.113.77";
const UA = "Mozilla/5.0 (Zyxwvut-Erasure-Probe)";
/** Someone else of the same tenant whose data must survive. */
const OTHER = "bystander.kept@example.net";

/** Every encoding searched for, per value: as stored, lower case, UTF-16LE, base64 and base64url. */
function needles(values: Record<string, string>): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = [];
  for (const [label, value] of Object.entries(values)) {
    const forms = new Set([value, value.toLowerCase()]);
    for (const f of forms) {
      out.push({ label: `${label} (utf-8)`, bytes: Buffer.from(f, "utf8") });
      out.push({ label: `${label} (utf-16le)`, bytes: Buffer.from(f, "utf16le") });
      // base64 of the value at any of the three alignments: search the stable middle of each
      for (let shift = 0; shift < 3; shift++) {
        const b64 = Buffer.from("\0".repeat(shift) + f, "utf8").toString("base64");
        const core = b64.slice(Math.ceil((shift * 4) / 3) + 1, -4);
        if (core.length >= 8) {
          out.push({ label: `${label} (base64+${shift})`, bytes: Buffer.from(core) });
          out.push({ label: `${label} (base64url+${shift})`, bytes: Buffer.from(core.replace(/\+/g, "-").replace(/\//g, "_")) });
        }
      }
    }
  }
  return out;
}

/** The labels of every needle found in `haystack` (case-insensitive for ASCII text). */
function findLeaks(haystack: Buffer, list: { label: string; bytes: Buffer }[], where: string): string[] {
  const lower = Buffer.from(haystack.toString("latin1").toLowerCase(), "latin1");
  return list
    .filter((n) => haystack.includes(n.bytes) || lower.includes(Buffer.from(n.bytes.toString("latin1").toLowerCase(), "latin1")))
    .map((n) => `${n.label} in ${where}`);
}

describe.each(BACKENDS)("erasure erases the raw bytes on %s", (_backend, make) => {
  let h: Harness;
  let admin: string;
  let tenantId: string;
  let requestId: string;
  let accessId: string;
  let requestBody: unknown;
  const call = caller(() => h.lawful);
  const fromIp = (path: string, init: RequestInit) => h.lawful.app.request(path, init, { incoming: { socket: { remoteAddress: IP } } });
  const searched = needles({ email: EMAIL, name: NAME, phone: PHONE, ip: IP, "user agent": UA });

  beforeAll(async () => {
    h = await make();
    const t = await h.lawful.tenants.create({ slug: "acme", name: "Acme GmbH" });
    tenantId = t.id;
    admin = (await h.lawful.tenants.createKey(t.id, { name: "admin", scopes: ["admin"] })).secret;
    const ok = async (res: Response | Promise<Response>, status = 201) => {
      const r = await res;
      expect(r.status, await r.clone().text()).toBe(status);
      return r;
    };
    await seedNewsletterForm(call, admin, { doubleOptIn: true });

    // 1. the landing form, from the subject's address: consent proof with IP and user agent, a double opt-in mail, a rate-limit bucket
    for (const email of [EMAIL, OTHER]) {
      await ok(
        fromIp("/p/acme/forms/landing/submit", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": UA, referer: "https://acme.example/landing" },
          body: `email=${encodeURIComponent(email)}&newsletter=on`,
        }),
      );
    }
    // 2. consent events through the API with request metadata, sent with an Idempotency-Key so the response is stored
    await ok(
      call("/v1/consent-events", {
        method: "POST",
        key: admin,
        headers: { "idempotency-key": "consent-1" },
        json: { subject: { kind: "email", value: EMAIL }, purposeId: "newsletter", type: "given", method: "checkbox_checked", notice: { noticeId: "signup", version: 1 }, evidence: { collectionPoint: "crm", ip: IP, userAgent: UA, sessionRef: `session of ${NAME}` } },
      }),
    );
    // 3. an earlier access request of the same person, run to completion: its result is a copy of their data
    const access = (await (
      await ok(call("/v1/requests", { method: "POST", key: admin, json: { type: "access", regime: "EU", subject: { kind: "email", value: EMAIL }, channel: "email", timeZone: "Europe/Berlin", details: { description: `Access for ${NAME}` } } }))
    ).json()) as { request: { id: string } };
    accessId = access.request.id;
    await h.lawful.services.dsr.verifyManually(tenantId, access.request.id, { dataPointsMatched: 2, declarationSigned: false, evidence: ["mailbox reply"], reviewer: "ops" });
    await ok(call(`/v1/requests/${access.request.id}/start`, { method: "POST", key: admin }), 200);
    for (let i = 0; i < 10; i++) if ((await h.lawful.services.dsr.work({ workerId: "erasure-test" })).finalized.includes(access.request.id)) break;
    expect(((await (await call(`/v1/requests/${access.request.id}`, { key: admin })).json()) as { state: string }).state).toBe("completed");
    // 4. the erasure request itself, with the name and phone number in the requester's own words
    requestBody = {
      type: "erasure",
      regime: "EU",
      subject: { kind: "email", value: EMAIL },
      channel: "web_form",
      timeZone: "Europe/Berlin",
      details: { description: `I am ${NAME}, phone ${PHONE}; please erase everything about me.` },
    };
    const created = await ok(call("/v1/requests", { method: "POST", key: admin, headers: { "idempotency-key": "request-1" }, json: requestBody }));
    const { request } = (await created.json()) as { request: { id: string } };
    requestId = request.id;
    await ok(call(`/v1/requests/${request.id}/verification`, { method: "POST", key: admin, headers: { "idempotency-key": "verification-1" } }), 200);
    const outbox = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { kind: string; to: string; body: string }[] };
    expect(outbox.items.map((m) => m.kind).sort()).toEqual(["double_opt_in", "double_opt_in", "verification_code"]);
    const code = /request is (\d{6})\./.exec(outbox.items.find((m) => m.kind === "verification_code")!.body)![1]!;
    const verified = (await (await ok(call(`/v1/requests/${request.id}/verify`, { method: "POST", key: admin, json: { code } }), 200)).json()) as { ok: boolean };
    expect(verified.ok).toBe(true);
    await ok(call(`/v1/requests/${request.id}/start`, { method: "POST", key: admin, headers: { "idempotency-key": "start-1" } }), 200);
    for (let i = 0; i < 10; i++) {
      const report = await h.lawful.services.dsr.work({ workerId: "erasure-test" });
      if (report.finalized.includes(request.id)) break;
    }
    const done = (await (await call(`/v1/requests/${request.id}`, { key: admin })).json()) as { state: string; outcome: { result: { kind: string; keyShredded: boolean; suppressed: boolean } } };
    expect(done.state).toBe("completed");
    expect(done.outcome.result).toMatchObject({ kind: "erasure", keyShredded: true, suppressed: true });
  });
  afterAll(async () => h?.cleanup());

  it("after erasure - the subject is suppressed, the bystander's data are untouched and the audit log verifies", async () => {
    expect(await h.lawful.services.consent.isSuppressed(tenantId, { kind: "email", value: EMAIL })).toBe(true);
    const other = (await (await call(`/v1/subjects/${encodeURIComponent(`email:${OTHER}`)}/consents`, { key: admin })).json()) as { history: unknown[] };
    expect(other.history.length).toBeGreaterThan(0);
    const outbox = (await (await call("/v1/outbox", { key: admin })).json()) as { items: { to: string }[] };
    expect(outbox.items.map((m) => m.to)).toEqual([OTHER]);
    expect(((await (await call("/v1/audit/verify", { key: admin })).json()) as { ok: boolean }).ok).toBe(true);
  });

  it("after erasure - the request record keeps only the pseudonym, idempotency replays are 410, rate-limit buckets are keyed hashes, the scrub is audited", async () => {
    const r = (await (await call(`/v1/requests/${requestId}`, { key: admin })).json()) as { state: string; subject: { kind: string; value: string }; subjectKey: string; details: Record<string, unknown> };
    expect(r.state).toBe("completed");
    expect(r.subject).toEqual({ kind: "customer_id", value: `erased:${r.subjectKey}` });
    expect(r.details.description).toBeUndefined();
    // the earlier access request: same redaction, and its result (a copy of the data) and its tasks' results are gone
    const earlier = (await (await call(`/v1/requests/${accessId}`, { key: admin })).json()) as { state: string; subject: { value: string }; outcome: { nature: string; result?: unknown } };
    expect(earlier.state).toBe("completed");
    expect(earlier.subject.value).toBe(`erased:${r.subjectKey}`);
    expect(earlier.outcome.nature).toBeTruthy();
    expect(earlier.outcome.result).toBeUndefined();
    const tasks = await h.lawful.services.requestTasks(tenantId, accessId);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.map((t) => t.result)).toEqual(tasks.map(() => undefined));
    // a replay of the stored POST neither shows the erased response nor creates the request again
    const replay = await call("/v1/requests", { method: "POST", key: admin, headers: { "idempotency-key": "request-1" }, json: requestBody });
    expect(replay.status).toBe(410);
    expect(replay.headers.get("content-type")).toBe("application/problem+json");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replay.json()) as { code: string }).code).toBe("ERASED");
    expect(((await (await call("/v1/requests", { key: admin })).json()) as { items: unknown[] }).items).toHaveLength(2);
    const buckets = await h.lawful.db.sql.all<{ bucket: string }>("SELECT bucket FROM server_rate_limits");
    expect(buckets.length).toBeGreaterThan(0);
    for (const { bucket } of buckets) expect(bucket).toMatch(/^(ip|tenant):[A-Za-z0-9_-]{32}$/);
    const events = (await (await call("/v1/audit/events?action=data.deleted&targetRecordType=dsr_request", { key: admin })).json()) as { events: { target?: { recordId?: string } }[] };
    expect(events.events.map((e) => e.target?.recordId)).toContain(requestId);
    const db = h.lawful.db;
    if (db.kind === "sqlite" && existsSync(`${db.path}-wal`)) expect(readFileSync(`${db.path}-wal`).length, "the WAL was checkpointed and truncated").toBe(0);
  });

  it("after erasure - no e-mail (any case), name, phone, IP or user agent in any table row, in UTF-8, UTF-16 or base64", async () => {
    const leaks: string[] = [];
    const sql = h.lawful.db.sql;
    const tables =
      sql.kind === "sqlite"
        ? await sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        : await sql.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
    expect(tables.length).toBeGreaterThan(10);
    for (const { name } of tables) {
      const rows =
        sql.kind === "sqlite" ? await sql.all<Record<string, unknown>>(`SELECT * FROM "${name}"`) : await sql.all<{ t: string }>(`SELECT t::text AS t FROM "${name}" t`);
      const text = rows
        .map((r) =>
          Object.values(r)
            .map((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : typeof v === "string" ? v : JSON.stringify(v)))
            .join("\u0001"),
        )
        .join("\n");
      leaks.push(...findLeaks(Buffer.from(text, "utf8"), searched, `table ${name}`));
      // bytea columns come back hex-escaped from ::text: decode them too
      if (sql.kind === "postgres") for (const m of text.matchAll(/\\\\x([0-9a-f]+)/g)) leaks.push(...findLeaks(Buffer.from(m[1]!, "hex"), searched, `bytea of ${name}`));
    }
    expect(leaks).toEqual([]);
  });

  it("after erasure - the raw storage files hold none of the values either", async () => {
    const leaks: string[] = [];
    const db = h.lawful.db;
    let filesRead = 0;
    if (db.kind === "sqlite") {
      for (const f of [db.path, `${db.path}-wal`, `${db.path}-journal`]) {
        if (!existsSync(f)) continue;
        filesRead++;
        leaks.push(...findLeaks(readFileSync(f), searched, f.slice(f.lastIndexOf("/") + 1)));
      }
      expect(filesRead).toBeGreaterThan(0);
    } else {
      // the test server runs locally: flush shared buffers, then read every relation file of this database
      const dataDir = (await db.pool.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!.d;
      const scan = async () => {
        const found: string[] = [];
        filesRead = 0;
        await db.pool.query("CHECKPOINT");
        const rels = await db.pool.query<{ name: string; path: string | null }>(
          `SELECT c.relname AS name, pg_relation_filepath(c.oid) AS path FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname IN (current_schema(), 'pg_toast') AND c.relkind IN ('r', 'i', 't')`,
        );
        for (const { name, path } of rels.rows) {
          if (!path) continue;
          const base = join(dataDir, path);
          for (let segment = 0; ; segment++) {
            const f = segment === 0 ? base : `${base}.${segment}`;
            if (!existsSync(f)) break;
            filesRead++;
            found.push(...findLeaks(readFileSync(f), searched, `relation ${name}`));
          }
        }
        return found;
      };
      // the server postpones VACUUM FULL while any transaction of the cluster (other tests' databases
      // included) is older than the erasure, and retries on each worker run: run the worker until it did
      for (let attempt = 0; attempt < 180; attempt++) {
        await h.lawful.services.dsr.work({ workerId: "erasure-test" });
        leaks.splice(0, leaks.length, ...(await scan()));
        if (leaks.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(filesRead, "the relation files of the test database are readable").toBeGreaterThan(10);
    }
    expect(leaks).toEqual([]);
  }, 150_000);
});
