import { defineConfig } from 'vitest/config'

// The one list of test projects. Each entry is a folder with its own vitest.config.ts; run them
// all with `pnpm test` (vitest --config vitest.workspace.ts).
export const projects = ['packages/core']

export default defineConfig({
  test: {
    projects,
  },
})
