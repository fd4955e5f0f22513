#!/usr/bin/env node
// Fails when a public export lacks documentation: every function, class and
// constant exported by a package entry point needs a TSDoc summary and an
// @example; types and interfaces need a summary. Reads the JSON that
// `pnpm run docs` writes next to the HTML site (docs-site/api.json).
import { existsSync, readFileSync } from "node:fs";

const file = new URL("../docs-site/api.json", import.meta.url);
if (!existsSync(file)) {
  console.error("docs-site/api.json is missing: run `pnpm run docs` first.");
  process.exit(1);
}
const KIND = { Module: 2, Namespace: 4, Variable: 32, Function: 64, Class: 128, Interface: 256, TypeAlias: 2097152, Reference: 4194304 };
const root = JSON.parse(readFileSync(file, "utf8"));
const problems = [];
let checked = 0;

const hasSummary = (c) => Boolean(c?.summary?.some((p) => (p.text ?? "").trim().length > 0));
const hasExample = (c) => Boolean(c?.blockTags?.some((t) => t.tag === "@example"));

function visit(node, trail) {
  for (const child of node.children ?? []) {
    const where = [...trail, child.name].join(" › ");
    if (child.kind === KIND.Module || child.kind === KIND.Namespace) {
      visit(child, [...trail, child.name]);
      continue;
    }
    if (child.kind === KIND.Reference) continue; // re-export of something documented elsewhere
    const comment = child.kind === KIND.Function ? (child.signatures?.[0]?.comment ?? child.comment) : child.comment;
    if (![KIND.Variable, KIND.Function, KIND.Class, KIND.Interface, KIND.TypeAlias].includes(child.kind)) continue;
    checked++;
    if (!hasSummary(comment)) problems.push(`${where}: no TSDoc summary`);
    else if ([KIND.Variable, KIND.Function, KIND.Class].includes(child.kind) && !hasExample(comment)) problems.push(`${where}: no @example`);
  }
}
visit(root, []);
if (problems.length) {
  console.error(`Undocumented exports (${problems.length} of ${checked}):\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`All ${checked} exported declarations are documented (functions, classes and constants with examples).`);
