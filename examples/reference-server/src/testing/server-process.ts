// Runs the real CLI `serve` in a child process, for crash and multi-instance tests and the load bench.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

/** The repository root (the child runs from here so `--conditions=@lawful/source` resolves the workspace sources). */
const ROOT = resolve(import.meta.dirname, "../../../..");
const CLI = resolve(import.meta.dirname, "../cli.ts");

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** Environment of the server (DATABASE_URL, LAWFUL_MASTER_KEY, …); PORT defaults to 0 (any free port), LOG_LEVEL to `warn`. */
  env: Record<string, string>;
  /** How long to wait for the listening line. @default 30000 */
  startTimeoutMs?: number | undefined;
}

/** A server running in a child process. */
export interface ServerProcess {
  /** The child's process id. */
  readonly pid: number;
  /** The bound port. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Everything the child wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Send `signal` and resolve with the exit code (or the signal's name) once the child is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** Resolves when the child exits, with its exit code or the name of the signal that ended it. */
  readonly exited: Promise<number | string>;
}

/**
 * Spawn `node --conditions=@lawful/source --import tsx src/cli.ts serve` with `options.env`, wait for its
 * listening line and return the port. Rejects (and kills the child) when it exits or times out first.
 *
 * @example
 * ```ts
 * import { startServerProcess } from "./server-process.js";
 * const server = await startServerProcess({ env: { DATABASE_URL: "sqlite:/tmp/lawful-example.db" } });
 * const res = await fetch(`${server.url}/healthz`);
 * await server.kill("SIGKILL");
 * ```
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--conditions=@lawful/source", "--import", "tsx", CLI, "serve"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | string>((done) => child.once("exit", (code, signal) => done(code ?? signal ?? "unknown")));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`the server did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${out}`));
    }, options.startTimeoutMs ?? 30_000);
    const onData = () => {
      const m = /Lawful reference server on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`the server exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
