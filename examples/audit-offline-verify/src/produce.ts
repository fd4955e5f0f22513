import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { configureSqlite, createKeyring } from "@lawful/core";
import { createAuditLog, generateCheckpointKey } from "@lawful/audit";
import { createSqliteAuditStore, createSqliteKeyStore } from "@lawful/audit/sqlite";

/**
 * The controller's side: a CRM records what happened to personal data, signs checkpoints,
 * and hands the auditor two files — the NDJSON export and the public verifier key.
 */
export async function produceExport(dir: string): Promise<{ exportFile: string; keyFile: string; events: number }> {
  const db = new Database(join(dir, "crm-audit.db"));
  configureSqlite(db);
  const keyring = createKeyring({ store: createSqliteKeyStore({ database: db }), keks: [{ id: "kek-1", key: randomBytes(32) }], currentKekId: "kek-1" });
  const { signer, verifierKey } = generateCheckpointKey("crm.example/audit");
  const log = createAuditLog({ store: createSqliteAuditStore({ database: db }), keyring, pseudonymKey: randomBytes(32), signer });
  const staff = { type: "staff" as const, id: "u_42" };
  const ada = { kind: "email" as const, value: "ada@example.com" };
  await log.record({ tenantId: "acme", action: "data.accessed", actor: staff, subject: ada, target: { system: "crm", recordType: "contact", recordId: "c_1" } });
  await log.record({ tenantId: "acme", action: "data.updated", actor: staff, subject: ada, target: { system: "crm", recordType: "contact", recordId: "c_1", fields: ["phone"] }, details: { reason: "customer called" } });
  await log.record({ tenantId: "acme", action: "data.transferred", actor: { type: "system", id: "mailer-sync" }, subject: ada, recipient: { partyId: "mailer", country: "IE", categories: ["contact.email"] } });
  await log.checkpoint("acme");
  await log.record({ tenantId: "acme", action: "data.exported", actor: staff, subject: ada });
  await log.checkpoint("acme");
  let ndjson = "";
  for await (const line of log.export("acme")) ndjson += line.endsWith("\n") ? line : `${line}\n`;
  const exportFile = join(dir, "acme-audit.ndjson");
  const keyFile = join(dir, "acme-audit.pub");
  writeFileSync(exportFile, ndjson);
  writeFileSync(keyFile, `${verifierKey}\n`);
  db.close();
  return { exportFile, keyFile, events: 4 };
}
