/**
 * Child process of the SIGKILL durability test: appends to a SQLite audit log in a loop and prints
 * `ack <sequence>` for every event whose append resolved (i.e. committed). Not a test file.
 * argv: <db path> <pseudonym key hex> <checkpoint seed hex> <kek hex>
 */
import Database from "better-sqlite3";
import { configureSqlite, createKeyring, createManualClock } from "@lawful/core";
import { createAuditLog } from "../log.js";
import { createCheckpointSigner } from "../checkpoint.js";
import { sampleAuditEvent } from "../testing/index.js";
import { createSqliteAuditStore, createSqliteKeyStore } from "./sqlite.js";

const [path, pseudoHex, seedHex, kekHex] = process.argv.slice(2) as [string, string, string, string];
const db = new Database(path);
configureSqlite(db);
const clock = createManualClock("2025-03-01T00:00:00Z");
const log = createAuditLog({
  store: createSqliteAuditStore({ database: db }),
  keyring: createKeyring({ store: createSqliteKeyStore({ database: db }), keks: [{ id: "k1", key: Buffer.from(kekHex, "hex") }], currentKekId: "k1", clock }),
  pseudonymKey: Buffer.from(pseudoHex, "hex"),
  signer: createCheckpointSigner({ name: "lawful.test/durability", privateKey: Buffer.from(seedHex, "hex") }),
  clock,
  checkpointEvery: { events: 7, seconds: 3600 },
});
let i = 0;
for (;;) {
  const batch = 1 + (i % 4);
  const receipts = await log.recordMany(Array.from({ length: batch }, (_, j) => sampleAuditEvent("durable", i + j)));
  i += batch;
  process.stdout.write(`ack ${receipts[receipts.length - 1]!.sequence}\n`);
}
