import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { configureSqlite, createKeyring } from "@lawful/core";
import { createTestSqliteFile } from "@lawful/testkit";
import { describe, expect, it } from "vitest";
import { createCheckpointSigner } from "../checkpoint.js";
import { createAuditLog } from "../log.js";
import { createSqliteAuditStore, createSqliteKeyStore } from "./sqlite.js";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const child = fileURLToPath(new URL("./durability.child.ts", import.meta.url));

/** Run the child until it acknowledged something, then SIGKILL it after a random delay; resolve the highest acknowledged sequence. */
function runAndKill(args: string[], delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", child, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let maxAck = -1;
    let buffered = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) maxAck = Math.max(maxAck, Number(m[1]));
      }
      timer ??= setTimeout(() => proc.kill("SIGKILL"), delayMs);
    });
    proc.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    proc.on("error", reject);
    proc.on("exit", (_code, signal) => {
      if (timer) clearTimeout(timer);
      // lines fully written before the kill count; a partial last line does not
      if (signal !== "SIGKILL") reject(new Error(`child exited without being killed: ${stderr}`));
      else resolve(maxAck);
    });
  });
}

/** One file, `kills` SIGKILLs in a row; checks after each kill. */
async function killLoop(kills: number): Promise<number> {
  const file = createTestSqliteFile("durable.db");
  const pseudo = randomBytes(32);
  const seed = randomBytes(32);
  const kek = randomBytes(32);
  try {
    let previous = -1;
    for (let kill = 0; kill < kills; kill++) {
      const acked = await runAndKill([file.path, pseudo.toString("hex"), seed.toString("hex"), kek.toString("hex")], 20 + Math.floor(Math.random() * 300));
      expect(acked).toBeGreaterThanOrEqual(previous);
      const db = file.open();
      configureSqlite(db);
      const store = createSqliteAuditStore({ database: db });
      const log = createAuditLog({
        store,
        keyring: createKeyring({ store: createSqliteKeyStore({ database: db }), keks: [{ id: "k1", key: kek }], currentKekId: "k1" }),
        pseudonymKey: pseudo,
        signer: createCheckpointSigner({ name: "lawful.test/durability", privateKey: seed }),
      });
      const size = await store.size("durable");
      // every acknowledged event is there, with no gap before it
      expect(size).toBeGreaterThan(acked);
      const rows = await store.readRange("durable", 0, size + 10);
      expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: size }, (_, i) => i));
      const report = await log.verify("durable");
      expect(report.problem).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.treeSize).toBe(size);
      // the last acknowledged event decrypts (its subject key was committed before the event)
      const last = await log.get("durable", acked);
      expect((await log.readDetails(last!)).status).toBe("decrypted");
      db.close();
      previous = acked;
    }
    return previous;
  } finally {
    file.cleanup();
  }
}

describe("SQLite durability", () => {
  it("append - every acknowledged event survives SIGKILL at random moments (20 kills over 4 files) and the log verifies", async () => {
    // 4 files killed 5 times each, concurrently, to keep the test short on 2 cores
    const results = await Promise.all([0, 1, 2, 3].map(() => killLoop(5)));
    for (const acked of results) expect(acked).toBeGreaterThan(4);
  }, 120_000);
});
