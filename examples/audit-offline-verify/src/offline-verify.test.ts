import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createCheckpointVerifier, verifyExport } from "@lawful/audit";
import { produceExport } from "./produce.js";

const root = new URL("../../..", import.meta.url).pathname;
const cli = join(root, "packages/audit/src/cli.ts");
// the lawful-audit bin, run from its TypeScript source (no build needed)
const lawfulAudit = (...args: string[]) =>
  spawnSync(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", cli, ...args], { cwd: root, encoding: "utf8" });

describe("example: verifying an exported audit log offline", () => {
  const dir = mkdtempSync(join(tmpdir(), "lawful-audit-example-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("verifyExport - an untouched export verifies against the published key, without personal data in it", async () => {
    const { exportFile, keyFile, events } = await produceExport(dir);
    const text = readFileSync(exportFile, "utf8");
    expect(text).not.toContain("ada@example.com");
    const report = await verifyExport(text, [createCheckpointVerifier(readFileSync(keyFile, "utf8").trim())]);
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBe(events);
    expect(report.checkpointsVerified).toBeGreaterThanOrEqual(2);
  });

  it("lawful-audit verify - exit 0 for the export, 1 once a single event is altered", async () => {
    const sub = mkdtempSync(join(dir, "cli-"));
    const { exportFile, keyFile } = await produceExport(sub);
    const ok = lawfulAudit("verify", exportFile, "--public-key", keyFile);
    expect(ok.status, ok.stderr).toBe(0);
    // rewrite one event's stored bytes: "updated the phone number" becomes "looked at the contact"
    const lines = readFileSync(exportFile, "utf8").split("\n");
    const i = lines.findIndex((l) => l.startsWith('{"type":"event"') && Buffer.from((JSON.parse(l) as { bytes: string }).bytes, "base64").toString("utf8").includes("data.updated"));
    const event = JSON.parse(lines[i]!) as { bytes: string };
    event.bytes = Buffer.from(Buffer.from(event.bytes, "base64").toString("utf8").replace("data.updated", "data.accessed")).toString("base64");
    lines[i] = JSON.stringify(event);
    const tampered = join(sub, "tampered.ndjson");
    writeFileSync(tampered, lines.join("\n"));
    const bad = lawfulAudit("verify", tampered, "--public-key", keyFile);
    expect(bad.status).toBe(1);
    expect(`${bad.stdout}${bad.stderr}`.toLowerCase()).toMatch(/invalid|modified|mismatch/);
  }, 60_000);
});
