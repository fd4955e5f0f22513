/**
 * The one tsup configuration every package uses.
 *
 * Build entries are derived from the package's own `exports` map (the
 * `@lawful/source` condition of each subpath), so the published `exports`,
 * the build entries and the files in `dist/` cannot drift apart.
 * A package's `tsup.config.ts` is one line: `export default lawfulTsup(import.meta.url)`.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";

type ExportEntry = string | { [condition: string]: ExportEntry };

/** Map of build entry name (path under dist without extension) to source file. */
export function entriesFromExports(exportsField: Record<string, ExportEntry>): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(exportsField)) {
    if (typeof target === "string") continue; // e.g. "./package.json"
    const source = target["@lawful/source"];
    if (typeof source !== "string") throw new Error(`exports["${subpath}"] has no "@lawful/source" condition`);
    const name = source.replace(/^\.\/src\//, "").replace(/\.tsx?$/, "");
    entries[name] = source.replace(/^\.\//, "");
  }
  return entries;
}

/** Build ESM + CJS + declarations for the package whose tsup.config.ts calls this. */
export function lawfulTsup(configUrl: string, overrides: Partial<Options> = {}): ReturnType<typeof defineConfig> {
  const dir = dirname(fileURLToPath(configUrl));
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports: Record<string, ExportEntry>;
    bin?: Record<string, string>;
  };
  const entry = entriesFromExports(pkg.exports);
  // a bin "./dist/cli.js" is built from "src/cli.ts"
  for (const target of Object.values(pkg.bin ?? {})) {
    const name = /^\.\/dist\/(.+)\.js$/.exec(target)?.[1];
    if (!name) throw new Error(`bin target ${target} must be ./dist/<name>.js`);
    entry[name] = `src/${name}.ts`;
  }
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    target: "node20",
    platform: "node",
    dts: { compilerOptions: { ignoreDeprecations: "6.0", customConditions: [] } },
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: "dist",
    // the contract suites in ./testing run inside the user's own vitest
    external: ["vitest"],
    tsconfig: join(dir, "tsconfig.json"),
    ...overrides,
  });
}
