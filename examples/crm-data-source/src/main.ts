// Runs an access request and an erasure request against a seeded CRM and prints the results.
// Usage: pnpm --filter @lawful/example-crm-data-source start [crm.db]
import Database from "better-sqlite3";
import { configureSqlite } from "@lawful/core";
import { createCrmDsr, runRequest } from "./requests.js";
import { seedContacts } from "./seed.js";

const db = new Database(process.argv[2] ?? ":memory:");
configureSqlite(db);
try {
  if (!(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'contacts'").get())) seedContacts(db);
  const { dsr } = createCrmDsr({ database: db });
  const access = await runRequest(dsr, { type: "access", subject: { kind: "email", value: "jana.weber@example.com" } });
  console.log(`access ${access.id}: ${access.state}, due ${access.deadlines.dueDate}`);
  console.log(JSON.stringify(access.outcome?.result, null, 2));
  const erasure = await runRequest(dsr, { type: "erasure", subject: { kind: "email", value: "tom.berger@example.com" } });
  console.log(`erasure ${erasure.id}: ${erasure.state}`);
  console.log(JSON.stringify(erasure.outcome?.result, null, 2));
} finally {
  db.close();
}
