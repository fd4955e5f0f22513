import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { generateCheckpointKey } from "./checkpoint.js";
import { createMemoryAuditStore } from "./stores/memory.js";
import { createAuditLogFixture, sampleAuditEvent } from "./testing/index.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const cliPath = fileURLToPath(new URL("./cli.ts", import.meta.url));
let dir: string;
let good: string;
let bad: string;
let verifierKey: string;
let pem: string;
let rawB64: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lawful-audit-cli-"));
  const { log, verifierKey: vk, signer } = createAuditLogFixture(createMemoryAuditStore(), { checkpointEvery: { events: 4 } });
  verifierKey = vk;
  rawB64 = Buffer.from(signer.publicKey).toString("base64");
  pem = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), signer.publicKey]), format: "der", type: "spki" })
    .export({ format: "pem", type: "spki" })
    .toString();
  await log.recordMany(Array.from({ length: 10 }, (_, i) => sampleAuditEvent("acme", i)));
  await log.checkpoint("acme");
  let text = "";
  for await (const line of log.export("acme")) text += line;
  good = join(dir, "good.ndjson");
  writeFileSync(good, text);
  // drop event 6
  bad = join(dir, "bad.ndjson");
  writeFileSync(bad, text.split("\n").filter((l) => !l.includes('"sequence":6,')).join("\n"));
  writeFileSync(join(dir, "key.pub"), `${verifierKey}\n`);
  writeFileSync(join(dir, "key.pem"), pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]) => {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
};

describe("lawful-audit verify", () => {
  it("verify - prints VALID and exits 0 for an untouched export, with every key form", async () => {
    for (const key of [verifierKey, join(dir, "key.pub"), join(dir, "key.pem"), rawB64]) {
      const r = await run(["verify", good, "--public-key", key]);
      expect(r.out).toMatch(/^VALID: tenant acme — 10 events checked/);
      expect(r.code).toBe(0);
    }
  });

  it("verify - prints INVALID naming the first bad event and exits 1", async () => {
    const r = await run(["verify", bad, "--public-key", verifierKey]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: missing at sequence 6/);
    const json = await run(["verify", bad, "--public-key", verifierKey, "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, problem: { kind: "missing", sequence: 6 } });
  });

  it("verify - exits 1 when the checkpoints are signed by another key", async () => {
    const r = await run(["verify", good, "--public-key", generateCheckpointKey("lawful.test/audit").verifierKey]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^INVALID: bad_checkpoint/);
  });

  it("verify - an export spanning a checkpoint-key rotation verifies with both keys, and not with either alone", async () => {
    const store = createMemoryAuditStore();
    const before = createAuditLogFixture(store, { checkpointEvery: { events: 100 } });
    await before.log.recordMany(Array.from({ length: 6 }, (_, i) => sampleAuditEvent("acme", i)));
    await before.log.checkpoint("acme");
    const after = createAuditLogFixture(store, { checkpointEvery: { events: 100 } }); // a new key for the same origin
    await after.log.recordMany(Array.from({ length: 4 }, (_, i) => sampleAuditEvent("acme", 6 + i)));
    await after.log.checkpoint("acme");
    let text = "";
    for await (const line of after.log.export("acme")) text += line;
    const rotated = join(dir, "rotated.ndjson");
    writeFileSync(rotated, text);
    const both = await run(["verify", rotated, "--public-key", before.verifierKey, `--public-key=${Buffer.from(after.signer.publicKey).toString("base64")}`]);
    expect(both.out).toMatch(/^VALID: tenant acme — 10 events checked, 2 signed checkpoint\(s\) verified/);
    expect(both.code).toBe(0);
    const newOnly = await run(["verify", rotated, "--public-key", after.verifierKey]);
    expect(newOnly.out).toMatch(/^INVALID: bad_checkpoint at sequence 6/);
    expect(newOnly.code).toBe(1);
    expect((await run(["verify", rotated, "--public-key", before.verifierKey])).code).toBe(1);
  });

  it("verify - exits 2 on usage errors, unreadable files and weak keys", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["verify", good])).code).toBe(2);
    expect((await run(["verify", good, "--public-key", verifierKey, "--public-key"])).code).toBe(2);
    expect((await run(["frobnicate"])).code).toBe(2);
    expect((await run(["verify", join(dir, "nope.ndjson"), "--public-key", verifierKey])).code).toBe(2);
    const weak = await run(["verify", good, "--public-key", Buffer.alloc(32).toString("base64")]);
    expect(weak.code).toBe(2);
    expect(weak.err).toMatch(/weak/);
    const secondWeak = await run(["verify", good, "--public-key", verifierKey, "--public-key", Buffer.alloc(32).toString("base64")]);
    expect(secondWeak.code).toBe(2);
    expect(secondWeak.err).toMatch(/^Public key #2 is not usable/);
  });

  it("bin - runs as a process with the documented exit codes", () => {
    const exec = (args: string[]) =>
      spawnSync(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", cliPath, ...args], { cwd: repoRoot, encoding: "utf8" });
    const ok = exec(["verify", good, "--public-key", verifierKey]);
    expect(ok.stdout).toMatch(/^VALID/);
    expect(ok.status).toBe(0);
    expect(exec(["verify", bad, "--public-key", verifierKey]).status).toBe(1);
    expect(exec(["verify"]).status).toBe(2);
  });
});
