#!/usr/bin/env node
/**
 * `lawful-audit`: offline tools for exported audit logs.
 *
 *   lawful-audit verify <export.ndjson> --public-key <verifier key | file | base64> [--public-key …] [--json]
 *
 * Exit codes: 0 valid, 1 invalid, 2 usage or unreadable input.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createCheckpointVerifier, type CheckpointVerifier } from "./checkpoint.js";
import { verifyExport } from "./export.js";

const USAGE = `Usage: lawful-audit verify <export.ndjson> --public-key <key> [--public-key <key> …] [--json]

Verifies an audit log exported by @lawful/audit (NDJSON) offline: every event's bytes against
the RFC 6962 Merkle tree, and the tree against the checkpoints signed with the given key.

  --public-key <key>  the checkpoint verifier key: a C2SP verifier key string
                      (name+hash+base64), an Ed25519 public key as base64 (32 bytes)
                      or SPKI PEM, or a file holding one of these; repeat it
                      for a log whose checkpoint key was rotated (old and new keys)
  --json              print the report as JSON

Exit status: 0 the log is valid, 1 it is not, 2 usage error or unreadable input.
`;

/**
 * Where the CLI writes; injectable for tests.
 *
 * @example
 * ```ts
 * // @noCheck (the CLI module is the package's bin, not an import path)
 * import type { CliIo } from "@lawful/audit/cli";
 * const io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
 * ```
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const defaultIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

function keyText(arg: string): string {
  if (existsSync(arg)) return readFileSync(arg, "utf8").trim();
  return arg.trim();
}

/** Signature-line key names of the checkpoint notes in an export (to pair a bare public key with its name). */
function signerNames(text: string): string[] {
  const names = new Set<string>();
  // notes are JSON strings in the file: their newlines appear as the two characters "\n"
  for (const m of text.matchAll(/\\n\u2014 (\S+) /g)) names.add(m[1]!);
  return [...names];
}

/**
 * Run the CLI with `argv` (without `node` and the script); resolves to the exit code.
 *
 * @example
 * ```ts
 * // @noCheck (the CLI module is the package's bin, not an import path)
 * import { runCli } from "@lawful/audit/cli";
 * const code = await runCli(["verify", "audit.ndjson", "--public-key", "example.com/audit+abcd1234+AQ…"]);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const args = [...argv];
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
    if (args.length === 0) io.err(USAGE);
    else io.out(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  const command = args.shift();
  if (command !== "verify") {
    io.err(`Unknown command '${command ?? ""}'.\n\n${USAGE}`);
    return 2;
  }
  let file: string | undefined;
  const keys: (string | undefined)[] = [];
  let json = false;
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === "--public-key") keys.push(args.shift());
    else if (a.startsWith("--public-key=")) keys.push(a.slice("--public-key=".length));
    else if (a === "--json") json = true;
    else if (a.startsWith("-")) {
      io.err(`Unknown option '${a}'.\n\n${USAGE}`);
      return 2;
    } else if (file === undefined) file = a;
    else {
      io.err(`Unexpected argument '${a}'.\n\n${USAGE}`);
      return 2;
    }
  }
  if (file === undefined || keys.length === 0 || keys.some((k) => k === undefined || k.trim() === "")) {
    io.err(`verify needs an export file and --public-key.\n\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    io.err(`Cannot read the export file '${file}'.\n`);
    return 2;
  }
  const verifiers: CheckpointVerifier[] = [];
  const names = signerNames(text);
  for (const [i, key] of keys.entries()) {
    try {
      const k = keyText(key!);
      if (/^[^\s+]+\+[0-9a-f]{8}\+/.test(k)) verifiers.push(createCheckpointVerifier(k));
      else {
        // a bare public key carries no name: pair it with each key name that signed a checkpoint
        verifiers.push(...names.map((name) => createCheckpointVerifier({ name, publicKey: k })));
        if (names.length === 0) createCheckpointVerifier({ name: "check", publicKey: k }); // validates the key even without checkpoints
      }
    } catch (error) {
      io.err(`Public key #${i + 1} is not usable: ${error instanceof Error ? error.message : "unknown error"}\n`);
      return 2;
    }
  }
  const report = await verifyExport(text, verifiers);
  if (json) {
    io.out(`${JSON.stringify({ ...report, rootHash: Buffer.from(report.rootHash).toString("base64") }, null, 2)}\n`);
  } else if (report.ok) {
    const uncovered = report.treeSize - report.coveredSize;
    io.out(
      `VALID: tenant ${report.tenantId ?? "?"} — ${report.eventsChecked} events checked, ${report.checkpointsVerified} signed checkpoint(s) verified, root ${Buffer.from(report.rootHash).toString("base64")} at size ${report.treeSize}.\n`,
    );
    if (report.checkpointsVerified === 0) io.out("Warning: no signed checkpoint was found; the events are consistent, but nothing proves they were not rewritten.\n");
    else if (uncovered > 0) io.out(`Warning: the last ${uncovered} event(s) are after the latest signed checkpoint and are not yet covered by a signature.\n`);
  } else {
    io.out(`INVALID: ${report.problem?.kind ?? "unknown"} at sequence ${report.problem?.sequence ?? "?"} — ${report.problem?.message ?? ""}\n`);
  }
  return report.ok && report.checkpointsVerified > 0 ? 0 : 1;
}

function invokedDirectly(): boolean {
  try {
    const entry = process.argv[1];
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lawful-audit failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
