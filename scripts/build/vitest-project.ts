/**
 * Shared vitest project settings: workspace packages resolve to their
 * TypeScript sources through the `@lawful/source` export condition, so tests
 * need no build.
 */
import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineProject, type ViteUserConfig } from "vitest/config";

export function lawfulVitestProject(name: string, test: NonNullable<ViteUserConfig["test"]> = {}): ViteUserConfig {
  return defineProject({
    resolve: { conditions: ["@lawful/source", ...defaultClientConditions] },
    ssr: { resolve: { conditions: ["@lawful/source", ...defaultServerConditions] } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...test,
    },
  });
}
