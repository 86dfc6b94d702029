import { workspaceProject } from '../../vitest.workspace.ts'

// Starting workerd takes about a second, more on a busy machine: hooks get room for it.
export default workspaceProject('cloudflare-kv', { hookTimeout: 30_000 })
