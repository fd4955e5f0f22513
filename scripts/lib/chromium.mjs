// Locate Chromium for browser tests, installing Debian's package when missing and allowed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function findChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Return the Chromium path, installing it with apt-get when running as root; throw with instructions otherwise. */
export function ensureChromium({ log = console.error } = {}) {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && spawnSync("which", ["apt-get"], { stdio: "ignore" }).status === 0) {
    log("Chromium is missing: installing Debian's chromium package (about a minute)…");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-liberation"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    const after = findChromium();
    if (after) return after;
  }
  throw new Error("Chromium is required for browser tests and was not found. Install it (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH.");
}
