import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pino from "pino";
import { createCheckpointVerifier, generateCheckpointKey, openCheckpoint, verifyExport } from "@lawful/audit";
import { createPostgresKeyStore } from "@lawful/audit/postgres";
import { createSqliteKeyStore } from "@lawful/audit/sqlite";
import { createKeyring } from "@lawful/core";
import { createTestPgDatabase, createTestSqliteFile } from "@lawful/testkit";
import { main } from "./cli.js";
import { loadConfig } from "./config.js";
import { createServerKeys } from "./keys.js";
import { createLawful, type Lawful } from "./server.js";
import { auditExportLines } from "./routes/audit.js";
import { caller } from "./test-harness.js";

const MASTER = Buffer.alloc(32, 9).toString("base64url");
const ADA = { kind: "email" as const, value: "ada@example.com" };
const BOB = { kind: "email" as const, value: "bob@example.com" };
const CY = { kind: "email" as const, value: "cy@example.com" };
const actor = { type: "staff" as const, id: "rotation-test" };

/** A database URL per backend and how to drop it. */
const DATABASES: [string, () => Promise<{ url: string; dir: string; drop(): Promise<void> }>][] = [
  [
    "sqlite",
    () => {
      const f = createTestSqliteFile("rotation.db");
      return Promise.resolve({ url: `sqlite:${f.path}`, dir: f.dir, drop: () => Promise.resolve(f.cleanup()) });
    },
  ],
  [
    "postgres",
    async () => {
      const pg = await createTestPgDatabase("rotation");
      const f = createTestSqliteFile("keys-only");
      return { url: pg.url, dir: f.dir, drop: () => pg.drop().then(() => f.cleanup()) };
    },
  ],
];

