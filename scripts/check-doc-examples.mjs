#!/usr/bin/env node
// Type-checks code examples: every ```ts block of an @example in the sources of
// the given packages, and every ```ts block of README.md files and docs/**/*.md.
// Each block becomes its own ES module under .doc-examples/ (git-ignored) and the
// set is compiled with tsc against the workspace packages' sources.
// A block that is intentionally partial starts with `// @noCheck` (use sparingly).
// Usage: node scripts/check-doc-examples.mjs [package-dir ...]   (default: every package)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "internal/doc-examples/generated");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const walk = (dir, pred) =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        if (f === "node_modules" || f === "dist") return [];
        return statSync(p).isDirectory() ? walk(p, pred) : pred(p) ? [p] : [];
      })
    : [];

const args = process.argv.slice(2);
const pkgDirs = args.length ? args.map((a) => join(root, a)) : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));
const blocks = [];
const fence = /```ts\n([\s\S]*?)```/g;
for (const dir of pkgDirs) {
  for (const file of walk(join(dir, "src"), (p) => p.endsWith(".ts") && !p.endsWith(".test.ts"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/@example[\s\S]*?```ts\n([\s\S]*?)```/g)) {
      const code = m[1].replace(/^\s*\* ?/gm, "");
      const line = text.slice(0, m.index).split("\n").length;
      blocks.push({ from: `${relative(root, file)}:${line}`, code });
    }
  }
  for (const md of [join(dir, "README.md")].filter(existsSync)) {
    const text = readFileSync(md, "utf8");
    for (const m of text.matchAll(fence)) blocks.push({ from: `${relative(root, md)}:${text.slice(0, m.index).split("\n").length}`, code: m[1] });
  }
}
if (!args.length) {
  for (const md of [join(root, "README.md"), ...walk(join(root, "docs"), (p) => p.endsWith(".md"))]) {
    const text = readFileSync(md, "utf8");
    for (const m of text.matchAll(fence)) blocks.push({ from: `${relative(root, md)}:${text.slice(0, m.index).split("\n").length}`, code: m[1] });
  }
}
const checked = blocks.filter((b) => !b.code.trimStart().startsWith("// @noCheck"));
const map = {};
checked.forEach((b, i) => {
  const name = `ex${String(i).padStart(4, "0")}.ts`;
  map[name] = b.from;
  // a module of its own, so names do not clash and top-level await works
  writeFileSync(join(out, name), `// from ${b.from}\n${b.code}\nexport {};\n`);
});
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({ extends: "../../../tsconfig.base.json", compilerOptions: { noEmit: true, noUnusedLocals: false, lib: ["ES2023", "DOM"] }, include: ["*.ts"] }, null, 2),
);
try {
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(out, "tsconfig.json")], { stdio: "pipe" });
} catch (e) {
  const lines = String(e.stdout).split("\n").filter(Boolean);
  const byBlock = new Map();
  for (const l of lines) {
    const m = /^internal\/doc-examples\/generated\/(ex\d+\.ts)\((\d+),\d+\): (.*)$/.exec(l) ?? /^(ex\d+\.ts)\((\d+),\d+\): (.*)$/.exec(l);
    if (!m) continue;
    const key = map[m[1]];
    if (!byBlock.has(key)) byBlock.set(key, []);
    byBlock.get(key).push(`line ${Number(m[2]) - 1}: ${m[3]}`);
  }
  console.error(`Examples that do not type-check (${byBlock.size} of ${checked.length}):`);
  for (const [from, errs] of byBlock) console.error(`- ${from}\n    ${errs.slice(0, 3).join("\n    ")}`);
  if (!byBlock.size) console.error(lines.slice(0, 20).join("\n"));
  process.exit(1);
}
console.log(`All ${checked.length} code examples type-check (${blocks.length - checked.length} marked @noCheck).`);
