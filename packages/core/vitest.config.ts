import { workspaceProject } from '../../vitest.workspace.ts'

export default workspaceProject('core', {
  // Builds dist/ once, for the runtime tests (runtimes-*.test.ts), which import the package as
  // each runtime's users do.
  globalSetup: ['./src/test-support/global-setup.ts'],
  // Property tests run thousands of cases: on a busy two-core machine that can pass 5 s.
  testTimeout: 30_000,
})
