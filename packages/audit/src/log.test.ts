import { randomBytes } from "node:crypto";
import { AUDIT_ACTIONS, createKeyring, createManualClock, createMemoryKeyStore, isLawfulError, type AuditEventInput } from "@lawful/core";
import { describe, expect, it } from "vitest";
import { createCheckpointVerifier, generateCheckpointKey, openCheckpoint } from "./checkpoint.js";
import { verifyExport } from "./export.js";
import { createAuditLog } from "./log.js";
import { hashLeaf, verifyConsistency, verifyInclusion } from "./merkle.js";
import { createMemoryAuditStore } from "./stores/memory.js";

function setup(checkpointEvery = { events: 5, seconds: 3600 }) {
  const clock = createManualClock("2025-03-01T10:00:00Z");
  const keyStore = createMemoryKeyStore();
  const keyring = createKeyring({ store: keyStore, keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1", clock });
  const key = generateCheckpointKey("example.com/audit");
  const store = createMemoryAuditStore();
  const log = createAuditLog({ store, keyring, pseudonymKey: randomBytes(32), signer: key.signer, clock, checkpointEvery });
  return { clock, keyring, key, store, log };
}

const ada = { kind: "email", value: "Ada@Example.com" } as const;
const access = (i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  tenantId: "acme",
  action: AUDIT_ACTIONS.DATA_ACCESSED,
  actor: { type: "staff", id: `u${i % 3}` },
  subject: ada,
  target: { system: "crm", recordType: "contact", recordId: `c${i}` },
  details: { reason: "support ticket", email: "ada@example.com" },
  requestMeta: { ip: "203.0.113.7", userAgent: "test" },
  ...extra,
});

describe("createAuditLog", () => {
  it("record - assigns gap-free sequence numbers and stores no personal data in clear", async () => {
    const { log, store } = setup();
    const receipts = [];
    for (let i = 0; i < 7; i++) receipts.push(await log.record(access(i)));
    expect(receipts.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const rows = await store.readRange("acme", 0, 100);
    for (const r of rows) {
      const text = Buffer.from(r.bytes).toString("utf8");
      expect(text).not.toMatch(/ada@example\.com|203\.0\.113\.7/i);
      expect(text).toMatch(/"subject":"ps1_/);
      expect(Buffer.from(r.leafHash).equals(hashLeaf(r.bytes))).toBe(true);
    }
    const ev = await log.get("acme", 3);
    expect(ev?.subject).toBe(log.pseudonym("acme", ada));
    expect(await log.readDetails(ev!)).toEqual({ status: "decrypted", details: { reason: "support ticket", email: "ada@example.com" }, requestMeta: { ip: "203.0.113.7", userAgent: "test" } });
  });

  it("record - keeps details of subject-less events in clear and drops request metadata", async () => {
    const { log } = setup();
    await log.record({ tenantId: "acme", action: "registry.changed", actor: { type: "system", id: "job" }, details: { party: "mailer" }, requestMeta: { ip: "198.51.100.1" } });
    const ev = await log.get("acme", 0);
    expect(ev?.requestMetaCiphertext).toBeUndefined();
    expect(await log.readDetails(ev!)).toEqual({ status: "clear", details: { party: "mailer" } });
  });

  it("recordMany - refuses a batch with one bad event whole, naming the field", async () => {
    const { log, store } = setup();
    const bad = [access(0), { ...access(1), action: "Not An Action" }, { ...access(2), outcome: "maybe" }] as AuditEventInput[];
    const error = await log.recordMany(bad).catch((e: unknown) => e);
    expect(isLawfulError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("VALIDATION_FAILED");
    expect((error as Error).name).toBe("AuditError");
    const paths = (error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["1.action", "2.outcome"]));
    expect((error as Error).message).not.toMatch(/ada@example/i);
    expect(await store.size("acme")).toBe(0);
  });

  it("recordMany - refuses non-JSON details and batches that mix tenants", async () => {
    const { log, store } = setup();
    await expect(log.record({ ...access(0), subject: undefined, details: { when: new Date() } })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(log.recordMany([access(0), { ...access(1), tenantId: "other" }])).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [expect.objectContaining({ path: [1, "tenantId"] })],
    });
    expect(await store.size("acme")).toBe(0);
  });

  it("checkpoint - signs a C2SP checkpoint every N events and verifies with the public key", async () => {
    const { log, store, key } = setup({ events: 5, seconds: 3600 });
    await log.recordMany(Array.from({ length: 12 }, (_, i) => access(i)));
    await log.record(access(12));
    const cps = await store.listCheckpoints("acme");
    expect(cps.map((c) => c.treeSize)).toEqual([12]);
    const note = cps[0]!.note;
    expect(note).toMatch(/^lawful-audit\/acme\n12\n[A-Za-z0-9+/]{43}=\ntime 2025-03-01T10:00:00.000Z\n\n\u2014 example.com\/audit [A-Za-z0-9+/=]+\n$/);
    const opened = openCheckpoint(note, [createCheckpointVerifier(key.verifierKey)]);
    expect(opened.ok).toBe(true);
    const cp = await log.checkpoint("acme");
    expect(cp.treeSize).toBe(13);
  });

  it("checkpoint - is written after T seconds on the next append", async () => {
    const { log, store, clock } = setup({ events: 1000, seconds: 30 });
    await log.record(access(0));
    expect((await store.listCheckpoints("acme")).map((c) => c.treeSize)).toEqual([1]);
    await log.record(access(1));
    clock.advance({ seconds: 31 });
    await log.record(access(2));
    expect((await store.listCheckpoints("acme")).map((c) => c.treeSize)).toEqual([1, 3]);
  });

  it("inclusionProof - proves an event against a verified checkpoint", async () => {
    const { log, key } = setup({ events: 1000, seconds: 3600 });
    await log.recordMany(Array.from({ length: 37 }, (_, i) => access(i)));
    const cp = await log.checkpoint("acme");
    const opened = openCheckpoint(cp.note, [createCheckpointVerifier(key.verifierKey)]);
    if (!opened.ok) throw new Error("checkpoint did not verify");
    const record = await log.store.get("acme", 17);
    const proof = await log.inclusionProof("acme", 17);
    expect(proof.treeSize).toBe(37);
    expect(verifyInclusion({ index: 17, size: opened.checkpoint.treeSize, leafHash: hashLeaf(record!.bytes), proof: proof.proof, root: opened.checkpoint.rootHash })).toBe(true);
    await log.recordMany(Array.from({ length: 20 }, (_, i) => access(i)));
    const cp2 = await log.checkpoint("acme");
    const cproof = await log.consistencyProof("acme", 37, 57);
    expect(verifyConsistency({ first: 37, second: 57, firstRoot: cp.rootHash, secondRoot: cp2.rootHash, proof: cproof })).toBe(true);
  });

  it("query - filters by subject, actor, action prefix, target and time, with stable cursor pages", async () => {
    const { log, clock } = setup();
    for (let i = 0; i < 10; i++) {
      clock.advance({ minutes: 1 });
      await log.record(access(i, i % 2 === 0 ? {} : { action: "consent.given", subject: { kind: "email", value: "bob@example.com" } }));
    }
    const bySubject = await log.query("acme", { subject: { kind: "email", value: "ada@example.com" } });
    expect(bySubject.events.map((e) => e.sequence)).toEqual([0, 2, 4, 6, 8]);
    expect((await log.query("acme", { actionPrefix: "consent" })).events.map((e) => e.sequence)).toEqual([1, 3, 5, 7, 9]);
    expect((await log.query("acme", { actionPrefix: "data.accessed" })).events).toHaveLength(5);
    expect((await log.query("acme", { actionPrefix: "dat" })).events).toHaveLength(0);
    expect((await log.query("acme", { actorId: "u1" })).events.map((e) => e.sequence)).toEqual([1, 4, 7]);
    expect((await log.query("acme", { targetRecordId: "c3" })).events.map((e) => e.sequence)).toEqual([3]);
    expect(
      (await log.query("acme", { from: new Date("2025-03-01T10:03:00Z"), to: new Date("2025-03-01T10:05:00Z") })).events.map((e) => e.sequence),
    ).toEqual([2, 3]);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.query("acme", { limit: 3, cursor });
      seen.push(...page.events.map((e) => e.sequence));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expect(log.query("acme", { limit: 0, actionPrefix: "BAD" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("shredSubject - makes the subject's details unreadable while the log still verifies", async () => {
    const { log } = setup();
    await log.recordMany(Array.from({ length: 6 }, (_, i) => access(i)));
    await log.record({ ...access(9), subject: { kind: "email", value: "bob@example.com" } });
    await log.shredSubject("acme", ada, { type: "staff", id: "dpo" });
    expect(await log.readDetails((await log.get("acme", 0))!)).toEqual({ status: "shredded" });
    expect((await log.readDetails((await log.get("acme", 6))!)).status).toBe("decrypted");
    const shredEvent = await log.get("acme", 7);
    expect(shredEvent?.action).toBe("keyring.shredded");
    expect(shredEvent?.subject).toBe(log.pseudonym("acme", ada));
    // later events about the shredded subject are kept without details
    await log.record(access(10));
    expect(await log.readDetails((await log.get("acme", 8))!)).toEqual({ status: "withheld" });
    await log.checkpoint("acme");
    expect((await log.verify("acme")).ok).toBe(true);
  });

  it("verify - an untouched log verifies, whole and by range", async () => {
    const { log } = setup({ events: 7, seconds: 3600 });
    for (let i = 0; i < 5; i++) await log.recordMany(Array.from({ length: 9 }, (_, j) => access(i * 9 + j)));
    await log.checkpoint("acme");
    const report = await log.verify("acme", { pageSize: 10 });
    expect(report).toMatchObject({ ok: true, eventsChecked: 45, treeSize: 45, coveredSize: 45 });
    expect(report.checkpointsVerified).toBeGreaterThan(3);
    expect((await log.verify("acme", { from: 17, to: 40 })).ok).toBe(true);
    expect((await log.verify("acme", { from: 20 })).ok).toBe(true);
  });

  it("verify - a checkpoint signed by another key is reported as bad_checkpoint", async () => {
    const { log } = setup();
    await log.recordMany(Array.from({ length: 3 }, (_, i) => access(i)));
    await log.checkpoint("acme");
    const other = generateCheckpointKey("example.com/audit");
    const forged = (await log.store.listCheckpoints("acme"))[0]!.note.replace(/\u2014 .*\n$/, "");
    const { signCheckpoint } = await import("./checkpoint.js");
    const fake = signCheckpoint({ origin: "lawful-audit/acme", treeSize: 3, rootHash: new Uint8Array(32) }, other.signer);
    expect(forged.length).toBeGreaterThan(0);
    const report = await log.verify("acme", { checkpoints: [fake] });
    expect(report.ok).toBe(false);
    expect(report.problem?.kind).toBe("bad_checkpoint");
  });

  it("export - produces NDJSON that verifies offline and detects a modified byte", async () => {
    const { log, key } = setup();
    await log.recordMany(Array.from({ length: 11 }, (_, i) => access(i)));
    await log.checkpoint("acme");
    let text = "";
    for await (const line of log.export("acme")) text += line;
    const verifiers = [createCheckpointVerifier(key.verifierKey)];
    const ok = await verifyExport(text, verifiers);
    expect(ok).toMatchObject({ ok: true, eventsChecked: 11, coveredSize: 11, tenantId: "acme" });
    const lines = text.split("\n");
    const idx = lines.findIndex((l) => l.includes('"sequence":4,'));
    const item = JSON.parse(lines[idx]!) as { bytes: string };
    const bytes = Buffer.from(item.bytes, "base64");
    bytes[10] = bytes[10]! ^ 1;
    lines[idx] = JSON.stringify({ ...item, bytes: bytes.toString("base64") });
    const bad = await verifyExport(lines.join("\n"), verifiers);
    expect(bad.ok).toBe(false);
    expect(bad.problem).toMatchObject({ sequence: 4 });
    // a different key: the checkpoints are not trusted
    const stranger = await verifyExport(text, [createCheckpointVerifier(generateCheckpointKey("example.com/audit").verifierKey)]);
    expect(stranger.ok).toBe(false);
  });

  it("createAuditLog - refuses malformed options naming each field", () => {
    const { keyring, key } = setup();
    let error: unknown;
    try {
      createAuditLog({ store: {} as never, keyring, signer: key.signer, pseudonymKey: randomBytes(32), checkpointEvery: { events: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "INVALID_CONFIGURATION" });
    expect((error as { issues: { path: unknown[] }[] }).issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["store", "checkpointEvery.events"]));
  });
});
