import { workspaceProject } from '../../vitest.workspace.ts'

// Starting workerd takes about a second, more on a busy machine, and a test that restarts the
// Worker starts it twice: hooks and tests get room for it.
export default workspaceProject('example-cloudflare-worker', {
  hookTimeout: 30_000,
  testTimeout: 30_000,
})
