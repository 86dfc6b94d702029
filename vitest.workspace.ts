import { defineConfig, defineProject } from 'vitest/config'
import type { TestProjectInlineConfiguration } from 'vitest/config'

// The one list of test projects. Each entry is a folder whose vitest.config.ts calls
// `workspaceProject`; `pnpm test` runs them all (vitest --config vitest.workspace.ts).
export const projects = [
  'packages/core',
  'packages/hono',
  'packages/node',
  'packages/cloudflare-kv',
  'packages/cloudflare-do',
  'packages/redis',
  'packages/postgres',
  'packages/testing',
  'examples/shop',
  'examples/node-http',
  'examples/cloudflare-worker',
  'examples/bench',
  'examples/readme-snippets',
]

// Workspace packages export their TypeScript sources under the "source" condition, so tests and
// examples run without a build; the published "default" condition points at dist/. Vitest also
// hands these to Node as --conditions, so "import" and "module" stay out: with them, require()
// in CommonJS dependencies (Express) would pick ESM entries.
const conditions = ['source', 'node', 'default']

/**
 * The configuration of one project of the list, resolving workspace packages to their sources.
 * @param name the project's name in reports
 * @param test further test options (include, timeouts…)
 */
export function workspaceProject(
  name: string,
  test: NonNullable<TestProjectInlineConfiguration['test']> = {},
) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: { name, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...test },
  })
}

export default defineConfig({
  test: {
    projects,
    // Most tests wait on servers, child processes and timers rather than on the CPU, so more
    // workers than cores shortens the run.
    maxWorkers: 4,
  },
})
