#!/usr/bin/env node
// Package checks: every published package's exports, build entries, built
// files and typedoc entry points agree; layout and metadata follow
// CONVENTIONS.md; publint and attw report no problems.
// Usage: node scripts/check-packages.mjs [--no-lint-tools]
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const skipTools = process.argv.includes("--no-lint-tools");
const problems = [];
const bad = (pkg, msg) => problems.push(`${pkg}: ${msg}`);

const dirs = readdirSync(join(root, "packages"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, "packages", d.name, "package.json")))
  .map((d) => join(root, "packages", d.name));

for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const id = pkg.name ?? dir;
  if (pkg.private) continue;
  if (!/^@lawful\/[a-z0-9-]+$/.test(pkg.name ?? "")) bad(id, "name must be @lawful/<kebab-name>");
  if (pkg.type !== "module") bad(id, 'type must be "module"');
  if (pkg.sideEffects !== false) bad(id, "sideEffects must be false");
  if (!Array.isArray(pkg.files) || !pkg.files.includes("dist")) bad(id, 'files must include "dist"');
  if (pkg.engines?.node !== ">=20.19") bad(id, 'engines.node must be ">=20.19"');
  for (const f of ["README.md", "tsup.config.ts", "tsconfig.json", "vitest.config.ts", "typedoc.json", "src/index.ts"]) {
    if (!existsSync(join(dir, f))) bad(id, `missing ${f}`);
  }
  const index = existsSync(join(dir, "src/index.ts")) ? readFileSync(join(dir, "src/index.ts"), "utf8") : "";
  if (/export\s+\*\s+from/.test(index)) bad(id, "src/index.ts must use explicit named exports, not `export *`");
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (["better-sqlite3", "pg", "hono", "@hono/node-server", "express", "fastify", "kysely"].includes(dep)) bad(id, `a domain package must not depend on ${dep}`);
  }

  const sources = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (typeof target === "string") continue;
    const keys = Object.keys(target);
    if (keys[0] !== "@lawful/source") bad(id, `exports["${subpath}"]: "@lawful/source" must be the first condition`);
    const src = target["@lawful/source"];
    if (!existsSync(join(dir, src))) bad(id, `exports["${subpath}"] source ${src} does not exist`);
    sources.push(src.replace(/^\.\//, ""));
    const name = src.replace(/^\.\/src\//, "").replace(/\.tsx?$/, "");
    const expected = {
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    };
    for (const cond of ["import", "require"]) {
      const got = target[cond];
      if (!got || Object.keys(got)[0] !== "types") bad(id, `exports["${subpath}"].${cond} must list "types" first`);
      for (const k of ["types", "default"]) {
        if (got?.[k] !== expected[cond][k]) bad(id, `exports["${subpath}"].${cond}.${k} must be ${expected[cond][k]} (build entry "${name}")`);
        else if (!existsSync(join(dir, expected[cond][k]))) bad(id, `${expected[cond][k]} is missing: run the build`);
      }
    }
  }
  if (!pkg.exports?.["./package.json"]) bad(id, 'exports must include "./package.json"');
  const typedoc = existsSync(join(dir, "typedoc.json")) ? JSON.parse(readFileSync(join(dir, "typedoc.json"), "utf8")) : {};
  const docEntries = (typedoc.entryPoints ?? []).map((p) => p.replace(/^\.\//, "")).sort();
  if (JSON.stringify(docEntries) !== JSON.stringify([...sources].sort())) {
    bad(id, `typedoc.json entryPoints (${docEntries.join(", ")}) must equal the exported sources (${sources.join(", ")})`);
  }
  // built files that no export points at are dead weight
  if (existsSync(join(dir, "dist"))) {
    const entryNames = new Set(sources.map((s) => s.replace(/^src\//, "").replace(/\.tsx?$/, "")));
    for (const target of Object.values(pkg.bin ?? {})) entryNames.add(target.replace(/^\.\/dist\//, "").replace(/\.js$/, ""));
    const walk = (d, rel = "") =>
      readdirSync(join(dir, "dist", rel), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(d, join(rel, e.name)) : [join(rel, e.name)],
      );
    for (const f of walk(dir)) {
      const m = /^(.*)\.(d\.cts|d\.ts)$/.exec(f);
      if (m && !m[1].startsWith("chunk-") && !entryNames.has(m[1]) && !/-[A-Za-z0-9_-]{8}$/.test(m[1])) {
        bad(id, `dist/${f} is not the declaration of any export`);
      }
    }
  }

  if (!skipTools) {
    try {
      execFileSync(join(root, "node_modules/.bin/publint"), ["--strict"], { cwd: dir, stdio: "pipe" });
    } catch (e) {
      bad(id, `publint:\n${e.stdout}${e.stderr}`);
    }
    try {
      execFileSync(join(root, "node_modules/.bin/attw"), ["--pack", ".", "--profile", "node16", "--format", "table-flipped"], {
        cwd: dir,
        stdio: "pipe",
      });
    } catch (e) {
      bad(id, `attw:\n${e.stdout}${e.stderr}`);
    }
  }
}

if (problems.length) {
  console.error(`Package checks failed (${problems.length}):\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`Package checks passed for ${dirs.length} package(s).`);
