// Starts the shop's app with consent capture on http://127.0.0.1:3000 (or PORT).
// Usage: pnpm --filter @lawful/example-consent-in-node-http start [consent.db]
import Database from "better-sqlite3";
import { configureSqlite } from "@lawful/core";
import { createApp } from "./app.js";
import { randomConsentKeys, setupConsent } from "./consent-setup.js";

const db = new Database(process.argv[2] ?? ":memory:");
configureSqlite(db);
// demo only: real keys come from your secret manager, or every restart makes old pseudonyms unmatchable
const consent = await setupConsent({ database: db, keys: randomConsentKeys() });
const port = Number(process.env.PORT ?? 3000);
const internalToken = process.env.INTERNAL_TOKEN ?? "dev-internal-token";
const server = createApp({
  consent,
  publicOrigin: `http://127.0.0.1:${port}`,
  internalToken,
  sendConfirmation: (_to, link) => Promise.resolve(void console.log(`(mail) confirmation link: ${link}`)),
});
server.listen(port, "127.0.0.1", () => console.log(`Listening on http://127.0.0.1:${port}/signup`));
const stop = () => server.close(() => db.close());
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
