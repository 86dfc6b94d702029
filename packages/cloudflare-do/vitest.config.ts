import { workspaceProject } from '../../vitest.workspace.ts'

// Starting workerd takes about a second, more on a busy machine: hooks get room for it.
export default workspaceProject('cloudflare-do', { hookTimeout: 30_000 })
