import { workspaceProject } from '../../vitest.workspace.ts'

// A README's programs load Node's or the Workers' types and the packages they import: on a busy
// machine that takes longer than a unit test's default five seconds.
export default workspaceProject('example-readme-snippets', { testTimeout: 120_000 })
