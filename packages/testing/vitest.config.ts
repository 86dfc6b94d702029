import { workspaceProject } from '../../vitest.workspace.ts'

export default workspaceProject('testing')
