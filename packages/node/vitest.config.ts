import { workspaceProject } from '../../vitest.workspace.ts'

// Vitest hands the SSR resolve conditions to Node as --conditions flags, so the shared list's
// "import" and "module" would make CommonJS require() pick packages' ESM entries (Express's
// router then gets is-promise's module namespace instead of its function). "source" still
// resolves the workspace packages to their TypeScript.
const conditions = ['source', 'node', 'default']
const config = workspaceProject('node')
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } }

export default config
