import { workspaceProject } from '../../vitest.workspace.ts'

// Starting workerd takes about a second, more on a busy machine, and every store call of a test
// is a request into workerd and one or more calls to objects: hooks and tests get room for it.
export default workspaceProject('cloudflare-do', { hookTimeout: 30_000, testTimeout: 30_000 })
