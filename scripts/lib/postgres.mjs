// Throwaway PostgreSQL server for tests: own data dir, loopback only, stopped
// afterwards. Used by scripts/run-tests.mjs and by @lawful/testkit's tests.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_USER = "lawfulpg";

/** Directory holding initdb/pg_ctl, or throws saying what to install. */
export function findPostgresBin() {
  const candidates = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  if (existsSync("/usr/lib/postgresql")) {
    for (const v of readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  candidates.push("/usr/local/bin", "/usr/bin");
  for (const dir of candidates) {
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  }
  throw new Error(
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: `apt-get install -y postgresql`), set PG_BIN to their directory, or set TEST_DATABASE_URL to an existing server.",
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function asPgUser(cmd, args, opts = {}) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const [file, argv] = isRoot ? ["runuser", ["-u", PG_USER, "--", cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], ...opts });
}

function ensurePgUser() {
  if (!(typeof process.getuid === "function" && process.getuid() === 0)) return;
  if (spawnSync("id", ["-u", PG_USER], { stdio: "ignore" }).status !== 0) {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER], { stdio: "ignore" });
  }
}

/**
 * Start a PostgreSQL server in a fresh temp directory on 127.0.0.1.
 * @returns {Promise<{ url: string, port: number, dataDir: string, pid: number, stop: () => void }>}
 */
export async function startPostgres({ port } = {}) {
  const bin = findPostgresBin();
  ensurePgUser();
  const root = mkdtempSync(join(tmpdir(), "lawful-pg-"));
  chmodSync(root, 0o777);
  const dataDir = join(root, "data");
  const sockDir = root;
  const log = join(root, "server.log");
  const listenPort = port ?? (await freePort());
  asPgUser(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const opts = `-c listen_addresses=127.0.0.1 -p ${listenPort} -k ${sockDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB`;
  try {
    asPgUser(join(bin, "pg_ctl"), ["-D", dataDir, "-o", opts, "-l", log, "-w", "-t", "60", "start"]);
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
    rmSync(root, { recursive: true, force: true });
    throw new Error(`PostgreSQL failed to start:\n${tail}`, { cause: error });
  }
  const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      asPgUser(join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${listenPort}/postgres`, port: listenPort, dataDir, pid, stop };
}

/** True while a process with this pid exists and is not a zombie waiting to be reaped. */
export function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs: the signal check is all we have
  }
}