describe.each(DATABASES)("key rotation on %s", (_name, makeDb) => {
  let db: Awaited<ReturnType<(typeof DATABASES)[number][1]>>;
  let lawful: Lawful;
  let tenantId: string;
  const oldKey = generateCheckpointKey("lawful-reference-server/audit");
  const newKey = generateCheckpointKey("lawful-reference-server/audit");
  let oldNote: string;
  let adaPseudonym: string;
  const env = (over: Record<string, string>) => ({ DATABASE_URL: db.url, LAWFUL_MASTER_KEY: MASTER, LOG_LEVEL: "silent", ...over });
  const open = (over: Record<string, string>) => createLawful(loadConfig(env(over)), { logger: pino({ level: "silent" }) });
  const call = caller(() => lawful);

  beforeAll(async () => {
    db = await makeDb();
    writeFileSync(join(db.dir, "old.pem"), oldKey.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(db.dir, "new.pem"), newKey.privateKeyPem, { mode: 0o600 });
    // before the rotation: KEK v1, the old checkpoint key
    const before = await open({ LAWFUL_CHECKPOINT_KEY_FILE: join(db.dir, "old.pem") });
    tenantId = (await before.tenants.create({ slug: "acme", name: "Acme GmbH" })).id;
    for (const subject of [ADA, BOB]) {
      await before.services.audit.record({ tenantId, action: "data.accessed", actor, subject, details: { fields: ["email"], note: `seen ${subject.value}` } });
    }
    adaPseudonym = before.services.audit.pseudonym(tenantId, ADA);
    oldNote = (await before.services.audit.checkpoint(tenantId)).note;
    await before.close();
    // after: KEK v2, the new checkpoint key, the old verifier key published as a previous key
    lawful = await open({ LAWFUL_CHECKPOINT_KEY_FILE: join(db.dir, "new.pem"), LAWFUL_CHECKPOINT_PREVIOUS_KEYS: oldKey.verifierKey, LAWFUL_KEK_VERSION: "2" });
  });
  afterAll(async () => {
    await lawful?.close();
    await db?.drop();
  });

  const detailsOf = async (subject: typeof ADA) => {
    const { events } = await lawful.services.audit.query(tenantId, { subject, actionPrefix: "data.accessed" });
    return lawful.services.audit.readDetails(events[0]!);
  };

  it("checkpoint key - old checkpoints still verify with the previous key, new ones are signed with the new key, both keys are published", async () => {
    expect(openCheckpoint(oldNote, [createCheckpointVerifier(oldKey.verifierKey)]).ok).toBe(true);
    const report = await lawful.services.audit.verify(tenantId);
    expect(report.ok).toBe(true);
    expect(report.checkpointsVerified).toBeGreaterThanOrEqual(1);
    await lawful.services.audit.record({ tenantId, action: "data.accessed", actor, subject: CY, details: { fields: ["email"] } });
    const admin = (await lawful.tenants.createKey(tenantId, { name: "a", scopes: ["admin"] })).secret;
    const created = (await (await call("/v1/audit/checkpoints", { method: "POST", key: admin })).json()) as { note: string };
    expect(openCheckpoint(created.note, [createCheckpointVerifier(newKey.verifierKey)]).ok).toBe(true);
    expect(openCheckpoint(created.note, [createCheckpointVerifier(oldKey.verifierKey)]).ok).toBe(false);
    const latest = (await (await call("/v1/audit/checkpoints/latest", { key: admin })).json()) as { verifierKey: string; previousVerifierKeys: string[] };
    expect(latest.verifierKey).toBe(newKey.verifierKey);
    expect(latest.previousVerifierKeys).toEqual([oldKey.verifierKey]);
    let text = "";
    for await (const line of auditExportLines(lawful.services.audit, tenantId)) text += line;
    expect((await verifyExport(text, [createCheckpointVerifier(newKey.verifierKey), createCheckpointVerifier(oldKey.verifierKey)])).ok).toBe(true);
    expect(await lawful.services.audit.verify(tenantId)).toMatchObject({ ok: true });
  });

  it("a bad previous key is a configuration error naming the variable", async () => {
    await expect(open({ LAWFUL_CHECKPOINT_PREVIOUS_KEYS: "not-a-key" })).rejects.toThrow(/LAWFUL_CHECKPOINT_PREVIOUS_KEYS/);
  });

  it("without the previous key the old checkpoint is not trusted (so the setting is what keeps it verifiable)", async () => {
    const forgetful = await open({ LAWFUL_CHECKPOINT_KEY_FILE: join(db.dir, "new.pem"), LAWFUL_KEK_VERSION: "2" });
    try {
      const withKeys = await lawful.services.audit.verify(tenantId);
      const without = await forgetful.services.audit.verify(tenantId);
      expect(without.ok && without.checkpointsVerified === withKeys.checkpointsVerified).toBe(false);
    } finally {
      await forgetful.close();
    }
  });

  it("KEK - old events decrypt before and after `lawful keys rotate-kek`, new keys use kek-v2, pseudonyms do not change", async () => {
    expect(await detailsOf(ADA)).toMatchObject({ status: "decrypted", details: { note: "seen ada@example.com" } });
    const kekOf = async (subject: typeof ADA) =>
      (await lawful.db.sql.get<{ kek_id: string }>("SELECT kek_id FROM lawful_subject_keys WHERE tenant_id = ? AND subject_key_id = ?", [tenantId, lawful.services.audit.pseudonym(tenantId, subject)]))!.kek_id;
    expect(await kekOf(ADA)).toBe("kek-v1");
    expect(await kekOf(CY)).toBe("kek-v2"); // created after the rotation
    expect(lawful.services.audit.pseudonym(tenantId, ADA)).toBe(adaPseudonym);
    // a keyring with kek-v2 alone cannot open ada's key yet
    const onlyV2 = createKeyring({
      store: lawful.db.kind === "sqlite" ? createSqliteKeyStore({ database: lawful.db.database }) : createPostgresKeyStore({ pool: lawful.db.pool }),
      keks: [createServerKeys(new Uint8Array(Buffer.from(MASTER, "base64url")), 2).kek],
      currentKekId: "kek-v2",
    });
    const probe = await lawful.services.keyring.encrypt(tenantId, adaPseudonym, "probe");
    await expect(onlyV2.decrypt(tenantId, adaPseudonym, probe)).rejects.toMatchObject({ code: "INVALID_KEY" });

    const saved = { ...process.env };
    Object.assign(process.env, env({ LAWFUL_KEK_VERSION: "2" }));
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    try {
      expect(await main(["keys", "rotate-kek", "--json"])).toBe(0);
      const first = JSON.parse(out) as { currentKekId: string; rewrapped: number };
      expect(first).toMatchObject({ currentKekId: "kek-v2", rewrapped: 2 });
      out = "";
      expect(await main(["keys", "rotate-kek", "--json"])).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ rewrapped: 0 });
    } finally {
      spy.mockRestore();
      process.env = saved;
    }
    expect(await kekOf(ADA)).toBe("kek-v2");
    expect(await detailsOf(ADA)).toMatchObject({ status: "decrypted", details: { note: "seen ada@example.com" } });
    expect(lawful.services.audit.pseudonym(tenantId, ADA)).toBe(adaPseudonym);
    // after the rewrap the old KEK is no longer needed: kek-v2 alone opens ada's (unchanged) data key
    expect(Buffer.from(await onlyV2.decrypt(tenantId, adaPseudonym, probe)).toString()).toBe("probe");
  });

  it("erasure - shredding a subject after the rotation still makes its details unreadable; the log still verifies", async () => {
    await lawful.services.audit.shredSubject(tenantId, BOB, actor);
    expect(await detailsOf(BOB)).toEqual({ status: "shredded" });
    expect(await detailsOf(ADA)).toMatchObject({ status: "decrypted" });
    expect((await lawful.services.audit.verify(tenantId)).ok).toBe(true);
  });
});
