import { defineConfig } from "tsup";

export default defineConfig({
  entry: { cli: "src/cli.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  // workspace packages are bundled from their built dist (Node ignores the source condition)
  external: ["better-sqlite3", "pg", "pino", "date-holidays"],
});
