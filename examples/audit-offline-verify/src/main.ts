import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCheckpointVerifier, verifyExport } from "@lawful/audit";
import { produceExport } from "./produce.js";

// The controller produces the export; the auditor verifies it with nothing but the two files.
const dir = mkdtempSync(join(tmpdir(), "lawful-audit-example-"));
const { exportFile, keyFile } = await produceExport(dir);
const report = await verifyExport(readFileSync(exportFile, "utf8"), [createCheckpointVerifier(readFileSync(keyFile, "utf8").trim())]);
console.log(report.ok ? `valid: ${report.eventsChecked} events, ${report.checkpointsVerified} signed checkpoints` : `INVALID: ${report.problem?.message}`);
console.log(`offline, with the CLI: lawful-audit verify ${exportFile} --public-key ${keyFile}`);
