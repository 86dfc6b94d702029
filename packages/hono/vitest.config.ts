import { workspaceProject } from '../../vitest.workspace.ts'

export default workspaceProject('hono', {
  // Builds the core's and this package's dist/ once, for the runtime tests (runtimes-*.test.ts),
  // which import both packages as each runtime's users do.
  globalSetup: ['./src/test-support/global-setup.ts'],
})
